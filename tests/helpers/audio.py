"""Audio for the voice tests: a sine tone nobody could mistake for synthesised speech."""

from __future__ import annotations

import math
import struct

from kiosk.speech.pcm import SAMPLE_RATE, Pcm


def tone(seconds: float, hz: float = 440.0, rate: int = SAMPLE_RATE) -> Pcm:
    count = int(rate * seconds)
    samples = (int(12000 * math.sin(2 * math.pi * hz * n / rate)) for n in range(count))
    return Pcm(struct.pack(f"<{count}h", *samples), rate)
