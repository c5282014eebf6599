"""Voice packs are checked whole when they load, and their clips win over synthesis."""

from __future__ import annotations

import pytest

from kiosk.speech import Line, Script
from kiosk.speech.engine import EspeakEngine
from kiosk.speech.packs import VoicePackError, load_voice_pack
from kiosk.speech.pcm import to_wav
from kiosk.speech.render import Voice
from kiosk.speech.words import money, prompt, said
from tests.helpers.audio import tone


def test_a_complete_pack_loads(make_pack):
    pack = load_voice_pack(make_pack(), ["dibao"])
    assert pack.name == "测试语音包" and "prompt.take_card" in pack.clips and "programme.dibao" in pack.clips


def test_a_pack_missing_a_clip_is_refused_with_the_clip_named(make_pack):
    with pytest.raises(VoicePackError) as refused:
        load_voice_pack(make_pack(missing=("digit.7",)), ["dibao"])
    assert any("digit.7" in problem and "找不到文件" in problem for problem in refused.value.problems)


def test_a_pack_whose_manifest_lacks_a_key_is_refused_with_the_key_named(make_pack):
    folder = make_pack()
    manifest = folder / "manifest.toml"
    manifest.write_text(
        "\n".join(line for line in manifest.read_text().splitlines() if not line.startswith('"month.3"')),
        encoding="utf-8",
    )
    with pytest.raises(VoicePackError) as refused:
        load_voice_pack(folder, ["dibao"])
    assert refused.value.problems == ["缺少录音 month.3"]


def test_a_clip_in_the_wrong_format_is_named(make_pack):
    folder = make_pack()
    (folder / "clips" / "0.wav").write_bytes(to_wav(tone(0.2, rate=44100)))
    with pytest.raises(VoicePackError, match="44100 Hz"):
        load_voice_pack(folder, ["dibao"])


def test_a_clip_outside_the_pack_is_refused(make_pack, tmp_path):
    folder = make_pack()
    manifest = folder / "manifest.toml"
    manifest.write_text(manifest.read_text() + '"letter.A" = "../../etc/passwd"\n', encoding="utf-8")
    with pytest.raises(VoicePackError, match="不在语音包目录里"):
        load_voice_pack(folder, ["dibao"])


def test_the_packs_clip_is_preferred_over_synthesis(make_pack):
    pack = load_voice_pack(make_pack(seconds=0.3), ["dibao"])
    engine = EspeakEngine()
    with_pack, without = Voice(engine, pack), Voice(engine, None)
    line = Line((prompt("take_card"),))
    assert with_pack.line(line).frames == pack.clips["prompt.take_card"].frames  # the recording, as is
    assert without.line(line).frames != pack.clips["prompt.take_card"].frames
    # an amount from digit and unit clips: 七十三元三角三分 is eight clips of 0.3 s
    amount = Line(tuple(money(7333)))
    assert with_pack.line(amount).seconds == pytest.approx(8 * 0.3, abs=0.01)
    # words the pack lacks are synthesised between the clips
    mixed = Script("t", (Line((prompt("take_card"), said("谢谢您的耐心"))),))
    seconds = with_pack.script(mixed).seconds
    assert seconds > 0.3 + 0.5
