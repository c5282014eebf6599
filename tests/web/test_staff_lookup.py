"""A signed-in clinic worker looks a resident up by typed ID number (无卡查询): a reason is required, the
resident confirms the masked name before anything is shown, every lookup is recorded and limited per hour,
and the resident is told at their own next card read."""

from __future__ import annotations

import json
import re

from device.idnumber import check_character
from kiosk.web.context import services
from tests.helpers.kiosk_client import DEMO, place_card, settled_state
from tests.helpers.staff import form_token, signed_in


def number_of(app, position: int) -> str:  # type: ignore[no-untyped-def]
    return next(card.id_number for card in services(app).store.demo_cards() if card.position == position)


def nobody_number() -> str:
    """A valid ID number (check character right) that the demo roster does not hold."""
    first17 = "52010219700101999"
    return first17 + check_character(first17)


def typed(client, number: str, reason: str = "card_lost"):  # type: ignore[no-untyped-def]
    return client.post("/staff/lookup", data={"form": form_token(client), "number": number, "reason": reason})


def test_a_typed_lookup_asks_the_resident_to_confirm_the_masked_name_first(own_app):
    client = signed_in(own_app)
    attract = client.get("/").get_data(as_text=True)
    assert 'id="typed-lookup"' in attract
    form = client.get("/staff/lookup").get_data(as_text=True)
    assert 'maxlength="18"' in form and 'data-key="X"' in form and "卡丢失" in form and "帮老人查询" in form
    assert number_of(own_app, 3) in form, "a demo lists its fictional numbers to try"
    number = number_of(own_app, 3)
    assert typed(client, number).status_code == 303
    state = settled_state(client)
    assert state["state"] == "confirm" and "*" in state["message"]
    assert client.get("/session/open").headers["Location"].endswith("/"), (
        "nothing opens before the resident confirms"
    )
    page = client.get("/").get_data(as_text=True)
    assert state["message"] in page and number not in page
    client.post("/staff/confirm", data={"form": form_token(client), "answer": "yes"})
    assert settled_state(client)["state"] == "ready"
    client.get("/session/open")
    summary = client.get("/me").get_data(as_text=True)
    assert 'id="typed-note"' in summary and "卡丢失" in summary and number not in summary


def test_the_lookup_is_recorded_with_staff_reason_and_masked_number_only(own_app):
    client = signed_in(own_app)
    number = number_of(own_app, 3)
    typed(client, number, "for_elder")
    store = services(own_app).store
    [row] = (
        store.connection()
        .execute("SELECT staff_name, reason, masked_id, outcome FROM staff_lookups")
        .fetchall()
    )
    assert row[0] == "王芳" and row[1] == "for_elder" and row[3] == "found"
    assert row[2] != number and row[2][:4] == number[:4] and row[2][-4:] == number[-4:] and "*" in row[2]
    audit = [entry for entry in store.audit_entries() if entry[2] == "staff_lookup"]
    assert audit and audit[-1][1] == "staff:王芳" and number not in json.dumps(audit, ensure_ascii=False)


def test_no_lookup_without_a_helper_a_reason_or_a_right_number(own_app):
    client = own_app.test_client()
    assert client.get("/staff/lookup").headers["Location"].endswith("/")
    assert 'id="typed-lookup"' not in client.get("/").get_data(as_text=True)
    assert (
        client.post(
            "/staff/lookup", data={"number": number_of(own_app, 3), "reason": "card_lost"}
        ).status_code
        == 400
    )
    client = signed_in(own_app)
    no_reason = typed(client, number_of(own_app, 3), "curious")
    assert no_reason.status_code == 400 and "请选择无卡查询的原因" in no_reason.get_data(as_text=True)
    wrong = typed(client, number_of(own_app, 3)[:17] + ("0" if number_of(own_app, 3)[17] != "0" else "1"))
    assert wrong.status_code == 400 and "身份证号不对" in wrong.get_data(as_text=True)
    assert settled_state(client)["state"] == "idle"


def test_over_the_hourly_limit_the_lookup_is_refused_and_the_refusal_recorded(own_app):
    client = signed_in(own_app)
    services(own_app).assist.lookups_per_hour = 2
    for _ in range(2):
        typed(client, number_of(own_app, 3))
        client.post("/staff/confirm", data={"form": form_token(client), "answer": "no"})
    refused = typed(client, number_of(own_app, 4))
    assert refused.status_code == 429 and "次数已用完" in refused.get_data(as_text=True)
    assert settled_state(client)["state"] == "idle"
    outcomes = [
        r[0]
        for r in services(own_app).store.connection().execute("SELECT outcome FROM staff_lookups ORDER BY at")
    ]
    assert sorted(outcomes) == ["found", "found", "refused"]


def test_the_residents_next_own_card_read_tells_them_once(own_app):
    client = signed_in(own_app)
    typed(client, number_of(own_app, 3))
    client.post("/staff/confirm", data={"form": form_token(client), "answer": "no"})
    client.post("/staff/sign-out", data={"form": form_token(client)})
    place_card(client, 3)
    client.get("/session/open")
    summary = client.get("/me").get_data(as_text=True)
    notice = re.search(r"data-lookup-notice>(.*?)</p>", summary, re.S)
    assert notice is not None
    words = re.sub(r"<[^>]+>|\s+", "", notice.group(1))
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日，卫生院工作人员王\*帮您查询过一次", words), words
    client.get("/speech/script")
    assert not any("查询过" in line["text"] for line in client.get("/speech/script").get_json()["lines"])
    client.post("/demo/headset/in", headers=DEMO)
    said = [line for line in client.get("/speech/script").get_json()["lines"] if "查询过" in line["text"]]
    assert len(said) == 1 and said[0]["private"], said
    assert re.match(r"二零\S+年\S+月\S+日，卫生院工作人员王某帮您查询过一次", said[0]["text"]), said[0][
        "text"
    ]
    client.post("/demo/take", headers=DEMO)
    place_card(client, 3)
    client.get("/session/open")
    assert "data-lookup-notice" not in client.get("/me").get_data(as_text=True), "told once"


def test_ending_a_typed_session_goes_straight_back_with_no_card_to_take(own_app):
    client = signed_in(own_app)
    typed(client, number_of(own_app, 3))
    client.post("/staff/confirm", data={"form": form_token(client), "answer": "yes"})
    settled_state(client)
    client.get("/session/open")
    client.post("/session/end")
    assert settled_state(client)["state"] == "idle"


def test_a_resident_who_says_no_sees_nothing(own_app):
    client = signed_in(own_app)
    typed(client, number_of(own_app, 3))
    client.post("/staff/confirm", data={"form": form_token(client), "answer": "no"})
    assert settled_state(client)["state"] == "idle"
    assert client.get("/session/open").headers["Location"].endswith("/")
    assert client.get("/me").headers["Location"].endswith("/")


def test_not_on_the_roster_a_typed_identity_files_should_qualify_flagged_as_typed(own_app):
    client = signed_in(own_app)
    typed(client, nobody_number(), "card_broken")
    state = settled_state(client)
    assert state["state"] == "confirm" and state["message"].startswith("5201") and "*" in state["message"]
    client.post("/staff/confirm", data={"form": form_token(client), "answer": "yes"})
    settled_state(client)
    client.get("/session/open")
    unlisted = client.get("/me").get_data(as_text=True)
    assert 'id="report-unlisted"' in unlisted and 'id="typed-note"' in unlisted
    page = client.get("/me/complaint/new?about=unlisted", follow_redirects=True).get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    if "complaint/alone" in page:  # the private step of an assisted session
        page = client.post("/me/complaint/alone", data={"csrf": csrf}, follow_redirects=True).get_data(
            as_text=True
        )
    review = client.post("/me/complaint/phone", data={"csrf": csrf, "skip": "1"}).get_data(as_text=True)
    uuid = re.search(r'name="uuid" value="([^"]+)"', review).group(1)
    client.post("/me/complaint/submit", data={"csrf": csrf, "uuid": uuid})
    stored = services(own_app).store.complaint(uuid)
    evidence = json.loads(stored["evidence"])
    assert stored["category"] == "should_qualify"
    assert evidence["identity"] == "typed_by_staff" and evidence["typed_reason"] == "card_broken"
    assert evidence["assisted_by"].startswith("王芳")


def test_a_card_on_the_reader_wins_over_a_typed_lookup(own_app):
    client = signed_in(own_app)
    place_card(client, 4)
    refused = typed(client, number_of(own_app, 3))
    assert refused.status_code == 400 and "请先取走读卡区上的卡" in refused.get_data(as_text=True)


def test_the_voice_asks_the_resident_to_confirm_and_says_the_name_only_in_a_headset(own_app):
    client = signed_in(own_app)
    typed(client, number_of(own_app, 3))
    lines = client.get("/speech/script").get_json()["lines"]
    assert lines and not lines[0]["private"] and "本人" in lines[0]["text"]
    assert all("某" not in line["text"] for line in lines), "the open speaker never says the name"
    client.post("/demo/headset/in", headers=DEMO)
    lines = client.get("/speech/script").get_json()["lines"]
    assert any(line["private"] and "某" in line["text"] for line in lines)


def test_the_helper_prints_the_residents_statement_from_a_typed_session(printing_app):
    client = signed_in(printing_app)
    number = number_of(printing_app, 3)
    typed(client, number, "unreadable")
    client.post("/staff/confirm", data={"form": form_token(client), "answer": "yes"})
    settled_state(client)
    client.get("/session/open")
    assert 'id="print-statement"' in client.get("/me").get_data(as_text=True)
    printed = client.post("/me/statement/print", follow_redirects=True)
    assert "对账单已打印" in printed.get_data(as_text=True)
    slip = services(printing_app).last_slip.decode("gb18030", "replace")
    assert "农村最低生活保障少发，共¥440.00" in slip and number not in slip and number[-4:] in slip
