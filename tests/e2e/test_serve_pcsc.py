"""A production `kiosk serve` process started before pcscd: it waits, then reads cards once pcscd is up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request

from device.emulation.vcard import SsseApplet, VpcdCard
from kiosk.store import open_store
from tests.conftest import TODAY
from tests.e2e.conftest import KIOSK, free_port


def state(url: str) -> dict:
    with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
        health = json.loads(response.read())
    with urllib.request.urlopen(url + "/terminal/state", timeout=2) as response:
        return {**json.loads(response.read()), "readers": health["readers"]}


def wait_for(url: str, wanted: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    last: dict = {}
    while time.monotonic() < deadline:
        try:
            last = state(url)
            if last["state"] == wanted:
                return last
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"terminal never became {wanted}: {last}")


def test_kiosk_started_before_pcscd_reads_cards_once_it_is_up(demo_template, pcscd, tmp_path):
    shutil.copy(demo_template, tmp_path / "kiosk.db")
    card_holder = open_store(tmp_path / "kiosk.db").demo_cards()[0]
    pcscd.stop()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            KIOSK,
            "serve",
            "--db",
            str(tmp_path / "kiosk.db"),
            "--port",
            str(port),
            "--today",
            TODAY.isoformat(),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MINGBAI_CONFIG": "", "MINGBAI_PCSC_READERS": "Virtual PCD 00 01"},
    )
    card = VpcdCard(SsseApplet(card_holder.id_number, "王德明"), port=35964)
    try:
        down = wait_for(url, "unavailable")
        assert down["readers"] == "pcsc (Virtual PCD 00 01)"
        pcscd.start()
        wait_for(url, "idle")
        card.insert()
        wait_for(url, "ready")
        card.remove()
        wait_for(url, "idle")
    finally:
        card.remove()
        process.terminate()
        process.wait(timeout=10)
