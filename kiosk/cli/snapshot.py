"""`kiosk snapshot load FILE` and `kiosk snapshot pull`: take the township's signed data snapshot.

Exit 0 when a snapshot was taken (or the kiosk already has the latest), 1 when it was refused — the reason
printed, the old data kept — and 2 for a bad configuration. The systemd timer runs `pull` nightly.
"""

from __future__ import annotations

import argparse
import sys

from kiosk.cli.common import kiosk_config
from kiosk.core.clock import now_utc


def cmd_snapshot(args: argparse.Namespace) -> int:
    from kiosk.services.snapshot import SnapshotError, copy_of, pull_snapshot, take_snapshot
    from kiosk.store import StoreError, open_store

    config = kiosk_config(args)
    try:
        store = open_store(config.db_path)
    except StoreError as error:
        print(f"kiosk snapshot: {error}", file=sys.stderr)
        return 2
    try:
        if args.snapshot_command == "load":
            taken = take_snapshot(
                config,
                store,
                copy_of(args.file),
                source=f"file {args.file.name}",
                now=now_utc(),
                allow_older=args.allow_older,
            )
        else:
            pulled = pull_snapshot(config, store, now=now_utc())
            if pulled is None:
                print("the kiosk already has the hub's latest snapshot")
                return 0
            taken = pulled
    except SnapshotError as error:
        print(f"kiosk snapshot: refused, the old data kept: {error}", file=sys.stderr)
        return 1
    finally:
        store.close()
    manifest = taken.manifest
    print(
        f"took the snapshot of {manifest.township}: data to {manifest.data_date.isoformat()}, "
        f"{taken.counts['persons']:,} persons, {taken.counts['payments']:,} payments"
    )
    if taken.rules_changed:
        print("the rules changed: they take effect when the kiosk app restarts (it does so itself when idle)")
    return 0
