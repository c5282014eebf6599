"""Every back-office route × every role, and × the account's region (the complaint's own county, the
prefecture above it, a sibling county): allowed or refused, as written out here (not derived from the
code's own permission table, so a change to either shows up as a failure). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from kiosk.hub import cases
from kiosk.hub.accounts import User
from kiosk.hub.db import users
from kiosk.hub.staff import staff_for_kiosk
from tests.helpers.hub import csrf_of

ROLES = ("admin", "supervisor", "handler", "auditor")
SIGN_IN = {"admin": "admin", "supervisor": "jiwei", "handler": "minzheng", "auditor": "shenji"}
SUPERVISOR = User("jiwei", "supervisor", None)

# (method, route, state the complaint must be in, expected status per role in ROLES order)
MATRIX = [
    ("GET", "/office/", None, (403, 200, 200, 200)),
    ("GET", "/office/complaints/{id}", "assigned", (403, 200, 200, 200)),
    ("POST", "/office/complaints/{id}/assign", "received", (403, 303, 403, 403)),
    ("POST", "/office/complaints/{id}/verify", "assigned", (403, 303, 303, 403)),
    ("POST", "/office/complaints/{id}/interim", "verifying", (403, 303, 303, 403)),
    ("POST", "/office/complaints/{id}/answer", "verifying", (403, 303, 303, 403)),
    ("POST", "/office/complaints/{id}/close", "answered", (403, 303, 403, 403)),
    ("POST", "/office/complaints/{id}/reopen", "closed", (403, 303, 403, 403)),
    ("GET", "/office/export.csv", None, (403, 200, 403, 200)),
    ("GET", "/office/export.xlsx", None, (403, 200, 403, 200)),
    ("GET", "/office/dashboard", None, (403, 200, 403, 200)),
    ("GET", "/office/patterns", None, (403, 200, 403, 200)),  # where problems cluster: supervision's
    ("GET", "/office/grouped", None, (403, 200, 200, 200)),  # the inbox by person: a handler sees their own
    ("GET", "/office/report", None, (403, 200, 403, 200)),
    ("GET", "/office/fleet", None, (200, 200, 403, 200)),
    ("GET", "/office/audit", None, (403, 403, 403, 200)),
    ("GET", "/office/audit.csv", None, (403, 403, 403, 200)),
    ("GET", "/office/audit.xlsx", None, (403, 403, 403, 200)),
    ("GET", "/office/users", None, (200, 403, 403, 403)),
    ("POST", "/office/users", None, (303, 403, 403, 403)),
    ("POST", "/office/users/renshe/unlock", None, (303, 403, 403, 403)),
    ("POST", "/office/users/renshe/disable", None, (303, 403, 403, 403)),
    ("POST", "/office/departments", None, (303, 403, 403, 403)),
    ("POST", "/office/users/renshe/reset", None, (200, 403, 403, 403)),  # the one-time token, shown once
    ("GET", "/office/staff", None, (200, 403, 403, 403)),  # clinic staff accounts: the administrator's
    ("POST", "/office/staff", None, (303, 403, 403, 403)),
    ("POST", "/office/staff/li-yisheng/reset", None, (303, 403, 403, 403)),
    ("POST", "/office/staff/li-yisheng/kiosks", None, (303, 403, 403, 403)),
    ("POST", "/office/staff/li-yisheng/disable", None, (303, 403, 403, 403)),
    ("GET", "/office/staff-lookups", None, (403, 200, 403, 200)),  # who looked up whom: supervision's
    ("GET", "/office/staff-lookups.csv", None, (403, 200, 403, 200)),
    ("GET", "/office/staff-lookups.xlsx", None, (403, 200, 403, 200)),
    ("GET", "/office/resets", None, (200, 200, 403, 403)),
    ("POST", "/office/resets/999999/approve", None, (400, 400, 403, 403)),  # may approve; no such reset
    ("GET", "/office/reset/not-a-token", None, (404, 404, 404, 404)),  # public: the token is the credential
    ("POST", "/office/reset/not-a-token", None, (404, 404, 404, 404)),
    ("POST", "/office/notice/dismiss", None, (303, 303, 303, 303)),
    ("GET", "/office/second-factor", None, (303, 303, 303, 303)),  # already signed in: sent home
    ("POST", "/office/second-factor", None, (303, 303, 303, 303)),
    ("GET", "/office/login", None, (200, 200, 200, 200)),
    ("POST", "/office/login", None, (401, 401, 401, 401)),  # public; no credentials in this form
    ("POST", "/office/logout", None, (303, 303, 303, 303)),
]
FORMS = {
    "assign": {"department": "县民政局"},
    "interim": {"reply": "还在核实，请再等几天", "due": "2026-12-10"},
    "answer": {"outcome": "resolved", "reply": "已补发"},
    "/office/users": {
        "name": "new-auditor",
        "role": "auditor",
        "password": "another long passphrase",
        "region": "522301",  # where the complaint is; the unscoped accounts of MATRIX may create anywhere
    },
    "/office/departments": {"name": "县财政局"},
    "/office/staff": {
        "name": "li-yisheng",
        "title": "卫生院医生",
        "badge_kind": "chip",
        "badge": "A1B2C3D4",
        "pin": "482916",
    },
    "/office/staff/li-yisheng/reset": {"pin": "739104"},
    "/office/staff/li-yisheng/kiosks": {"kiosks": "clinic-7, clinic-8"},
}


def _in_state(office, number: int, state: str | None) -> int:  # type: ignore[no-untyped-def]
    complaint = office.file(number)
    steps = {
        "received": [],
        "assigned": ["assign"],
        "verifying": ["assign", "verify"],
        "answered": ["assign", "verify", "answer"],
        "closed": ["assign", "verify", "answer", "close"],
    }
    for step in steps.get(state or "received", []):
        cases.act(office.store, complaint, SUPERVISOR, step, {**FORMS.get(step, {})}, office.clock.now)
    return complaint


def test_every_office_route_is_in_the_matrix(office):
    routes = {
        (method, rule.rule)
        for rule in office.app.url_map.iter_rules()
        if rule.rule.startswith("/office")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = set()
    for method, route, _, _ in MATRIX:
        if "/complaints/{id}/" in route:
            covered.add((method, "/office/complaints/<int(max=2147483647):complaint_id>/<action>"))
        elif route == "/office/complaints/{id}":
            covered.add((method, "/office/complaints/<int(max=2147483647):complaint_id>"))
        elif route.startswith("/office/users/") and route.endswith("/reset"):
            covered.add((method, "/office/users/<name>/reset"))
        elif route.startswith("/office/users/"):
            covered.add((method, "/office/users/<name>/<action>"))
        elif route.startswith("/office/staff/"):
            covered.add((method, "/office/staff/<name>/<action>"))
        elif route.startswith("/office/resets/"):
            covered.add((method, "/office/resets/<int(max=2147483647):reset_id>/approve"))
        elif route.startswith("/office/reset/"):
            covered.add((method, "/office/reset/<token>"))
        elif route.startswith(("/office/export.", "/office/audit.", "/office/staff-lookups.")):
            covered.add((method, route.split(".")[0] + ".<kind>"))
        else:
            covered.add((method, route))
    assert routes == covered


@pytest.mark.parametrize("role", ROLES)
def test_each_route_allows_or_refuses_each_role(office, role):
    _walk(office, role, [(method, route, state, expected) for method, route, state, expected in MATRIX])


# The complaint (filed at a kiosk of 兴义市's township 522301100) and the account renshe are in 兴义市, 522301.
# Each role's account is placed in that county (own), in its prefecture 黔西南州 (parent: sees its counties),
# or in 兴仁市 (sibling: sees none of it). Pages of a region are asked for 兴义市 (?region=522301); a new
# account is asked for there too. Per relation, the status each role in ROLES order gets.
COUNTY, PREFECTURE, SIBLING = "522301", "5223", "522302"
RELATIONS = {"own": COUNTY, "parent": PREFECTURE, "sibling": SIBLING}
# (method, route, state, statuses in ROLES order for own, for parent, for sibling)
# fmt: off
REGION_MATRIX = [
    ("GET", "/office/", None, (403, 200, 200, 200), (403, 200, 200, 200), (403, 200, 200, 200)),
    ("GET", "/office/complaints/{id}", "assigned", (403, 200, 200, 200), (403, 200, 200, 200), (403, 404, 404, 404)),
    ("POST", "/office/complaints/{id}/assign", "received", (403, 303, 403, 403), (403, 303, 403, 403), (403, 404, 403, 403)),
    ("POST", "/office/complaints/{id}/verify", "assigned", (403, 303, 303, 403), (403, 303, 303, 403), (403, 404, 404, 403)),
    ("POST", "/office/complaints/{id}/interim", "verifying", (403, 303, 303, 403), (403, 303, 303, 403), (403, 404, 404, 403)),
    ("POST", "/office/complaints/{id}/answer", "verifying", (403, 303, 303, 403), (403, 303, 303, 403), (403, 404, 404, 403)),
    ("POST", "/office/complaints/{id}/close", "answered", (403, 303, 403, 403), (403, 303, 403, 403), (403, 404, 403, 403)),
    ("POST", "/office/complaints/{id}/reopen", "closed", (403, 303, 403, 403), (403, 303, 403, 403), (403, 404, 403, 403)),
    ("GET", "/office/export.csv?region=522301", None, (403, 200, 403, 200), (403, 200, 403, 200), (403, 200, 403, 200)),
    ("GET", "/office/export.xlsx", None, (403, 200, 403, 200), (403, 200, 403, 200), (403, 200, 403, 200)),
    ("GET", "/office/dashboard?region=522301", None, (403, 200, 403, 200), (403, 200, 403, 200), (403, 403, 403, 403)),
    ("GET", "/office/dashboard", None, (403, 200, 403, 200), (403, 200, 403, 200), (403, 200, 403, 200)),
    ("GET", "/office/dashboard?region=5223", None, (403, 403, 403, 403), (403, 200, 403, 200), (403, 403, 403, 403)),
    ("GET", "/office/patterns?region=522301", None, (403, 200, 403, 200), (403, 200, 403, 200), (403, 403, 403, 403)),
    ("GET", "/office/grouped?region=522301", None, (403, 200, 200, 200), (403, 200, 200, 200), (403, 200, 200, 200)),
    ("GET", "/office/report?region=522301", None, (403, 200, 403, 200), (403, 200, 403, 200), (403, 403, 403, 403)),
    ("GET", "/office/report?region=52", None, (403, 403, 403, 403), (403, 403, 403, 403), (403, 403, 403, 403)),
    ("GET", "/office/fleet?region=522301", None, (200, 200, 403, 200), (200, 200, 403, 200), (403, 403, 403, 403)),
    ("GET", "/office/fleet?region=not-a-code", None, (400, 400, 403, 400), (400, 400, 403, 400), (400, 400, 403, 400)),
    ("GET", "/office/audit", None, (403, 403, 403, 200), (403, 403, 403, 200), (403, 403, 403, 200)),
    ("GET", "/office/audit.csv", None, (403, 403, 403, 200), (403, 403, 403, 200), (403, 403, 403, 200)),
    ("GET", "/office/audit.xlsx", None, (403, 403, 403, 200), (403, 403, 403, 200), (403, 403, 403, 200)),
    ("GET", "/office/users", None, (200, 403, 403, 403), (200, 403, 403, 403), (200, 403, 403, 403)),
    ("POST", "/office/users", None, (303, 403, 403, 403), (303, 403, 403, 403), (400, 403, 403, 403)),
    ("POST", "/office/users/renshe/unlock", None, (303, 403, 403, 403), (303, 403, 403, 403), (404, 403, 403, 403)),
    ("POST", "/office/users/renshe/disable", None, (303, 403, 403, 403), (303, 403, 403, 403), (404, 403, 403, 403)),
    ("POST", "/office/departments", None, (303, 403, 403, 403), (303, 403, 403, 403), (303, 403, 403, 403)),
    ("POST", "/office/users/renshe/reset", None, (200, 403, 403, 403), (200, 403, 403, 403), (404, 403, 403, 403)),
    ("GET", "/office/staff", None, (200, 403, 403, 403), (200, 403, 403, 403), (200, 403, 403, 403)),
    ("POST", "/office/staff", None, (303, 403, 403, 403), (303, 403, 403, 403), (303, 403, 403, 403)),
    ("POST", "/office/staff/li-yisheng/reset", None, (303, 403, 403, 403), (303, 403, 403, 403), (303, 403, 403, 403)),
    ("POST", "/office/staff/li-yisheng/kiosks", None, (303, 403, 403, 403), (303, 403, 403, 403), (303, 403, 403, 403)),
    ("POST", "/office/staff/li-yisheng/disable", None, (303, 403, 403, 403), (303, 403, 403, 403), (303, 403, 403, 403)),
    ("GET", "/office/staff-lookups?region=522301", None, (403, 200, 403, 200), (403, 200, 403, 200), (403, 403, 403, 403)),
    ("GET", "/office/staff-lookups.csv", None, (403, 200, 403, 200), (403, 200, 403, 200), (403, 200, 403, 200)),
    ("GET", "/office/staff-lookups.xlsx", None, (403, 200, 403, 200), (403, 200, 403, 200), (403, 200, 403, 200)),
    ("GET", "/office/resets", None, (200, 200, 403, 403), (200, 200, 403, 403), (200, 200, 403, 403)),
    ("POST", "/office/resets/999999/approve", None, (400, 400, 403, 403), (400, 400, 403, 403), (400, 400, 403, 403)),
    ("GET", "/office/reset/not-a-token", None, (404, 404, 404, 404), (404, 404, 404, 404), (404, 404, 404, 404)),
    ("POST", "/office/reset/not-a-token", None, (404, 404, 404, 404), (404, 404, 404, 404), (404, 404, 404, 404)),
    ("POST", "/office/notice/dismiss", None, (303, 303, 303, 303), (303, 303, 303, 303), (303, 303, 303, 303)),
    ("GET", "/office/second-factor", None, (303, 303, 303, 303), (303, 303, 303, 303), (303, 303, 303, 303)),
    ("POST", "/office/second-factor", None, (303, 303, 303, 303), (303, 303, 303, 303), (303, 303, 303, 303)),
    ("GET", "/office/login", None, (200, 200, 200, 200), (200, 200, 200, 200), (200, 200, 200, 200)),
    ("POST", "/office/login", None, (401, 401, 401, 401), (401, 401, 401, 401), (401, 401, 401, 401)),
    ("POST", "/office/logout", None, (303, 303, 303, 303), (303, 303, 303, 303), (303, 303, 303, 303)),
]
# fmt: on


def test_the_region_matrix_covers_every_route_of_the_role_matrix():
    assert {(m, r.split("?")[0]) for m, r, *_ in REGION_MATRIX} == {(m, r) for m, r, _, _ in MATRIX}


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_each_route_allows_or_refuses_each_role_in_each_region(office, role, relation):
    office.store.register_kiosk("kiosk-1", office.clock.now, region=COUNTY + "100")
    with office.store.engine.begin() as conn:
        conn.execute(users.update().where(users.c.name == "renshe").values(region=COUNTY))
        conn.execute(users.update().where(users.c.name == SIGN_IN[role]).values(region=RELATIONS[relation]))
    column = list(RELATIONS).index(relation)
    _walk(office, role, [(m, route, state, statuses[column]) for m, route, state, *statuses in REGION_MATRIX])


def _walk(office, role: str, rows: list) -> None:  # type: ignore[no-untyped-def]
    """Ask for every (method, route) in `rows` as `role`'s account; each must get its expected status."""
    client = office.sign_in(SIGN_IN[role])
    for number, (method, route, state, expected) in enumerate(rows, start=1):
        complaint = _in_state(office, number, state) if "{id}" in route else None
        path = route.format(id=complaint)
        if method == "GET":
            response = client.get(path)
        else:
            page = client.get("/office/login").get_data(as_text=True)  # any page carries the session's token
            token = csrf_of(page) if 'name="csrf"' in page else _token(client)
            form = {"csrf": token, **FORMS.get(path.rsplit("/", 1)[-1], FORMS.get(path, {}))}
            response = client.post(path, data=form)
        want = expected[ROLES.index(role)] if isinstance(expected, tuple) else expected
        assert response.status_code == want, f"{role} {method} {route}: {response.status_code}, want {want}"
        if route == "/office/logout":
            client = office.sign_in(SIGN_IN[role])


def _token(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/office/fleet").get_data(as_text=True)
    if 'name="csrf"' not in page:
        page = client.get("/office/").get_data(as_text=True)
    return csrf_of(page)


def test_a_handler_sees_only_their_departments_complaints(office):
    mine, theirs, unassigned = office.file(1), office.file(2), office.file(3)
    cases.act(office.store, mine, SUPERVISOR, "assign", {"department": "县民政局"}, office.clock.now)
    cases.act(
        office.store, theirs, SUPERVISOR, "assign", {"department": "县人力资源和社会保障局"}, office.clock.now
    )
    client = office.sign_in("minzheng")
    listed = client.get("/office/").get_data(as_text=True)
    assert f'/office/complaints/{mine}"' in listed
    assert f'/office/complaints/{theirs}"' not in listed and f'/office/complaints/{unassigned}"' not in listed
    assert client.get(f"/office/complaints/{theirs}").status_code == 404
    token = csrf_of(client.get(f"/office/complaints/{mine}").get_data(as_text=True))
    assert client.post(f"/office/complaints/{theirs}/verify", data={"csrf": token}).status_code == 404
    assert office.store.complaint_by_id(theirs)["status"] == "assigned"


def test_an_administrator_keeps_only_their_own_regions_clinic_staff(office):
    """A county's administrator creates staff accounts for that county's kiosks, sees and manages only
    those; an account "for every kiosk" reaches every kiosk of its region and none beyond."""
    office.store.register_kiosk("kiosk-1", office.clock.now, region=COUNTY + "100")
    office.store.register_kiosk("kiosk-2", office.clock.now, region=SIBLING + "100")
    with office.store.engine.begin() as conn:
        conn.execute(users.update().where(users.c.name == "admin").values(region=COUNTY))
    client = office.sign_in("admin")
    token = csrf_of(client.get("/office/staff").get_data(as_text=True))
    form = {**FORMS["/office/staff"], "kiosks": "", "csrf": token}
    assert client.post("/office/staff", data=form).status_code == 303
    assert [s["name"] for s in staff_for_kiosk(office.store, "kiosk-1")] == ["li-yisheng"]
    assert staff_for_kiosk(office.store, "kiosk-2") == []  # another county's kiosk
    with office.store.engine.begin() as conn:
        conn.execute(users.update().where(users.c.name == "admin").values(region=SIBLING))
    assert "li-yisheng" not in client.get("/office/staff").get_data(as_text=True)
    for action, extra in (("reset", {"pin": "739104"}), ("kiosks", {"kiosks": "kiosk-2"}), ("disable", {})):
        answer = client.post(f"/office/staff/li-yisheng/{action}", data={"csrf": token, **extra})
        assert answer.status_code == 404, action
    assert [s["name"] for s in staff_for_kiosk(office.store, "kiosk-1")] == ["li-yisheng"]  # unchanged
