"""The `kiosk` console script: demo, serve and doctor sub-commands.

Each sub-command that uses the embedded store takes --db PATH; serving ones take --port.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import Sequence

from kiosk.config import ConfigError, KioskConfig, load_config

log = logging.getLogger("kiosk")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _store_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="embedded store file (default: the configured store)")
    parser.add_argument("--config", type=Path, help="config file (TOML); default $MINGBAI_CONFIG or /etc/mingbai/kiosk.toml")


def _serve_args(parser: argparse.ArgumentParser) -> None:
    _store_args(parser)
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1: the kiosk's own browser only)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8080)")
    parser.add_argument("--today", type=_date, help="pretend today is this date (demos and tests)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Mingbai (明白) entitlement kiosk.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="build the demo county if needed and serve the kiosk with a virtual card")
    _serve_args(demo)
    demo.add_argument("--seed", type=int, default=2025, help="seed of the demo county generator")
    serve = commands.add_parser("serve", help="serve the production kiosk on the configured store")
    _serve_args(serve)
    doctor = commands.add_parser("doctor", help="check the store and the policy files, and report what is loaded")
    _store_args(doctor)
    return parser


def _config(args: argparse.Namespace, **extra: object) -> KioskConfig:
    overrides = {"db_path": args.db, **extra}
    for name in ("host", "port", "today"):
        if hasattr(args, name):
            overrides[name] = getattr(args, name)
    return load_config(overrides, config_file=args.config)


def _serve(config: KioskConfig) -> int:
    import waitress

    from kiosk.web import create_app

    app = create_app(config)
    url = f"http://{'127.0.0.1' if config.host in ('0.0.0.0', '') else config.host}:{config.port}/"
    print(f"Mingbai kiosk ({'demo' if config.demo else 'production'}) on {url}  store: {config.db_path}", flush=True)
    try:
        waitress.serve(app, host=config.host, port=config.port, threads=config.threads, ident="mingbai")
    except OSError as error:
        print(f"kiosk: cannot listen on {config.host}:{config.port}: {error.strerror or error}", file=sys.stderr)
        return 2
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.demo_data import ensure_demo
    from kiosk.rules import load_rulebook
    from kiosk.store import open_store

    config = _config(args, demo=True)
    store = open_store(config.db_path)
    if ensure_demo(store, load_rulebook(config.policy_dir), today=config.current_date(), seed=args.seed):
        counts = store.counts()
        print(f"Built the demo county: {counts['persons']} persons, {counts['payments']} payments.", flush=True)
    store.close()
    return _serve(config)


def cmd_serve(args: argparse.Namespace) -> int:
    return _serve(_config(args))


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.rules import PolicyError, load_rulebook
    from kiosk.store import StoreError, open_store

    config = _config(args)
    healthy = True
    try:
        rulebook = load_rulebook(config.policy_dir)
        print(f"policies   ok    {len(rulebook.policies)} programmes, rule version {rulebook.version}")
    except PolicyError as error:
        print(f"policies   FAIL  {error}")
        healthy = False
    try:
        store = open_store(config.db_path)
        counts = store.counts()
        print(f"store      ok    {config.db_path} (schema {store.schema_version()}): "
              f"{counts['persons']} persons, {counts['enrolments']} enrolments, {counts['payments']} payments")
        if not counts["persons"]:
            print("store      WARN  no persons: load data (or run `kiosk demo`)")
    except StoreError as error:
        print(f"store      FAIL  {error}")
        healthy = False
    return 0 if healthy else 1


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return {"demo": cmd_demo, "serve": cmd_serve, "doctor": cmd_doctor}[args.command](args)
    except ConfigError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
