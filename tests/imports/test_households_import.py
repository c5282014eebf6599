"""The households file: heads and verified incomes keyed by village + 户号, all or nothing, errors in words,
re-imports that change nothing, and an export the importer reads back."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.imports.loader import import_file
from kiosk.rules import load_rulebook_from
from kiosk.services.export import export_store
from kiosk.store import open_store
from tests.helpers.facts import TODAY

ROOT = Path(__file__).resolve().parents[2]
CHAE = ROOT / "docs" / "examples" / "chae"
HEADERS = "村,户号,户主身份证号,核定日期,家庭月人均收入\n"
HEAD, ELDER, OTHER = "522799195804120013", "522799195009030027", "522799196207150059"


def chae_rulebook():  # type: ignore[no-untyped-def]
    params = ROOT / "kiosk" / "rules" / "params"
    sources = {path.stem: (path.name, path.read_text(encoding="utf-8")) for path in params.glob("*.toml")}
    sources["dibao"] = ("dibao.toml", (CHAE / "dibao.toml").read_text(encoding="utf-8"))
    return load_rulebook_from(sources)


@pytest.fixture
def county(tmp_path):  # type: ignore[no-untyped-def]
    store = open_store(tmp_path / "county.db")
    rulebook = chae_rulebook()
    for name in ("villages.csv", "persons.csv"):
        assert import_file(store, CHAE / name, rulebook=rulebook, today=TODAY).committed
    yield store, rulebook
    store.close()


def households_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "households.csv"
    path.write_text(HEADERS + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_the_example_households_import_and_reimport_unchanged(county, tmp_path):
    store, rulebook = county
    first = import_file(store, CHAE / "households.csv", rulebook=rulebook, today=TODAY)
    assert first.committed and first.kind == "households" and (first.imported, first.error_count) == (3, 0)
    again = import_file(store, CHAE / "households.csv", rulebook=rulebook, today=TODAY)
    assert again.committed and (again.imported, again.unchanged) == (0, 3)
    person = store.find_person(ELDER)
    household = store.load_facts(person).household
    assert household is not None and household.head_name == "杨*华" and len(household.members) == 3
    assert [income.per_capita_fen for income in household.incomes] == [18000]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"北村,0003,{HEAD},2025-01-01,180", "村 未知的村（请先导入村名单）"),
        (f"坡头村,0099,{HEAD},2025-01-01,180", "户号 该村没有此户号的人员（请先导入人员）"),
        (f"坡头村,0003,{OTHER},2025-01-01,180", "户主身份证号 不是该户的成员"),
        (f"坡头村,0003,{HEAD},,180", "核定日期 家庭月人均收入和核定日期要一起填写"),
        (f"坡头村,0003,{HEAD},2025-01-01,abc", "家庭月人均收入 不是数字"),
        (f"坡头村,0003,{HEAD},2099-01-01,180", "核定日期 晚于今天"),
        ("坡头村,0003,52279919580412001X,2025-01-01,180", "户主身份证号 校验位错误"),
    ],
)
def test_a_bad_row_names_its_problem_and_nothing_is_imported(county, tmp_path, row, message):
    store, rulebook = county
    report = import_file(
        store,
        households_file(tmp_path, f"坡头村,0008,{OTHER},2025-01-01,300", row),
        rulebook=rulebook,
        today=TODAY,
    )
    assert not report.committed and any(message in error.message for error in report.errors), [
        e.message for e in report.errors
    ]
    assert store.load_facts(store.find_person(OTHER)).household is None  # the good row did not go in either


def test_two_heads_for_one_household_are_refused(county, tmp_path):
    store, rulebook = county
    report = import_file(
        store,
        households_file(
            tmp_path, f"坡头村,0003,{HEAD},2025-01-01,180", f"坡头村,0003,{ELDER},2025-06-01,200"
        ),
        rulebook=rulebook,
        today=TODAY,
    )
    assert not report.committed and "与第2行的户主不同" in report.errors[0].message


def test_the_export_writes_households_the_importer_reads_back(county, tmp_path):
    store, rulebook = county
    for name in ("households.csv", "enrolments.csv", "payments.csv"):
        assert import_file(store, CHAE / name, rulebook=rulebook, today=TODAY).committed
    written = export_store(store, tmp_path / "out")
    assert [path.name for path in written][2] == "households.csv"
    copy = open_store(tmp_path / "copy.db")
    for path in written:
        report = import_file(copy, path, rulebook=rulebook, today=TODAY)
        assert report.committed and report.error_count == 0, (path.name, [e.message for e in report.errors])
    assert (
        copy.load_facts(copy.find_person(OTHER)).household
        == store.load_facts(store.find_person(OTHER)).household
    )
    copy.close()
