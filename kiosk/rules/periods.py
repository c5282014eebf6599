"""Periods as immutable value types: month, quarter, year and semester.

A period knows its first and last day, its code (as in ledgers: 2025-03, 2025Q1,
2025, 2025S1) and its name in words for the villager (2025年3月).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar

from kiosk.core.i18n import N_, Message, Month, MonthName, say


class PeriodError(ValueError):
    """Raised when a period code cannot be parsed."""


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A span of whole months: `months` long, starting at `year`/`first_month`.

    Its first and last day and its hash are computed once: reconciliation looks
    them up for every line of every lookup.
    """

    year: int
    first_month: int
    kind: str = "month"
    start_on: dt.date = field(init=False, compare=False, repr=False)
    end_on: dt.date = field(init=False, compare=False, repr=False)
    _hash: int = field(init=False, compare=False, repr=False)

    MONTHS: ClassVar[dict[str, int]] = {"month": 1, "quarter": 3, "semester": 6, "year": 12}

    def __post_init__(self) -> None:
        start = dt.date(self.year, self.first_month, 1)
        object.__setattr__(self, "start_on", start)
        object.__setattr__(self, "end_on", add_months(start, self.MONTHS[self.kind]) - dt.timedelta(days=1))
        object.__setattr__(self, "_hash", hash((self.year, self.first_month, self.kind)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def months(self) -> int:
        return self.MONTHS[self.kind]

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.first_month:02d}"
        if self.kind == "quarter":
            return f"{self.year}Q{(self.first_month - 1) // 3 + 1}"
        if self.kind == "semester":
            return f"{self.year}S{1 if self.first_month == 1 else 2}"
        return f"{self.year}"

    @property
    def label_zh(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.first_month}月"
        if self.kind == "quarter":
            return f"{self.year}年第{(self.first_month - 1) // 3 + 1}季度"
        if self.kind == "semester":
            return f"{self.year}年{'春季' if self.first_month == 1 else '秋季'}学期"
        return f"{self.year}年"

    @property
    def label(self) -> Message:
        """The period's name in words, in any language (`label_zh` is its Chinese)."""
        if self.kind == "month":
            return say("%(month)s", month=Month(self.start_on))  # a month is a date: formatted per language
        if self.kind == "quarter":
            return say(
                N_("%(year)s年第%(quarter)s季度"), year=self.year, quarter=(self.first_month - 1) // 3 + 1
            )
        if self.kind == "semester":
            words = N_("%(year)s年春季学期") if self.first_month == 1 else N_("%(year)s年秋季学期")
            return say(words, year=self.year)
        return say(N_("%(year)s年"), year=self.year)

    @property
    def tail_label(self) -> Message:
        """The name without its year, for the end of a span within one year ("至8月", "至第3季度")."""
        if self.kind == "month":
            return say("%(month)s", month=MonthName(self.first_month))
        if self.kind == "quarter":
            return say(N_("第%(quarter)s季度"), quarter=(self.first_month - 1) // 3 + 1)
        if self.kind == "semester":
            return say(N_("春季学期") if self.first_month == 1 else N_("秋季学期"))
        return self.label

    def next(self) -> Period:
        start = add_months(self.start_on, self.months)
        return Period(start.year, start.month, self.kind)

    def contains(self, day: dt.date) -> bool:
        return self.start_on <= day <= self.end_on

    def __str__(self) -> str:
        return self.code


def period_of(kind: str, day: dt.date) -> Period:
    """Return the period of `kind` that contains `day`."""
    size = Period.MONTHS[kind]
    first = (day.month - 1) // size * size + 1
    return Period(day.year, first, kind)


@lru_cache(maxsize=256)
def periods_between(kind: str, first_on: dt.date, last_on: dt.date) -> tuple[Period, ...]:
    """Return every period of `kind` overlapping [first_on, last_on], in order."""
    periods = []
    period = period_of(kind, first_on)
    while period.start_on <= last_on:
        periods.append(period)
        period = period.next()
    return tuple(periods)


_PATTERNS = (
    (re.compile(r"^(\d{4})-?(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})年(\d{1,2})月$"), "month"),
    (re.compile(r"^(\d{4})Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})[SH]([12])$"), "semester"),
    (re.compile(r"^(\d{4})年?$"), "year"),
)


@lru_cache(maxsize=4096)
def parse_period(code: str) -> Period:
    """Parse a ledger period code.

    >>> parse_period("2025-03").label_zh, parse_period("2025Q2").code, parse_period("2025H2").code
    ('2025年3月', '2025Q2', '2025S2')
    """
    text = (code or "").strip().upper()
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if kind == "month":
            month = int(match.group(2))
            if not 1 <= month <= 12:
                break
            return Period(year, month, "month")
        if kind == "quarter":
            return Period(year, (int(match.group(2)) - 1) * 3 + 1, "quarter")
        if kind == "semester":
            return Period(year, 1 if match.group(2) == "1" else 7, "semester")
        return Period(year, 1, "year")
    raise PeriodError(f"not a period: {code!r}")
