"""The complaint screens through the Flask test client: button, category, keypad, review, submit, done."""

from __future__ import annotations

import re

from kiosk.web.context import services
from tests.helpers.kiosk_client import place_card


def field(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def open_card(client, position: int) -> None:
    place_card(client, position)
    client.get("/session/open")


def file_one(client, phone: str = "13800138000") -> tuple[str, str]:
    page = client.get("/me/complaint/new?programme=pension_basic&period=2025-03").get_data(as_text=True)
    assert "城乡居民基础养老金 · 2025年3月" in page and "未发放" in page
    csrf = field(page, "csrf")
    page = client.post("/me/complaint/category", data={"csrf": csrf, "category": "not_received"}).get_data(
        as_text=True
    )
    assert "第2步" in page
    page = client.post("/me/complaint/phone", data={"csrf": csrf, "phone": phone}).get_data(as_text=True)
    assert "第3步" in page and "县纪检监察部门（不经过村里）" in page
    assert ("138****8000" if phone else "不留电话") in page
    uuid = field(page, "uuid")
    response = client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid})
    assert response.status_code == 303 and response.headers["Location"].endswith(uuid)
    return uuid, csrf


def test_file_a_complaint_on_a_missing_month(printing_app):
    client = printing_app.test_client()
    open_card(client, 4)
    detail = client.get("/me/programme/pension_basic?year=2025").get_data(as_text=True)
    assert 'href="/me/complaint/new?programme=pension_basic&amp;period=2025-02&amp;until=2025-03"' in detail
    uuid, csrf = file_one(client)
    done = client.get(f"/me/complaint/{uuid}").get_data(as_text=True)
    assert "已提交" in done and "撤回（10分钟内）" in done
    tracking = re.search(r'id="tracking-number">([^<]+)<', done).group(1)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]", tracking)
    qr = client.get(f"/me/complaint/{uuid}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    again = client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid})
    assert again.headers["Location"].endswith(uuid), "a double tap files once"
    store = services(printing_app).store
    assert (
        store.connection().execute("SELECT count(*) FROM complaints WHERE uuid = ?", (uuid,)).fetchone()[0]
        == 1
    )


def test_print_slip_and_withdraw(printing_app):
    client = printing_app.test_client()
    open_card(client, 4)
    uuid, csrf = file_one(client, phone="")
    tracking = services(printing_app).store.complaint(uuid)["tracking_no"]
    printed = client.post(f"/me/complaint/{uuid}/print", data={"csrf": csrf}, follow_redirects=True)
    assert "凭条已打印" in printed.get_data(as_text=True)
    slip = services(printing_app).last_slip
    assert f"{tracking[:4]}-{tracking[4:8]}-{tracking[8]}".encode("gb18030") in slip
    withdrawn = client.post(f"/me/complaint/{uuid}/withdraw", data={"csrf": csrf}, follow_redirects=True)
    assert "已撤回" in withdrawn.get_data(as_text=True)


def test_my_complaints_on_the_next_card_read(printing_app):
    client = printing_app.test_client()
    open_card(client, 4)
    uuid, _ = file_one(client)
    client.post("/demo/take", headers={"X-Kiosk-Demo": "1"})
    assert client.get(f"/me/complaint/{uuid}").status_code == 302, "the session ended with the card"
    open_card(client, 4)
    summary = client.get("/me").get_data(as_text=True)
    assert "我的反映" in summary and "已提交，等待纪检监察部门处理" in summary and "没收到" in summary
    open_card(client, 1)
    assert "我的反映" not in client.get("/me").get_data(as_text=True), "another person sees none of it"
    assert client.get(f"/me/complaint/{uuid}").status_code == 404


def test_forms_need_the_session_token_and_a_valid_phone(printing_app):
    client = printing_app.test_client()
    open_card(client, 4)
    page = client.get("/me/complaint/new").get_data(as_text=True)
    assert client.post("/me/complaint/category", data={"category": "other"}).status_code == 400
    csrf = field(page, "csrf")
    client.post("/me/complaint/category", data={"csrf": csrf, "category": "other"})
    bad = client.post("/me/complaint/phone", data={"csrf": csrf, "phone": "12345"})
    assert bad.status_code == 422 and "手机号是以1开头的11位数字" in bad.get_data(as_text=True)


def test_a_general_complaint_button_on_every_person_screen(printing_app):
    client = printing_app.test_client()
    open_card(client, 1)
    for url in ("/me", "/me/programme/farmland?year=2025", "/me/complaint/new"):
        assert 'id="complain-button" href="/me/complaint/new"' in client.get(url).get_data(as_text=True)


def test_the_phone_step_takes_a_landline_and_keeps_a_refused_number(printing_app):
    client = printing_app.test_client()
    open_card(client, 4)
    page = client.get("/me/complaint/new?programme=pension_basic&period=2025-03").get_data(as_text=True)
    csrf = field(page, "csrf")
    client.post("/me/complaint/category", data={"csrf": csrf, "category": "not_received"})
    refused = client.post("/me/complaint/phone", data={"csrf": csrf, "phone": "2380013800"})
    assert refused.status_code == 422 and 'value="2380013800"' in refused.get_data(as_text=True)
    assert "座机请加区号" in refused.get_data(as_text=True)
    review = client.post("/me/complaint/phone", data={"csrf": csrf, "phone": "085186861234"})
    assert review.status_code == 200 and "第3步" in review.get_data(as_text=True)


def test_the_statement_prints_what_the_screen_shows_on_paper_and_as_a_pdf(printing_app, tmp_path):
    import subprocess

    client = printing_app.test_client()
    open_card(client, 3)
    screen = client.get("/me").get_data(as_text=True)
    problem = "2025年3月至8月 农村最低生活保障少发，共¥440.00"
    assert problem in screen and 'id="print-statement"' in screen
    printed = client.post("/me/statement/print", follow_redirects=True)
    assert "对账单已打印" in printed.get_data(as_text=True)
    slip = services(printing_app).last_slip.decode("gb18030", "replace")
    assert problem in slip and "农村最低生活保障（2024年1月起）" in slip and "核验码：" in slip
    assert "依据：《社会救助暂行办法》" in slip  # the legal reference on paper too
    pdf = client.get("/me/statement.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    (tmp_path / "s.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "2025年3月至8月 农村最低生活保障少发，共¥440.00" in flat
    check = re.search(r"核验码：([0-9A-F]{12})", slip).group(1)
    assert check in flat, "paper and PDF carry the same figures (same digest)"
    full = next(c.id_number for c in services(printing_app).store.demo_cards() if c.position == 3)
    assert full not in flat and full not in slip and full[-4:] in flat  # masked, as on screen


def test_someone_not_on_the_roster_can_take_home_a_statement_that_says_so(printing_app):
    client = printing_app.test_client()
    open_card(client, 12)
    assert 'id="print-statement"' in client.get("/me").get_data(as_text=True)
    client.post("/me/statement/print")
    slip = services(printing_app).last_slip.decode("gb18030", "replace")
    assert "系统里没有查到此人的补贴记录" in slip and "核验码：" in slip
    assert client.get("/me/statement.pdf").data.startswith(b"%PDF")
