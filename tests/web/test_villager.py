"""The villager's screens through the Flask test client, on the demo county."""

import re

from kiosk.config import load_config
from kiosk.store import SCHEMA_VERSION
from kiosk.web import create_app
from tests.helpers.facts import TODAY


def text(response):
    return response.get_data(as_text=True)


def test_attract_screen_and_security_headers(client):
    response = client.get("/")
    body = text(response)
    assert response.status_code == 200 and "请把身份证或社保卡" in body
    assert 'data-state="idle"' in body and "演示模式" in body
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'; script-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in body and "style=" not in body


def test_normal_card_summary_and_programme_pages(client, place):
    page = text(place(1))
    assert "王*明" in page and "522799********" in page and "王德明" not in page
    assert not re.search(r"522799\d{12}", page), "no full ID number on screen"
    assert "2026年应发" in page and "没有差额" in page
    detail = text(client.get("/me/programme/farmland?year=2025"))
    assert "承包耕地3.2亩 × 105.00元/亩 = 336.00元" in detail
    assert "足额发放" in detail and "卡号尾号" in detail
    assert not re.search(r"6217\d{8,}", detail), "no full account number on screen"
    pension = text(client.get("/me/programme/pension_basic?year=2025"))
    assert "2025年4月起每月标准由123.00元调整为128.00元" in pension


def test_deceased_but_paid_card(client, place):
    page = text(place(2))
    assert "登记为已于2024年5月10日去世" in page and "去世后仍发放" in page and "多发" in page
    detail = text(client.get("/me/programme/pension_basic?year=2025"))
    assert "本人已于2024年5月10日去世，此期仍发放128.00元" in detail


def test_year_tabs_flag_problem_years(client, place):
    page = text(place(4))
    assert re.search(
        r"2025年<span class=\"year-flag\"><svg class=\"icon icon-warning\"[^>]*>.*?</svg> 2期待核实</span>",
        page,
    )
    assert "未发放" in text(client.get("/me?year=2025"))


def test_hint_is_shown_as_advice_not_money(client, place):
    page = text(place(6))
    assert "您可能符合“高龄津贴”：您已年满80周岁。请咨询县民政局。" in page
    assert "不代表已经应发" in page


def test_empty_ledger_is_a_clear_screen(client, place):
    page = text(place(10))
    assert "另有 ¥180.00 还没到发放时间" in page
    assert "农村最低生活保障" in page and "未到发放时间" in page


def test_bad_card_and_unknown_person_are_clear_screens(client, place):
    place(11, follow=False)
    state = client.get("/terminal/state").get_json()
    assert state["state"] == "error" and state["message"] == "这张卡读不出来"
    assert '<h1 class="headline" id="error-message">这张卡读不出来</h1>' in text(client.get("/"))
    assert client.get("/session/open").status_code == 302
    assert client.get("/me").headers["Location"] == "/"
    page = text(place(12))  # read fine, not on the roster: a calm screen with a way to report it
    assert "系统里没有查到您的补贴记录" in page and "我应该享受补贴，但没有记录" in page
    assert "不能使用这张卡" not in page


def test_removing_the_card_ends_the_session(client, place):
    place(1)
    assert client.get("/me").status_code == 200
    client.post("/demo/take", headers={"X-Kiosk-Demo": "1"})
    assert client.get("/terminal/state").get_json()["state"] == "idle"
    assert client.get("/me").status_code == 302
    bye = client.get("/bye")
    assert bye.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_ending_the_session_by_button_or_idle(client, place):
    place(1)
    response = client.post("/session/end")
    assert response.status_code == 303 and response.headers["Location"] == "/bye"
    assert client.get("/terminal/state").get_json()["state"] == "card_left"
    assert client.get("/me").status_code == 302
    assert "请取回您的卡" in text(client.get("/"))


def test_a_second_browser_cannot_take_over_the_session(app, place):
    place(1)
    other = app.test_client()
    assert other.get("/session/open").status_code == 302
    assert other.get("/me").status_code == 302


def test_demo_endpoints_need_the_header_and_demo_mode(client, demo_db):
    assert client.post("/demo/place/1").status_code == 403
    assert client.post("/demo/place/999", headers={"X-Kiosk-Demo": "1"}).status_code == 404
    production = create_app(
        load_config({"db_path": demo_db, "today": TODAY, "reader": "none"}, environ={})
    ).test_client()
    assert production.post("/demo/place/1", headers={"X-Kiosk-Demo": "1"}).status_code == 404
    assert "演示模式" not in text(production.get("/"))


def test_unknown_programme_page_is_404(client, place):
    place(1)
    assert client.get("/me/programme/nonexistent").status_code == 404


def test_healthz(client):
    body = client.get("/healthz").get_json()
    assert (
        body["status"] == "ok"
        and body["store"]["schema"] == SCHEMA_VERSION
        and body["store"]["persons"] >= 2000
    )
    assert body["terminal"] == "idle" and body["mode"] == "demo" and len(body["rule_version"]) == 12
    assert body["store"]["outbox_backlog"] == 0
