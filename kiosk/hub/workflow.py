"""The life of a complaint at the hub, as pure rules: states, who may move it where, and when it is due.

received → assigned (to a department, due by the category's time limit) → verifying → answered
(resolved or not upheld, with a reason the villager reads) → closed. An answer of "resolved" that
promises a payment names its batch or the date it is paid by, and waits as pending_payment (待核销) until
a later publication's ledger shows that payment (kiosk.hub.confirm), which closes it. A supervisor may reassign; a
handler may send an interim reply that extends the due date once it cannot be met; the villager may
reopen an answered or closed complaint from the kiosk. A complaint reaches `closed` only from
`answered`, so none is closed without an answer the villager sees.

Time limits are shorter than the 60 days of the 信访工作条例 (2022) art. 32 because these complaints are
about money already owed: the county can set its own in `TIME_LIMIT_DAYS`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.core.clock import CHINA

STATUSES = ("received", "assigned", "verifying", "answered", "pending_payment", "closed")
STATUS_NAMES = {
    "received": "待分派",
    "assigned": "已分派",
    "verifying": "核实中",
    "answered": "已答复",
    "pending_payment": "已答复，待核销",
    "closed": "已办结",
}
OUTCOMES = {
    "resolved": "问题属实，已解决",
    "not_upheld": "经核实，问题不成立",
    # what a supervision finding (or a complaint) can also come to, as Haidong's system recorded it
    "data_corrected": "数据有误，已更正",
    "rectified": "问题属实，已整改",
    "passed_on": "作为问题线索移送纪检监察",
}

# Days from assignment to the answer, per category; and from arrival to assignment.
TIME_LIMIT_DAYS = {
    "not_received": 15,
    "wrong_amount": 15,
    "removed": 20,
    "impersonated": 10,
    "should_qualify": 30,
    "other": 30,
    "disclosure_objection": 20,
    "check_finding": 30,
}
ASSIGN_WITHIN = dt.timedelta(days=3)
MAX_EXTENSION = dt.timedelta(days=30)


class WorkflowError(ValueError):
    """An action not allowed in the complaint's state, or missing what it needs; `words` are for the screen."""

    def __init__(self, words: str) -> None:
        super().__init__(words)
        self.words = words


@dataclass(frozen=True)
class Action:
    name: str
    permission: str
    from_statuses: tuple[str, ...]
    to_status: str | None  # None: the status stays (an interim reply)
    label: str


ACTIONS = {
    action.name: action
    for action in (
        Action("assign", "assign", ("received", "assigned", "verifying"), "assigned", "分派给部门"),
        Action("verify", "handle", ("assigned",), "verifying", "开始核实"),
        Action("interim", "handle", ("assigned", "verifying"), None, "阶段性答复（延期）"),
        Action("answer", "handle", ("assigned", "verifying"), "answered", "答复群众"),
        Action("close", "close", ("answered",), "closed", "办结"),
        Action("reopen", "reopen", ("answered", "pending_payment", "closed"), "assigned", "重新办理"),
    )
}


def time_limit(category: str) -> dt.timedelta:
    return dt.timedelta(days=TIME_LIMIT_DAYS.get(category, 30))


def due_after_assignment(category: str, at: dt.datetime) -> dt.datetime:
    """The answer is due this long after assignment (or reassignment, or reopening)."""
    return at + time_limit(category)


def check(action_name: str, *, status: str, withdrawn: bool) -> Action:
    """The action, if it may be taken from `status`; WorkflowError otherwise."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise WorkflowError("没有这个操作")
    if withdrawn:
        raise WorkflowError("群众已撤回这份反映，不需再办理")
    if status not in action.from_statuses:
        raise WorkflowError(f"“{STATUS_NAMES.get(status, status)}”的反映不能{action.label}")
    return action


def is_overdue(
    *, status: str, withdrawn: bool, received_at: dt.datetime, due_at: dt.datetime | None, now: dt.datetime
) -> bool:
    """Not answered in time: unassigned past ASSIGN_WITHIN, or assigned/verifying past its due date.

    >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    >>> is_overdue(status="received", withdrawn=False, received_at=t, due_at=None, now=t + dt.timedelta(days=4))
    True
    >>> is_overdue(status="answered", withdrawn=False, received_at=t, due_at=t, now=t + dt.timedelta(days=40))
    False
    """
    if withdrawn or status in ("answered", "pending_payment", "closed"):
        return False
    if status == "received":
        return now > received_at + ASSIGN_WITHIN
    return due_at is not None and now > due_at


def villager_words(
    status: str, *, withdrawn: bool, department: str | None, due_at: dt.datetime | None
) -> str:
    """How the kiosk's 我的反映 says where a complaint stands."""
    if withdrawn:
        return "已撤回"
    if status == "received":
        return "纪检监察部门已收到，正在安排办理"
    if status == "assigned":
        due = f"，{due_at.astimezone(CHINA):%Y年%m月%d日}前答复您" if due_at else ""
        return f"已交{department or '有关部门'}办理{due}"
    if status == "verifying":
        return f"{department or '有关部门'}正在核实"
    if status == "answered":
        return "已答复"
    if status == "pending_payment":
        return "已答复：补发的钱到账、核对无误后办结"
    return "已办结"
