"""A clinic worker at a real `kiosk demo` in Chromium: badge ⑯ on the reader, the PIN on the on-screen
keypad, the banner on every screen, then the resident's complaint steps behind the private step."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from device.emulation.vcard import SWAP_GAP_SECONDS
from kiosk.services.demo import DEMO_STAFF_PIN


def type_on_keypad(page, digits: str) -> None:  # type: ignore[no-untyped-def]
    for digit in digits:
        page.locator(f".state-staff_pin [data-key='{digit}']").click()


def test_a_helper_signs_in_and_the_resident_reports_alone(browser, own_kiosk):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(own_kiosk.url + "/")
        page.get_by_role("button", name=re.compile("^⑯")).click()
        expect(page.locator("body")).to_have_attribute("data-state", "staff_pin")
        expect(page.locator("#staff-pin")).to_be_visible()
        type_on_keypad(page, "000111")
        page.locator("#staff-pin-next").click()
        expect(page.locator("#staff-refused")).to_contain_text("还可以试4次")
        type_on_keypad(page, DEMO_STAFF_PIN)
        assert page.locator("#staff-pin").get_attribute("type") == "password"
        page.locator("#staff-pin-next").click()
        expect(page.locator("body")).to_have_attribute("data-state", "staff_ready")
        expect(page.locator("#assist-banner")).to_contain_text("王*协助查询")
        own_kiosk.take_card()
        time.sleep(SWAP_GAP_SECONDS)
        expect(page.locator("body")).to_have_attribute("data-state", "idle")
        page.get_by_role("button", name=re.compile("^③")).click()
        page.wait_for_url(re.compile(r"/me$"))
        expect(page.locator("#assist-banner")).to_contain_text("王*协助查询")
        page.locator("[data-complain-run]").first.click()
        expect(page.locator("#private-step")).to_be_visible()
        assert page.locator("[data-category]").count() == 0
        page.locator("#alone").click()
        page.locator("[data-category='wrong_amount']").click()
        for digit in "13800001234":
            page.locator(f"[data-keypad-for='phone'] [data-key='{digit}']").click()
        assert page.locator("#phone").get_attribute("type") == "password"
        page.locator("#phone-next").click()
        page.locator("#submit-complaint").click()
        page.wait_for_url(re.compile(r"/me/complaint/[0-9a-f-]{36}$"))
        expect(page.locator("#complaint-status")).to_contain_text("已提交")
        text = page.locator("main").inner_text()
        assert "钱数不对" not in text and "1234" not in text, "the helper sees only 已提交 and the number"
        expect(page.locator("#assist-banner")).to_be_visible()
    finally:
        page.close()
