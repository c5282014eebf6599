"""`kiosk hub` and `kiosk complaints export`: serve the hub, or run one of its one-shot jobs and exit.

The one-shot flags (--publish, --export, --add-user, --register, --revoke, --snapshot,
--snapshot-key) are dispatched
through ONE_SHOTS; each gets the hub's store and closes it after. `kiosk complaints
export` is the same export as `kiosk hub --export`, kept as an alias for its flags.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.cli.serve import run_waitress
from kiosk.config import HubConfig, load_hub_config
from kiosk.core.clock import china_today, now_utc
from kiosk.hub.store import HubStore

OneShot = Callable[[HubStore, argparse.Namespace, HubConfig, dt.datetime], int]


def hub_config(args: argparse.Namespace) -> HubConfig:
    overrides = {
        "db_url": args.db,
        "read_db_url": getattr(args, "read_db", None),
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "threads": getattr(args, "threads", None),
        "escalate_every": getattr(args, "escalate_every", None),
    }
    return load_hub_config(overrides, config_file=getattr(args, "config", None))


def export_complaints_to(store: HubStore, out: Path, now: dt.datetime) -> int:
    """Every complaint with its evidence and replies, to `out` (.csv or .xlsx); audited; prints the count."""
    from kiosk.hub.cases import export_complaints

    count = export_complaints(store, out)
    store.record_audit("cli", "export_complaints", str(out), "ok", now)
    print(f"{count} complaints → {out}")
    return 0


def _export(store: HubStore, args: argparse.Namespace, config: HubConfig, now: dt.datetime) -> int:
    return export_complaints_to(store, args.export, now)


def _publish(store: HubStore, args: argparse.Namespace, config: HubConfig, now: dt.datetime) -> int:
    from kiosk.hub.publish import PublishError, publish
    from kiosk.store import StoreError, open_store

    if not args.publish.is_file():
        print(f"kiosk hub: no store at {args.publish}", file=sys.stderr)
        return 2
    try:
        source = open_store(args.publish)
    except StoreError as error:
        print(f"kiosk hub: {error}", file=sys.stderr)
        return 2
    findings = None
    rulebook = None
    if not args.skip_checks:  # the supervision checks: counts for the dashboard, and each one a case
        from kiosk.rules import load_rulebook
        from kiosk.services.checks import run_checks

        rulebook = load_rulebook(None, source.policies())
        findings = run_checks(source, rulebook, today=china_today(now))
    try:
        done = publish(
            store.engine,
            source,
            secret=config.person_key_secret,
            source_name=args.publish.name,
            now=now,
            findings=findings,
            county=args.county,
            increment=args.increment,
        )
    except PublishError as error:
        print(f"kiosk hub: {error}", file=sys.stderr)
        return 2
    counts = done.counts
    if findings is not None and rulebook is not None:
        from kiosk.hub.findings import open_cases

        opened = open_cases(
            store,
            findings,
            secret=config.person_key_secret,
            codes={policy.name: code for code, policy in rulebook.policies.items()},
            today=china_today(now),
            now=now,
            county=done.county,
        )
        print(f"supervision findings: {opened.new} new cases, {opened.already} already open")
    from kiosk.hub.confirm import confirm_payments

    confirmed = confirm_payments(store, now)
    if confirmed:
        print(f"{confirmed} cases answered with a payment closed: the ledger shows it")
    store.record_audit(
        "cli",
        "publish_roster",
        args.publish.name,
        f"ok: {counts['persons']} persons, {counts['payments']} payments",
        now,
    )
    print(
        f"published county {done.county}{' (increment)' if args.increment else ''}: {counts['persons']:,} "
        f"persons, {counts['enrolments']:,} enrolments, {counts['payments']:,} "
        f"{'new ' if args.increment else ''}payments in {done.seconds:.1f} s"
    )
    return 0


def _add_user(store: HubStore, args: argparse.Namespace, config: HubConfig, now: dt.datetime) -> int:
    from kiosk.hub.accounts import AccountError, create_user
    from kiosk.hub.app import seed_departments

    seed_departments(store)
    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    try:
        create_user(
            store,
            args.add_user,
            args.role,
            password,
            now,
            department=args.department,
            region=args.region or "",
            replace=True,
        )
    except AccountError as error:
        print(f"kiosk hub: {error}", file=sys.stderr)
        return 2
    store.record_audit("cli", "save_user", args.add_user, f"ok: {args.role}", now)
    second = ": a TOTP code is set up at the first sign-in" if args.role in ("admin", "supervisor") else ""
    print(f"{args.role} {args.add_user} ready{second}")
    return 0


def _register(store: HubStore, args: argparse.Namespace, config: HubConfig, now: dt.datetime) -> int:
    from kiosk.hub.regions import RegionError

    try:
        secret = store.register_kiosk(
            args.register, now, township=(args.township or "").strip()[:64] or None, region=args.region
        )
    except RegionError as error:
        print(f"kiosk hub: {error}", file=sys.stderr)
        return 2
    print(secret)
    return 0


def _regions(store: HubStore, args: argparse.Namespace, config: HubConfig, now: dt.datetime) -> int:
    """Load an official list of region names."""
    from kiosk.hub.regions import RegionError, load_file

    try:
        added = load_file(store.engine, args.regions)
    except (OSError, UnicodeDecodeError, RegionError) as error:
        print(f"kiosk hub: {args.regions}: {error}", file=sys.stderr)
        return 1
    store.record_audit("cli", "load_regions", args.regions.name, f"ok: {added} added", now)
    print(f"regions: {added} added from {args.regions}")
    return 0


def _revoke(store: HubStore, args: argparse.Namespace, config: HubConfig, now: dt.datetime) -> int:
    if not store.revoke_kiosk(args.revoke, now):
        print(f"kiosk hub: no kiosk {args.revoke!r}", file=sys.stderr)
        return 1
    print(f"revoked {args.revoke}")
    return 0


def _snapshot(store: HubStore, args: argparse.Namespace, config: HubConfig, now: dt.datetime) -> int:
    """Write one township's signed snapshot to a file, for a USB stick."""
    from kiosk.hub.snapshots import NoSnapshotError, township_snapshot

    if args.out is None:
        print("kiosk hub: --snapshot needs --out FILE", file=sys.stderr)
        return 2
    try:
        data = township_snapshot(store, args.snapshot, now)
    except NoSnapshotError as error:
        print(f"kiosk hub: {error}", file=sys.stderr)
        return 1
    partial = args.out.with_name(args.out.name + ".part")
    partial.write_bytes(data)
    partial.replace(args.out)  # a stick pulled mid-copy leaves a .part, never a short file by the real name
    store.record_audit(
        "cli", "snapshot_written", args.snapshot, f"ok: {args.out.name}, {len(data):,} bytes", now
    )
    print(f"snapshot of {args.snapshot} → {args.out} ({len(data):,} bytes)")
    return 0


def _snapshot_key(store: HubStore, args: argparse.Namespace, config: HubConfig, now: dt.datetime) -> int:
    """Print the public half of the snapshot key, for every kiosk's `hub_public_key`."""
    from kiosk.hub.snapshots import snapshot_key
    from kiosk.link.snapshot import public_key_text

    print(public_key_text(snapshot_key(store)))
    return 0


# flag → job, in the order they win when several are given
ONE_SHOTS: tuple[tuple[str, OneShot], ...] = (
    ("publish", _publish),
    ("export", _export),
    ("add_user", _add_user),
    ("register", _register),
    ("revoke", _revoke),
    ("regions", _regions),
    ("snapshot", _snapshot),
    ("snapshot_key", _snapshot_key),
)


def cmd_hub(args: argparse.Namespace) -> int:
    config = hub_config(args)
    for flag, job in ONE_SHOTS:
        if getattr(args, flag):
            store = HubStore(config.db_url, key_file=config.key_file)
            try:
                return job(store, args, config, now_utc())
            finally:
                store.close()
    from kiosk.hub.app import create_hub_app

    app = create_hub_app(config)
    print(f"Mingbai hub on http://{config.host}:{config.port}/api/v1/openapi.json", flush=True)
    return run_waitress(
        app, config.host, config.port, threads=config.threads, ident="mingbai-hub", prog="kiosk hub"
    )


def cmd_complaints(args: argparse.Namespace) -> int:
    """`kiosk complaints export`: the alias of `kiosk hub --export`, with --format choosing the suffix."""
    out = args.out or Path(f"complaints.{args.format}")
    if out.suffix.lower() != f".{args.format}":
        out = out.with_suffix(f".{args.format}")
    config = hub_config(args)
    store = HubStore(config.db_url, key_file=config.key_file)
    try:
        return export_complaints_to(store, out, now_utc())
    finally:
        store.close()
