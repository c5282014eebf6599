"""Properties of reconciliation over random people and ledgers (hypothesis)."""

import datetime as dt
from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.rules import Enrolment, PersonFacts, load_rulebook, period_of
from kiosk.rules.reconcile import Payment, Status, reconcile

RULEBOOK = load_rulebook()
TODAY = dt.date(2026, 11, 22)
SINCE = dt.date(2024, 1, 1)
CODES = RULEBOOK.codes

days = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 6, 30))


@st.composite
def enrolments(draw):
    code = draw(st.sampled_from(CODES))
    start = draw(days)
    end = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=dt.date(2027, 6, 30))))
    category = draw(st.sampled_from(["A", "B", "C", "primary", "junior", "senior", None]))
    quantity = draw(
        st.one_of(
            st.none(),
            st.decimals(
                min_value=Decimal("0"),
                max_value=Decimal("50"),
                places=2,
                allow_nan=False,
                allow_infinity=False,
            ),
        )
    )
    if code in ("disability_living", "disability_care"):
        quantity = Decimal(draw(st.integers(1, 4)))
    return Enrolment(code, start, end, category, quantity)


@st.composite
def people(draw):
    born = draw(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 1, 1)))
    death = draw(st.one_of(st.none(), st.dates(min_value=max(born, dt.date(2023, 1, 1)), max_value=TODAY)))
    return PersonFacts(born, death, tuple(draw(st.lists(enrolments(), max_size=5))))


@st.composite
def payments(draw):
    code = draw(st.sampled_from(CODES))
    kind = (
        RULEBOOK.policies[code].period_kind
        if draw(st.booleans())
        else draw(st.sampled_from(["month", "year"]))
    )
    period = period_of(kind, draw(days))
    return Payment(code, period, draw(st.integers(-50000, 200000)), draw(days), "acct", "batch")


settings.register_profile("ci", max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("ci")


@given(people(), st.lists(payments(), max_size=25))
def test_every_ledger_row_in_the_window_is_in_exactly_one_line(facts, ledger):
    result = reconcile(RULEBOOK, facts, ledger, since_on=SINCE, today=TODAY)
    counted = Counter(id(p) for line in result.lines for p in line.payments)
    expected = [p for p in ledger if p.period.end_on >= SINCE]
    assert sorted(counted.values()) == [1] * len(expected)
    assert set(counted) == {id(p) for p in expected}


@given(people(), st.lists(payments(), max_size=25))
def test_year_difference_equals_the_sum_of_period_differences(facts, ledger):
    result = reconcile(RULEBOOK, facts, ledger, since_on=SINCE, today=TODAY)
    for year in {line.period.year for line in result.lines}:
        for pending in (False, True):
            totals = result.totals(year, include_not_yet_due=pending)
            lines = [
                ln
                for ln in result.lines
                if ln.period.year == year and (pending or ln.status is not Status.NOT_YET_DUE)
            ]
            assert totals.difference_fen == sum(ln.difference_fen for ln in lines)
            assert totals.owed_fen - totals.paid_fen == sum(ln.owed_fen - ln.paid_fen for ln in lines)


@given(people(), st.lists(payments(), max_size=25))
def test_nothing_is_owed_outside_an_enrolment(facts, ledger):
    result = reconcile(RULEBOOK, facts, ledger, since_on=SINCE, today=TODAY)
    for line in result.lines:
        assert isinstance(line.owed_fen, int) and isinstance(line.paid_fen, int)
        timing = RULEBOOK.policies[line.programme].timing  # the programme's own reading of "enrolled"
        if timing.enrolment(facts, line.programme, line.period) is None:
            assert line.owed_fen == 0
            if line.paid_fen > 0:
                assert line.status in (Status.PAID_WITHOUT_ENTITLEMENT, Status.PAID_AFTER_DEATH)
        if line.owed_fen == 0:
            assert line.payments, "a line with nothing owed exists only to account for payments"


@given(people())
def test_with_no_payments_every_due_owed_period_is_missing(facts):
    result = reconcile(RULEBOOK, facts, [], since_on=SINCE, today=TODAY)
    for line in result.lines:
        assert line.owed_fen > 0
        assert line.status is (Status.NOT_YET_DUE if line.due_on >= TODAY else Status.MISSING)


@given(people())
def test_nothing_is_owed_in_two_mutually_exclusive_programmes_for_one_period(facts):
    result = reconcile(RULEBOOK, facts, [], since_on=SINCE, today=TODAY)
    owed = {(line.programme, line.period.code) for line in result.lines if line.owed_fen > 0}
    for code, policy in RULEBOOK.policies.items():
        for relation in policy.relations.excluded_by:
            other = relation.programmes[0]
            assert not {p for c, p in owed if c == code} & {p for c, p in owed if c == other}, (code, other)
