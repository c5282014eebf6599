"""End to end, in Chromium, with real `kiosk demo` and `kiosk hub` processes: from the attract screen anyone
opens 村务公开, sees the demo village's 低保 households with their size and amount (a new approval with the
days left of its 公示), and no ID number, account or household number anywhere; an objection without a
card reaches the supervisor with the entry, no identity, and the household's members and findings; a card
placed while the lists are open opens that person's own record."""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.helpers.hub import county_hub, open_case, sign_in_supervisor
from tests.helpers.kiosk_process import kiosk_of_hub

pytestmark = pytest.mark.browser


def test_anyone_sees_the_village_lists_and_objects_anonymously(demo_template, browser, tmp_path):
    hub, secret = county_hub(str(tmp_path / "hub.db"), demo_template)
    kiosk = kiosk_of_hub(tmp_path, demo_template, hub.url, secret)
    villager = browser.new_page(viewport={"width": 1920, "height": 1080})
    office = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        villager.goto(kiosk.url + "/")
        expect(villager.locator("body")).to_have_attribute("data-state", "idle")
        villager.locator("#disclosure-button").click()
        villager.wait_for_url(re.compile(r"/disclosure$"))
        expect(villager.locator("#disclosure-villages")).to_have_text("石桥村")
        villager.locator("[data-programme='dibao']").click()
        villager.wait_for_url(re.compile(r"/disclosure/dibao$"))
        new = villager.locator("#publicity-list [data-state='new']").first
        expect(new).to_contain_text("蒋春梅")
        expect(new).to_contain_text("2人")
        expect(new).to_contain_text("每月 ¥600.00")
        expect(new).to_contain_text("还剩4天")
        assert villager.locator("#current-list .disclosure-entry").count() > 5
        html = villager.content()
        assert not re.search(r"\d{17}[\dXx]", html), "no ID number anywhere in the page"
        assert not re.search(r"6217\d{8,}", html) and "522799001-" not in html, (
            "no account, no household number"
        )

        new.locator(".object").click()
        villager.wait_for_url(re.compile(r"/disclosure/object/[0-9a-f]{16}$"))
        expect(villager.locator("#anonymous-note")).to_be_visible()
        villager.locator("[data-reason='better_off']").click()
        expect(villager.locator("#objection-done")).to_be_visible()
        tracking = villager.locator("#objection-tracking").inner_text()
        placed = urllib.request.Request(
            kiosk.url + "/demo/place/1", method="POST", headers={"X-Kiosk-Demo": "1"}
        )
        urllib.request.urlopen(placed, timeout=5).close()  # a card placed meanwhile wins
        villager.wait_for_url(re.compile(r"/me$"))

        sign_in_supervisor(office, hub.url)
        open_case(office, tracking)
        expect(office.locator("#objection")).to_contain_text("对公示有异议")
        expect(office.locator("#objection")).to_contain_text("蒋春梅")
        expect(office.locator("#objection")).to_contain_text("家庭条件好")
        expect(office.locator("#objector-anonymous")).to_have_text("匿名")
        expect(office.locator("#objection-household")).to_contain_text("户主")
        assert "蒋春梅" not in office.locator("#objection-household").inner_text(), "members are masked there"
    finally:
        villager.close()
        office.close()
        kiosk.stop()
        hub.stop()
