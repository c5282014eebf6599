"""The `kiosk` command line: every sub-command, its flags and their help, in one parser.

The flags are a contract (scripts, the README, systemd units use them): add, never rename.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from kiosk.core.clock import parse_date

CHECKOUT = Path(__file__).resolve().parents[2]  # the checkout `kiosk provision` installs from


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
        choices=[
            "villages",
            "persons",
            "households",
            "enrolments",
            "payments",
            "deaths",
            "officials",
            "vehicles",
            "properties",
            "businesses",
            "enterprise_pensions",
        ],
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
        "export", help="every complaint with its evidence and replies (the same as `kiosk hub --export`)"
    )
    export_complaints.add_argument(
        "--db", help="the hub's store: a SQLite file or a postgresql:// URL (default: $MINGBAI_HUB_DB)"
    )
    export_complaints.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    export_complaints.add_argument("--out", type=Path, help="file to write (default: complaints.FORMAT)")
    hub = commands.add_parser("hub", help="serve the hub (complaint intake from kiosks) on waitress")
    hub.add_argument("--db", help="a SQLite file path or a postgresql:// URL (default: $MINGBAI_HUB_DB)")
    hub.add_argument(
        "--read-db",
        metavar="URL",
        help="a streaming replica of --db: kiosk lookups read there, every write goes to --db",
    )
    hub.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    hub.add_argument("--port", type=int, help="port to listen on (default 8090)")
    hub.add_argument("--threads", type=int, help="waitress worker threads (default 8)")
    hub.add_argument(
        "--skip-checks",
        action="store_true",
        help="with --publish: do not run the supervision checks (their dashboard counts stay as they were)",
    )
    hub.add_argument(
        "--config",
        type=Path,
        help="config file (TOML; its [hub] table, and person_key_secret); default as the kiosk's",
    )
    hub.add_argument(
        "--publish",
        metavar="STORE",
        type=Path,
        help="replace one county's roster, rules and ledger with a county store loaded by `kiosk import` "
        "(other counties untouched), and exit",
    )
    hub.add_argument(
        "--county",
        metavar="CODE",
        help="with --publish: the county's 6-digit division code (default: the one its villages' codes begin with)",
    )
    hub.add_argument(
        "--increment",
        action="store_true",
        help="with --publish: append only the payments after the county's last published ledger date",
    )
    hub.add_argument(
        "--register", metavar="KIOSK_ID", help="create or re-key a kiosk's credential, print it, exit"
    )
    hub.add_argument(
        "--township",
        metavar="NAME",
        help="with --register: the township the kiosk stands in (staff accounts may be meant for a township)",
    )
    hub.add_argument("--revoke", metavar="KIOSK_ID", help="revoke a kiosk's credential and exit")
    hub.add_argument(
        "--snapshot",
        metavar="TOWNSHIP",
        help="write the township's signed snapshot (its roster and ledger, for a USB stick) to --out, and exit",
    )
    hub.add_argument("--out", type=Path, help="with --snapshot: the file to write")
    hub.add_argument(
        "--snapshot-key",
        action="store_true",
        help="print the public key kiosks verify snapshots with (their hub_public_key), and exit",
    )
    hub.add_argument(
        "--export", metavar="FILE", type=Path, help="write every complaint to FILE (.csv or .xlsx), and exit"
    )
    hub.add_argument(
        "--add-user",
        metavar="NAME",
        help="create or reset a back-office account (password from standard input), and exit; the server's "
        "operator only: the back office itself never overwrites an account",
    )
    hub.add_argument(
        "--role",
        choices=["admin", "supervisor", "handler", "auditor"],
        default="supervisor",
        help="the account's role (with --add-user; default supervisor)",
    )
    hub.add_argument("--department", help="a handler's department (with --add-user --role handler)")
    hub.add_argument(
        "--region",
        metavar="CODE",
        help="a division code: with --add-user, the region the account sees (default: all); with "
        "--register, where the kiosk stands (default: its --township's code, when the roster knows it)",
    )
    hub.add_argument(
        "--regions",
        metavar="CSV",
        type=Path,
        help="load official region names (CSV: code,name; any level, province to village), and exit",
    )
    hub.add_argument(
        "--escalate-every",
        type=float,
        metavar="SECONDS",
        help="how often to flag overdue complaints for the supervisors (default 300)",
    )
    staff = commands.add_parser(
        "staff", help="the clinic staff accounts this kiosk holds (add, list, disable)"
    )
    staff_commands = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    staff_add = staff_commands.add_parser(
        "add", help="create or reset an account; the PIN is read from standard input"
    )
    _store_args(staff_add)
    staff_add.add_argument("name", metavar="NAME")
    staff_add.add_argument("--title", default="", help="shown to the resident, e.g. 卫生院工作人员")
    staff_add.add_argument("--id-number", help="the badge is the staff member's own ID card")
    staff_add.add_argument("--chip", metavar="SERIAL", help="the badge is a chip card with this serial (hex)")
    staff_list = staff_commands.add_parser("list", help="every account and whether it can sign in")
    _store_args(staff_list)
    staff_disable = staff_commands.add_parser("disable", help="stop an account signing in")
    _store_args(staff_disable)
    staff_disable.add_argument("name", metavar="NAME")
    lookup = commands.add_parser(
        "lookup", help="one person's owed-vs-paid lines, explanations and references (--json for scripts)"
    )
    _store_args(lookup)
    lookup.add_argument("id_number", metavar="ID_NUMBER")
    lookup.add_argument("--today", type=_date, help="reconcile as of this date (default: today)")
    lookup.add_argument(
        "--years",
        type=int,
        help="the current year and this many before it (default: as on the kiosk's screen)",
    )
    lookup.add_argument("--json", action="store_true", help="print JSON instead of text for a clerk")
    rules = commands.add_parser("rules", help="the rules in force: parameters, dates, references, timing")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    rules_show = rules_commands.add_parser("show", help="one programme's parameters in force on a day")
    _store_args(rules_show)
    rules_show.add_argument("code", metavar="CODE")
    rules_show.add_argument("--on", type=_date, help="the day (default: today)")
    snapshot = commands.add_parser(
        "snapshot", help="take the township's signed data snapshot: from a USB stick, or pulled from the hub"
    )
    snapshot_commands = snapshot.add_subparsers(dest="snapshot_command", required=True, metavar="ACTION")
    snapshot_load = snapshot_commands.add_parser("load", help="verify a snapshot file and swap it in")
    _store_args(snapshot_load)
    snapshot_load.add_argument("file", type=Path, metavar="FILE")
    snapshot_load.add_argument(
        "--allow-older",
        action="store_true",
        help="take a file older than the data held (a deliberate rollback)",
    )
    snapshot_pull = snapshot_commands.add_parser(
        "pull", help="ask the hub for the township's latest snapshot and swap it in"
    )
    _store_args(snapshot_pull)
    screen = commands.add_parser(
        "screen",
        help="run the kiosk's browser (after --) and restart it when it hangs or shows an error page",
    )
    screen.add_argument("--url", default="http://127.0.0.1:8080", help="the kiosk app (default %(default)s)")
    screen.add_argument(
        "--silent",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="restart when no kiosk page has asked the app for this long (default %(default)s)",
    )
    screen.add_argument(
        "--grace", type=float, default=90.0, metavar="SECONDS", help="after starting, wait this long first"
    )
    screen.add_argument("--every", type=float, default=5.0, help=argparse.SUPPRESS)
    screen.add_argument("browser", nargs=argparse.REMAINDER, metavar="-- COMMAND")
    provision = commands.add_parser(
        "provision",
        help="make this Debian machine a locked kiosk (packages, users, units, policies); re-runnable",
    )
    provision.add_argument("--root", type=Path, default=Path("/"), help="install into this tree (default /)")
    provision.add_argument(
        "--source", type=Path, default=CHECKOUT, help="the Mingbai checkout to install (default: this one)"
    )
    provision.add_argument(
        "--config",
        type=Path,
        help="the county's kiosk.toml for this terminal (default: a template, written once)",
    )
    provision.add_argument(
        "--skip-packages",
        action="store_true",
        help="install no Debian package and no virtualenv (a scratch root)",
    )
    voice = commands.add_parser("voice", help="make or check a voice pack of recorded clips")
    _store_args(voice)
    action = voice.add_mutually_exclusive_group(required=True)
    action.add_argument("--build", type=Path, metavar="DIR", help="record every clip with the offline engine")
    action.add_argument(
        "--check", type=Path, metavar="DIR", help="check a pack: every clip present and readable"
    )
    action.add_argument("--script", action="store_true", help="print what each clip must say, to record it")
    voice.add_argument("--name", default="普通话（espeak-ng 合成）", help="the pack's name (with --build)")
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
    doctor.add_argument(
        "--json",
        action="store_true",
        help='print {"healthy", "checks": [{check, status, detail}]} for scripts',
    )
    return parser
