"""Imported reversals and correcting batches, as the villager sees them on the programme page."""

from __future__ import annotations

from kiosk.config import load_config
from kiosk.web import create_app
from tests.helpers.county import ENROLMENTS, PAYMENTS, WANG, write_csv
from tests.helpers.facts import TODAY
from tests.helpers.kiosk_client import place_card

ROW = [WANG, "王秀英", "pension_basic", "2025-03", "123.00", "2025-03-12", "6217990100000000123", "P2025-03"]


def test_reversal_and_top_up_are_labelled_and_explained(roster, tmp_path):  # noqa: F811
    assert roster.load(
        write_csv(tmp_path / "e.csv", ENROLMENTS, [[WANG, "pension_basic", "", "", "2015-01-01", ""]])
    ).committed
    rows = [
        ROW,
        [*ROW[:4], "-123.00", "2025-03-20", ROW[6], "REV-1"],
        [*ROW[:4], "123.00", "2025-04-02", ROW[6], "FIX-1"],
    ]
    assert roster.load(write_csv(tmp_path / "p.csv", PAYMENTS, rows)).committed
    with roster.transaction() as tx:
        roster.set_demo_cards(tx, [(1, WANG, "王秀英", "ssse")])
    app = create_app(
        load_config({"db_path": roster.path, "demo": True, "today": TODAY, "reader": "virtual"}, environ={})
    )
    client = app.test_client()
    place_card(client, 1)
    client.get("/session/open")
    page = client.get("/me/programme/pension_basic?year=2025").get_data(as_text=True)
    start = page.index('data-period="2025-03"')
    march = page[start : page.index("</li>", page.index("</details>", start))]  # that period's line only
    assert "延迟发放" in march
    assert "其中有冲正（退回）123.00元，已从实发中扣除；分2次发放，后面的批次是补发" in march
    assert "冲正 -¥123.00" in march and "补发 ¥123.00" in march and "批次 REV-1" in march
