"""Is a headset (or handset) plugged into the kiosk's audio jack? One small interface, three sources.

The answer decides what may be spoken aloud: with a headset, the villager's name and amounts; on the
open speaker, neutral prompts only. Linux reports the jack two ways, and kiosks differ in which works:

- `PulseHeadset`: the sound server's port availability (PulseAudio, or PipeWire's pulse layer):
  `pactl list sinks` marks a headphone port "available" or "not available".
- `AlsaHeadset`: the codec's jack control, `amixer -c N cget iface=CARD,name='Headphone Jack'`.
- `VirtualHeadset`: set by the demo panel and the tests (POST /demo/headset/in|out).

A source that cannot be read answers "not plugged": on a fault, nothing private is said aloud.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
from typing import Protocol

log = logging.getLogger(__name__)

_PORT = re.compile(r"(?:headphone|headset)[^:]*:.*\(.*priority[^)]*?,\s*([^,)]+)\)\s*$", re.I)


class Headset(Protocol):
    kind: str

    def plugged(self) -> bool: ...


class VirtualHeadset:
    kind = "virtual"

    def __init__(self) -> None:
        self._plugged = False
        self._lock = threading.Lock()

    def plug(self, plugged: bool) -> None:
        with self._lock:
            self._plugged = plugged

    def plugged(self) -> bool:
        with self._lock:
            return self._plugged


class NoHeadset:
    """A kiosk without a jack: the open speaker only."""

    kind = "none"

    def plugged(self) -> bool:
        return False


def headphone_port_available(pactl_sinks: str) -> bool:
    """From `pactl list sinks` output: is any headphone/headset port available (plugged)?

    Lines look like `analog-output-headphones: Headphones (type: Headphones, priority: 9900, not available)`
    or, on PipeWire, `[Out] Headphones: Headphones (type: Headphones, priority: 1000, availability unknown)`.
    """
    for line in pactl_sinks.splitlines():
        port = _PORT.search(line)
        if port and port.group(1).strip().lower() == "available":
            return True
    return False


def jack_control_on(amixer_output: str) -> bool:
    """From `amixer cget` output of a jack control: `: values=on` means plugged."""
    return bool(re.search(r":\s*values=on\b", amixer_output))


def _run(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=2, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None


class PulseHeadset:
    kind = "pulse"

    def plugged(self) -> bool:
        output = _run(["pactl", "list", "sinks"])
        if output is None:
            log.warning("pactl could not be read: treating the headset as unplugged")
            return False
        return headphone_port_available(output)


class AlsaHeadset:
    kind = "alsa"

    def __init__(self, card: int = 0, control: str = "Headphone Jack") -> None:
        self.card, self.control = card, control

    def plugged(self) -> bool:
        output = _run(["amixer", "-c", str(self.card), "cget", f"iface=CARD,name={self.control}"])
        if output is None:
            log.warning("the ALSA jack control could not be read: treating the headset as unplugged")
            return False
        return jack_control_on(output)


def open_headset(spec: str) -> Headset:
    """ "virtual", "pulse", "alsa" or "alsa:CARD", "none"."""
    kind, _, card = spec.partition(":")
    if kind == "virtual":
        return VirtualHeadset()
    if kind == "pulse":
        return PulseHeadset()
    if kind == "alsa":
        return AlsaHeadset(int(card or 0))
    if kind in ("", "none"):
        return NoHeadset()
    raise ValueError(f"unknown headset source {spec!r}: virtual, pulse, alsa[:CARD] or none")
