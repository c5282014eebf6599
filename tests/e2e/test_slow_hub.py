"""A kiosk that asks a slow hub: taking the card away ends the session at once, whatever the hub does.

The lookup runs off the reader's thread; before, the PC/SC watcher waited on the hub's HTTP
answer and could not see the card leave until it came (5 s timeout per call, twice per card).
"""

from __future__ import annotations

import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from device.emulation.vcard import SsseApplet, VpcdCard
from kiosk.store import open_store
from tests.helpers.net import free_port
from tests.helpers.serve import serve_kiosk, wait_for

HUB_DELAY_SECONDS = 10.0
SESSION_END_SECONDS = 2.0  # what the villager may wait, after taking the card, for the screen to clear


class SlowHub(BaseHTTPRequestHandler):
    """Answers every request after HUB_DELAY_SECONDS, with a 503 (the lookup then fails)."""

    asked = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        SlowHub.asked.set()
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(HUB_DELAY_SECONDS)
        self.send_response(503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass


def test_a_card_taken_away_while_the_hub_is_slow_ends_the_session_within_2_s(demo_template, pcscd, tmp_path):
    shutil.copy(demo_template, tmp_path / "kiosk.db")
    holder = open_store(tmp_path / "kiosk.db").demo_cards()[0]
    hub = ThreadingHTTPServer(("127.0.0.1", 0), SlowHub)
    serving = threading.Thread(target=hub.serve_forever, daemon=True)
    serving.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = serve_kiosk(
        tmp_path / "kiosk.db",
        port,
        MINGBAI_BACKEND="remote",
        MINGBAI_HUB_URL=f"http://127.0.0.1:{hub.server_port}",
        MINGBAI_HUB_SECRET="s" * 32,
        MINGBAI_PERSON_KEY_SECRET="p" * 32,
    )
    card = VpcdCard(SsseApplet(holder.id_number, "王德明"), port=35964)
    try:
        wait_for(url, "idle")
        card.insert()
        assert SlowHub.asked.wait(10), "the kiosk never asked the hub"
        reading = wait_for(url, "reading", timeout=1)
        card.remove()
        assert wait_for(url, "idle", timeout=SESSION_END_SECONDS)["seq"] > reading["seq"]
    finally:
        card.remove()
        process.terminate()
        process.wait(timeout=10)
        hub.shutdown()
        serving.join(timeout=15)
        hub.server_close()
