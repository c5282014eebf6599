"""What a programme makes public, as data: the `[disclosure]` table's shapes and errors, and where a
household stands in the 公示 lists on a day (date-driven)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.rules import PolicyError, load_rulebook_from
from kiosk.rules.disclosure import DisclosureRule, standing

PARAMS = Path(__file__).resolve().parents[2] / "kiosk" / "rules" / "params"
RULE = DisclosureRule(("head_name",), 7, "full", "r")
DAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    ("starts", "last_end", "current", "expected"),
    [
        ([DAY], None, True, ("new", 7)),  # approved today: day 1 of 7
        ([DAY - dt.timedelta(days=6)], None, True, ("new", 1)),  # the last day of its 公示
        ([DAY - dt.timedelta(days=7)], None, True, ("current", 0)),
        (
            [DAY - dt.timedelta(days=400), DAY - dt.timedelta(days=2)],
            None,
            True,
            ("current", 0),
        ),  # earliest counts
        ([], DAY - dt.timedelta(days=1), False, ("cancelled", 7)),  # ended yesterday
        ([], DAY - dt.timedelta(days=7), False, ("cancelled", 1)),
        ([], DAY - dt.timedelta(days=8), False, ("", 0)),  # off the lists
        ([], DAY, False, ("", 0)),  # its last day is today: not yet a cancellation
    ],
)
def test_where_a_household_stands_on_a_day(starts, last_end, current, expected):
    found = standing(starts, last_end, current, RULE, DAY)
    assert (found.state, found.days_left) == expected


def rulebook_with(dibao_disclosure: str):  # type: ignore[no-untyped-def]
    sources = {path.stem: (path.name, path.read_text(encoding="utf-8")) for path in PARAMS.glob("*.toml")}
    text = sources["dibao"][1]
    start = text.index("[disclosure]")
    end = text.index("\n# When a right begins", start)
    sources["dibao"] = ("dibao.toml", text[:start] + dibao_disclosure + "\n" + text[end:])
    return load_rulebook_from(sources)


def test_the_bundled_files_disclose_dibao_and_tekun_only():
    book = rulebook_with('[disclosure]\nfields = ["head_name"]\nreference = "r"\n')
    assert {code for code, p in book.policies.items() if p.disclosure} == {"dibao", "tekun"}
    assert book.policies["dibao"].disclosure == DisclosureRule(("head_name",), 7, "full", "r")


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (
            '[disclosure]\nfields = ["head_name", "id_number"]\nreference = "r"',
            "id_number cannot be disclosed",
        ),
        ('[disclosure]\nfields = []\nreference = "r"', "disclosure.fields must list"),
        ('[disclosure]\nfields = ["head_name"]\npublicity_days = 0\nreference = "r"', "publicity_days"),
        ('[disclosure]\nfields = ["head_name"]\nnames = "initials"\nreference = "r"', "disclosure.names"),
        ('[disclosure]\nfields = ["head_name"]', "a legal reference is required"),
        (
            '[disclosure]\nfields = ["head_name"]\naddress = true\nreference = "r"',
            "disclosure must be a table",
        ),
    ],
)
def test_a_wrong_disclosure_table_is_refused_by_name(table, words):
    with pytest.raises(PolicyError, match="dibao.toml") as error:
        rulebook_with(table)
    assert words in str(error.value)
