"""How current the figures are: every person screen says 数据更新至 the ledger's date (its latest payment, as
the last import recorded it), and says plainly when that is older than `stale_after_days`; a remote kiosk
says the date of the hub's published ledger."""

from __future__ import annotations

import datetime as dt
import re

from kiosk.config import load_config
from kiosk.store import open_store
from kiosk.web import create_app
from tests.helpers.facts import TODAY
from tests.helpers.kiosk_client import place_card


def kiosk(db, today: dt.date = TODAY):  # type: ignore[no-untyped-def]
    config = {"db_path": db, "demo": True, "today": today, "reader": "virtual"}
    return create_app(load_config(config, environ={})).test_client()


def ledger_date(db) -> dt.date:  # type: ignore[no-untyped-def]
    store = open_store(db)
    latest = store.connection().execute("SELECT MAX(paid_on) FROM payments").fetchone()[0]
    noted = store.get_meta("ledger_date")
    store.close()
    assert noted == latest, "the demo's build records the ledger's date"
    return dt.date.fromisoformat(latest)


def test_every_person_screen_says_how_current_its_figures_are(demo_county):
    latest = ledger_date(demo_county)
    client = kiosk(demo_county)
    place_card(client, 3)
    words = f"数据更新至{latest.year}年{latest.month}月{latest.day}日"
    for path in ("/session/open", "/me/programme/dibao?year=2025"):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert words in page, path
        assert 'id="data-stale"' not in page


def test_old_data_is_said_to_be_old(demo_county):
    latest = ledger_date(demo_county)
    client = kiosk(demo_county, latest + dt.timedelta(days=60))
    place_card(client, 3)
    page = client.get("/session/open", follow_redirects=True).get_data(as_text=True)
    stale = re.search(r'id="data-stale">([^<]+)<', page)
    assert stale and "已经60天没有更新" in stale.group(1)
