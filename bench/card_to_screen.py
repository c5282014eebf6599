"""Benchmark: a card placed on a PC/SC reader → the villager's page fully shown in Chromium.

A real `kiosk demo` process reads "Virtual PCD 00 00" through pcscd + vpcd; headless
Debian Chromium has the attract screen open. Each round places an emulated social
security card and times until the person's page has loaded with its totals shown,
then takes the card away and waits for the attract screen. Beside it, in the same
run, the bare read as the floor: the same PcscWatcher code on "Virtual PCD 00 01",
timing insertion detected + APDUs exchanged. Last line: one JSON object.

    python bench/card_to_screen.py            # 100 rounds
    python bench/card_to_screen.py --quick    # 30 rounds
"""

from __future__ import annotations

import argparse
import json
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import percentile, start_demo_kiosk  # noqa: E402

from device.base import CardEventKind, EventHub  # noqa: E402
from device.emulation.vcard import SsseApplet, VpcdCard  # noqa: E402
from device.pcsc import PcscWatcher  # noqa: E402
from tests.helpers.kiosk_process import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - the suite's launch, one list

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
TODAY = "2026-11-22"


def ensure_pcscd() -> subprocess.Popen | None:
    if PCSCD_SOCKET.exists():
        return None
    daemon = subprocess.Popen(
        [shutil.which("pcscd") or "/usr/sbin/pcscd", "--foreground"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if PCSCD_SOCKET.exists():
            time.sleep(0.3)
            return daemon
        time.sleep(0.05)
    raise SystemExit("pcscd did not start (run as root, with pcscd and vsmartcard-vpcd installed)")


def start_kiosk(folder: Path) -> tuple[subprocess.Popen, str]:
    process, url, health = start_demo_kiosk(folder, TODAY, MINGBAI_VPCD_PORT="35963")
    if not health["readers"].startswith("pcsc"):
        process.terminate()
        raise SystemExit(f"the kiosk is not reading through PC/SC: {health['readers']}")
    return process, url


def demo_person(folder: Path) -> tuple[str, str]:
    from kiosk.store import open_store

    store = open_store(folder / "demo.db")
    card = store.demo_cards()[0]
    return card.id_number, store.find_person(card.id_number).name


def measure_floor(id_number: str, name: str, rounds: int) -> list[float]:
    hub = EventHub()
    events: queue.Queue = queue.Queue()
    hub.subscribe(events.put)
    watcher = PcscWatcher(hub, reader_filter=("Virtual PCD 00 01",))
    watcher.start()
    times = []
    try:
        while events.get(timeout=10).kind is not CardEventKind.READER_BACK:
            pass
        for _ in range(rounds):
            card = VpcdCard(SsseApplet(id_number, name), port=35964)
            started = time.perf_counter()
            card.insert()
            while events.get(timeout=10).kind is not CardEventKind.READ:
                pass
            times.append((time.perf_counter() - started) * 1000)
            card.remove()
            while events.get(timeout=10).kind is not CardEventKind.REMOVED:
                pass
    finally:
        watcher.stop()
    return times


def measure_screen(url: str, id_number: str, name: str, rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(url + "/")
        for _ in range(rounds):
            page.wait_for_selector("body[data-state='idle']")
            card = VpcdCard(SsseApplet(id_number, name), port=35963)
            started = time.perf_counter()
            card.insert()
            page.wait_for_url("**/me", timeout=10000)
            page.wait_for_load_state("load")
            page.wait_for_selector("#total-owed", state="visible")
            times.append((time.perf_counter() - started) * 1000)
            card.remove()
            page.wait_for_url(url + "/", timeout=10000)
            page.wait_for_load_state("load")
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="30 rounds instead of 100")
    parser.add_argument("--rounds", type=int, help="override the number of rounds")
    args = parser.parse_args()
    rounds = args.rounds or (30 if args.quick else 100)
    daemon = ensure_pcscd()
    folder = Path(tempfile.mkdtemp(prefix="mingbai-bench-"))
    kiosk = None
    try:
        kiosk, url = start_kiosk(folder)
        id_number, name = demo_person(folder)
        floor = measure_floor(id_number, name, rounds)
        screen = measure_screen(url, id_number, name, rounds)
    finally:
        if kiosk is not None:
            kiosk.terminate()
            kiosk.wait(timeout=10)
        if daemon is not None:
            daemon.terminate()
            daemon.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    figures = {
        "rounds": rounds,
        "card_to_screen_p50_ms": round(percentile(screen, 0.50), 1),
        "card_to_screen_p95_ms": round(percentile(screen, 0.95), 1),
        "bare_read_p50_ms": round(percentile(floor, 0.50), 1),
        "bare_read_p95_ms": round(percentile(floor, 0.95), 1),
    }
    figures["p95_vs_floor"] = round(figures["card_to_screen_p95_ms"] / figures["bare_read_p95_ms"], 2)
    print(
        f"card placed → page shown: p50 {figures['card_to_screen_p50_ms']} ms, "
        f"p95 {figures['card_to_screen_p95_ms']} ms over {rounds} insertions"
    )
    print(
        f"bare read (insertion detected + APDUs): p50 {figures['bare_read_p50_ms']} ms, "
        f"p95 {figures['bare_read_p95_ms']} ms; page at p95 is {figures['p95_vs_floor']}× the floor"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
