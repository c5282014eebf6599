"""End to end: the demo kiosk in headless Chromium, as a villager would use it."""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from device.emulation.vcard import SWAP_GAP_SECONDS, PbocApplet, SsseApplet, VpcdCard
from kiosk.store import open_store
from tests.helpers.kiosk_process import KioskProcess

pytestmark = pytest.mark.browser

TOUCH_MIN_PX = 60


def place(page, label_start: str) -> None:
    page.get_by_role("button", name=re.compile("^" + re.escape(label_start))).click()


def test_deceased_elder_still_paid(page, kiosk):
    page.goto(kiosk.url + "/")
    expect(page.get_by_text("请把身份证或社保卡")).to_be_visible()
    place(page, "②")
    page.wait_for_url(re.compile(r"/me"))
    expect(page.get_by_text("登记为已于2024年5月10日去世")).to_be_visible()
    page.locator("[data-programme='pension_basic']").click()
    line = page.locator("li.line[data-period='2026-10']")
    expect(line).to_have_attribute("data-status", "paid_after_death")
    expect(line).to_contain_text("去世后仍发放")
    expect(line).to_contain_text("本人已于2024年5月10日去世，此期仍发放128.00元")


def test_normal_card_amounts_match_the_rules(page, kiosk):
    page.goto(kiosk.url + "/")
    place(page, "①")
    page.wait_for_url(re.compile(r"/me"))
    expect(page.locator("#total-difference")).to_contain_text("没有差额")
    page.get_by_role("link", name=re.compile("^2025年")).click()
    # 2025: pension 3×123 + 9×128 = 1,521; farmland 3.2 mu × 105 = 336; forest 12.5 mu × 16 = 200
    expect(page.locator("#total-owed")).to_have_text("¥2,057.00")
    expect(page.locator("#total-paid")).to_have_text("¥2,057.00")
    page.locator("[data-programme='farmland']").click()
    expect(page.locator("li.line[data-period='2025']")).to_contain_text(
        "承包耕地3.2亩 × 105.00元/亩 = 336.00元"
    )
    page.get_by_role("link", name=re.compile("返回总览")).click()
    page.locator("[data-programme='pension_basic']").click()
    april = page.locator("li.line[data-period='2025-04']")
    expect(april.locator(".owed")).to_have_text("¥128.00")
    expect(april).to_contain_text("2025年4月起每月标准由123.00元调整为128.00元")
    expect(page.locator("li.line[data-period='2025-03'] .owed")).to_have_text("¥123.00")


def test_removing_the_card_returns_to_attract_without_a_click(page, kiosk):
    page.goto(kiosk.url + "/")
    place(page, "③")
    page.wait_for_url(re.compile(r"/me"))
    expect(page.locator(".year-flag")).to_have_text("6期待核实")
    kiosk.take_card()
    page.wait_for_url(kiosk.url + "/")
    expect(page.get_by_text("请把身份证或社保卡")).to_be_visible()
    assert page.context.cookies() == []
    page.goto(kiosk.url + "/me")
    assert page.url == kiosk.url + "/"


def test_bad_card_and_unknown_person_show_what_to_do(page, kiosk):
    page.goto(kiosk.url + "/")
    place(page, "⑪")
    expect(page.locator("#error-message")).to_have_text("这张卡读不出来")
    expect(page.locator("#error-advice")).to_be_visible()
    place(page, "⑫")
    page.wait_for_url(re.compile(r"/me"))
    expect(page.locator("#unlisted")).to_contain_text("系统里没有查到您的补贴记录")
    kiosk.take_card()
    expect(page.get_by_text("请把身份证或社保卡")).to_be_visible()


def test_touch_targets_text_size_and_axe(page, kiosk):
    page.goto(kiosk.url + "/")
    place(page, "④")
    page.wait_for_url(re.compile(r"/me"))
    for url in (page.url, kiosk.url + "/me/programme/pension_basic?year=2025"):
        page.goto(url)
        small = page.evaluate(
            """(min) => [...document.querySelectorAll('main a, main button, header button')]
            .map(e => [e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])
            .filter(([_, r]) => r.width < min || r.height < min).map(([t, r]) => t + ' ' + r.width + 'x' + r.height)""",
            TOUCH_MIN_PX,
        )
        assert small == []
        body_px = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('main p, main span')).fontSize)"
        )
        assert body_px >= 28
        result = Axe().run(page, options={"rules": {"color-contrast-enhanced": {"enabled": True}}})
        assert result.violations_count == 0, result.generate_report()
    page.locator("#text-size").click()
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 40


def test_idle_asks_are_you_still_there_then_ends(demo_template, browser, tmp_path):
    shutil.copy(demo_template, tmp_path / "idle.db")
    kiosk = KioskProcess(
        tmp_path / "idle.db",
        tmp_path / "idle.log",
        MINGBAI_VPCD_PORT="35964",
        MINGBAI_IDLE_SECONDS="2",
        MINGBAI_IDLE_WARNING_SECONDS="2",
    )
    try:
        page = browser.new_page()
        page.goto(kiosk.url + "/")
        place(page, "①")
        page.wait_for_url(re.compile(r"/me"))
        expect(page.get_by_text("还在吗？")).to_be_visible(timeout=5000)
        page.get_by_role("button", name="继续查看").click()
        expect(page.get_by_text("还在吗？")).to_be_hidden()
        expect(page.get_by_text("还在吗？")).to_be_visible(timeout=5000)
        expect(page.get_by_text("查询已结束，请取回您的卡")).to_be_visible(timeout=8000)
        assert page.url == kiosk.url + "/"
        page.close()
    finally:
        kiosk.stop()


def test_a_card_placed_on_the_pcsc_reader_opens_the_page_without_a_click(page, kiosk):
    health = page.request.get(kiosk.url + "/healthz").json()
    assert health["readers"] == "pcsc (Virtual PCD 00 00)"
    store = open_store(kiosk.db)
    elder = {c.position: c for c in store.demo_cards()}[2]
    name = store.find_person(elder.id_number).name
    page.goto(kiosk.url + "/")
    card = VpcdCard(SsseApplet(elder.id_number, name))
    time.sleep(SWAP_GAP_SECONDS)  # the page fixture just took the panel's card away
    card.insert()
    try:
        page.wait_for_url(re.compile(r"/me"))
        expect(page.get_by_text("登记为已于2024年5月10日去世")).to_be_visible()
    finally:
        card.remove()
    page.wait_for_url(kiosk.url + "/")
    expect(page.get_by_text("请把身份证或社保卡")).to_be_visible()


def test_a_bank_card_without_an_id_number_finds_its_holder_through_the_ledger(page, kiosk):
    store = open_store(kiosk.db)
    normal = {c.position: c for c in store.demo_cards()}[1]
    page.goto(kiosk.url + "/")
    card = VpcdCard(PbocApplet(store.account_of(normal.id_number)))
    time.sleep(SWAP_GAP_SECONDS)  # the page fixture just took the panel's card away
    card.insert()
    try:
        page.wait_for_url(re.compile(r"/me"))
        expect(page.locator(".holder-name")).to_have_text("王*明")
    finally:
        card.remove()
    page.wait_for_url(kiosk.url + "/")


@pytest.mark.parametrize(("label", "message"), [("⑭", "不认识这种卡"), ("⑮", "这张卡的信息读不出来")])
def test_unknown_and_corrupt_cards_from_the_demo_panel(page, kiosk, label, message):
    page.goto(kiosk.url + "/")
    place(page, label)
    expect(page.locator("#error-message")).to_have_text(message)


def test_file_a_complaint_on_a_missing_month_and_see_it_next_time(page, kiosk):
    page.goto(kiosk.url + "/")
    place(page, "④")
    page.wait_for_url(re.compile(r"/me"))
    page.goto(kiosk.url + "/me/programme/pension_basic?year=2025")
    page.locator("[data-complain='2025-02']").click()
    expect(page.locator(".evidence")).to_contain_text("未发放")
    page.locator("[data-category='not_received']").click()
    for key in "13800138000":
        page.locator(f".key[data-key='{key}']").click()
    expect(page.locator("#phone")).to_have_value("13800138000")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#review-phone")).to_have_text("138****8000")
    page.locator("#submit-complaint").click()
    expect(page.locator("#complaint-status")).to_contain_text("已提交")
    tracking = page.locator("#tracking-number").inner_text()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]", tracking)
    kiosk.take_card()
    page.wait_for_url(kiosk.url + "/")
    place(page, "④")
    page.wait_for_url(re.compile(r"/me"))
    expect(page.locator(f".complaint[data-tracking='{tracking.replace('-', '')}']")).to_contain_text("没收到")
    result = Axe().run(page, options={"rules": {"color-contrast-enhanced": {"enabled": True}}})
    assert result.violations_count == 0, result.generate_report()


def test_pages_left_behind_do_not_hold_up_the_kiosk(kiosk):
    """Each page the browser leaves had a long poll open; they must not occupy the server's threads.

    Before the fix, eight abandoned polls (waitress's eight threads) held every request for 20 s.
    """
    seq = json.load(urllib.request.urlopen(kiosk.url + "/terminal/state", timeout=5))["seq"]
    port = int(kiosk.url.rsplit(":", 1)[1])
    for _ in range(3 * 8):
        with socket.create_connection(("127.0.0.1", port)) as abandoned:
            abandoned.sendall(f"GET /terminal/state?since={seq} HTTP/1.1\r\nHost: kiosk\r\n\r\n".encode())
            time.sleep(0.02)
    with urllib.request.urlopen(kiosk.url + "/healthz", timeout=5) as answer:  # the long poll waits 20 s
        assert json.load(answer)["status"] == "ok"
