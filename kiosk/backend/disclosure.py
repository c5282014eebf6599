"""A village's public lists (村务公开), computed from the ledger the way every amount is: from the imported
enrolments (approval and end dates) and the rules; then cut down to what each programme's policy file
makes public. The kiosk's store and the hub's roster both answer the reads; a remote kiosk gets the
same lists from the hub (`to_json` / `from_json`).

An entry carries, beyond its public fields, an opaque id for an objection and the head's keyed hash
(the hub links an objection to its household by it); neither is shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from device.idnumber import mask_id_number
from kiosk.core.complaint import person_key
from kiosk.core.person import mask_name
from kiosk.rules import PersonFacts, Rulebook, period_of
from kiosk.rules.disclosure import standing

STATES = ("new", "cancelled", "current")  # the order a programme's page shows them


class DisclosureLedger(Protocol):
    def disclosure_households(
        self, village_codes: list[str], programmes: list[str], *, household: bool
    ) -> list[tuple[str, str, str, str, str, list[PersonFacts]]]: ...

    def village_payments(
        self, village_codes: list[str], programmes: list[str], year: int
    ) -> list[tuple[str, int, int]]: ...


@dataclass(frozen=True)
class Entry:
    programme: str
    village: str  # the village's name
    state: str  # new | current | cancelled
    shown: dict[str, Any]  # only the fields the programme discloses
    days_left: int = 0
    ends_on: str = ""
    entry_id: str = ""  # opaque: what an objection names
    subject_key: str = ""  # the head's keyed hash: never shown
    masked_id: str = ""  # the head's masked ID number: never shown, carried on an objection


@dataclass
class ProgrammeList:
    code: str
    name: str
    reference: str
    fields: tuple[str, ...]
    entries: list[Entry] = field(default_factory=list)
    households_paid: int = 0
    paid_fen: int = 0

    def of(self, state: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.state == state]


@dataclass
class VillageDisclosure:
    villages: list[str]  # names
    today: dt.date
    programmes: list[ProgrammeList]

    def programme(self, code: str) -> ProgrammeList | None:
        return next((p for p in self.programmes if p.code == code), None)

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for p in self.programmes for e in p.entries if e.entry_id == entry_id), None)


def disclose(
    ledger: DisclosureLedger, rulebook: Rulebook, village_codes: Sequence[str], *, today: dt.date, secret: str
) -> VillageDisclosure:
    """The public lists of these villages on `today`, for every programme whose file discloses anything."""
    codes = [code for code, policy in rulebook.policies.items() if policy.disclosure is not None]
    villages = list(village_codes)
    households = (
        ledger.disclosure_households(villages, codes, household=rulebook.uses_households) if codes else []
    )
    names = sorted({row[1] for row in households})
    lists = []
    paid = (
        {code: (n, fen) for code, n, fen in ledger.village_payments(villages, codes, today.year)}
        if codes
        else {}
    )
    for code in codes:
        policy = rulebook.policies[code]
        rule = policy.disclosure
        assert rule is not None  # noqa: S101 - chosen above
        listing = ProgrammeList(code, policy.name, rule.reference, rule.fields, [], *paid.get(code, (0, 0)))
        period = period_of(policy.period_kind, today)
        for village, village_name, number, head_name, head_number, members in households:
            active = [
                e
                for m in members
                if m.alive_on(today)
                for e in m.enrolments
                if e.programme == code and e.active_on(today)
            ]
            ended = [e.end_on for m in members for e in m.enrolments if e.programme == code and e.end_on]
            ever = any(e.programme == code for m in members for e in m.enrolments)
            if not ever:
                continue
            last = max(ended) if ended else None
            where = standing([e.start_on for e in active], last, bool(active), rule, today)
            if not where.state:
                continue
            counted = [  # who the entry is about: those enrolled today, or those whose enrolment ended last
                m
                for m in members
                if any(
                    e.programme == code
                    and ((e.active_on(today) and m.alive_on(today)) if active else e.end_on == last)
                    for e in m.enrolments
                )
            ]
            amount = 0
            if active:  # approved mid-period, a household is owed from a later one: show what it is owed then
                amount = sum(rulebook.share(code, m, period).amount_fen for m in counted)
                if not amount:
                    amount = sum(rulebook.share(code, m, period.next()).amount_fen for m in counted)
            listed = active or [
                e for m in counted for e in m.enrolments if e.programme == code and e.end_on == last
            ]
            categories = sorted({e.category for e in listed if e.category})
            size = len(counted)
            public = {
                "head_name": head_name if rule.names == "full" else mask_name(head_name),
                "household_size": size,
                "category": "、".join(categories),
                "monthly_amount": amount,
                "since": where.since.isoformat() if where.since else "",
            }
            entry_id = hashlib.sha256(f"{secret}|{code}|{village}|{number}".encode()).hexdigest()[:16]
            listing.entries.append(
                Entry(
                    code,
                    village_name,
                    where.state,
                    {name: public[name] for name in rule.fields},
                    where.days_left,
                    where.ends_on.isoformat() if where.ends_on else "",
                    entry_id,
                    person_key(head_number, secret),
                    mask_id_number(head_number),
                )
            )
        listing.entries.sort(
            key=lambda e: (STATES.index(e.state), e.village, str(e.shown.get("head_name", "")))
        )
        lists.append(listing)
    return VillageDisclosure(names, today, lists)


def to_json(disclosure: VillageDisclosure) -> dict[str, Any]:
    return {
        "villages": disclosure.villages,
        "today": disclosure.today.isoformat(),
        "programmes": [
            {
                "code": p.code,
                "name": p.name,
                "reference": p.reference,
                "fields": list(p.fields),
                "households_paid": p.households_paid,
                "paid_fen": p.paid_fen,
                "entries": [
                    {
                        "village": e.village,
                        "state": e.state,
                        "shown": e.shown,
                        "days_left": e.days_left,
                        "ends_on": e.ends_on,
                        "entry_id": e.entry_id,
                        "subject_key": e.subject_key,
                        "masked_id": e.masked_id,
                    }
                    for e in p.entries
                ],
            }
            for p in disclosure.programmes
        ],
    }


def from_json(data: dict[str, Any]) -> VillageDisclosure:
    """Rebuild the lists the hub sent; raises KeyError/ValueError/TypeError on a malformed answer. A field
    the programme does not list is dropped even if the hub sent it."""
    programmes = []
    for p in data["programmes"]:
        fields = tuple(str(f) for f in p["fields"])
        listing = ProgrammeList(
            str(p["code"]),
            str(p["name"]),
            str(p["reference"]),
            fields,
            [],
            int(p["households_paid"]),
            int(p["paid_fen"]),
        )
        for e in p["entries"]:
            if e["state"] not in STATES:
                raise ValueError(f"unknown state {e['state']!r}")
            shown = {k: v for k, v in dict(e["shown"]).items() if k in fields}
            listing.entries.append(
                Entry(
                    listing.code,
                    str(e["village"]),
                    str(e["state"]),
                    shown,
                    int(e["days_left"]),
                    str(e["ends_on"]),
                    str(e["entry_id"]),
                    str(e["subject_key"]),
                    str(e["masked_id"]),
                )
            )
        programmes.append(listing)
    return VillageDisclosure(
        [str(v) for v in data["villages"]], dt.date.fromisoformat(data["today"]), programmes
    )
