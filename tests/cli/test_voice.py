"""`kiosk voice`: the example pack made with the engine is complete, a pack missing a clip is named, and a
kiosk configured with a pack speaks its clips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.rules import load_rulebook
from kiosk.speech.words import required_keys

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def voice(tmp_path, *args):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [KIOSK, "voice", "--db", str(tmp_path / "k.db"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "MINGBAI_CONFIG": ""},
    )


def test_the_example_pack_is_built_whole_and_a_missing_clip_is_named(tmp_path):
    pack = tmp_path / "pack"
    built = voice(tmp_path, "--build", str(pack))
    assert built.returncode == 0, built.stderr
    assert f"Wrote {len(required_keys(load_rulebook().codes))} clips" in built.stdout
    checked = voice(tmp_path, "--check", str(pack))
    assert checked.returncode == 0 and "complete" in checked.stdout, checked.stderr
    (pack / "clips" / "unit.yuan.wav").unlink()
    broken = voice(tmp_path, "--check", str(pack))
    assert broken.returncode == 1
    assert "unit.yuan：找不到文件 clips/unit.yuan.wav" in broken.stderr


def test_the_recording_script_lists_every_clip_with_its_words(tmp_path):
    script = voice(tmp_path, "--script")
    lines = dict(line.split("\t") for line in script.stdout.splitlines())
    assert lines["unit.yuan"] == "元" and lines["month.11"] == "十一月"
    assert lines["prompt.take_card"] == "请取回您的卡。" and lines["programme.dibao"] == "农村最低生活保障"
