"""Clinic staff accounts from the hub and typed lookups to it, through the relay against a real `kiosk hub`
(waitress, loopback): an account reaches only its kiosks, a PIN reset unlocks it, a disabled one is refused
at the kiosk after the next pull; a lookup arrives once, and waits while the hub is down."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from kiosk.config import DEMO_PERSON_KEY
from kiosk.core.staff import StaffError, badge_key
from kiosk.hub import staff as hub_staff
from kiosk.hub.db import staff_lookups
from kiosk.hub.store import HubStore
from kiosk.link.relay import Relay
from kiosk.services.staff import MAX_WRONG_PINS, sign_in
from kiosk.store import StaffLookup, open_store
from tests.helpers.hub import HubProcess

NOW = dt.datetime.now(dt.UTC)
BADGE = badge_key("chip", "A1B2C3D4", DEMO_PERSON_KEY)


@pytest.fixture
def hub(hub_db):
    started = HubProcess(hub_db)
    yield started
    started.stop()


def at_hub(hub, action) -> object:  # type: ignore[no-untyped-def]
    store = HubStore(hub.db)
    try:
        return action(store)
    finally:
        store.close()


def add(store, name: str, badge: str, kiosks: str) -> None:  # type: ignore[no-untyped-def]
    hub_staff.create_staff(
        store,
        name=name,
        title="卫生院工作人员",
        badge_kind="chip",
        badge=badge,
        pin="482916",
        kiosks=kiosks,
        secret=DEMO_PERSON_KEY,
        by="admin",
        now=NOW,
    )


def refused(store, badge: str, pin: str) -> str:  # type: ignore[no-untyped-def]
    try:
        sign_in(store, badge=badge, pin=pin, now=NOW)
    except StaffError as error:
        return error.code
    return ""


def test_accounts_follow_the_hub_disable_reset_and_scope(hub, tmp_path):
    secret = hub.register("kiosk-1")
    at_hub(hub, lambda s: (add(s, "王芳", "A1B2C3D4", ""), add(s, "李明", "A1B2C3D5", "kiosk-2")))
    hub.start()
    kiosk = open_store(tmp_path / "kiosk.db")
    relay = Relay(tmp_path / "kiosk.db", hub_url=hub.url, kiosk_id="kiosk-1", secret=secret, timeout=2)
    assert relay.pull_staff(NOW)
    assert [(a.name, a.source) for a in kiosk.staff_accounts()] == [("王芳", "hub")], "李明 is kiosk-2's"
    assert refused(kiosk, BADGE, "482916") == ""
    for _ in range(MAX_WRONG_PINS):
        refused(kiosk, BADGE, "000111")
    assert refused(kiosk, BADGE, "482916") == "locked"
    relay.pull_staff(NOW)
    assert refused(kiosk, BADGE, "482916") == "locked", "a pull without a reset keeps the lock"
    at_hub(hub, lambda s: hub_staff.reset_staff_pin(s, "王芳", "739104"))
    relay.pull_staff(NOW)
    assert refused(kiosk, BADGE, "482916") == "wrong_pin" and refused(kiosk, BADGE, "739104") == ""
    at_hub(hub, lambda s: hub_staff.disable_staff(s, "王芳", NOW))
    assert refused(kiosk, BADGE, "739104") == "", "works until the next pull"
    relay.pull_staff(NOW)
    assert refused(kiosk, BADGE, "739104") == "disabled"
    hub.stop()
    assert not relay.pull_staff(NOW), "a hub that is down changes nothing"
    assert refused(kiosk, BADGE, "739104") == "disabled"
    relay.store.close()


def test_a_local_account_is_never_replaced_by_the_hubs(hub, tmp_path):
    from kiosk.services.staff import add_staff

    secret = hub.register("kiosk-1")
    at_hub(hub, lambda s: add(s, "王芳", "A1B2C3D9", ""))
    hub.start()
    kiosk = open_store(tmp_path / "kiosk.db")
    add_staff(
        kiosk,
        name="王芳",
        title="村医",
        badge_kind="chip",
        badge="A1B2C3D4",
        pin="593716",
        secret=DEMO_PERSON_KEY,
        now=NOW,
    )
    relay = Relay(tmp_path / "kiosk.db", hub_url=hub.url, kiosk_id="kiosk-1", secret=secret, timeout=2)
    relay.pull_staff(NOW)
    [account] = kiosk.staff_accounts()
    assert account.source == "local" and account.title == "村医" and refused(kiosk, BADGE, "593716") == ""
    relay.store.close()


def lookup(n: int) -> StaffLookup:
    return StaffLookup(
        uuid=str(uuid.uuid4()),
        staff_name="王芳",
        staff_title="卫生院工作人员",
        reason="card_lost",
        masked_id="520102********1234",
        person_key=f"{n:032x}",
        outcome="found",
        at=NOW.isoformat(timespec="seconds"),
    )


def test_typed_lookups_reach_the_hub_once_and_wait_while_it_is_down(hub, tmp_path):
    secret = hub.register("kiosk-1")
    kiosk = open_store(tmp_path / "kiosk.db")
    with kiosk.transaction() as tx:
        for n in range(3):
            kiosk.record_staff_lookup(tx, lookup(n))
    relay = Relay(tmp_path / "kiosk.db", hub_url=hub.url, kiosk_id="kiosk-1", secret=secret, timeout=2)
    assert relay.deliver_staff_lookups(NOW) == 0 and kiosk.staff_lookup_backlog() == 3
    hub.start()
    # the first one tried waits for its retry time; the hub being down, the others were not tried yet
    assert relay.deliver_staff_lookups(NOW) == 2 and kiosk.staff_lookup_backlog() == 1
    later = NOW + dt.timedelta(minutes=2)
    assert relay.deliver_staff_lookups(later) == 1 and kiosk.staff_lookup_backlog() == 0
    with kiosk.transaction() as tx:  # as if the acknowledgement had been lost: sent again
        tx.execute("UPDATE staff_lookups SET delivered_at = NULL")
    assert relay.deliver_staff_lookups(later) == 3
    hub.stop()

    def count(store) -> int:  # type: ignore[no-untyped-def]
        with store.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(staff_lookups)).scalar()

    assert at_hub(hub, count) == 3

    def audited(store) -> list[tuple]:  # type: ignore[no-untyped-def]
        return [
            (e["actor"], e["subject"], e["outcome"])
            for e in store.audit_entries()
            if e["action"] == "staff_lookup"
        ]

    assert at_hub(hub, audited) == [("kiosk-1/staff:王芳", "520102********1234", "found: card_lost")] * 3
    relay.store.close()


def test_an_account_for_a_township_reaches_the_kiosks_registered_there(hub, tmp_path):
    import subprocess

    from tests.helpers.kiosk_process import KIOSK

    secret = subprocess.run(
        [KIOSK, "hub", "--db", str(hub.db), "--register", "clinic-9", "--township", "者楼镇"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    at_hub(
        hub, lambda s: add(s, "赵云", "A1B2C3D4", "") or hub_staff.set_staff_kiosks(s, "赵云", "", "者楼镇")
    )
    hub.start()
    kiosk = open_store(tmp_path / "kiosk.db")
    relay = Relay(tmp_path / "kiosk.db", hub_url=hub.url, kiosk_id="clinic-9", secret=secret, timeout=2)
    assert relay.pull_staff(NOW) and [a.name for a in kiosk.staff_accounts()] == ["赵云"]
    relay.store.close()
