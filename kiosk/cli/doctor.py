"""`kiosk doctor`: policies, store, outbox, data date, disk, secrets, printer, voice and card readers
checked, each with a plain verdict (`--json`: the same checks for scripts); with --trace, one card read
recorded (masked) for a technician. The results are kept in the store, and the next heartbeat carries
what is wrong to the fleet page (deploy/systemd/mingbai-doctor.timer runs it hourly)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.cli.common import kiosk_config
from kiosk.config import KioskConfig
from kiosk.core.private_files import too_open
from kiosk.core.version import software_version

LOW_DISK = 2**30  # bytes free below which the disk is a warning


def cmd_doctor(args: argparse.Namespace) -> int:
    from kiosk.rules import PolicyError, load_rulebook
    from kiosk.services.chip_registry import RegistryError, load_chip_registry
    from kiosk.store import StoreError, open_store

    config = kiosk_config(args)
    healthy = True
    checks: list[dict[str, str]] = []

    def report(part: str, status: str, text: str) -> None:
        checks.append({"check": part, "status": status.lower(), "detail": text})
        if not args.json:
            print(f"{part:<10} {status:<5} {text}")

    report("version", "ok", f"mingbai {software_version()}")

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
        skew = store.get_meta("clock_skew_seconds")
        if skew is not None:
            off = int(skew)
            report(
                "clock",
                "ok" if abs(off) <= 60 else "WARN" if abs(off) <= 300 else "FAIL",
                f"{abs(off)} s {'behind' if off > 0 else 'ahead of'} the hub's clock"
                + (
                    ""
                    if abs(off) <= 60
                    else ": fix the time (NTP); beyond 300 s the hub refuses this kiosk's requests"
                ),
            )
            healthy &= abs(off) <= 300
        data_date = store.data_date()
        if data_date is not None:
            age = (config.current_date() - data_date).days
            stale = age > config.stale_after_days
            report(
                "data",
                "WARN" if stale else "ok",
                f"ledger up to {data_date.isoformat()} ({age} days old"
                + (
                    f", older than stale_after_days = {config.stale_after_days}: load the county's new data)"
                    if stale
                    else ")"
                ),
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
    free = shutil.disk_usage(config.db_path.parent if config.db_path.parent.exists() else Path.cwd()).free
    report(
        "disk",
        "WARN" if free < LOW_DISK else "ok",
        f"{free / 2**30:.1f} GiB free where the store is"
        + (" (below 1 GiB: free some space)" if free < LOW_DISK else ""),
    )
    from kiosk.config import DEMO_PERSON_KEY

    if config.person_key_secret == DEMO_PERSON_KEY:
        report(
            "secrets", "WARN", "person_key_secret is the demo value: set a county-wide secret before real use"
        )
    for path in (
        config.db_path,
        config.db_path.with_name(config.db_path.name + "-wal"),
        config.db_path.parent,
    ):
        if too_open(path):
            report(
                "files",
                "WARN",
                f"{path} can be read by others: chmod {'700' if path.is_dir() else '600'} {path}",
            )
    protected, how = at_rest(config.db_path)
    report(
        "at-rest",
        "ok" if protected else "WARN",
        how
        if protected
        else f"{how}: a stolen kiosk carries the county's roster; use full-disk encryption "
        "(LUKS, see the README's security section)",
    )
    if config.hub_url and not config.hub_secret:
        report("hub", "FAIL", "hub_url is set but hub_secret is empty: register this kiosk at the hub")
        healthy = False
    healthy &= _doctor_printer(config, report)
    healthy &= _doctor_voice(config, report)
    healthy &= _doctor_readers(config, report)
    if args.trace and not args.json:
        healthy &= _doctor_trace(config, args.trace_timeout)
    if args.json:
        print(json.dumps({"healthy": healthy, "checks": checks}, ensure_ascii=False, indent=2))
    _remember(config, healthy, checks)
    return 0 if healthy else 1


def _remember(config: KioskConfig, healthy: bool, checks: list[dict[str, str]]) -> None:
    """Keep the results in the store for the next heartbeat (the fleet page shows what is wrong)."""
    from kiosk.core.clock import now_utc
    from kiosk.store import StoreError, open_store

    if not config.db_path.exists():
        return
    results = {
        "at": now_utc().isoformat(timespec="seconds"),
        "healthy": healthy,
        "problems": [
            {"check": c["check"][:20], "status": c["status"], "detail": c["detail"][:300]}
            for c in checks
            if c["status"] in ("warn", "fail")
        ][:20],
    }
    try:
        store = open_store(config.db_path)
        with store.transaction() as tx:
            store.set_meta(tx, "doctor_results", json.dumps(results, ensure_ascii=False))
        store.close()
    except (StoreError, OSError) as error:  # a read-only store: the results are printed all the same
        print(f"doctor: results not kept for the heartbeat: {error}", file=sys.stderr)


def _doctor_printer(config: KioskConfig, report: Callable[[str, str, str], None]) -> bool:
    """Is the slip printer there? Looked for, not opened (opening a file: printer would create it)."""
    kind, _, where = config.printer.partition(":")
    if not config.printer:
        report("printer", "ok", "none set: a complaint's tracking number is shown and spoken, not printed")
        return True
    if kind == "dummy":
        report("printer", "ok", "dummy: slips are kept in memory (tests and demos)")
        return True
    if kind in ("file", "serial"):
        path = Path(where)
        if path.exists() and os.access(path, os.W_OK):
            report("printer", "ok", f"{where} is there and writable")
            return True
        report(
            "printer",
            "FAIL",
            f"{where} {'is not writable' if path.exists() else 'is missing'}: check its cable",
        )
        return False
    if kind == "usb":
        vendor, _, product = where.lower().replace("0x", "").partition(":")
        for device in Path("/sys/bus/usb/devices").glob("*"):
            try:
                ids = ((device / "idVendor").read_text().strip(), (device / "idProduct").read_text().strip())
            except OSError:
                continue
            if ids == (vendor.zfill(4), product.zfill(4)):
                report("printer", "ok", f"USB {where} is connected ({device.name})")
                return True
        report("printer", "FAIL", f"USB printer {where} is not connected: check its cable and power")
        return False
    report(
        "printer",
        "FAIL",
        f"unknown printer {config.printer!r}: use dummy, file:PATH, usb:VID:PID or serial:DEVICE",
    )
    return False


def at_rest(path: Path) -> tuple[bool, str]:
    """Is the filesystem holding `path` on an encrypted block device (dm-crypt, as LUKS sets up)?"""
    try:
        target = path.resolve() if path.exists() else path.parent.resolve()
        device = os.stat(target).st_dev
        block = Path(f"/sys/dev/block/{os.major(device)}:{os.minor(device)}")
        stack = [block.resolve()]
        while stack:
            node = stack.pop()
            uuid = node / "dm" / "uuid"
            if uuid.exists() and uuid.read_text().startswith("CRYPT-"):
                return True, f"{target} is on an encrypted device ({node.name})"
            slaves = node / "slaves"  # a device mapper device sits on these
            if slaves.is_dir():
                stack.extend(slave.resolve() for slave in slaves.iterdir())
            if (node / "partition").exists():  # a partition: its disk may be the encrypted one
                stack.append(node.parent)
    except OSError as error:
        return False, f"cannot tell whether {path} is encrypted ({error.strerror})"
    return False, f"{target} is not on an encrypted device"


def _doctor_readers(config: KioskConfig, report: Callable[[str, str, str], None]) -> bool:
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


def _doctor_voice(config: KioskConfig, report: Callable[[str, str, str], None]) -> bool:
    """The offline speech engine, the voice pack if one is set, and where the headset is read from."""
    from kiosk.rules import PolicyError, load_rulebook
    from kiosk.speech.engine import EspeakEngine, SpeechEngineError
    from kiosk.speech.packs import VoicePackError, load_voice_pack

    healthy = True
    try:
        engine = EspeakEngine()
        seconds = engine.synthesize("请取回您的卡").seconds
        report("voice", "ok", f"{engine.name} speaks Mandarin offline ({seconds:.1f} s for 请取回您的卡)")
    except SpeechEngineError as error:
        report("voice", "FAIL", f"{error}: the screens work, but nothing is spoken (apt install espeak-ng)")
        healthy = False
    if config.voice_pack is not None:
        try:
            pack = load_voice_pack(config.voice_pack, load_rulebook(config.policy_dir).codes)
            report("voicepack", "ok", f"{pack.name}: {len(pack.clips)} clips")
        except (VoicePackError, PolicyError) as error:
            report("voicepack", "FAIL", str(error))
            healthy = False
    source = config.headset or ("virtual" if config.demo else "pulse")
    report("headset", "ok", f"read from {source}")
    return healthy
