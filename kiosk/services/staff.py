"""Clinic staff who help residents at the kiosk: their accounts, and signing in with badge and PIN.

A staff member signs in with their own badge (their ID card, or a chip-serial badge registered to them)
and a PIN. The PIN is kept as an argon2id hash; five wrong PINs in a row lock the account until it is
added again; a disabled account cannot sign in. Every attempt is written to the kiosk's audit log with
the staff member's name, never the badge's number. An embedded kiosk holds its accounts locally
(`kiosk staff add|list|disable`); a kiosk with a hub also holds the hub's accounts, which the relay's pull
keeps current (kiosk.link.relay.Relay.pull_staff), in the same table.
"""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.core.clock import utc_stamp
from kiosk.core.i18n import N_
from kiosk.core.staff import StaffError, badge_key, check_pin
from kiosk.store import StaffAccount, Store

MAX_WRONG_PINS = 5
STAFF_IDLE = dt.timedelta(minutes=10)  # a staff session ends after this long without a touch
__all__ = ["MAX_WRONG_PINS", "STAFF_IDLE", "StaffError", "add_staff", "badge_key", "check_pin", "sign_in"]
_hasher = PasswordHasher()  # argon2id, the library's defaults (as the hub's accounts)


def add_staff(
    store: Store,
    *,
    name: str,
    title: str,
    badge_kind: str,
    badge: str,
    pin: str,
    secret: str,
    now: dt.datetime,
) -> StaffAccount:
    """Create (or re-create: new badge or PIN, unlocked, enabled) a local staff account."""
    name = name.strip()
    if not name or len(name) > 40:
        raise StaffError("unknown", N_("请填写1到40个字的姓名"))
    account = StaffAccount(
        name=name,
        title=title.strip()[:40],
        badge_kind=badge_kind,
        badge_key=badge_key(badge_kind, badge, secret),
        pin_hash=_hasher.hash(check_pin(pin)),
        failed_pins=0,
        locked_at=None,
        disabled_at=None,
        source="local",
        created_at=utc_stamp(now),
    )
    with store.transaction() as tx:
        holder = store.staff_with_badge(account.badge_key)
        if holder is not None and holder.name != name:
            raise StaffError("bad_badge", N_("这张胸卡已经登记给别的工作人员"))
        store.add_staff(tx, account)
    store.record_audit(f"staff:{name}", "staff_added", account.badge_kind, "ok")
    return account


def sign_in(store: Store, *, badge: str, pin: str, now: dt.datetime) -> StaffAccount:
    """The account of `badge` (a badge key) if `pin` is right; StaffError otherwise, the fifth wrong PIN in
    a row locking the account."""
    account = store.staff_with_badge(badge)
    if account is None:
        raise StaffError("unknown_badge", N_("这张卡没有登记为工作人员胸卡"))
    actor = f"staff:{account.name}"
    if account.disabled_at is not None:
        store.record_audit(actor, "staff_sign_in", "", "disabled")
        raise StaffError("disabled", N_("这个工作人员账号已停用"))
    if account.locked_at is not None:
        store.record_audit(actor, "staff_sign_in", "", "locked")
        raise StaffError("locked", N_("密码错误次数太多，账号已锁定，请联系管理员"))
    try:
        _hasher.verify(account.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        with store.transaction() as tx:
            failures = account.failed_pins + 1
            lock = utc_stamp(now) if failures >= MAX_WRONG_PINS else None
            store.record_pin_failure(tx, account.name, lock)
        store.record_audit(actor, "staff_sign_in", "", "locked" if lock else "wrong_pin")
        if lock:
            raise StaffError("locked", N_("密码错误次数太多，账号已锁定，请联系管理员")) from None
        raise StaffError("wrong_pin", N_("密码不对"), MAX_WRONG_PINS - failures) from None
    with store.transaction() as tx:
        store.clear_pin_failures(tx, account.name)
    store.record_audit(actor, "staff_sign_in", "", "ok")
    return account


def disable_staff(store: Store, name: str, now: dt.datetime) -> bool:
    with store.transaction() as tx:
        done = store.disable_staff(tx, name, utc_stamp(now))
    if done:
        store.record_audit(f"staff:{name}", "staff_disabled", "", "ok")
    return done
