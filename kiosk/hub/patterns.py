"""Where the money problems cluster: complaints and findings by village × programme, weighted by money at
stake and by number of cases, each cell opening its cases; by month; and grouped by person and programme,
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
from kiosk.hub.db import complaints, programmes, villages
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
