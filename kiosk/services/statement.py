"""The statement a villager takes home: what is wrong, each programme's owed and paid, the rules behind
them, the date, and a QR code, as lines for the receipt printer and as the figures of an A4 page.

Both come from the same `Statement`, built from the same reconciliation the screen shows, so paper and
screen cannot disagree. The card holder appears masked, as on screen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kiosk.backend import LookupResult
from kiosk.core.money import format_yuan
from kiosk.rules.problems import all_clear_zh, problem_runs
from kiosk.rules.reconcile import Status

NOT_ON_ROSTER_ZH = "系统里没有查到此人的补贴记录（可向县纪检监察部门反映，或到乡镇民政所核实登记）"


@dataclass(frozen=True)
class ProgrammeFigures:
    name: str
    first: str  # the first period shown, e.g. 2024年1月
    owed_fen: int
    paid_fen: int
    references: tuple[str, ...]

    @property
    def difference_fen(self) -> int:
        return self.paid_fen - self.owed_fen


@dataclass(frozen=True)
class Statement:
    masked_id: str
    name: str
    village: str
    as_of: str  # 2026年11月22日
    problems: tuple[str, ...]  # one sentence each, the most money first
    all_clear: str  # when there is no problem
    programmes: tuple[ProgrammeFigures, ...]
    rule_version: str

    @property
    def check(self) -> str:
        """A short digest of the figures, printed and in the QR code, so a township can tell a copy is intact."""
        text = (
            "|".join([self.masked_id, self.as_of, self.rule_version, *self.problems])
            + "|"
            + "|".join(f"{p.name}:{p.owed_fen}:{p.paid_fen}" for p in self.programmes)
        )
        return hashlib.sha256(text.encode()).hexdigest()[:12].upper()

    @property
    def qr_text(self) -> str:
        return f"MINGBAI-STATEMENT|{self.masked_id}|{self.as_of}|{self.rule_version}|{self.check}"

    def slip_lines(self) -> list[str]:
        """The statement as receipt lines (the printer adds the QR code and cuts)."""
        lines = [
            "明白 · 补贴对账单",
            f"{self.name} {self.masked_id}",
            f"{self.village}",
            f"查询日期：{self.as_of}",
            "",
        ]
        if self.problems:
            lines.append("需要核实的问题：")
            lines += [f"· {problem}" for problem in self.problems]
        else:
            lines.append(self.all_clear)
        lines.append("")
        for figures in self.programmes:
            lines.append(f"{figures.name}（{figures.first}起）")
            lines.append(f"  应发¥{format_yuan(figures.owed_fen)} 实发¥{format_yuan(figures.paid_fen)}")
            lines += [f"  依据：{reference}" for reference in figures.references]
        lines += ["", f"核验码：{self.check}", "如有疑问，可到乡镇或在终端上反映"]
        return lines


def statement_for(result: LookupResult) -> Statement:
    """The statement of everything the kiosk shows for this card holder (every year shown)."""
    reconciliation = result.reconciliation
    programmes = []
    for group in reconciliation.programmes:
        due = [line for line in group.lines if line.status is not Status.NOT_YET_DUE]
        if not due:
            continue
        first = min(due, key=lambda line: line.period.start_on).period
        references = tuple(
            dict.fromkeys(line.entitlement.reference for line in due if line.entitlement.reference)
        )
        programmes.append(
            ProgrammeFigures(
                group.name,
                f"{first.year}年{first.first_month}月",
                sum(line.owed_fen for line in due),
                sum(line.paid_fen for line in due),
                references,
            )
        )
    today = reconciliation.today
    return Statement(
        result.holder.masked_id,
        result.holder.name,
        result.holder.village,
        f"{today.year}年{today.month}月{today.day}日",
        tuple(run.sentence_zh for run in problem_runs(reconciliation)),
        all_clear_zh(reconciliation) if result.on_roster else NOT_ON_ROSTER_ZH,
        tuple(programmes),
        reconciliation.rule_version,
    )
