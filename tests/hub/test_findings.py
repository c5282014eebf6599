"""Findings are cases: publishing a county opens one case per supervision-check finding (once, however often
it is published), each goes through the whole workflow to any outcome with the money recovered, the report
sums that money and counts the new findings, and a complaint about the same person is linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.complaint import FINDING, person_key
from kiosk.hub import cases, report
from kiosk.hub.accounts import User
from kiosk.hub.findings import open_cases
from kiosk.hub.publish import publish
from kiosk.imports.loader import import_file
from kiosk.services.checks import run_checks
from kiosk.store import open_store
from tests.helpers.facts import TODAY
from tests.helpers.hub import complaint_payload

REGISTERS = Path(__file__).resolve().parents[2] / "docs" / "examples" / "registers"
SUPERVISOR = User("jiwei", "supervisor", None)
SECRET = "county-secret"
QIAN = "522799194001021332"  # paid after a registered death


@pytest.fixture
def county(tmp_path, rulebook):  # type: ignore[no-untyped-def]
    store = open_store(tmp_path / "registers.db")
    for path in sorted(
        REGISTERS.glob("*.csv"),
        key=lambda p: (
            ("villages", "persons", "enrolments", "payments").index(p.stem)
            if p.stem in ("villages", "persons", "enrolments", "payments")
            else 9
        ),
    ):
        assert import_file(store, path, rulebook=rulebook, today=TODAY).committed, path.name
    yield store
    store.close()


def _open(office, county, rulebook):  # type: ignore[no-untyped-def]
    """Publish the county with its findings and open them as cases, placed in it, as `kiosk hub --publish`
    does; (findings, what was opened)."""
    findings = run_checks(county, rulebook, today=TODAY)
    done = publish(
        office.store.engine,
        county,
        secret=SECRET,
        source_name="registers.db",
        now=office.clock.now,
        findings=findings,
    )
    codes = {policy.name: code for code, policy in rulebook.policies.items()}
    opened = open_cases(
        office.store,
        findings,
        secret=SECRET,
        codes=codes,
        today=TODAY,
        now=office.clock.now,
        county=done.county,
    )
    return findings, opened


def _finding_cases(office) -> list[dict]:  # type: ignore[no-untyped-def]
    from kiosk.hub.db import complaints

    with office.store.engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(complaints.select().where(complaints.c.category == FINDING)).mappings()
        ]


def test_each_finding_opens_one_case_once(office, county, rulebook):
    findings, opened = _open(office, county, rulebook)
    assert opened.new == len(findings) > 10 and opened.already == 0
    rows = _finding_cases(office)
    assert len(rows) == len(findings) and all(r["status"] == "received" for r in rows)
    death = next(
        r
        for r in rows
        if r["person_key"] == person_key(QIAN, SECRET) and '"registered_death"' in r["payload"]
    )
    assert (
        death["programme"] == "pension_basic" and death["village_code"] == "522799011"
    )  # found on the roster
    codes = {policy.name: code for code, policy in rulebook.policies.items()}
    again = open_cases(office.store, findings, secret=SECRET, codes=codes, today=TODAY, now=office.clock.now)
    assert (again.new, again.already, again.changed) == (0, len(findings), 0)
    assert len(_finding_cases(office)) == len(findings)
    reworded = open_cases(
        office.store, findings[:1], secret=SECRET, codes={}, today=TODAY, now=office.clock.now
    )
    assert reworded.changed == 1 and len(_finding_cases(office)) == len(findings)  # the first case is kept


@pytest.mark.parametrize("outcome", ["data_corrected", "rectified", "passed_on"])
def test_a_finding_goes_through_the_whole_workflow_and_its_money_is_summed(office, county, rulebook, outcome):
    _open(office, county, rulebook)
    case_id = next(r["id"] for r in _finding_cases(office) if '"registered_death"' in r["payload"])
    cases.act(
        office.store,
        case_id,
        SUPERVISOR,
        "assign",
        {"department": "县人力资源和社会保障局"},
        office.clock.now,
    )
    handler = User("rs", "handler", "县人力资源和社会保障局")
    cases.act(office.store, case_id, handler, "verify", {}, office.clock.now)
    office.clock.advance(days=2)
    cases.act(
        office.store,
        case_id,
        handler,
        "answer",
        {"outcome": outcome, "reply": "已停发并追回死亡后冒领的养老金", "recovered": "379.00"},
        office.clock.now,
    )
    cases.act(office.store, case_id, SUPERVISOR, "close", {}, office.clock.now)
    shown = cases.case(office.store, case_id, SUPERVISOR)
    assert shown["status"] == "closed" and shown["outcome"] == outcome and shown["recovered_fen"] == 37900
    figures = report.figures(office.store, report.Month(2026, 11), office.clock.now)
    assert figures["recovered"] == (1, 37900)
    assert dict(figures["findings"])["死亡登记之后仍发放（外部死亡登记）"] == 1


def test_a_bad_recovered_amount_is_refused_in_words(office, county, rulebook):
    _open(office, county, rulebook)
    case_id = _finding_cases(office)[0]["id"]
    cases.act(office.store, case_id, SUPERVISOR, "assign", {"department": "县民政局"}, office.clock.now)
    with pytest.raises(cases.WorkflowError, match="追回金额应为数字"):
        cases.act(
            office.store,
            case_id,
            SUPERVISOR,
            "answer",
            {"outcome": "rectified", "reply": "r", "recovered": "三百"},
            office.clock.now,
        )


def test_a_complaint_about_the_same_person_is_linked_on_the_finding(office, county, rulebook):
    _open(office, county, rulebook)
    office.store.receive_complaint(
        "kiosk-1",
        complaint_payload(1, person_key=person_key(QIAN, SECRET), category="impersonated"),
        office.clock.now,
    )
    case_id = next(r["id"] for r in _finding_cases(office) if '"registered_death"' in r["payload"])
    page = office.sign_in("jiwei").get(f"/office/complaints/{case_id}").get_data(as_text=True)
    assert 'id="finding"' in page and "死亡登记之后仍发放" in page and "县公安局户籍注销（死亡）" in page
    assert "K7QM-0000-1" in page and "同一人" in page  # the villager's complaint, linked


def test_every_finding_is_in_the_published_county_so_its_supervisors_see_it(office, county, rulebook):
    _open(office, county, rulebook)
    county_code = "522799"
    rows = _finding_cases(office)
    about_villages = [r for r in rows if r["person_id"] is None]
    assert about_villages, "the registers hold a finding about a village, not a person"
    assert {(r["county"], r["region"][:6]) for r in rows} == {(county_code, county_code)}
    county_supervisor = User("jiwei", "supervisor", None, county_code)
    assert cases.inbox(office.store, cases.InboxQuery(), county_supervisor, office.clock.now)[1] == len(rows)
    elsewhere = User("jiwei", "supervisor", None, "522701")
    assert cases.inbox(office.store, cases.InboxQuery(), elsewhere, office.clock.now)[1] == 0
