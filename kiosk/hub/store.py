"""The hub's store: one engine over the hub's database, and the queries of kiosks, intake and the audit log.

The tables are declared in kiosk.hub.db; each concern's queries sit in its own module
(kiosks, intake, audit here; cases, accounts, stats, roster, publish, lookup_guard and evidence take
the engine themselves). Views never hold SQL.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.hub.audit import AuditLog
from kiosk.hub.db import create_schema, engine_for
from kiosk.hub.intake import Intake, IntakeConflictError, Received
from kiosk.hub.kiosks import KioskRegistry
from kiosk.hub.sealing import Sealer, default_key_file

__all__ = ["HubStore", "IntakeConflictError", "Received"]


class HubStore(KioskRegistry, Intake, AuditLog):
    """The hub's database at `url` (a PostgreSQL URL or a SQLite file), its schema brought up to date.

    `reads` is where the figures and the kiosks' lookups are read: a streaming replica at `read_url`
    when there is one (they may then lag the primary by its replay delay), else the database itself.
    Everything that writes, and what must see its own writes (sessions, casework), uses `engine`."""

    def __init__(self, url: str, *, key_file: Path | None = None, read_url: str = "") -> None:
        self.engine = engine_for(url)
        self.sealer = Sealer(key_file or default_key_file(url))  # kiosk secrets and TOTP seeds
        create_schema(self.engine)
        self.reads = engine_for(read_url) if read_url else self.engine

    def close(self) -> None:
        """Close the pool's connections (tests, and a clean shutdown)."""
        self.engine.dispose()
        if self.reads is not self.engine:
            self.reads.dispose()
