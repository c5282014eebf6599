"""The workflow at the hub: every transition, due dates, interim replies, overdue escalation, reopening from
the kiosk, what the kiosk is told, and the inbox's filters, search, sort and paging."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.clock import CHINA
from kiosk.hub import cases
from kiosk.hub.accounts import User
from kiosk.hub.workflow import WorkflowError
from kiosk.link.signing import sign
from tests.helpers.hub import START, complaint_payload

SUPERVISOR = User("jiwei", "supervisor", None)
HANDLER = User("minzheng", "handler", "县民政局")
AUDITOR = User("shenji", "auditor", None)


def act(office, complaint, action, user=SUPERVISOR, **form):  # type: ignore[no-untyped-def]
    return cases.act(office.store, complaint, user, action, form, office.clock.now)


def kiosk_view(office, number):  # type: ignore[no-untyped-def]
    return cases.kiosk_status(office.store, "kiosk-1", complaint_payload(number)["uuid"])


def test_from_arrival_to_an_answer_the_villager_reads(office):
    complaint = office.file(1, category="not_received")
    assert kiosk_view(office, 1)["status_words"] == "纪检监察部门已收到，正在安排办理"
    assert act(office, complaint, "assign", department="县民政局") == "assigned"
    stored = office.store.complaint_by_id(complaint)
    assert stored["due_at"] == START + dt.timedelta(days=15)  # the category's time limit
    assert kiosk_view(office, 1)["status_words"] == "已交县民政局办理，2026年11月17日前答复您"
    office.clock.advance(days=2)
    assert act(office, complaint, "verify", HANDLER) == "verifying"
    assert kiosk_view(office, 1)["status_words"] == "县民政局正在核实"
    act(office, complaint, "interim", HANDLER, reply="需要向银行调取流水，12月1日前答复", due="2026-12-01")
    assert office.store.complaint_by_id(complaint)["due_at"].astimezone(CHINA).date() == dt.date(2026, 12, 1)
    office.clock.advance(days=3)
    assert (
        act(
            office,
            complaint,
            "answer",
            HANDLER,
            outcome="resolved",
            reply="经核实，2025年3月养老金漏发，已于11月补发123元。",
        )
        == "answered"
    )
    seen = kiosk_view(office, 1)
    assert seen["status"] == "answered" and seen["may_reopen"] and seen["outcome"] == "resolved"
    assert [(r["kind"], r["text"][:4]) for r in seen["replies"]] == [
        ("interim", "需要向银"),
        ("answer", "经核实，"),
    ]
    assert act(office, complaint, "close") == "closed"
    final = office.store.complaint_by_id(complaint)
    assert final["first_answer_at"] == START + dt.timedelta(days=5) and final["closed_at"] is not None
    history = cases.case(office.store, complaint, SUPERVISOR)["events"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in history] == [
        ("assign", "received", "assigned"),
        ("verify", "assigned", "verifying"),
        ("interim", "verifying", "verifying"),
        ("answer", "verifying", "answered"),
        ("close", "answered", "closed"),
    ]


@pytest.mark.parametrize(
    ("status_steps", "action"),
    [
        ([], "verify"),
        ([], "answer"),
        ([], "close"),
        ([], "reopen"),
        (["assign"], "close"),
        (["assign", "verify"], "close"),
        (["assign", "verify"], "verify"),
        (["assign", "verify", "answer"], "answer"),
        (["assign", "verify", "answer", "close"], "assign"),
    ],
)
def test_moves_the_workflow_does_not_allow_are_refused_and_change_nothing(office, status_steps, action):
    complaint = office.file(1)
    forms = {
        "assign": {"department": "县民政局"},
        "answer": {"outcome": "not_upheld", "reply": "不成立，理由……"},
    }
    for step in status_steps:
        act(office, complaint, step, **forms.get(step, {}))
    before = office.store.complaint_by_id(complaint)
    with pytest.raises(WorkflowError):
        act(office, complaint, action, **forms.get(action, {}))
    assert office.store.complaint_by_id(complaint) == before


def test_an_answer_needs_an_outcome_and_words_for_the_villager(office):
    complaint = office.file(1)
    act(office, complaint, "assign", department="县民政局")
    with pytest.raises(WorkflowError, match="核实结果"):
        act(office, complaint, "answer", reply="已处理")
    with pytest.raises(WorkflowError, match="答复"):
        act(office, complaint, "answer", outcome="resolved", reply="  ")
    with pytest.raises(WorkflowError, match="承办部门"):
        act(office, office.file(2), "assign", department="村委会")  # never back to the village


def test_an_interim_reply_extends_the_due_date_by_at_most_thirty_days(office):
    complaint = office.file(1)
    act(office, complaint, "assign", department="县民政局")
    with pytest.raises(WorkflowError, match="最多延长30天"):
        act(office, complaint, "interim", HANDLER, reply="还在查", due="2027-01-30")
    with pytest.raises(WorkflowError, match="新的答复期限"):
        act(office, complaint, "interim", HANDLER, reply="还在查", due="")
    act(office, complaint, "interim", HANDLER, reply="还在查", due="2026-12-15")


def test_a_withdrawn_complaint_is_not_handled(office):
    complaint = office.file(1)
    office.store.withdraw_complaint("kiosk-1", complaint_payload(1)["uuid"], office.clock.now)
    with pytest.raises(WorkflowError, match="撤回"):
        act(office, complaint, "assign", department="县民政局")
    assert kiosk_view(office, 1)["status"] == "withdrawn"


def test_overdue_complaints_are_escalated_once(office):
    office.file(1)
    late_answer = office.file(2, category="impersonated")  # 10 days
    act(office, late_answer, "assign", department="县民政局")
    office.clock.advance(days=3, hours=1)
    assert cases.escalate_overdue(office.store, office.clock.now) == 1  # unassigned for more than 3 days
    office.clock.advance(days=7)
    assert cases.escalate_overdue(office.store, office.clock.now) == 1  # the 10 days are up
    assert cases.escalate_overdue(office.store, office.clock.now) == 0
    rows, total = cases.inbox(office.store, cases.InboxQuery(overdue=True), SUPERVISOR, office.clock.now)
    assert total == 2 and all(row["overdue"] for row in rows)
    events = cases.case(office.store, late_answer, SUPERVISOR)["events"]
    assert events[-1]["action"] == "escalate" and "督办" in events[-1]["note"]
    act(office, late_answer, "interim", HANDLER, reply="请再等一周", due="2026-11-25")
    assert office.store.complaint_by_id(late_answer)["escalated_at"] is None
    _, total = cases.inbox(office.store, cases.InboxQuery(overdue=True), SUPERVISOR, office.clock.now)
    assert total == 1


def test_the_villager_reopens_from_the_kiosk_once_per_request(office):
    complaint = office.file(1)
    client = office.client()
    secret = office.store.register_kiosk("kiosk-1", office.clock.now)
    uuid = complaint_payload(1)["uuid"]

    def reopen(request_id: str):  # type: ignore[no-untyped-def]
        path = f"/api/v1/complaints/{uuid}/reopening"
        body = (f'{{"request_id": "{request_id}", "reason": "钱还是没到"}}').encode()
        headers = {
            "Content-Type": "application/json",
            **sign(kiosk_id="kiosk-1", secret=secret, method="POST", path=path, body=body),
        }
        return client.post(path, data=body, headers=headers)

    assert reopen("11111111-aaaa").status_code == 409  # nothing answered yet
    act(office, complaint, "assign", department="县民政局")
    act(office, complaint, "answer", HANDLER, outcome="not_upheld", reply="经核实已足额发放")
    office.clock.advance(days=20)
    first = reopen("22222222-bbbb")
    assert first.status_code == 200 and first.json["status"] == "assigned"
    assert reopen("22222222-bbbb").status_code == 200  # a replayed request reopens nothing more
    stored = office.store.complaint_by_id(complaint)
    assert stored["reopened"] == 1 and stored["outcome"] is None
    assert stored["due_at"] == office.clock.now + dt.timedelta(days=15)
    assert kiosk_view(office, 1)["may_reopen"] is False


def test_the_inbox_filters_searches_sorts_and_pages(office):
    for number in range(1, 61):
        category = ("not_received", "wrong_amount", "impersonated")[number % 3]
        office.file(number, category=category, programme="dibao" if number <= 20 else "pension_basic")
        office.clock.advance(hours=1)
    for complaint in range(1, 11):
        act(office, complaint, "assign", department="县民政局")
    now = office.clock.now

    def count(**filters) -> int:  # type: ignore[no-untyped-def]
        return cases.inbox(office.store, cases.InboxQuery(**filters), SUPERVISOR, now)[1]

    assert count() == 60
    assert count(programme="dibao") == 20
    assert count(category="impersonated") == 20
    assert count(status="assigned") == 10 and count(status="received") == 50
    assert count(department="县民政局") == 10
    assert count(text="K7QM00042") == 1 and count(text="养老金") == 60 and count(text="100%") == 0
    assert count(kiosk="kiosk-1") == 60 and count(kiosk="kiosk-2") == 0
    day = (START + dt.timedelta(hours=30)).astimezone(CHINA).date()
    assert 0 < count(received_from=day) < 60
    assert count(received_from=day) + count(received_to=day - dt.timedelta(days=1)) == 60
    pages = [
        cases.inbox(office.store, cases.InboxQuery(per_page=25, page=p), SUPERVISOR, now)[0]
        for p in (1, 2, 3)
    ]
    assert [len(p) for p in pages] == [25, 25, 10]
    assert len({row["id"] for page in pages for row in page}) == 60
    newest = pages[0][0]["received_at"]
    oldest = cases.inbox(office.store, cases.InboxQuery(sort="received_asc"), SUPERVISOR, now)[0][0][
        "received_at"
    ]
    assert newest > oldest
    due_first = cases.inbox(office.store, cases.InboxQuery(sort="due_asc"), SUPERVISOR, now)[0][0]
    assert due_first["due_at"] is not None


def test_the_auditor_reads_but_changes_nothing(office):
    complaint = office.file(1)
    assert cases.case(office.store, complaint, AUDITOR) is not None
    with pytest.raises(WorkflowError, match="角色"):
        act(office, complaint, "assign", AUDITOR, department="县民政局")
    assert ("shenji", "assign", f"complaint {complaint}") in [
        (e["actor"], e["action"], e["subject"]) for e in office.store.audit_entries()
    ]


def test_a_complaint_filed_with_a_helper_says_who_helped(office):
    helped = office.file(7, assisted_by="王芳（卫生院工作人员）")
    alone = office.file(8)
    supervisor = office.sign_in("jiwei")
    page = supervisor.get(f"/office/complaints/{helped}").get_data(as_text=True)
    assert 'id="assisted-by"' in page and "王芳（卫生院工作人员）" in page
    assert 'id="assisted-by"' not in supervisor.get(f"/office/complaints/{alone}").get_data(as_text=True)
