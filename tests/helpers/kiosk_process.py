"""A real kiosk process (`kiosk demo` on waitress, loopback), and how Debian's Chromium is launched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.helpers.facts import TODAY
from tests.helpers.net import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",  # the voice speaks without a tap, as on the kiosk
]
KIOSK = str(Path(sys.executable).with_name("kiosk"))


class KioskProcess:
    """`kiosk demo --db … --port … --today …` in its own process; stopped at teardown."""

    def __init__(self, db: Path, log: Path, **env: str) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, "MINGBAI_CONFIG": "", **env}
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [KIOSK, "demo", "--db", str(db), "--port", str(self.port), "--today", TODAY.isoformat()],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kiosk exited early: {log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"kiosk did not start: {log.read_text()}")

    def take_card(self) -> None:
        request = urllib.request.Request(
            self.url + "/demo/take", method="POST", headers={"X-Kiosk-Demo": "1"}
        )
        urllib.request.urlopen(request, timeout=5).close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def kiosk_of_hub(tmp_path: Path, store: Path, hub_url: str, secret: str) -> KioskProcess:
    """`kiosk demo` on a copy of `store`, as kiosk clinic-7 of the hub at `hub_url` (replies polled each second),
    its reader the in-process virtual one."""
    shutil.copy(store, tmp_path / "kiosk.db")
    return KioskProcess(
        tmp_path / "kiosk.db",
        tmp_path / "kiosk.log",
        MINGBAI_READER="virtual",
        MINGBAI_KIOSK_ID="clinic-7",
        MINGBAI_HUB_URL=hub_url,
        MINGBAI_HUB_SECRET=secret,
        MINGBAI_HUB_POLL_SECONDS="1",
    )
