"""The systemd units a county's technician installs (deploy/systemd) pass `systemd-analyze verify` and carry
the hardening the field needs; and the kiosk feeds systemd's watchdog only while it answers: a real
`kiosk demo` process under NOTIFY_SOCKET and WATCHDOG_USEC says READY=1, then WATCHDOG=1 on time, and falls
silent when it is stopped (what systemd restarts). systemd cannot run as PID 1 in CI, so the watchdog side
is played by a Unix datagram socket, as sd_notify(3) describes it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.cli.watchdog import Watchdog
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


@pytest.mark.parametrize("name", ["mingbai-kiosk.service", "mingbai-browser.service"])
def test_each_unit_verifies(name, tmp_path):
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
    assert "Restart=always" in (UNITS / "mingbai-browser.service").read_text()


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


def test_a_kiosk_feeds_the_watchdog_while_it_answers_and_falls_silent_when_stopped(demo_county, tmp_path):
    sink = listen(tmp_path)
    shutil.copy(demo_county, tmp_path / "kiosk.db")
    kiosk = KioskProcess(
        tmp_path / "kiosk.db",
        tmp_path / "kiosk.log",
        MINGBAI_READER="virtual",
        NOTIFY_SOCKET=str(tmp_path / "notify"),
        WATCHDOG_USEC="1000000",  # one second: fed every half second
    )
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
