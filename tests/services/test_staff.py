"""Clinic staff accounts: badge and PIN, five wrong PINs lock, a disabled account cannot sign in, and
every attempt is audited with the name, never the badge's number."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.services.staff import (
    MAX_WRONG_PINS,
    StaffError,
    add_staff,
    badge_key,
    check_pin,
    disable_staff,
    sign_in,
)
from kiosk.store import open_store

SECRET = "test-secret"
BADGE = "11010519491231002X"
NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "k.db")
    yield opened
    opened.close()


def add(store, pin="482915", name="王芳"):  # type: ignore[no-untyped-def]
    return add_staff(
        store,
        name=name,
        title="卫生院工作人员",
        badge_kind="id",
        badge=BADGE,
        pin=pin,
        secret=SECRET,
        now=NOW,
    )


def test_the_right_pin_signs_in_and_the_badge_is_kept_only_as_a_keyed_hash(store):
    account = add(store)
    assert sign_in(store, badge=badge_key("id", BADGE, SECRET), pin="482915", now=NOW).name == "王芳"
    assert BADGE not in account.badge_key and "482915" not in account.pin_hash
    assert account.pin_hash.startswith("$argon2id$")
    assert badge_key("id", BADGE, "another-county") != account.badge_key


def test_five_wrong_pins_lock_the_account_and_the_right_one_no_longer_opens_it(store):
    add(store)
    key = badge_key("id", BADGE, SECRET)
    for tries in range(MAX_WRONG_PINS - 1):
        with pytest.raises(StaffError) as wrong:
            sign_in(store, badge=key, pin="000111", now=NOW)
        assert wrong.value.code == "wrong_pin" and wrong.value.tries_left == MAX_WRONG_PINS - 1 - tries
    with pytest.raises(StaffError, match="已锁定"):
        sign_in(store, badge=key, pin="000111", now=NOW)
    with pytest.raises(StaffError) as locked:
        sign_in(store, badge=key, pin="482915", now=NOW)
    assert locked.value.code == "locked"
    add(store)  # the administrator re-adds it: unlocked, with a PIN they hand over
    assert sign_in(store, badge=key, pin="482915", now=NOW).name == "王芳"


def test_a_right_pin_clears_the_count_of_wrong_ones(store):
    add(store)
    key = badge_key("id", BADGE, SECRET)
    for _ in range(MAX_WRONG_PINS - 1):
        with pytest.raises(StaffError):
            sign_in(store, badge=key, pin="000111", now=NOW)
    sign_in(store, badge=key, pin="482915", now=NOW)
    with pytest.raises(StaffError) as wrong:
        sign_in(store, badge=key, pin="000111", now=NOW)
    assert wrong.value.code == "wrong_pin"  # counted from zero again


def test_a_disabled_account_and_an_unknown_badge_cannot_sign_in(store):
    add(store)
    assert disable_staff(store, "王芳", NOW) and not disable_staff(store, "王芳", NOW)
    with pytest.raises(StaffError) as refused:
        sign_in(store, badge=badge_key("id", BADGE, SECRET), pin="482915", now=NOW)
    assert refused.value.code == "disabled"
    with pytest.raises(StaffError) as unknown:
        sign_in(store, badge=badge_key("chip", "04A1B2C3", SECRET), pin="482915", now=NOW)
    assert unknown.value.code == "unknown_badge"


def test_every_attempt_is_audited_by_name_only(store):
    add(store)
    key = badge_key("id", BADGE, SECRET)
    with pytest.raises(StaffError):
        sign_in(store, badge=key, pin="000111", now=NOW)
    sign_in(store, badge=key, pin="482915", now=NOW)
    entries = [entry for entry in store.audit_entries() if entry[2] == "staff_sign_in"]
    assert [(e[1], e[4]) for e in entries] == [("staff:王芳", "wrong_pin"), ("staff:王芳", "ok")]
    assert not any(BADGE in str(entry) for entry in store.audit_entries())


@pytest.mark.parametrize("pin", ["12345", "123456", "654321", "111111", "12a456", "123456789"])
def test_weak_or_malformed_pins_are_refused(pin):
    with pytest.raises(StaffError) as refused:
        check_pin(pin)
    assert refused.value.code == "bad_pin"


def test_a_badge_is_one_persons(store):
    add(store)
    with pytest.raises(StaffError, match="已经登记给别的工作人员"):
        add(store, name="李强")
    with pytest.raises(StaffError, match="身份证号不对"):
        add_staff(
            store, name="李强", title="", badge_kind="id", badge="123", pin="482915", secret=SECRET, now=NOW
        )
