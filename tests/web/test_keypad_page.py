"""A kiosk's keymap reaches its screens, where the keypad script reads it."""

from __future__ import annotations

import html
import json
import re

from kiosk.config import load_config
from kiosk.web import create_app
from tests.helpers.facts import TODAY


def test_the_keymap_is_on_every_screen(demo_county, tmp_path):
    path = tmp_path / "keymap.json"
    path.write_text(json.dumps({"NumpadDecimal": "repeat"}), encoding="utf-8")
    config = {"db_path": demo_county, "demo": True, "today": TODAY, "reader": "virtual", "keymap": path}
    page = create_app(load_config(config, environ={})).test_client().get("/").get_data(as_text=True)
    found = re.search(r'data-keymap="([^"]*)"', page)
    assert found and json.loads(html.unescape(found.group(1))) == {"NumpadDecimal": "repeat"}
