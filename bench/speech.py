"""Benchmark: a screen change → the first byte of its audio at the browser, and the engine's speed.

A real `kiosk demo` process (waitress, loopback, the in-process virtual reader) with the virtual headset
plugged in, so every script is the full private one; headless Debian Chromium opens each round a
screen of a different card (summary, then each programme page), as a villager would. The page asks for
/speech/audio as soon as it loads; the page's clock gives the audio's first bytes in
relative to the navigation's start (the audio element's first data, loadedmetadata). Beside it, in the same run, the floor: the page document's own first
byte (the same server, the same browser, no speech). Then the engine alone: the real-time factor of
synthesising the summary script of card ③ with a fresh engine (no cache): seconds spent per second of
speech. Last line: one JSON object.

    python bench/speech.py            # 100 screens
    python bench/speech.py --quick    # 30 screens
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchlib import percentile, start_demo_kiosk  # noqa: E402

from tests.helpers.kiosk_process import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - the suite's launch, one list

TODAY = "2026-11-22"
DEMO = {"X-Kiosk-Demo": "1"}
READ_FINE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13]

# Chromium leaves media requests out of Resource Timing; the page's voice notes when the audio element
# had its first bytes in (loadedmetadata), in the same clock as the navigation's own timing.
FIRST_AUDIO = """() => {
  const first = (window.mingbaiVoice && window.mingbaiVoice.log || []).find(e => e.heard);
  const page = performance.getEntriesByType('navigation')[0];
  return first ? [first.heard, page.responseStart] : null;
}"""


def post(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, method="POST", headers=DEMO), timeout=10).close()


def start_kiosk(folder: Path) -> tuple[subprocess.Popen, str]:
    process, url, _health = start_demo_kiosk(folder, TODAY, MINGBAI_READER="virtual")
    return process, url


def screens(url: str, page, card: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Place `card` and return the screens it has: its summary, then each programme page."""
    post(f"{url}/demo/take")  # a page of the last card follows the terminal back to the attract screen
    if page.url in ("about:blank", ""):
        page.goto(url + "/")
    page.wait_for_url(url + "/", timeout=10000)
    page.wait_for_selector("body[data-state='idle']")
    time.sleep(0.9)  # a hand's gap between two cards
    post(f"{url}/demo/place/{card}")
    page.wait_for_url("**/me", timeout=10000)
    links = page.eval_on_selector_all("a.programme-card", "els => els.map(e => e.getAttribute('href'))")
    return ["/me", *links]


def measure_first_audio(url: str, rounds: int) -> tuple[list[float], list[float], int]:
    from playwright.sync_api import sync_playwright

    audio, floor = [], []
    visited = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        post(f"{url}/demo/headset/in")
        while len(audio) < rounds:
            card = READ_FINE[visited % len(READ_FINE)]
            visited += 1
            for path in screens(url, page, card):
                page.goto(url + path)
                deadline = time.monotonic() + 10
                found = None
                while found is None and time.monotonic() < deadline:
                    found = page.evaluate(FIRST_AUDIO)
                    if found is None:
                        page.wait_for_timeout(10)
                if found is None:
                    raise SystemExit(f"no audio was asked for on {path}")
                audio.append(found[0])
                floor.append(found[1])
                if len(audio) >= rounds:
                    break
        post(f"{url}/demo/take")
        browser.close()
    return audio, floor, visited


def measure_rtf(url: str) -> tuple[float, float, float]:
    """Synthesise card ③'s summary script with a fresh engine: (seconds spent, seconds of speech, RTF)."""
    from kiosk.speech import Line, Script
    from kiosk.speech.engine import EspeakEngine
    from kiosk.speech.render import Voice
    from kiosk.speech.words import said

    post(f"{url}/demo/take")
    time.sleep(0.9)
    post(f"{url}/demo/place/3")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    for _ in range(100):
        state = json.loads(opener.open(url + "/terminal/state", timeout=5).read())
        if state["state"] == "ready":
            break
        time.sleep(0.05)
    opener.open(url + "/session/open", timeout=5).close()
    script = json.loads(opener.open(url + "/speech/script", timeout=5).read())
    lines = tuple(Line((said(line["text"]),)) for line in script["lines"])
    voice = Voice(EspeakEngine(), None)
    started = time.perf_counter()
    pcm = voice.script(Script("summary", lines))
    spent = time.perf_counter() - started
    return spent, pcm.seconds, spent / pcm.seconds


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="30 screens instead of 100")
    parser.add_argument("--rounds", type=int, help="override the number of screens")
    args = parser.parse_args()
    rounds = args.rounds or (30 if args.quick else 100)
    folder = Path(tempfile.mkdtemp(prefix="mingbai-bench-"))
    kiosk = None
    try:
        kiosk, url = start_kiosk(folder)
        audio, floor, cards = measure_first_audio(url, rounds)
        spent, speech_seconds, rtf = measure_rtf(url)
    finally:
        if kiosk is not None:
            kiosk.terminate()
            kiosk.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    figures = {
        "rounds": rounds,
        "first_audio_p50_ms": round(percentile(audio, 0.50), 1),
        "first_audio_p95_ms": round(percentile(audio, 0.95), 1),
        "page_first_byte_p50_ms": round(percentile(floor, 0.50), 1),
        "page_first_byte_p95_ms": round(percentile(floor, 0.95), 1),
        "synthesis_rtf": round(rtf, 4),
        "summary_speech_s": round(speech_seconds, 1),
        "summary_synthesis_ms": round(spent * 1000, 1),
    }
    print(
        f"screen change → first audio byte: p50 {figures['first_audio_p50_ms']} ms, "
        f"p95 {figures['first_audio_p95_ms']} ms over {rounds} screens of {cards} card sessions (goal p95 ≤ 300 ms)"
    )
    print(
        f"floor, the page's own first byte: p50 {figures['page_first_byte_p50_ms']} ms, "
        f"p95 {figures['page_first_byte_p95_ms']} ms"
    )
    print(
        f"engine: card ③'s summary, {figures['summary_speech_s']} s of speech in "
        f"{figures['summary_synthesis_ms']} ms (real-time factor {figures['synthesis_rtf']})"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
