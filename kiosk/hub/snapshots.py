"""Cutting a signed snapshot of one township from the published roster, for kiosks that keep their own data.

The snapshot holds the township's villages and the persons registered in them, with their accounts,
households, enrolments and payments, and every programme and policy file (rules are county-wide). It is
built into a fresh kiosk store, compressed, and signed with the hub's snapshot key (a file beside the
sealing key, made 0600 at first use). The last file made for each township and publication is kept in
memory: a hundred kiosks of one township asking after a publication cost one build.
"""

from __future__ import annotations

import datetime as dt
import gzip
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.hub.db import (
    accounts,
    enrolments,
    household_incomes,
    households,
    payments,
    persons,
    policies,
    programmes,
    villages,
)
from kiosk.hub.roster import Roster
from kiosk.hub.store import HubStore
from kiosk.link.snapshot import pack, signing_key
from kiosk.store import SNAPSHOT_TABLES, open_store


class NoSnapshotError(LookupError):
    """Nothing to cut: no publication yet, or no village in that township."""


def snapshot_key(store: HubStore) -> Ed25519PrivateKey:
    """The hub's snapshot signing key, beside its sealing key (hub.key → hub.snapshot.pem)."""
    return signing_key(store.sealer.key_file.with_suffix(".snapshot.pem"))


def columns(table: sa.Table) -> sa.Select:
    """The hub table's columns that a kiosk store's table of the same name has, in its order."""
    return sa.select(*[table.c[name] for name in SNAPSHOT_TABLES[table.name]])


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


_cache_lock = threading.Lock()
_cache: dict[tuple[str, str, int], bytes] = {}  # (database, township, publication) → the signed file


def township_snapshot(store: HubStore, township: str, now: dt.datetime) -> bytes:
    """The signed snapshot file of `township` from the latest publication (built once per publication)."""
    publication = Roster(store.engine).publication()
    if publication is None:
        raise NoSnapshotError("the hub holds no published roster yet")
    key = (str(store.engine.url), township, int(publication["id"]))
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    data = _build(store, township, publication, now)
    with _cache_lock:
        for old in [k for k in _cache if k[:2] == key[:2]]:
            del _cache[old]
        _cache[key] = data
    return data


def _build(store: HubStore, township: str, publication: dict, now: dt.datetime) -> bytes:
    engine = store.engine
    with tempfile.TemporaryDirectory(prefix="mingbai-snapshot-") as folder:
        path = Path(folder) / "snapshot.db"
        target = open_store(path)
        with engine.connect() as conn, target.transaction() as tx:
            codes = [
                code
                for (code,) in conn.execute(sa.select(villages.c.code).where(villages.c.township == township))
            ]
            if not codes:
                raise NoSnapshotError(f"no village of the published roster is in the township {township!r}")
            in_villages = persons.c.village_code.in_(codes)
            people = sa.select(persons.c.id).where(in_villages).scalar_subquery()

            def rows(query: sa.Select) -> Iterator[tuple]:
                return (tuple(_iso(value) for value in row) for row in conn.execute(query))

            target.fill_snapshot_table(
                tx, "villages", rows(columns(villages).where(villages.c.code.in_(codes)))
            )
            target.fill_snapshot_table(tx, "programmes", rows(sa.select(programmes)))
            counted = target.fill_snapshot_table(
                tx,
                "persons",
                rows(
                    sa.select(
                        persons.c.id,
                        persons.c.id_number,
                        persons.c.name,
                        persons.c.gender,
                        persons.c.birth_on,
                        persons.c.village_code,
                        persons.c.household,
                        persons.c.death_on,
                    ).where(in_villages)
                ),
            )
            target.fill_snapshot_table(
                tx, "accounts", rows(columns(accounts).where(accounts.c.person_id.in_(people)))
            )
            target.fill_snapshot_table(
                tx, "households", rows(columns(households).where(households.c.village_code.in_(codes)))
            )
            target.fill_snapshot_table(
                tx,
                "household_incomes",
                rows(columns(household_incomes).where(household_incomes.c.village_code.in_(codes))),
            )
            target.fill_snapshot_table(
                tx, "enrolments", rows(columns(enrolments).where(enrolments.c.person_id.in_(people)))
            )
            paid = target.fill_snapshot_table(
                tx, "payments", rows(columns(payments).where(payments.c.person_id.in_(people)))
            )
            stamp = now.isoformat(timespec="seconds")
            target.fill_snapshot_table(
                tx,
                "policies",
                (
                    (code, name, source, stamp)
                    for code, name, source in conn.execute(
                        sa.select(policies.c.code, policies.c.file_name, policies.c.source).where(
                            policies.c.county.in_(
                                sa.select(villages.c.county).where(villages.c.code.in_(codes)).distinct()
                            )
                        )
                    )
                ),
            )
        target.connection().execute("PRAGMA journal_mode = DELETE")  # the whole database in the one file
        target.close()
        payload = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
    data_date = publication["data_date"]
    manifest = {
        "township": township,
        "data_date": (data_date or now.date()).isoformat(),
        "created_at": stamp,
        "publication": int(publication["id"]),
        "persons": counted,
        "payments": paid,
    }
    return pack(manifest, payload, snapshot_key(store))
