"""Problems first, in Debian's Chromium: the first screen after a card is read names what is wrong with
its total (or says plainly that nothing is), without a tap or a scroll; the short case's programme page
fits about one screen; no villager screen overflows at 1920×1080 or 1080×1920."""

from __future__ import annotations

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from device.emulation.vcard import SWAP_GAP_SECONDS

READ_FINE = ["①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨", "⑩", "⑬"]


def open_card(page, kiosk, label: str) -> None:  # type: ignore[no-untyped-def]
    kiosk.take_card()
    time.sleep(SWAP_GAP_SECONDS)
    page.goto(kiosk.url + "/")
    page.get_by_role("button", name=re.compile("^" + re.escape(label))).click()
    page.wait_for_url(re.compile(r"/me"))


def in_first_screen(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


@pytest.mark.parametrize("label", READ_FINE)
def test_the_first_screen_names_the_worst_problem_or_says_all_is_well(page, kiosk, label):
    open_card(page, kiosk, label)
    first = ".problem-sentence" if page.locator(".problem-sentence").count() else "#all-clear"
    assert in_first_screen(page, first), f"{label}: {first} is not on the first screen"
    if first == "#all-clear":
        expect(page.locator("#all-clear")).to_contain_text(
            re.compile("至今，各项补贴都已足额发放|还没有到发放时间")
        )
    else:
        expect(page.locator(".problem-sentence").first).to_contain_text(re.compile("共¥|延迟发放"))


def test_card_three_sees_the_shortfall_with_no_tap_and_its_page_fits_about_one_screen(page, kiosk):
    open_card(page, kiosk, "③")
    expect(page.locator(".problem-sentence").first).to_contain_text(
        "2025年3月至8月 农村最低生活保障少发，共¥440.00"
    )
    assert in_first_screen(page, ".problem-sentence")
    page.get_by_role("link", name="看每期明细").first.click()
    expect(page.locator(".run-problem")).to_have_count(1)
    assert in_first_screen(page, ".run-sentence") and in_first_screen(page, "[data-complain]")
    demo_panel = page.evaluate("(document.querySelector('.demo-panel') || {offsetHeight: 0}).offsetHeight")
    height = page.evaluate("document.documentElement.scrollHeight") - demo_panel
    assert height <= 1.15 * page.viewport_size["height"], (
        f"the 低保 page for 2025 is {height} px tall"
    )  # was 5,805; 1,177 with the six short months at 60 px each
    expect(page.locator("[data-complain]")).to_have_count(1)


def test_someone_not_on_the_roster_sees_a_calm_screen_with_a_way_to_report(page, kiosk):
    open_card(page, kiosk, "⑫")
    expect(page.locator("#unlisted")).to_contain_text("系统里没有查到您的补贴记录")
    assert in_first_screen(page, "#report-unlisted")


OVERFLOW = """() => {
  const bad = [];
  const width = document.documentElement.clientWidth;
  const shown = (el) => {
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden' && !el.closest('details:not([open])')
      && !el.closest('[hidden]');
  };
  const leaves = [];
  for (const el of document.querySelectorAll('main *, header *')) {
    if (!shown(el) || el.closest('svg')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const style = getComputedStyle(el);
    if (box.right > width + 1) bad.push(el.tagName + '.' + el.className + ' beyond the screen');
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && style.overflowX === "visible" && el.children.length === 0)
      bad.push(el.tagName + '.' + el.className + ' text overflows');
    if (el.matches('.tool') && box.height > 2.2 * parseFloat(style.fontSize) + 40)
      bad.push('header button ' + el.id + ' wraps into a column');
    if (el.children.length === 0 && el.textContent.trim()) leaves.push([el, [...el.getClientRects()]]);  // one box per line
  }
  for (let i = 0; i < leaves.length; i++) {  // no two pieces of text on top of each other
    for (let j = i + 1; j < leaves.length; j++) {
      const [a, ps] = leaves[i], [b, qs] = leaves[j];
      if (a.contains(b) || b.contains(a)) continue;
      const hit = ps.some((p) => qs.some((q) =>
        Math.min(p.right, q.right) - Math.max(p.left, q.left) > 2 && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 2));
      if (hit) bad.push('"' + a.textContent.trim().slice(0, 12) + '" overlaps "' + b.textContent.trim().slice(0, 12) + '"');
    }
  }
  return bad.slice(0, 10);
}"""

SIZES = [0, 1, 2]  # 28, 40, 48 px body text
THEMES = ["light", "contrast"]


def settle_display(page, size: int, theme: str) -> None:  # type: ignore[no-untyped-def]
    """Set the text size and theme the way a villager does: the buttons in the header."""
    while page.locator("#text-size").get_attribute("data-size") != str(size):
        page.locator("#text-size").click()
    if (page.locator("#theme").get_attribute("aria-pressed") == "true") != (theme == "contrast"):
        page.locator("#theme").click()


def check(page, where: str) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate(OVERFLOW) == [], where


LANDSCAPE, PORTRAIT = {"width": 1920, "height": 1080}, {"width": 1080, "height": 1920}
DISPLAYS = [
    pytest.param(viewport, size, theme, "zh_Hans", id=f"{name}-{size}-{theme}")
    for name, viewport in (("landscape", LANDSCAPE), ("portrait", PORTRAIT))
    for size in SIZES
    for theme in THEMES
] + [  # English runs longest: the largest text, both orientations
    pytest.param(viewport, 2, "light", "en", id=f"{name}-2-light-en")
    for name, viewport in (("landscape", LANDSCAPE), ("portrait", PORTRAIT))
]


@pytest.mark.parametrize(("viewport", "size", "theme", "language"), DISPLAYS)
def test_no_villager_screen_overflows(browser, kiosk, viewport, size, theme, language):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.add_cookies([{"name": "lang", "value": language, "url": kiosk.url}])
    page = context.new_page()
    where = f"at {viewport['width']}×{viewport['height']}, size {size}, {theme}, {language}"
    try:
        open_card(page, kiosk, "③")
        settle_display(page, size, theme)
        paths = (
            "/me",
            "/me/programme/dibao?year=2025",
            "/me/complaint/new?programme=dibao&period=2025-03&until=2025-08",
        )
        for path in paths:
            page.goto(kiosk.url + path)
            assert page.locator("#text-size").get_attribute("data-size") == str(size), (
                "the size stays all session"
            )
            check(page, f"{path} {where}")
            if path != paths[-1]:
                result = Axe().run(page, options={"rules": {"color-contrast-enhanced": {"enabled": True}}})
                assert result.violations_count == 0, f"{path} {where}: " + result.generate_report()
        page.locator("[data-category='wrong_amount']").click()  # the phone step: its keys and 下一步
        expect(page.locator("h2.step")).to_be_visible()
        check(page, f"phone step {where}")
        assert in_first_screen(page, "#phone-next"), f"下一步 below the fold {where}"
        page.locator("button[name=skip]").click()  # the review step (not submitted: a shared kiosk)
        expect(page.locator("#submit-complaint")).to_be_visible()
        check(page, f"review step {where}")
        open_card(page, kiosk, "⑫")
        assert page.locator("#text-size").get_attribute("data-size") == "0", (
            "a new card starts at the normal size"
        )
        assert page.locator("#theme").get_attribute("aria-pressed") == "false", "... and the normal theme"
        assert page.locator("html").get_attribute("lang") == "zh-CN", "... and the kiosk's language"
        context.add_cookies([{"name": "lang", "value": language, "url": kiosk.url}])
        page.reload()
        settle_display(page, size, theme)
        check(page, f"the not-on-the-roster screen {where}")
        kiosk.take_card()
        page.wait_for_url(kiosk.url + "/")
        expect(page.locator(".state-idle .headline")).to_be_visible()
        settle_display(page, size, theme)
        check(page, f"the attract screen {where}")
    finally:
        kiosk.take_card()
        context.close()
