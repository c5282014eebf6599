"""Figures for the dashboards and the monthly report: counts by village, programme, category, status and
month; time to first answer and to close; overdue rate per department; the kiosk fleet's health; and
the rollup of a region into its subregions, side by side.

Every figure is read from the hub's read replica when it has one (`HubStore.reads`: the figures may
then lag by its replay delay). Every figure is for a region (kiosk.hub.regions; '' = the whole hub) and
counted in SQL, so a
prefecture's 400,000 complaints and 1,000 kiosks stay on the database server: Python receives a few
hundred grouped rows, never the complaints themselves. Every rate carries its sample size (`Rate`), and
rankings leave out groups too small to rank (fewer than MIN_SAMPLE complaints), so one village with one
late answer is not "the worst in the county".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa

from kiosk.core.clock import CHINA
from kiosk.core.version import software_version
from kiosk.hub import regions, roster
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


def _window(c, start: dt.datetime | None, end: dt.datetime | None, region: str = "") -> list:  # type: ignore[no-untyped-def]
    clauses = [regions.within(region, c.region, c.county)] if region else []
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


def month_story(
    store: HubStore, start: dt.datetime, end: dt.datetime, *, top: int = 5, region: str = ""
) -> Story:
    c = complaints.c
    window = _window(c, start, end, region)
    live = [*window, c.withdrawn_at.is_(None)]
    with store.reads.connect() as conn:
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
    cases, money = recovered(store, start, end, region)
    hotspots = sorted(
        (
            (str(v or EMPTY_LABELS["village"]), str(p or EMPTY_LABELS["programme"]), int(n), int(f))
            for v, p, n, f in spots
        ),
        key=lambda spot: (-spot[3], -spot[2], spot[0]),
    )[:top]
    return Story(int(total) - int(found), int(found), int(withdrawn), int(fen), cases, money, hotspots)


def recovered(store: HubStore, start: dt.datetime, end: dt.datetime, region: str = "") -> tuple[int, int]:
    """(cases, fen) of the money recovered by the answers given between `start` and `end`."""
    c = complaints.c
    with store.reads.connect() as conn:
        cases, fen = conn.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c.recovered_fen), 0)).where(
                c.answered_at >= start,
                c.answered_at < end,
                c.recovered_fen > 0,
                regions.within(region, c.region, c.county),
            )
        ).one()
    return int(cases), int(fen)


def findings_by_check(
    store: HubStore, start: dt.datetime, end: dt.datetime, region: str = ""
) -> list[tuple[str, int]]:
    """(the check's title, new finding cases) received between `start` and `end`, most first."""
    c = complaints.c
    tally: dict[str, int] = {}
    with store.reads.connect() as conn:
        for (payload,) in conn.execute(
            sa.select(c.payload).where(c.category == "check_finding", *_window(c, start, end, region))
        ):
            finding = (json.loads(payload).get("evidence") or {}).get("finding") or {}
            title = str(finding.get("title") or finding.get("check") or "")
            tally[title] = tally.get(title, 0) + 1
    return sorted(tally.items(), key=lambda item: -item[1])


def counts_by(
    store: HubStore,
    column: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    region: str = "",
) -> list[tuple[str, int]]:
    """(label, count) by 'village', 'programme', 'category', 'status' or 'department', largest first."""
    c = complaints.c
    where = _window(c, start, end, region)
    with store.reads.connect() as conn:
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


def by_month(store: HubStore, months: int, now: dt.datetime, region: str = "") -> list[tuple[str, int]]:
    """Complaints received per month (Beijing time), the last `months` months, empty months included:
    one pass over the index range, a sum per month's bounds."""
    local = now.astimezone(CHINA)
    first = dt.datetime(local.year, local.month, 1, tzinfo=CHINA)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    starts, cursor = [], first
    while cursor <= local:
        starts.append(cursor)
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    bounds = [
        (start.astimezone(dt.UTC), later.astimezone(dt.UTC))
        for start, later in zip(starts, [*starts[1:], cursor], strict=True)
    ]
    c = complaints.c
    sums = [
        sa.func.sum(sa.case((sa.and_(c.received_at >= a, c.received_at < b), 1), else_=0)) for a, b in bounds
    ]
    with store.reads.connect() as conn:
        counts = conn.execute(
            sa.select(*sums).where(c.received_at >= bounds[0][0], *_window(c, None, None, region))
        ).one()
    return [(start.strftime("%Y-%m"), int(n or 0)) for start, n in zip(starts, counts, strict=True)]


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


def _days_between(conn: sa.Connection, start: sa.ColumnElement, end: sa.ColumnElement) -> sa.ColumnElement:
    """SQL: days from `start` to `end` (PostgreSQL's interval, SQLite's Julian days)."""
    if conn.dialect.name == "postgresql":
        return sa.extract("epoch", end - start) / 86400.0
    return sa.func.julianday(end) - sa.func.julianday(start)


def _durations(conn: sa.Connection, start: sa.ColumnElement, end: sa.ColumnElement, where: list) -> Durations:
    """The median and 90th percentile of `end − start` over the rows `where` (and `end` set), in SQL: the
    rank-th smallest value, as the nearest-rank definition (the same on both databases)."""
    where = [*where, end.is_not(None)]
    count = conn.execute(sa.select(sa.func.count()).select_from(complaints).where(*where)).scalar_one()
    if not count:
        return Durations(None, None, 0)
    days = _days_between(conn, start, end)
    ranks = (count // 2, min(count - 1, int(count * 0.9)))
    if conn.dialect.name == "postgresql":  # both ranks in one sorted pass: percentile_disc(f) is the value at
        # 0-based rank ceil(f × count) − 1, so f = (rank + ½) / count names exactly `rank`
        fractions = [(rank + 0.5) / count for rank in ranks]
        median, p90 = conn.execute(
            sa.select(*(sa.func.percentile_disc(f).within_group(days) for f in fractions)).where(*where)
        ).one()
        return Durations(float(median), float(p90), int(count))

    def ranked(rank: int) -> float:
        return float(
            conn.execute(sa.select(days).where(*where).order_by(days).offset(rank).limit(1)).scalar_one()
        )

    return Durations(ranked(ranks[0]), ranked(ranks[1]), int(count))


def answer_times(
    store: HubStore, start: dt.datetime | None = None, end: dt.datetime | None = None, region: str = ""
) -> tuple[Durations, Durations]:
    """(time from arrival to first answer, time from arrival to close)."""
    c = complaints.c
    where = _window(c, start, end, region)
    with store.reads.connect() as conn:
        return _durations(conn, c.received_at, c.first_answer_at, where), _durations(
            conn, c.received_at, c.closed_at, where
        )


def _late(now: dt.datetime) -> sa.ColumnElement[bool]:
    """An assigned complaint overdue now, or answered after its due date."""
    c = complaints.c
    return sa.or_(
        sa.and_(c.status.in_(("assigned", "verifying")), c.due_at < now),
        sa.and_(c.first_answer_at.is_not(None), c.first_answer_at > c.due_at),
    )


def overdue_by_department(store: HubStore, now: dt.datetime, region: str = "") -> list[tuple[str, Rate]]:
    """Per department: complaints overdue now or answered late, out of all assigned to it."""
    c = complaints.c
    query = (
        sa.select(c.department, sa.func.count(), sa.func.sum(sa.case((_late(now), 1), else_=0)))
        .where(c.department.is_not(None), c.withdrawn_at.is_(None), *_window(c, None, None, region))
        .group_by(c.department)
    )
    with store.reads.connect() as conn:
        rows = [(name, Rate(int(bad or 0), int(total))) for name, total, bad in conn.execute(query)]
    return sorted(rows, key=lambda pair: (not pair[1].rankable, -(pair[1].percent or 0), pair[0]))


def overdue_list(store: HubStore, now: dt.datetime, limit: int = 500, region: str = "") -> list[dict]:
    from kiosk.hub.cases import overdue

    c = complaints.c
    with store.reads.connect() as conn:
        rows = conn.execute(
            sa.select(
                c.id, c.tracking_no, c.category, c.programme, c.department, c.received_at, c.due_at, c.status
            )
            .where(overdue(now), *_window(c, None, None, region))
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


def _day_starts(now: dt.datetime, days: int) -> list[dt.datetime]:
    """The starts (UTC) of the Beijing days that the last `days` days touch, oldest first, and tomorrow's."""
    today = now.astimezone(CHINA).date()
    first = today - dt.timedelta(days=days)
    return [
        dt.datetime.combine(first + dt.timedelta(days=n), dt.time(), CHINA).astimezone(dt.UTC)
        for n in range(days + 2)
    ]


def _usage(now: dt.datetime) -> sa.Subquery:
    """Per kiosk, in SQL: heartbeats over the last 24 h, and card reads over the last 7 days (each hour's
    row holds that Beijing day's running count, so a day's reads are its largest)."""
    h = heartbeat_hours.c
    day_ago, week_ago = now - dt.timedelta(days=1), now - dt.timedelta(days=7)
    starts = _day_starts(now, 7)
    day = sa.case(
        *(
            (sa.and_(h.hour >= a, h.hour < b), n)
            for n, (a, b) in enumerate(zip(starts, starts[1:], strict=False))
        ),
        else_=-1,
    )
    daily = (
        sa.select(
            h.kiosk_id,
            sa.func.max(h.card_reads).label("reads"),
            sa.func.sum(sa.case((h.hour >= day_ago, h.beats), else_=0)).label("beats"),
        )
        .where(h.hour >= week_ago)
        .group_by(h.kiosk_id, day)
        .subquery()
    )
    return (
        sa.select(
            daily.c.kiosk_id,
            sa.func.sum(daily.c.reads).label("reads"),
            sa.func.sum(daily.c.beats).label("beats"),
        )
        .group_by(daily.c.kiosk_id)
        .subquery()
    )


def fleet(store: HubStore, now: dt.datetime, region: str = "") -> list[KioskHealth]:
    """Every kiosk within `region`, the ones needing a visit first."""
    day_ago = now - dt.timedelta(days=1)
    usage = _usage(now)
    with store.reads.connect() as conn:
        listed = conn.execute(
            sa.select(
                kiosks.c.kiosk_id,
                kiosks.c.revoked_at,
                kiosks.c.created_at,
                kiosks.c.clock_skew_seconds,
                heartbeats.c.at,
                heartbeats.c.status,
                usage.c.beats,
                usage.c.reads,
            )
            .select_from(
                kiosks.outerjoin(heartbeats, heartbeats.c.kiosk_id == kiosks.c.kiosk_id).outerjoin(
                    usage, usage.c.kiosk_id == kiosks.c.kiosk_id
                )
            )
            .where(regions.within(region, kiosks.c.region))
        ).all()
    result = []
    for kiosk_id, revoked_at, created_at, skew, last_at, status, beats, reads in listed:
        last_at = as_utc(last_at)
        expected_since = max(as_utc(created_at) or day_ago, day_ago)
        expected = max(1, int((now - expected_since).total_seconds() // 60))
        said = json.loads(status or "{}") if status else {}
        backlog = int(said.get("outbox_backlog", 0))
        version = str(said.get("software_version", ""))
        try:
            data_date = dt.date.fromisoformat(str(said["data_date"])) if said.get("data_date") else None
        except ValueError:
            data_date = None
        result.append(
            KioskHealth(
                kiosk_id,
                revoked_at is not None,
                last_at,
                _state(revoked_at, last_at, now),
                Rate(min(int(beats or 0), expected), expected),
                int(reads or 0) / 7.0,
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


LATE = dt.timedelta(minutes=15)  # no heartbeat for this long: 'late'
DEAD = dt.timedelta(days=1)  # … for this long, or never: 'dead'


def _state(revoked_at: dt.datetime | None, last_at: dt.datetime | None, now: dt.datetime) -> str:
    if revoked_at:
        return "revoked"
    if last_at is None or now - last_at > DEAD:
        return "dead"
    return "late" if now - last_at > LATE else "ok"


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


# -- a region and its subregions, side by side ------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One region's row of a rollup: its complaints and findings, the money they are about, how many are
    still open, the overdue rate among those assigned (with its sample), and its kiosks."""

    code: str
    name: str
    complaints: int = 0  # villagers' complaints, withdrawn ones left out
    findings: int = 0  # supervision-check findings
    at_stake_fen: int = 0
    open: int = 0  # neither closed nor withdrawn
    overdue: Rate = Rate(0, 0)  # assigned ones overdue now or answered late, of all assigned
    kiosks: int = 0  # not revoked
    kiosks_down: int = 0  # of them, none heard from for 15 minutes or more


def _complaint_figures(now: dt.datetime) -> list:
    c = complaints.c
    live = c.withdrawn_at.is_(None)
    finding = c.category == "check_finding"
    assigned = sa.and_(live, c.department.is_not(None))
    return [
        sa.func.sum(sa.case((sa.and_(live, sa.not_(finding)), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(live, finding), 1), else_=0)),
        sa.func.coalesce(sa.func.sum(sa.case((live, c.at_stake_fen), else_=0)), 0),
        sa.func.sum(sa.case((sa.and_(live, c.closed_at.is_(None)), 1), else_=0)),
        sa.func.sum(sa.case((sa.and_(assigned, _late(now)), 1), else_=0)),
        sa.func.sum(sa.case((assigned, 1), else_=0)),
    ]


def _kiosk_figures(now: dt.datetime) -> list:
    live = kiosks.c.revoked_at.is_(None)
    down = sa.and_(live, sa.or_(heartbeats.c.at.is_(None), heartbeats.c.at < now - LATE))
    return [sa.func.sum(sa.case((live, 1), else_=0)), sa.func.sum(sa.case((down, 1), else_=0))]


def _part(code: str, name: str, figures: tuple, fleet: tuple) -> Part:
    complaints_, findings, fen, still_open, late, assigned = (int(v or 0) for v in figures)
    return Part(
        code,
        name,
        complaints_,
        findings,
        fen,
        still_open,
        Rate(late, assigned),
        *(int(v or 0) for v in fleet),
    )


def _unplaced(region: str) -> str:
    """The row of what is known only to `region` itself (a kiosk registered to the county, not a township)."""
    return f"（{regions.name_of_level_below(region)}未明）" if region else "（未定地区）"


def _complaint_rollup(
    conn: sa.Connection, now: dt.datetime, where: list, part_of: sa.ColumnElement
) -> tuple[tuple, dict[str, tuple]]:
    """(the whole's complaint figures, each part's). PostgreSQL counts both in one pass (GROUPING SETS:
    the parts, and the empty set for the whole, its code NULL); SQLite in two queries."""
    figures = _complaint_figures(now)
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            sa.select(part_of, *figures).where(*where).group_by(sa.func.grouping_sets(part_of, sa.tuple_()))
        ).all()
        whole = next((tuple(rest) for code, *rest in rows if code is None), (0,) * len(figures))
        return whole, {code: tuple(rest) for code, *rest in rows if code is not None}
    whole = tuple(conn.execute(sa.select(*figures).where(*where)).one())
    parts = conn.execute(sa.select(part_of, *figures).where(*where).group_by(part_of))
    return whole, {code or "": tuple(rest) for code, *rest in parts}


def rollup(
    store: HubStore,
    region: str,
    now: dt.datetime,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    *,
    kiosks_only: bool = False,
) -> tuple[Part, list[Part]]:
    """`region`'s figures (complaints received between `start` and `end`, kiosks as they are now) and its
    subregions' side by side, each counted by the database: the whole in one query, the parts grouped by
    their codes' prefix in another, so a part missing from the sum would show. Every subregion the
    regions table knows is listed, those with nothing to count at zero. `kiosks_only` (the fleet page)
    leaves the complaints uncounted, at zero."""
    c = complaints.c
    where = _window(c, start, end, region) or [sa.true()]
    part_of = regions.subregion_of(region, c.region)
    kiosk_part = regions.subregion_of(region, kiosks.c.region)
    fleet_from = kiosks.outerjoin(heartbeats, heartbeats.c.kiosk_id == kiosks.c.kiosk_id)
    in_region = regions.within(region, kiosks.c.region)
    with store.reads.connect() as conn:
        whole, by_part = _complaint_rollup(conn, now, where, part_of) if not kiosks_only else ((0,) * 6, {})
        whole_fleet = conn.execute(
            sa.select(*_kiosk_figures(now)).select_from(fleet_from).where(in_region)
        ).one()
        fleet_by_part = {
            code or "": tuple(rest)
            for code, *rest in conn.execute(
                sa.select(kiosk_part, *_kiosk_figures(now))
                .select_from(fleet_from)
                .where(in_region)
                .group_by(kiosk_part)
            )
        }
        known = regions.subregions_in(conn, region)
        codes = set(known) | set(by_part) | set(fleet_by_part)
        named = {**regions.names(conn, codes), **known}
    empty = (0,) * 6
    parts = [
        _part(
            code,
            named[code] if code != region else _unplaced(region),
            by_part.get(code, empty),
            fleet_by_part.get(code, (0, 0)),
        )
        for code in sorted(codes)
    ]
    total = _part(region, "", tuple(whole), tuple(whole_fleet))
    return total, parts


def dashboard_figures(store: HubStore, region: str, now: dt.datetime) -> dict:
    """Every figure of a region's dashboard, by name. They are independent read-only queries, so they run
    side by side on their own connections (4 at a time): the page takes about its slowest few, not their
    sum (on 2 cores at 400,000 complaints, ~0.8 s one after another)."""
    jobs: dict[str, Callable[[], object]] = {  # the slowest first
        "rollup": lambda: rollup(store, region, now),
        "answer_times": lambda: answer_times(store, region=region),
        "village": lambda: counts_by(store, "village", region=region),
        "programme": lambda: counts_by(store, "programme", region=region),
        "category": lambda: counts_by(store, "category", region=region),
        "departments": lambda: overdue_by_department(store, now, region),
        "months": lambda: by_month(store, 12, now, region),
        "findings": lambda: roster.findings_by_check(store.reads, region),  # the published roster's checks
    }
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="dashboard") as pool:
        running = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in running.items()}
