"""A script made audible: each segment from the voice pack when it has the clip, the rest synthesised,
lines joined with pauses into one WAV.

Neighbouring segments the pack lacks are synthesised together (one call, natural phrasing); a line
already rendered is remembered, so a repeated prompt costs nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from kiosk.speech import Line, Script
from kiosk.speech.engine import MANDARIN_VOICE, SpeechEngine
from kiosk.speech.packs import VoicePack
from kiosk.speech.pcm import Pcm, silence, to_wav

LINE_PAUSE_SECONDS = 0.45
SLOW_LINE_PAUSE_SECONDS = 0.9
SYMBOL_PAUSE_SECONDS = 0.35  # between clips of a number read symbol by symbol
_REMEMBERED = 512


class Voice:
    def __init__(self, engine: SpeechEngine, pack: VoicePack | None = None) -> None:
        self.engine, self.pack = engine, pack
        self._lines: OrderedDict[tuple[Line, bool, str], Pcm] = OrderedDict()
        self._lock = Lock()

    def line(self, line: Line, *, slow: bool = False, voice: str = "") -> Pcm:
        """One line: the pack's clips where it has them (Mandarin only), the rest synthesised in `voice`."""
        key = (line, slow, voice)
        with self._lock:
            if key in self._lines:
                self._lines.move_to_end(key)
                return self._lines[key]
        pcm = self._render(line, slow, voice)
        with self._lock:
            self._lines[key] = pcm
            while len(self._lines) > _REMEMBERED:
                self._lines.popitem(last=False)
        return pcm

    def _render(self, line: Line, slow: bool, voice: str) -> Pcm:
        out = Pcm(b"")
        pending = ""
        pack = self.pack if self.pack is not None and voice in ("", MANDARIN_VOICE) else None
        for segment in line.segments:
            clip = pack.clip(segment.key) if pack else None
            if clip is None:
                pending += segment.text
                continue
            if pending.strip("，。 "):
                out += self.engine.synthesize(pending, slow=slow, voice=voice)
            elif pending:
                out += silence(SYMBOL_PAUSE_SECONDS * (2 if slow else 1))  # a comma between clips is a pause
            pending = ""
            out += clip
        if pending.strip("，。 "):
            out += self.engine.synthesize(pending, slow=slow, voice=voice)
        return out

    def script(self, script: Script, *, slow: bool = False, voice: str = "") -> Pcm:
        pause = silence(SLOW_LINE_PAUSE_SECONDS if slow else LINE_PAUSE_SECONDS)
        out = Pcm(b"")
        for index, line in enumerate(script.lines):
            if index:
                out += pause
            out += self.line(line, slow=slow, voice=voice)
        return out

    def wav(self, script: Script, *, slow: bool = False, voice: str = "") -> bytes:
        return to_wav(self.script(script, slow=slow, voice=voice))
