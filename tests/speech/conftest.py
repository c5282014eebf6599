"""Voice packs written on the fly: tones for clips, so a test can tell a clip from synthesis."""

from pathlib import Path

import pytest

from kiosk.speech.pcm import to_wav
from kiosk.speech.words import required_keys
from tests.helpers.audio import tone


@pytest.fixture
def make_pack(tmp_path):
    """Write a voice pack of tones for `keys` (default: all required for `codes`), leaving out `missing`."""

    def making(codes=("dibao",), missing=(), keys=None, seconds=0.2):
        folder = tmp_path / "pack"
        (folder / "clips").mkdir(parents=True, exist_ok=True)
        lines = ['name = "测试语音包"', 'language = "zh-CN"', "[clips]"]
        for index, key in enumerate(keys or required_keys(codes)):
            path = Path("clips") / f"{index}.wav"
            if key not in missing:
                (folder / path).write_bytes(to_wav(tone(seconds)))
            lines.append(f'"{key}" = "{path.as_posix()}"')
        (folder / "manifest.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return folder

    return making
