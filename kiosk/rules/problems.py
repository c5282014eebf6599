"""What is wrong, in runs rather than months: the sentences a villager reads first.

Consecutive periods of one programme with the same verdict form a run ("2025年3月至8月 低保少发，
共¥440.00"). The summary opens on the problem runs of every year shown, the most money first; a
programme's page shows its problem runs with their totals and folds the runs that are fine. One
complaint covers one run, every period in it. Pure: lines in, runs and words out.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.i18n import N_, Message, Month, Term, Yuan, say
from kiosk.rules.periods import Period
from kiosk.rules.reconcile import Line, ProgrammeLines, Reconciliation, Status

# How a problem reads after the programme's name, and whether its money is owed to or by the person.
_WORDS = {
    Status.SHORT: N_("少发"),
    Status.MISSING: N_("未发放"),
    Status.OVERPAID: N_("多发"),
    Status.PAID_LATE: N_("延迟发放"),
    Status.PAID_AFTER_DEATH: N_("去世后仍发放"),
    Status.PAID_WITHOUT_ENTITLEMENT: N_("无登记资格却发放"),
}
_CHECK = (Status.PAID_AFTER_DEATH, Status.PAID_WITHOUT_ENTITLEMENT, Status.OVERPAID)  # "（请核实）"


@dataclass(frozen=True)
class Run:
    """Consecutive periods of one programme with one verdict."""

    programme: str
    name: str
    status: Status
    lines: tuple[Line, ...]
    ongoing: bool  # it reaches the programme's latest period that is due

    @property
    def first(self) -> Period:
        return self.lines[0].period

    @property
    def last(self) -> Period:
        return self.lines[-1].period

    @property
    def periods(self) -> list[str]:
        return [line.period.code for line in self.lines]

    @property
    def owed_fen(self) -> int:
        return sum(line.owed_fen for line in self.lines)

    @property
    def paid_fen(self) -> int:
        return sum(line.paid_fen for line in self.lines)

    @property
    def at_stake_fen(self) -> int:
        """The money in question: what is missing, or what was paid that should not have been."""
        if self.status in (Status.PAID_AFTER_DEATH, Status.PAID_WITHOUT_ENTITLEMENT):
            return self.paid_fen
        return abs(self.paid_fen - self.owed_fen)

    @property
    def span(self) -> Message:
        """'2025年3月至8月', '2024年11月至2025年2月', '2025年3月', or '2024年6月起' while ongoing."""
        if self.ongoing and len(self.lines) > 1:
            return say(N_("%(first)s起"), first=self.first.label)
        return span_of(self.first, self.last)

    @property
    def span_zh(self) -> str:
        return str(self.span)

    @property
    def each(self) -> Message | None:
        """'每月少¥73.33' when every period of the run is off by the same amount, else None."""
        differences = {line.paid_fen - line.owed_fen for line in self.lines}
        if self.status is not Status.SHORT or len(differences) != 1 or len(self.lines) < 2:
            return None
        return say(_EACH[self.first.kind], amount=Yuan(-differences.pop()))

    @property
    def each_zh(self) -> str:
        return str(self.each) if self.each else ""

    @property
    def bases(self) -> list[tuple[Message | None, Line]]:
        """The run's amounts as the rules explain them, one entry per stretch with the same explanation.

        A run can cross a change of standard (低保 260 → 300 from July); naming only the first month's
        basis would explain the later months wrongly. Each entry is (span words, first line of the stretch);
        the span is None when one explanation covers the whole run.
        """
        stretches: list[list[Line]] = []
        for line in self.lines:
            if stretches and stretches[-1][-1].entitlement.explanation == line.entitlement.explanation:
                stretches[-1].append(line)
            else:
                stretches.append([line])
        if len(stretches) == 1:
            return [(None, stretches[0][0])]
        return [(span_of(stretch[0].period, stretch[-1].period), stretch[0]) for stretch in stretches]

    @property
    def words_zh(self) -> str:
        return _WORDS.get(self.status, self.status.label_zh)

    @property
    def sentence(self) -> Message:
        """One sentence with its total: '2025年3月至8月 低保少发，共¥440.00'."""
        parts: dict[str, object] = {
            "span": self.span,
            "name": Term(self.programme, "name", self.name),
            "words": say(self.words_zh),
            "check": say(N_("（请核实）")) if self.status in _CHECK else "",
        }
        if self.at_stake_fen:
            return say(
                N_("%(span)s %(name)s%(words)s，共¥%(amount)s%(check)s"),
                amount=Yuan(self.at_stake_fen),
                **parts,
            )
        return say(N_("%(span)s %(name)s%(words)s%(check)s"), **parts)

    @property
    def sentence_zh(self) -> str:
        return str(self.sentence)


_EACH = {
    "month": N_("每月少¥%(amount)s"),
    "quarter": N_("每季度少¥%(amount)s"),
    "semester": N_("每学期少¥%(amount)s"),
    "year": N_("每年少¥%(amount)s"),
}


def span_of(first: Period, last: Period) -> Message:
    """'2025年3月至8月', '2024年11月至2025年2月', or '2025年3月' for one period."""
    if first == last:
        return first.label
    if first.year == last.year and first.kind != "year":
        return say(
            N_("%(year)s年%(first_tail)s至%(tail)s"),
            year=first.year,
            first_tail=first.tail_label,
            tail=last.tail_label,
        )
    return say(N_("%(first)s至%(last)s"), first=first.label, last=last.label)


def runs_of(group: ProgrammeLines, lines: list[Line] | None = None) -> list[Run]:
    """`lines` (default: all the programme's) grouped into runs of one verdict, in period order."""
    ordered = sorted(group.lines if lines is None else lines, key=lambda line: line.period.start_on)
    due = [line for line in group.lines if line.status is not Status.NOT_YET_DUE]
    latest = max((line.period.start_on for line in due), default=None)
    found: list[Run] = []
    current: list[Line] = []
    for line in ordered:
        if current and (line.status is not current[-1].status or line.period != current[-1].period.next()):
            found.append(_run(group, current, latest))
            current = []
        current.append(line)
    if current:
        found.append(_run(group, current, latest))
    return found


def _run(group: ProgrammeLines, lines: list[Line], latest: object) -> Run:
    ongoing = lines[-1].status is not Status.NOT_YET_DUE and lines[-1].period.start_on == latest
    return Run(group.code, group.name, lines[0].status, tuple(lines), ongoing)


def problem_runs(reconciliation: Reconciliation) -> list[Run]:
    """Every problem run of every year shown, the most money first (then the earliest)."""
    found = [run for group in reconciliation.programmes for run in runs_of(group) if run.status.is_problem]
    return sorted(found, key=lambda run: (-run.at_stake_fen, run.first.start_on, run.programme))


def find_run(reconciliation: Reconciliation, programme: str, first_period: str) -> Run | None:
    """The problem run of `programme` starting at `first_period` (what a complaint button names)."""
    for run in problem_runs(reconciliation):
        if run.programme == programme and run.first.code == first_period:
            return run
    return None


def all_clear(reconciliation: Reconciliation) -> Message:
    """For a screen with no problem: one line for the whole period shown, not for the current year alone.
    A programme paid to the household's head is not claimed as paid in full here: this person's screen
    cannot see the head's payments, so it says who receives it."""
    due = [line for line in reconciliation.lines if line.status is not Status.NOT_YET_DUE]
    to_head = [
        g for g in reconciliation.programmes if any(line.status is Status.PAID_TO_HEAD for line in g.lines)
    ]
    own = [line for line in due if line.status is not Status.PAID_TO_HEAD]
    by_head = (
        say(
            N_("%(programme)s按户发放，由户主领取，全户的发放情况请户主查询"),
            programme=Term(to_head[0].code, "name", to_head[0].name),
        )
        if to_head
        else None
    )
    if not own:
        return by_head or say(N_("目前还没有到发放时间的补贴"))
    first = min(own, key=lambda line: line.period.start_on).period
    cleared = say(N_("%(first)s至今，各项补贴都已足额发放"), first=Month(first.start_on))
    return say(N_("%(cleared)s；%(by_head)s"), cleared=cleared, by_head=by_head) if by_head else cleared


def all_clear_zh(reconciliation: Reconciliation) -> str:
    return str(all_clear(reconciliation))
