"""What is wrong, in runs rather than months: the sentences a villager reads first.

Consecutive periods of one programme with the same verdict form a run ("2025年3月至8月 低保少发，
共¥440.00"). The summary opens on the problem runs of every year shown, the most money first; a
programme's page shows its problem runs with their totals and folds the runs that are fine. One
complaint covers one run, every period in it. Pure: lines in, runs and words out.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.money import format_yuan
from kiosk.rules.periods import Period
from kiosk.rules.reconcile import Line, ProgrammeLines, Reconciliation, Status

# How a problem reads after the programme's name, and whether its money is owed to or by the person.
_WORDS = {
    Status.SHORT: "少发",
    Status.MISSING: "未发放",
    Status.OVERPAID: "多发",
    Status.PAID_LATE: "延迟发放",
    Status.PAID_AFTER_DEATH: "去世后仍发放",
    Status.PAID_WITHOUT_ENTITLEMENT: "无登记资格却发放",
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
    def span_zh(self) -> str:
        """'2025年3月至8月', '2024年11月至2025年2月', '2025年3月', or '2024年6月起' while ongoing."""
        if self.ongoing and len(self.lines) > 1:
            return f"{self.first.label_zh}起"
        return _span(self.first, self.last)

    @property
    def each_zh(self) -> str:
        """'每月少¥73.33' when every period of the run is off by the same amount, else ''."""
        differences = {line.paid_fen - line.owed_fen for line in self.lines}
        if self.status is not Status.SHORT or len(differences) != 1 or len(self.lines) < 2:
            return ""
        unit = {"month": "每月", "quarter": "每季度", "semester": "每学期", "year": "每年"}[self.first.kind]
        return f"{unit}少¥{format_yuan(-differences.pop())}"

    @property
    def bases(self) -> list[tuple[str, Line]]:
        """The run's amounts as the rules explain them, one entry per stretch with the same explanation.

        A run can cross a change of standard (低保 260 → 300 from July); naming only the first month's
        basis would explain the later months wrongly. Each entry is (span words, first line of the stretch);
        the span is '' when one explanation covers the whole run.
        """
        stretches: list[list[Line]] = []
        for line in self.lines:
            if stretches and stretches[-1][-1].entitlement.explanation == line.entitlement.explanation:
                stretches[-1].append(line)
            else:
                stretches.append([line])
        if len(stretches) == 1:
            return [("", stretches[0][0])]
        return [(_span(stretch[0].period, stretch[-1].period), stretch[0]) for stretch in stretches]

    @property
    def words_zh(self) -> str:
        return _WORDS.get(self.status, self.status.label_zh)

    @property
    def sentence_zh(self) -> str:
        """One sentence with its total: '2025年3月至8月 低保少发，共¥440.00'."""
        money = f"，共¥{format_yuan(self.at_stake_fen)}" if self.at_stake_fen else ""
        check = "（请核实）" if self.status in _CHECK else ""
        return f"{self.span_zh} {self.name}{self.words_zh}{money}{check}"


def _span(first: Period, last: Period) -> str:
    """'2025年3月至8月', '2024年11月至2025年2月', or '2025年3月' for one period."""
    if first == last:
        return first.label_zh
    tail = last.label_zh
    if last.year == first.year and tail.startswith(f"{last.year}年"):
        tail = tail[len(f"{last.year}年") :]
    return f"{first.label_zh}至{tail}"


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


def all_clear_zh(reconciliation: Reconciliation) -> str:
    """For a screen with no problem: one line for the whole period shown, not for the current year alone."""
    due = [line for line in reconciliation.lines if line.status is not Status.NOT_YET_DUE]
    if not due:
        return "目前还没有到发放时间的补贴"
    first = min(due, key=lambda line: line.period.start_on).period
    return f"{first.year}年{first.first_month}月至今，各项补贴都已足额发放"
