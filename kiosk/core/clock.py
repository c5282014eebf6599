"""China's clock and the one way a date is read from text.

Villagers, clerks and supervisors all live on Beijing time (UTC+8, no daylight saving);
the stores keep UTC. Every "what day is it for the person reading this" goes through
`china_today` or `in_china`, and every stored or typed date through `parse_date`.
"""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def in_china(moment: dt.datetime) -> dt.datetime:
    """`moment` (aware) as Beijing wall-clock time."""
    return moment.astimezone(CHINA)


def china_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in China (at 07:00 UTC it is already 15:00 there)."""
    return in_china(now or now_utc()).date()


def parse_date(text: str | dt.date | None) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) from text, a date as it is, or None for an empty value.

    Raises ValueError for anything else, so a bad date is reported rather than guessed.

    >>> parse_date("2025-03-01"), parse_date(""), parse_date(None)
    (datetime.date(2025, 3, 1), None, None)
    """
    if isinstance(text, dt.datetime):
        return text.date()
    if text is None or isinstance(text, dt.date):
        return text
    text = str(text).strip()
    return dt.date.fromisoformat(text) if text else None


def to_date(text: str | dt.date) -> dt.date:
    """Like `parse_date`, for a date that must be there: an empty value is a ValueError too."""
    day = parse_date(text)
    if day is None:
        raise ValueError("a date is required (YYYY-MM-DD)")
    return day


def utc_stamp(moment: dt.datetime) -> str:
    """`moment` as the UTC ISO text the kiosk's store and outbox keep, to the second."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
