"""Publishing a county to the hub: a validated kiosk store replaces that county's roster, rules and ledger,
in one transaction, and leaves every other county's rows as they were.

The importer keeps its single set of checks and error reports (`kiosk import`); the hub receives only
clean rows. The county is the 6-digit division code its villages' codes begin with (a store of villages
without division codes is the single county "000000", whose ids stay as they are). Each person's id
becomes county × 10⁹ + the store's id (kiosk.hub.db.COUNTY_SPAN), and carries the keyed hash complaints
use on the wire; complaints are linked again to the persons they name, by that hash. A publication
deletes rather than truncates, so on PostgreSQL kiosks keep reading the county's previous roster (MVCC)
until the new one commits; rows go in with COPY there, in chunks of executemany on SQLite. An increment
(`increment=True`) replaces the county's small tables the same way but only appends the payments paid
after the county's last published ledger date: the new month, without rewriting the years before it.
This is the hub's only use of the kiosk's store.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from kiosk.core.clock import parse_date
from kiosk.core.complaint import person_key
from kiosk.hub import regions
from kiosk.hub.db import (
    COUNTY_SPAN,
    accounts,
    check_findings,
    complaints,
    county_partition,
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


LEGACY_COUNTY = "000000"  # villages without division codes: one county, its ids unchanged


class PublishError(ValueError):
    """A store that cannot be published as one county, or an increment without a full publication first."""


@dataclass(frozen=True)
class Publication:
    counts: dict[str, int]
    seconds: float
    county: str = LEGACY_COUNTY


def store_county(source: Store) -> str:
    """The county a store holds: the division code (first 6 digits) its villages' codes share."""
    counties = {
        code[:6] for code, _, _ in source.table_rows("villages") if len(code) >= 6 and code[:6].isdigit()
    }
    if len(counties) > 1:
        raise PublishError(
            f"this store holds villages of {len(counties)} counties ({', '.join(sorted(counties))}): "
            "publish one county's store at a time"
        )
    return counties.pop() if counties else LEGACY_COUNTY


def _source_rows(
    source: Store, table: sa.Table, secret: str, county: str, *, paid_after: dt.date | None = None
) -> Iterator[tuple]:
    """Rows of `table` read from the validated embedded store, in the hub's column order (the county last),
    person ids moved into the county's range."""
    base = int(county) * COUNTY_SPAN
    if table is villages:
        for code, name, township in source.table_rows("villages"):
            yield code, name, township, county
    elif table is programmes:
        yield from source.table_rows("programmes")
    elif table is persons:
        for pid, number, name, gender, birth, village, household, death in source.table_rows("persons"):
            yield (
                base + pid,
                number,
                person_key(number, secret),
                name,
                gender,
                parse_date(birth),
                village,
                household or "",
                parse_date(death),
                county,
            )
    elif table is accounts:
        for account, pid in source.table_rows("accounts"):
            yield account, base + pid, county
    elif table is households:
        for village, number, head in source.table_rows("households"):
            yield village, number, base + head, county
    elif table is household_incomes:
        for village, number, verified_on, fen in source.table_rows("household_incomes"):
            yield village, number, parse_date(verified_on), fen, county
    elif table is enrolments:
        for pid, code, category, quantity, start, end, approver in source.table_rows("enrolments"):
            yield base + pid, code, category, quantity, parse_date(start), parse_date(end), approver, county
    elif table is payments:
        for pid, code, period, amount, paid_on, account, batch, operator, entered in source.table_rows(
            "payments"
        ):
            day = parse_date(paid_on)
            if paid_after is None or (day is not None and day > paid_after):
                yield base + pid, code, period, amount, day, account, batch, operator, entered, county
    elif table is policies:
        yield from ((county, code, name, text) for code, (name, text) in source.policies().items())


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
    county: str | None = None,
    increment: bool = False,
) -> Publication:
    """Replace the county's roster, rules and ledger at the hub with `source`'s, atomically (an increment:
    append only the payments after the county's last published ledger date); with `findings`
    (kiosk.services.checks run over `source`), replace the county's supervision-check counts too. Other
    counties' rows are not touched. PublishError when the store is not one county's, or an increment has
    no full publication before it."""
    started = time.perf_counter()
    county = county or store_county(source)
    if not (len(county) == 6 and county.isdigit()):
        raise PublishError(f"a county is its 6-digit division code, not {county!r}")
    counts: dict[str, int] = {}
    with engine.begin() as conn:  # apart and first: making a partition locks the whole ledger till commit,
        county_partition(conn, county)  # so inside the publication it would stall every county's lookups
    with engine.begin() as conn:
        paid_after = None
        if increment:
            paid_after = conn.execute(
                sa.select(sa.func.max(publications.c.data_date)).where(publications.c.county == county)
            ).scalar()
            if paid_after is None:
                raise PublishError(
                    f"county {county} has no full publication yet: an increment needs one first"
                )
        ours = [county, ""]  # "": rows published before the hub knew counties, which this county adopts
        for table in reversed(_TABLES):
            if table is programmes or (increment and table is payments):
                continue
            conn.execute(sa.delete(table).where(table.c.county.in_(ours)))
        conn.execute(  # programmes are shared: a county adds or renames its own, never removes another's
            sa.delete(programmes).where(
                programmes.c.code.in_([row[0] for row in source.table_rows("programmes")])
            )
        )
        for table in _TABLES:
            rows = _source_rows(source, table, secret, county, paid_after=paid_after)
            counts[table.name] = _copy(conn, table, rows)
        village_codes = _name_regions(conn, source, county)
        if findings is not None:
            conn.execute(sa.delete(check_findings).where(check_findings.c.county.in_(ours)))
            tally: dict[tuple[str, str, str], int] = {}
            for finding in findings:
                key = (finding.check, finding.village, finding.programme)
                tally[key] = tally.get(key, 0) + 1
            if tally:
                conn.execute(
                    sa.insert(check_findings),
                    [
                        {
                            "check_code": c,
                            "village": v,
                            "programme": p,
                            "count": n,
                            "county": county,
                            "region": village_codes.get(v, county),
                        }
                        for (c, v, p), n in tally.items()
                    ],
                )
        _relink_complaints(conn, county)
        conn.execute(
            sa.insert(publications).values(
                at=now,
                source=source_name,
                persons=counts["persons"],
                payments=counts["payments"],
                data_date=source.data_date(),
                county=county,
                kind="increment" if increment else "full",
            )
        )
    if engine.dialect.name == "postgresql":  # fresh statistics, so lookups use the indexes at once
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                sa.text(
                    "ANALYZE villages, persons, accounts, households, household_incomes, enrolments, "
                    f"payments_{county}"
                )
            )
    return Publication(counts, time.perf_counter() - started, county)


def _name_regions(conn: sa.Connection, source: Store, county: str) -> dict[str, str]:
    """Add the county, its townships (as its villages name them) and its villages to the regions; return
    village name → region, for the supervision checks' counts (which name villages)."""
    named: list[tuple[str, str]] = [(county, "")]
    by_name: dict[str, str] = {}
    for code, name, township in source.table_rows("villages"):
        region = regions.of_village(code, county)
        by_name.setdefault(name, region)
        if region != county:
            named += [(region[:9], township), (region, name)]
    regions.upsert(conn, named, rename=False)
    return by_name


def _relink_complaints(conn: sa.Connection, county: str) -> None:
    """Complaints name a person by keyed hash; their link to the roster's row follows it to the new ids."""
    conn.execute(
        sa.update(complaints)
        .where(complaints.c.person_key.in_(sa.select(persons.c.person_key).where(persons.c.county == county)))
        .values(
            person_id=sa.select(persons.c.id)
            .where(persons.c.person_key == complaints.c.person_key)
            .scalar_subquery(),
            county=county,
            region=sa.select(regions.of_village_sql(persons.c.village_code, persons.c.county))
            .where(persons.c.person_key == complaints.c.person_key)
            .scalar_subquery(),
        )
    )
