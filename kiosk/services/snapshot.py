"""Taking a signed snapshot into a kiosk's store: from a USB stick (`kiosk snapshot load FILE`) or pulled
from the hub (`kiosk snapshot pull`, nightly by deploy/systemd/mingbai-snapshot.timer).

A file is taken only when it is whole, signed by this county's hub, for this kiosk's township, and no
older than the data the kiosk has; otherwise it is refused with the reason and the old data stays. Then
its roster and ledger replace the store's in one transaction (kiosk.store.snapshot), so a lookup at that
moment reads the old data or the new. Rules carried in the file take effect at the app's next start; a
kiosk under its systemd watchdog restarts itself when idle (kiosk.cli.watchdog).
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.link import paths
from kiosk.link.client import HubClient, HubUnreachableError
from kiosk.link.snapshot import Manifest, SnapshotError, load_public_key, unpack
from kiosk.store import Store, StoreError

MAX_DATA = 8 * 2**30  # bytes: the largest store a snapshot may unpack to (a county is a few hundred MB)


@dataclass(frozen=True)
class Taken:
    manifest: Manifest
    counts: dict[str, int]

    @property
    def rules_changed(self) -> bool:
        return bool(self.counts.get("rules_changed"))


def take_snapshot(
    config: KioskConfig,
    store: Store,
    data: bytes,
    *,
    source: str,
    now: dt.datetime,
    allow_older: bool = False,
) -> Taken:
    """Check `data` and swap it in; SnapshotError (nothing changed) says why a file is refused."""
    if not config.hub_public_key:
        raise SnapshotError("this kiosk has no hub_public_key: it cannot tell its county's snapshots")
    if not config.township:
        raise SnapshotError("this kiosk has no township set: it cannot tell which snapshot is its own")
    manifest, payload = unpack(data, load_public_key(config.hub_public_key))
    if manifest.township != config.township:
        raise SnapshotError(
            f"this snapshot is for the township {manifest.township}, not {config.township}: refused"
        )
    held = store.data_date()
    if held is not None and manifest.data_date < held and not allow_older:
        raise SnapshotError(
            f"this snapshot's data ({manifest.data_date.isoformat()}) is older than the kiosk's "
            f"({held.isoformat()}): refused"
        )
    folder = store.path.parent
    with tempfile.TemporaryDirectory(prefix=".snapshot-", dir=folder) as scratch:
        unpacked = Path(scratch) / "snapshot.db"
        _gunzip(payload, unpacked)
        stamp = now.isoformat(timespec="seconds")
        try:
            counts = store.swap_in_snapshot(
                unpacked,
                meta={
                    "ledger_date": manifest.data_date.isoformat(),
                    "snapshot_publication": str(manifest.publication),
                    "snapshot_created_at": manifest.created_at,
                    "snapshot_applied_at": stamp,
                    "snapshot_source": source[:200],
                },
                audit=(
                    source[:200],
                    f"ok: {manifest.township}, data to {manifest.data_date.isoformat()}, "
                    f"{manifest.persons} persons, {manifest.payments} payments",
                ),
            )
        except StoreError as error:
            raise SnapshotError(str(error)) from None
    return Taken(manifest, counts)


def _gunzip(payload: bytes, target: Path) -> None:
    """Unpack into a private file, refusing a payload that is no gzip or unpacks beyond MAX_DATA."""
    descriptor = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with (
            os.fdopen(descriptor, "wb") as out,
            gzip.GzipFile(fileobj=io.BytesIO(payload), mode="rb") as source,
        ):
            written = 0
            while chunk := source.read(1 << 20):
                written += len(chunk)
                if written > MAX_DATA:
                    raise SnapshotError("the snapshot unpacks to more than a county's data: refused")
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise SnapshotError(f"the snapshot's data is not readable: {error}") from None


def pull_snapshot(config: KioskConfig, store: Store, *, now: dt.datetime) -> Taken | None:
    """Ask the hub for this township's latest snapshot and take it; None when the kiosk already has it."""
    if not config.hub_url:
        raise SnapshotError("no hub_url: this kiosk has no hub to pull from (load a file instead)")
    client = HubClient(config.hub_url, kiosk_id=config.kiosk_id, secret=config.hub_secret, timeout=300.0)
    have = store.get_meta("snapshot_publication")
    try:
        status, body = client.post_json(paths.full(paths.SNAPSHOT), {"have": int(have) if have else 0})
    except HubUnreachableError as error:
        raise SnapshotError(f"the hub cannot be reached: {error}") from None
    if client.clock_skew is not None:
        with store.transaction() as tx:
            store.set_meta(tx, "clock_skew_seconds", str(int(client.clock_skew)))
    if status == 204:
        return None
    if status != 200:
        try:
            reason = json.loads(body).get("error", "")
        except (ValueError, AttributeError):
            reason = body[:200].decode(errors="replace")
        raise SnapshotError(f"the hub answered {status}: {reason}")
    return take_snapshot(config, store, body, source=f"hub {config.hub_url}", now=now)


def copy_of(path: Path) -> bytes:
    """A file's bytes, with a plain error for a missing or unreadable stick."""
    try:
        with path.open("rb") as handle:
            return handle.read()
    except OSError as error:
        raise SnapshotError(f"cannot read {path}: {error.strerror}") from None
