"""A clinic worker signs in at the kiosk with their badge (demo card ⑯) and PIN; every screen then names
who is helping, and a complaint filed meanwhile records it. Wrong PINs are counted, five lock."""

from __future__ import annotations

import json
import re

from kiosk.services.demo import DEMO_STAFF_PIN
from kiosk.services.staff import MAX_WRONG_PINS
from kiosk.web.context import services
from tests.helpers.kiosk_client import DEMO, place_card, settled_state
from tests.helpers.staff import badge_on, form_token, sign_in


def test_the_badge_asks_for_a_pin_and_is_never_looked_up(own_app):
    client = own_app.test_client()
    state = badge_on(client)
    assert state["state"] == "staff_pin"
    assert client.get("/session/open").headers["Location"].endswith("/"), "no card session for a badge"
    page = client.get("/").get_data(as_text=True)
    assert 'id="staff-pin"' in page and 'type="password"' in page


def test_the_right_pin_signs_in_and_every_screen_names_the_helper(own_app):
    client = own_app.test_client()
    badge_on(client)
    answer = sign_in(client)
    assert answer.status_code == 303 and "staff=" not in answer.headers["Location"]
    assert settled_state(client)["state"] == "staff_ready"
    client.post("/demo/take", headers=DEMO)
    attract = client.get("/").get_data(as_text=True)
    assert "卫生院工作人员</span> 王*协助查询" in attract and 'id="staff-sign-out"' in attract
    place_card(client, 3)
    client.get("/session/open")
    summary = client.get("/me").get_data(as_text=True)
    assert "王*协助查询" in summary and "王芳" not in summary  # named, not spelled out to everyone nearby


def test_a_complaint_filed_while_helped_records_who_helped(own_app):
    client = own_app.test_client()
    badge_on(client)
    sign_in(client)
    client.post("/demo/take", headers=DEMO)
    place_card(client, 3)
    client.get("/session/open")
    page = client.get("/me/complaint/new?programme=dibao&period=2025-03&until=2025-08").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/me/complaint/category", data={"csrf": csrf, "category": "wrong_amount"})
    review = client.post("/me/complaint/phone", data={"csrf": csrf, "skip": "1"}).get_data(as_text=True)
    uuid = re.search(r'name="uuid" value="([^"]+)"', review).group(1)
    client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid})
    stored = services(own_app).store.complaint(uuid)
    assert json.loads(stored["evidence"])["assisted_by"] == "王芳（卫生院工作人员）"


def test_wrong_pins_are_counted_and_the_fifth_locks(own_app):
    client = own_app.test_client()
    badge_on(client)
    for tries in range(MAX_WRONG_PINS - 1):
        answer = sign_in(client, "000111")
        assert f"left={MAX_WRONG_PINS - 1 - tries}" in answer.headers["Location"]
        assert "staff=wrong_pin" in answer.headers["Location"]
    shown = client.get(sign_in(client, "000111").headers["Location"]).get_data(as_text=True)
    assert "账号已锁定" in shown
    assert "staff=locked" in sign_in(client).headers["Location"], "the right PIN no longer opens it"
    assert services(own_app).assist.helper() is None


def test_the_helper_is_signed_out_after_ten_idle_minutes_or_by_the_button(own_app):
    client = own_app.test_client()
    desk = services(own_app).assist
    now = [1000.0]
    desk.clock = lambda: now[0]
    badge_on(client)
    sign_in(client)
    assert desk.helper() is not None
    now[0] += 9 * 60
    client.get("/")  # a touch: the ten minutes start again
    now[0] += 9 * 60
    assert desk.helper() is not None
    now[0] += 10 * 60 + 1
    assert desk.helper() is None and "协助查询" not in client.get("/").get_data(as_text=True)
    client.post("/demo/take", headers=DEMO)
    badge_on(client)
    sign_in(client)
    client.post("/demo/take", headers=DEMO)
    client.post("/staff/sign-out", data={"form": form_token(client)})
    assert desk.helper() is None


def test_the_staff_forms_need_their_token(own_app):
    client = own_app.test_client()
    badge_on(client)
    assert client.post("/staff/pin", data={"pin": DEMO_STAFF_PIN}).status_code == 400
    assert client.post("/staff/sign-out", data={}).status_code == 400


def test_the_voice_asks_for_the_pin(own_app):
    client = own_app.test_client()
    badge_on(client)
    lines = client.get("/speech/script").get_json()["lines"]
    assert lines[0]["text"] == "工作人员登录，请输入密码。" and not lines[0]["private"]


def helped_session(own_app, position=3):  # type: ignore[no-untyped-def]
    client = own_app.test_client()
    badge_on(client)
    sign_in(client)
    client.post("/demo/take", headers=DEMO)
    place_card(client, position)
    client.get("/session/open")
    return client


def visible(page: str) -> str:
    """The page's text without its tags and hidden sections (help, templates of other states)."""
    page = re.sub(r'<section id="help".*?</section>', "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_in_an_assisted_session_only_the_private_steps_show_the_category_and_the_phone(own_app):
    client = helped_session(own_app)
    summary = client.get("/me").get_data(as_text=True)
    first = client.get("/me/complaint/new?programme=dibao&period=2025-03&until=2025-08").get_data(
        as_text=True
    )
    assert 'id="private-step"' in first and "请工作人员回避，由您本人选择" in first
    assert "data-category" not in first, "no choice is offered before the helper steps away"
    csrf = re.search(r'name="csrf" value="([^"]+)"', first).group(1)
    category = client.post("/me/complaint/alone", data={"csrf": csrf}).get_data(as_text=True)
    assert 'data-category="wrong_amount"' in category
    phone = client.post("/me/complaint/category", data={"csrf": csrf, "category": "wrong_amount"})
    assert 'type="password"' in phone.get_data(as_text=True), "the digits are masked on the screen"
    review = client.post("/me/complaint/phone", data={"csrf": csrf, "phone": "13800001234"}).get_data(
        as_text=True
    )
    assert "钱数不对" in visible(review) and "13800001234" not in review  # masked: 138****1234
    uuid = re.search(r'name="uuid" value="([^"]+)"', review).group(1)
    done = client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid})
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已提交" in after and re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]", after)
    back = client.get("/me").get_data(as_text=True)
    for page, where in ((summary, "summary before"), (first, "the private step's notice"), (after, "filed")):
        assert "钱数不对" not in visible(page) and "1234" not in visible(page), where
    assert 'id="mine-private"' in back and "<details" in back, "我的反映 opens only if the resident chooses"


def test_without_a_helper_there_is_no_private_step(own_app):
    client = own_app.test_client()
    place_card(client, 3)
    client.get("/session/open")
    page = client.get("/me/complaint/new?programme=dibao&period=2025-03&until=2025-08").get_data(as_text=True)
    assert 'data-category="wrong_amount"' in page and 'id="private-step"' not in page
