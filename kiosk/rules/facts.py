"""The facts rules are computed from: a person, their enrolments, their household, and dates.

Plain immutable values with no I/O; the store builds them, the rules read them. A household (village +
户号, its head and its verified per-capita income) is there only where the county imported one: a
household 差额 or a payment to the head needs it, a flat amount per person does not.
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
    household: Household | None = None

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


@dataclass(frozen=True, slots=True)
class HouseholdIncome:
    """A household's monthly income per member, as verified (核定) on a day; it holds until the next one."""

    verified_on: dt.date
    per_capita_fen: int


@dataclass(frozen=True, slots=True)
class Household:
    """The household a person belongs to: every member on the roster (their own facts, with no household of
    their own), which of them is the person (`self_index`) and which the head (户主), and its incomes."""

    members: tuple[PersonFacts, ...]
    self_index: int
    head_index: int | None = None
    head_name: str = ""  # masked (王*明): the person an explanation says a household payment goes to
    incomes: tuple[HouseholdIncome, ...] = ()  # oldest first

    @property
    def is_head(self) -> bool:
        return self.head_index is not None and self.head_index == self.self_index

    def income_on(self, day: dt.date) -> HouseholdIncome | None:
        """The income verified last on or before `day`, if any."""
        found = None
        for income in self.incomes:
            if income.verified_on <= day:
                found = income
            else:
                break
        return found

    def member_facts(self, index: int) -> PersonFacts:
        """Member `index`'s facts, carrying this household (seen from that member)."""
        member = self.members[index]
        return PersonFacts(
            member.birth_on,
            member.death_on,
            member.enrolments,
            Household(self.members, index, self.head_index, self.head_name, self.incomes),
        )

    @classmethod
    def assemble(
        cls,
        person_id: int,
        members: list[tuple[int, PersonFacts]],
        head_id: int | None,
        head_name: str,
        incomes: list[HouseholdIncome],
    ) -> Household:
        """A household as a ledger stores it: members by their ids (the person among them), the head's id."""
        ids = [member_id for member_id, _ in members]
        return cls(
            tuple(facts for _, facts in members),
            ids.index(person_id),
            ids.index(head_id) if head_id in ids else None,
            head_name,
            tuple(sorted(incomes, key=lambda income: income.verified_on)),
        )

    def everyone(self) -> list[PersonFacts]:
        return [self.member_facts(index) for index in range(len(self.members))]
