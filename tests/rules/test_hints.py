import datetime as dt

from tests.helpers.facts import TODAY, make_facts


def codes(rulebook, facts):
    return [hint.programme for hint in rulebook.hints(facts, TODAY)]


def test_turned_80_without_elderly_allowance_is_hinted_not_owed(rulebook):
    facts = make_facts(dt.date(1945, 2, 17), pension_basic=True)
    hints = rulebook.hints(facts, TODAY)
    assert [h.programme for h in hints] == ["elderly_allowance"]
    assert hints[0].message_zh == "您可能符合“高龄津贴”：您已年满80周岁。请咨询县民政局。"


def test_no_hints_for_an_enrolled_person_or_a_dead_one(rulebook):
    assert codes(rulebook, make_facts(dt.date(1945, 2, 17), pension_basic=True, elderly_allowance=True)) == []
    assert codes(rulebook, make_facts(dt.date(1940, 1, 1), dt.date(2025, 1, 1))) == []


def test_uninsured_60_year_old_and_disability_combinations(rulebook):
    assert codes(rulebook, make_facts(dt.date(1960, 1, 1))) == ["pension_basic"]
    grade_one = make_facts(dt.date(1990, 1, 1), disability_living={"quantity": 1})
    assert codes(rulebook, grade_one) == ["disability_care"]
    grade_three = make_facts(dt.date(1990, 1, 1), disability_living={"quantity": 3})
    assert codes(rulebook, grade_three) == []
    poor_with_care = make_facts(dt.date(1990, 1, 1), disability_care={"quantity": 2}, dibao={"category": "A"})
    assert codes(rulebook, poor_with_care) == ["disability_living"]
