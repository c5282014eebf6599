"""Words in more than one language: the marker for translatable text, and messages whose parts are
filled in per language.

The source language is Simplified Chinese: a msgid is the Chinese sentence, with %(name)s where data
goes. The pure layers (rules, core, speech) cannot call a translator, so they mark fixed words with
`N_` (extracted into the catalogues, returned unchanged) and build `Message`s for sentences; the web
layer renders both in the villager's language. `str(message)` is the Chinese, so every caller that
knew only Chinese keeps working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.money import format_yuan


def N_(text: str) -> str:  # noqa: N802 - gettext_noop's usual name, which pybabel extracts
    """Mark `text` for the catalogues; translated where it is shown, not here."""
    return text


@dataclass(frozen=True, slots=True)
class Yuan:
    """An amount in fen, shown "1,640.00" in every language (the ¥ or 元 is in the sentence)."""

    fen: int


@dataclass(frozen=True, slots=True)
class Day:
    value: dt.date


@dataclass(frozen=True, slots=True)
class Month:
    value: dt.date


@dataclass(frozen=True, slots=True)
class MonthName:
    """A month without its year: "8月", "August"."""

    month: int


@dataclass(frozen=True, slots=True)
class Term:
    """A programme's name, department or note: translated through its policy file, not the catalogues."""

    programme: str
    field: str  # "name", "department" or "note"
    zh: str


@dataclass(frozen=True, slots=True)
class Message:
    """A sentence with its parts: `template` is the Chinese msgid, `params` the parts, which may be
    words to translate (Message), amounts (Yuan), dates (Day, Month), numbers or plain data."""

    template: str
    params: tuple[tuple[str, object], ...] = ()

    def render(self, translate: Callable[[str], str], value: Callable[[object], str]) -> str:
        parts = {
            name: part.render(translate, value) if isinstance(part, Message) else value(part)
            for name, part in self.params
        }
        text = translate(self.template)
        return text % parts if parts else text

    def __str__(self) -> str:
        return self.render(_same, chinese_value)


def say(template: str, **params: object) -> Message:
    """A message: `say(N_("低保%(category)s类"), category="B")`."""
    return Message(template, tuple(params.items()))


def _same(text: str) -> str:
    return text


def chinese_value(part: object) -> str:
    """A part as the Chinese screen shows it."""
    if isinstance(part, Yuan):
        return format_yuan(part.fen)
    if isinstance(part, Day):
        return f"{part.value.year}年{part.value.month}月{part.value.day}日"
    if isinstance(part, Month):
        return f"{part.value.year}年{part.value.month}月"
    if isinstance(part, MonthName):
        return f"{part.month}月"
    if isinstance(part, Term):
        return part.zh
    return str(part)
