"""Households in the rules: 低保 as a household 差额 with add-ons and a gradual exit, paid to each member or
to the head; land paid to the head; 特困 by setting and self-care ability; a prerequisite asked of the
household; and the properties that hold whatever the household."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.rules import Enrolment, PersonFacts, PolicyError, load_rulebook, load_rulebook_from, parse_period
from kiosk.rules.facts import Household, HouseholdIncome

ROOT = Path(__file__).resolve().parents[2]
PARAMS = ROOT / "kiosk" / "rules" / "params"
CHAE = (ROOT / "docs" / "examples" / "chae" / "dibao.toml").read_text(encoding="utf-8")
STANDARD, ADDONS = 42000, {"老年人": 5000, "重度残疾": 10000, "重病": 10000}


def rulebook(**replaced: str):  # type: ignore[no-untyped-def]
    """The bundled rulebook with some programmes' files replaced by the given texts."""
    sources = {path.stem: (path.name, path.read_text(encoding="utf-8")) for path in PARAMS.glob("*.toml")}
    for code, text in replaced.items():
        sources[code] = (f"{code}.toml", text)
    return load_rulebook_from(sources)


CHAE_TO_HEAD = rulebook(dibao=CHAE)
CHAE_TO_EACH = rulebook(dibao=CHAE.replace('pays = "head"', 'pays = "each"'))


def dibao(category: str | None = None, start: dt.date = dt.date(2024, 1, 1)) -> Enrolment:
    return Enrolment("dibao", start, None, category)


def household(
    members: list[tuple[Enrolment, ...]], incomes: list[tuple[dt.date, int]], head: int | None = 0
) -> list[PersonFacts]:
    """Every member's facts, each carrying the household seen from that member."""
    people = tuple(PersonFacts(dt.date(1960 + i, 5, 5), None, enrolled) for i, enrolled in enumerate(members))
    built = Household(people, 0, head, "杨*华", tuple(HouseholdIncome(day, fen) for day, fen in incomes))
    return built.everyone()


MARCH = parse_period("2025-03")


def test_a_household_chae_paid_to_each_member_with_an_add_on():
    family = household([(dibao(),), (dibao("老年人"),), (dibao(),)], [(dt.date(2025, 1, 1), 18000)])
    owed = [CHAE_TO_EACH.owed("dibao", member, MARCH) for member in family]
    assert [line.amount_fen for line in owed] == [24000, 29000, 24000]
    assert owed[0].explanation == "家庭人均收入180.00元，低于标准420.00元，按差额每人240.00元"
    assert owed[1].explanation.endswith("；另加老年人每月50.00元，共290.00元")
    assert "monthly_standard@2025-01-01" in owed[1].source and "monthly_addon_by_category" in owed[1].source


def test_paid_to_the_head_the_head_owes_the_household_and_members_are_told_so():
    family = household([(dibao(),), (dibao("老年人"),), (dibao(),)], [(dt.date(2025, 1, 1), 18000)])
    head, elder, son = (CHAE_TO_HEAD.owed("dibao", member, MARCH) for member in family)
    assert head.amount_fen == 77000
    assert "按差额每人240.00元 × 3人 = 720.00元；另加老年人1人每月50.00元；共770.00元" in head.explanation
    assert (elder.amount_fen, elder.to_head, son.to_head) == (0, True, True)
    assert "由户主杨*华领取" in elder.explanation and "290.00元" in elder.explanation


def test_a_head_not_enrolled_still_receives_the_members_shares():
    family = household([(), (dibao(),), (dibao(),)], [(dt.date(2025, 1, 1), 30000)])
    assert CHAE_TO_HEAD.owed("dibao", family[0], MARCH).amount_fen == 2 * 12000
    assert CHAE_TO_HEAD.takes_part("dibao", family[0])  # the head has lines, though not enrolled
    assert not CHAE_TO_EACH.takes_part("dibao", family[0])  # paid to each, the head has none of their own


@pytest.mark.parametrize(
    ("month", "owed", "words"),
    [
        ("2025-06", 12000, "按差额每人120.00元"),  # read on 1 June: the income of 300 still holds
        ("2025-07", 12000, "渐退期第1个月（共6个月），按原差额每人120.00元继续发放"),
        ("2025-12", 12000, "渐退期第6个月"),
        ("2026-01", 0, "6个月渐退期已满"),
    ],
)
def test_a_risen_income_keeps_the_last_chae_for_the_gradual_exit(month, owed, words):
    family = household(
        [(dibao(),), (dibao(),)], [(dt.date(2025, 1, 1), 30000), (dt.date(2025, 6, 10), 50000)]
    )
    line = CHAE_TO_EACH.owed("dibao", family[0], parse_period(month))
    assert line.amount_fen == owed and words in line.explanation
    assert line.reference


def test_an_income_verified_on_the_first_counts_that_month():
    family = household([(dibao(),)], [(dt.date(2025, 1, 1), 30000), (dt.date(2025, 6, 1), 50000)])
    assert "渐退期第1个月" in CHAE_TO_EACH.owed("dibao", family[0], parse_period("2025-06")).explanation


def test_a_household_never_below_the_standard_is_owed_nothing_and_told_why():
    family = household([(dibao(),)], [(dt.date(2025, 1, 1), 45000)])
    line = CHAE_TO_EACH.owed("dibao", family[0], MARCH)
    assert line.amount_fen == 0 and line.explanation == "家庭人均收入450.00元，不低于标准420.00元"


def test_without_a_verified_income_the_chae_cannot_be_computed_and_says_so():
    alone = PersonFacts(dt.date(1960, 1, 1), None, (dibao(),))
    line = CHAE_TO_EACH.owed("dibao", alone, MARCH)
    assert line.amount_fen == 0 and "未登记家庭收入核定" in line.explanation and line.reference


def test_a_member_in_tekun_is_no_share_of_the_household_dibao():
    tekun = Enrolment("tekun", dt.date(2024, 1, 1), None, None)
    family = household([(dibao(),), (dibao(), tekun), (dibao(),)], [(dt.date(2025, 1, 1), 18000)])
    assert CHAE_TO_HEAD.owed("dibao", family[0], MARCH).amount_fen == 2 * 24000
    assert "× 2人" in CHAE_TO_HEAD.owed("dibao", family[0], MARCH).explanation


FARMLAND = (PARAMS / "farmland.toml").read_text(encoding="utf-8")
HEAD_FARMLAND = rulebook(
    farmland=FARMLAND.replace(
        "\n[timing]",
        '\n[household]\npays = "head"\nreference = "示例县耕地补贴按承包户发放至户主（演示）"\n\n[timing]',
        1,
    )
)


def test_farmland_paid_to_the_head_multiplies_the_households_whole_area_once():
    land = [
        (Enrolment("farmland", dt.date(2020, 1, 1), None, None, Decimal(area)),) for area in ("1.3", "2.25")
    ]
    family = household(land, [])
    year = parse_period("2025")
    head = HEAD_FARMLAND.owed("farmland", family[0], year)
    rate = HEAD_FARMLAND.policies["farmland"]["rate_per_mu"].at(year.start_on).value
    assert head.amount_fen == int((Decimal("3.55") * rate).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    assert "全户承包耕地3.55亩" in head.explanation
    assert HEAD_FARMLAND.owed("farmland", family[1], year).to_head


TEKUN = (PARAMS / "tekun.toml").read_text(encoding="utf-8")
BY_SETTING = """[parameters.monthly_by_setting]
description = "特困人员基本生活标准（按供养方式）"
unit = "fen"
values = [
  { start = 2023-01-01, value = { "集中" = 65000, "分散" = 60000 }, reference = "示例县特困供养标准（演示）" },
]

[parameters.monthly_care_by_level]
description = "照料护理标准"
unit = "fen"
values = [
  { start = 2023-01-01, value = { "全自理" = 5000, "半失能" = 30000, "全失能" = 60000 }, reference = "照料护理（演示）" },
]
"""


def tekun_rulebook():  # type: ignore[no-untyped-def]
    """The bundled 特困 file with its one amount replaced by amounts by setting and a care standard."""
    start, end = TEKUN.index("[parameters.monthly_amount]"), TEKUN.index("\n[timing]")
    return rulebook(tekun=TEKUN[:start] + BY_SETTING + TEKUN[end:])


@pytest.mark.parametrize(
    ("category", "owed"),
    [("集中/全自理", 70000), ("分散/全自理", 65000), ("集中/全失能", 125000), ("分散/半失能", 90000)],
)
def test_tekun_by_setting_and_self_care_ability(category, owed):
    person = PersonFacts(
        dt.date(1950, 1, 1), None, (Enrolment("tekun", dt.date(2020, 1, 1), None, category),)
    )
    line = tekun_rulebook().owed("tekun", person, MARCH)
    setting, level = category.split("/")
    assert line.amount_fen == owed and line.explanation.startswith(f"特困供养（{setting}供养）：基本生活")
    assert f"加{level}照料护理" in line.explanation and "monthly_by_setting@2023-01-01" in line.source


def test_tekun_without_a_setting_where_the_file_pays_by_setting_says_so():
    person = PersonFacts(
        dt.date(1950, 1, 1), None, (Enrolment("tekun", dt.date(2020, 1, 1), None, "全自理"),)
    )
    line = tekun_rulebook().owed("tekun", person, MARCH)
    assert line.amount_fen == 0 and "未登记集中或分散供养" in line.explanation


LIVING = (PARAMS / "disability_living.toml").read_text(encoding="utf-8")


def test_a_prerequisite_asked_of_the_household_counts_any_member():
    asked = rulebook(
        disability_living=LIVING.replace('any_of = ["dibao"]', 'any_of = ["dibao"], household = true')
    )
    disabled = (Enrolment("disability_living", dt.date(2020, 1, 1), None, None, Decimal(2)),)
    family = household([disabled, (Enrolment("dibao", dt.date(2020, 1, 1), None, "B"),)], [])
    assert asked.owed("disability_living", family[0], MARCH).amount_fen > 0
    alone = household([disabled, ()], [])
    line = asked.owed("disability_living", alone[0], MARCH)
    assert line.amount_fen == 0 and "全户未享受" in line.explanation


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda text: text.replace(
                "[parameters.monthly_standard]",
                '[parameters.monthly_by_category]\ndescription = "x"\nunit = "fen"\nvalues = [{ start = 2024-01-01, value = { A = 1 }, reference = "r" }]\n\n[parameters.monthly_standard]',
            ),
            "not both",
        ),
        (
            lambda text: text.replace("monthly_addon_by_category", "monthly_bonus"),
            "does not read parameters.monthly_bonus",
        ),
        (lambda text: text.replace('period = "month"', 'period = "year"'), "paid by the month"),
        (lambda text: text.replace('unit = "months"', 'unit = "fen"'), 'unit must be "months"'),
        (lambda text: text.replace('pays = "head"', 'pays = "village"'), "household.pays must be one of"),
    ],
)
def test_a_file_using_a_household_shape_wrongly_gets_a_clear_error(change, words):
    with pytest.raises(PolicyError, match="dibao.toml") as error:
        rulebook(dibao=change(CHAE))
    assert words in str(error.value)


def test_household_pays_head_is_refused_for_a_pension():
    pension = (PARAMS / "pension_basic.toml").read_text(encoding="utf-8")
    with pytest.raises(PolicyError, match='household.pays = "head" is for'):
        rulebook(
            pension_basic=pension.replace(
                "\n[timing]", '\n[household]\npays = "head"\nreference = "r"\n\n[timing]', 1
            )
        )


# -- properties -------------------------------------------------------------------------------------------
members = st.lists(
    st.tuples(st.booleans(), st.sampled_from([None, *ADDONS]), st.booleans()), min_size=1, max_size=6
)


@settings(max_examples=80, deadline=None)
@given(members=members, income=st.integers(0, STANDARD - 1), head=st.integers(0, 5))
def test_a_households_dibao_lines_sum_to_its_chae(members, income, head):
    """Whoever is enrolled, in 特困 or not, and whoever heads it: paid to each, the members' lines add up to
    (standard − income) × the members it counts, plus their add-ons; paid to the head, the head's line is
    that sum and every other line owes nothing."""
    tekun = Enrolment("tekun", dt.date(2024, 1, 1), None, None)
    enrolled = [
        ((dibao(category),) if in_dibao else ()) + ((tekun,) if in_tekun else ())
        for in_dibao, category, in_tekun in members
    ]
    counted = [category for (in_dibao, category, in_tekun) in members if in_dibao and not in_tekun]
    expected = (STANDARD - income) * len(counted) + sum(ADDONS[c] for c in counted if c)
    head = head % len(members)
    each = household(enrolled, [(dt.date(2025, 1, 1), income)], head)
    assert sum(CHAE_TO_EACH.owed("dibao", member, MARCH).amount_fen for member in each) == expected
    to_head = [CHAE_TO_HEAD.owed("dibao", member, MARCH) for member in each]
    assert to_head[head].amount_fen == expected
    assert all(line.amount_fen == 0 for i, line in enumerate(to_head) if i != head)


@settings(max_examples=80, deadline=None)
@given(
    dibao_start=st.integers(0, 30),
    dibao_end=st.one_of(st.none(), st.integers(0, 30)),
    tekun_start=st.integers(0, 30),
    tekun_end=st.one_of(st.none(), st.integers(0, 30)),
    month=st.integers(0, 30),
)
def test_nothing_is_owed_in_two_mutually_exclusive_programmes_for_one_period(
    dibao_start, dibao_end, tekun_start, tekun_end, month
):
    base = dt.date(2024, 1, 1)

    def day(offset: int) -> dt.date:
        return base + dt.timedelta(days=offset * 29)

    def span(code: str, start: int, end: int | None, category: str | None) -> Enrolment:
        last = day(max(start, end)) if end is not None else None
        return Enrolment(code, day(start), last, category)

    person = PersonFacts(
        dt.date(1950, 1, 1),
        None,
        (span("dibao", dibao_start, dibao_end, "B"), span("tekun", tekun_start, tekun_end, None)),
    )
    bundled = load_rulebook()
    period = parse_period(f"{day(month).year}-{day(month).month:02d}")
    owed = {code: bundled.owed(code, person, period).amount_fen for code in ("dibao", "tekun")}
    assert not (owed["dibao"] and owed["tekun"])
