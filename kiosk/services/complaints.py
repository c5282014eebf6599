"""File, withdraw and list a villager's complaints; the complaint and its outbox row commit together.

A complaint is acknowledged ("已提交" and a tracking number) only after the local
COMMIT returns (WAL, synchronous=FULL): what the villager was told exists is on disk.
The complaint's UUID is minted when the review screen is shown, so a double tap on
"提交" files it once. After each commit `on_queued` is called (the kiosk nudges its relay).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.clock import in_china, utc_stamp
from kiosk.core.complaint import (
    CATEGORIES,
    ComplaintError,
    check_phone,
    new_tracking_number,
    reply_words,
    show_tracking_number,
)
from kiosk.core.i18n import N_, Day, Message, Term, say
from kiosk.rules.periods import PeriodError, parse_period
from kiosk.rules.problems import Run, runs_of, span_of
from kiosk.rules.reconcile import Line, ProgrammeLines, Reconciliation, Status
from kiosk.store import Store, TrackingNumberTakenError

WITHDRAW_WINDOW = dt.timedelta(minutes=10)
MAX_PERIODS = 120  # one complaint covers at most ten years of monthly periods


def _rule_sources(programme: str, lines: list[Line]) -> str:
    """Which dated values the lines were computed from: "dibao.toml monthly_by_category@2023-01-01,
    @2025-07-01" — a supervisor finds each with `kiosk rules show dibao --on DATE`."""
    sources = list(dict.fromkeys(line.entitlement.source for line in lines if line.entitlement.source))
    if not sources:
        return ""
    name = sources[0].split("@")[0]
    dates = [source.split("@")[1] for source in sources if source.startswith(name + "@")]
    others = [source for source in sources if not source.startswith(name + "@")]
    return (f"{programme}.toml {name}@" + ", @".join(dates) + "".join(f"; {o}" for o in others))[:200]


def evidence_for(
    reconciliation: Reconciliation, programme: str, period: str, until: str = ""
) -> dict[str, object]:
    """The owed-vs-paid snapshot at filing time for what the complaint is about: the periods of
    `programme` from `period` to `until` (one period when `until` is empty), as one problem with its
    totals and every period in it; the rule version alone when nothing matches."""
    snapshot: dict[str, object] = {
        "rule_version": reconciliation.rule_version,
        "as_of": reconciliation.today.isoformat(),
    }
    if reconciliation.rule_label:
        snapshot["rule_files"] = reconciliation.rule_label[:1000]
    group = next((g for g in reconciliation.programmes if g.code == programme), None)
    if group is None:
        return snapshot
    ordered = sorted(group.lines, key=lambda line: line.period.start_on)
    codes = [line.period.code for line in ordered]
    if period not in codes:
        return snapshot
    first = codes.index(period)
    last = codes.index(until) if until in codes and codes.index(until) >= first else first
    lines = ordered[first : last + 1][:MAX_PERIODS]
    chosen = [line.period.code for line in lines]
    worst, run = _worst_and_run(group, lines)
    snapshot.update(
        {
            "programme_name": group.name,
            "period_label": run.span_zh if len(lines) > 1 else worst.period.label_zh,
            "owed_fen": sum(line.owed_fen for line in lines),
            "paid_fen": sum(line.paid_fen for line in lines),
            "at_stake_fen": run.at_stake_fen,
            "status": worst.status.value,
            "status_label": worst.status.label_zh,
            "explanation": worst.entitlement.explanation,
            "reference": worst.entitlement.reference[:300],
            "rule_source": _rule_sources(programme, lines),
            "verdict": run.sentence_zh if len(lines) > 1 else worst.status_note,
            "periods": chosen,
            "lines": [
                {
                    "period": line.period.code,
                    "owed_fen": line.owed_fen,
                    "paid_fen": line.paid_fen,
                    "status": line.status.value,
                }
                for line in lines
            ],
            "payments": [
                {"amount_fen": p.amount_fen, "paid_on": p.paid_on.isoformat(), "batch": p.batch}
                for line in lines
                for p in line.payments
            ][:400],
        }
    )
    return snapshot


@dataclass(frozen=True)
class Filed:
    uuid: str
    tracking_no: str
    created_at: dt.datetime
    first_time: bool  # False when this uuid had been filed already (a double tap)


def file_complaint(
    *,
    store: Store,
    kiosk_id: str,
    key: str,
    masked_id: str,
    uuid: str,
    category: str,
    programme: str,
    period: str,
    phone: str,
    evidence: dict[str, object],
    now: dt.datetime,
    on_queued: Callable[[], None] = lambda: None,
) -> Filed:
    """Write the complaint and its outbox row in one transaction; return only after COMMIT.

    Raises ComplaintError for an unknown category, a bad phone number or a bad uuid.
    """
    if category not in CATEGORIES:
        raise ComplaintError("category", N_("请选择反映的问题"))
    phone = check_phone(phone)
    try:
        uuid = str(uuidlib.UUID(uuid))
    except ValueError:
        raise ComplaintError("uuid", N_("这份反映已失效，请重新填写")) from None
    existing = store.complaint(uuid)
    if existing is not None:
        return Filed(uuid, existing["tracking_no"], dt.datetime.fromisoformat(existing["created_at"]), False)
    created_at = utc_stamp(now)
    for _ in range(5):  # a tracking number collision is astronomically rare; try another
        complaint = {
            "uuid": uuid,
            "tracking_no": new_tracking_number(),
            "kiosk_id": kiosk_id,
            "person_key": key,
            "masked_id": masked_id,
            "programme": programme,
            "period": period,
            "category": category,
            "phone": phone,
            "evidence": json.dumps(evidence, ensure_ascii=False),
            "created_at": created_at,
        }
        payload = json.dumps({**complaint, "evidence": evidence}, ensure_ascii=False, sort_keys=True)
        try:
            with store.transaction() as tx:
                first = store.insert_complaint(tx, complaint, payload)
        except TrackingNumberTakenError:
            continue
        if not first:  # filed by a concurrent double tap between our check and our insert
            existing = store.complaint(uuid)
            if existing is None:
                raise ComplaintError("lost", N_("提交没有成功，请再试一次"))
            return Filed(
                uuid, existing["tracking_no"], dt.datetime.fromisoformat(existing["created_at"]), False
            )
        on_queued()  # committed: the relay may carry it to the hub at once
        return Filed(uuid, complaint["tracking_no"], dt.datetime.fromisoformat(created_at), True)
    raise ComplaintError("tracking", N_("暂时不能提交，请再试一次"))


def can_withdraw(complaint: dict, now: dt.datetime) -> bool:
    """Within ten minutes, and only while nobody at the hub has acted on it (received is not acting)."""
    created = dt.datetime.fromisoformat(complaint["created_at"])
    untouched = complaint.get("hub_status", "") in ("", "received")
    return complaint["withdrawn_at"] is None and untouched and now - created <= WITHDRAW_WINDOW


ANSWER_TIMES_ZH = N_(
    "纪检监察部门会在3天内分派处理，分派后一般在10至30天内答复；答复期限定下后，下次刷卡可以看到"
)
PAID_BUT_NOT_SEEN_ZH = N_("答复说已补发，但目前的发放记录里还没有这笔钱；数据更新后会显示")


def due_words(complaint: dict) -> str:
    """By when the answer is due, in the villager's words (the hub's date once assigned, else the rule)."""
    due = due_message(complaint)
    return str(due) if isinstance(due, Message) else due


def due_message(complaint: dict) -> Message | str:
    """`due_words` with its date as a part, for any language ('' when answered)."""
    due = complaint.get("hub_due_at")
    if (
        due
        and not complaint.get("withdrawn_at")
        and complaint.get("hub_status") not in ("answered", "pending_payment", "closed")
    ):
        try:
            day = in_china(dt.datetime.fromisoformat(due)).date()
        except ValueError:
            return ANSWER_TIMES_ZH
        return say(N_("应在%(day)s前答复您"), day=Day(day))
    return "" if complaint.get("hub_status") in ("answered", "pending_payment", "closed") else ANSWER_TIMES_ZH


def subject_of(programme: str, evidence: dict) -> Message | None:
    """What a complaint is about, in words for any language: the programme and the span of its periods."""
    name = evidence.get("programme_name")
    if not name:
        return None
    periods = []
    for code in evidence.get("periods") or []:
        try:
            periods.append(parse_period(code))
        except PeriodError:
            continue
    if not periods:
        return say("%(name)s", name=Term(programme, "name", str(name)))
    span = span_of(min(periods), max(periods))
    return say("%(name)s %(span)s", name=Term(programme, "name", str(name)), span=span)


def standing_now(complaint: dict, evidence: dict, reconciliation: Reconciliation | None) -> dict[str, object]:
    """The reconciliation as it stands now for the complaint's periods, beside what was said at filing; and
    the plain sentence when the answer says it was paid but the ledger still shows it short."""
    periods = evidence.get("periods") or ([complaint["period"]] if complaint.get("period") else [])
    group = next(
        (
            g
            for g in (reconciliation.programmes if reconciliation else [])
            if g.code == complaint["programme"]
        ),
        None,
    )
    if group is None or not periods:
        return {}
    lines = [line for line in group.lines if line.period.code in periods]
    if not lines:
        return {}
    owed, paid = sum(line.owed_fen for line in lines), sum(line.paid_fen for line in lines)
    still_short = any(line.status in (Status.SHORT, Status.MISSING) for line in lines)
    answered = (
        complaint.get("hub_status") in ("answered", "pending_payment", "closed")
        and complaint.get("hub_outcome") == "resolved"
    )
    return {
        "now_owed_fen": owed,
        "now_paid_fen": paid,
        "contradiction": PAID_BUT_NOT_SEEN_ZH if answered and still_short else "",
    }


def withdraw_complaint(
    *, store: Store, uuid: str, key: str, now: dt.datetime, on_queued: Callable[[], None] = lambda: None
) -> None:
    """Withdraw within ten minutes, from the same person's card; the withdrawal goes to the outbox too.

    Raises ComplaintError 'not_found', 'too_late' or 'already'.
    """
    complaint = store.complaint(uuid)
    if complaint is None or not hmac.compare_digest(complaint["person_key"], key):
        raise ComplaintError("not_found", N_("找不到这份反映"))
    if complaint["withdrawn_at"] is not None:
        raise ComplaintError("already", N_("这份反映已经撤回了"))
    if complaint.get("hub_status", "") not in ("", "received"):
        raise ComplaintError("too_late", N_("纪检监察部门已经开始处理，不能撤回了；如需补充，请再提交一份"))
    if not can_withdraw(complaint, now):
        raise ComplaintError("too_late", N_("提交超过10分钟，已不能撤回；如需补充，请再提交一份"))
    at = utc_stamp(now)
    payload = json.dumps(
        {"uuid": uuid, "kiosk_id": complaint["kiosk_id"], "withdrawn_at": at}, sort_keys=True
    )
    with store.transaction() as tx:
        store.withdraw_complaint(tx, uuid, at, payload)
    on_queued()


def reopen_complaint(
    *, store: Store, uuid: str, key: str, now: dt.datetime, on_queued: Callable[[], None] = lambda: None
) -> None:
    """The villager is not satisfied with the answer: queue a request to handle it again (same card only)."""
    complaint = store.complaint(uuid)
    if complaint is None or not hmac.compare_digest(complaint["person_key"], key):
        raise ComplaintError("unknown", N_("没有找到这份反映"))
    if not complaint.get("may_reopen"):
        raise ComplaintError("not_answered", N_("这份反映还没有答复，或已经要求重新办理了"))
    at = utc_stamp(now)
    payload = json.dumps(
        {"request_id": str(uuidlib.uuid4()), "reason": "群众在终端上表示不满意，要求重新办理"},
        ensure_ascii=False,
        sort_keys=True,
    )
    with store.transaction() as tx:
        store.request_reopening(tx, uuid, at, payload)
    on_queued()


def complaints_of(*, store: Store, key: str, reconciliation: Reconciliation | None = None) -> list[dict]:
    """The person's complaints, newest first, with words for category and status, the due date, and (given
    the person's reconciliation now) the current figures for the same periods beside the answer."""
    listed = []
    for complaint in store.complaints_of(key):
        words, icon = CATEGORIES.get(complaint["category"], (complaint["category"], ""))
        evidence = json.loads(complaint["evidence"])
        replies = json.loads(complaint.get("replies") or "[]")
        if complaint["withdrawn_at"]:
            status = N_("已撤回")
        elif complaint.get("hub_words"):
            status = complaint["hub_words"]
        elif replies:
            status = N_("已答复")
        elif complaint.get("hub_status"):
            status = N_("纪检监察部门已收到，正在处理")
        else:
            status = N_("已提交，等待纪检监察部门处理")
        listed.append(
            {
                **complaint,
                "category_words": words,
                "category_icon": icon,
                "tracking_shown": show_tracking_number(complaint["tracking_no"]),
                "subject": " ".join(
                    str(evidence[k]) for k in ("programme_name", "period_label") if k in evidence
                ),
                "status_words": status,
                "reply_texts": [r["text"] for r in replies],
                "replies_shown": [(reply_words(r.get("kind")), r["text"]) for r in replies],
                "due_words": due_words(complaint),
                "due": due_message(complaint),
                "subject_message": subject_of(complaint["programme"] or "", evidence),
                "may_withdraw": can_withdraw(complaint, dt.datetime.now(dt.UTC)),
                **standing_now(complaint, evidence, reconciliation),
            }
        )
    return listed


def shown_evidence(reconciliation: Reconciliation, draft: dict) -> dict[str, object]:
    """What the complaint is about, in words for the villager's language, from the same data as the evidence:
    the programme, the span of its periods, the verdict (the evidence itself keeps the Chinese it was filed in)."""
    evidence = draft.get("evidence") or {}
    programme = draft.get("programme", "")
    given = evidence.get("programme_name")
    name: Term | Message = Term(programme, "name", given) if given else say(N_("补贴"))
    named = say("%(name)s", name=name)
    if draft.get("category") == "should_qualify":
        hint = next((h for h in reconciliation.hints if h.programme == programme), None)
        verdict = (hint.why or hint.reason) if hint else N_("系统里没有查到此人的补贴记录")
        return {
            "programme": named,
            "period": None,
            "status": N_("没有记录"),
            "verdict": verdict,
        }
    group = next((g for g in reconciliation.programmes if g.code == programme), None)
    periods = set(evidence.get("periods") or [])
    lines = [line for line in (group.lines if group else []) if line.period.code in periods]
    if group is None or not lines:
        return {"programme": named, "period": None, "status": "", "verdict": ""}
    lines.sort(key=lambda line: line.period.start_on)
    worst, run = _worst_and_run(group, lines)
    if len(lines) == 1:
        return {
            "programme": named,
            "period": worst.period.label,
            "status": worst.status.label_zh,
            "verdict": worst.status_message,
        }
    return {"programme": named, "period": run.span, "status": worst.status.label_zh, "verdict": run.sentence}


def _worst_and_run(group: ProgrammeLines, lines: list[Line]) -> tuple[Line, Run]:
    """Of `lines` (in period order), the first with a problem (else the first), and its run: what the
    evidence and the screens name a complaint by."""
    worst = next((line for line in lines if line.status.is_problem), lines[0])
    runs = runs_of(group, lines)
    return worst, next((r for r in runs if r.status is worst.status), runs[0])
