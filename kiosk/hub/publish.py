"""Publishing a county to the hub: the whole roster of a validated kiosk store replaces the hub's, in one go.

The importer keeps its single set of checks and error reports (`kiosk import`); the hub
receives only clean rows. A publication deletes rather than truncates, so on PostgreSQL
kiosks keep reading the previous roster (MVCC) until the new one commits; rows go in
with COPY there, in chunks of executemany on SQLite. Each person also carries the keyed
hash that complaints use on the wire. This is the hub's only use of the kiosk's store.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from kiosk.core.clock import parse_date
from kiosk.core.complaint import person_key
from kiosk.hub.db import (
    accounts,
    check_findings,
    enrolments,
    household_incomes,
    households,
    payments,
    persons,
    policies,
    programmes,
    publications,
    villages,
)
from kiosk.store import Store

_TABLES = (
    villages,
    programmes,
    persons,
    accounts,
    households,
    household_incomes,
    enrolments,
    payments,
    policies,
)


@dataclass(frozen=True)
class Publication:
    counts: dict[str, int]
    seconds: float


def _source_rows(source: Store, table: sa.Table, secret: str) -> Iterator[tuple]:
    """Rows of `table` read from the validated embedded store, in the hub's column order."""
    if table is villages:
        yield from source.table_rows("villages")
    elif table is programmes:
        yield from source.table_rows("programmes")
    elif table is persons:
        for pid, number, name, gender, birth, village, household, death in source.table_rows("persons"):
            yield (
                pid,
                number,
                person_key(number, secret),
                name,
                gender,
                parse_date(birth),
                village,
                household or "",
                parse_date(death),
            )
    elif table is accounts:
        yield from source.table_rows("accounts")
    elif table is households:
        yield from source.table_rows("households")
    elif table is household_incomes:
        for village, number, verified_on, fen in source.table_rows("household_incomes"):
            yield village, number, parse_date(verified_on), fen
    elif table is enrolments:
        for pid, code, category, quantity, start, end, approver in source.table_rows("enrolments"):
            yield pid, code, category, quantity, parse_date(start), parse_date(end), approver
    elif table is payments:
        for pid, code, period, amount, paid_on, account, batch, operator, entered in source.table_rows(
            "payments"
        ):
            yield pid, code, period, amount, parse_date(paid_on), account, batch, operator, entered
    elif table is policies:
        yield from ((code, name, text) for code, (name, text) in source.policies().items())


def _chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _copy(conn: sa.Connection, table: sa.Table, rows: Iterable[tuple]) -> int:
    """Bulk-load rows: COPY on PostgreSQL, executemany elsewhere. Returns the row count."""
    names = [column.name for column in table.columns]
    count = 0
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    statement = sa.insert(table)
    for chunk in _chunks(rows, 10_000):
        conn.execute(statement, [dict(zip(names, row, strict=True)) for row in chunk])
        count += len(chunk)
    return count


def publish(
    engine: sa.Engine,
    source: Store,
    *,
    secret: str,
    source_name: str,
    now: dt.datetime,
    findings: list | None = None,
) -> Publication:
    """Replace the hub's roster with the contents of `source`, atomically; with `findings` (kiosk.services.checks run over
    `source`), replace the supervision-check counts too."""
    started = time.perf_counter()
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table in reversed(_TABLES):
            conn.execute(sa.delete(table))
        for table in _TABLES:
            counts[table.name] = _copy(conn, table, _source_rows(source, table, secret))
        if findings is not None:
            conn.execute(sa.delete(check_findings))
            tally: dict[tuple[str, str, str], int] = {}
            for finding in findings:
                key = (finding.check, finding.village, finding.programme)
                tally[key] = tally.get(key, 0) + 1
            if tally:
                conn.execute(
                    sa.insert(check_findings),
                    [
                        {"check_code": c, "village": v, "programme": p, "count": n}
                        for (c, v, p), n in tally.items()
                    ],
                )
        conn.execute(
            sa.insert(publications).values(
                at=now,
                source=source_name,
                persons=counts["persons"],
                payments=counts["payments"],
                data_date=source.data_date(),
            )
        )
    if engine.dialect.name == "postgresql":  # fresh statistics, so lookups use the indexes at once
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                sa.text(
                    "ANALYZE villages, persons, accounts, households, household_incomes, enrolments, payments"
                )
            )
    return Publication(counts, time.perf_counter() - started)
