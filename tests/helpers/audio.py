"""Audio for the voice tests: sine tones nobody could mistake for synthesised speech, and packs of them."""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from pathlib import Path

from kiosk.speech.pcm import SAMPLE_RATE, Pcm, to_wav
from kiosk.speech.words import required_keys


def tone(seconds: float, hz: float = 440.0, rate: int = SAMPLE_RATE) -> Pcm:
    count = int(rate * seconds)
    samples = (int(12000 * math.sin(2 * math.pi * hz * n / rate)) for n in range(count))
    return Pcm(struct.pack(f"<{count}h", *samples), rate)


def write_tone_pack(
    folder: Path,
    codes: Iterable[str] = ("dibao",),
    missing: Iterable[str] = (),
    keys: Iterable[str] | None = None,
    seconds: float = 0.2,
) -> Path:
    """A voice pack whose every clip (default: all required for `codes`) is a tone, leaving out `missing`."""
    left_out = set(missing)
    (folder / "clips").mkdir(parents=True, exist_ok=True)
    lines = ['name = "测试语音包"', 'language = "zh-CN"', "[clips]"]
    for index, key in enumerate(keys or required_keys(codes)):
        path = Path("clips") / f"{index}.wav"
        if key not in left_out:
            (folder / path).write_bytes(to_wav(tone(seconds)))
        lines.append(f'"{key}" = "{path.as_posix()}"')
    (folder / "manifest.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
