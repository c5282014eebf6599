"""Complaints on the kiosk: tracking numbers, the person hash, filing once, withdrawal within ten minutes."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.complaint import (
    TRACKING_ALPHABET,
    ComplaintError,
    check_phone,
    new_tracking_number,
    person_key,
    valid_tracking_number,
)
from kiosk.services.complaints import complaints_of, file_complaint, withdraw_complaint

ID = "11010519491231002X"
NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)


def test_tracking_numbers_are_unambiguous_and_self_checking():
    assert not set("0O1I") & set(TRACKING_ALPHABET) and len(TRACKING_ALPHABET) == 32
    numbers = {new_tracking_number() for _ in range(2000)}
    assert len(numbers) == 2000 and all(valid_tracking_number(n) for n in numbers)


@given(
    st.text(alphabet=TRACKING_ALPHABET, min_size=8, max_size=8),
    st.integers(0, 8),
    st.sampled_from(TRACKING_ALPHABET),
)
def test_any_single_wrong_symbol_is_caught(body, position, replacement):
    from kiosk.core.complaint import _check_symbol

    number = body + _check_symbol(body)
    changed = number[:position] + replacement + number[position + 1 :]
    assert valid_tracking_number(changed) == (changed == number)


def test_person_key_is_keyed_and_stable():
    assert person_key(ID, "a") == person_key(ID, "a") != person_key(ID, "b")
    assert ID not in person_key(ID, "a") and len(person_key(ID, "a")) == 32


@pytest.mark.parametrize(
    ("text", "digits"), [("138 0013 8000", "13800138000"), ("", ""), ("085412345678", "085412345678")]
)
def test_phone_numbers(text, digits):
    assert check_phone(text) == digits


@pytest.mark.parametrize("text", ["12345", "23800138000", "1380013800", "138001380001"])
def test_bad_phone_numbers(text):
    with pytest.raises(ComplaintError, match="phone"):
        check_phone(text)


def filing(store, **changes):
    values = dict(
        store=store,
        kiosk_id="kiosk-1",
        key=person_key(ID, "k"),
        masked_id="110105********002X",
        uuid=str(uuid.uuid4()),
        category="not_received",
        programme="pension_basic",
        period="2025-03",
        phone="",
        evidence={"owed_fen": 12300, "paid_fen": 0, "rule_version": "abc"},
        now=NOW,
    )
    values.update(changes)
    return file_complaint(**values)


def test_a_complaint_and_its_outbox_row_are_written_together_and_once(store):
    filed = filing(store)
    again = filing(store, uuid=filed.uuid)
    assert filed.first_time and not again.first_time and again.tracking_no == filed.tracking_no
    rows = (
        store.connection()
        .execute("SELECT kind, payload FROM outbox WHERE complaint_uuid = ?", (filed.uuid,))
        .fetchall()
    )
    assert len(rows) == 1 and rows[0][0] == "submit"
    payload = json.loads(rows[0][1])
    assert payload["person_key"] == person_key(ID, "k") and ID not in rows[0][1]
    assert payload["evidence"]["owed_fen"] == 12300 and store.outbox_backlog() == 1


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"category": "angry"}, "category"), ({"phone": "123"}, "phone"), ({"uuid": "not-a-uuid"}, "uuid")],
)
def test_bad_complaints_are_refused_and_nothing_is_written(store, changes, reason):
    with pytest.raises(ComplaintError, match=reason):
        filing(store, **changes)
    assert store.connection().execute("SELECT count(*) FROM complaints").fetchone()[0] == 0


def test_withdrawal_within_ten_minutes_by_the_same_person(store):
    filed = filing(store)
    with pytest.raises(ComplaintError, match="not_found"):
        withdraw_complaint(
            store=store,
            uuid=filed.uuid,
            key=person_key("440524188001010014", "k"),
            now=NOW + dt.timedelta(minutes=1),
        )
    withdraw_complaint(
        store=store, uuid=filed.uuid, key=person_key(ID, "k"), now=NOW + dt.timedelta(minutes=9)
    )
    with pytest.raises(ComplaintError, match="already"):
        withdraw_complaint(
            store=store, uuid=filed.uuid, key=person_key(ID, "k"), now=NOW + dt.timedelta(minutes=9)
        )
    kinds = [k for (k,) in store.connection().execute("SELECT kind FROM outbox ORDER BY id")]
    assert kinds == ["submit", "withdraw"]
    late = filing(store)
    with pytest.raises(ComplaintError, match="too_late"):
        withdraw_complaint(
            store=store, uuid=late.uuid, key=person_key(ID, "k"), now=NOW + dt.timedelta(minutes=11)
        )
    listed = complaints_of(store=store, key=person_key(ID, "k"))
    assert [c["status_words"] for c in listed].count("已撤回") == 1 and len(listed) == 2


def test_complaints_are_never_deleted(store):
    import sqlite3

    filing(store)
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        store.connection().execute("DELETE FROM complaints")


def test_an_answered_complaint_can_be_reopened_once_from_the_same_card(store):
    from kiosk.services.complaints import reopen_complaint

    filed = filing(store)
    key = person_key(ID, "k")
    with pytest.raises(ComplaintError, match="not_answered"):
        reopen_complaint(store=store, uuid=filed.uuid, key=key, now=NOW)
    store.set_hub_status(
        filed.uuid,
        "answered",
        json.dumps(
            [
                {"text": "经核实已足额发放", "kind": "answer"},
            ]
        ),
        NOW.isoformat(),
        words="已答复",
        may_reopen=True,
    )
    with pytest.raises(ComplaintError, match="unknown"):
        reopen_complaint(store=store, uuid=filed.uuid, key=person_key("440524188001010014", "k"), now=NOW)
    reopen_complaint(store=store, uuid=filed.uuid, key=key, now=NOW)
    with pytest.raises(ComplaintError, match="not_answered"):
        reopen_complaint(store=store, uuid=filed.uuid, key=key, now=NOW)  # asked already: once is enough
    kinds = [k for (k,) in store.connection().execute("SELECT kind FROM outbox ORDER BY id")]
    assert kinds == ["submit", "reopen"]
    listed = complaints_of(store=store, key=key)[0]
    assert listed["status_words"] == "已要求重新办理，等待纪检监察部门处理"
    assert listed["replies_shown"] == [("答复", "经核实已足额发放")]
    # answered again after the reopening: a second request is a new outbox row, not a duplicate
    store.set_hub_status(filed.uuid, "answered", "[]", NOW.isoformat(), words="已答复", may_reopen=True)
    reopen_complaint(store=store, uuid=filed.uuid, key=key, now=NOW)
    assert store.connection().execute("SELECT count(*) FROM outbox WHERE kind = 'reopen'").fetchone()[0] == 2


def test_card_reads_are_counted_per_day_for_the_heartbeat(store):
    from kiosk.core.clock import CHINA
    from kiosk.link.relay import heartbeat_payload

    today = dt.datetime.now(CHINA).date().isoformat()
    for _ in range(3):
        store.count_card_read(today)
    store.count_card_read("2020-01-01")
    beat = json.loads(heartbeat_payload(store))
    assert beat["card_reads_today"] == 3 and beat["outbox_backlog"] == 0 and beat["uptime_seconds"] >= 0


def test_a_tracking_number_already_used_is_replaced_not_mistaken_for_a_double_tap(store, monkeypatch):
    first = filing(store)
    minted = iter([first.tracking_no, "2222-2222-2".replace("-", "")])
    monkeypatch.setattr("kiosk.services.complaints.new_tracking_number", lambda: next(minted))
    second = filing(store)
    assert second.first_time and second.tracking_no == "222222222" and second.uuid != first.uuid
    assert store.connection().execute("SELECT count(*) FROM complaints").fetchone()[0] == 2
