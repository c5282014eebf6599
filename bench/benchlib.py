"""Helpers the benchmark scripts share: synthetic ID numbers, percentiles, peak memory, a free loopback port."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from device.idnumber import check_character  # noqa: E402


def id_number(i: int) -> str:
    """A valid, unique ID number for synthetic person i (birth dates spread over 100 years)."""
    born = dt.date(1925, 1, 1) + dt.timedelta(days=i % 36500)
    first17 = f"{522700 + i // 36_500_000:06d}{born:%Y%m%d}{(i // 36500) % 1000:03d}"
    return first17 + check_character(first17)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec from the parent."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc/self/status")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_demo_kiosk(folder: Path, today: str, **env: str) -> tuple[subprocess.Popen, str, dict]:
    """`kiosk demo` on a free loopback port with its store in `folder`; (process, URL, first /healthz)."""
    port = free_port()
    kiosk = str(Path(sys.executable).with_name("kiosk"))
    process = subprocess.Popen(
        [kiosk, "demo", "--db", str(folder / "demo.db"), "--port", str(port), "--today", today],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MINGBAI_CONFIG": "", **env},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                return process, url, json.loads(response.read())
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the kiosk did not start")
