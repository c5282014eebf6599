"""Policy finds people: programmes a person's facts suggest but they are not enrolled in.

A hint is advice to ask, never money owed: eligibility depends on checks the
kiosk cannot make (applications, income tests), so it is shown as 可能符合.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.core.i18n import N_, Message, Term, say
from kiosk.rules.facts import PersonFacts
from kiosk.rules.parameters import ProgrammePolicy


@dataclass(frozen=True, slots=True)
class Hint:
    """A programme the person may qualify for, why we think so, and whom to ask."""

    programme: str
    name: str
    reason: str
    department: str
    why: Message | None = None  # `reason` with its parts

    @property
    def message(self) -> Message:
        return say(
            N_("您可能符合“%(name)s”：%(reason)s。请咨询%(department)s。"),
            name=Term(self.programme, "name", self.name),
            reason=self.why or say("%(reason)s", reason=self.reason),
            department=Term(self.programme, "department", self.department),
        )

    @property
    def message_zh(self) -> str:
        return str(self.message)


def find_hints(facts: PersonFacts, today: dt.date, policies: Mapping[str, ProgrammePolicy]) -> list[Hint]:
    """Return hints for programmes the facts suggest on `today` but that have no active enrolment."""
    if not facts.alive_on(today):
        return []
    age = facts.age_on(today)
    hints: list[Hint] = []

    def suggest(code: str, reason: Message) -> None:
        policy = policies.get(code)
        if policy is not None and facts.enrolment(code, today) is None:
            hints.append(Hint(code, policy.name, str(reason), policy.department, reason))

    if "pension_basic" in policies:
        min_age = policies["pension_basic"]["min_age"].at(today).value
        if age >= min_age:  # type: ignore[operator]
            suggest("pension_basic", say(N_("您已年满%(age)s周岁"), age=min_age))
    if "elderly_allowance" in policies:
        lowest = min(int(b) for b in policies["elderly_allowance"]["monthly_by_age"].at(today).value)  # type: ignore[union-attr]
        if age >= lowest:
            suggest("elderly_allowance", say(N_("您已年满%(age)s周岁"), age=lowest))
    living = facts.enrolment("disability_living", today)
    care = facts.enrolment("disability_care", today)
    if living is not None and living.quantity is not None and int(living.quantity) in (1, 2):
        suggest("disability_care", say(N_("您持有一、二级残疾证")))
    poor = facts.enrolment("dibao", today) or facts.enrolment("tekun", today)
    if care is not None and poor is not None:
        suggest("disability_living", say(N_("您持有残疾证并享受低保或特困供养")))
    return hints
