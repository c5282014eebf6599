"""The tactile keypad's mapping: which key (a browser `KeyboardEvent.code`) does what.

The defaults live in the screen's script (static/kiosk/kiosk.js); a kiosk whose keypad differs names
its keys in a JSON file (`keymap` setting), e.g. {"NumpadDecimal": "repeat", "Backspace": "back"}.
Checked here when the kiosk starts, so a typo is an error at start, not a dead key in front of a villager.
"""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.config import ConfigError

ACTIONS = ("next", "previous", "select", "back", "repeat", "louder", "quieter", "slower", "audio_only")


class KeymapError(ConfigError):
    pass


def load_keymap(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise KeymapError(f"keymap {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise KeymapError(f"keymap {path}: not JSON ({error.msg}, line {error.lineno})") from error
    if not isinstance(mapping, dict):
        raise KeymapError(f"keymap {path}: must be an object of key code → action")
    bad = {str(k): v for k, v in mapping.items() if not isinstance(v, str) or v not in ACTIONS}
    if bad:
        raise KeymapError(f"keymap {path}: unknown actions {bad}; use {', '.join(ACTIONS)}")
    return {str(k): v for k, v in mapping.items()}
