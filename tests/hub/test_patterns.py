"""The case workspace: money at stake on every case, the village × programme table weighted by money and
cases whose cells open the right cases, reports of one shortfall grouped into one case, and a detail page
that opens on its summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.complaint import person_key
from kiosk.hub.publish import publish
from kiosk.imports.loader import import_file
from kiosk.store import open_store
from tests.helpers.county import ENROLMENTS, PAYMENTS, write_csv
from tests.helpers.facts import TODAY
from tests.helpers.hub import complaint_payload

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SECRET = "county-secret"
ZHANG = "522799195506200023"  # 石桥村, 低保
LI = "522799194401010034"  # 河坝村


@pytest.fixture
def published(office, tmp_path, rulebook):  # type: ignore[no-untyped-def]
    source = open_store(tmp_path / "county.db")
    for name in ("villages.csv", "persons.csv", "enrolments.csv", "payments.csv"):
        assert import_file(source, EXAMPLES / name, rulebook=rulebook, today=TODAY).committed
    approved = write_csv(  # the county's optional cadre columns: who approved the 低保, who paid March
        tmp_path / "approved.csv",
        [*ENROLMENTS, "审批人"],
        [[ZHANG, "dibao", "B", "", "2022-01-01", "", "镇民政办 刘某"]],
    )
    assert import_file(source, approved, rulebook=rulebook, today=TODAY).committed
    paid = write_csv(
        tmp_path / "paid.csv",
        [*PAYMENTS, "经办人", "录入人"],
        [
            [
                ZHANG,
                "张秀英",
                "dibao",
                "2025-06",
                "130.00",
                "2025-06-15",
                "6217990100000000012",
                "D2025-06",
                "村会计 王某",
                "录入员 赵某",
            ],
            [
                LI,
                "李国华",
                "pension_basic",
                "2025-03",
                "123.00",
                "2025-03-12",
                "6217990100000000013",
                "P2025-03",
                "村会计 王某",
                "",
            ],
        ],
    )
    assert import_file(source, paid, rulebook=rulebook, today=TODAY).imported == 2
    publish(office.store.engine, source, secret=SECRET, source_name="county.db", now=office.clock.now)
    source.close()
    for number in range(1, 5):  # one shortfall of 260 reported four times
        payload = complaint_payload(number, person_key=person_key(ZHANG, SECRET), programme="dibao")
        payload["period"] = "2025-06"
        payload["evidence"].update(owed_fen=26000, paid_fen=0, programme_name="农村最低生活保障")
        office.store.receive_complaint("kiosk-1", payload, office.clock.now)
    other = complaint_payload(9, person_key=person_key(LI, SECRET), programme="pension_basic")
    office.store.receive_complaint("kiosk-1", other, office.clock.now)  # owed 123, paid 0
    return office


def test_every_case_carries_its_money_at_stake(published):
    from kiosk.hub.db import complaints

    with published.store.engine.connect() as conn:
        stakes = sorted(
            r[0] for r in conn.execute(complaints.select().with_only_columns(complaints.c.at_stake_fen))
        )
    assert stakes == [12300, 26000, 26000, 26000, 26000]


def test_the_village_by_programme_table_weighs_by_money_and_opens_its_cases(published):
    client = published.sign_in("jiwei")
    page = client.get("/office/patterns").get_data(as_text=True)
    table = page[page.index('id="patterns"') :]
    assert table.index("石桥村") < table.index("河坝村")  # the most money first
    cell = page[page.index('data-cell="522799001|dibao"') :][:300]
    assert "4件 · ¥1,040.00" in cell
    grouped = client.get("/office/grouped?village=522799001&programme=dibao").get_data(as_text=True)
    rows = grouped[grouped.index('id="grouped"') :]
    assert rows.count("<tr data-person") == 1, "four reports of one shortfall: one case"
    assert "<td>4</td><td>0</td><td>¥260.00</td>" in rows and "K7QM-0000-4" in rows
    assert "K7QM-0000-9" not in rows  # 河坝村's case is not in this cell


def test_the_detail_page_opens_on_its_summary(published):
    client = published.sign_in("jiwei")
    case_id = published.store.complaint("kiosk-1", complaint_payload(1)["uuid"])["id"]
    page = client.get(f"/office/complaints/{case_id}").get_data(as_text=True)
    summary = page[page.index('id="case-summary"') :][:600]
    assert page.index('id="case-summary"') < page.index('<div class="columns">')
    assert (
        "石桥村" in summary
        and "农村最低生活保障" in summary
        and "¥260.00" in summary
        and "相关案件 3 件" in summary
    )


def test_cases_by_the_cadre_the_data_names_and_by_batch(published):
    client = published.sign_in("jiwei")
    page = client.get("/office/patterns").get_data(as_text=True)
    approver = page[page.index('id="by-approver"') :][:600]
    assert "镇民政办 刘某</td><td>4</td><td>1</td><td>¥1,040.00" in approver  # four cases, one person
    assert "村会计 王某</td><td>5</td><td>2</td>" in page[page.index('id="by-operator"') :][:600]
    assert "D2025-06</td><td>4</td>" in page[page.index('id="by-batch"') :][:600]
    assert "录入员 赵某</td><td>4</td>" in page[page.index('id="by-entered_by"') :][:600]
    case_id = published.store.complaint("kiosk-1", complaint_payload(1)["uuid"])["id"]
    detail = client.get(f"/office/complaints/{case_id}").get_data(as_text=True)
    summary = detail[detail.index('id="case-summary"') :][:900]
    assert "审批人 <span" in summary and "镇民政办 刘某" in summary and "村会计 王某" in summary
    assert "录入员 赵某" in summary
    same = detail[detail.index('id="same-cadre"') :][:400]
    assert "K7QM-0000-9" in same and "经办人" in same  # 河坝村's case: the same village accountant paid it
