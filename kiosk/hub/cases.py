"""Casework at the hub: the inbox query, the workflow's actions with their history, reopening from a
kiosk, overdue escalation, and the status a kiosk shows the villager. All of its SQL is here.

Each action is one transaction: the complaint's new state, its event, the villager-visible reply (if
any) and the audit entry commit together or not at all. Handlers are scoped to their department in the
query itself, so a complaint of another department is "not found" to them, not "forbidden".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from kiosk.core.bounds import bounded_date, bounded_int
from kiosk.core.clock import CHINA
from kiosk.core.money import AmountError, yuan_to_fen
from kiosk.core.tables import write_table
from kiosk.hub import regions, workflow
from kiosk.hub.accounts import User
from kiosk.hub.db import as_dict, audit, complaint_events, complaints, departments, replies, villages
from kiosk.hub.exports import HEADERS, complaint_row
from kiosk.hub.intake import at_stake
from kiosk.hub.store import HubStore
from kiosk.hub.workflow import WorkflowError

PAGE_SIZES = (25, 50, 100)
SORTS = {
    "received_desc": complaints.c.received_at.desc(),
    "received_asc": complaints.c.received_at.asc(),
    "due_asc": complaints.c.due_at.asc().nulls_last(),
    "status": complaints.c.status.asc(),
}


MAX_PAGE = 100_000  # pages of the inbox: beyond the last there is only an empty page


@dataclass(frozen=True)
class InboxQuery:
    """The inbox's filters, as parsed from the query string (every one optional)."""

    village: str = ""
    county: str = ""  # a 6-digit division code: the complaints about persons of that county
    region: str = ""  # any region's code: the complaints within it
    programme: str = ""
    category: str = ""
    status: str = ""  # one of workflow.STATUSES, or 'withdrawn'
    department: str = ""
    kiosk: str = ""
    text: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    overdue: bool = False
    sort: str = "received_desc"
    page: int = 1
    per_page: int = 50
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> InboxQuery:  # type: ignore[no-untyped-def]
        def day(name: str) -> dt.date | None:
            return bounded_date(args.get(name, ""))

        def number(name: str, default: int) -> int:
            return bounded_int(args.get(name, default), default, 1, MAX_PAGE)

        per_page = number("per_page", 50)
        return cls(
            village=args.get("village", "")[:32],
            county=args.get("county", "")[:6],
            region=_region_arg(args.get("region", "")),
            programme=args.get("programme", "")[:32],
            category=args.get("category", "")[:32],
            status=args.get("status", "")[:16],
            department=args.get("department", "")[:64],
            kiosk=args.get("kiosk", "")[:64],
            text=args.get("q", "").strip()[:100],
            received_from=day("from"),
            received_to=day("to"),
            overdue=args.get("overdue") == "1",
            sort=args.get("sort", "") if args.get("sort") in SORTS else "received_desc",
            page=number("page", 1),
            per_page=per_page if per_page in PAGE_SIZES else 50,
        )

    def as_args(self, **changes: object) -> dict[str, str]:
        """The query string for this query with `changes` (links to other pages and sorts, exports)."""
        values = {
            "village": self.village,
            "county": self.county,
            "region": self.region,
            "programme": self.programme,
            "category": self.category,
            "status": self.status,
            "department": self.department,
            "kiosk": self.kiosk,
            "q": self.text,
            "from": self.received_from.isoformat() if self.received_from else "",
            "to": self.received_to.isoformat() if self.received_to else "",
            "overdue": "1" if self.overdue else "",
            "sort": self.sort,
            "page": str(self.page),
            "per_page": str(self.per_page),
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}


def _region_arg(text: str) -> str:
    try:
        return regions.normalize(text[:12])
    except regions.RegionError:
        return ""


def overdue(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Complaints past their time: unassigned beyond the assignment limit, or unanswered past their due date."""
    c = complaints.c
    return sa.and_(
        c.withdrawn_at.is_(None),
        sa.or_(
            sa.and_(c.status == "received", c.received_at < now - workflow.ASSIGN_WITHIN),
            sa.and_(c.status.in_(("assigned", "verifying")), c.due_at < now),
        ),
    )


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """The complaints `user` may see at all: within their region, and for a handler their department's."""
    where = regions.within(user.region, complaints.c.region, complaints.c.county)
    if user.may("view_all"):
        return where
    if user.may("view_department") and user.department:
        return sa.and_(where, complaints.c.department == user.department)
    return sa.false()


def filters(query: InboxQuery, user: User, now: dt.datetime) -> list:
    """The WHERE clauses of `query` within what `user` may see (the inbox, its exports and groupings)."""
    c = complaints.c
    clauses = [visible_to(user)]
    if query.village:
        clauses.append(c.village_code == query.village)
    if query.county:
        clauses.append(c.county == query.county)
    if query.region:
        clauses.append(regions.within(query.region, c.region, c.county))
    if query.programme:
        clauses.append(c.programme == query.programme)
    if query.category:
        clauses.append(c.category == query.category)
    if query.status == "withdrawn":
        clauses.append(c.withdrawn_at.is_not(None))
    elif query.status:
        clauses += [c.status == query.status, c.withdrawn_at.is_(None)]
    if query.department:
        clauses.append(c.department == query.department)
    if query.kiosk:
        clauses.append(c.kiosk_id == query.kiosk)
    if query.text:
        escaped = query.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(c.search_text.ilike(f"%{escaped}%", escape="\\"))
    if query.received_from:
        clauses.append(c.received_at >= _china_midnight(query.received_from))
    if query.received_to:
        clauses.append(c.received_at < _china_midnight(query.received_to + dt.timedelta(days=1)))
    if query.overdue:
        clauses.append(overdue(now))
    return clauses


def _china_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.UTC)


LIST_COLUMNS = (
    complaints.c.id,
    complaints.c.uuid,
    complaints.c.tracking_no,
    complaints.c.kiosk_id,
    complaints.c.received_at,
    complaints.c.withdrawn_at,
    complaints.c.status,
    complaints.c.category,
    complaints.c.programme,
    complaints.c.period,
    complaints.c.village_code,
    complaints.c.department,
    complaints.c.due_at,
    complaints.c.escalated_at,
    complaints.c.outcome,
    complaints.c.reopened,
    complaints.c.payload,
)


def inbox(
    store: HubStore, query: InboxQuery, user: User, now: dt.datetime, *, everything: bool = False
) -> tuple[list[dict], int]:
    """One page of the complaints `user` may see that match `query` (all of them with `everything`), and the
    number that match."""
    where = filters(query, user, now)
    select = (
        sa.select(*LIST_COLUMNS, villages.c.name.label("village_name"))
        .select_from(complaints.outerjoin(villages, villages.c.code == complaints.c.village_code))
        .where(*where)
        .order_by(SORTS[query.sort], complaints.c.id.desc())
    )
    if not everything:
        select = select.limit(query.per_page).offset((query.page - 1) * query.per_page)
    with store.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(complaints).where(*where)).scalar_one()
        rows = [_listed(as_dict(r), now) for r in conn.execute(select).mappings()]  # type: ignore[arg-type]
    return rows, total


def _listed(row: dict, now: dt.datetime) -> dict:
    evidence = json.loads(row.pop("payload")).get("evidence", {})
    row["subject"] = " ".join(str(evidence.get(k, "")) for k in ("programme_name", "period_label")).strip()
    row["evidence"] = evidence
    row["at_stake_fen"] = at_stake(evidence)
    row["overdue"] = workflow.is_overdue(
        status=row["status"],
        withdrawn=row["withdrawn_at"] is not None,
        received_at=row["received_at"],
        due_at=row["due_at"],
        now=now,
    )
    return row


def case(store: HubStore, complaint_id: int, user: User) -> dict | None:
    """One complaint `user` may see, with its payload parsed, history and replies; None otherwise."""
    with store.engine.connect() as conn:
        row = as_dict(
            conn.execute(sa.select(complaints).where(complaints.c.id == complaint_id, visible_to(user)))
            .mappings()
            .first()
        )
        if row is None:
            return None
        row["payload"] = json.loads(row["payload"])
        row["village_name"] = (
            conn.execute(sa.select(villages.c.name).where(villages.c.code == row["village_code"])).scalar()
            if row["village_code"]
            else None
        )
        row["events"] = [
            as_dict(e)
            for e in conn.execute(
                sa.select(complaint_events)
                .where(complaint_events.c.complaint_id == complaint_id)
                .order_by(complaint_events.c.id)
            ).mappings()
        ]
        row["replies"] = [
            as_dict(r)
            for r in conn.execute(
                sa.select(replies).where(replies.c.complaint_id == complaint_id).order_by(replies.c.id)
            ).mappings()
        ]
    return row


def department_names(store: HubStore) -> list[str]:
    with store.engine.connect() as conn:
        return [name for (name,) in conn.execute(sa.select(departments.c.code).order_by(departments.c.code))]


def add_department(store: HubStore, name: str) -> None:
    with store.engine.begin() as conn:
        if conn.execute(sa.select(departments.c.code).where(departments.c.code == name)).first() is None:
            conn.execute(sa.insert(departments).values(code=name, name=name))


def act(
    store: HubStore, complaint_id: int, user: User, action_name: str, form: dict[str, str], now: dt.datetime
) -> str:
    """Take one workflow action on a complaint as `user`; return the new status. WorkflowError when the state,
    the user's rights or the form do not allow it (nothing is written then, but the refusal is audited)."""
    try:
        return _act(store, complaint_id, user, action_name, form, now)
    except WorkflowError as error:
        store.record_audit(
            user.name, action_name, f"complaint {complaint_id}", f"refused: {error.words}", now
        )
        raise


def _act(
    store: HubStore, complaint_id: int, user: User, action_name: str, form: dict[str, str], now: dt.datetime
) -> str:
    with store.engine.begin() as conn:
        row = as_dict(
            conn.execute(
                sa.select(complaints)
                .where(complaints.c.id == complaint_id, visible_to(user))
                .with_for_update()
            )
            .mappings()
            .first()
        )
        if row is None:
            raise WorkflowError("没有这份反映，或不归您办理")
        action = workflow.check(action_name, status=row["status"], withdrawn=row["withdrawn_at"] is not None)
        if not user.may(action.permission):
            raise WorkflowError(f"您的角色不能{action.label}")
        values: dict = {}
        note = form.get("note", "").strip()[:2000]
        reply_text, reply_kind = "", ""
        department = row["department"]
        if action.name == "assign":
            department = form.get("department", "").strip()
            if department not in department_names(store):
                raise WorkflowError("请选择承办部门")
            values = {
                "department": department,
                "assigned_at": now,
                "escalated_at": None,
                "due_at": workflow.due_after_assignment(row["category"], now),
            }
        elif action.name == "interim":
            reply_text, reply_kind = form.get("reply", "").strip()[:2000], "interim"
            if not reply_text:
                raise WorkflowError("请写明给群众的阶段性答复")
            try:
                due = dt.datetime.combine(dt.date.fromisoformat(form.get("due", "")), dt.time(23, 59), CHINA)
            except ValueError:
                raise WorkflowError("请填写新的答复期限") from None
            current = row["due_at"] or now
            if not current < due <= current + workflow.MAX_EXTENSION:
                raise WorkflowError("新的答复期限应晚于原期限，且最多延长30天")
            values = {"due_at": due.astimezone(dt.UTC), "escalated_at": None}
        elif action.name == "answer":
            outcome = form.get("outcome", "")
            reply_text, reply_kind = form.get("reply", "").strip()[:2000], "answer"
            if outcome not in workflow.OUTCOMES:
                raise WorkflowError("请选择核实结果")
            if not reply_text:
                raise WorkflowError("请写明给群众的答复和理由")
            values = {
                "outcome": outcome,
                "answered_at": now,
                "first_answer_at": row["first_answer_at"] or now,
                "recovered_fen": _recovered(form.get("recovered", "")),
                **_promise(outcome, form, row),
            }
        elif action.name == "close":
            values = {"closed_at": now}
        elif action.name == "reopen":
            values = _reopened(row, now)
        to_status = values.pop("status", None) or action.to_status or row["status"]
        conn.execute(
            sa.update(complaints).where(complaints.c.id == complaint_id).values(status=to_status, **values)
        )
        conn.execute(
            sa.insert(complaint_events).values(
                complaint_id=complaint_id,
                at=now,
                actor=user.name,
                action=action.name,
                from_status=row["status"],
                to_status=to_status,
                department=department,
                note=note or reply_text,
            )
        )
        if reply_text:
            conn.execute(
                sa.insert(replies).values(
                    complaint_id=complaint_id, text=reply_text, author=user.name, at=now, kind=reply_kind
                )
            )
        conn.execute(
            sa.insert(audit).values(
                at=now,
                actor=user.name,
                action=action.name,
                subject=f"complaint {complaint_id}",
                outcome=f"ok: {to_status}",
            )
        )
    return to_status


def _promise(outcome: str, form: dict[str, str], row: dict) -> dict:
    """属实已解决 promising a payment (补发): its batch or the day it is paid by, and the case waits for the
    ledger (pending_payment); without a promise the answer stands as given."""
    if form.get("pays", "") != "yes":
        return {"promised_batch": None, "promised_by": None}
    if outcome != "resolved":
        raise WorkflowError("只有“问题属实，已解决”的答复可以承诺补发")
    if not row["programme"] or not row["period"]:
        raise WorkflowError("这份反映没有对应的项目和所属期，无法核对补发")
    batch = form.get("promised_batch", "").strip()[:64]
    by = None
    if form.get("promised_by", "").strip():
        try:
            by = dt.date.fromisoformat(form["promised_by"].strip())
        except ValueError:
            raise WorkflowError("补发日期应为日期，如2026-12-15") from None
    if not batch and by is None:
        raise WorkflowError("承诺补发的答复要写明批次号或补发日期，到账核对后才能办结")
    return {"promised_batch": batch or None, "promised_by": by, "status": "pending_payment"}


def _recovered(text: str) -> int | None:
    """Money recovered (追回金额, yuan), as the answer records it; empty for none."""
    text = text.strip()
    if not text:
        return None
    try:
        fen = yuan_to_fen(text)
    except AmountError:
        raise WorkflowError("追回金额应为数字（元），最多两位小数") from None
    if fen < 0:
        raise WorkflowError("追回金额不能为负数")
    return fen


def _reopened(row: dict, now: dt.datetime) -> dict:
    """Back to the department that answered (due afresh), or to the supervisors if none was assigned."""
    values = {
        "outcome": None,
        "answered_at": None,
        "closed_at": None,
        "escalated_at": None,
        "reopened": row["reopened"] + 1,
    }
    if row["department"]:
        return {
            **values,
            "status": "assigned",
            "assigned_at": now,
            "due_at": workflow.due_after_assignment(row["category"], now),
        }
    return {**values, "status": "received", "due_at": None}


def reopen_from_kiosk(
    store: HubStore, kiosk_id: str, uuid: str, request_id: str, reason: str, now: dt.datetime
) -> str | None:
    """The villager asked again at a kiosk. Idempotent on `request_id`; returns the status, or None if this
    kiosk sent no such complaint. WorkflowError if it is not answered or closed."""
    with store.engine.begin() as conn:
        row = as_dict(
            conn.execute(
                sa.select(complaints)
                .where(complaints.c.kiosk_id == kiosk_id, complaints.c.uuid == uuid)
                .with_for_update()
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        if conn.execute(
            sa.select(complaint_events.c.id).where(complaint_events.c.request_id == request_id)
        ).first():
            return row["status"]  # a replay of a reopening already done
        workflow.check("reopen", status=row["status"], withdrawn=row["withdrawn_at"] is not None)
        values = _reopened(row, now)
        status = values.pop("status")
        conn.execute(
            sa.update(complaints).where(complaints.c.id == row["id"]).values(status=status, **values)
        )
        conn.execute(
            sa.insert(complaint_events).values(
                complaint_id=row["id"],
                at=now,
                actor=f"kiosk:{kiosk_id}",
                action="reopen",
                from_status=row["status"],
                to_status=status,
                department=row["department"],
                note=reason[:500] or "群众在终端上表示不满意，要求重新办理",
                request_id=request_id,
            )
        )
    return status


def escalate_overdue(store: HubStore, now: dt.datetime) -> int:
    """Flag every overdue complaint not yet escalated, with an event the supervisors see; return how many."""
    with store.engine.begin() as conn:
        due = conn.execute(
            sa.select(complaints.c.id, complaints.c.status, complaints.c.department).where(
                overdue(now), complaints.c.escalated_at.is_(None)
            )
        ).all()
        for complaint_id, status, department in due:
            conn.execute(
                sa.update(complaints).where(complaints.c.id == complaint_id).values(escalated_at=now)
            )
            conn.execute(
                sa.insert(complaint_events).values(
                    complaint_id=complaint_id,
                    at=now,
                    actor="system",
                    action="escalate",
                    from_status=status,
                    to_status=status,
                    department=department,
                    note="已超过办理期限，提请纪检监察干部督办",
                )
            )
    return len(due)


def kiosk_status(store: HubStore, kiosk_id: str, uuid: str) -> dict | None:
    """What a kiosk may show the villager about one of its complaints: where it stands and the replies."""
    with store.engine.connect() as conn:
        row = as_dict(
            conn.execute(
                sa.select(complaints).where(complaints.c.kiosk_id == kiosk_id, complaints.c.uuid == uuid)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        answers = [
            {"text": r["text"], "at": r["at"].isoformat(), "kind": r["kind"]}
            for r in conn.execute(
                sa.select(replies).where(replies.c.complaint_id == row["id"]).order_by(replies.c.id)
            ).mappings()
        ]
    withdrawn = row["withdrawn_at"] is not None
    return {
        "uuid": uuid,
        "tracking_no": row["tracking_no"],
        "received_at": row["received_at"].isoformat(),
        "status": "withdrawn" if withdrawn else row["status"],
        "status_words": workflow.villager_words(
            row["status"], withdrawn=withdrawn, department=row["department"], due_at=row["due_at"]
        ),
        "outcome": row["outcome"] or "",
        "due_at": row["due_at"].isoformat() if row["due_at"] and not withdrawn else None,
        "may_reopen": not withdrawn and row["status"] in ("answered", "pending_payment", "closed"),
        "replies": answers,
    }


def replies_of(store: HubStore, complaint_ids: list[int]) -> dict[int, list[str]]:
    """The reply texts of many complaints at once (exports), in order, 1,000 ids per query."""
    found: dict[int, list[str]] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(complaint_ids), 1000):
            chunk = complaint_ids[start : start + 1000]
            for complaint_id, text in conn.execute(
                sa.select(replies.c.complaint_id, replies.c.text)
                .where(replies.c.complaint_id.in_(chunk))
                .order_by(replies.c.id)
            ):
                found.setdefault(complaint_id, []).append(text)
    return found


def export_rows(store: HubStore, query: InboxQuery, user: User, now: dt.datetime) -> list[list[str]]:
    """Every complaint of the filtered inbox (not just one page) as export rows."""
    rows, _ = inbox(store, query, user, now, everything=True)
    answers = replies_of(store, [row["id"] for row in rows])
    return [complaint_row(row, answers.get(row["id"], [])) for row in rows]


def export_complaints(store: HubStore, path: Path | str) -> int:
    """Every complaint to `path` (.xlsx or .csv): `kiosk hub --export` and `kiosk complaints export`."""
    reader = User("cli", "auditor", None)  # the command line reads everything, changes nothing
    return write_table(
        path, HEADERS, export_rows(store, InboxQuery(), reader, dt.datetime.now(dt.UTC)), sheet="群众反映"
    )
