"""The back office in headless Chromium at an office PC's 1366×768: the inbox's filters and paging, a
complaint's evidence page, the dashboard's charts, and axe-core on each (0 violations)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from kiosk.hub import accounts, cases
from kiosk.hub.store import HubStore
from tests.helpers.hub import PASSWORD, HubProcess, complaint_payload
from tests.helpers.kiosk_process import KIOSK

pytestmark = pytest.mark.browser
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def seeded_hub(tmp_path):
    hub = HubProcess(str(tmp_path / "hub.db"))
    store = HubStore(hub.db)
    store.register_kiosk("kiosk-1", NOW)
    accounts.create_user(store, "shenji", "auditor", PASSWORD, NOW)
    from kiosk.hub.app import seed_departments

    seed_departments(store)
    supervisor = accounts.User("jiwei", "supervisor", None)
    for number in range(1, 81):
        payload = complaint_payload(
            number,
            category=("not_received", "wrong_amount")[number % 2],
            programme="dibao" if number % 4 == 0 else "pension_basic",
        )
        store.receive_complaint("kiosk-1", payload, NOW - dt.timedelta(days=number % 9))
        if number % 3 == 0:
            cases.act(store, number, supervisor, "assign", {"department": "县民政局"}, NOW)
    store.close()
    hub.start()
    yield hub
    hub.stop()


def sign_in(page, hub):  # type: ignore[no-untyped-def]
    page.goto(hub.url + "/office/login")
    page.get_by_label("用户名").fill("shenji")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def no_violations(page) -> None:  # type: ignore[no-untyped-def]
    result = Axe().run(page, options={"rules": {"color-contrast-enhanced": {"enabled": True}}})
    assert result.violations_count == 0, result.generate_report()


def test_inbox_filters_pages_and_opens_a_complaint(seeded_hub, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, seeded_hub)
    expect(page.locator("h1")).to_contain_text("群众反映（80）")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # no sideways scrolling
    no_violations(page)
    page.locator("select[name=status]").select_option("assigned")
    page.locator("select[name=per_page]").select_option("25")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("h1")).to_contain_text("群众反映（26）")
    expect(page.locator("table.inbox tbody tr")).to_have_count(25)
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("table.inbox tbody tr")).to_have_count(1)
    expect(page.locator(".pages")).to_contain_text("2 / 2")
    page.get_by_label("搜索").fill("K7QM-0000-6")
    page.locator("select[name=status]").select_option("")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table.inbox tbody tr")).to_have_count(1)
    page.get_by_role("link", name="K7QM-0000-6").click()
    expect(page.locator("h1")).to_contain_text("K7QM-0000-6")
    expect(page.locator("main")).to_contain_text("应发 123.00 元，实发 0.00 元（未发放）")
    expect(page.locator("main")).to_contain_text("县民政局")
    assert page.locator("form.action").count() == 0  # the auditor reads, never acts
    no_violations(page)
    page.screenshot(path=str(tmp_path / "detail.png"))


def test_the_dashboard_draws_its_charts(seeded_hub, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, seeded_hub)
    page.get_by_role("link", name="统计").click()
    expect(page.locator("figure svg")).to_have_count(6)
    expect(page.locator("table.departments")).to_contain_text("县民政局")
    no_violations(page)
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    with page.expect_download() as download:
        page.goto(seeded_hub.url + "/office/")
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_kiosk_hub_prints_the_users_it_makes(tmp_path):
    made = subprocess.run(
        [KIOSK, "hub", "--db", str(tmp_path / "h.db"), "--add-user", "mz", "--role", "handler"],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert made.returncode == 2 and "department" in made.stderr
    made = subprocess.run(
        [
            KIOSK,
            "hub",
            "--db",
            str(tmp_path / "h.db"),
            "--add-user",
            "mz",
            "--role",
            "handler",
            "--department",
            "县民政局",
        ],
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        timeout=60,
    )
    assert made.returncode == 0 and "handler mz ready" in made.stdout
