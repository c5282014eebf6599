"""The kiosk's embedded SQLite store, and all of the kiosk's SQL.

One `Store` over one file, its methods grouped by what they own: the schema and
connections (base, schema), the county's data and every query over it (county),
complaints and their outbox (complaints), the kiosk's own counts, demo cards and audit
log (terminal), a signed snapshot's swap (snapshot). Nothing outside this package writes SQL against the kiosk's file.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.core.person import PersonRecord
from kiosk.store.base import Rollback, StoreError, Tx
from kiosk.store.complaints import ComplaintData, TrackingNumberTakenError
from kiosk.store.county import CountyData
from kiosk.store.registers import RegisterData
from kiosk.store.schema import SCHEMA_VERSION
from kiosk.store.snapshot import SNAPSHOT_TABLES, SnapshotData
from kiosk.store.staff import HubStaff, StaffAccount, StaffData, StaffLookup
from kiosk.store.terminal import DemoCard, TerminalData

__all__ = [
    "SCHEMA_VERSION",
    "SNAPSHOT_TABLES",
    "DemoCard",
    "PersonRecord",
    "Rollback",
    "HubStaff",
    "StaffAccount",
    "StaffLookup",
    "Store",
    "StoreError",
    "TrackingNumberTakenError",
    "Tx",
    "open_store",
]


class Store(CountyData, RegisterData, ComplaintData, TerminalData, StaffData, SnapshotData):
    """The embedded database at `path`, one connection per thread."""


def open_store(path: Path | str) -> Store:
    """Open (creating if needed) the store at `path` and migrate it to the current schema."""
    store = Store(path)
    store.migrate()
    return store
