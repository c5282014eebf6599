"""The fleet as the hub knows it: each kiosk's credential, the nonces it has used, and its heartbeats.

A kiosk signs every request with its secret (kiosk.link.signing); a nonce is accepted
once, so a replayed request is refused. Heartbeats keep the latest status and one row
per kiosk and hour, enough for uptime and use across ten thousand kiosks.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kiosk.hub import regions
from kiosk.hub.db import as_dict, heartbeat_hours, heartbeats, kiosks, nonces, reconnecting, villages
from kiosk.hub.sealing import Sealer
from kiosk.link.signing import MAX_SKEW


class KioskRegistry:
    """Queries over kiosks, nonces and heartbeats (mixed into `kiosk.hub.store.HubStore`)."""

    engine: sa.Engine
    sealer: Sealer

    def register_kiosk(
        self, kiosk_id: str, now: dt.datetime, *, township: str | None = None, region: str | None = None
    ) -> str:
        """Create (or re-key) a kiosk's credential, noting its township and region if given (a township the
        roster's villages name once gives the region by itself); return the secret to install on that
        kiosk. RegionError for a malformed code."""
        secret = secrets.token_urlsafe(32)
        values: dict[str, object] = {"secret": self.sealer.seal(secret), "revoked_at": None}
        if township is not None:
            values["township"] = township
        if region:
            values["region"] = regions.normalize(region)
        with self.engine.begin() as conn:
            if township is not None and not region:
                codes = {
                    code[:9]
                    for (code,) in conn.execute(
                        sa.select(villages.c.code).where(villages.c.township == township)
                    )
                    if len(code) == 12 and code.isdigit()
                }
                if len(codes) == 1:
                    values["region"] = codes.pop()
            updated = conn.execute(
                sa.update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(**values)
            ).rowcount
            if not updated:
                conn.execute(sa.insert(kiosks).values(kiosk_id=kiosk_id, created_at=now, **values))
        return secret

    def note_clock_skew(self, kiosk_id: str, skew: int | None, now: dt.datetime) -> None:
        """Keep how far a kiosk's clock is off (None: back within tolerance)."""
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(kiosks)
                .where(kiosks.c.kiosk_id == kiosk_id)
                .values(clock_skew_seconds=skew, clock_seen_at=now)
            )

    def revoke_kiosk(self, kiosk_id: str, now: dt.datetime) -> bool:
        with self.engine.begin() as conn:
            return (
                conn.execute(
                    sa.update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(revoked_at=now)
                ).rowcount
                == 1
            )

    @reconnecting
    def kiosk(self, kiosk_id: str) -> dict | None:
        with self.engine.execution_options(
            isolation_level="AUTOCOMMIT"
        ).connect() as conn:  # one read, no BEGIN
            row = as_dict(
                conn.execute(sa.select(kiosks).where(kiosks.c.kiosk_id == kiosk_id)).mappings().first()
            )
        if row is not None:
            row["secret"] = self.sealer.open(row["secret"])
        return row

    @reconnecting
    def use_nonce(self, kiosk_id: str, nonce: str, now: dt.datetime) -> bool:
        """Record a nonce; False if this kiosk used it before (a replay)."""
        try:  # a single INSERT is atomic by itself: autocommit spares the BEGIN and COMMIT round trips
            with self.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(sa.insert(nonces).values(kiosk_id=kiosk_id, nonce=nonce, seen_at=now))
            return True
        except IntegrityError:
            return False

    def forget_nonces(self, now: dt.datetime) -> int:
        """Drop nonces too old to matter: a request signed that long ago fails the timestamp check anyway."""
        with self.engine.begin() as conn:
            return conn.execute(
                sa.delete(nonces).where(nonces.c.seen_at < now - dt.timedelta(seconds=2 * MAX_SKEW + 60))
            ).rowcount

    def last_heartbeat(self, kiosk_id: str) -> dict | None:
        with self.engine.connect() as conn:
            return as_dict(
                conn.execute(sa.select(heartbeats).where(heartbeats.c.kiosk_id == kiosk_id))
                .mappings()
                .first()
            )

    def heartbeat(self, kiosk_id: str, status: dict, now: dt.datetime) -> None:
        """Keep the kiosk's latest status, and count the beat in its hour (for uptime and card reads a day)."""
        text = json.dumps(status, sort_keys=True)
        hour = now.replace(minute=0, second=0, microsecond=0)
        reads = _count(status.get("card_reads_today"))
        backlog = _count(status.get("outbox_backlog"))
        with self.engine.begin() as conn:
            if not conn.execute(
                sa.update(heartbeats).where(heartbeats.c.kiosk_id == kiosk_id).values(at=now, status=text)
            ).rowcount:
                conn.execute(sa.insert(heartbeats).values(kiosk_id=kiosk_id, at=now, status=text))
            h = heartbeat_hours.c
            if not conn.execute(
                sa.update(heartbeat_hours)
                .where(h.kiosk_id == kiosk_id, h.hour == hour)
                .values(
                    beats=h.beats + 1,
                    card_reads=sa.func.max(h.card_reads, reads)
                    if conn.dialect.name == "sqlite"
                    else sa.func.greatest(h.card_reads, reads),
                    backlog=backlog,
                )
            ).rowcount:
                conn.execute(
                    sa.insert(heartbeat_hours).values(
                        kiosk_id=kiosk_id, hour=hour, beats=1, card_reads=reads, backlog=backlog
                    )
                )


def _count(value: object) -> int:
    """A non-negative count reported by a kiosk; anything else counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31 else 0
