"""The hub's append-only audit log: who did what to which subject, and how it ended.

Triggers (kiosk.hub.db) refuse UPDATE and DELETE on both SQLite and PostgreSQL, so
an entry once written stays written, the auditor's export included.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from kiosk.hub.db import as_dict, audit


class AuditLog:
    """Appending to and paging through the audit log (mixed into `kiosk.hub.store.HubStore`)."""

    engine: sa.Engine

    def record_audit(self, actor: str, action: str, subject: str, outcome: str, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(audit).values(at=now, actor=actor, action=action, subject=subject, outcome=outcome)
            )

    def audit_page(self, offset: int, limit: int, actor: str = "") -> tuple[list[dict], int]:
        """Newest first, optionally one actor's; and how many entries there are in all."""
        where = [audit.c.actor == actor] if actor else []
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(audit).where(*where)).scalar_one()
            rows = conn.execute(
                sa.select(audit).where(*where).order_by(audit.c.id.desc()).offset(offset).limit(limit)
            ).mappings()
            return [as_dict(r) for r in rows], total  # type: ignore[misc]

    def audit_entries(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [as_dict(r) for r in conn.execute(sa.select(audit).order_by(audit.c.id)).mappings()]  # type: ignore[misc]
