"""Benchmark: durable complaints per second on the kiosk, and relay throughput to a hub on loopback.

1. File N complaints through the real service (complaint + outbox row, one transaction
   each, WAL, synchronous=FULL) and, in the same run, the same inserts with
   synchronous=OFF as the floor: the price of "已提交 means on disk".
2. Start `kiosk hub` (waitress, SQLite) on loopback, register the kiosk, and time the
   relay delivering the whole outbox.
Last line: one JSON object.

    python bench/complaints.py            # 2,000 complaints
    python bench/complaints.py --quick    # 300
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import free_port  # noqa: E402

from kiosk.core.complaint import person_key  # noqa: E402
from kiosk.link.relay import Relay  # noqa: E402
from kiosk.services.complaints import file_complaint  # noqa: E402
from kiosk.store import open_store  # noqa: E402

NOW = dt.datetime.now(dt.UTC)


def file_many(db: Path, count: int, synchronous: str) -> float:
    store = open_store(db)
    store.connection().execute(f"PRAGMA synchronous = {synchronous}")
    started = time.perf_counter()
    for n in range(count):
        file_complaint(
            store=store,
            kiosk_id="bench-kiosk",
            key=person_key(f"person-{n}", "k"),
            masked_id="110105********002X",
            uuid=str(uuid.uuid4()),
            category="not_received",
            programme="pension_basic",
            period="2025-03",
            phone="13800138000",
            evidence={"owed_fen": 12800, "paid_fen": 0, "rule_version": "bench"},
            now=NOW,
        )
    seconds = time.perf_counter() - started
    store.close()
    return count / seconds


def relay_throughput(db: Path, folder: Path) -> float:
    kiosk = str(Path(sys.executable).with_name("kiosk"))
    hub_db = str(folder / "hub.db")
    secret = subprocess.run(
        [kiosk, "hub", "--db", hub_db, "--register", "bench-kiosk"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = free_port()
    hub = subprocess.Popen(
        [kiosk, "hub", "--db", hub_db, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MINGBAI_CONFIG": ""},
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        relay = Relay(db, hub_url=f"http://127.0.0.1:{port}", kiosk_id="bench-kiosk", secret=secret)
        started = time.perf_counter()
        delivered = 0
        while True:
            batch = relay.deliver_due()
            if batch == 0:
                break
            delivered += batch
        seconds = time.perf_counter() - started
        relay.store.close()
        return delivered / seconds
    finally:
        hub.terminate()
        hub.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="300 complaints instead of 2,000")
    args = parser.parse_args()
    count = 300 if args.quick else 2000
    folder = Path(tempfile.mkdtemp(prefix="mingbai-complaints-"))
    durable = file_many(folder / "durable.db", count, "FULL")
    floor = file_many(folder / "floor.db", count, "OFF")
    relayed = relay_throughput(folder / "durable.db", folder)
    figures = {
        "complaints": count,
        "durable_per_s": round(durable, 1),
        "synchronous_off_per_s": round(floor, 1),
        "durable_vs_off": round(durable / floor, 2),
        "relay_per_s": round(relayed, 1),
    }
    print(
        f"{count} complaints filed: {figures['durable_per_s']}/s durable (synchronous=FULL), "
        f"{figures['synchronous_off_per_s']}/s with synchronous=OFF ({figures['durable_vs_off']:.0%})"
    )
    print(f"relay to a hub on loopback: {figures['relay_per_s']} complaints/s, signed, one request each")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
