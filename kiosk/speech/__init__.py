"""What the kiosk says: scripts composed from a screen's data, voiced from a voice pack or synthesised.

A script is lines; a line is segments; a segment is words with, where a voice pack can voice it
on its own, a clip key ("digit.7", "month.3", "programme.dibao", "prompt.take_card"). Every line is
marked private or not: names, ID digits, amounts and answers are private and go only to a headset
(`compose.for_channel`). Nothing here knows Flask or SQL; the engine runs offline.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEAKER = "speaker"
HEADSET = "headset"


@dataclass(frozen=True)
class Segment:
    text: str
    key: str | None = None  # a voice pack clip that says exactly this, if the pack has one


@dataclass(frozen=True)
class Line:
    segments: tuple[Segment, ...]
    private: bool = False

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


@dataclass(frozen=True)
class Script:
    screen: str
    lines: tuple[Line, ...]

    def as_json(self, channel: str) -> dict[str, object]:
        return {
            "screen": self.screen,
            "channel": channel,
            "lines": [{"text": line.text, "private": line.private} for line in self.lines],
        }
