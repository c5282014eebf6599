"""The facts rules are computed from: a person, their enrolments, and dates.

Plain immutable values with no I/O; the store builds them, the rules read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Enrolment:
    """Enrolment in a programme (or a fact such as farmland area) valid from start to end.

    `quantity` is mu of land, a disability grade, …; `category` a 低保 class or school stage.
    `end_on` is the last day it holds; None means open-ended.
    """

    programme: str
    start_on: dt.date
    end_on: dt.date | None = None
    category: str | None = None
    quantity: Decimal | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.start_on <= day and (self.end_on is None or day <= self.end_on)


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the rules need to know about one person."""

    birth_on: dt.date
    death_on: dt.date | None = None
    enrolments: tuple[Enrolment, ...] = field(default_factory=tuple)

    def age_on(self, day: dt.date) -> int:
        """Return completed years of age on `day`."""
        years = day.year - self.birth_on.year
        if (day.month, day.day) < (self.birth_on.month, self.birth_on.day):
            years -= 1
        return years

    def alive_on(self, day: dt.date) -> bool:
        return self.death_on is None or day <= self.death_on

    def enrolment(self, programme: str, day: dt.date) -> Enrolment | None:
        """Return the enrolment in `programme` active on `day`, if any."""
        for enrolment in self.enrolments:
            if enrolment.programme == programme and enrolment.active_on(day):
                return enrolment
        return None

    def ever_enrolled(self, programme: str) -> bool:
        return any(e.programme == programme for e in self.enrolments)
