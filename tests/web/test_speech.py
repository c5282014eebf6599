"""The voice's web contracts: every screen has a script, the open speaker hears nothing private, the
headset hears the problem and its amount, and the audio is a real WAV of plausible length."""

from __future__ import annotations

import io
import re
import wave

import pytest

from tests.helpers.kiosk_client import DEMO, place_card

CARDS = range(1, 16)


def opened(client, position: int):  # type: ignore[no-untyped-def]
    state = place_card(client, position)
    if state["state"] == "ready":
        client.get("/session/open")
        client.get("/me")
    return state


def script(client, **args) -> dict:  # type: ignore[no-untyped-def]
    answer = client.get("/speech/script", query_string=args)
    assert answer.status_code == 200
    body = answer.get_json()
    assert set(body) == {"screen", "channel", "lines"}
    return body


def spoken(body: dict) -> str:
    return "".join(line["text"] for line in body["lines"])


PRIVATE = re.compile(r"[0-9０-９]|[零一二两三四五六七八九十百千万]+元|某")  # ID digits, amounts, a name


def headset(client, plugged: bool) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(f"/demo/headset/{'in' if plugged else 'out'}", headers=DEMO)
    assert answer.status_code == 204


def test_the_attract_screen_speaks_neutral_words_on_the_speaker(client):
    body = script(client)
    assert body["screen"] == "attract" and body["channel"] == "speaker"
    assert "读卡区" in spoken(body) and not any(line["private"] for line in body["lines"])


@pytest.mark.parametrize("position", CARDS)
def test_every_card_gives_a_non_empty_script_and_the_speaker_hears_nothing_private(client, position):
    state = opened(client, position)
    body = script(client)
    assert body["lines"], f"card {position}: nothing to say on {body['screen']}"
    assert body["channel"] == "speaker"
    assert not any(line["private"] for line in body["lines"])
    assert not PRIVATE.search(spoken(body)), f"card {position}: {spoken(body)}"
    if state["state"] == "ready":
        assert "请戴上耳机" in spoken(body)
    else:  # an error: what happened and what to do
        assert body["screen"] == "error" and state["message"] in spoken(body)


def test_the_headset_hears_card_threes_shortfall_with_its_amount_in_words(client):
    opened(client, 3)
    headset(client, True)
    body = script(client)
    assert body["channel"] == "headset" and body["screen"] == "summary"
    text = spoken(body)
    assert "二零二五年三月到八月，农村最低生活保障少发，一共四百四十元" in text
    problem = next(line for line in body["lines"] if "四百四十元" in line["text"])
    assert problem["private"] is True
    assert text.index("四百四十元") < text.index("到目前，应发"), "the problem comes before the totals"
    headset(client, False)
    assert "四百四十元" not in spoken(script(client))


def test_a_programme_page_speaks_its_runs_with_each_stretchs_basis(client):
    opened(client, 3)
    headset(client, True)
    client.get("/me/programme/dibao?year=2025")
    body = script(client)
    assert body["screen"] == "programme"
    text = spoken(body)
    assert "二零二五年三月到八月" in text and "每月260.00元" in text and "每月300.00元" in text
    assert "其余月份" in text and "足额发放" in text


def test_the_complaint_steps_and_the_tracking_number_are_spoken(own_app):
    client = own_app.test_client()
    opened(client, 3)
    headset(client, True)
    page = client.get("/me/complaint/new?programme=dibao&period=2025-03&until=2025-08").get_data(as_text=True)
    assert script(client)["screen"] == "complaint_category"
    assert "反映的是农村最低生活保障" in spoken(script(client))
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/me/complaint/category", data={"csrf": csrf, "category": "wrong_amount"})
    assert script(client)["screen"] == "complaint_phone"
    refused = client.post("/me/complaint/phone", data={"csrf": csrf, "phone": "123"})
    assert refused.status_code == 422
    assert "号码不对" in spoken(script(client))
    review = client.post("/me/complaint/phone", data={"csrf": csrf, "phone": "13800001234"}).get_data(
        as_text=True
    )
    body = script(client)
    assert body["screen"] == "complaint_review" and "钱数不对" in spoken(body)
    assert "幺，三，八" in spoken(body)  # the phone number read symbol by symbol
    uuid = re.search(r'name="uuid" value="([^"]+)"', review).group(1)
    done = client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid})
    client.get(done.headers["Location"])
    body = script(client)
    assert body["screen"] == "complaint_done"
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    number = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]", page).group(0)
    symbols = [line["text"] for line in body["lines"] if line["text"].startswith("反映编号是")]
    assert len(symbols) == 2, "the number is read twice"
    said = symbols[0].removeprefix("反映编号是：").split("，")
    expected = [
        "幺" if s == "1" else "零一二三四五六七八九"[int(s)] if s.isdigit() else s for s in number if s != "-"
    ]
    assert [s for s in said if s] == expected


def test_the_idle_prompt_and_its_countdown(client):
    opened(client, 3)
    body = script(client, prompt="still_there", seconds=20)
    assert body["screen"] == "still_there" and "还在吗" in spoken(body) and "二十秒后" in spoken(body)


def test_a_focused_label_is_spoken_only_into_the_headset(client):
    opened(client, 3)
    assert script(client, say="农村最低生活保障 应发 ¥1,640.00")["lines"] == []
    headset(client, True)
    assert "1,640.00" in spoken(script(client, say="农村最低生活保障 应发 ¥1,640.00"))


def test_the_audio_is_a_wav_whose_length_fits_its_script(client):
    opened(client, 3)
    headset(client, True)
    answer = client.get("/speech/audio")
    assert answer.status_code == 200 and answer.mimetype == "audio/wav"
    with wave.open(io.BytesIO(answer.data)) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        frames = sound.readframes(sound.getnframes())
    syllables = len(re.findall(r"[\u4e00-\u9fff]", spoken(script(client))))
    assert 0.15 * syllables < seconds < 0.6 * syllables, (seconds, syllables)  # 2–6 syllables a second
    assert max(frames[1::2]) > 16, "not silence"
    slow = client.get("/speech/audio?slow=1")
    with wave.open(io.BytesIO(slow.data)) as sound:
        assert sound.getnframes() / sound.getframerate() > 1.2 * seconds


def test_the_headset_endpoints_need_the_demo_header(client):
    assert client.post("/demo/headset/in").status_code == 403
    assert client.get("/speech/channel").get_json() == {"channel": "speaker"}


def test_a_kiosk_with_a_voice_pack_speaks_its_recordings(demo_county, tmp_path):
    from kiosk.config import load_config
    from kiosk.rules import load_rulebook
    from kiosk.web import create_app
    from tests.helpers.audio import write_tone_pack
    from tests.helpers.facts import TODAY

    pack = write_tone_pack(tmp_path / "pack", load_rulebook().codes, seconds=0.25)
    app = create_app(
        load_config(
            {"db_path": demo_county, "demo": True, "today": TODAY, "reader": "virtual", "voice_pack": pack},
            environ={},
        )
    )
    answer = app.test_client().get("/speech/audio")  # the attract screen: two prompts, both recorded
    with wave.open(io.BytesIO(answer.data)) as sound:
        seconds = sound.getnframes() / sound.getframerate()
    assert seconds == pytest.approx(0.25 + 0.45 + 0.25, abs=0.01)  # clip, pause, clip: no synthesis


def test_no_screen_of_card_three_says_anything_private_on_the_speaker(own_app):
    client = own_app.test_client()
    opened(client, 3)
    screens = [script(client)]
    client.get("/me/programme/dibao?year=2025")
    screens.append(script(client))
    page = client.get("/me/complaint/new?programme=dibao&period=2025-03&until=2025-08").get_data(as_text=True)
    screens.append(script(client))
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/me/complaint/category", data={"csrf": csrf, "category": "wrong_amount"})
    screens.append(script(client))
    review = client.post("/me/complaint/phone", data={"csrf": csrf, "phone": "13800001234"}).get_data(
        as_text=True
    )
    screens.append(script(client))
    uuid = re.search(r'name="uuid" value="([^"]+)"', review).group(1)
    done = client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid})
    client.get(done.headers["Location"])
    screens.append(script(client))
    assert [s["screen"] for s in screens] == [
        "summary",
        "programme",
        "complaint_category",
        "complaint_phone",
        "complaint_review",
        "complaint_done",
    ]
    for said in screens:
        assert said["channel"] == "speaker" and said["lines"], said["screen"]
        assert not PRIVATE.search(spoken(said)), f"{said['screen']} on the speaker: {spoken(said)}"
        assert not any(line["private"] for line in said["lines"])
