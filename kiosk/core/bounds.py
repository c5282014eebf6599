"""Numbers and dates from a query string, within bounds every later computation can live with.

A page of 99999999999999999999999 or a day of 9999-12-31 (whose next day does not exist) must give
a sensible page, not a server error: out-of-range values fall back to the default or the nearest bound.
"""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(2000, 1, 1)  # before any record this system holds
LATEST = dt.date(2100, 12, 31)


def bounded_int(text: object, default: int, low: int, high: int) -> int:
    """An integer from `text`, clamped to [low, high]; the default when it is not an integer.

    >>> bounded_int("7", 1, 1, 10), bounded_int("99999999999999999999999", 1, 1, 10), bounded_int("x", 1, 1, 10)
    (7, 10, 1)
    """
    try:
        value = int(str(text).strip()[:30])
    except ValueError:
        return default
    return min(max(value, low), high)


def bounded_date(text: object) -> dt.date | None:
    """An ISO date between EARLIEST and LATEST, or None (empty, malformed or out of range).

    >>> bounded_date("2026-11-22"), bounded_date("9999-12-31"), bounded_date("soon")
    (datetime.date(2026, 11, 22), None, None)
    """
    try:
        day = dt.date.fromisoformat(str(text).strip()[:10])
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None
