"""特困 by self-care ability: where a county's file adds `monthly_care_by_level`, the basic-living standard
plus the care standard of the person's level (全自理, 半失能, 全失能); a flat file keeps its flat amount."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.rules import Enrolment, PersonFacts, load_rulebook_from, parse_period

PARAMS = Path(__file__).resolve().parents[2] / "kiosk" / "rules" / "params"
CARE = """
[parameters.monthly_care_by_level]
description = "特困人员照料护理标准（按自理能力）"
unit = "fen"
values = [
  { start = 2023-01-01, value = { "全自理" = 5000, "半失能" = 30000, "全失能" = 60000 }, reference = "《特困人员认定办法》第十二条；示例县照料护理标准（演示）" },
]
"""


def rulebook(extra: str = CARE):  # type: ignore[no-untyped-def]
    sources = {}
    for path in PARAMS.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "tekun":
            text = text.replace("\n[timing]", extra + "\n[timing]", 1)
        sources[path.stem] = (path.name, text)
    return load_rulebook_from(sources)


def person(level: str | None) -> PersonFacts:
    return PersonFacts(dt.date(1950, 1, 1), None, (Enrolment("tekun", dt.date(2020, 1, 1), None, level),))


@pytest.mark.parametrize(("level", "care"), [("全自理", 5000), ("半失能", 30000), ("全失能", 60000)])
def test_the_care_standard_follows_self_care_ability(level, care):
    flat = rulebook("").owed("tekun", person(level), parse_period("2025-03")).amount_fen
    line = rulebook().owed("tekun", person(level), parse_period("2025-03"))
    assert line.amount_fen == flat + care
    assert f"加{level}照料护理每月{care / 100:.2f}元" in line.explanation and "第十二条" in line.reference
    assert "monthly_care_by_level@2023-01-01" in line.source


def test_a_level_the_file_does_not_know_owes_nothing_and_says_so():
    line = rulebook().owed("tekun", person("不知道"), parse_period("2025-03"))
    assert line.amount_fen == 0 and "不在照料护理标准中" in line.explanation
