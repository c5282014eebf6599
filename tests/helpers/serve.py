"""A production `kiosk serve` process on loopback, and following its terminal from outside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.helpers.facts import TODAY

KIOSK = str(Path(sys.executable).with_name("kiosk"))
# The e2e kiosks keep "Virtual PCD 00 00" (port 35963); serve processes read "00 01".
SERVE_READER = "Virtual PCD 00 01"


def serve_kiosk(db: Path, port: int, **env: str) -> subprocess.Popen[bytes]:
    """`kiosk serve --db … --port … --today …` reading SERVE_READER, with `env` added to its environment."""
    return subprocess.Popen(
        [KIOSK, "serve", "--db", str(db), "--port", str(port), "--today", TODAY.isoformat()],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={
            **os.environ,
            "MINGBAI_CONFIG": "",
            "MINGBAI_PCSC_READERS": SERVE_READER,
            "MINGBAI_PERSON_KEY_SECRET": "county secret for the tests",
            **env,
        },
    )


def state(url: str) -> dict[str, Any]:
    """The terminal's state, with the readers /healthz names."""
    with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
        health = json.loads(response.read())
    with urllib.request.urlopen(url + "/terminal/state", timeout=2) as response:
        return {**json.loads(response.read()), "readers": health["readers"]}


def wait_for(url: str, wanted: str, timeout: float = 20.0) -> dict[str, Any]:
    """Poll until the terminal is in state `wanted`; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            last = state(url)
            if last["state"] == wanted:
                return last
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"terminal never became {wanted}: {last}")
