"""Kill -9 the kiosk at random points of ≥ 200 complaint submissions driven over HTTP.

Afterwards every complaint the kiosk acknowledged (answered 303 to its "已提交" page) is
in the store exactly once with its outbox row, and nothing unacknowledged is half-written
(no complaint without its outbox row, no outbox row without its complaint).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

from tests.helpers.facts import TODAY
from tests.helpers.kiosk_process import KIOSK
from tests.helpers.net import free_port, wait_for_http

SUBMISSIONS = 200


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Kiosk:
    def __init__(self, db) -> None:  # type: ignore[no-untyped-def]
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [KIOSK, "demo", "--db", str(self.db), "--port", str(self.port), "--today", TODAY.isoformat()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MINGBAI_CONFIG": "", "MINGBAI_READER": "virtual"},
        )
        wait_for_http(self.url + "/healthz", self.process)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def session(kiosk: Kiosk):  # type: ignore[no-untyped-def]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    request = urllib.request.Request(
        kiosk.url + "/demo/place/4", method="POST", headers={"X-Kiosk-Demo": "1"}
    )
    opener.open(request, timeout=5).close()
    state = json.load(opener.open(kiosk.url + "/terminal/state", timeout=5))
    while state["state"] == "reading":  # the lookup runs on its own thread: follow it like the browser
        state = json.load(opener.open(f"{kiosk.url}/terminal/state?since={state['seq']}", timeout=25))
    try:
        opener.open(kiosk.url + "/session/open", timeout=5)
    except urllib.error.HTTPError as redirect:  # 302 to /me, with the session cookie
        assert redirect.code == 302 and "/me" in redirect.headers["Location"]
    return opener


def post(opener, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return opener.open(
        urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST"), timeout=5
    )


def test_acknowledged_complaints_survive_kill_9(demo_template, tmp_path):
    shutil.copy(demo_template, tmp_path / "kiosk.db")
    kiosk = Kiosk(tmp_path / "kiosk.db")
    rng = random.Random(9)
    acknowledged: set[str] = set()
    attempted: set[str] = set()
    kills = 0
    opener = None
    while len(attempted) < SUBMISSIONS:
        if not kiosk.alive():
            kiosk.start()
            opener = None
        try:
            if opener is None:
                opener = session(kiosk)
            page = (
                opener.open(kiosk.url + "/me/complaint/new?programme=pension_basic&period=2025-03", timeout=5)
                .read()
                .decode()
            )
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            post(
                opener, kiosk.url + "/me/complaint/category", {"csrf": csrf, "category": "not_received"}
            ).close()
            review = (
                post(opener, kiosk.url + "/me/complaint/phone", {"csrf": csrf, "skip": "1"}).read().decode()
            )
            uuid = re.search(r'name="uuid" value="([^"]+)"', review).group(1)
            attempted.add(uuid)
            killer = None
            if rng.random() < 0.35:  # kill somewhere inside the submission
                killer = threading.Timer(rng.uniform(0, 0.015), kiosk.kill)
                killer.start()
            try:
                post(opener, kiosk.url + "/me/complaint/submit", {"csrf": csrf, "uuid": uuid})
            except urllib.error.HTTPError as answer:
                if answer.code == 303 and answer.headers["Location"].endswith(uuid):
                    acknowledged.add(uuid)
            finally:
                if killer is not None:
                    killer.join()
                    kills += 1
        except (OSError, AttributeError):  # the kiosk died under us: start again
            kiosk.kill()
    kiosk.kill()

    conn = sqlite3.connect(tmp_path / "kiosk.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    complaints = {u for (u,) in conn.execute("SELECT uuid FROM complaints")}
    submits = [u for (u,) in conn.execute("SELECT complaint_uuid FROM outbox WHERE kind = 'submit'")]
    assert len(submits) == len(set(submits)) and set(submits) == complaints, "no half-written complaint"
    assert acknowledged <= complaints, f"lost: {acknowledged - complaints}"
    assert complaints <= attempted
    print(
        f"attempted {len(attempted)}, acknowledged {len(acknowledged)}, committed {len(complaints)}, kills {kills}"
    )
    assert kills >= 30 and len(acknowledged) >= 100, (kills, len(acknowledged))
