"""Rollups: a crafted prefecture of three counties (and a fourth known only by name), its complaints,
findings and kiosks set by hand, rolled up by the database into counties and townships. Each part is
checked against the figures worked out here, and each whole against the sum of its parts, on SQLite and
PostgreSQL; then the pages that show them, for a prefecture's and a county's supervisor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import sqlalchemy as sa

from kiosk.hub import lookup_guard, regions, report, stats
from kiosk.hub.db import complaints, users
from kiosk.hub.stats import Part, Rate
from tests.helpers.hub import complaint_payload

A, B, C, QUIET = "522301", "522302", "522323", "522328"
FIGURES = ("complaints", "findings", "at_stake_fen", "open", "kiosks", "kiosks_down")


def _crafted(office) -> None:  # type: ignore[no-untyped-def]
    store, now = office.store, office.clock.now
    with store.engine.begin() as conn:  # the official name of a county with nothing in it yet
        regions.upsert(conn, [(QUIET, "安龙县")])
    for kiosk, region in (
        ("k-a1", A + "100"),
        ("k-a2", A + "101"),
        ("k-b1", B + "100"),
        ("k-b2", B),
        ("k-c1", C + "100"),
    ):
        store.register_kiosk(kiosk, now, region=region)
    store.revoke_kiosk("k-b2", now)
    for kiosk in ("k-a1", "k-a2", "k-b1"):
        store.heartbeat(kiosk, {"outbox_backlog": 0}, now)  # k-c1 never reports: down
    day = dt.timedelta(days=1)
    filed = [  # (number, kiosk, category, owed fen, columns set by hand)
        (
            1,
            "k-a1",
            "not_received",
            10000,
            {"department": "县民政局", "status": "assigned", "due_at": now - day},
        ),
        (
            2,
            "k-a1",
            "not_received",
            20000,
            {"department": "县民政局", "status": "assigned", "due_at": now + 5 * day},
        ),
        (
            3,
            "k-a1",
            "amount_wrong",
            30000,
            {
                "department": "县民政局",
                "status": "closed",
                "due_at": now + day,
                "first_answer_at": now - dt.timedelta(hours=1),
                "closed_at": now,
            },
        ),
        (4, "k-a2", "check_finding", 5000, {}),
        (
            5,
            "k-b1",
            "not_received",
            7000,
            {"department": "县人社局", "status": "assigned", "due_at": now - 2 * day},
        ),
        (
            6,
            "k-b1",
            "not_received",
            7000,
            {"department": "县人社局", "due_at": now - 2 * day, "withdrawn_at": now},
        ),
    ]
    for number, kiosk, category, owed, columns in filed:
        payload = complaint_payload(number, kiosk=kiosk, category=category)
        payload["evidence"]["owed_fen"] = owed
        store.receive_complaint(kiosk, payload, now)
        if columns:
            with store.engine.begin() as conn:
                conn.execute(
                    sa.update(complaints).where(complaints.c.uuid == payload["uuid"]).values(**columns)
                )


def _numbers(part: Part) -> tuple:
    return (*(getattr(part, name) for name in FIGURES), part.overdue.part, part.overdue.whole)


def _sum(parts: list[Part]) -> tuple:
    return tuple(sum(column) for column in zip(*(_numbers(p) for p in parts), strict=True))


def test_a_prefecture_rolls_up_into_its_counties_and_the_whole_is_their_sum(office):
    _crafted(office)
    whole, parts = stats.rollup(office.store, "5223", office.clock.now)
    by_code = {p.code: p for p in parts}
    assert list(by_code) == [A, B, C, QUIET]
    assert by_code[A] == Part(A, "兴义市", 3, 1, 65000, 3, Rate(1, 3), 2, 0)
    assert by_code[B] == Part(B, "兴仁市", 1, 0, 7000, 1, Rate(1, 1), 1, 0)  # withdrawn and revoked left out
    assert by_code[C] == Part(C, "普安县", 0, 0, 0, 0, Rate(0, 0), 1, 1)
    assert by_code[QUIET] == Part(QUIET, "安龙县")
    assert _numbers(whole) == _sum(parts) == (4, 1, 72000, 4, 4, 1, 2, 4)


def test_a_county_rolls_up_into_its_townships_and_equals_its_row_in_the_prefecture(office):
    _crafted(office)
    _, counties = stats.rollup(office.store, "5223", office.clock.now)
    county, townships = stats.rollup(office.store, A, office.clock.now)
    assert [(t.code, t.complaints, t.findings, t.at_stake_fen, t.open, t.overdue) for t in townships] == [
        (A + "100", 3, 0, 60000, 2, Rate(1, 3)),
        (A + "101", 0, 1, 5000, 1, Rate(0, 0)),
    ]
    assert _numbers(county) == _sum(townships) == _numbers(next(p for p in counties if p.code == A))
    province, prefectures = stats.rollup(office.store, "52", office.clock.now)
    everything, tops = stats.rollup(office.store, "", office.clock.now)
    assert [p.code for p in prefectures] == ["5223"]
    assert _numbers(province) == _sum(prefectures) == _sum(counties)
    unplaced, guizhou = tops  # the fixture's kiosk-1 was registered without a region
    assert (unplaced.code, unplaced.name, unplaced.kiosks, guizhou.code, guizhou.name) == (
        "",
        "（未定地区）",
        1,
        "52",
        "贵州省",
    )
    assert _numbers(everything) == _sum(tops)


def test_a_month_window_counts_only_that_months_complaints(office):
    _crafted(office)
    start, end = report.Month(2030, 1).bounds()  # a month with none of them
    whole, parts = stats.rollup(office.store, "5223", office.clock.now, start, end)
    assert (whole.complaints, whole.findings, whole.at_stake_fen, whole.kiosks) == (0, 0, 0, 4)
    assert _sum(parts) == _numbers(whole)


def _rows(page: str) -> dict[str, list[str]]:
    """data-region → the cells of the rollup table's row, as text."""
    found = {}
    for code, cells in re.findall(r'<tr[^>]*data-region="(\d*)">(.*?)</tr>', page, re.S):
        found[code] = [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh]>(.*?)</t[dh]>", cells, re.S)
        ]
    return found


def test_the_dashboard_shows_the_accounts_region_with_its_subregions_side_by_side(office):
    _crafted(office)
    with office.store.engine.begin() as conn:
        conn.execute(users.update().where(users.c.name == "jiwei").values(region="5223"))
        conn.execute(users.update().where(users.c.name == "shenji").values(region=B))
    prefecture = _rows(office.sign_in("jiwei").get("/office/dashboard").get_data(as_text=True))
    assert set(prefecture) == {A, B, C, QUIET, "5223"}
    assert prefecture["5223"][1:] == ["4", "1", "720.00", "4", "50%（2/4）", "4", "1"]
    assert prefecture[A][1:] == ["3", "1", "650.00", "3", "33%（1/3）", "2", "0"]
    county_page = office.sign_in("shenji").get("/office/dashboard").get_data(as_text=True)
    assert "兴仁市" in county_page and "兴义市" not in county_page  # the county's auditor: its own only
    assert _rows(county_page)[B][1:] == ["1", "0", "70.00", "1", "100%（1/1）", "1", "0"]


def test_the_fleet_page_and_the_monthly_report_are_of_the_asked_region(office):
    _crafted(office)
    with office.store.engine.begin() as conn:
        conn.execute(users.update().where(users.c.name == "jiwei").values(region="5223"))
    assert [k.kiosk_id for k in stats.fleet(office.store, office.clock.now, A)] == ["k-a1", "k-a2"]
    client = office.sign_in("jiwei")
    for kiosk in ("k-a1", "k-c1"):  # both look up far more than their card reads explain: suspicious
        for _ in range(70):
            lookup_guard.account(office.store, kiosk, "id_number", None, office.clock.now)
    fleet = client.get(f"/office/fleet?region={C}").get_data(as_text=True)
    assert 'data-kiosk="k-c1"' in fleet and 'data-kiosk="k-a1"' not in fleet
    assert "k-c1：" in fleet and "k-a1" not in fleet  # another county's suspicious kiosk is not named
    month = office.clock.now.strftime("%Y-%m")
    page = client.get(f"/office/report?format=html&month={month}").get_data(as_text=True)
    assert "黔西南布依族苗族自治州" in page
    assert _rows(page)["5223"][1:4] == ["4", "1", "720.00"]
    narrowed = dataclasses.replace(report.Month.parse(month))
    assert (
        report.figures(office.store, narrowed, office.clock.now, B)["total"] == 2
    )  # both of 兴仁市's, one withdrawn
