"""Real kiosk processes (the `kiosk demo` console script on waitress, loopback) driven by Debian's Chromium."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.helpers.kiosk_process import CHROMIUM, CHROMIUM_ARGS, KioskProcess


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, pcscd):
    """Build the demo county once, through the console script's own first start."""
    folder = tmp_path_factory.mktemp("e2e")
    db = folder / "template.db"
    kiosk = KioskProcess(db, folder / "template.log")
    kiosk.stop()
    return db


@pytest.fixture(scope="session")
def kiosk(demo_template, tmp_path_factory, pcscd):
    folder = tmp_path_factory.mktemp("kiosk")
    shutil.copy(demo_template, folder / "kiosk.db")
    process = KioskProcess(folder / "kiosk.db", folder / "kiosk.log")
    yield process
    process.stop()


@pytest.fixture
def own_kiosk(demo_template, tmp_path, pcscd):
    """A kiosk of a test's own, on a copy of the demo store and the second virtual reader: for a test that
    files a complaint, signs a helper in or plugs the headset in, which the shared kiosk must not carry."""
    shutil.copy(demo_template, tmp_path / "own.db")
    process = KioskProcess(tmp_path / "own.db", tmp_path / "own.log", MINGBAI_VPCD_PORT="35964")
    yield process
    process.take_card()
    process.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, kiosk):
    kiosk.take_card()
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    opened = context.new_page()
    yield opened
    context.close()
    kiosk.take_card()
