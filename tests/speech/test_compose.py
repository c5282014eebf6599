"""Scripts from the screens' data: problems first in spoken words, private lines kept off the speaker."""

from __future__ import annotations

from kiosk.speech import HEADSET, SPEAKER, Line, Script
from kiosk.speech.compose import attract, card_left, for_channel, private, public
from kiosk.speech.words import PROMPTS, prompt, required_keys, said


def test_the_speaker_hears_the_public_lines_and_a_request_for_the_headset():
    script = Script("summary", (public(prompt("ready")), private(said("张某英，您好。"))))
    on_speaker = for_channel(script, SPEAKER)
    assert [line.text for line in on_speaker.lines] == [
        PROMPTS["ready"],
        PROMPTS["headset"],
        PROMPTS["look_at_screen"],
    ]
    assert for_channel(script, HEADSET) == script


def test_a_script_with_nothing_private_is_spoken_as_is_on_the_speaker():
    assert for_channel(attract(), SPEAKER) == attract()
    assert "请取回您的卡" in "".join(line.text for line in card_left().lines)


def test_required_keys_cover_prompts_digits_units_months_and_programmes():
    keys = required_keys(["dibao", "pension"])
    assert {
        "prompt.take_card",
        "digit.0",
        "digit.9",
        "unit.yuan",
        "unit.jiao",
        "unit.fen",
        "month.12",
    } <= set(keys)
    assert {"programme.dibao", "programme.pension"} <= set(keys)
    assert isinstance(Line((said("x"),)).text, str)
