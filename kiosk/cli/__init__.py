"""The `kiosk` console script: demo, serve, import, checks, export and doctor sub-commands.

Each sub-command that uses the embedded store takes --db PATH; serving ones take --port.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.config import ConfigError, KioskConfig, load_config
from kiosk.core.clock import parse_date

log = logging.getLogger("kiosk")


def _date(text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _store_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="embedded store file (default: the configured store)")
    parser.add_argument(
        "--config", type=Path, help="config file (TOML); default $MINGBAI_CONFIG or /etc/mingbai/kiosk.toml"
    )


def _serve_args(parser: argparse.ArgumentParser) -> None:
    _store_args(parser)
    parser.add_argument(
        "--host", help="address to listen on (default 127.0.0.1: the kiosk's own browser only)"
    )
    parser.add_argument("--port", type=int, help="port to listen on (default 8080)")
    parser.add_argument("--today", type=_date, help="pretend today is this date (demos and tests)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Mingbai (明白) entitlement kiosk.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="build the demo county if needed and serve the kiosk with a virtual card"
    )
    _serve_args(demo)
    demo.add_argument("--seed", type=int, default=2025, help="seed of the demo county generator")
    serve = commands.add_parser("serve", help="serve the production kiosk on the configured store")
    _serve_args(serve)
    imp = commands.add_parser(
        "import", help="load villages, persons, enrolments, payments (CSV/XLSX) or policies (TOML)"
    )
    _store_args(imp)
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument(
        "--kind",
        choices=["villages", "persons", "enrolments", "payments"],
        help="kind of data (default: recognised from the headers)",
    )
    imp.add_argument(
        "--mapping", type=Path, help="TOML file mapping the county's headers to ours (docs/import.md)"
    )
    imp.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="import the good rows and record the bad ones, instead of importing nothing",
    )
    imp.add_argument(
        "--no-error-file", action="store_true", help="do not write FILE.errors.csv beside a bad file"
    )
    imp.add_argument(
        "--report", type=Path, help="after importing, write the supervision report here (.csv/.xlsx)"
    )
    imp.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    checks = commands.add_parser("checks", help="run the supervision checks and write a report")
    _store_args(checks)
    checks.add_argument("--out", type=Path, help="report file (.csv or .xlsx); default: print a summary only")
    checks.add_argument("--cadres", type=Path, help="CSV/XLSX of village cadres (身份证号, 姓名, 职务)")
    checks.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    export = commands.add_parser("export", help="write the store as CSV files that `kiosk import` reads")
    _store_args(export)
    export.add_argument("--out", type=Path, required=True, help="folder for the CSV files")
    complaints = commands.add_parser("complaints", help="the hub's complaints: export them for supervisors")
    complaints_commands = complaints.add_subparsers(
        dest="complaints_command", required=True, metavar="ACTION"
    )
    export_complaints = complaints_commands.add_parser(
        "export", help="every complaint with its evidence and replies"
    )
    export_complaints.add_argument(
        "--db", required=True, help="the hub's store: a SQLite file or a postgresql:// URL"
    )
    export_complaints.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    export_complaints.add_argument("--out", type=Path, help="file to write (default: complaints.FORMAT)")
    hub = commands.add_parser("hub", help="serve the hub (complaint intake from kiosks) on waitress")
    hub.add_argument("--db", required=True, help="a SQLite file path or a postgresql:// URL")
    hub.add_argument("--host", default="127.0.0.1")
    hub.add_argument("--port", type=int, default=8090)
    hub.add_argument("--threads", type=int, default=8, help="waitress worker threads (default 8)")
    hub.add_argument(
        "--skip-checks",
        action="store_true",
        help="with --publish: do not run the supervision checks (their dashboard counts stay as they were)",
    )
    hub.add_argument(
        "--config", type=Path, help="config file (TOML) for person_key_secret; default as the kiosk's"
    )
    hub.add_argument(
        "--publish",
        metavar="STORE",
        type=Path,
        help="replace the hub's roster with a county store loaded by `kiosk import`, and exit",
    )
    hub.add_argument(
        "--register", metavar="KIOSK_ID", help="create or re-key a kiosk's credential, print it, exit"
    )
    hub.add_argument("--revoke", metavar="KIOSK_ID", help="revoke a kiosk's credential and exit")
    hub.add_argument(
        "--export", metavar="FILE", type=Path, help="write every complaint to FILE (.csv or .xlsx), and exit"
    )
    hub.add_argument(
        "--add-user",
        metavar="NAME",
        help="create or reset a back-office account (password from standard input), and exit",
    )
    hub.add_argument(
        "--role",
        choices=["admin", "supervisor", "handler", "auditor"],
        default="supervisor",
        help="the account's role (with --add-user; default supervisor)",
    )
    hub.add_argument("--department", help="a handler's department (with --add-user --role handler)")
    hub.add_argument(
        "--escalate-every",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how often to flag overdue complaints for the supervisors (default 300)",
    )
    doctor = commands.add_parser(
        "doctor", help="check policies, store, card readers; --trace records one card read"
    )
    _store_args(doctor)
    doctor.add_argument(
        "--trace",
        action="store_true",
        help="wait for a card and print a masked trace of its APDUs, for a technician to send",
    )
    doctor.add_argument("--trace-timeout", type=float, default=30.0, help="seconds to wait for the card (30)")
    return parser


def _config(args: argparse.Namespace, **extra: object) -> KioskConfig:
    overrides = {"db_path": args.db, **extra}
    for name in ("host", "port", "today"):
        if hasattr(args, name):
            overrides[name] = getattr(args, name)
    return load_config(overrides, config_file=args.config)


def _serve(config: KioskConfig) -> int:
    from kiosk.web import create_app

    app = create_app(config)
    url = f"http://{'127.0.0.1' if config.host in ('0.0.0.0', '') else config.host}:{config.port}/"  # noqa: S104 - shown, not bound
    print(
        f"Mingbai kiosk ({'demo' if config.demo else 'production'}) on {url}  store: {config.db_path}",
        flush=True,
    )
    return _run_waitress(app, config.host, config.port, threads=config.threads, ident="mingbai", prog="kiosk")


def _run_waitress(app, host: str, port: int, *, threads: int, ident: str, prog: str) -> int:  # type: ignore[no-untyped-def]
    """Serve `app` on waitress until stopped; 2 with a clear message if the address cannot be had."""
    import waitress

    try:
        # Reading ahead lets a long poll learn that its browser left (environ's
        # waitress.client_disconnected), so abandoned pages free their worker thread at once.
        waitress.serve(app, host=host, port=port, threads=threads, ident=ident, channel_request_lookahead=1)
    except OSError as error:
        print(f"{prog}: cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
        return 2
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.rules import load_rulebook
    from kiosk.services.demo import ensure_demo
    from kiosk.store import open_store

    config = _config(args, demo=True)
    store = open_store(config.db_path)
    if ensure_demo(store, load_rulebook(config.policy_dir), today=config.current_date(), seed=args.seed):
        counts = store.counts()
        print(
            f"Built the demo county: {counts['persons']} persons, {counts['payments']} payments.", flush=True
        )
    store.close()
    return _serve(config)


def cmd_serve(args: argparse.Namespace) -> int:
    return _serve(_config(args))


def _store_and_rules(config: KioskConfig):  # type: ignore[no-untyped-def]
    from kiosk.rules import load_rulebook
    from kiosk.store import open_store

    store = open_store(config.db_path)
    return store, load_rulebook(config.policy_dir, store.policies())


def cmd_import(args: argparse.Namespace) -> int:
    from kiosk.imports.formats import FormatError, load_mapping
    from kiosk.imports.loader import import_file, write_error_file

    config = _config(args)
    store, rulebook = _store_and_rules(config)
    try:
        mapping = load_mapping(args.mapping)
    except FormatError as error:
        print(f"kiosk import: {error}", file=sys.stderr)
        return 2
    failed = False
    for path in args.files:
        try:
            report = import_file(
                store,
                path,
                rulebook=rulebook,
                today=config.current_date(),
                kind=args.kind,
                mapping=mapping,
                skip_bad_rows=args.skip_bad_rows,
            )
        except FormatError as error:
            print(f"{error}（未导入）")
            failed = True
            continue
        print(report.summary_zh())
        for row_error in report.errors[:20]:
            print(
                f"  {row_error.message}（值：{row_error.value}）"
                if row_error.value
                else f"  {row_error.message}"
            )
        if report.error_count > 20:
            print(f"  …共{report.error_count}处错误")
        if report.errors and not args.no_error_file and path.suffix.lower() != ".toml":
            print(f"  错误清单：{write_error_file(report, path)}")
        store.record_audit("cli", "import", path.name, "ok" if report.committed else "refused")
        failed |= not report.committed
        if report.kind == "policy" and report.committed:
            rulebook = _store_and_rules(config)[1]
    _run_checks(store, rulebook, config, out=args.report, cadres=None)
    return 1 if failed else 0


def _run_checks(store, rulebook, config: KioskConfig, *, out: Path | None, cadres: Path | None) -> None:  # type: ignore[no-untyped-def]
    from kiosk.services.checks import run_checks, summary_zh, write_report

    people = _read_cadres(cadres, rulebook, config) if cadres else []
    findings = run_checks(store, rulebook, today=config.current_date(), cadres=people)
    print("监督检查：" + "；".join(summary_zh(findings)))
    if out is not None:
        print(f"检查报告：{write_report(findings, out)}")


def _read_cadres(path: Path, rulebook, config: KioskConfig) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    from kiosk.imports import validate as v
    from kiosk.imports.formats import match_headers, missing_columns
    from kiosk.imports.sources import open_tables

    cadres = []
    for table in open_tables(path, {}):
        columns = match_headers("cadres", table.headers, {})
        if missing_columns("cadres", columns):
            raise SystemExit(f"{path.name}: 干部名单需要列：身份证号、姓名")
        for number, cells in table.rows:
            try:
                cadres.append(
                    (
                        v.id_number(cells[columns["id_number"]]),
                        cells[columns["name"]],
                        cells[columns["position"]] if "position" in columns else "",
                    )
                )
            except (v.CellError, IndexError) as error:
                raise SystemExit(f"{path.name}: 第{number}行 {error}") from None
    return cadres


def cmd_checks(args: argparse.Namespace) -> int:
    config = _config(args)
    store, rulebook = _store_and_rules(config)
    _run_checks(store, rulebook, config, out=args.out, cadres=args.cadres)
    store.record_audit("cli", "checks", str(args.out or ""), "ok")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kiosk.services.export import export_store
    from kiosk.store import open_store

    config = _config(args)
    store = open_store(config.db_path)
    for path in export_store(store, args.out):
        print(path)
    store.record_audit("cli", "export", str(args.out), "ok")
    return 0


def cmd_complaints(args: argparse.Namespace) -> int:
    import datetime as dt

    from kiosk.hub.cases import export_complaints
    from kiosk.hub.store import HubStore

    out = args.out or Path(f"complaints.{args.format}")
    if out.suffix.lower() != f".{args.format}":
        out = out.with_suffix(f".{args.format}")
    store = HubStore(args.db)
    try:
        count = export_complaints(store, out)
        store.record_audit("cli", "export_complaints", str(out), "ok", dt.datetime.now(dt.UTC))
    finally:
        store.close()
    print(f"{count} complaints → {out}")
    return 0


def cmd_hub(args: argparse.Namespace) -> int:
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    if args.register or args.revoke or args.add_user or args.export or args.publish:
        from kiosk.hub.store import HubStore

        store = HubStore(args.db)
        try:
            if args.publish:
                return _publish_roster(store, args, now)
            if args.export:
                from kiosk.hub.cases import export_complaints

                count = export_complaints(store, args.export)
                store.record_audit("cli", "export_complaints", str(args.export), "ok", now)
                print(f"{count} complaints → {args.export}")
                return 0
            if args.add_user:
                import getpass

                from kiosk.hub.accounts import AccountError, create_user
                from kiosk.hub.app import seed_departments

                seed_departments(store)
                password = (
                    getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
                )
                try:
                    create_user(store, args.add_user, args.role, password, now, department=args.department)
                except AccountError as error:
                    print(f"kiosk hub: {error}", file=sys.stderr)
                    return 2
                store.record_audit("cli", "save_user", args.add_user, f"ok: {args.role}", now)
                print(
                    f"{args.role} {args.add_user} ready"
                    + (
                        ": a TOTP code is set up at the first sign-in"
                        if args.role in ("admin", "supervisor")
                        else ""
                    )
                )
                return 0
            if args.register:
                print(store.register_kiosk(args.register, now))
                return 0
            if not store.revoke_kiosk(args.revoke, now):
                print(f"kiosk hub: no kiosk {args.revoke!r}", file=sys.stderr)
                return 1
            print(f"revoked {args.revoke}")
            return 0
        finally:
            store.close()
    from kiosk.hub.app import create_hub_app

    app = create_hub_app(args.db, escalate_every=args.escalate_every)
    print(f"Mingbai hub on http://{args.host}:{args.port}/api/v1/openapi.json", flush=True)
    return _run_waitress(
        app, args.host, args.port, threads=args.threads, ident="mingbai-hub", prog="kiosk hub"
    )


def _publish_roster(store, args: argparse.Namespace, now) -> int:  # type: ignore[no-untyped-def]
    from kiosk.hub.publish import publish
    from kiosk.store import StoreError, open_store

    if not args.publish.is_file():
        print(f"kiosk hub: no store at {args.publish}", file=sys.stderr)
        return 2
    try:
        source = open_store(args.publish)
    except StoreError as error:
        print(f"kiosk hub: {error}", file=sys.stderr)
        return 2
    config = load_config({}, config_file=args.config)
    findings = None
    if not args.skip_checks:  # the supervision checks' counts, for the dashboard
        from kiosk.rules import load_rulebook
        from kiosk.services.checks import run_checks

        findings = run_checks(source, load_rulebook(None, source.policies()), today=config.current_date())
    done = publish(
        store.engine,
        source,
        secret=config.person_key_secret,
        source_name=args.publish.name,
        now=now,
        findings=findings,
    )
    counts = done.counts
    store.record_audit(
        "cli",
        "publish_roster",
        args.publish.name,
        f"ok: {counts['persons']} persons, {counts['payments']} payments",
        now,
    )
    print(
        f"published {counts['persons']:,} persons, {counts['enrolments']:,} enrolments, "
        f"{counts['payments']:,} payments in {done.seconds:.1f} s"
    )
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.rules import PolicyError, load_rulebook
    from kiosk.services.chip_registry import RegistryError, load_chip_registry
    from kiosk.store import StoreError, open_store

    config = _config(args)
    healthy = True

    def report(part: str, status: str, text: str) -> None:
        print(f"{part:<10} {status:<5} {text}")

    try:
        rulebook = load_rulebook(config.policy_dir)
        report("policies", "ok", f"{len(rulebook.policies)} programmes, rule version {rulebook.version}")
    except PolicyError as error:
        report("policies", "FAIL", str(error))
        healthy = False
    try:
        store = open_store(config.db_path)
        counts = store.counts()
        report(
            "store",
            "ok",
            f"{config.db_path} (schema {store.schema_version()}): {counts['persons']} persons, "
            f"{counts['enrolments']} enrolments, {counts['payments']} payments",
        )
        if not counts["persons"]:
            report("store", "WARN", "no persons: load data (or run `kiosk demo`)")
        backlog = store.outbox_backlog()
        report(
            "outbox",
            "WARN" if backlog else "ok",
            f"{backlog} complaint message(s) waiting for the hub" if backlog else "empty",
        )
    except StoreError as error:
        report("store", "FAIL", str(error))
        healthy = False
    try:
        registry = load_chip_registry(config.chip_registry)
        if config.chip_registry:
            report("chips", "ok", f"{len(registry)} chip serials in {config.chip_registry}")
    except RegistryError as error:
        report("chips", "FAIL", str(error))
        healthy = False
    from kiosk.config import DEMO_PERSON_KEY

    if config.person_key_secret == DEMO_PERSON_KEY:
        report(
            "secrets", "WARN", "person_key_secret is the demo value: set a county-wide secret before real use"
        )
    if config.hub_url and not config.hub_secret:
        report("hub", "FAIL", "hub_url is set but hub_secret is empty: register this kiosk at the hub")
        healthy = False
    healthy &= _doctor_readers(config, report)
    if args.trace:
        healthy &= _doctor_trace(config, args.trace_timeout)
    return 0 if healthy else 1


def _doctor_readers(config: KioskConfig, report) -> bool:  # type: ignore[no-untyped-def]
    healthy = True
    if config.reader in ("auto", "pcsc"):
        try:
            from device.pcsc import list_readers
        except ImportError:
            report("pcsc", "FAIL", "pyscard is not installed")
            return False
        readers, status = list_readers()
        if status != "ok":
            report("pcsc", "FAIL" if config.reader == "pcsc" or not config.demo else "WARN", status)
            healthy = config.demo
        for name, state in readers:
            wanted = not config.pcsc_readers or any(f in name for f in config.pcsc_readers)
            report("pcsc", "ok", f"{name}: {state}{'' if wanted else ' (not used: pcsc_readers)'}")
    if config.sam_port:
        from device.base import EventHub
        from device.errors import ReaderError
        from device.sam_reader import SamReader

        try:
            found = SamReader(EventHub(), config.sam_port, baudrate=config.sam_baudrate).probe()
            report(
                "sam",
                "ok",
                f"{config.sam_port}: answers ({'card present' if found.sw3 == 0x9F else 'no card'})",
            )
        except (OSError, ReaderError) as error:
            report("sam", "FAIL", f"{config.sam_port}: {error}")
            healthy = False
    return healthy


def _doctor_trace(config: KioskConfig, timeout: float) -> bool:
    from device.trace import Trace

    print(f"Place the card on the reader (waiting {timeout:.0f} s)…", flush=True)
    if config.sam_port:
        from device.base import EventHub
        from device.sam_reader import SamReader

        trace = Trace()
        identity, outcome = SamReader(
            EventHub(), config.sam_port, baudrate=config.sam_baudrate, today=config.current_date, trace=trace
        ).read_once(timeout)
        lines = trace.lines
        if identity is not None:
            outcome = f"read by the SAM reader: {identity!r}"
    else:
        from device.pcsc import trace_one_card

        lines, outcome = trace_one_card(
            profiles=config.card_profiles, reader_filter=config.pcsc_readers, timeout=timeout
        )
    print("\n".join(lines))
    print(f"outcome: {outcome}")
    return outcome.startswith("read by")


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        commands = {
            "demo": cmd_demo,
            "serve": cmd_serve,
            "import": cmd_import,
            "checks": cmd_checks,
            "export": cmd_export,
            "complaints": cmd_complaints,
            "hub": cmd_hub,
            "doctor": cmd_doctor,
        }
        return commands[args.command](args)
    except ConfigError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
