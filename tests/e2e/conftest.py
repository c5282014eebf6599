"""Real kiosk processes (the `kiosk demo` console script on waitress, loopback) driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import TODAY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KIOSK = str(Path(sys.executable).with_name("kiosk"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, pcscd):
    """Build the demo county once, through the console script's own first start."""
    folder = tmp_path_factory.mktemp("e2e")
    db = folder / "template.db"
    kiosk = KioskProcess(db, folder / "template.log")
    kiosk.stop()
    return db


@pytest.fixture(scope="session")
def kiosk(demo_template, tmp_path_factory, pcscd):
    folder = tmp_path_factory.mktemp("kiosk")
    shutil.copy(demo_template, folder / "kiosk.db")
    process = KioskProcess(folder / "kiosk.db", folder / "kiosk.log")
    yield process
    process.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, kiosk):
    kiosk.take_card()
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    opened = context.new_page()
    yield opened
    context.close()
    kiosk.take_card()
