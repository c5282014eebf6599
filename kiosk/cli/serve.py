"""`kiosk demo` and `kiosk serve`: the kiosk on waitress (and the demo county built first if needed)."""

from __future__ import annotations

import argparse
import sys

from flask import Flask

from kiosk.cli.common import kiosk_config
from kiosk.config import DEMO_PERSON_KEY, KioskConfig


def _serve(config: KioskConfig) -> int:
    from kiosk.web import create_app

    app = create_app(config)
    url = f"http://{'127.0.0.1' if config.host in ('0.0.0.0', '') else config.host}:{config.port}/"  # noqa: S104 - shown, not bound
    print(
        f"Mingbai kiosk ({'demo' if config.demo else 'production'}) on {url}  store: {config.db_path}",
        flush=True,
    )
    from kiosk.cli.watchdog import start_watchdog

    start_watchdog(config.port)  # under systemd: READY=1, then fed while /healthz answers
    return run_waitress(app, config.host, config.port, threads=config.threads, ident="mingbai", prog="kiosk")


def run_waitress(app: Flask, host: str, port: int, *, threads: int, ident: str, prog: str) -> int:
    """Serve `app` on waitress until stopped; 2 with a clear message if the address cannot be had."""
    import waitress

    try:
        # Reading ahead lets a long poll learn that its browser left (environ's
        # waitress.client_disconnected), so abandoned pages free their worker thread at once.
        # A body past the app's limit is refused by waitress before it is read (into memory or a temp file).
        limit = app.config.get("MAX_CONTENT_LENGTH") or 1024 * 1024
        waitress.serve(
            app,
            host=host,
            port=port,
            threads=threads,
            ident=ident,
            channel_request_lookahead=1,
            max_request_body_size=limit,
        )
    except OSError as error:
        print(f"{prog}: cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
        return 2
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.rules import load_rulebook
    from kiosk.services.demo import ensure_demo
    from kiosk.store import open_store

    config = kiosk_config(args, demo=True)
    store = open_store(config.db_path)
    rulebook = load_rulebook(config.policy_dir)
    if ensure_demo(
        store, rulebook, today=config.current_date(), seed=args.seed, staff_secret=config.person_key_secret
    ):
        counts = store.counts()
        print(
            f"Built the demo county: {counts['persons']} persons, {counts['payments']} payments.", flush=True
        )
    store.close()
    return _serve(config)


def cmd_serve(args: argparse.Namespace) -> int:
    """The production kiosk; refused with the demo's person-key secret, which anyone can read in this code
    (complaints keyed with it could be tied to ID numbers by anyone): `kiosk demo` is the demo."""
    config = kiosk_config(args)
    if config.person_key_secret == DEMO_PERSON_KEY:
        print(
            "kiosk serve: person_key_secret is the demo value; set the county's secret "
            "(person_key_secret in the config file, or MINGBAI_PERSON_KEY_SECRET), or run `kiosk demo`",
            file=sys.stderr,
        )
        return 2
    return _serve(config)
