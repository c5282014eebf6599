"""Relations between programmes as data: 特困 excludes 低保 (the later line owes nothing and says why, with
its reference), the living subsidy needs 低保, each counted by the other programme's own timing; a
`[relations]` table used wrongly is refused by name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.rules import Enrolment, PersonFacts, load_rulebook_from, parse_period
from kiosk.rules.parameters import PolicyError

PARAMS = Path(__file__).resolve().parents[2] / "kiosk" / "rules" / "params"


def owed(rulebook, code: str, facts: PersonFacts, period: str):  # type: ignore[no-untyped-def]
    return rulebook.owed(code, facts, parse_period(period))


def person(*enrolments: Enrolment) -> PersonFacts:
    return PersonFacts(dt.date(1950, 1, 1), None, enrolments)


def test_a_person_in_tekun_is_not_also_owed_dibao(rulebook):
    facts = person(
        Enrolment("dibao", dt.date(2020, 1, 1), None, "A"), Enrolment("tekun", dt.date(2025, 6, 1))
    )
    assert owed(rulebook, "dibao", facts, "2025-05").amount_fen == 38000
    june = owed(rulebook, "dibao", facts, "2025-06")
    assert june.amount_fen == 0 and june.explanation == "同期享受特困人员救助供养，按规定不再享受此项"
    assert "特困供养人员不再同时享受最低生活保障" in june.reference
    assert owed(rulebook, "tekun", facts, "2025-06").amount_fen > 0


def test_the_living_subsidy_needs_dibao(rulebook):
    living = Enrolment("disability_living", dt.date(2020, 1, 1), None, None, Decimal(1))
    alone = owed(rulebook, "disability_living", person(living), "2025-03")
    assert alone.amount_fen == 0 and alone.explanation == "须同时享受农村最低生活保障，2025年3月未享受"
    assert "国发〔2015〕52号" in alone.reference
    with_dibao = person(living, Enrolment("dibao", dt.date(2025, 3, 15), None, "B"))
    assert owed(rulebook, "disability_living", with_dibao, "2025-03").amount_fen == 0, (
        "dibao counts from April"
    )
    assert owed(rulebook, "disability_living", with_dibao, "2025-04").amount_fen > 0


def sources(change: str = "", code: str = "dibao") -> dict[str, tuple[str, str]]:
    found = {}
    for path in PARAMS.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == code:
            text = re.sub(r"\[relations\]\n(?:[a-z_]+ = .*\n)+", change, text)
        found[path.stem] = (path.name, text)
    return found


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (
            '[relations]\nexcluded_by = [{ programme = "lottery", reference = "x" }]\n',
            "relations name unknown programmes: lottery",
        ),
        (
            '[relations]\nexcluded_by = [{ programme = "dibao", reference = "x" }]\n',
            "cannot exclude or require itself",
        ),
        (
            '[relations]\nexcluded_by = [{ programme = "tekun" }]\n',
            "each entry is { programme = …, reference",
        ),
        (
            '[relations]\nrequires = [{ any_of = [], reference = "x" }]\n',
            "relations.requires.any_of must name programme codes",
        ),
        ('[relations]\nexcluded_by = "tekun"\n', "relations.excluded_by must be a list of tables"),
        ("[relations]\nforbids = []\n", "relations must be a table of excluded_by and requires lists"),
    ],
)
def test_a_relations_table_used_wrongly_is_refused_by_name(table, words):
    with pytest.raises(PolicyError, match=re.escape(words)) as caught:
        load_rulebook_from(sources(table))
    assert "dibao.toml" in str(caught.value)


def test_without_the_relation_both_are_owed(rulebook):
    plain = load_rulebook_from(sources(""))
    facts = person(
        Enrolment("dibao", dt.date(2020, 1, 1), None, "A"), Enrolment("tekun", dt.date(2020, 1, 1))
    )
    assert owed(plain, "dibao", facts, "2025-06").amount_fen == 38000
    assert dataclasses.replace(plain.policies["dibao"]).relations.excluded_by == ()
