"""The systemd units a county's technician installs (deploy/systemd) pass `systemd-analyze verify` and carry
the hardening the field needs; and the kiosk feeds systemd's watchdog only while it answers: a real
`kiosk demo` process under NOTIFY_SOCKET and WATCHDOG_USEC says READY=1, then WATCHDOG=1 on time, and falls
silent when it is stopped (what systemd restarts). systemd cannot run as PID 1 in CI, so the watchdog side
is played by a Unix datagram socket, as sd_notify(3) describes it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kiosk.cli.watchdog import Watchdog
from kiosk.store import open_store
from tests.helpers.kiosk_process import KioskProcess

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
KIOSK = str(Path(sys.executable).with_name("kiosk"))


def verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """`systemd-analyze verify`, with the unit's programs pointed at ones this machine has."""
    text = unit.read_text().replace("/opt/mingbai/.venv/bin/kiosk", KIOSK)
    if not Path("/usr/bin/cage").exists():  # the compositor is a kiosk's package, not CI's
        text = text.replace("/usr/bin/cage", "/bin/true")
    copy = tmp_path / unit.name
    copy.write_text(text)
    return subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )


def test_every_unit_is_listed():
    assert sorted(p.name for p in UNITS.iterdir()) == sorted(
        [
            "mingbai-kiosk.service",
            "mingbai-browser.service",
            "mingbai-snapshot.service",
            "mingbai-snapshot.timer",
            "mingbai-doctor.service",
            "mingbai-doctor.timer",
        ]
    )


@pytest.mark.parametrize("name", sorted(p.name for p in UNITS.iterdir()))
def test_each_unit_verifies(name, tmp_path):
    for unit in UNITS.iterdir():  # a timer is verified beside the service it starts
        if unit.name != name:
            (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/mingbai/.venv/bin/kiosk", KIOSK))
    checked = verify(UNITS / name, tmp_path)
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr


def test_the_app_unit_restarts_watches_and_is_hardened():
    unit = (UNITS / "mingbai-kiosk.service").read_text()
    for directive in (
        "Type=notify",
        "WatchdogSec=",
        "Restart=always",
        "User=mingbai",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "UMask=0077",
    ):
        assert f"\n{directive}" in unit, directive
    browser = (UNITS / "mingbai-browser.service").read_text()
    assert "Restart=always" in browser and "kiosk screen" in browser
    for oneshot in ("mingbai-snapshot.service", "mingbai-doctor.service"):
        text = (UNITS / oneshot).read_text()
        assert "User=mingbai\n" in text and "ProtectSystem=strict" in text and "NoNewPrivileges=yes" in text


def listen(tmp_path: Path) -> socket.socket:
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sink.bind(str(tmp_path / "notify"))
    sink.settimeout(0.2)
    return sink


def received(sink: socket.socket, seconds: float) -> list[str]:
    found, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found.append(sink.recv(256).decode())
        except TimeoutError:
            continue
    return found


def watched_kiosk(demo_county: Path, tmp_path: Path) -> KioskProcess:
    """A real `kiosk demo` as systemd would start it under WatchdogSec=: its notify socket the test's."""
    shutil.copy(demo_county, tmp_path / "kiosk.db")
    return KioskProcess(
        tmp_path / "kiosk.db",
        tmp_path / "kiosk.log",
        MINGBAI_READER="virtual",
        NOTIFY_SOCKET=str(tmp_path / "notify"),
        WATCHDOG_USEC="1000000",  # one second: fed every half second
    )


def test_a_kiosk_feeds_the_watchdog_while_it_answers_and_falls_silent_when_stopped(demo_county, tmp_path):
    sink = listen(tmp_path)
    kiosk = watched_kiosk(demo_county, tmp_path)
    try:
        first = received(sink, 2.5)
        assert first[:1] == ["READY=1"] and first.count("WATCHDOG=1") >= 3, first
        os.kill(kiosk.process.pid, signal.SIGSTOP)  # a hung kiosk
        received(sink, 0.3)  # what was already on its way
        assert received(sink, 1.5) == [], "a stopped kiosk feeds nothing: systemd would restart it"
        os.kill(kiosk.process.pid, signal.SIGCONT)
        assert "WATCHDOG=1" in received(sink, 2.0)
    finally:
        os.kill(kiosk.process.pid, signal.SIGCONT)
        kiosk.stop()
        sink.close()


def test_a_kiosk_that_does_not_answer_its_healthz_is_not_fed(tmp_path):
    sink = listen(tmp_path)
    dog = Watchdog(lambda: False, 0.1, socket_path=str(tmp_path / "notify"))
    dog.start()
    try:
        assert received(sink, 0.6) == []
    finally:
        dog.stop()
    healthy = Watchdog(lambda: True, 0.1, socket_path=str(tmp_path / "notify"))
    healthy.start()
    try:
        said = received(sink, 0.6)
        assert said[0] == "READY=1" and "WATCHDOG=1" in said
    finally:
        healthy.stop()
        sink.close()


def test_new_rules_from_a_snapshot_restart_the_kiosk_only_when_its_screen_is_idle(demo_county, tmp_path):
    sink = listen(tmp_path)
    kiosk = watched_kiosk(demo_county, tmp_path)
    try:
        assert received(sink, 1.5)[:1] == ["READY=1"]
        place = urllib.request.Request(
            kiosk.url + "/demo/place/3", method="POST", headers={"X-Kiosk-Demo": "1"}
        )
        urllib.request.urlopen(place, timeout=5).close()
        store = open_store(tmp_path / "kiosk.db")
        with store.transaction() as tx:  # what a snapshot bringing other rules records
            store.set_meta(tx, "policies_changed_at", "2026-11-22T03:00:00+00:00")
        store.close()
        with urllib.request.urlopen(kiosk.url + "/healthz", timeout=5) as answer:
            assert json.loads(answer.read())["rules_pending"] is True
        said = received(sink, 2.0)
        assert "STOPPING=1" not in said and kiosk.process.poll() is None, "a villager's session is not cut"
        kiosk.take_card()
        assert "STOPPING=1" in received(sink, 3.0)
        assert (
            kiosk.process.wait(timeout=10) is not None
        )  # ended: Restart=always starts it with the new rules
    finally:
        if kiosk.process.poll() is None:
            kiosk.stop()
        else:
            kiosk.log.close()
        sink.close()
