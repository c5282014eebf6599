"""Reconciliation tables: one case per status, with the words the villager reads."""

import datetime as dt

import pytest

from kiosk.rules import parse_period
from kiosk.rules.reconcile import Payment, Status, reconcile
from tests.helpers.facts import make_facts

TODAY = dt.date(2025, 11, 22)
SINCE = dt.date(2025, 1, 1)


def pay(code, period, fen, on, batch="B1"):
    return Payment(code, parse_period(period), fen, on, "6217990100000000123", batch)


def line_for(result, code, period):
    matches = [ln for ln in result.lines if ln.programme == code and ln.period.code == period]
    assert len(matches) == 1, matches
    return matches[0]


PENSION = make_facts(dt.date(1950, 3, 5), pension_basic=True)


@pytest.mark.parametrize(
    ("payments", "period", "status", "note"),
    [
        (
            [pay("pension_basic", "2025-05", 12800, dt.date(2025, 5, 12))],
            "2025-05",
            Status.PAID_IN_FULL,
            "应发128.00元，已于2025年5月12日足额发放",
        ),
        (
            [pay("pension_basic", "2025-05", 12800, dt.date(2025, 7, 2))],
            "2025-05",
            Status.PAID_LATE,
            "应在2025年5月31日前发放，实际2025年7月2日才发放",
        ),
        (
            [pay("pension_basic", "2025-05", 10000, dt.date(2025, 5, 12))],
            "2025-05",
            Status.SHORT,
            "应发128.00元，实发100.00元，少发28.00元",
        ),
        ([], "2025-05", Status.MISSING, "应发128.00元，至今未收到"),
        (
            [
                pay("pension_basic", "2025-05", 12800, dt.date(2025, 5, 12)),
                pay("pension_basic", "2025-05", 12800, dt.date(2025, 5, 20), "B2"),
            ],
            "2025-05",
            Status.OVERPAID,
            "应发128.00元，实发256.00元（共2笔），多发128.00元",
        ),
        ([], "2025-11", Status.NOT_YET_DUE, "应发128.00元，2025年11月30日前发放"),
        (
            [pay("pension_basic", "2025-11", 5000, dt.date(2025, 11, 10))],
            "2025-11",
            Status.NOT_YET_DUE,
            "应发128.00元，2025年11月30日前发放",
        ),
        (
            [
                pay("pension_basic", "2025-05", 12800, dt.date(2025, 5, 12)),
                pay("pension_basic", "2025-05", -12800, dt.date(2025, 5, 30), "REV"),
            ],
            "2025-05",
            Status.MISSING,
            "应发128.00元，至今未收到",
        ),
    ],
)
def test_pensioner_statuses(rulebook, payments, period, status, note):
    result = reconcile(rulebook, PENSION, payments, since_on=SINCE, today=TODAY)
    line = line_for(result, "pension_basic", period)
    assert (line.status, line.status_note) == (status, note)


def test_paid_after_death(rulebook):
    facts = make_facts(dt.date(1936, 6, 2), dt.date(2025, 5, 10), pension_basic=True)
    payments = [
        pay("pension_basic", "2025-05", 12800, dt.date(2025, 5, 12)),
        pay("pension_basic", "2025-06", 12800, dt.date(2025, 6, 12)),
    ]
    result = reconcile(rulebook, facts, payments, since_on=SINCE, today=TODAY)
    assert line_for(result, "pension_basic", "2025-05").status is Status.PAID_IN_FULL
    june = line_for(result, "pension_basic", "2025-06")
    assert june.status is Status.PAID_AFTER_DEATH and june.status.label_zh == "去世后仍发放"
    assert june.status_note == "本人已于2025年5月10日去世，此期仍发放128.00元"
    assert (june.owed_fen, june.paid_fen, june.difference_fen) == (0, 12800, 12800)
    assert not [ln for ln in result.lines if ln.period.code == "2025-07"]


def test_paid_without_entitlement_after_the_enrolment_ended(rulebook):
    facts = make_facts(
        dibao={"category": "A", "start_on": dt.date(2022, 1, 1), "end_on": dt.date(2025, 6, 30)}
    )
    result = reconcile(
        rulebook, facts, [pay("dibao", "2025-08", 42000, dt.date(2025, 8, 15))], since_on=SINCE, today=TODAY
    )
    line = line_for(result, "dibao", "2025-08")
    assert line.status is Status.PAID_WITHOUT_ENTITLEMENT
    assert line.status_note == "此期不应发放（2025年8月未登记享受此项），却发放420.00元"


def test_a_programme_never_enrolled_in_but_paid_shows_up(rulebook):
    result = reconcile(
        rulebook,
        make_facts(),
        [pay("tekun", "2025-03", 60000, dt.date(2025, 3, 9))],
        since_on=SINCE,
        today=TODAY,
    )
    assert [(ln.programme, ln.status) for ln in result.lines] == [("tekun", Status.PAID_WITHOUT_ENTITLEMENT)]


def test_yearly_programme_due_dates(rulebook):
    facts = make_facts(farmland={"quantity": "3.2"}, forest={"quantity": "10"})
    payments = [
        pay("farmland", "2024", 33600, dt.date(2024, 8, 20)),
        pay("forest", "2025", 16000, dt.date(2025, 10, 9)),
    ]
    result = reconcile(rulebook, facts, payments, since_on=dt.date(2024, 1, 1), today=TODAY)
    assert line_for(result, "farmland", "2024").status is Status.PAID_LATE  # due by 31 July
    assert line_for(result, "farmland", "2025").status is Status.MISSING
    assert line_for(result, "forest", "2024").status is Status.MISSING
    assert line_for(result, "forest", "2025").status is Status.PAID_IN_FULL


def test_totals_leave_out_periods_not_yet_due(rulebook):
    payments = [
        pay("pension_basic", f"2025-{m:02d}", 12300 if m < 4 else 12800, dt.date(2025, m, 10))
        for m in range(1, 11)
    ]
    result = reconcile(rulebook, PENSION, payments, since_on=SINCE, today=TODAY)
    due = result.totals(2025)
    assert (due.owed_fen, due.paid_fen, due.difference_fen) == (
        3 * 12300 + 7 * 12800,
        3 * 12300 + 7 * 12800,
        0,
    )
    assert (
        result.totals(2025, include_not_yet_due=True).owed_fen == due.owed_fen + 12800
    )  # November; December not yet begun
    assert result.problems_in(2025) == 0


def test_empty_ledger_and_no_enrolments(rulebook):
    result = reconcile(rulebook, make_facts(), [], since_on=SINCE, today=TODAY)
    assert result.lines == [] and result.programmes == []
    assert result.totals(2025).difference_fen == 0


def test_payments_before_the_window_are_left_out(rulebook):
    result = reconcile(
        rulebook,
        PENSION,
        [pay("pension_basic", "2024-12", 12300, dt.date(2024, 12, 10))],
        since_on=SINCE,
        today=TODAY,
    )
    assert all(ln.period.year == 2025 for ln in result.lines)
