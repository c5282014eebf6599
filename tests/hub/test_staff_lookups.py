"""The hub's side of clinic staff: the administrator's accounts and what a kiosk pulls of them, the kiosks'
reports of typed lookups (kept once, checked at intake), and the supervisors' list with its flags on a
crafted set of lookups, exported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import sqlalchemy as sa

from kiosk.config import DEMO_PERSON_KEY
from kiosk.core.staff import StaffError, badge_key
from kiosk.hub import staff
from kiosk.hub.db import persons, villages
from kiosk.link import schemas
from tests.helpers.hub import START, complaint_payload

HELPERS = {"many": 25, "few-a": 2, "few-b": 2, "few-c": 3}


def key_of(n: int) -> str:
    return f"{n:032x}"


def lookup(helper: str, person: int, at: dt.datetime, *, kiosk_outcome: str = "found") -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "staff_name": helper,
        "staff_title": "卫生院工作人员",
        "reason": "card_lost",
        "masked_id": "520102********1234",
        "person_key": key_of(person),
        "outcome": kiosk_outcome,
        "at": at.isoformat(),
    }


def roster(store) -> None:  # type: ignore[no-untyped-def]
    """Two villages; persons 1–9 live in 东村 (the kiosk's), persons 10+ in 西村."""
    with store.engine.begin() as conn:
        conn.execute(
            villages.insert(),
            [
                {"code": "E", "name": "东村", "township": "镇"},
                {"code": "W", "name": "西村", "township": "镇"},
            ],
        )
        conn.execute(
            persons.insert(),
            [
                {
                    "id": n,
                    "id_number": f"5201021970010{n:04d}X"[:18],
                    "person_key": key_of(n),
                    "name": f"居民{n}",
                    "gender": "F",
                    "birth_on": dt.date(1950, 1, 1),
                    "village_code": "E" if n < 10 else "W",
                    "household": f"{n}",
                }
                for n in range(1, 40)
            ],
        )


def test_accounts_reach_only_the_kiosks_they_are_for_and_not_when_disabled(office):
    store = office.store
    make = dict(
        title="卫生院工作人员", badge_kind="chip", pin="482916", secret=DEMO_PERSON_KEY, by="admin", now=START
    )
    staff.create_staff(store, name="王芳", badge="A1B2C3D4", kiosks="", **make)
    staff.create_staff(store, name="李明", badge="A1B2C3D5", kiosks="kiosk-2", **make)
    staff.create_staff(store, name="张华", badge="A1B2C3D6", kiosks="kiosk-1,kiosk-3", **make)
    assert sorted(a["name"] for a in staff.staff_for_kiosk(store, "kiosk-1")) == ["张华", "王芳"]
    [account] = [a for a in staff.staff_for_kiosk(store, "kiosk-1") if a["name"] == "王芳"]
    assert account["badge_key"] == badge_key("chip", "a1b2c3d4", DEMO_PERSON_KEY)
    assert account["pin_hash"].startswith("$argon2id$") and "482916" not in str(account)
    store.register_kiosk("kiosk-5", START, township="者楼镇")
    staff.create_staff(store, name="赵云", badge="A1B2C3D7", kiosks="", townships="者楼镇， 巧马镇", **make)
    assert sorted(a["name"] for a in staff.staff_for_kiosk(store, "kiosk-5")) == ["王芳", "赵云"]
    assert "赵云" not in [a["name"] for a in staff.staff_for_kiosk(store, "kiosk-1")], (
        "kiosk-1 has no township"
    )
    staff.disable_staff(store, "王芳", START)
    assert [a["name"] for a in staff.staff_for_kiosk(store, "kiosk-1")] == ["张华"]
    assert [a["name"] for a in staff.staff_for_kiosk(store, "kiosk-5")] == ["赵云"]
    version = next(a for a in staff.list_staff(store) if a["name"] == "张华")["version"]
    assert staff.reset_staff_pin(store, "张华", "739104")
    assert next(a for a in staff.list_staff(store) if a["name"] == "张华")["version"] == version + 1


def test_a_taken_name_or_badge_and_a_weak_pin_are_refused(office):
    store = office.store
    make = dict(title="", badge_kind="chip", secret=DEMO_PERSON_KEY, by="admin", now=START, kiosks="")
    staff.create_staff(store, name="王芳", badge="A1B2C3D4", pin="482916", **make)
    for name, badge, pin, code in (
        ("王芳", "A1B2C3D9", "482916", "taken"),
        ("李明", "a1b2c3d4", "482916", "taken"),
        ("李明", "A1B2C3D9", "123456", "bad_pin"),
        ("李明", "not hex", "482916", "bad_badge"),
    ):
        try:
            staff.create_staff(store, name=name, badge=badge, pin=pin, **make)
        except StaffError as error:
            assert error.code == code
        else:
            raise AssertionError(f"{name} {badge} {pin} was accepted")


def test_a_lookup_report_is_kept_once_and_a_full_number_never_passes_intake():
    payload = lookup("王芳", 1, START)
    assert schemas.problem(schemas.STAFF_LOOKUP, payload) is None
    assert schemas.problem(schemas.STAFF_LOOKUP, {**payload, "masked_id": "520102197001011234"}) is not None
    assert schemas.problem(schemas.STAFF_LOOKUP, {**payload, "reason": "curious"}) is not None
    assert schemas.problem(schemas.STAFF_LOOKUP, {**payload, "id_number": "520102197001011234"}) is not None


def test_the_flags_on_a_crafted_set_of_lookups(office):
    store = office.store
    roster(store)
    office.file(1, person_key=key_of(2))  # 东村 residents use kiosk-1 with their own cards: its home village
    first = START - dt.timedelta(days=3)
    kept = []
    person = 1
    for helper, count in HELPERS.items():
        for n in range(count):
            resident = (
                11 if (helper == "few-a" and n == 0) else (person % 9) + 1
            )  # one 西村 resident for few-a
            person += 1
            kept.append(lookup(helper, resident, first + dt.timedelta(minutes=len(kept))))
    kept.append(lookup("few-b", 5, first + dt.timedelta(hours=5), kiosk_outcome="refused"))
    complained = lookup(
        "few-c", 30, first + dt.timedelta(hours=6)
    )  # 西村 person 30, who complains afterwards
    kept.append(complained)
    for item in kept:
        assert staff.receive_lookup(store, "kiosk-1", item, START)
    assert not staff.receive_lookup(store, "kiosk-1", kept[0], START), "a retry is kept once"
    office.clock.advance(seconds=60)
    store.register_kiosk("kiosk-2", START)  # the resident complains at their own village's kiosk, afterwards
    store.receive_complaint(
        "kiosk-2", complaint_payload(2, person_key=key_of(30), kiosk="kiosk-2"), office.clock.now
    )
    report = staff.lookup_report(store, START - dt.timedelta(days=30), START + dt.timedelta(days=1))
    by_staff = {line["staff_name"]: line for line in report.summary}
    assert by_staff["many"]["many"] and by_staff["many"]["lookups"] == 25
    assert not any(by_staff[name]["many"] for name in ("few-a", "few-b", "few-c"))
    assert by_staff["few-a"]["other_village"] == 1 and by_staff["many"]["other_village"] == 0
    assert by_staff["few-b"]["refused"] == 1
    assert by_staff["few-c"]["complained"] == 1 and by_staff["few-c"]["other_village"] == 1
    [row] = [r for r in report.rows if r["uuid"] == complained["uuid"]]
    assert "complained" in row["flags"] and row["complaints_after"]
    assert row["village_name"] == "西村"


def test_the_supervisors_page_and_export_show_the_flags_and_only_masked_numbers(office):
    store = office.store
    roster(store)
    office.file(1, person_key=key_of(2))
    for n in range(25):
        staff.receive_lookup(
            store, "kiosk-1", lookup("many", (n % 9) + 1, START - dt.timedelta(hours=n)), START
        )
    staff.receive_lookup(store, "kiosk-1", lookup("few", 12, START - dt.timedelta(hours=1)), START)
    staff.receive_lookup(store, "kiosk-1", lookup("other", 3, START - dt.timedelta(hours=2)), START)
    client = office.sign_in("jiwei")
    page = client.get("/office/staff-lookups").get_data(as_text=True)
    assert 'data-staff="many"' in page and 'data-flag="many"' in page and 'data-flag="other_village"' in page
    assert "520102********1234" in page and "5201021970" not in page
    exported = client.get("/office/staff-lookups.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == staff.LOOKUP_HEADERS and len(rows) == 28
    assert any("不是本终端常见村的居民" in row[8] for row in rows[1:])
    audit = [e["action"] for e in store.audit_entries()]
    assert "read_staff_lookups" in audit and "export_staff_lookups" in audit


def test_the_administrators_staff_page_creates_and_disables(office):
    client = office.sign_in("admin")
    page = client.get("/office/staff").get_data(as_text=True)
    from tests.helpers.hub import csrf_of

    token = csrf_of(page)
    form = {
        "csrf": token,
        "name": "王芳",
        "title": "卫生院工作人员",
        "badge_kind": "chip",
        "badge": "A1B2C3D4",
        "pin": "482916",
    }
    assert client.post("/office/staff", data=form).status_code == 303
    assert client.post("/office/staff", data=form).status_code == 400, "the same name twice"
    weak = client.post("/office/staff", data={**form, "name": "李明", "badge": "A1B2C3D5", "pin": "111111"})
    assert weak.status_code == 400 and "密码太简单" in weak.get_data(as_text=True)
    listed = client.get("/office/staff").get_data(as_text=True)
    assert 'data-staff="王芳"' in listed and "A1B2C3D4" not in listed and "482916" not in listed
    assert client.post("/office/staff/王芳/disable", data={"csrf": token}).status_code == 303
    assert staff.staff_for_kiosk(office.store, "kiosk-1") == []
    with office.store.engine.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE action = 'add_staff'")).scalar() == 3
        )
