"""The facts rules are computed from: a person, their enrolments, their household, and dates.

Plain immutable values with no I/O; the store builds them, the rules read them. A household (village +
户号, its head and its verified per-capita income) is there only where the county imported one: a
household 差额 or a payment to the head needs it, a flat amount per person does not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from kiosk.core.person import mask_name


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


HouseholdRow = (
    tuple  # (person id, ID number, name, birth_on, death_on, village code, village name, number, head id)
)


def group_households(
    rows: list[HouseholdRow],
    enrolments: dict[int, tuple[Enrolment, ...]],
    incomes_of: Callable[[str, str], list[HouseholdIncome]] | None,
) -> list[tuple[str, str, str, str, str, list[PersonFacts]]]:
    """Person rows as a ledger reads them (dates as dates; ordered by village, household, id) grouped into
    households: (village code, village name, number, head's name, head's ID number, every member's facts).
    The head is the household's 户主, else its first enrolled member, else its first; with `incomes_of`
    (village, number → incomes), each member's facts carry the household — a number beginning "#" stands
    for a person with no 户号, a household alone, with none."""
    groups: dict[tuple[str, str], list[HouseholdRow]] = {}
    for row in rows:
        groups.setdefault((row[5], row[7]), []).append(row)
    found = []
    for (village, number), members in groups.items():
        ids = [m[0] for m in members]
        recorded = members[0][8]
        head_id = (
            recorded if recorded in ids else next((m[0] for m in members if enrolments.get(m[0])), ids[0])
        )
        head = next(m for m in members if m[0] == head_id)
        facts = [(m[0], PersonFacts(m[3], m[4], enrolments.get(m[0], ()))) for m in members]
        people = [f for _, f in facts]
        if incomes_of is not None and not number.startswith("#"):
            built = Household.assemble(
                ids[0], facts, recorded, mask_name(head[2]), incomes_of(village, number)
            )
            people = built.everyone()
        found.append((village, members[0][6], number, head[2], head[1], people))
    return found
