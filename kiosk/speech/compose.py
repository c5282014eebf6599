"""Each villager screen's spoken script, composed from the data the screen is drawn from.

Not a copy of the screen's text: a screen says "¥440.00" and "2025年3月至8月"; the voice says
"四百四十元" and "二零二五年三月到八月", problems first, the most money first, then what to do.
Lines with a name, an amount, a number or an answer are private: `for_channel` keeps them off the
open speaker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kiosk.rules.periods import Period
from kiosk.rules.problems import Run, problem_runs, runs_of
from kiosk.rules.reconcile import ProgrammeLines, Reconciliation, Status
from kiosk.speech import HEADSET, Line, Script, Segment
from kiosk.speech.words import money, month, number, programme, prompt, said, symbols, year

_RUN_WORDS = {
    Status.SHORT: "少发",
    Status.MISSING: "没有发放",
    Status.OVERPAID: "多发",
    Status.PAID_LATE: "延迟发放",
    Status.PAID_AFTER_DEATH: "在本人去世后仍在发放",
    Status.PAID_WITHOUT_ENTITLEMENT: "没有登记资格却在发放",
}
_UNIT = {"month": "每月", "quarter": "每季度", "semester": "每学期", "year": "每年"}


def public(*segments: Segment) -> Line:
    return Line(tuple(segments))


def private(*parts: Segment | Iterable[Segment]) -> Line:
    flat: list[Segment] = []
    for part in parts:
        flat.extend([part] if isinstance(part, Segment) else part)
    return Line(tuple(flat), private=True)


def for_channel(script: Script, channel: str) -> Script:
    """What may be said on `channel`: on the open speaker the private lines are left out, and one neutral
    prompt asks for the headset in their place."""
    if channel == HEADSET:
        return script
    kept = tuple(line for line in script.lines if not line.private)
    if len(kept) < len(script.lines):
        kept = (*kept, public(prompt("headset")), public(prompt("look_at_screen")))
    return Script(script.screen, kept)


# -- dates and runs ----------------------------------------------------------------------------------


def period_words(period: Period) -> list[Segment]:
    """二零二五年三月, 二零二五年第一季度, 二零二五年春季学期, 二零二五年."""
    if period.kind == "month":
        return [*year(period.year), *month(period.first_month)]
    if period.kind == "quarter":
        return [*year(period.year), said("第"), *number((period.first_month - 1) // 3 + 1), said("季度")]
    if period.kind == "semester":
        return [*year(period.year), said("春季学期" if period.first_month == 1 else "秋季学期")]
    return year(period.year)


def span_words(run: Run) -> list[Segment]:
    """二零二五年三月到八月; 二零二四年十一月到二零二五年二月; 二零二四年六月起 while it goes on."""
    first, last = run.first, run.last
    if run.ongoing and len(run.lines) > 1:
        return [*period_words(first), said("起")]
    if first == last:
        return period_words(first)
    if first.kind == "month" and first.year == last.year:
        return [*period_words(first), said("到"), *month(last.first_month)]
    return [*period_words(first), said("到"), *period_words(last)]


def run_line(run: Run) -> Line:
    """'二零二五年三月到八月，农村最低生活保障每月少发七十三元三角三分，一共少发四百四十元。'"""
    words = _RUN_WORDS.get(run.status, run.status.label_zh)
    parts: list[Segment | Iterable[Segment]] = [
        span_words(run),
        said("，"),
        programme(run.programme, run.name),
    ]
    each = {line.paid_fen - line.owed_fen for line in run.lines}
    if run.status is Status.SHORT and len(each) == 1 and len(run.lines) > 1:
        parts += [said(_UNIT[run.first.kind] + words), money(-each.pop()), said("，一共" + words)]
    else:
        parts.append(said(words + "，一共"))
    parts += [money(run.at_stake_fen), said("。")]
    if run.status in (Status.PAID_AFTER_DEATH, Status.PAID_WITHOUT_ENTITLEMENT, Status.OVERPAID):
        parts.append(said("请核实。"))
    return private(*parts)


# -- the terminal's own screens (no card session) -------------------------------------------------------


def attract() -> Script:
    return Script("attract", (public(prompt("attract")), public(prompt("attract_more"))))


def reading() -> Script:
    return Script("reading", (public(prompt("reading")),))


def error(message: str, advice: str) -> Script:
    """A card that could not be used: what happened and what to do (the terminal's words: nothing personal)."""
    return Script(
        "error", (public(prompt("error")), public(said(message + "。")), public(said(advice + "。")))
    )


def card_left() -> Script:
    return Script("card_left", (public(prompt("session_over")), public(prompt("take_card"))))


def unavailable() -> Script:
    return Script("unavailable", (public(prompt("unavailable")),))


def still_there(seconds: int) -> Script:
    return Script(
        "still_there", (public(prompt("still_there")), public(*number(seconds), prompt("seconds_left")))
    )


# -- the card holder's screens ----------------------------------------------------------------------------


def _greeting(name: str) -> Line:
    return private(said(f"{name}，您好。"))


def summary(name: str, reconciliation: Reconciliation, complaints: Sequence[dict[str, Any]]) -> Script:
    """Problems first, the most money first; then that all is well for the whole period if it is; then
    this year's totals; then the person's complaints."""
    lines = [public(prompt("ready")), _greeting(name)]
    runs = problem_runs(reconciliation)
    if runs:
        lines.append(public(prompt("problems_first")))
        lines += [run_line(run) for run in runs]
        lines.append(public(prompt("report_it")))
    else:
        lines.append(private(said(_all_clear(reconciliation))))
    years = reconciliation.years()
    if years:
        totals = reconciliation.totals(max(years))
        lines.append(
            private(
                year(max(years)),
                said("到目前，应发"),
                money(totals.owed_fen),
                said("，实发"),
                money(totals.paid_fen),
                said("。"),
            )
        )
    lines += _complaints_lines(complaints)
    lines.append(public(prompt("keys")))
    return Script("summary", tuple(lines))


def _all_clear(reconciliation: Reconciliation) -> str:
    due = [line for line in reconciliation.lines if line.status is not Status.NOT_YET_DUE]
    if not due:
        return "目前还没有到发放时间的补贴。"
    first = min(due, key=lambda line: line.period.start_on).period
    return "".join(s.text for s in period_words(first)) + "到现在，各项补贴都已经足额发放。"


def _complaints_lines(complaints: Sequence[dict[str, Any]]) -> list[Line]:
    if not complaints:
        return []
    answered = sum(1 for c in complaints if c.get("replies_shown"))
    lines = [
        private(
            prompt("mine_intro"),
            number(len(complaints)),
            said("份，其中"),
            number(answered),
            said("份已经答复。"),
        )
    ]
    for complaint in complaints:
        lines += complaint_lines(complaint)
    return lines


def complaint_lines(complaint: dict[str, Any]) -> list[Line]:
    """One complaint: its number, what it is about, its standing, each answer beside the figures now."""
    lines = [
        private(prompt("tracking_intro"), symbols(complaint.get("tracking_shown", ""))),
        private(
            said(
                f"{complaint.get('subject') or complaint.get('category_words', '')}，{complaint.get('status_words', '')}。"
            )
        ),
    ]
    replies = complaint.get("replies_shown") or []
    for kind, text in replies:
        lines.append(private(prompt("answer_is"), said(f"{kind}：{text}。")))
    if replies and "now_owed_fen" in complaint:
        lines.append(
            private(
                said("现在的发放记录，应发"),
                money(complaint["now_owed_fen"]),
                said("，实发"),
                money(complaint["now_paid_fen"]),
                said("。"),
            )
        )
    if complaint.get("contradiction"):
        lines.append(private(prompt("answer_unconfirmed")))
    if not replies and complaint.get("due_words"):
        lines.append(private(said(complaint["due_words"] + "。")))
    return lines


def programme_page(group: ProgrammeLines, year_shown: int) -> Script:
    """A programme's year: its problem runs with amounts and what each month was owed, then the rest in one line."""
    runs = runs_of(group, [line for line in group.lines if line.period.year == year_shown])
    lines = [private(programme(group.code, group.name), said("，"), year(year_shown), said("。"))]
    problems = sorted((r for r in runs if r.status.is_problem), key=lambda r: -r.at_stake_fen)
    for run in problems:
        lines.append(run_line(run))
        for span, line in run.bases:
            lines.append(
                private(
                    said(
                        f"{span}，{line.entitlement.explanation}。"
                        if span
                        else f"{line.entitlement.explanation}。"
                    )
                )
            )
    fine = [r for r in runs if not r.status.is_problem]
    if fine and problems:
        lines.append(private(said("其余月份：")))
    for run in fine:
        lines.append(
            private(
                span_words(run),
                said(f"，{run.status.label_zh}，应发"),
                money(run.owed_fen),
                said("，实发"),
                money(run.paid_fen),
                said("。"),
            )
        )
    if problems:
        lines.append(public(prompt("report_it")))
    return Script("programme", tuple(lines))


def unlisted(name: str, complaints: Sequence[dict[str, Any]]) -> Script:
    lines = [
        public(prompt("ready")),
        _greeting(name),
        private(prompt("no_record")),
        private(prompt("report_missing")),
    ]
    return Script("unlisted", (*lines, *_complaints_lines(complaints)))


def _evidence_line(evidence: dict[str, Any]) -> list[Line]:
    if not evidence.get("programme_name"):
        return []
    parts: list[Segment | Iterable[Segment]] = [said(f"反映的是{evidence['programme_name']}")]
    if evidence.get("period_label"):
        parts.append(said(f"，{evidence['period_label']}"))
    if evidence.get("at_stake_fen"):
        parts += [said("，涉及"), money(int(evidence["at_stake_fen"]))]
    parts.append(said("。"))
    return [private(*parts)]


def complaint_category(evidence: dict[str, Any], categories: dict[str, tuple[str, str]]) -> Script:
    choices = "；".join(words for words, _icon in categories.values())
    return Script(
        "complaint_category",
        (*_evidence_line(evidence), public(prompt("choose_category")), public(said(f"可以选：{choices}。"))),
    )


def complaint_phone(refused: bool) -> Script:
    lines = [public(prompt("phone_refused"))] if refused else []
    return Script("complaint_phone", (*lines, public(prompt("enter_phone"))))


def complaint_review(draft: dict[str, Any], category_words: str) -> Script:
    lines = [*_evidence_line(draft.get("evidence") or {}), private(said(f"问题是：{category_words}。"))]
    phone = draft.get("phone") or ""
    if phone:
        lines.append(private(said("联系电话："), *[symbols(phone)]))
    else:
        lines.append(private(said("没有留电话。")))
    return Script("complaint_review", (*lines, public(prompt("review"))))


def complaint_done(tracking_shown: str, due: str, replies: Sequence[tuple[str, str]]) -> Script:
    """Filed: the number read slowly, symbol by symbol, twice; each answer, or by when one is due."""
    number_line = private(prompt("tracking_intro"), symbols(tracking_shown))
    lines = [public(prompt("filed")), number_line, number_line, public(prompt("tracking_where"))]
    lines += [private(prompt("answer_is"), said(f"{kind}：{text}。")) for kind, text in replies]
    if due and not replies:
        lines.append(private(said(due + "。")))
    return Script("complaint_done", tuple(lines))
