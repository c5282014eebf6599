"""Figures for the dashboards and the monthly report: counts by village, programme, category, status and
month; time to first answer and to close; overdue rate per department; the kiosk fleet's health.

Every rate carries its sample size (`Rate`), and rankings leave out groups too small to rank (fewer than
MIN_SAMPLE complaints), so one village with one late answer is not "the worst in the county".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from kiosk.core.clock import CHINA
from kiosk.core.version import software_version
from kiosk.hub.db import as_utc, complaints, heartbeat_hours, heartbeats, kiosks, programmes, villages
from kiosk.hub.store import HubStore

MIN_SAMPLE = 5
OLD_DATA_DAYS = 45  # a kiosk whose ledger is older than this is flagged on the fleet page


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.part / self.whole if self.whole else None

    def __str__(self) -> str:
        shown = f"{self.percent:.0f}%" if self.percent is not None else "—"
        return f"{shown}（{self.part}/{self.whole}）"

    @property
    def rankable(self) -> bool:
        return self.whole >= MIN_SAMPLE


def _window(c, start: dt.datetime | None, end: dt.datetime | None) -> list:  # type: ignore[no-untyped-def]
    clauses = []
    if start is not None:
        clauses.append(c.received_at >= start)
    if end is not None:
        clauses.append(c.received_at < end)
    return clauses


EMPTY_LABELS = {  # what a group without a value is: said in words, never "（未填）"
    "programme": "（不涉及具体项目）",
    "category": "（无类别）",
    "village": "（名册外）",
    "department": "（未分派）",
}


@dataclass(frozen=True)
class Story:
    """The month's first page: what came in (complaints and findings apart, withdrawals counted apart), the
    money it is about and what was recovered, and where it clusters (village × programme, by money)."""

    complaints: int
    findings: int
    withdrawn: int
    at_stake_fen: int
    recovered_cases: int
    recovered_fen: int
    hotspots: list[tuple[str, str, int, int]]  # (village, programme, cases, fen), the most money first


def month_story(store: HubStore, start: dt.datetime, end: dt.datetime, *, top: int = 5) -> Story:
    c = complaints.c
    window = _window(c, start, end)
    live = [*window, c.withdrawn_at.is_(None)]
    with store.engine.connect() as conn:
        findings = sa.func.sum(sa.case((c.category == "check_finding", 1), else_=0))
        total, found, fen = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(findings, 0),
                sa.func.coalesce(sa.func.sum(c.at_stake_fen), 0),
            ).where(*live)
        ).one()
        withdrawn = conn.execute(
            sa.select(sa.func.count()).where(*window, c.withdrawn_at.is_not(None))
        ).scalar_one()
        spots = conn.execute(
            sa.select(
                sa.func.coalesce(villages.c.name, c.village_code),
                sa.func.coalesce(programmes.c.name, c.programme),
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(c.at_stake_fen), 0),
            )
            .select_from(
                complaints.outerjoin(villages, villages.c.code == c.village_code).outerjoin(
                    programmes, programmes.c.code == c.programme
                )
            )
            .where(*live)
            .group_by(villages.c.name, c.village_code, programmes.c.name, c.programme)
        ).all()
    cases, money = recovered(store, start, end)
    hotspots = sorted(
        (
            (str(v or EMPTY_LABELS["village"]), str(p or EMPTY_LABELS["programme"]), int(n), int(f))
            for v, p, n, f in spots
        ),
        key=lambda spot: (-spot[3], -spot[2], spot[0]),
    )[:top]
    return Story(int(total) - int(found), int(found), int(withdrawn), int(fen), cases, money, hotspots)


def recovered(store: HubStore, start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """(cases, fen) of the money recovered by the answers given between `start` and `end`."""
    c = complaints.c
    with store.engine.connect() as conn:
        cases, fen = conn.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c.recovered_fen), 0)).where(
                c.answered_at >= start, c.answered_at < end, c.recovered_fen > 0
            )
        ).one()
    return int(cases), int(fen)


def findings_by_check(store: HubStore, start: dt.datetime, end: dt.datetime) -> list[tuple[str, int]]:
    """(the check's title, new finding cases) received between `start` and `end`, most first."""
    c = complaints.c
    tally: dict[str, int] = {}
    with store.engine.connect() as conn:
        for (payload,) in conn.execute(
            sa.select(c.payload).where(c.category == "check_finding", *_window(c, start, end))
        ):
            finding = (json.loads(payload).get("evidence") or {}).get("finding") or {}
            title = str(finding.get("title") or finding.get("check") or "")
            tally[title] = tally.get(title, 0) + 1
    return sorted(tally.items(), key=lambda item: -item[1])


def counts_by(
    store: HubStore, column: str, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[tuple[str, int]]:
    """(label, count) by 'village', 'programme', 'category', 'status' or 'department', largest first."""
    c = complaints.c
    where = _window(c, start, end)
    with store.engine.connect() as conn:
        if column == "village":
            query = (
                sa.select(sa.func.coalesce(villages.c.name, c.village_code, "（名册外）"), sa.func.count())
                .select_from(complaints.outerjoin(villages, villages.c.code == c.village_code))
                .where(*where)
                .group_by(villages.c.name, c.village_code)
            )
        elif column == "programme":
            query = (
                sa.select(sa.func.coalesce(programmes.c.name, c.programme), sa.func.count())
                .select_from(complaints.outerjoin(programmes, programmes.c.code == c.programme))
                .where(*where)
                .group_by(programmes.c.name, c.programme)
            )
        elif column == "status":
            state = sa.case((c.withdrawn_at.is_not(None), "withdrawn"), else_=c.status)
            query = sa.select(state, sa.func.count()).where(*where).group_by(state)
        else:
            field = {"category": c.category, "department": sa.func.coalesce(c.department, "（未分派）")}[
                column
            ]
            query = sa.select(field, sa.func.count()).where(*where).group_by(field)
        rows = [
            (str(label or EMPTY_LABELS.get(column, "—")), int(count)) for label, count in conn.execute(query)
        ]
    if column == "programme":  # before any roster is published, name programmes from the rulebook
        names = _programme_names()
        rows = [(names.get(label, label), count) for label, count in rows]
    return sorted(rows, key=lambda pair: (-pair[1], pair[0]))


def _programme_names() -> dict[str, str]:
    from kiosk.rules import load_rulebook

    return {code: policy.name for code, policy in load_rulebook().policies.items()}


def by_month(store: HubStore, months: int, now: dt.datetime) -> list[tuple[str, int]]:
    """Complaints received per month (Beijing time), the last `months` months, empty months included."""
    local = now.astimezone(CHINA)
    first = dt.datetime(local.year, local.month, 1, tzinfo=CHINA)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    with store.engine.connect() as conn:
        times = conn.execute(
            sa.select(complaints.c.received_at).where(complaints.c.received_at >= first)
        ).scalars()
        tally: dict[str, int] = {}
        for at in times:
            key = as_utc(at).astimezone(CHINA).strftime("%Y-%m")  # type: ignore[union-attr]
            tally[key] = tally.get(key, 0) + 1
    labels, cursor = [], first
    while cursor <= local:
        labels.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return [(label, tally.get(label, 0)) for label in labels]


@dataclass(frozen=True)
class Durations:
    """Median and 90th percentile in days, and how many complaints they are taken over."""

    median_days: float | None
    p90_days: float | None
    count: int

    def __str__(self) -> str:
        if not self.count:
            return "—（0件）"
        return f"中位数{self.median_days:.1f}天，90%在{self.p90_days:.1f}天内（{self.count}件）"


def _durations(pairs: list[tuple[dt.datetime, dt.datetime]]) -> Durations:
    days = sorted((as_utc(end) - as_utc(start)).total_seconds() / 86400 for start, end in pairs)  # type: ignore[operator]
    if not days:
        return Durations(None, None, 0)
    return Durations(days[len(days) // 2], days[min(len(days) - 1, int(len(days) * 0.9))], len(days))


def answer_times(
    store: HubStore, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> tuple[Durations, Durations]:
    """(time from arrival to first answer, time from arrival to close)."""
    c = complaints.c
    where = _window(c, start, end)
    with store.engine.connect() as conn:
        first = conn.execute(
            sa.select(c.received_at, c.first_answer_at).where(*where, c.first_answer_at.is_not(None))
        ).all()
        closed = conn.execute(
            sa.select(c.received_at, c.closed_at).where(*where, c.closed_at.is_not(None))
        ).all()
    return _durations(first), _durations(closed)  # type: ignore[arg-type]


def overdue_by_department(store: HubStore, now: dt.datetime) -> list[tuple[str, Rate]]:
    """Per department: complaints overdue now or answered late, out of all assigned to it."""
    c = complaints.c
    late = sa.or_(
        sa.and_(c.status.in_(("assigned", "verifying")), c.due_at < now),
        sa.and_(c.first_answer_at.is_not(None), c.first_answer_at > c.due_at),
    )
    query = (
        sa.select(c.department, sa.func.count(), sa.func.sum(sa.case((late, 1), else_=0)))
        .where(c.department.is_not(None), c.withdrawn_at.is_(None))
        .group_by(c.department)
    )
    with store.engine.connect() as conn:
        rows = [(name, Rate(int(bad or 0), int(total))) for name, total, bad in conn.execute(query)]
    return sorted(rows, key=lambda pair: (not pair[1].rankable, -(pair[1].percent or 0), pair[0]))


def overdue_list(store: HubStore, now: dt.datetime, limit: int = 500) -> list[dict]:
    from kiosk.hub.cases import overdue

    c = complaints.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                c.id, c.tracking_no, c.category, c.programme, c.department, c.received_at, c.due_at, c.status
            )
            .where(overdue(now))
            .order_by(c.received_at)
            .limit(limit)
        ).mappings()
        return [{k: as_utc(v) if isinstance(v, dt.datetime) else v for k, v in row.items()} for row in rows]


@dataclass(frozen=True)
class KioskHealth:
    kiosk_id: str
    revoked: bool
    last_seen: dt.datetime | None
    state: str  # 'ok', 'late' (no heartbeat for 15 min), 'dead' (none for a day or never), 'revoked'
    uptime: Rate  # heartbeats received out of expected (one a minute) over the last 24 h
    reads_per_day: float  # card reads per day over the last 7 days
    backlog: int
    software_version: str = ""  # as its last heartbeat said
    data_date: dt.date | None = None  # its ledger's date, as its last heartbeat said (embedded kiosks)
    old_software: bool = False  # not the hub's version
    old_data: bool = False  # a ledger older than OLD_DATA_DAYS
    clock_skew: int | None = None  # seconds its clock is off the hub's, when more than a minute
    checked_at: str = ""  # when its last `kiosk doctor` ran, as its heartbeat said
    problems: tuple[tuple[str, str, str], ...] = ()  # (check, warn|fail, detail) that doctor found
    snapshot_at: str = ""  # when it last took a signed snapshot


def fleet(store: HubStore, now: dt.datetime) -> list[KioskHealth]:
    """Every kiosk, the ones needing a visit first."""
    day_ago, week_ago = now - dt.timedelta(days=1), now - dt.timedelta(days=7)
    with store.engine.connect() as conn:
        listed = conn.execute(
            sa.select(
                kiosks.c.kiosk_id,
                kiosks.c.revoked_at,
                kiosks.c.created_at,
                kiosks.c.clock_skew_seconds,
                heartbeats.c.at,
                heartbeats.c.status,
            ).select_from(kiosks.outerjoin(heartbeats, heartbeats.c.kiosk_id == kiosks.c.kiosk_id))
        ).all()
        hours = (
            conn.execute(sa.select(heartbeat_hours).where(heartbeat_hours.c.hour >= week_ago))
            .mappings()
            .all()
        )
    per_kiosk: dict[str, list] = {}
    for row in hours:
        per_kiosk.setdefault(row["kiosk_id"], []).append(row)
    result = []
    for kiosk_id, revoked_at, created_at, skew, last_at, status in listed:
        last_at = as_utc(last_at)
        rows = per_kiosk.get(kiosk_id, [])
        beats = sum(r["beats"] for r in rows if (as_utc(r["hour"]) or day_ago) >= day_ago)
        expected_since = max(as_utc(created_at) or day_ago, day_ago)
        expected = max(1, int((now - expected_since).total_seconds() // 60))
        reads = _reads_per_day(rows, now)
        said = json.loads(status or "{}") if status else {}
        backlog = int(said.get("outbox_backlog", 0))
        version = str(said.get("software_version", ""))
        try:
            data_date = dt.date.fromisoformat(str(said["data_date"])) if said.get("data_date") else None
        except ValueError:
            data_date = None
        state = (
            "revoked"
            if revoked_at
            else "dead"
            if last_at is None or now - last_at > dt.timedelta(days=1)
            else "late"
            if now - last_at > dt.timedelta(minutes=15)
            else "ok"
        )
        result.append(
            KioskHealth(
                kiosk_id,
                revoked_at is not None,
                last_at,
                state,
                Rate(min(beats, expected), expected),
                reads,
                backlog,
                version,
                data_date,
                bool(version) and version != software_version(),
                data_date is not None and (now.astimezone(CHINA).date() - data_date).days > OLD_DATA_DAYS,
                skew,
                *_doctor_of(said),
                str(said.get("snapshot_at", ""))[:40],
            )
        )
    order = {"dead": 0, "late": 1, "ok": 2, "revoked": 3}
    return sorted(result, key=lambda k: (order[k.state], k.kiosk_id))


def _doctor_of(said: dict) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """(when, problems) of the last `kiosk doctor` a heartbeat carried; schema-checked on arrival."""
    doctor = said.get("doctor")
    if not isinstance(doctor, dict):
        return "", ()
    problems = tuple(
        (str(p.get("check", "")), str(p.get("status", "")), str(p.get("detail", "")))
        for p in doctor.get("problems", [])
        if isinstance(p, dict)
    )
    return str(doctor.get("at", ""))[:40], problems


def _reads_per_day(rows: list, now: dt.datetime) -> float:
    """Card reads a day over the last 7 days: each hour's row holds that day's running count at the time."""
    daily: dict[dt.date, int] = {}
    for row in rows:
        day = as_utc(row["hour"]).astimezone(CHINA).date()  # type: ignore[union-attr]
        daily[day] = max(daily.get(day, 0), row["card_reads"])
    return sum(daily.values()) / 7.0
