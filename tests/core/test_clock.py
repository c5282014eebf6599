"""China's clock and the one date parser."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.core.clock import china_today, parse_date, to_date, utc_stamp


def test_china_is_eight_hours_ahead_of_utc() -> None:
    late_evening_utc = dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC)
    assert china_today(late_evening_utc) == dt.date(2026, 1, 1)
    assert china_today(dt.datetime(2025, 12, 31, 15, 59, tzinfo=dt.UTC)) == dt.date(2025, 12, 31)


def test_dates_are_read_one_way() -> None:
    assert parse_date(" 2025-03-01 ") == dt.date(2025, 3, 1)
    assert parse_date("") is None and parse_date(None) is None
    assert parse_date(dt.datetime(2025, 3, 1, 9, 30)) == dt.date(2025, 3, 1)
    with pytest.raises(ValueError, match="day is out of range"):
        parse_date("2025-02-30")
    with pytest.raises(ValueError, match="date is required"):
        to_date("")


def test_stamps_are_utc_to_the_second() -> None:
    moment = dt.datetime(2025, 3, 1, 8, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert utc_stamp(moment) == "2025-03-01T00:00:00+00:00"
