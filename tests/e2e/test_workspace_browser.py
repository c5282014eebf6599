"""In Chromium at 1366×768, against a real `kiosk hub` with the demo county published (its supervision
findings opened as cases): the supervisor opens a village × programme cell of 问题分布, then a case of
that cell, and the case page opens on its summary."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers.hub import county_hub, sign_in_supervisor

pytestmark = pytest.mark.browser


def test_a_cell_opens_its_cases_and_a_case_opens_on_its_summary(demo_template, browser, tmp_path):
    hub, _ = county_hub(str(tmp_path / "hub.db"), demo_template)
    office = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        sign_in_supervisor(office, hub.url)
        office.goto(hub.url + "/office/patterns")
        cell = office.locator("#patterns [data-cell]").first
        expect(cell).to_contain_text("件")
        village, programme = cell.get_attribute("data-cell").split("|")
        cell.click()
        office.wait_for_url(re.compile(r"/office/grouped\?"))
        assert f"village={village}" in office.url and f"programme={programme}" in office.url
        first = office.locator("#grouped tbody tr[data-person] a").first
        first.click()
        office.wait_for_url(re.compile(r"/office/complaints/\d+$"))
        summary = office.locator("#case-summary")
        expect(summary).to_be_visible()
        assert summary.bounding_box()["y"] < office.locator(".columns").bounding_box()["y"]
        expect(summary).to_contain_text("监督检查发现")
    finally:
        office.close()
        hub.stop()
