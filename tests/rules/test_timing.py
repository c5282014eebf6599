"""Timing as data: when a right begins (an approval, an age reached), when it ends (a decision ending, a
death), and the day a period's facts are read — each as its policy file's `[timing]` says, explained with
its reference on the lines that owe nothing. Rule tables, one row per case a county meets every month."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.rules import Enrolment, PersonFacts, parse_period
from kiosk.rules.parameters import PolicyError, parse_policy
from kiosk.rules.timing import reached_on

PARAMS = Path(__file__).resolve().parents[2] / "kiosk" / "rules" / "params"


def with_timing(rulebook, code: str, timing: str):  # type: ignore[no-untyped-def]
    """The rulebook with `code`'s [timing] table replaced by `timing` (the table's body)."""
    text = (PARAMS / f"{code}.toml").read_text(encoding="utf-8")
    text = re.sub(
        r"\[timing\]\n(?:[a-z_]+ = .*\n)+", "[timing]\n" + timing + '\nreference = "测试依据"\n', text
    )
    policy = parse_policy(text, f"{code}.toml")
    return dataclasses.replace(rulebook, policies={**rulebook.policies, code: policy})


def owed(rulebook, code: str, facts: PersonFacts, period: str):  # type: ignore[no-untyped-def]
    return rulebook.owed(code, facts, parse_period(period))


def pensioner(born: dt.date) -> PersonFacts:
    return PersonFacts(born, None, (Enrolment("pension_basic", dt.date(2015, 1, 1)),))


@pytest.mark.parametrize(
    ("born", "march", "april"),
    [
        (dt.date(1965, 3, 1), 0, 12800),  # turns 60 on the 1st: still the month after
        (dt.date(1965, 3, 15), 0, 12800),
        (dt.date(1965, 3, 31), 0, 12800),  # the last day
        (dt.date(1965, 2, 28), 12300, 12800),  # the month before: March is the month after (old rate)
    ],
)
def test_the_pension_is_owed_from_the_month_after_the_60th_birthday(rulebook, born, march, april):
    assert owed(rulebook, "pension_basic", pensioner(born), "2025-03").amount_fen == march
    assert owed(rulebook, "pension_basic", pensioner(born), "2025-04").amount_fen == april


def test_a_county_that_pays_from_the_birthday_month_says_so_in_its_file(rulebook):
    from_the_first = with_timing(rulebook, "pension_basic", 'start = "period_start"\nage = "period_start"')
    assert (
        owed(from_the_first, "pension_basic", pensioner(dt.date(1965, 3, 1)), "2025-03").amount_fen == 12300
    )
    assert owed(from_the_first, "pension_basic", pensioner(dt.date(1965, 3, 2)), "2025-03").amount_fen == 0
    same_month = with_timing(rulebook, "pension_basic", 'age = "same_period"')
    assert owed(same_month, "pension_basic", pensioner(dt.date(1965, 3, 31)), "2025-03").amount_fen == 12300


def test_the_month_of_the_birthday_says_why_it_owes_nothing_with_the_reference(rulebook):
    march = owed(rulebook, "pension_basic", pensioner(dt.date(1965, 3, 1)), "2025-03")
    assert march.explanation == "2025年3月1日年满60周岁，按规定次月起发放"
    assert "年满60周岁的次月起" in march.reference


def test_feb_29_birthdays_are_reached_on_1_march():
    assert reached_on(dt.date(1964, 2, 29), 61) == dt.date(2025, 3, 1)
    assert reached_on(dt.date(1964, 2, 29), 60) == dt.date(2024, 2, 29)


def dibao(start: dt.date, end: dt.date | None = None, death: dt.date | None = None, category: str = "B"):  # type: ignore[no-untyped-def]
    return PersonFacts(dt.date(1950, 1, 1), death, (Enrolment("dibao", start, end, category),))


@pytest.mark.parametrize(
    ("timing", "death", "march"),
    [
        ('death = "period_owed"', dt.date(2025, 3, 1), 26000),
        ('death = "period_owed"', dt.date(2025, 3, 15), 26000),
        ('death = "period_not_owed"', dt.date(2025, 3, 1), 0),
        ('death = "period_not_owed"', dt.date(2025, 3, 15), 0),
        ('death = "period_not_owed"', dt.date(2025, 3, 31), 0),
    ],
)
def test_the_month_of_death(rulebook, timing, death, march):
    rules = with_timing(rulebook, "dibao", timing)
    facts = dibao(dt.date(2020, 1, 1), death=death)
    assert owed(rules, "dibao", facts, "2025-02").amount_fen == 26000
    line = owed(rules, "dibao", facts, "2025-03")
    assert line.amount_fen == march
    assert owed(rules, "dibao", facts, "2025-04").amount_fen == 0
    if not march:
        assert "按规定去世当期不再发放" in line.explanation and line.reference == "测试依据"


def test_the_demo_dibao_pays_the_month_of_death(rulebook):
    facts = dibao(dt.date(2020, 1, 1), death=dt.date(2025, 3, 1))
    assert owed(rulebook, "dibao", facts, "2025-03").amount_fen == 26000
    april = owed(rulebook, "dibao", facts, "2025-04")
    assert (
        april.amount_fen == 0
        and "2025年3月1日去世" in april.explanation
        and "去世当月照发" in april.reference
    )


@pytest.mark.parametrize(
    ("timing", "approved", "march"),
    [
        ('start = "period_start"', dt.date(2025, 3, 1), 26000),
        ('start = "period_start"', dt.date(2025, 3, 15), 0),
        ('start = "same_period"', dt.date(2025, 3, 15), 26000),
        ('start = "same_period"', dt.date(2025, 3, 31), 26000),
        ('start = "next_period"', dt.date(2025, 3, 1), 0),
    ],
)
def test_an_approval_within_the_month(rulebook, timing, approved, march):
    rules = with_timing(rulebook, "dibao", timing)
    assert owed(rules, "dibao", dibao(approved), "2025-03").amount_fen == march
    assert owed(rules, "dibao", dibao(approved), "2025-04").amount_fen == 26000
    assert owed(rules, "dibao", dibao(approved), "2025-02").amount_fen == 0


def test_a_mid_month_approval_says_from_when_and_why(rulebook):
    march = owed(rulebook, "dibao", dibao(dt.date(2025, 3, 15)), "2025-03")
    assert march.explanation == "2025年3月15日起享受此项，按规定次月起发放"
    assert "月中批准的次月起发放" in march.reference
    february = owed(rulebook, "dibao", dibao(dt.date(2025, 3, 15)), "2025-02")
    assert february.explanation == "2025年2月未登记享受此项" and february.reference, (
        "a reference on every line"
    )


@pytest.mark.parametrize(
    ("timing", "march"), [('end = "period_owed"', 26000), ('end = "period_not_owed"', 0)]
)
def test_the_month_a_decision_ends(rulebook, timing, march):
    rules = with_timing(rulebook, "dibao", timing)
    facts = dibao(dt.date(2020, 1, 1), end=dt.date(2025, 3, 15))
    assert owed(rules, "dibao", facts, "2025-03").amount_fen == march
    assert owed(rules, "dibao", facts, "2025-04").amount_fen == 0


def test_a_later_decision_replaces_an_earlier_one_never_closed(rulebook):
    facts = PersonFacts(
        dt.date(1950, 1, 1),
        None,
        (
            Enrolment("dibao", dt.date(2024, 1, 1), None, "B"),
            Enrolment("dibao", dt.date(2025, 3, 1), None, "C"),
        ),
    )
    assert owed(rulebook, "dibao", facts, "2025-02").amount_fen == 26000
    assert owed(rulebook, "dibao", facts, "2025-03").amount_fen == 15000, "the C decision governs from March"
    reversed_order = dataclasses.replace(facts, enrolments=facts.enrolments[::-1])
    assert owed(rulebook, "dibao", reversed_order, "2025-04").amount_fen == 15000, "whatever the order read"


def pupil() -> PersonFacts:
    return PersonFacts(
        dt.date(2010, 5, 1),
        None,
        (
            Enrolment("education", dt.date(2022, 9, 1), dt.date(2025, 8, 31), "junior"),
            Enrolment("education", dt.date(2025, 9, 1), None, "senior"),
        ),
    )


def test_the_autumn_semester_is_paid_by_the_stage_on_1_september(rulebook):
    autumn = owed(rulebook, "education", pupil(), "2025S2")
    assert autumn.amount_fen == 100000 and "高中" in autumn.explanation
    assert owed(rulebook, "education", pupil(), "2025S1").amount_fen == 62500
    read_on_1_july = with_timing(rulebook, "education", 'start = "period_start"')
    assert owed(read_on_1_july, "education", pupil(), "2025S2").amount_fen == 62500, "the old reading"


def test_farmland_is_read_on_the_day_the_file_names(rulebook):
    facts = PersonFacts(
        dt.date(1950, 1, 1),
        None,
        (
            Enrolment("farmland", dt.date(2020, 1, 1), dt.date(2025, 4, 29), None, Decimal("2.0")),
            Enrolment("farmland", dt.date(2025, 4, 30), None, None, Decimal("3.0")),
        ),
    )
    january = owed(rulebook, "farmland", facts, "2025")
    verified = owed(with_timing(rulebook, "farmland", 'read_on = { Y = "04-30" }'), "farmland", facts, "2025")
    assert "2亩" in january.explanation and "3亩" in verified.explanation


@pytest.mark.parametrize(
    ("timing", "words"),
    [
        ('start = "tomorrow"', "timing.start must be one of period_start, same_period, next_period"),
        ('age = "birthday"', "timing.age must be one of"),
        ('death = "never"', "timing.death must be one of period_owed, period_not_owed"),
        ('read_on = { S1 = "03-01" }', "timing.read_on.S1: for a month programme use M01"),
        ('read_on = { M03 = "04-01" }', "not within that period"),
        ('read_on = { M02 = "02-30" }', "is not a day of the year"),
        ('colour = "red"', "unknown keys ['colour']"),
    ],
)
def test_a_timing_table_used_wrongly_is_refused_by_name(timing, words):
    text = (PARAMS / "dibao.toml").read_text(encoding="utf-8")
    text = re.sub(r"\[timing\]\n(?:[a-z_]+ = .*\n)+", "[timing]\n" + timing + '\nreference = "x"\n', text)
    with pytest.raises(PolicyError, match=re.escape(words)):
        parse_policy(text, "dibao.toml")


def test_a_timing_table_needs_its_reference():
    text = (PARAMS / "dibao.toml").read_text(encoding="utf-8")
    text = re.sub(r"\[timing\]\n(?:[a-z_]+ = .*\n)+", '[timing]\nstart = "same_period"\n', text)
    with pytest.raises(PolicyError, match="dibao.toml: timing: a legal reference is required"):
        parse_policy(text, "dibao.toml")


def test_an_age_band_change_is_told_as_a_change_from_the_lower_band(rulebook):
    facts = PersonFacts(dt.date(1935, 6, 20), None, (Enrolment("elderly_allowance", dt.date(2015, 1, 1)),))
    june = owed(rulebook, "elderly_allowance", facts, "2025-06")
    july = owed(rulebook, "elderly_allowance", facts, "2025-07")
    assert june.amount_fen == 5000 and july.amount_fen == 10000
    assert (
        july.explanation.startswith("年满90周岁")
        and july.change_note == "2025年6月20日年满90周岁，每月标准由50.00元调整为100.00元"
    )
    assert june.change_note is None
    assert owed(rulebook, "elderly_allowance", facts, "2026-01").change_note is None, (
        "told in the year it happened"
    )
