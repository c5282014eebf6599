"""How one language says things: sentences from templates, amounts, numbers, dates, names, symbols.

The speech composer builds every line from a `Tongue`, so a script is said in the villager's language:
Mandarin (the default, `MANDARIN`) reads money and dates as Mandarin is spoken, one segment per
character so a voice pack can voice them from digits and units ("七十三元三角三分"); another language
(English) gets its words from the web layer's catalogues and date formats, and the engine's voice for it.
Sentence templates are msgids with %(name)s slots; `sentence` fills each slot with the segments of a part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kiosk.core.i18n import Message
from kiosk.core.spoken import english_money
from kiosk.rules.periods import Period
from kiosk.rules.problems import Run
from kiosk.speech import Segment
from kiosk.speech.engine import MANDARIN_VOICE
from kiosk.speech.words import money, month, number, programme, said, symbols, year

_SLOT = re.compile(r"%\((\w+)\)s")
Parts = Segment | Iterable[Segment] | str


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Tongue:
    language: str = "zh_Hans"
    voice: str = MANDARIN_VOICE  # the engine's voice for it
    translate: Callable[[str], str] = _same  # a msgid in this language
    render: Callable[[Message], str] = str  # a rule's message in this language
    term: Callable[[str, str, str], str] = field(default=lambda code, field_name, chinese: chinese)

    @property
    def mandarin(self) -> bool:
        return self.language.startswith("zh")

    def sentence(self, template: str, **parts: Parts) -> list[Segment]:
        """`template` (a msgid) in this language, each %(slot)s replaced by its part's segments."""
        text = self.translate(template)
        found: list[Segment] = []
        position = 0
        for slot in _SLOT.finditer(text):
            if slot.start() > position:
                found.append(said(text[position : slot.start()]))
            found += _segments(parts.get(slot.group(1), ""))
            position = slot.end()
        if position < len(text):
            found.append(said(text[position:]))
        return found

    def money(self, fen: int) -> list[Segment]:
        return money(fen) if self.mandarin else [said(english_money(fen))]

    def number(self, value: int) -> list[Segment]:
        return number(value) if self.mandarin else [said(str(value))]

    def period_year(self, value: int) -> list[Segment]:
        """A year on its own: 二零二五年, or 2025."""
        return year(value) if self.mandarin else [said(str(value))]

    def symbols(self, text: str) -> list[Segment]:
        if self.mandarin:
            return symbols(text)
        return [said(f"{symbol}, ") for symbol in text if symbol.isalnum()]

    def programme(self, code: str, chinese: str) -> Segment:
        return (
            programme(code, chinese) if self.language == "zh_Hans" else said(self.term(code, "name", chinese))
        )

    def period(self, period: Period) -> list[Segment]:
        """二零二五年三月, 二零二五年第一季度, 二零二五年春季学期, 二零二五年; or the language's words."""
        if not self.mandarin:
            return [said(self.render(period.label))]
        if period.kind == "month":
            return [*year(period.year), *month(period.first_month)]
        if period.kind == "quarter":
            return [*year(period.year), said("第"), *number((period.first_month - 1) // 3 + 1), said("季度")]
        if period.kind == "semester":
            return [*year(period.year), said("春季学期" if period.first_month == 1 else "秋季学期")]
        return year(period.year)

    def span(self, run: Run) -> list[Segment]:
        """二零二五年三月到八月; 二零二四年十一月到二零二五年二月; 二零二四年六月起 while it goes on."""
        if not self.mandarin:
            return [said(self.render(run.span))]
        first, last = run.first, run.last
        if run.ongoing and len(run.lines) > 1:
            return [*self.period(first), said("起")]
        if first == last:
            return self.period(first)
        if first.kind == "month" and first.year == last.year:
            return [*self.period(first), said("到"), *month(last.first_month)]
        return [*self.period(first), said("到"), *self.period(last)]

    def text(self, thing: Message | str) -> str:
        return self.render(thing) if isinstance(thing, Message) else self.translate(thing)


def _segments(part: Parts) -> list[Segment]:
    if isinstance(part, Segment):
        return [part]
    if isinstance(part, str):
        return [said(part)] if part else []
    return list(part)


MANDARIN = Tongue()
