"""The keypad's mapping file: merged over the defaults, and a wrong one refused at start, naming it."""

from __future__ import annotations

import json

import pytest

from kiosk.config import ConfigError, load_config
from kiosk.services.keypad import ACTIONS, KeymapError, load_keymap
from kiosk.services.wiring import start_services


def test_a_keymap_maps_keys_to_actions(tmp_path):
    path = tmp_path / "keymap.json"
    path.write_text(json.dumps({"NumpadDecimal": "repeat", "KeyQ": "back"}), encoding="utf-8")
    assert load_keymap(path) == {"NumpadDecimal": "repeat", "KeyQ": "back"}
    assert load_keymap(None) == {}
    assert "audio_only" in ACTIONS


@pytest.mark.parametrize(
    ("text", "says"),
    [("{not json", "not JSON"), ('["back"]', "must be an object"), ('{"KeyQ": "fly"}', "unknown actions")],
)
def test_a_wrong_keymap_is_named(tmp_path, text, says):
    path = tmp_path / "keymap.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KeymapError, match=says):
        load_keymap(path)


def test_a_kiosk_with_a_wrong_keymap_does_not_start(tmp_path):
    path = tmp_path / "keymap.json"
    path.write_text('{"KeyQ": "fly"}', encoding="utf-8")
    config = load_config({"db_path": tmp_path / "k.db", "reader": "none", "keymap": path}, environ={})
    with pytest.raises(ConfigError, match="unknown actions"):
        start_services(config)
