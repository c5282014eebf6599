"""The cross-check registers: each imports (all or nothing, row-level errors, a re-import changes nothing),
and each new supervision check finds its case in the crafted county of docs/examples/registers and
nothing in the clean county of docs/examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.checks import REGISTER_CHECKS
from kiosk.imports.loader import import_file
from kiosk.services.checks import run_checks
from kiosk.store import open_store
from tests.helpers.facts import TODAY

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
REGISTERS = EXAMPLES / "registers"
ROSTER = ("villages.csv", "persons.csv", "enrolments.csv", "payments.csv")
FILES = {
    "deaths.csv": ("deaths", {"death": 1}),
    "officials.csv": ("officials", {"official": 1, "kin": 1}),
    "vehicles.csv": ("vehicles", {"vehicle": 1}),
    "properties.csv": ("properties", {"property": 1}),
    "businesses.csv": ("businesses", {"business": 1}),
    "enterprise_pensions.csv": ("enterprise_pensions", {"enterprise_pension": 1}),
}
NEW_CHECKS = set(REGISTER_CHECKS)


@pytest.fixture
def county(tmp_path, rulebook):  # type: ignore[no-untyped-def]
    store = open_store(tmp_path / "county.db")
    for name in ROSTER:
        assert import_file(store, REGISTERS / name, rulebook=rulebook, today=TODAY).committed, name
    yield store
    store.close()


@pytest.mark.parametrize("name", list(FILES))
def test_each_register_is_recognised_imported_and_reimported_unchanged(county, rulebook, name):
    kind, counts = FILES[name]
    first = import_file(county, REGISTERS / name, rulebook=rulebook, today=TODAY)
    assert first.committed and first.kind == kind and first.error_count == 0, [
        e.message for e in first.errors
    ]
    assert {k: n for k, n in county.register_counts().items() if k in counts} == counts
    again = import_file(county, REGISTERS / name, rulebook=rulebook, today=TODAY)
    assert again.committed and again.imported == 0 and again.unchanged == first.imported


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        ("身份证号,姓名,死亡日期,数据来源", "522799194001021332,钱老根,,县公安局", "死亡日期 不能为空"),
        (
            "身份证号,姓名,死亡日期,数据来源",
            "522799194001021332,钱老根,2099-01-01,县公安局",
            "死亡日期 晚于今天",
        ),
        (
            "身份证号,姓名,死亡日期,数据来源",
            "522799194001021333,钱老根,2025-02-10,县公安局",
            "身份证号 校验位错误",
        ),
        ("身份证号,姓名,死亡日期,数据来源", "522799194001021332,钱老根,2025-02-10,", "数据来源 不能为空"),
        (
            "身份证号,姓名,人员类别,亲属身份证号,亲属姓名,关系,数据来源",
            "522799196307209177,赵二勇,公职人员,522799196003051171,赵大勇,表兄弟,县纪委",
            "关系 应为配偶",
        ),
        ("身份证号,姓名,人员类别,数据来源", "522799196307209177,赵二勇,县长,县纪委", "人员类别 应为公职人员"),
        (
            "身份证号,姓名,人员类别,亲属身份证号,亲属姓名,关系,数据来源",
            "522799196307209177,赵二勇,公职人员,522799196003051172,赵大勇,兄弟姐妹,县纪委",
            "亲属身份证号 校验位错误",
        ),
        ("身份证号,姓名,号牌号码,数据来源", "52279919700809145X,孙富贵,,交警", "号牌号码 不能为空"),
        (
            "身份证号,姓名,市场主体名称,注册资本,数据来源",
            "52279919700809145X,孙富贵,农资店,五万,市场监管",
            "注册资本 不是数字",
        ),
    ],
)
def test_a_bad_register_row_names_its_problem_and_nothing_is_imported(
    county, rulebook, tmp_path, header, row, message
):
    path = tmp_path / "register.csv"
    good = {"死亡日期": "522799194001021332,钱老根,2025-02-10,县公安局"}.get(header.split(",")[2], "")
    path.write_text(f"{header}\n{good + chr(10) if good else ''}{row}\n", encoding="utf-8")
    report = import_file(county, path, rulebook=rulebook, today=TODAY)
    assert not report.committed and any(message in e.message for e in report.errors), [
        e.message for e in report.errors
    ]
    assert county.register_counts() == {}


def _findings(store, rulebook):  # type: ignore[no-untyped-def]
    return [f for f in run_checks(store, rulebook, today=TODAY) if f.check in NEW_CHECKS]


def test_each_check_finds_its_case_in_the_crafted_county(county, rulebook):
    for name in FILES:
        assert import_file(county, REGISTERS / name, rulebook=rulebook, today=TODAY).committed
    found = {(f.check, f.name): f for f in _findings(county, rulebook)}
    death = found[("registered_death", "钱老根")]
    assert "县公安局户籍注销（死亡）登记于2025-02-10死亡" in death.detail and "3笔" in death.detail
    assert any("来源" in e for e in death.evidence)
    kin = found[("official_kin", "赵大勇")]  # the brother of a public servant who lives elsewhere
    assert "是赵二勇（公职人员，县水务局科员）的兄弟姐妹" in kin.detail
    assert "与赵二勇（公职人员，县水务局科员）的兄弟姐妹同户" in found[("official_kin", "赵小梅")].detail
    assets = found[("assets", "孙富贵")]
    assert "车辆1（规定不超过0）" in assets.detail and "贵J12345" in assets.evidence[0]
    assert ("assets", "郑乙") not in found  # one home is allowed (and 郑乙 has no 低保)
    assert "同期又领城乡居民基础养老金5笔" in found[("two_pensions", "李退休")].detail
    both = found[("exclusive_paid", "周双领")]
    assert "5期同时领取农村最低生活保障和特困人员救助供养" in both.detail
    outlier = found[("village_outlier", "东岭村")]
    assert "低保率85.7%（7人中6人），本乡镇其他村12.5%（16人中2人）" in outlier.detail
    assert {check for check, _ in found} == NEW_CHECKS


def test_the_clean_county_has_no_register_findings(tmp_path, rulebook):
    store = open_store(tmp_path / "clean.db")
    for name in ROSTER:
        assert import_file(store, EXAMPLES / name, rulebook=rulebook, today=TODAY).committed
    assert _findings(store, rulebook) == []
    store.close()
