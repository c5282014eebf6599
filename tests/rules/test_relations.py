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


URBAN = """
code = "dibao_urban"
rule = "dibao"
name = "城市最低生活保障"
department = "县民政局"
period = "month"
note = "演示"

[parameters.monthly_by_category]
description = "城市低保月补助"
unit = "fen"
values = [{ start = 2023-01-01, value = { "A" = 60000 }, reference = "示例县城市低保标准（演示）" }]

[relations]
excluded_by = [{ programme = "dibao", reference = "城乡低保不得重复享受（示例县，演示）" }]
"""
ENTERPRISE = """
code = "pension_enterprise"
rule = "record"
name = "企业职工基本养老金（登记）"
department = "县人力资源和社会保障局"
period = "month"
note = "演示"

[timing]
reference = "《城乡养老保险制度衔接暂行办法》第八条：不得同时领取（演示）"
"""


def county_rulebook():  # type: ignore[no-untyped-def]
    sources = {path.stem: (path.name, path.read_text(encoding="utf-8")) for path in PARAMS.glob("*.toml")}
    pension = sources["pension_basic"][1].replace(
        "\n[timing]",
        '\n[relations]\nexcluded_by = [{ programme = "pension_enterprise", reference = "第八条（演示）" }]\n\n[timing]',
        1,
    )
    sources["pension_basic"] = ("pension_basic.toml", pension)
    sources["dibao_urban"] = ("dibao_urban.toml", URBAN)
    sources["pension_enterprise"] = ("pension_enterprise.toml", ENTERPRISE)
    return load_rulebook_from(sources)


def test_a_county_programme_computed_by_a_known_rule_and_excluded_by_rural_dibao():
    book = county_rulebook()
    assert book.codes[-2:] == ["dibao_urban", "pension_enterprise"]
    urban_only = person(Enrolment("dibao_urban", dt.date(2020, 1, 1), None, "A"))
    assert owed(book, "dibao_urban", urban_only, "2025-03").amount_fen == 60000
    both = person(
        Enrolment("dibao_urban", dt.date(2020, 1, 1), None, "A"),
        Enrolment("dibao", dt.date(2025, 1, 1), None, "A"),
    )
    line = owed(book, "dibao_urban", both, "2025-03")
    assert (
        line.amount_fen == 0
        and "同期享受农村最低生活保障" in line.explanation
        and "城乡低保" in line.reference
    )


def test_a_record_programme_owes_nothing_and_excludes_the_residents_pension():
    book = county_rulebook()
    retired = person(
        Enrolment("pension_basic", dt.date(2015, 1, 1)), Enrolment("pension_enterprise", dt.date(2025, 6, 1))
    )
    assert owed(book, "pension_basic", retired, "2025-05").amount_fen > 0
    june = owed(book, "pension_basic", retired, "2025-06")
    assert june.amount_fen == 0 and "企业职工基本养老金" in june.explanation
    record = owed(book, "pension_enterprise", retired, "2025-06")
    assert record.amount_fen == 0 and "仅作登记" in record.explanation


def test_an_unknown_rule_is_refused_by_name():
    with pytest.raises(PolicyError, match="unknown rule 'lottery'"):
        load_rulebook_from(
            {
                **{p.stem: (p.name, p.read_text(encoding="utf-8")) for p in PARAMS.glob("*.toml")},
                "bonus": (
                    "bonus.toml",
                    URBAN.replace('rule = "dibao"', 'rule = "lottery"').replace("dibao_urban", "bonus"),
                ),
            }
        )
