"""A blind villager's walk, in Debian's Chromium, with the keypad and a headset only (no clicks): place
the card, hear the summary, move to the problem, file a complaint, hear its number, end, hear
"请取回您的卡" until the card is taken, then silence. The voice is heard through what the page asked the
server to say (every utterance is a request for /speech/audio, answered as a WAV on the headset)."""

from __future__ import annotations

import io
import re
import time
import wave

import pytest
from playwright.sync_api import expect

DEMO = {"X-Kiosk-Demo": "1"}


def heard(page):  # type: ignore[no-untyped-def]
    return page.evaluate("window.mingbaiVoice.log")


def press_until(page, selector: str, key: str = "ArrowDown", most: int = 40) -> None:  # type: ignore[no-untyped-def]
    """Move the keypad's focus until it rests on `selector`; each move speaks the label."""
    for _ in range(most):
        page.keyboard.press(key)
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"the keypad never reached {selector}")


def test_a_blind_villager_files_a_complaint_with_the_keypad_and_a_headset(browser, own_kiosk):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    audio = []  # (screen, channel, seconds) of every utterance the page fetched

    def record(response):  # type: ignore[no-untyped-def]
        if "/speech/audio" in response.url and response.status == 200:
            try:
                with wave.open(io.BytesIO(response.body())) as sound:
                    seconds = sound.getnframes() / sound.getframerate()
            except Exception:  # noqa: BLE001 - the next utterance cut this one off: its body is gone
                seconds = 0.0
            audio.append((response.headers["x-speech-screen"], response.headers["x-speech-channel"], seconds))

    page.on("response", record)
    try:
        page.goto(own_kiosk.url + "/")
        expect(page.locator("body")).to_have_attribute("data-state", "idle")
        assert page.request.post(own_kiosk.url + "/demo/headset/in", headers=DEMO).status == 204
        assert page.request.post(own_kiosk.url + "/demo/place/3", headers=DEMO).status == 204  # the card
        page.wait_for_url(re.compile(r"/me$"))
        deadline = time.monotonic() + 10
        while not any(a[0] == "summary" for a in audio) and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        summary = [a for a in audio if a[0] == "summary"]
        assert all(a[1] == "headset" for a in summary), summary  # into the headset
        assert max(a[2] for a in summary) > 5, summary  # the whole summary, heard (not cut off at once)
        said = page.request.get(own_kiosk.url + "/speech/script").json()
        assert any("四百四十元" in line["text"] for line in said["lines"])

        press_until(page, "[data-complain-run]")  # the problem's own complaint button
        assert heard(page)[-1]["query"].startswith("say="), "each move says where the focus is"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/me/complaint/new"))
        press_until(page, "[data-category='wrong_amount']")
        page.keyboard.press("Numpad5")  # 5 selects, as on a phone keypad
        expect(page.get_by_text(re.compile("第2步"))).to_be_visible()
        for digit in "13800001234":
            page.keyboard.press(f"Numpad{digit}")  # on the phone step the digits type
        expect(page.locator("#phone")).to_have_value("13800001234")
        press_until(page, "#phone-next")
        page.keyboard.press("Enter")
        expect(page.get_by_text(re.compile("第3步"))).to_be_visible()
        press_until(page, "#submit-complaint")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/me/complaint/[0-9a-f-]{36}$"))
        number = page.locator(".tracking-number").inner_text().strip()
        said = page.request.get(own_kiosk.url + "/speech/script").json()
        assert said["screen"] == "complaint_done" and said["channel"] == "headset"
        spoken_number = next(line["text"] for line in said["lines"] if line["text"].startswith("反映编号是"))
        symbols = [s for s in spoken_number.removeprefix("反映编号是：").split("，") if s]
        assert len(symbols) == len(number.replace("-", "")), (symbols, number)
        deadline = time.monotonic() + 10
        while not any(a[0] == "complaint_done" for a in audio) and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert any(a[0] == "complaint_done" and a[1] == "headset" for a in audio), "the number was heard"

        page.keyboard.press("Escape")  # back to the summary
        page.wait_for_url(re.compile(r"/me$"))
        press_until(page, "#end-session")
        page.keyboard.press("Enter")
        expect(page).to_have_url(own_kiosk.url + "/")
        expect(page.locator("body")).to_have_attribute("data-state", "card_left")
        page.wait_for_timeout(6500)  # "请取回您的卡", said again while the card is left
        asks = [a for a in heard(page) if a.get("state") == "card_left" and "query" in a]
        assert len(asks) >= 2, asks
        said = page.request.get(own_kiosk.url + "/speech/script").json()
        assert "请取回您的卡" in "".join(line["text"] for line in said["lines"])
        own_kiosk.take_card()
        expect(page.locator("body")).to_have_attribute("data-state", "idle")
        taken = len([a for a in heard(page) if a.get("state") == "card_left" and "query" in a])
        page.wait_for_timeout(7000)
        after = [a for a in heard(page) if a.get("state") == "card_left" and "query" in a]
        assert len(after) == taken, "the reminder stopped when the card was taken"
    finally:
        context.close()


def test_the_settings_reset_when_the_session_ends(browser, own_kiosk):
    page = browser.new_page()
    try:
        page.goto(own_kiosk.url + "/")
        page.request.post(own_kiosk.url + "/demo/place/1", headers=DEMO)
        page.wait_for_url(re.compile(r"/me$"))
        page.locator("#text-size").click()
        page.locator("#theme").click()
        page.locator("#voice-slow").click()
        page.keyboard.press("NumpadSubtract")  # quieter
        assert page.evaluate("window.mingbaiVoice.volume") < 0.8
        page.locator("#end-session").click()
        expect(page).to_have_url(own_kiosk.url + "/")
        own_kiosk.take_card()
        page.request.post(own_kiosk.url + "/demo/place/3", headers=DEMO)
        page.wait_for_url(re.compile(r"/me$"))
        assert page.locator("#text-size").get_attribute("data-size") == "0"
        assert page.locator("#theme").get_attribute("aria-pressed") == "false"
        assert page.locator("#voice-slow").get_attribute("aria-pressed") == "false"
        assert page.evaluate("window.mingbaiVoice.volume") == pytest.approx(0.8)
        assert not page.evaluate("document.documentElement.classList.contains('contrast')")
    finally:
        page.close()


def test_audio_only_blanks_the_screen_and_the_keypad_goes_on(browser, own_kiosk):
    page = browser.new_page()
    try:
        page.goto(own_kiosk.url + "/")
        page.request.post(own_kiosk.url + "/demo/place/3", headers=DEMO)
        page.wait_for_url(re.compile(r"/me$"))
        page.keyboard.press("Numpad0")
        assert page.evaluate("document.documentElement.classList.contains('audio-only')")
        blank = page.evaluate("getComputedStyle(document.body, '::after').backgroundColor")
        assert blank == "rgb(0, 0, 0)"
        assert heard(page)[-1]["query"] == "prompt=audio_only_on"
        press_until(page, "[data-complain-run]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/me/complaint/new"))
        assert page.evaluate("document.documentElement.classList.contains('audio-only')"), "stays blank"
    finally:
        page.close()


def test_the_demo_panel_plugs_the_virtual_headset_in_and_out(browser, own_kiosk):
    page = browser.new_page()
    try:
        page.goto(own_kiosk.url + "/")
        button = page.locator("[data-demo-headset]")
        expect(page.locator("body")).to_have_attribute("data-channel", "speaker")
        button.click()
        expect(page.locator("body")).to_have_attribute("data-channel", "headset")
        expect(button).to_have_attribute("aria-pressed", "true")
        button.click()
        expect(page.locator("body")).to_have_attribute("data-channel", "speaker")
        expect(button).to_have_attribute("aria-pressed", "false")
    finally:
        page.close()
