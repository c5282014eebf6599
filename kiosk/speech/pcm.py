"""Mono 16-bit PCM at one sample rate: what clips and synthesis are joined into, and the WAV it becomes.

One format everywhere (22,050 Hz, the rate espeak-ng speaks at) so joining clips is concatenation;
a voice pack is checked to be in it when it is loaded.
"""

from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass

SAMPLE_RATE = 22050
SAMPLE_WIDTH = 2  # bytes: 16-bit


class AudioFormatError(ValueError):
    pass


@dataclass(frozen=True)
class Pcm:
    frames: bytes
    rate: int = SAMPLE_RATE

    @property
    def seconds(self) -> float:
        return len(self.frames) / SAMPLE_WIDTH / self.rate

    def __add__(self, other: Pcm) -> Pcm:
        return Pcm(self.frames + other.frames, self.rate)


def silence(seconds: float) -> Pcm:
    return Pcm(b"\0" * (int(SAMPLE_RATE * seconds) * SAMPLE_WIDTH))


def to_wav(pcm: Pcm) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(pcm.rate)
        out.writeframes(pcm.frames)
    return buffer.getvalue()


def read_wav(data: bytes) -> Pcm:
    """A WAV file's samples; refuses anything but mono 16-bit at SAMPLE_RATE (named in the error)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            shape = (source.getnchannels(), source.getsampwidth(), source.getframerate())
            frames = source.readframes(source.getnframes())
    except (wave.Error, EOFError, struct.error) as error:
        raise AudioFormatError(f"不是可读的WAV文件（{error}）") from error
    if shape != (1, SAMPLE_WIDTH, SAMPLE_RATE):
        raise AudioFormatError(
            f"应为单声道、16位、{SAMPLE_RATE} Hz，实为{shape[0]}声道、{shape[1] * 8}位、{shape[2]} Hz"
        )
    return Pcm(frames)


def read_streamed_wav(data: bytes) -> Pcm:
    """A WAV written to a pipe (espeak-ng --stdout): its header cannot know the length, so the samples
    are everything after the data chunk's header."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioFormatError("not a WAV stream")
    position = 12
    rate = SAMPLE_RATE
    while position + 8 <= len(data):
        chunk, size = data[position : position + 4], struct.unpack("<I", data[position + 4 : position + 8])[0]
        if chunk == b"fmt ":
            channels, rate = struct.unpack("<HI", data[position + 10 : position + 16])
            if channels != 1:
                raise AudioFormatError("not mono")
        if chunk == b"data":
            frames = data[position + 8 :]
            return Pcm(frames[: len(frames) - len(frames) % SAMPLE_WIDTH], rate)
        position += 8 + size
    raise AudioFormatError("no data chunk")
