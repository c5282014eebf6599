"""The minimal supervisors' page: sign-in with argon2id and lockout, a form token on every POST, audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kiosk.hub.app import create_hub_app
from kiosk.hub.office import hasher

NOW = dt.datetime.now(dt.timezone.utc)
PASSWORD = "a long passphrase 1"


@pytest.fixture
def office(hub_db):
    app = create_hub_app(hub_db)
    store = app.extensions["hub_store"]
    store.add_supervisor("jiwei", hasher.hash(PASSWORD))
    store.register_kiosk("kiosk-1", NOW)
    store.receive_complaint("kiosk-1", {"uuid": "6f1c2a3e-1111-4222-8333-944455556666", "tracking_no": "K7QM3XPDC",
                                        "kiosk_id": "kiosk-1", "person_key": "ab" * 16, "masked_id": "x",
                                        "category": "not_received", "phone": "", "created_at": NOW.isoformat(),
                                        "evidence": {"rule_version": "v", "as_of": "2026-11-22"}}, NOW)
    yield app, app.test_client(), store
    store.close()


def login(client, password=PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/office/login", data={"name": "jiwei", "password": password})


def test_sign_in_list_read_reply_and_audit(office):
    app, client, store = office
    assert client.get("/office/").status_code == 302
    assert login(client).status_code == 302
    inbox = client.get("/office/").get_data(as_text=True)
    assert "K7QM-3XPD-C" in inbox and "待处理" in inbox
    detail = client.get("/office/complaints/1").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', detail).group(1)
    assert client.post("/office/complaints/1/reply", data={"text": "已核实"}).status_code == 400
    assert client.post("/office/complaints/1/reply", data={"text": "已核实", "csrf": csrf}).status_code == 303
    assert [r["text"] for r in store.replies_for(1)] == ["已核实"]
    actions = [(e["actor"], e["action"], e["outcome"]) for e in store.audit_entries()]
    assert ("jiwei", "login", "ok") in actions and ("jiwei", "reply", "ok") in actions
    assert ("jiwei", "read_complaint", "ok") in actions


def test_lockout_after_five_failures(office):
    _, client, store = office
    for _ in range(5):
        assert login(client, "wrong").status_code == 401
    locked = login(client)
    assert locked.status_code == 401 and "已锁定" in locked.get_data(as_text=True)
    assert ("jiwei", "login", "locked") in [(e["actor"], e["action"], e["outcome"]) for e in store.audit_entries()]


def test_a_new_session_at_sign_in_and_a_stored_hash_that_is_argon2id(office):
    _, client, store = office
    with client.session_transaction() as before:
        before["planted"] = "by an attacker"
    login(client)
    with client.session_transaction() as after:
        assert "planted" not in after and after["supervisor"] == "jiwei"
    assert store.supervisor("jiwei")["password_hash"].startswith("$argon2id$")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_every_complaint_with_its_replies(office, tmp_path, suffix):
    import openpyxl

    from kiosk.hub.office import EXPORT_HEADERS, export_complaints

    _, _, store = office
    store.add_reply(1, "已核实", "jiwei", NOW)
    path = tmp_path / f"complaints.{suffix}"
    assert export_complaints(store, path) == 1
    if suffix == "xlsx":
        rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    else:
        import csv

        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    assert list(rows[0]) == EXPORT_HEADERS
    assert rows[1][0] == "K7QM-3XPD-C" and rows[1][3] == "没收到" and rows[1][-1] == "已核实"
