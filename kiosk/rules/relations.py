"""Relations between programmes, as data: a programme another one excludes (特困 ⟂ 低保: a person in
特困 support is not also owed 低保), and one that needs another (the living subsidy for persons with
disabilities is for 低保 households). A policy file may carry:

    [relations]
    excluded_by = [{ programme = "tekun", reference = "《社会救助暂行办法》…" }]
    requires = [{ any_of = ["dibao"], household = true, reference = "国发〔2015〕52号…" }]

`household = true` asks it of the person's household (a 低保 household: any member counts), not only of
the person; without a household on the roster it is asked of the person alone.
Whether the other programme counts for a period is that programme's own timing (kiosk.rules.timing).
A line the relation zeroes says why, with the relation's reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kiosk.core.i18n import N_, Message, Term, say
from kiosk.rules.facts import PersonFacts
from kiosk.rules.periods import Period

Counts = Callable[[PersonFacts, Period], bool]  # does a programme count for a period (its own timing)?


class RelationError(ValueError):
    """A `[relations]` table used wrongly (the loader names the file)."""


@dataclass(frozen=True, slots=True)
class Relation:
    programmes: tuple[str, ...]  # excluded_by: the one programme; requires: any of these
    reference: str
    household: bool = False  # requires: of anyone in the household (a 低保 household)


@dataclass(frozen=True, slots=True)
class Relations:
    excluded_by: tuple[Relation, ...] = ()
    requires: tuple[Relation, ...] = ()

    def codes(self) -> set[str]:
        return {code for relation in (*self.excluded_by, *self.requires) for code in relation.programmes}


def parse_relations(raw: object) -> Relations:
    if raw is None:
        return Relations()
    if not isinstance(raw, dict) or set(raw) - {"excluded_by", "requires"}:
        raise RelationError("relations must be a table of excluded_by and requires lists")
    excluded = tuple(_relation(entry, "excluded_by", "programme") for entry in _entries(raw, "excluded_by"))
    required = tuple(_relation(entry, "requires", "any_of") for entry in _entries(raw, "requires"))
    return Relations(excluded, required)


def _entries(raw: dict, key: str) -> list:
    entries = raw.get(key, [])
    if not isinstance(entries, list):
        raise RelationError(f"relations.{key} must be a list of tables")
    return entries


def _relation(entry: object, key: str, field: str) -> Relation:
    optional = {"household"} if key == "requires" else set()
    if not isinstance(entry, dict) or not {field, "reference"} <= set(entry) <= {
        field,
        "reference",
        *optional,
    }:
        extra = ", household = true" if optional else ""
        raise RelationError(f'relations.{key}: each entry is {{ {field} = …{extra}, reference = "…" }}')
    household = entry.get("household", False)
    if not isinstance(household, bool):
        raise RelationError(f"relations.{key}.household must be true or false")
    reference = entry["reference"]
    if not isinstance(reference, str) or not reference.strip():
        raise RelationError(f"relations.{key}: a legal reference is required")
    codes = entry[field]
    codes = [codes] if isinstance(codes, str) else codes
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and c for c in codes):
        raise RelationError(f"relations.{key}.{field} must name programme codes")
    return Relation(tuple(codes), reference.strip(), household)


def relation_reason(
    relations: Relations,
    facts: PersonFacts,
    period: Period,
    counts: Mapping[str, Counts],
    names: Mapping[str, str],
) -> tuple[Message, str] | None:
    """(the reason as a Message, its reference) when a relation says nothing is owed for `period`, or None.
    `counts[code](facts, period)` tells whether programme `code` counts for the period."""
    for relation in relations.excluded_by:
        other = relation.programmes[0]
        if counts[other](facts, period):
            return (
                say(N_("同期享受%(other)s，按规定不再享受此项"), other=Term(other, "name", names[other])),
                relation.reference,
            )
    for relation in relations.requires:
        asked = [facts]
        if relation.household and facts.household is not None:
            asked = facts.household.everyone()
        if not any(counts[code](who, period) for code in relation.programmes for who in asked):
            first = relation.programmes[0]
            return (
                say(
                    N_("须为%(other)s家庭，%(period)s全户未享受")
                    if relation.household
                    else N_("须同时享受%(other)s，%(period)s未享受"),
                    other=Term(first, "name", names[first]),
                    period=period.label,
                ),
                relation.reference,
            )
    return None
