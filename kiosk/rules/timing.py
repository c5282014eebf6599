"""When a right begins and ends, and the day its facts are read: a programme's timing rules, as data.

A policy file may carry a `[timing]` table (docs/policies.md):

    [timing]
    start = "period_start"    # how an approval counts: period_start | same_period | next_period
    age = "next_period"       # how an age reached counts (the same choices; default: as start)
    end = "period_owed"       # the period a decision ends in: period_owed | period_not_owed
    death = "period_owed"     # the period of death: period_owed | period_not_owed
    read_on = { S2 = "09-01" }   # the day facts are read, per period (S1, S2, Q1…, M01…, Y): "MM-DD"
    reference = "《…》第九条：年满60周岁的次月起领取"

Without it a programme keeps the rule the engine always had: facts as they stand on the period's first
day (a right that begins on the 1st counts for that period, one that begins on the 2nd from the next; the
period of death is owed).

- start (an approval) and age (an age reached) = period_start: owed from the first period that starts on or
  after the day;
  same_period: the period containing the day is owed (approved on the 15th: that month);
  next_period: owed from the period after the one containing the day ("年满60周岁的次月起").
- end / death = period_owed: the period containing the last day is owed; period_not_owed: it is not.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kiosk.rules.facts import Enrolment, PersonFacts
from kiosk.rules.periods import Period

STARTS = ("period_start", "same_period", "next_period")
STOPS = ("period_owed", "period_not_owed")
_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class TimingError(ValueError):
    """A `[timing]` table that uses a shape wrongly (the policy loader names the file)."""


@dataclass(frozen=True, slots=True)
class Timing:
    start: str = "period_start"
    age: str = "period_start"
    end: str = "period_owed"
    death: str = "period_owed"
    read_on: dict[str, tuple[int, int]] = field(default_factory=dict)  # period key → (month, day)
    reference: str = ""

    @property
    def stated(self) -> bool:
        """True when the policy file says its timing (then its lines carry the timing's reference)."""
        return bool(self.reference)

    def read_day(self, period: Period) -> dt.date:
        """The day the period's facts (category, stage, area, grade) are read."""
        if not self.read_on:  # most programmes: the period's first day, asked on every line
            return period.start_on
        found = self.read_on.get(_key(period))
        if found is None:
            return period.start_on
        month, day = found
        return dt.date(period.start_on.year, month, day)

    def begins(self, day: dt.date, period: Period, rule: str | None = None) -> bool:
        """Does a right that begins on `day` count for `period`, by `rule` (default: the approval's)?"""
        rule = rule or self.start
        if rule == "same_period":
            return day <= period.end_on
        if rule == "next_period":
            return day < period.start_on
        return day <= self.read_day(period)

    def reaches(self, day: dt.date, period: Period) -> bool:
        """Does an age reached on `day` count for `period`?"""
        return self.begins(day, period, self.age)

    def holds(self, last_day: dt.date | None, period: Period, rule: str) -> bool:
        """Does a right whose last day is `last_day` (None: open) still count for `period`?"""
        if last_day is None:
            return True
        if rule == "period_not_owed":
            return last_day > period.end_on
        return last_day >= period.start_on

    def alive_for(self, facts: PersonFacts, period: Period) -> bool:
        return self.holds(facts.death_on, period, self.death)

    def enrolment(self, facts: PersonFacts, programme: str, period: Period) -> Enrolment | None:
        """The enrolment that governs `period`: of those that count for it, the one that started last (a
        later decision replaces an earlier one that was never closed)."""
        governing = None
        day = self.read_day(period)
        for enrolment in facts.enrolments:
            if enrolment.programme != programme or not self.begins(enrolment.start_on, period):
                continue
            if not self.holds(enrolment.end_on, period, self.end):
                continue
            if self.start == "period_start" and enrolment.end_on is not None and enrolment.end_on < day:
                continue  # read on a later day than the period's first: ended before it
            if governing is None or enrolment.start_on > governing.start_on:
                governing = enrolment
        return governing

    def starting_in(self, facts: PersonFacts, programme: str, period: Period) -> Enrolment | None:
        """An enrolment that begins within `period` but does not count for it yet (its timing's doing)."""
        for enrolment in facts.enrolments:
            within = period.start_on <= enrolment.start_on <= period.end_on
            if enrolment.programme == programme and within and not self.begins(enrolment.start_on, period):
                return enrolment
        return None


def reached_on(birth_on: dt.date, years: int) -> dt.date:
    """The day someone born on `birth_on` turns `years` (29 February: 1 March in other years)."""
    try:
        return birth_on.replace(year=birth_on.year + years)
    except ValueError:
        return dt.date(birth_on.year + years, 3, 1)


def _key(period: Period) -> str:
    if period.kind == "semester":
        return "S1" if period.first_month == 1 else "S2"
    if period.kind == "quarter":
        return f"Q{(period.first_month - 1) // 3 + 1}"
    if period.kind == "month":
        return f"M{period.first_month:02d}"
    return "Y"


def parse_timing(raw: object, period_kind: str) -> Timing:
    """A `[timing]` table as a Timing; TimingError names what is wrong."""
    if raw is None:
        return Timing()
    if not isinstance(raw, dict):
        raise TimingError("timing must be a table")
    unknown = set(raw) - {"start", "age", "end", "death", "read_on", "reference"}
    if unknown:
        raise TimingError(
            f"timing: unknown keys {sorted(unknown)} (start, age, end, death, read_on, reference)"
        )
    start = raw.get("start", "period_start")
    age = raw.get("age", start)
    for name, value in (("start", start), ("age", age)):
        if value not in STARTS:
            raise TimingError(f"timing.{name} must be one of {', '.join(STARTS)}, not {value!r}")
    stops = {}
    for name in ("end", "death"):
        value = raw.get(name, "period_owed")
        if value not in STOPS:
            raise TimingError(f"timing.{name} must be one of {', '.join(STOPS)}, not {value!r}")
        stops[name] = value
    read_on = _read_on(raw.get("read_on", {}), period_kind)
    reference = raw.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise TimingError('timing: a legal reference is required (reference = "…")')
    return Timing(str(start), str(age), stops["end"], stops["death"], read_on, reference.strip())


def _read_on(raw: object, period_kind: str) -> dict[str, tuple[int, int]]:
    keys = {
        "semester": {"S1": (1, 6), "S2": (7, 12)},
        "quarter": {f"Q{q}": (3 * q - 2, 3 * q) for q in range(1, 5)},
        "month": {f"M{m:02d}": (m, m) for m in range(1, 13)},
        "year": {"Y": (1, 12)},
    }[period_kind]
    if isinstance(raw, str):  # one day for every period of a yearly programme
        raw = {"Y": raw} if period_kind == "year" else raw
    if not isinstance(raw, dict):
        raise TimingError(f'timing.read_on must be a table such as {{ {next(iter(keys))} = "MM-DD" }}')
    found: dict[str, tuple[int, int]] = {}
    for key, text in raw.items():
        if key not in keys:
            raise TimingError(f"timing.read_on.{key}: for a {period_kind} programme use {', '.join(keys)}")
        match = _DAY.match(str(text))
        if match is None:
            raise TimingError(f'timing.read_on.{key} must be a day of the year such as "09-01", not {text!r}')
        month, day = int(match.group(1)), int(match.group(2))
        first, last = keys[key]
        try:
            dt.date(2001, month, day)
        except ValueError:
            raise TimingError(f"timing.read_on.{key}: {text!r} is not a day of the year") from None
        if not first <= month <= last:
            raise TimingError(f"timing.read_on.{key}: {text!r} is not within that period")
        found[key] = (month, day)
    return found
