import datetime as dt

import pytest

from kiosk.rules.periods import PeriodError, parse_period, period_of, periods_between


@pytest.mark.parametrize(
    ("code", "start", "end", "label"),
    [
        ("2025-03", dt.date(2025, 3, 1), dt.date(2025, 3, 31), "2025年3月"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024年2月"),
        ("202512", dt.date(2025, 12, 1), dt.date(2025, 12, 31), "2025年12月"),
        ("2025年7月", dt.date(2025, 7, 1), dt.date(2025, 7, 31), "2025年7月"),
        ("2025Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "2025年第1季度"),
        ("2025q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "2025年第4季度"),
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025年"),
        ("2025H1", dt.date(2025, 1, 1), dt.date(2025, 6, 30), "2025年春季学期"),
        ("2025S2", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "2025年秋季学期"),
    ],
)
def test_parse_period(code, start, end, label):
    period = parse_period(code)
    assert (period.start_on, period.end_on, period.label_zh) == (start, end, label)
    assert parse_period(period.code) == period


@pytest.mark.parametrize("bad", ["", "2025-13", "2025-00", "2025Q5", "2025S3", "March", "25-03"])
def test_parse_period_refuses(bad):
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_periods_between_and_next():
    months = list(periods_between("month", dt.date(2024, 11, 15), dt.date(2025, 2, 1)))
    assert [p.code for p in months] == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert period_of("semester", dt.date(2025, 9, 1)).code == "2025S2"
    assert period_of("quarter", dt.date(2025, 12, 31)).next().code == "2026Q1"
    assert period_of("month", dt.date(2025, 12, 31)).contains(dt.date(2025, 12, 1))
