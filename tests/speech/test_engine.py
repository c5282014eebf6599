"""The offline engine says Mandarin as Mandarin: espeak-ng 1.51's `cmn` voice reads its dictionary's tone
digits in English ("你好" → "ni three hao three"); the voice the kiosk uses must not."""

from __future__ import annotations

import shutil
import subprocess

from kiosk.speech.engine import MANDARIN_VOICE, EspeakEngine


def phonemes(text: str, voice: str) -> str:
    done = subprocess.run(
        [shutil.which("espeak-ng") or "espeak-ng", "-v", voice, "-b", "1", "-q", "-x"],
        input=text.encode(),
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def test_the_mandarin_voice_never_switches_to_english():
    for text in (
        "你好",
        "请取回您的卡",
        "二零二五年三月到八月，低保每月少发七十三元三角三分",
        "請取回您的卡",
    ):
        said = phonemes(text, MANDARIN_VOICE)
        assert "(en)" not in said, f"{text!r} is read in English: {said}"
    assert "(en)" in phonemes("你好", "cmn"), (
        "the voice this guards against still misreads (else drop the guard)"
    )


def test_speech_is_mandarin_paced_and_slow_is_slower():
    engine = EspeakEngine()
    text = "二零二五年三月到八月，低保每月少发七十三元三角三分"  # 24 syllables
    normal, slow = engine.synthesize(text), engine.synthesize(text, slow=True)
    assert 2.5 < 24 / normal.seconds < 5.0, normal.seconds  # syllables a second, unhurried
    assert slow.seconds > 1.2 * normal.seconds
    english = engine.synthesize("Please take your card", voice="en")
    assert 0.8 < english.seconds < 4
