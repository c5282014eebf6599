"""Signing in to the back office: argon2id, TOTP (enrolment, replay), lockout, server-side sessions with
idle and absolute limits and a new id at each step, CSRF, and the audit of all of it."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest

from kiosk.hub import accounts
from kiosk.hub.office.auth import SIGN_IN_REFUSED
from tests.helpers.hub import PASSWORD, TOTP_SECRETS, csrf_of


def audit(office) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(e["actor"], e["action"], e["outcome"]) for e in office.store.audit_entries()]


def test_a_handler_signs_in_with_a_password_alone_and_lands_on_the_inbox(office):
    client = office.client()
    response = client.post("/office/login", data={"name": "minzheng", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"].endswith("/office/")
    assert client.get("/office/").status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/office" in cookie
    assert accounts.account(office.store, "minzheng")["password_hash"].startswith("$argon2id$")


def test_a_supervisor_needs_the_second_factor_and_gets_a_new_session_id_for_it(office):
    client = office.client()
    first = client.post("/office/login", data={"name": "jiwei", "password": PASSWORD})
    assert first.headers["Location"].endswith("/office/second-factor")
    half = client.get_cookie("mingbai_office", path="/office").value
    assert client.get("/office/").headers["Location"].endswith("/office/second-factor")  # not in yet
    office.clock.advance(seconds=31)
    page = client.get("/office/second-factor").get_data(as_text=True)
    code = pyotp.TOTP(TOTP_SECRETS["jiwei"]).at(office.clock.now)
    assert client.post("/office/second-factor", data={"csrf": csrf_of(page), "code": code}).status_code == 303
    full = client.get_cookie("mingbai_office", path="/office").value
    assert full != half
    assert client.get("/office/").status_code == 200
    stale = office.client()
    stale.set_cookie("mingbai_office", half, path="/office")
    assert stale.get("/office/").status_code == 303  # the half-way session ended when the full one began
    assert ("jiwei", "login", "ok") in audit(office)


def test_a_totp_code_is_accepted_once(office):
    office.sign_in("jiwei")
    code = pyotp.TOTP(TOTP_SECRETS["jiwei"]).at(office.clock.now)  # the code just used, same time step
    client = office.client()
    client.post("/office/login", data={"name": "jiwei", "password": PASSWORD})
    page = client.get("/office/second-factor").get_data(as_text=True)
    replay = client.post("/office/second-factor", data={"csrf": csrf_of(page), "code": code})
    assert replay.status_code == 401 and "已经用过" in replay.get_data(as_text=True)
    assert ("jiwei", "login", "refused: replayed") in audit(office)


def test_first_sign_in_enrols_the_second_factor_from_the_page_qr(office):
    accounts.create_user(office.store, "newsup", "supervisor", PASSWORD, office.clock.now)
    client = office.client()
    client.post("/office/login", data={"name": "newsup", "password": PASSWORD})
    page = client.get("/office/second-factor").get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r'<code class="secret">([A-Z2-7]{32})</code>', page).group(1)
    wrong = client.post(
        "/office/second-factor", data={"csrf": csrf_of(page), "code": "000000", "secret": secret}
    )
    assert wrong.status_code == 401 and accounts.account(office.store, "newsup")["totp_secret"] is None
    office.clock.advance(seconds=31)
    code = pyotp.TOTP(secret).at(office.clock.now)
    assert (
        client.post(
            "/office/second-factor", data={"csrf": csrf_of(page), "code": code, "secret": secret}
        ).status_code
        == 303
    )
    stored = accounts.account(office.store, "newsup")["totp_secret"]
    assert stored.startswith("sealed:v1:") and secret not in stored  # a copy of the database opens nothing
    assert office.store.sealer.open(stored) == secret
    assert client.get("/office/").status_code == 200


def login(client, name: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/office/login", data={"name": name, "password": password})


def test_five_wrong_passwords_pause_sign_in_for_a_while_and_the_administrator_sees_it(office):
    client = office.client()
    for _ in range(5):
        assert login(client, "minzheng", "wrong").status_code == 401
    right = login(client, "minzheng", PASSWORD)
    assert right.status_code == 401 and SIGN_IN_REFUSED in right.get_data(as_text=True)
    admin = office.sign_in("admin")
    page = admin.get("/office/users").get_data(as_text=True)
    assert "以下账号因多次输错暂停登录" in page and "minzheng" in page
    assert ("minzheng", "sign_in_paused", "notify: admin") in audit(office)
    office.clock.advance(minutes=5, seconds=1)  # a pause, not a lock an attacker could make permanent
    assert login(client, "minzheng", PASSWORD).status_code == 303


def test_each_failure_after_the_fifth_doubles_the_pause_and_an_administrator_can_lift_it(office):
    client = office.client()
    for _ in range(5):
        login(client, "minzheng", "wrong")
    office.clock.advance(minutes=5, seconds=1)
    login(client, "minzheng", "wrong")  # the sixth: ten minutes
    row = accounts.account(office.store, "minzheng")
    assert row["locked_until"] - office.clock.now == accounts.pause_for(6) == dt.timedelta(minutes=10)
    assert accounts.pause_for(40) == accounts.LONGEST_PAUSE
    admin = office.sign_in("admin")
    page = admin.get("/office/users").get_data(as_text=True)
    assert admin.post("/office/users/minzheng/unlock", data={"csrf": csrf_of(page)}).status_code == 303
    assert login(client, "minzheng", PASSWORD).status_code == 303
    assert ("admin", "unlock_user", "ok") in audit(office)


def test_wrong_totp_codes_count_towards_the_pause(office):
    client = office.client()
    login(client, "jiwei", PASSWORD)
    page = client.get("/office/second-factor").get_data(as_text=True)
    for _ in range(5):
        client.post("/office/second-factor", data={"csrf": csrf_of(page), "code": "123456"})
    assert accounts.locked(accounts.account(office.store, "jiwei"), office.clock.now)
    assert client.get("/office/").status_code == 303  # the session ended with the pause


def test_a_right_password_does_not_clear_wrong_codes(office):
    """The red-team's round: password, four wrong codes, again and again. The fifth wrong code pauses."""
    wrong = "000000" if pyotp.TOTP(TOTP_SECRETS["jiwei"]).at(office.clock.now) != "000000" else "111111"
    for _round in range(2):
        client = office.client()
        assert login(client, "jiwei", PASSWORD).status_code == 303
        page = client.get("/office/second-factor").get_data(as_text=True)
        for _ in range(4 if _round == 0 else 1):
            client.post("/office/second-factor", data={"csrf": csrf_of(page), "code": wrong})
    assert accounts.account(office.store, "jiwei")["totp_failures"] == 5
    client = office.client()
    assert login(client, "jiwei", PASSWORD).status_code == 401  # paused: the password alone does not lift it
    office.clock.advance(seconds=31)
    right = pyotp.TOTP(TOTP_SECRETS["jiwei"]).at(office.clock.now)
    assert accounts.check_totp(office.store, "jiwei", right, office.clock.now) == "locked"


def test_parallel_wrong_passwords_are_checked_no_more_often_than_the_limit(office, monkeypatch):
    import threading

    checked = []
    real = accounts.hasher

    class CountingHasher:
        def hash(self, password: str) -> str:
            return real.hash(password)

        def verify(self, hashed: str, password: str) -> bool:
            if hashed != accounts._DUMMY_HASH:
                checked.append(password)
            return real.verify(hashed, password)

    monkeypatch.setattr(accounts, "hasher", CountingHasher())
    threads = [
        threading.Thread(
            target=accounts.check_password, args=(office.store, "minzheng", f"guess {n}", office.clock.now)
        )
        for n in range(40)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == accounts.MAX_FAILURES
    assert accounts.locked(accounts.account(office.store, "minzheng"), office.clock.now)


def test_unknown_wrong_paused_and_disabled_accounts_get_one_answer(office):
    client = office.client()
    for _ in range(5):
        login(client, "renshe", "wrong")
    accounts.disable(office.store, "shenji", office.clock.now)
    pages = {
        name: login(client, name, password).get_data(as_text=True)
        for name, password in (
            ("nobody", PASSWORD),
            ("minzheng", "wrong"),
            ("renshe", PASSWORD),
            ("shenji", PASSWORD),
        )
    }
    errors = {name: re.search(r'role="alert">([^<]*)<', page).group(1) for name, page in pages.items()}
    assert set(errors.values()) == {SIGN_IN_REFUSED}, errors
    reasons = [e["outcome"] for e in office.store.audit_entries() if e["action"] == "login"]
    assert {"refused: wrong", "refused: locked", "refused: disabled"} <= set(reasons)  # the audit says which


def test_fifteen_idle_minutes_end_the_session(office):
    client = office.sign_in("minzheng")
    office.clock.advance(minutes=14)
    assert client.get("/office/").status_code == 200  # activity resets the idle clock
    office.clock.advance(minutes=14)
    assert client.get("/office/").status_code == 200
    office.clock.advance(minutes=15, seconds=1)
    gone = client.get("/office/")
    assert gone.status_code == 303 and "why=idle" in gone.headers["Location"]
    assert "15分钟没有操作" in client.get(gone.headers["Location"]).get_data(as_text=True)


def test_eight_hours_end_the_session_however_active(office):
    client = office.sign_in("minzheng")
    signed_in_at = office.clock.now
    for _ in range(60):
        office.clock.advance(minutes=10)
        response = client.get("/office/")
        if response.status_code != 200:
            break
    assert accounts.ABSOLUTE < office.clock.now - signed_in_at <= accounts.ABSOLUTE + dt.timedelta(minutes=10)
    assert response.status_code == 303 and "why=expired" in response.headers["Location"]


def test_a_post_without_the_form_token_is_refused_and_audited(office):
    complaint = office.file(1)
    client = office.sign_in("jiwei")
    refused = client.post(f"/office/complaints/{complaint}/assign", data={"department": "县民政局"})
    assert refused.status_code == 400
    forged = client.post(
        f"/office/complaints/{complaint}/assign", data={"department": "县民政局", "csrf": "forged"}
    )
    assert forged.status_code == 400
    assert ("jiwei", "office.act", "refused: csrf") in audit(office)
    assert office.store.complaint_by_id(complaint)["status"] == "received"


def test_a_cookie_that_names_no_session_gets_the_sign_in_page(office):
    client = office.client()
    client.set_cookie("mingbai_office", "made-up", path="/office")
    assert client.get("/office/").headers["Location"].endswith("/office/login")


def test_sign_out_ends_the_session_server_side(office):
    client = office.sign_in("minzheng")
    token = client.get_cookie("mingbai_office", path="/office").value
    page = client.get("/office/").get_data(as_text=True)
    assert client.post("/office/logout", data={"csrf": csrf_of(page)}).status_code == 303
    replay = office.client()
    replay.set_cookie("mingbai_office", token, path="/office")
    assert replay.get("/office/").status_code == 303


def test_a_disabled_account_loses_its_sessions_at_once(office):
    victim = office.sign_in("minzheng")
    admin = office.sign_in("admin")
    page = admin.get("/office/users").get_data(as_text=True)
    admin.post("/office/users/minzheng/disable", data={"csrf": csrf_of(page)})
    assert victim.get("/office/").status_code == 303
    assert (
        office.client().post("/office/login", data={"name": "minzheng", "password": PASSWORD}).status_code
        == 401
    )


def test_weak_and_blank_passwords_are_refused(office):
    for weak in ("aaaaaaaaaaaa", " " * 12, "password1234", "qwertyuiop12", "minzheng1234"):
        with pytest.raises(accounts.AccountError):
            accounts.check_password_strength(weak, "minzheng")
    accounts.check_password_strength(PASSWORD, "minzheng")


def test_an_administrator_cannot_overwrite_an_existing_account(office):
    before = accounts.account(office.store, "shenji")
    admin = office.sign_in("admin")
    page = admin.get("/office/users").get_data(as_text=True)
    form = {"csrf": csrf_of(page), "name": "shenji", "role": "auditor", "password": "another long pass 77"}
    refused = admin.post("/office/users", data=form)
    assert refused.status_code == 400 and "已经存在" in refused.get_data(as_text=True)
    assert accounts.account(office.store, "shenji")["password_hash"] == before["password_hash"]
    assert login(office.client(), "shenji", PASSWORD).status_code == 303


def test_a_reset_is_a_one_time_token_the_holder_uses_and_is_told_about(office):
    admin = office.sign_in("admin")
    page = admin.get("/office/users").get_data(as_text=True)
    issued = admin.post("/office/users/minzheng/reset", data={"csrf": csrf_of(page)}).get_data(as_text=True)
    link = re.search(r"<code>https?://[^/]+(/office/reset/[^<]+)</code>", issued).group(1)
    assert login(office.client(), "minzheng", PASSWORD).status_code == 303  # nothing changed yet
    holder = office.client()
    assert holder.post(link, data={"password": "aaaaaaaaaaaa"}).status_code == 400  # weak: refused
    assert holder.post(link, data={"password": "new river stone 42"}).status_code == 303
    assert holder.post(link, data={"password": "new river stone 43"}).status_code == 404  # once only
    assert login(office.client(), "minzheng", PASSWORD).status_code == 401
    signed_in = office.client()
    assert login(signed_in, "minzheng", "new river stone 42").status_code == 303
    inbox = signed_in.get("/office/").get_data(as_text=True)
    assert "由admin发起重置" in inbox and "如果不是您本人要求的" in inbox
    signed_in.post("/office/notice/dismiss", data={"csrf": csrf_of(inbox)})
    assert "由admin发起重置" not in signed_in.get("/office/").get_data(as_text=True)


def test_resetting_a_supervisor_needs_a_second_person_and_keeps_the_second_factor(office):
    accounts.create_user(office.store, "admin2", "admin", PASSWORD, office.clock.now)
    secret_before = accounts.account(office.store, "jiwei")["totp_secret"]
    admin = accounts.User("admin", "admin", None)
    issued = accounts.request_reset(office.store, "jiwei", admin, office.clock.now)
    assert issued.needs_approval
    with pytest.raises(accounts.AccountError, match="尚未批准"):
        accounts.use_reset(office.store, issued.token, "new river stone 42", office.clock.now)
    (pending,) = [
        r for r in accounts.pending_resets(office.store, office.clock.now) if r["user_name"] == "jiwei"
    ]
    for not_allowed in (
        admin,
        accounts.User("jiwei", "supervisor", None),
        accounts.User("renshe", "handler", "x"),
    ):
        with pytest.raises(accounts.AccountError):
            accounts.approve_reset(office.store, pending["id"], not_allowed, office.clock.now)
    accounts.approve_reset(
        office.store, pending["id"], accounts.User("admin2", "admin", None), office.clock.now
    )
    assert accounts.use_reset(office.store, issued.token, "new river stone 42", office.clock.now) == "jiwei"
    assert accounts.account(office.store, "jiwei")["totp_secret"] == secret_before  # the phone still works
    with pytest.raises(accounts.AccountError, match="自己"):
        accounts.request_reset(
            office.store, "admin2", accounts.User("admin2", "admin", None), office.clock.now
        )
