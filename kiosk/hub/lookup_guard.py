"""Every lookup a kiosk asks the hub for: audited, limited to what a kiosk plausibly serves, and counted
for the fleet page; a bank card's account resolved to a short-lived token, never to an ID number.

A kiosk's credential is not secret enough to trust with the roster: it sits on a machine in a
village. So each lookup (by ID number, by token) and each account resolution is written to
`lookup_log` and counted per kiosk and day, and its answer withheld (429) past either limit: more
in an hour than a person at a kiosk can do, or more in a day than twice the card reads the kiosk
itself reported plus a margin. The count is one atomic upsert that returns the new totals, so
parallel requests cannot slip past it, and the whole bookkeeping is one transaction per lookup. On
PostgreSQL it is one statement, too — the count, the refusal and the log line, with its commit not
waiting for the WAL flush — so a lookup's bookkeeping is one round trip instead of five.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from kiosk.core.clock import china_today
from kiosk.hub.db import as_utc, heartbeat_hours, lookup_days, lookup_log, resolve_tokens
from kiosk.hub.store import HubStore

PER_HOUR = 240  # one lookup every 15 s for an hour: faster than anyone can place cards
DAY_MARGIN = 60  # lookups a day beyond twice the card reads the kiosk reported (reports lag by minutes)
TOKEN_LIFETIME = dt.timedelta(minutes=10)
READS_CACHE_SECONDS = (
    30.0  # card reads change with heartbeats (every few minutes): no need to read them each time
)


@dataclass(frozen=True)
class Usage:
    """One kiosk's lookups today (China's day) and in the current hour, and the card reads it reported."""

    kiosk_id: str
    hour: int
    today: int
    not_found_today: int
    refused_today: int
    card_reads_today: int

    @property
    def day_limit(self) -> int:
        return 2 * self.card_reads_today + DAY_MARGIN

    @property
    def over(self) -> bool:
        return self.hour > PER_HOUR or self.today > self.day_limit

    @property
    def suspicious(self) -> bool:
        """More lookups than its card reads explain, refusals, or mostly nobody found: a sign of enumeration."""
        return (
            self.refused_today > 0
            or self.today > self.day_limit
            or (self.not_found_today >= 20 and self.not_found_today * 2 > self.today)
        )


def _hour(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _day_start(now: dt.datetime) -> dt.datetime:
    """The start of China's day, in UTC, as heartbeat hours are stored."""
    return _hour(now) - dt.timedelta(hours=(now.astimezone(dt.UTC).hour + 8) % 24)


_reads_cache: dict[str, tuple[float, int]] = {}
_reads_lock = threading.Lock()


def _card_reads_today(conn: sa.Connection, kiosk_id: str, now: dt.datetime) -> int:
    """The card reads the kiosk reported today (its latest heartbeats), remembered for a few seconds."""
    key = f"{conn.engine.url}|{kiosk_id}|{china_today(now)}"
    with _reads_lock:
        cached = _reads_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < READS_CACHE_SECONDS:
        return cached[1]
    h = heartbeat_hours.c
    reads = int(
        conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(h.card_reads), 0)).where(
                h.kiosk_id == kiosk_id, h.hour >= _day_start(now)
            )
        ).scalar_one()
    )
    with _reads_lock:
        if len(_reads_cache) > 100_000:
            _reads_cache.clear()
        _reads_cache[key] = (time.monotonic(), reads)
    return reads


def forget_reads(kiosk_id: str) -> None:
    """A heartbeat came in: read this kiosk's card reads afresh at its next lookup (in this process)."""
    with _reads_lock:
        for key in [k for k in _reads_cache if k.split("|")[1] == kiosk_id]:
            del _reads_cache[key]


# PostgreSQL: count, refuse and log in one statement. The new totals decide: past PER_HOUR in the hour or
# past the day's limit (from the card reads, known beforehand) the day's refusals go up by one and the log
# says refused. set_config(…, true) holds for this statement's own transaction: its commit need not wait
# for the WAL flush (it halved the hub's lookups a second), so a crash may lose the last fraction of a
# second of counts, never corrupt them.
_ACCOUNT_PG = sa.text(
    """
    WITH quick AS (SELECT set_config('synchronous_commit', 'off', true)),
    counted AS (
        INSERT INTO lookup_days AS d (kiosk_id, day, lookups, not_found, refused, hour, hour_lookups)
        VALUES (:kiosk_id, :day, 1, :missing, 0, :hour, 1)
        ON CONFLICT (kiosk_id, day) DO UPDATE SET
            lookups = d.lookups + 1,
            not_found = d.not_found + :missing,
            hour_lookups = CASE WHEN d.hour = :hour THEN d.hour_lookups + 1 ELSE 1 END,
            hour = :hour,
            refused = d.refused + CASE
                WHEN d.lookups + 1 > :day_limit
                  OR (CASE WHEN d.hour = :hour THEN d.hour_lookups + 1 ELSE 1 END) > :per_hour
                THEN 1 ELSE 0 END
        RETURNING d.lookups, d.hour_lookups
    )
    INSERT INTO lookup_log (at, kiosk_id, kind, person_id, outcome)
    SELECT :at, :kiosk_id, :kind, :person_id,
        CASE WHEN counted.lookups > :day_limit OR counted.hour_lookups > :per_hour THEN 'refused'
             WHEN CAST(:person_id AS BIGINT) IS NOT NULL THEN 'found' ELSE 'not_found' END
    FROM counted, quick
    RETURNING outcome
    """
)


def account(store: HubStore, kiosk_id: str, kind: str, person_id: int | None, now: dt.datetime) -> bool:
    """Count and log one lookup (found or not); False, and logged as refused, when it is past the kiosk's
    limits (its answer must then be withheld)."""
    day, hour = china_today(now), _hour(now)
    if store.engine.dialect.name == "postgresql":
        with store.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            day_limit = 2 * _card_reads_today(conn, kiosk_id, now) + DAY_MARGIN
            outcome = conn.execute(
                _ACCOUNT_PG,
                {
                    "kiosk_id": kiosk_id,
                    "day": day,
                    "missing": int(person_id is None),
                    "hour": hour,
                    "day_limit": day_limit,
                    "per_hour": PER_HOUR,
                    "at": now,
                    "kind": kind,
                    "person_id": person_id,
                },
            ).scalar_one()
        return outcome != "refused"
    d = lookup_days.c
    missing = int(person_id is None)
    insert = sqlite.insert(lookup_days)
    upsert = (
        insert.values(
            kiosk_id=kiosk_id, day=day, lookups=1, not_found=missing, refused=0, hour=hour, hour_lookups=1
        )
        .on_conflict_do_update(
            index_elements=["kiosk_id", "day"],
            set_={
                "lookups": d.lookups + 1,
                "not_found": d.not_found + missing,
                "hour_lookups": sa.case((d.hour == hour, d.hour_lookups + 1), else_=1),
                "hour": hour,
            },
        )
        .returning(d.lookups, d.not_found, d.refused, d.hour_lookups)
    )
    with store.engine.begin() as conn:  # SQLite: the same in one transaction
        today, not_found, refused, in_hour = conn.execute(upsert).one()
        seen = Usage(kiosk_id, in_hour, today, not_found, refused, _card_reads_today(conn, kiosk_id, now))
        outcome = "refused" if seen.over else "found" if person_id is not None else "not_found"
        if seen.over:
            conn.execute(
                sa.update(lookup_days)
                .where(d.kiosk_id == kiosk_id, d.day == day)
                .values(refused=d.refused + 1)
            )
        conn.execute(
            sa.insert(lookup_log).values(
                at=now, kiosk_id=kiosk_id, kind=kind, person_id=person_id, outcome=outcome
            )
        )
    return not seen.over


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(store: HubStore, kiosk_id: str, person_id: int, now: dt.datetime) -> str:
    """A token standing for one person, for this kiosk, for TOKEN_LIFETIME: what /resolve answers."""
    token = secrets.token_urlsafe(24)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(resolve_tokens).where(resolve_tokens.c.expires_at < now))
        conn.execute(
            sa.insert(resolve_tokens).values(
                token_hash=_hash(token),
                kiosk_id=kiosk_id,
                person_id=person_id,
                expires_at=now + TOKEN_LIFETIME,
            )
        )
    return token


def redeem_token(store: HubStore, kiosk_id: str, token: str, now: dt.datetime) -> int | None:
    """The person a fresh token of this kiosk's stands for, or None (unknown, another kiosk's, expired)."""
    t = resolve_tokens.c
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(t.person_id, t.expires_at).where(t.token_hash == _hash(token), t.kiosk_id == kiosk_id)
        ).first()
    if row is None or (as_utc(row.expires_at) or now) <= now:
        return None
    return int(row.person_id)


def fleet_usage(store: HubStore, now: dt.datetime) -> dict[str, Usage]:
    """Today's lookups of every kiosk that made any, with the card reads each reported today, for the fleet
    page: two grouped queries, not one per kiosk."""
    d, h = lookup_days.c, heartbeat_hours.c
    hour = _hour(now)
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(lookup_days).where(d.day == china_today(now))).mappings().all()
        reads = dict(
            conn.execute(
                sa.select(h.kiosk_id, sa.func.max(h.card_reads))
                .where(h.hour >= _day_start(now))
                .group_by(h.kiosk_id)
            ).all()
        )
    return {
        row["kiosk_id"]: Usage(
            row["kiosk_id"],
            row["hour_lookups"] if as_utc(row["hour"]) == hour else 0,
            row["lookups"],
            row["not_found"],
            row["refused"],
            int(reads.get(row["kiosk_id"]) or 0),
        )
        for row in rows
    }
