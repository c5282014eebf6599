"""属实已解决 needs proof: an answer promising a payment names its batch or date and waits as 待核销; it cannot
be closed by hand, stays pending while the published ledger lacks the payment, and closes when a later
publication shows it — and the kiosk is told the same state at each step."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.core.complaint import person_key
from kiosk.hub import cases
from kiosk.hub.accounts import User
from kiosk.hub.confirm import confirm_payments
from kiosk.hub.publish import publish
from kiosk.hub.workflow import WorkflowError
from kiosk.imports.loader import import_file
from kiosk.store import open_store
from tests.helpers.county import PAYMENTS, write_csv
from tests.helpers.facts import TODAY
from tests.helpers.hub import complaint_payload

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SUPERVISOR = User("jiwei", "supervisor", None)
ZHANG = "522799195506200023"  # 低保 B in docs/examples; nothing paid for 2025-04
SECRET = "county-secret"


@pytest.fixture
def county(tmp_path, rulebook):  # type: ignore[no-untyped-def]
    store = open_store(tmp_path / "county.db")
    for name in ("villages.csv", "persons.csv", "enrolments.csv", "payments.csv"):
        assert import_file(store, EXAMPLES / name, rulebook=rulebook, today=TODAY).committed
    store.close()
    return tmp_path / "county.db"


def _publish(office, path):  # type: ignore[no-untyped-def]
    source = open_store(path)
    publish(office.store.engine, source, secret=SECRET, source_name=path.name, now=office.clock.now)
    source.close()
    return confirm_payments(office.store, office.clock.now)


def _answered(office, county, **promise):  # type: ignore[no-untyped-def]
    _publish(office, county)
    payload = complaint_payload(1, person_key=person_key(ZHANG, SECRET), programme="dibao")
    payload["period"] = "2025-04"
    payload["evidence"]["periods"] = ["2025-04"]
    office.store.receive_complaint("kiosk-1", payload, office.clock.now)
    case_id = office.store.complaint("kiosk-1", payload["uuid"])["id"]
    cases.act(office.store, case_id, SUPERVISOR, "assign", {"department": "县民政局"}, office.clock.now)
    office.clock.advance(days=1)
    cases.act(
        office.store,
        case_id,
        SUPERVISOR,
        "answer",
        {"outcome": "resolved", "reply": "已核实，将于本月补发4月低保260元", "pays": "yes", **promise},
        office.clock.now,
    )
    return case_id, payload["uuid"]


def _paid(county: Path, tmp_path: Path, rulebook, **row) -> Path:  # type: ignore[no-untyped-def]
    later = tmp_path / "later.db"
    shutil.copy(county, later)
    store = open_store(later)
    fields = {"paid_on": "2026-11-05", "batch": "BF-1", **row}
    path = write_csv(
        tmp_path / "bf.csv",
        PAYMENTS,
        [
            [
                ZHANG,
                "张秀英",
                "dibao",
                "2025-04",
                "260.00",
                fields["paid_on"],
                "6217990100000000012",
                fields["batch"],
            ]
        ],
    )
    assert import_file(store, path, rulebook=rulebook, today=TODAY).committed
    store.close()
    return later


def test_a_promised_payment_waits_for_the_ledger_then_closes(office, county, tmp_path, rulebook):
    case_id, uuid = _answered(office, county, promised_batch="BF-1")
    shown = cases.case(office.store, case_id, SUPERVISOR)
    assert shown["status"] == "pending_payment" and shown["promised_batch"] == "BF-1"
    told = cases.kiosk_status(office.store, "kiosk-1", uuid)
    assert told["status"] == "pending_payment" and "到账" in told["status_words"]
    with pytest.raises(WorkflowError, match="不能办结"):
        cases.act(office.store, case_id, SUPERVISOR, "close", {}, office.clock.now)
    assert _publish(office, county) == 0  # the same ledger: still waiting
    assert cases.case(office.store, case_id, SUPERVISOR)["status"] == "pending_payment"
    assert _publish(office, _paid(county, tmp_path, rulebook, batch="BF-2")) == 0  # another batch is not it
    assert _publish(office, _paid(county, tmp_path, rulebook)) == 1
    closed = cases.case(office.store, case_id, SUPERVISOR)
    assert closed["status"] == "closed" and closed["confirmed_at"] is not None
    assert "发放明细显示已补发：2025-04 260.00元，2026-11-05 批次BF-1" in closed["events"][-1]["note"]
    assert cases.kiosk_status(office.store, "kiosk-1", uuid)["status_words"] == "已办结"


def test_a_promised_date_is_met_by_a_payment_on_or_before_it(office, county, tmp_path, rulebook):
    case_id, _ = _answered(office, county, promised_by="2026-11-30")
    assert _publish(office, _paid(county, tmp_path, rulebook, paid_on="2026-11-20", batch="ANY")) == 1
    assert cases.case(office.store, case_id, SUPERVISOR)["status"] == "closed"


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"outcome": "resolved", "reply": "r", "pays": "yes"}, "要写明批次号或补发日期"),
        (
            {"outcome": "not_upheld", "reply": "r", "pays": "yes", "promised_batch": "B"},
            "只有“问题属实，已解决”",
        ),
        ({"outcome": "resolved", "reply": "r", "pays": "yes", "promised_by": "明天"}, "补发日期应为日期"),
    ],
)
def test_a_promise_without_what_the_ledger_needs_is_refused(office, county, form, words):
    _publish(office, county)
    payload = complaint_payload(2, person_key=person_key(ZHANG, SECRET), programme="dibao")
    office.store.receive_complaint("kiosk-1", payload, office.clock.now)
    case_id = office.store.complaint("kiosk-1", payload["uuid"])["id"]
    cases.act(office.store, case_id, SUPERVISOR, "assign", {"department": "县民政局"}, office.clock.now)
    with pytest.raises(WorkflowError, match=words):
        cases.act(office.store, case_id, SUPERVISOR, "answer", form, office.clock.now)


def test_an_answer_without_a_promise_stands_as_before(office, county):
    _publish(office, county)
    payload = complaint_payload(3, person_key=person_key(ZHANG, SECRET), programme="dibao")
    office.store.receive_complaint("kiosk-1", payload, office.clock.now)
    case_id = office.store.complaint("kiosk-1", payload["uuid"])["id"]
    cases.act(office.store, case_id, SUPERVISOR, "assign", {"department": "县民政局"}, office.clock.now)
    cases.act(
        office.store, case_id, SUPERVISOR, "answer", {"outcome": "not_upheld", "reply": "r"}, office.clock.now
    )
    assert cases.case(office.store, case_id, SUPERVISOR)["status"] == "answered"
