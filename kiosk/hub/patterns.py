"""Where the money problems cluster: complaints and findings by village × programme, weighted by money at
stake and by number of cases, each cell opening its cases; by the cadre the data names (approver,
operator) and by payment batch; and grouped by person and programme,
so one shortfall reported four times is one case with four reports. Computed in SQL; every figure carries
its count.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import sqlalchemy as sa

from kiosk.core.complaint import FINDING
from kiosk.hub.accounts import User
from kiosk.hub.cases import InboxQuery, filters
from kiosk.hub.db import complaints, enrolments, payments, programmes, villages
from kiosk.hub.store import HubStore


@dataclass
class Cell:
    cases: int = 0
    findings: int = 0
    at_stake_fen: int = 0


@dataclass
class Table:
    villages: list[tuple[str, str]]  # (code, name), the most money first
    programmes: list[tuple[str, str]]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def cell(self, village: str, programme: str) -> Cell | None:
        return self.cells.get((village, programme))


def village_by_programme(store: HubStore, user: User, now: dt.datetime) -> Table:
    """Open (not withdrawn) complaints and findings the user may see, by village and programme."""
    c = complaints.c
    query = (
        sa.select(
            c.village_code,
            c.programme,
            sa.func.count(),
            sa.func.sum(sa.case((c.category == FINDING, 1), else_=0)),
            sa.func.coalesce(sa.func.sum(c.at_stake_fen), 0),
        )
        .where(*filters(InboxQuery(), user, now), c.withdrawn_at.is_(None))
        .group_by(c.village_code, c.programme)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
        village_names = dict(conn.execute(sa.select(villages.c.code, villages.c.name)).all())
        programme_names = dict(conn.execute(sa.select(programmes.c.code, programmes.c.name)).all())
    table = Table([], [])
    money_by_village: dict[str, int] = {}
    money_by_programme: dict[str, int] = {}
    for code, programme, count, findings, fen in rows:
        village = code or ""
        table.cells[(village, programme)] = Cell(int(count), int(findings or 0), int(fen or 0))
        money_by_village[village] = money_by_village.get(village, 0) + int(fen or 0)
        money_by_programme[programme] = money_by_programme.get(programme, 0) + int(fen or 0)
    table.villages = [
        (code, village_names.get(code, code) if code else "（名册外）")
        for code in sorted(money_by_village, key=lambda v: (-money_by_village[v], v))
    ]
    table.programmes = [
        (code, programme_names.get(code, code) if code else "（未注明项目）")
        for code in sorted(money_by_programme, key=lambda p: (-money_by_programme[p], p))
    ]
    return table


@dataclass(frozen=True)
class Group:
    person_key: str
    programme: str
    masked_id: str
    village: str
    reports: int  # complaints about it
    findings: int
    at_stake_fen: int  # the largest figure among them: repeated reports of one shortfall are one sum
    first_received: dt.datetime
    ids: tuple[tuple[int, str], ...]  # (case id, tracking number), oldest first


def grouped(
    store: HubStore, query: InboxQuery, user: User, now: dt.datetime, *, limit: int = 200
) -> list[Group]:
    """The cases matching `query`, one group per person and programme, the most money first."""
    c = complaints.c
    select = (
        sa.select(
            c.id,
            c.tracking_no,
            c.person_key,
            c.programme,
            c.category,
            c.at_stake_fen,
            c.received_at,
            c.payload,
            villages.c.name,
        )
        .select_from(complaints.outerjoin(villages, villages.c.code == c.village_code))
        .where(*filters(query, user, now))
        .order_by(c.received_at)
    )
    found: dict[tuple[str, str], list] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(select).all():
            found.setdefault((row[2], row[3]), []).append(row)
    groups = []
    for (key, programme), rows in found.items():
        masked = str(json.loads(rows[0][7]).get("masked_id", ""))
        groups.append(
            Group(
                key,
                programme,
                masked,
                rows[0][8] or "",
                sum(1 for r in rows if r[4] != FINDING),
                sum(1 for r in rows if r[4] == FINDING),
                max((r[5] or 0) for r in rows),
                rows[0][6],
                tuple((r[0], r[1]) for r in rows),
            )
        )
    groups.sort(key=lambda g: (-g.at_stake_fen, -(g.reports + g.findings), g.first_received))
    return groups[:limit]


@dataclass(frozen=True)
class Row:
    label: str
    cases: int
    persons: int
    at_stake_fen: int


def by_role(store: HubStore, user: User, now: dt.datetime, role: str) -> list[Row]:
    """Open cases by the cadre the data names for them — `approver` (who approved the enrolment), `operator`
    (who paid the payment), `entered_by` (who entered it) — or by payment `batch`; the most money first,
    with the counts."""
    c = complaints.c
    live = [*filters(InboxQuery(), user, now), c.withdrawn_at.is_(None), c.person_id.is_not(None)]
    label = {
        "approver": enrolments.c.approver,
        "operator": payments.c.operator,
        "entered_by": payments.c.entered_by,
    }.get(role, payments.c.batch)
    joined = _with_rows_of(label.table)
    distinct_cases = (
        sa.select(label.label("label"), c.id, c.person_id, c.at_stake_fen)
        .select_from(joined)
        .where(*live, label != "")
        .distinct()
        .subquery()
    )
    query = sa.select(
        distinct_cases.c.label,
        sa.func.count(),
        sa.func.count(sa.distinct(distinct_cases.c.person_id)),
        sa.func.coalesce(sa.func.sum(distinct_cases.c.at_stake_fen), 0),
    ).group_by(distinct_cases.c.label)
    with store.engine.connect() as conn:
        rows = [Row(str(a), int(b), int(p), int(f)) for a, b, p, f in conn.execute(query).all()]
    return sorted(rows, key=lambda r: (-r.at_stake_fen, -r.cases, r.label))


CADRE_COLUMNS = {  # the role's words → the column that names the cadre, on enrolments or payments
    "审批人": enrolments.c.approver,
    "经办人": payments.c.operator,
    "录入人": payments.c.entered_by,
}


def _with_rows_of(table: sa.Table) -> sa.Join:
    """Cases joined to the rows behind them: the person's enrolments in the programme, or the payments of
    the case's period."""
    c = complaints.c
    if table is enrolments:
        return complaints.join(
            enrolments, sa.and_(enrolments.c.person_id == c.person_id, enrolments.c.programme == c.programme)
        )
    return complaints.join(
        payments,
        sa.and_(
            payments.c.person_id == c.person_id,
            payments.c.programme == c.programme,
            payments.c.period == c.period,
        ),
    )


def cadres_of(store: HubStore, case: dict) -> dict[str, list[str]]:
    """Who the data names for a case: the approvers of the person's enrolments in its programme, and who
    paid and who entered its period's payments."""
    if not case.get("person_id") or not case.get("programme"):
        return {}
    found = {}
    with store.engine.connect() as conn:
        for role, column in CADRE_COLUMNS.items():
            table = column.table
            where = [
                table.c.person_id == case["person_id"],
                table.c.programme == case["programme"],
                column != "",
            ]
            if table is payments:
                where.append(payments.c.period == case.get("period", ""))
            names = conn.execute(sa.select(column).where(*where).distinct()).scalars().all()
            if names:
                found[role] = sorted(names)
    return found


def same_cadre(
    store: HubStore, case: dict, cadres: dict[str, list[str]], scope: sa.ColumnElement[bool]
) -> list[dict]:
    """Other open cases the same cadre approved, paid or entered (what `cadres_of` named for this one)."""
    c = complaints.c
    found: dict[int, dict] = {}
    with store.engine.connect() as conn:
        for role, names in cadres.items():
            column = CADRE_COLUMNS[role]
            for row in conn.execute(
                sa.select(c.id, c.tracking_no)
                .select_from(_with_rows_of(column.table))
                .where(column.in_(names), c.id != case["id"], c.withdrawn_at.is_(None), scope)
                .distinct()
                .limit(20)
            ).mappings():
                found.setdefault(row["id"], {"id": row["id"], "tracking_no": row["tracking_no"], "roles": []})
                found[row["id"]]["roles"].append(role)
    return sorted(found.values(), key=lambda r: r["id"])
