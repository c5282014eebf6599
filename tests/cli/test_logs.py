"""What a kiosk writes to its log — under systemd, to the journal — never holds a full ID or account number:
a real `kiosk demo` process has every demo card placed, read, looked up and shown, a session opened and ended,
and its whole output is then searched for each card's ID number and the accounts paid to it."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import time
import urllib.request

from kiosk.store import open_store
from tests.helpers.kiosk_process import KioskProcess

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")


def test_the_log_holds_no_full_id_or_account_number(demo_county, tmp_path):
    shutil.copy(demo_county, tmp_path / "kiosk.db")
    store = open_store(tmp_path / "kiosk.db")
    cards = store.demo_cards()
    secrets = {card.id_number for card in cards}
    for card in cards:
        person = store.find_person(card.id_number)
        if person is not None:
            secrets |= {
                row[0]
                for row in store.connection().execute(
                    "SELECT account FROM accounts WHERE person_id = ? AND account <> ''", (person.id,)
                )
            }
    store.close()
    kiosk = KioskProcess(tmp_path / "kiosk.db", tmp_path / "kiosk.log", MINGBAI_READER="virtual")
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        for card in cards:
            place = urllib.request.Request(
                f"{kiosk.url}/demo/place/{card.position}", method="POST", headers={"X-Kiosk-Demo": "1"}
            )
            browser.open(place, timeout=10).close()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with browser.open(kiosk.url + "/terminal/state", timeout=10) as answer:
                    if b'"reading"' not in answer.read():
                        break
                time.sleep(0.1)
            browser.open(kiosk.url + "/session/open", timeout=10).close()  # the summary, when there is one
            kiosk.take_card()
    finally:
        kiosk.stop()
    log = (tmp_path / "kiosk.log").read_text()
    assert log.count("looked up card") >= 5, "the log was written, lookups and all"
    for secret in (s for s in secrets if len(s) >= 8):  # a malformed demo card carries no number
        assert secret not in log
    assert not ID_NUMBER.findall(log)
