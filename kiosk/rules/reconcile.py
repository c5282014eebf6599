"""Owed vs paid, period by period: the product's heart.

Pure: takes a rulebook, a person's facts and their ledger rows, returns one line
per programme and period with a status a villager understands. Every ledger row
lands in exactly one line; nothing is owed outside an enrolment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from operator import attrgetter

from kiosk.core.i18n import N_, Day, Message, Yuan, say
from kiosk.rules import Entitlement, Hint, Period, PersonFacts, Rulebook, periods_between
from kiosk.rules.programmes import owed as explained

_PERIOD_ORDER = attrgetter("start_on", "kind")  # C-level sort key; dataclass __lt__ builds tuples


class Status(StrEnum):
    """How a period's payment compares with what was owed."""

    PAID_IN_FULL = "paid_in_full"
    PAID_LATE = "paid_late"
    SHORT = "short"
    MISSING = "missing"
    OVERPAID = "overpaid"
    PAID_AFTER_DEATH = "paid_after_death"
    PAID_WITHOUT_ENTITLEMENT = "paid_without_entitlement"
    NOT_YET_DUE = "not_yet_due"
    ARREARS_PENDING = "arrears_pending"  # paid at the old standard; the raised one's back-pay is not due yet
    PAID_TO_HEAD = "paid_to_head"  # a member's share of a household payment, which the head receives

    @property
    def label_zh(self) -> str:
        return _LABELS[self][0]

    @property
    def icon(self) -> str:
        return _LABELS[self][1]

    @property
    def is_problem(self) -> bool:
        return self not in (
            Status.PAID_IN_FULL,
            Status.NOT_YET_DUE,
            Status.ARREARS_PENDING,
            Status.PAID_TO_HEAD,
        )


_LABELS = {
    Status.PAID_IN_FULL: (N_("足额发放"), "✔"),
    Status.PAID_LATE: (N_("延迟发放"), "⏱"),
    Status.SHORT: (N_("少发"), "▼"),
    Status.MISSING: (N_("未发放"), "✖"),
    Status.OVERPAID: (N_("多发"), "▲"),
    Status.PAID_AFTER_DEATH: (N_("去世后仍发放"), "⚠"),
    Status.PAID_WITHOUT_ENTITLEMENT: (N_("无资格却发放"), "⚠"),
    Status.NOT_YET_DUE: (N_("未到发放时间"), "…"),
    Status.ARREARS_PENDING: (N_("标准已调整，差额待补发"), "…"),
    Status.PAID_TO_HEAD: (N_("由户主领取"), "⌂"),
}


@dataclass(frozen=True, slots=True)
class Payment:
    """One row of the disbursement ledger."""

    programme: str
    period: Period
    amount_fen: int
    paid_on: dt.date
    account: str = ""
    batch: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    """One programme and period: what was owed, what was paid, and the verdict."""

    programme: str
    period: Period
    entitlement: Entitlement
    payments: tuple[Payment, ...]
    due_on: dt.date
    status: Status
    death_on: dt.date | None = None

    @property
    def status_note(self) -> str:
        """The verdict in plain words, made only for the lines a screen shows."""
        return str(describe_message(self))

    @property
    def status_message(self) -> Message:
        return describe_message(self)

    @property
    def corrections(self) -> list[Message]:
        """Reversals and later batches for the period, if there were any."""
        reversed_fen = -sum(p.amount_fen for p in self.payments if p.amount_fen < 0)
        positive = [p for p in self.payments if p.amount_fen > 0]
        notes = []
        if reversed_fen:
            notes.append(say(N_("其中有冲正（退回）%(amount)s元，已从实发中扣除"), amount=Yuan(reversed_fen)))
        if len(positive) > 1 and self.status is not Status.OVERPAID:
            notes.append(say(N_("分%(count)s次发放，后面的批次是补发"), count=len(positive)))
        return notes

    @property
    def corrections_note(self) -> str:
        return "；".join(str(note) for note in self.corrections)

    def payment_label(self, payment: Payment) -> str:
        """'冲正' for a reversal, '补发' for a later positive batch (or '重复' when the period is overpaid)."""
        if payment.amount_fen < 0:
            return N_("冲正")
        positive = [p for p in self.payments if p.amount_fen > 0]
        if positive and payment is not positive[0]:
            return N_("重复") if self.status is Status.OVERPAID else N_("补发")
        return N_("发放")

    @property
    def owed_fen(self) -> int:
        return self.entitlement.amount_fen

    @property
    def paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.payments)

    @property
    def difference_fen(self) -> int:
        """Paid minus owed: negative when the person received too little."""
        return self.paid_fen - self.owed_fen


@dataclass(frozen=True, slots=True)
class Totals:
    owed_fen: int = 0
    paid_fen: int = 0

    @property
    def difference_fen(self) -> int:
        return self.paid_fen - self.owed_fen


@dataclass
class ProgrammeLines:
    code: str
    name: str
    department: str
    lines: list[Line] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(1 for line in self.lines if line.status.is_problem)


@dataclass
class Reconciliation:
    """Everything the villager's screens show for one person."""

    programmes: list[ProgrammeLines]
    hints: list[Hint]
    rule_version: str
    today: dt.date
    rule_label: str = ""  # the files and the dates of their values in force (Rulebook.version_label)

    @property
    def lines(self) -> list[Line]:
        return [line for programme in self.programmes for line in programme.lines]

    def totals(self, year: int, *, include_not_yet_due: bool = False) -> Totals:
        """Sum owed and paid over the year's lines (by default only those already due)."""
        owed = paid = 0
        for line in self.lines:
            if line.period.year != year:
                continue
            if line.status is Status.NOT_YET_DUE and not include_not_yet_due:
                continue
            owed += line.owed_fen
            paid += line.paid_fen
        return Totals(owed, paid)

    def problems_in(self, year: int) -> int:
        """Count the year's lines whose status needs checking."""
        return sum(1 for line in self.lines if line.period.year == year and line.status.is_problem)

    def years(self) -> list[int]:
        return sorted({line.period.year for line in self.lines}, reverse=True)


def judge(
    entitlement: Entitlement,
    payments: tuple[Payment, ...],
    facts: PersonFacts,
    period: Period,
    due_on: dt.date,
    today: dt.date,
) -> Status:
    """Return the status of one period."""
    owed = entitlement.amount_fen
    paid = sum(p.amount_fen for p in payments)
    if owed == 0:
        if facts.death_on is not None and facts.death_on < period.start_on:
            return Status.PAID_AFTER_DEATH
        if paid == 0:
            return Status.PAID_TO_HEAD if entitlement.to_head else Status.PAID_IN_FULL
        return Status.PAID_WITHOUT_ENTITLEMENT
    if paid < owed and today <= due_on:
        return Status.NOT_YET_DUE
    if paid <= 0:
        return Status.MISSING
    if paid < owed:
        backpay = entitlement.backpay
        if backpay is not None and paid >= backpay[0] and today <= backpay[2]:
            return Status.ARREARS_PENDING
        return Status.SHORT
    if paid > owed:
        return Status.OVERPAID
    return Status.PAID_LATE if max(p.paid_on for p in payments) > due_on else Status.PAID_IN_FULL


def describe(line: Line) -> str:
    """Say in one line of plain words how the period's payment compares with what was owed."""
    return str(describe_message(line))


def describe_message(line: Line) -> Message:
    """`describe`, with its parts, for any language."""
    owed, paid = line.owed_fen, line.paid_fen
    status = line.status
    if status is Status.PAID_AFTER_DEATH:
        return say(N_("本人已于%(day)s去世，此期仍发放%(paid)s元"), day=Day(line.death_on), paid=Yuan(paid))  # type: ignore[arg-type]
    if status is Status.PAID_WITHOUT_ENTITLEMENT:
        why = line.entitlement.message or say("%(why)s", why=line.entitlement.explanation)
        return say(N_("此期不应发放（%(why)s），却发放%(paid)s元"), why=why, paid=Yuan(paid))
    if status is Status.PAID_TO_HEAD:
        return line.entitlement.message or say("%(why)s", why=line.entitlement.explanation)
    if status is Status.NOT_YET_DUE:
        return say(N_("应发%(owed)s元，%(day)s前发放"), owed=Yuan(owed), day=Day(line.due_on))
    if status is Status.MISSING:
        return say(N_("应发%(owed)s元，至今未收到"), owed=Yuan(owed))
    if status is Status.ARREARS_PENDING and line.entitlement.backpay is not None:
        _, decided_on, backpay_by = line.entitlement.backpay
        return say(
            N_("已按原标准发放%(paid)s元；%(decided)s决定提高标准，差额%(short)s元应在%(by)s前补发"),
            paid=Yuan(paid),
            decided=Day(decided_on),
            short=Yuan(owed - paid),
            by=Day(backpay_by),
        )
    if status is Status.SHORT:
        return say(
            N_("应发%(owed)s元，实发%(paid)s元，少发%(short)s元"),
            owed=Yuan(owed),
            paid=Yuan(paid),
            short=Yuan(owed - paid),
        )
    if status is Status.OVERPAID:
        if len(line.payments) > 1:
            return say(
                N_("应发%(owed)s元，实发%(paid)s元（共%(count)s笔），多发%(over)s元"),
                owed=Yuan(owed),
                paid=Yuan(paid),
                count=len(line.payments),
                over=Yuan(paid - owed),
            )
        return say(
            N_("应发%(owed)s元，实发%(paid)s元，多发%(over)s元"),
            owed=Yuan(owed),
            paid=Yuan(paid),
            over=Yuan(paid - owed),
        )
    if owed == 0:
        return say(N_("发放后已冲正，净额0.00元"))
    last_paid_on = max(p.paid_on for p in line.payments)
    if status is Status.PAID_LATE:
        return say(
            N_("应在%(due)s前发放，实际%(paid_on)s才发放"), due=Day(line.due_on), paid_on=Day(last_paid_on)
        )
    return say(N_("应发%(owed)s元，已于%(paid_on)s足额发放"), owed=Yuan(owed), paid_on=Day(last_paid_on))


def reconcile(
    rulebook: Rulebook, facts: PersonFacts, payments: Iterable[Payment], *, since_on: dt.date, today: dt.date
) -> Reconciliation:
    """Compare owed with paid for every programme and period from `since_on` to today.

    Payments for periods before `since_on` are left out; every other payment is
    counted in exactly one line, even for a programme or period nothing was owed for.
    """
    paid_by_code: dict[str, dict[Period, list[Payment]]] = defaultdict(lambda: defaultdict(list))
    for payment in payments:
        if payment.period.end_on >= since_on:
            paid_by_code[payment.programme][payment.period].append(payment)
    enrolled = {code for code in rulebook.codes if rulebook.takes_part(code, facts)}

    programmes: list[ProgrammeLines] = []
    unknown = sorted(code for code in paid_by_code if code not in rulebook.policies)
    for code in [*rulebook.codes, *unknown]:
        paid = paid_by_code.get(code, {})
        policy = rulebook.policies.get(code)
        if policy is not None and code in enrolled:
            periods = set(periods_between(policy.period_kind, since_on, today)).union(paid)
        elif paid:
            periods = set(paid)
        else:
            continue
        group = ProgrammeLines(code, policy.name if policy else code, policy.department if policy else "")
        for period in sorted(periods, key=_PERIOD_ORDER):
            found = paid.get(period, ())
            if len(found) > 1:
                found = sorted(found, key=lambda p: p.paid_on)
            if policy is None:
                entitlement = explained(0, say(N_("未知补贴项目")))
                due_on = period.end_on
            else:
                entitlement = rulebook.owed(code, facts, period)
                due_on = rulebook.due_on(code, period)
            if entitlement.amount_fen == 0 and not found and not entitlement.to_head:
                continue
            if policy is not None and period.start_on > today and not found:
                continue
            received = tuple(found)
            status = judge(entitlement, received, facts, period, due_on, today)
            group.lines.append(Line(code, period, entitlement, received, due_on, status, facts.death_on))
        if group.lines:
            programmes.append(group)
    return Reconciliation(
        programmes, rulebook.hints(facts, today), rulebook.version, today, rulebook.version_label(today)
    )
