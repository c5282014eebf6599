"""End to end, in Chromium, with real `kiosk demo` and `kiosk hub` processes: a clinic worker signs in with
the demo staff badge (⑯) and PIN, looks a resident up by typed ID number, the resident confirms the masked
name and files a complaint alone behind the private step; the supervisor sees it as assisted and typed, and
finds the lookup in the staff-lookups list; the resident's own next card read tells them of the lookup."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from kiosk.services.demo import DEMO_STAFF_PIN
from kiosk.store import open_store
from tests.helpers.hub import county_hub, open_case, sign_in_supervisor
from tests.helpers.kiosk_process import kiosk_of_hub

pytestmark = pytest.mark.browser


def keypad(page, pad: str, keys: str) -> None:  # type: ignore[no-untyped-def]
    for key in keys:
        page.locator(f"[data-keypad-for='{pad}'] [data-key='{key}']").click()


def test_a_typed_lookup_and_a_private_complaint_reach_the_supervisor(demo_template, browser, tmp_path):
    hub, secret = county_hub(str(tmp_path / "hub.db"), demo_template)
    kiosk = kiosk_of_hub(tmp_path, demo_template, hub.url, secret)
    store = open_store(tmp_path / "kiosk.db")  # the kiosk's own copy: the shared template is never opened
    number = next(card.id_number for card in store.demo_cards() if card.position == 3)
    store.close()
    villager = browser.new_page(viewport={"width": 1920, "height": 1080})
    office = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        villager.goto(kiosk.url + "/")
        villager.get_by_role("button", name=re.compile("^⑯")).click()
        expect(villager.locator("body")).to_have_attribute("data-state", "staff_pin")
        keypad(villager, "staff-pin", DEMO_STAFF_PIN)
        villager.locator("#staff-pin-next").click()
        expect(villager.locator("body")).to_have_attribute("data-state", "staff_ready")
        villager.locator("[data-demo-take]").click()
        expect(villager.locator("body")).to_have_attribute("data-state", "idle")
        villager.locator("#typed-lookup").click()
        villager.wait_for_url(re.compile(r"/staff/lookup$"))
        villager.get_by_label("卡丢失").check()
        keypad(villager, "id-number", number)
        villager.locator("#lookup-next").click()
        expect(villager.locator("body")).to_have_attribute("data-state", "confirm")
        shown = villager.locator("#confirm-name").inner_text()
        assert "*" in shown and number not in villager.content()
        villager.locator("#confirm-yes").click()
        villager.wait_for_url(re.compile(r"/me$"))
        expect(villager.locator("#typed-note")).to_contain_text("卡丢失")
        expect(villager.locator("#assist-banner")).to_contain_text("王*协助查询")
        villager.locator("[data-complain-run]").first.click()
        expect(villager.locator("#private-step")).to_be_visible()
        assert villager.locator("[data-category]").count() == 0, "no category before the private step"
        villager.locator("#alone").click()
        villager.locator("[data-category='wrong_amount']").click()
        keypad(villager, "phone", "13800001234")
        villager.locator("#phone-next").click()
        villager.locator("#submit-complaint").click()
        villager.wait_for_url(re.compile(r"/me/complaint/[0-9a-f-]{36}$"))
        tracking = villager.locator("#tracking-number").inner_text()
        after = villager.locator("main").inner_text()
        assert "钱数不对" not in after and "1234" not in after, (
            "afterwards the helper sees 已提交 and the number"
        )

        sign_in_supervisor(office, hub.url)
        open_case(office, tracking)
        expect(office.locator("#assisted-by")).to_contain_text("王芳（卫生院工作人员）")
        expect(office.locator("#typed-identity")).to_contain_text("卡丢失")
        office.goto(hub.url + "/office/staff-lookups")
        deadline = time.monotonic() + 20
        while office.locator("#lookup-rows [data-uuid]").count() == 0 and time.monotonic() < deadline:
            office.reload()
            time.sleep(0.3)
        row = office.locator("#lookup-rows [data-uuid]").first
        expect(row).to_contain_text("王芳")
        expect(row).to_contain_text(number[:6] + "********" + number[-4:])
        expect(row).to_contain_text("卡丢失")
        expect(office.locator("#lookup-summary [data-staff='王芳']")).to_contain_text("clinic-7")

        # the helper signs out; the resident's own card, next time, tells them of the lookup
        villager.goto(kiosk.url + "/me")
        villager.locator("#end-session").click()  # no card to take back: straight to the attract screen
        villager.wait_for_url(kiosk.url + "/")
        expect(villager.locator("body")).to_have_attribute("data-state", "idle")
        villager.locator("#staff-sign-out").click()
        expect(villager.locator("#assist-banner")).to_have_count(0)
        villager.get_by_role("button", name=re.compile("^③")).click()
        villager.wait_for_url(re.compile(r"/me$"))
        expect(villager.locator("[data-lookup-notice]")).to_contain_text("卫生院工作人员王*帮您查询过一次")
    finally:
        villager.close()
        office.close()
        kiosk.stop()
        hub.stop()
