"""What a programme makes public (公示), as data in its policy file, and each household's public entry.

The 低保 review rules require the township to publish, in the village and for a set period, an approved
household's name, size and amount, protecting privacy and publishing nothing unrelated; counties also list
current recipients. A policy file says exactly that:

    [disclosure]
    fields = ["head_name", "household_size", "category", "monthly_amount", "since"]
    publicity_days = 7          # a new approval or a cancellation is 公示中 for this many days
    names = "full"              # full | masked: as the rules require
    reference = "《最低生活保障审核确认办法》第二十条…"

Only the fields listed reach a page or the wire: never an ID number, account or address, which no field
names. A programme without `[disclosure]` is not disclosed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FIELDS = ("head_name", "household_size", "category", "monthly_amount", "since")
NAMES = ("full", "masked")


class DisclosureError(ValueError):
    """A `[disclosure]` table used wrongly (the policy loader names the file)."""


@dataclass(frozen=True, slots=True)
class DisclosureRule:
    fields: tuple[str, ...]
    publicity_days: int
    names: str
    reference: str


def parse_disclosure(raw: object) -> DisclosureRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"fields", "publicity_days", "names", "reference"}:
        raise DisclosureError("disclosure must be a table of fields, publicity_days, names and reference")
    fields = raw.get("fields")
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise DisclosureError(f"disclosure.fields must list some of: {', '.join(FIELDS)}")
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise DisclosureError(
            f"disclosure.fields: {', '.join(unknown)} cannot be disclosed (only {', '.join(FIELDS)})"
        )
    days = raw.get("publicity_days", 7)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        raise DisclosureError("disclosure.publicity_days must be a whole number of days from 1 to 90")
    names = raw.get("names", "full")
    if names not in NAMES:
        raise DisclosureError(f"disclosure.names must be one of {', '.join(NAMES)}, not {names!r}")
    reference = raw.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise DisclosureError('disclosure: a legal reference is required (reference = "…")')
    return DisclosureRule(tuple(dict.fromkeys(fields)), days, str(names), reference.strip())


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a household stands in a programme's public lists on a day."""

    state: str  # "new" (approved, 公示中), "current", "cancelled" (公示中), or "" (not listed)
    since: dt.date | None = None  # the current run's first day
    ends_on: dt.date | None = None  # the last day of the 公示 period, for new and cancelled
    days_left: int = 0


def standing(
    starts: list[dt.date], last_end: dt.date | None, current: bool, rule: DisclosureRule, today: dt.date
) -> Standing:
    """`starts`: the first days of the household's enrolments in force today (when `current`); `last_end`:
    the last day of its latest enrolment when none is in force. A new approval is 公示中 from its first day
    for `publicity_days` days (today included), then current; a cancellation the same from its last day."""
    if current:
        since = min(starts)
        ends_on = since + dt.timedelta(days=rule.publicity_days - 1)
        if since <= today <= ends_on:
            return Standing("new", since, ends_on, (ends_on - today).days + 1)
        return Standing("current", since)
    if last_end is not None:
        ends_on = last_end + dt.timedelta(days=rule.publicity_days)
        if last_end < today <= ends_on:
            return Standing("cancelled", None, ends_on, (ends_on - today).days + 1)
    return Standing("")
