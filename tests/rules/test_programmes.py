"""Rule tables: for each programme, periods around every parameter change → amount owed (fen).

Amounts are literals from the demo policy files, not recomputed from them, so a
changed rule or file shows up here.
"""

import datetime as dt

import pytest

from kiosk.rules import parse_period
from tests.helpers.facts import make_facts

PENSIONER = make_facts(dt.date(1950, 3, 5), pension_basic=True)


def owed(rulebook, code, facts, period):
    return rulebook.owed(code, facts, parse_period(period))


@pytest.mark.parametrize(
    ("period", "fen"),
    [
        ("2024-06", 11300),
        ("2024-07", 12300),  # change on 2024-07-01
        ("2025-03", 12300),
        ("2025-04", 12800),  # change on 2025-04-01
    ],
)
def test_pension_basic_around_changes(rulebook, period, fen):
    assert owed(rulebook, "pension_basic", PENSIONER, period).amount_fen == fen


def test_pension_basic_starts_the_month_after_the_60th_birthday(rulebook):
    facts = make_facts(dt.date(1965, 3, 15), pension_basic=True)
    assert owed(rulebook, "pension_basic", facts, "2025-03").amount_fen == 0
    march = owed(rulebook, "pension_basic", facts, "2025-03")
    assert march.explanation == "2025年3月15日年满60周岁，按规定次月起发放" and "第九条" in march.reference
    assert owed(rulebook, "pension_basic", facts, "2025-04").amount_fen == 12800


def test_pension_change_is_explained_in_words(rulebook):
    april = owed(rulebook, "pension_basic", PENSIONER, "2025-04")
    assert april.change_note == "2025年4月起每月标准由123.00元调整为128.00元"
    assert april.explanation == "基础养老金，每月128.00元"
    assert "2025年4月起" in april.reference
    assert owed(rulebook, "pension_basic", PENSIONER, "2026-01").change_note is None


def test_death_stops_payments_from_the_next_month(rulebook):
    facts = make_facts(dt.date(1940, 1, 1), dt.date(2025, 3, 15), pension_basic=True)
    assert owed(rulebook, "pension_basic", facts, "2025-03").amount_fen == 12300
    april = owed(rulebook, "pension_basic", facts, "2025-04")
    assert april.amount_fen == 0 and "2025年3月15日去世" in april.explanation


@pytest.mark.parametrize(
    ("born", "period", "fen"),
    [
        (dt.date(1942, 5, 10), "2023-12", 3000),
        (dt.date(1942, 5, 10), "2024-01", 5000),  # 80–89 band, change 2024-01-01
        (dt.date(1932, 5, 10), "2023-12", 5000),
        (dt.date(1932, 5, 10), "2024-01", 10000),  # 90–99 band
        (dt.date(1922, 5, 10), "2024-01", 30000),
        (dt.date(1945, 6, 15), "2025-06", 0),
        (dt.date(1945, 6, 15), "2025-07", 5000),  # turns 80 in June 2025
        (dt.date(1935, 6, 15), "2025-06", 5000),
        (dt.date(1935, 6, 15), "2025-07", 10000),  # turns 90 in June 2025
    ],
)
def test_elderly_allowance_by_age_band(rulebook, born, period, fen):
    facts = make_facts(born, elderly_allowance=True)
    assert owed(rulebook, "elderly_allowance", facts, period).amount_fen == fen


@pytest.mark.parametrize(
    ("category", "period", "fen"),
    [
        ("A", "2025-06", 38000),
        ("A", "2025-07", 42000),
        ("B", "2025-06", 26000),
        ("B", "2025-07", 30000),
        ("C", "2025-06", 15000),
        ("C", "2025-07", 18000),
        ("D", "2025-07", 0),
    ],
)
def test_dibao_by_category_around_the_july_change(rulebook, category, period, fen):
    facts = make_facts(dibao={"category": category, "start_on": dt.date(2022, 1, 1)})
    assert owed(rulebook, "dibao", facts, period).amount_fen == fen


def test_dibao_counts_from_the_month_after_enrolment_and_stops_after_the_end(rulebook):
    facts = make_facts(
        dibao={"category": "B", "start_on": dt.date(2025, 2, 10), "end_on": dt.date(2025, 6, 30)}
    )
    assert [
        owed(rulebook, "dibao", facts, p).amount_fen for p in ("2025-02", "2025-03", "2025-06", "2025-07")
    ] == [0, 26000, 26000, 0]
    assert "未登记享受" in owed(rulebook, "dibao", facts, "2025-07").explanation


@pytest.mark.parametrize(("period", "fen"), [("2024-12", 56000), ("2025-01", 60000)])
def test_tekun_around_the_january_change(rulebook, period, fen):
    assert owed(rulebook, "tekun", make_facts(tekun=True), period).amount_fen == fen


@pytest.mark.parametrize(
    ("grade", "living", "care_before", "care_after"),
    [
        (1, 10000, 12000, 15000),
        (2, 10000, 10000, 12000),
        (3, 8000, 0, 0),
        (4, 8000, 0, 0),
    ],
)
def test_disability_by_grade_around_the_october_2024_change(rulebook, grade, living, care_before, care_after):
    facts = make_facts(  # the living subsidy is for 低保 households (its [relations])
        disability_living={"quantity": grade}, disability_care={"quantity": grade}, dibao={"category": "B"}
    )
    assert owed(rulebook, "disability_living", facts, "2024-10").amount_fen == living
    assert owed(rulebook, "disability_care", facts, "2024-09").amount_fen == care_before
    assert owed(rulebook, "disability_care", facts, "2024-10").amount_fen == care_after


@pytest.mark.parametrize(
    ("mu", "year", "fen", "explanation"),
    [
        ("3.2", "2023", 32000, "承包耕地3.2亩 × 100.00元/亩 = 320.00元"),
        ("3.2", "2024", 33600, "承包耕地3.2亩 × 105.00元/亩 = 336.00元"),
        ("0.35", "2024", 3675, "承包耕地0.35亩 × 105.00元/亩 = 36.75元"),
        ("4.6", "2025", 48300, "承包耕地4.6亩 × 105.00元/亩 = 483.00元"),
    ],
)
def test_farmland_per_mu(rulebook, mu, year, fen, explanation):
    result = owed(rulebook, "farmland", make_facts(farmland={"quantity": mu}), year)
    assert (result.amount_fen, result.explanation) == (fen, explanation)


def test_forest_per_mu_rounds_half_up_to_a_fen(rulebook):
    result = owed(rulebook, "forest", make_facts(forest={"quantity": "12.53"}), "2025")
    assert result.amount_fen == 20048  # 12.53 × 1600 = 20048
    assert result.explanation == "公益林12.53亩 × 16.00元/亩 = 200.48元"
    assert owed(rulebook, "forest", make_facts(forest={"quantity": "0.0003"}), "2025").amount_fen == 0


@pytest.mark.parametrize(("stage", "fen"), [("primary", 50000), ("junior", 62500), ("senior", 100000)])
def test_education_per_semester_by_stage(rulebook, stage, fen):
    facts = make_facts(dt.date(2012, 10, 1), education={"category": stage})
    assert owed(rulebook, "education", facts, "2025S2").amount_fen == fen


def test_a_period_of_the_wrong_kind_owes_nothing(rulebook):
    result = owed(rulebook, "farmland", make_facts(farmland={"quantity": "3"}), "2025-03")
    assert result.amount_fen == 0 and "按年发放" in result.explanation


def test_every_parameter_change_is_seen_between_the_day_before_and_the_day_of(rulebook):
    """No dated value is shadowed: each one is in force from its start, and not the day before."""
    for policy in rulebook.policies.values():
        for parameter in policy.parameters.values():
            for dated in parameter.values[1:]:
                assert parameter.at(dated.start_on) is dated
                assert parameter.at(dated.start_on - dt.timedelta(days=1)) is parameter.previous(dated)
