"""Each villager screen's spoken script, composed from the data the screen is drawn from.

Not a copy of the screen's text: a screen says "¥440.00" and "2025年3月至8月"; the voice says
"四百四十元" and "二零二五年三月到八月", problems first, the most money first, then what to do.
Lines with a name, an amount, a number or an answer are private: `for_channel` keeps them off the
open speaker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kiosk.core.i18n import N_, Message
from kiosk.core.spoken import integer_words, month_words, year_words
from kiosk.rules.problems import Run, all_clear, problem_runs, runs_of
from kiosk.rules.reconcile import ProgrammeLines, Reconciliation, Status
from kiosk.speech import HEADSET, Line, Script, Segment
from kiosk.speech.tongue import MANDARIN, Parts, Tongue
from kiosk.speech.words import PROMPTS, prompt, said

# How a problem run is said: the status in words, then its total
_RUN = {
    Status.SHORT: N_("%(span)s，%(programme)s少发，一共%(amount)s。"),
    Status.MISSING: N_("%(span)s，%(programme)s没有发放，一共%(amount)s。"),
    Status.OVERPAID: N_("%(span)s，%(programme)s多发，一共%(amount)s。请核实。"),
    Status.PAID_LATE: N_("%(span)s，%(programme)s延迟发放，一共%(amount)s。"),
    Status.PAID_AFTER_DEATH: N_("%(span)s，%(programme)s在本人去世后仍在发放，一共%(amount)s。请核实。"),
    Status.PAID_WITHOUT_ENTITLEMENT: N_(
        "%(span)s，%(programme)s没有登记资格却在发放，一共%(amount)s。请核实。"
    ),
}
_EACH = {
    "month": N_("%(span)s，%(programme)s每月少发%(each)s，一共少发%(amount)s。"),
    "quarter": N_("%(span)s，%(programme)s每季度少发%(each)s，一共少发%(amount)s。"),
    "semester": N_("%(span)s，%(programme)s每学期少发%(each)s，一共少发%(amount)s。"),
    "year": N_("%(span)s，%(programme)s每年少发%(each)s，一共少发%(amount)s。"),
}


def public(*segments: Segment) -> Line:
    return Line(tuple(segments))


def private(*parts: Segment | Iterable[Segment]) -> Line:
    flat: list[Segment] = []
    for part in parts:
        flat.extend([part] if isinstance(part, Segment) else part)
    return Line(tuple(flat), private=True)


def for_channel(script: Script, channel: str, tongue: Tongue = MANDARIN) -> Script:
    """What may be said on `channel`: on the open speaker the private lines are left out, and one neutral
    prompt asks for the headset in their place."""
    if channel == HEADSET:
        return script
    kept = tuple(line for line in script.lines if not line.private)
    if len(kept) < len(script.lines):
        kept = (*kept, public(said_prompt("headset", tongue)), public(said_prompt("look_at_screen", tongue)))
    return Script(script.screen, kept)


def said_prompt(name: str, tongue: Tongue) -> Segment:
    """A fixed prompt in the tongue's language; its voice-pack clip only where the pack's language is spoken."""
    return prompt(name) if tongue.language == "zh_Hans" else said(tongue.translate(PROMPTS[name]))


# -- runs ----------------------------------------------------------------------------------------------


def run_line(run: Run, tongue: Tongue = MANDARIN) -> Line:
    """'二零二五年三月到八月，农村最低生活保障每月少发七十三元三角三分，一共少发四百四十元。'"""
    parts: dict[str, Parts] = {
        "span": tongue.span(run),
        "programme": tongue.programme(run.programme, run.name),
        "amount": tongue.money(run.at_stake_fen),
    }
    each = {line.paid_fen - line.owed_fen for line in run.lines}
    if run.status is Status.SHORT and len(each) == 1 and len(run.lines) > 1:
        return private(tongue.sentence(_EACH[run.first.kind], each=tongue.money(-each.pop()), **parts))
    template = _RUN.get(run.status, N_("%(span)s，%(programme)s，一共%(amount)s。"))
    return private(tongue.sentence(template, **parts))


# -- the terminal's own screens (no card session) -------------------------------------------------------


def attract(tongue: Tongue = MANDARIN) -> Script:
    return Script(
        "attract", (public(said_prompt("attract", tongue)), public(said_prompt("attract_more", tongue)))
    )


def reading(tongue: Tongue = MANDARIN) -> Script:
    return Script("reading", (public(said_prompt("reading", tongue)),))


def error(message: str, advice: str, tongue: Tongue = MANDARIN) -> Script:
    """A card that could not be used: what happened and what to do (the terminal's words: nothing personal)."""
    return Script(
        "error",
        (
            public(said_prompt("error", tongue)),
            public(*tongue.sentence(N_("%(what)s。"), what=tongue.text(message))),
            public(*tongue.sentence(N_("%(what)s。"), what=tongue.text(advice))),
        ),
    )


def card_left(tongue: Tongue = MANDARIN) -> Script:
    return Script(
        "card_left", (public(said_prompt("session_over", tongue)), public(said_prompt("take_card", tongue)))
    )


def staff(state: str, tongue: Tongue = MANDARIN) -> Script:
    """A clinic worker's moments, each one neutral prompt: their PIN is asked for, they are told to take the
    badge away, and they are asked to step away before the resident chooses what to report."""
    return Script(state, (public(said_prompt(state, tongue)),))


def confirm(masked_name: str, tongue: Tongue = MANDARIN) -> Script:
    """The resident is asked whether the person a helper looked up is them; the masked name only into a
    headset (王某明)."""
    name = masked_name.replace("*", "某")
    return Script("confirm", (public(said_prompt("confirm", tongue)), Line((said(name),), private=True)))


def unavailable(tongue: Tongue = MANDARIN) -> Script:
    return Script("unavailable", (public(said_prompt("unavailable", tongue)),))


def still_there(seconds: int, tongue: Tongue = MANDARIN) -> Script:
    return Script(
        "still_there",
        (
            public(said_prompt("still_there", tongue)),
            public(*tongue.number(seconds), said_prompt("seconds_left", tongue)),
        ),
    )


# -- the card holder's screens ----------------------------------------------------------------------------


def _greeting(name: str, tongue: Tongue) -> Line:
    return private(tongue.sentence(N_("%(name)s，您好。"), name=name))


def lookup_notices(notices: Sequence[Any], tongue: Tongue = MANDARIN) -> list[Line]:
    """Each time a helper looked this card holder up by typed number, told into the headset only:
    "二零二六年十二月一日，卫生院工作人员王某帮您查询过一次"."""
    lines = []
    for notice in notices:
        on = notice.on
        day = (
            f"{year_words(on.year)}年{month_words(on.month)}月{integer_words(on.day)}日"
            if tongue.mandarin
            else on.strftime("%-d %B %Y")
        )
        words = tongue.sentence(
            N_("%(day)s，%(title)s%(name)s帮您查询过一次"),
            day=day,
            title=notice.title,
            name=notice.shown.replace("*", "某"),
        )
        lines.append(private(words, said(tongue.translate(N_("。")))))
    return lines


def summary(
    name: str,
    reconciliation: Reconciliation,
    complaints: Sequence[dict[str, Any]],
    tongue: Tongue = MANDARIN,
    notices: Sequence[Any] = (),
) -> Script:
    """The helpers' lookups of this person first (they must not go unnoticed); problems first, the most money
    first; then that all is well for the whole period if it is; then this year's totals; then the person's
    complaints."""
    lines = [public(said_prompt("ready", tongue)), _greeting(name, tongue), *lookup_notices(notices, tongue)]
    runs = problem_runs(reconciliation)
    if runs:
        lines.append(public(said_prompt("problems_first", tongue)))
        lines += [run_line(run, tongue) for run in runs]
        lines.append(public(said_prompt("report_it", tongue)))
    else:
        lines.append(private(said(tongue.text(all_clear(reconciliation)) + tongue.translate(N_("。")))))
    years = reconciliation.years()
    if years:
        totals = reconciliation.totals(max(years))
        lines.append(
            private(
                tongue.sentence(
                    N_("%(year)s到目前，应发%(owed)s，实发%(paid)s。"),
                    year=tongue.period_year(max(years)),
                    owed=tongue.money(totals.owed_fen),
                    paid=tongue.money(totals.paid_fen),
                )
            )
        )
    lines += _complaints_lines(complaints, tongue)
    lines.append(public(said_prompt("keys", tongue)))
    return Script("summary", tuple(lines))


def _complaints_lines(complaints: Sequence[dict[str, Any]], tongue: Tongue) -> list[Line]:
    if not complaints:
        return []
    answered = sum(1 for c in complaints if c.get("replies_shown"))
    lines = [
        private(
            said_prompt("mine_intro", tongue),
            tongue.sentence(
                N_("%(count)s份，其中%(answered)s份已经答复。"),
                count=tongue.number(len(complaints)),
                answered=tongue.number(answered),
            ),
        )
    ]
    for complaint in complaints:
        lines += complaint_lines(complaint, tongue)
    return lines


def complaint_lines(complaint: dict[str, Any], tongue: Tongue = MANDARIN) -> list[Line]:
    """One complaint: its number, what it is about, its standing, each answer beside the figures now."""
    subject = complaint.get("subject_message") or complaint.get("category_words", "")
    lines = [
        private(said_prompt("tracking_intro", tongue), tongue.symbols(complaint.get("tracking_shown", ""))),
        private(
            tongue.sentence(
                N_("%(subject)s，%(status)s。"),
                subject=_text(subject, tongue),
                status=tongue.text(complaint.get("status_words", "")),
            )
        ),
    ]
    replies = complaint.get("replies_shown") or []
    for kind, text in replies:
        lines.append(
            private(
                said_prompt("answer_is", tongue),
                tongue.sentence(N_("%(kind)s：%(text)s。"), kind=tongue.text(kind), text=text),
            )
        )
    if replies and "now_owed_fen" in complaint:
        lines.append(
            private(
                tongue.sentence(
                    N_("现在的发放记录，应发%(owed)s，实发%(paid)s。"),
                    owed=tongue.money(complaint["now_owed_fen"]),
                    paid=tongue.money(complaint["now_paid_fen"]),
                )
            )
        )
    if complaint.get("contradiction"):
        lines.append(private(said_prompt("answer_unconfirmed", tongue)))
    due = complaint.get("due") or complaint.get("due_words")
    if not replies and due:
        lines.append(private(tongue.sentence(N_("%(what)s。"), what=_text(due, tongue))))
    return lines


def _text(thing: Message | str, tongue: Tongue) -> str:
    return tongue.text(thing) if thing else ""


def programme_page(group: ProgrammeLines, year_shown: int, tongue: Tongue = MANDARIN) -> Script:
    """A programme's year: its problem runs with amounts and what each month was owed, then the rest in one line."""
    runs = runs_of(group, [line for line in group.lines if line.period.year == year_shown])
    lines = [
        private(
            tongue.sentence(
                N_("%(programme)s，%(year)s。"),
                programme=tongue.programme(group.code, group.name),
                year=tongue.period_year(year_shown),
            )
        )
    ]
    problems = sorted((r for r in runs if r.status.is_problem), key=lambda r: -r.at_stake_fen)
    for run in problems:
        lines.append(run_line(run, tongue))
        for span, line in run.bases:
            basis = tongue.text(line.entitlement.message or line.entitlement.explanation)
            if span is not None:
                lines.append(
                    private(tongue.sentence(N_("%(span)s，%(basis)s。"), span=tongue.text(span), basis=basis))
                )
            else:
                lines.append(private(tongue.sentence(N_("%(what)s。"), what=basis)))
    fine = [r for r in runs if not r.status.is_problem]
    if fine and problems:
        lines.append(private(tongue.sentence(N_("其余月份："))))
    for run in fine:
        lines.append(
            private(
                tongue.sentence(
                    N_("%(span)s，%(status)s，应发%(owed)s，实发%(paid)s。"),
                    span=tongue.span(run),
                    status=tongue.text(run.status.label_zh),
                    owed=tongue.money(run.owed_fen),
                    paid=tongue.money(run.paid_fen),
                )
            )
        )
    if problems:
        lines.append(public(said_prompt("report_it", tongue)))
    return Script("programme", tuple(lines))


def unlisted(
    name: str, complaints: Sequence[dict[str, Any]], tongue: Tongue = MANDARIN, notices: Sequence[Any] = ()
) -> Script:
    lines = [
        public(said_prompt("ready", tongue)),
        _greeting(name, tongue),
        *lookup_notices(notices, tongue),
        private(said_prompt("no_record", tongue)),
        private(said_prompt("report_missing", tongue)),
    ]
    return Script("unlisted", (*lines, *_complaints_lines(complaints, tongue)))


def _evidence_line(shown: dict[str, Any], amount_fen: int, tongue: Tongue) -> list[Line]:
    """What the complaint is about, from the words the screen shows (programme, span)."""
    if not shown.get("programme"):
        return []
    parts: dict[str, Any] = {"programme": _text(shown["programme"], tongue), "period": "", "amount": ""}
    if shown.get("period"):
        parts["period"] = _text(shown["period"], tongue)
    if amount_fen:
        parts["amount"] = tongue.money(amount_fen)
        return [private(tongue.sentence(N_("反映的是%(programme)s，%(period)s，涉及%(amount)s。"), **parts))]
    return [private(tongue.sentence(N_("反映的是%(programme)s，%(period)s。"), **parts))]


def complaint_category(
    shown: dict[str, Any], amount_fen: int, categories: dict[str, tuple[str, str]], tongue: Tongue = MANDARIN
) -> Script:
    choices = tongue.translate(N_("；")).join(tongue.text(words) for words, _icon in categories.values())
    return Script(
        "complaint_category",
        (
            *_evidence_line(shown, amount_fen, tongue),
            public(said_prompt("choose_category", tongue)),
            public(*tongue.sentence(N_("可以选：%(choices)s。"), choices=choices)),
        ),
    )


def complaint_phone(refused: bool, tongue: Tongue = MANDARIN) -> Script:
    lines = [public(said_prompt("phone_refused", tongue))] if refused else []
    return Script("complaint_phone", (*lines, public(said_prompt("enter_phone", tongue))))


def complaint_review(
    shown: dict[str, Any], amount_fen: int, category_words: str, phone: str, tongue: Tongue = MANDARIN
) -> Script:
    lines = [
        *_evidence_line(shown, amount_fen, tongue),
        private(tongue.sentence(N_("问题是：%(category)s。"), category=tongue.text(category_words))),
    ]
    if phone:
        lines.append(private(tongue.sentence(N_("联系电话：%(phone)s"), phone=tongue.symbols(phone))))
    else:
        lines.append(private(tongue.sentence(N_("没有留电话。"))))
    return Script("complaint_review", (*lines, public(said_prompt("review", tongue))))


def complaint_done(
    tracking_shown: str, due: Message | str, replies: Sequence[tuple[str, str]], tongue: Tongue = MANDARIN
) -> Script:
    """Filed: the number read slowly, symbol by symbol, twice; each answer, or by when one is due."""
    number_line = private(said_prompt("tracking_intro", tongue), tongue.symbols(tracking_shown))
    lines = [
        public(said_prompt("filed", tongue)),
        number_line,
        number_line,
        public(said_prompt("tracking_where", tongue)),
    ]
    lines += [
        private(
            said_prompt("answer_is", tongue),
            tongue.sentence(N_("%(kind)s：%(text)s。"), kind=tongue.text(kind), text=text),
        )
        for kind, text in replies
    ]
    if due and not replies:
        lines.append(private(tongue.sentence(N_("%(what)s。"), what=_text(due, tongue))))
    return Script("complaint_done", tuple(lines))


# -- 村务公开: public by law, so said on the open speaker --------------------------------------------------


def _public(segments: list[Segment]) -> Line:
    return Line(tuple(segments))


def disclosure_overview(lists: Any, tongue: Tongue = MANDARIN) -> Script:
    """The villages' lists at a glance: each programme's households now and in 公示, then what to do."""
    lines = [_public(tongue.sentence(N_("村务公开，%(villages)s。"), villages="、".join(lists.villages)))]
    for listing in lists.programmes:
        lines.append(
            _public(
                tongue.sentence(
                    N_("%(programme)s：正在享受%(current)s户，公示中%(pending)s户。"),
                    programme=tongue.programme(listing.code, listing.name),
                    current=tongue.number(len(listing.of("current")) + len(listing.of("new"))),
                    pending=tongue.number(len(listing.of("new")) + len(listing.of("cancelled"))),
                )
            )
        )
    lines.append(_public(tongue.sentence(N_("点一个项目，查看名单；对哪一户有异议，点“我有异议”。"))))
    return Script("disclosure", tuple(lines))


def _entry_words(entry: Any, tongue: Tongue) -> list[Segment]:
    shown = entry.shown
    words: list[Segment] = (
        [said(str(shown.get("head_name", "")).replace("*", "某"))] if shown.get("head_name") else []
    )
    if "household_size" in shown:
        words += tongue.sentence(N_("，%(count)s人"), count=tongue.number(int(shown["household_size"])))
    if "monthly_amount" in shown and entry.state != "cancelled":
        words += tongue.sentence(N_("，每月%(amount)s"), amount=tongue.money(int(shown["monthly_amount"])))
    if entry.state != "current":
        words += tongue.sentence(N_("，公示还剩%(days)s天"), days=tongue.number(entry.days_left))
    return [*words, said("。")]


def disclosure_list(listing: Any, tongue: Tongue = MANDARIN) -> Script:
    """A programme's public list read out: 公示中 first (with the days left), then the current households."""
    lines = [
        _public(
            tongue.sentence(N_("%(programme)s。"), programme=tongue.programme(listing.code, listing.name))
        )
    ]
    pending = [e for e in listing.entries if e.state != "current"]
    if pending:
        lines.append(_public(tongue.sentence(N_("公示中："))))
        lines += [_public(_entry_words(entry, tongue)) for entry in pending]
    current = listing.of("current")
    if current:
        lines.append(_public(tongue.sentence(N_("正在享受："))))
        lines += [_public(_entry_words(entry, tongue)) for entry in current]
    lines.append(_public(tongue.sentence(N_("对哪一户有异议，点那一户旁边的“我有异议”。"))))
    return Script("disclosure_list", tuple(lines))


def disclosure_object(tongue: Tongue = MANDARIN) -> Script:
    return Script(
        "disclosure_object",
        (_public(tongue.sentence(N_("选一个原因就提交了，也可以不说原因，直接提交。不用留姓名。"))),),
    )


def disclosure_done(tracking: str, tongue: Tongue = MANDARIN) -> Script:
    return Script(
        "disclosure_done",
        (
            _public(tongue.sentence(N_("您的异议已提交，直接交县纪检监察部门处理。"))),
            _public(tongue.sentence(N_("编号是：%(number)s。"), number=tongue.symbols(tracking))),
        ),
    )
