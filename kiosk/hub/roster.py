"""The county roster inside the hub's database: persons, enrolments, accounts and the payment ledger.

The hub answers kiosk lookups (and, later, the supervisors' evidence view) from these tables, on SQLite
or PostgreSQL. They are filled by *publishing* a store that `kiosk import` has already validated: the
importer keeps its single set of checks and error reports, and the hub receives only clean rows.

A publication replaces the whole roster in one transaction. It deletes rather than truncates, so on
PostgreSQL kiosks keep reading the previous roster (MVCC) until the new one commits; rows go in with
COPY there, in chunks of executemany on SQLite. Each person also carries the keyed hash that complaints
use on the wire, so the hub can find the person behind a complaint without ever receiving an ID number.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from kiosk.backend import EmbeddedBackend
from kiosk.core.clock import parse_date
from kiosk.core.complaint import person_key
from kiosk.core.person import PersonRecord
from kiosk.hub.db import metadata, reconnecting
from kiosk.rules import Enrolment, PersonFacts, load_rulebook, parse_period
from kiosk.rules.reconcile import Payment
from kiosk.store import Store

villages = sa.Table(
    "villages",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("township", sa.Text, nullable=False),
)
programmes = sa.Table(
    "programmes",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False),
    sa.Column("period_kind", sa.String(16), nullable=False),
)
persons = sa.Table(
    "persons",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("id_number", sa.String(18), nullable=False, unique=True),
    sa.Column("person_key", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("gender", sa.String(1), nullable=False),
    sa.Column("birth_on", sa.Date, nullable=False),
    sa.Column("village_code", sa.String(32)),
    sa.Column("household", sa.Text, nullable=False),
    sa.Column("death_on", sa.Date),
)
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("account", sa.String(40), primary_key=True),
    sa.Column("person_id", sa.Integer, primary_key=True),
)
enrolments = sa.Table(
    "enrolments",
    metadata,
    sa.Column("person_id", sa.Integer, nullable=False, index=True),
    sa.Column("programme", sa.String(32), nullable=False),
    sa.Column("category", sa.Text),
    sa.Column("quantity", sa.Text),
    sa.Column("start_on", sa.Date, nullable=False),
    sa.Column("end_on", sa.Date),
)
payments = sa.Table(
    "payments",
    metadata,
    sa.Column("person_id", sa.Integer, nullable=False, index=True),
    sa.Column("programme", sa.String(32), nullable=False),
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("amount_fen", sa.BigInteger, nullable=False),
    sa.Column("paid_on", sa.Date, nullable=False),
    sa.Column("account", sa.String(40), nullable=False),
    sa.Column("batch", sa.Text, nullable=False),
)
policies = sa.Table(
    "policies",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
)
publications = sa.Table(
    "roster_publications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("persons", sa.Integer, nullable=False),
    sa.Column("payments", sa.BigInteger, nullable=False),
)

check_findings = sa.Table(  # the supervision checks run over the published roster, counted for the dashboard
    "check_findings",
    metadata,
    sa.Column("check_code", sa.String(32), nullable=False),
    sa.Column("village", sa.Text, nullable=False),
    sa.Column("programme", sa.String(32), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
)

# Publication order: referenced tables first; deletion runs in reverse.
_TABLES = (villages, programmes, persons, accounts, enrolments, payments, policies)


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
    elif table is enrolments:
        for pid, code, category, quantity, start, end in source.table_rows("enrolments"):
            yield pid, code, category, quantity, parse_date(start), parse_date(end)
    elif table is payments:
        for pid, code, period, amount, paid_on, account, batch in source.table_rows("payments"):
            yield pid, code, period, amount, parse_date(paid_on), account, batch
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
                at=now, source=source_name, persons=counts["persons"], payments=counts["payments"]
            )
        )
    if engine.dialect.name == "postgresql":  # fresh statistics, so lookups use the indexes at once
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE villages, persons, accounts, enrolments, payments"))
    return Publication(counts, time.perf_counter() - started)


class Roster:
    """Reads of the published roster, in the shape the reconciliation backend expects of a store."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.reads = engine.execution_options(isolation_level="AUTOCOMMIT")

    @reconnecting
    def publication(self) -> dict | None:
        """The latest publication (id, at, source, counts), or None before the first."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(publications).order_by(publications.c.id.desc()).limit(1))
                .mappings()
                .first()
            )
        return dict(row) if row else None

    @reconnecting
    def load_person(self, id_number: str) -> tuple[PersonRecord, PersonFacts, list[Payment]] | None:
        """Person, enrolments and payments in one connection without a transaction (autocommit: three
        statements, no BEGIN or ROLLBACK round trips). A publication committing between them could mix two
        rosters in one answer; the next card read shows the new one whole."""
        with self.reads.connect() as conn:
            person = self._person(conn, id_number)
            if person is None:
                return None
            return person, self._facts(conn, person), self._payments(conn, person)

    @staticmethod
    def _person(conn: sa.Connection, id_number: str) -> PersonRecord | None:
        query = (
            sa.select(
                persons.c.id,
                persons.c.id_number,
                persons.c.name,
                persons.c.gender,
                persons.c.birth_on,
                persons.c.village_code,
                villages.c.name,
                persons.c.household,
                persons.c.death_on,
            )
            .select_from(persons.outerjoin(villages, villages.c.code == persons.c.village_code))
            .where(persons.c.id_number == id_number)
        )
        row = conn.execute(query).first()
        return PersonRecord(*row) if row else None

    def find_id_number_by_account(self, account: str) -> str | None:
        query = (
            sa.select(persons.c.id_number)
            .select_from(accounts.join(persons, persons.c.id == accounts.c.person_id))
            .where(accounts.c.account == account)
            .limit(2)
        )
        with self.reads.connect() as conn:
            rows = conn.execute(query).all()
        return rows[0][0] if len(rows) == 1 else None

    @staticmethod
    def _facts(conn: sa.Connection, person: PersonRecord) -> PersonFacts:
        query = (
            sa.select(
                enrolments.c.programme,
                enrolments.c.start_on,
                enrolments.c.end_on,
                enrolments.c.category,
                enrolments.c.quantity,
            )
            .where(enrolments.c.person_id == person.id)
            .order_by(enrolments.c.start_on)
        )
        return PersonFacts(
            person.birth_on,
            person.death_on,
            tuple(
                Enrolment(code, start, end, category, Decimal(quantity) if quantity else None)
                for code, start, end, category, quantity in conn.execute(query).all()
            ),
        )

    @staticmethod
    def _payments(conn: sa.Connection, person: PersonRecord) -> list[Payment]:
        query = sa.select(
            payments.c.programme,
            payments.c.period,
            payments.c.amount_fen,
            payments.c.paid_on,
            payments.c.account,
            payments.c.batch,
        ).where(payments.c.person_id == person.id)
        return [
            Payment(code, parse_period(period), amount, paid_on, account, batch)
            for code, period, amount, paid_on, account, batch in conn.execute(query).all()
        ]

    def policies(self) -> dict[str, tuple[str, str]]:
        with self.engine.connect() as conn:
            return {code: (name, text) for code, name, text in conn.execute(sa.select(policies)).all()}


class RosterLookups:
    """The kiosk lookups a hub answers: the embedded backend's reconciliation over the published roster.

    The rulebook comes from the roster's own policies; when a newer publication lands, the next lookup
    (at most `recheck_seconds` later) picks up its policies, so publishing needs no hub restart.
    """

    def __init__(self, engine: sa.Engine, *, recheck_seconds: float = 10.0) -> None:
        self.roster = Roster(engine)
        self.recheck_seconds = recheck_seconds
        self._backend: EmbeddedBackend | None = None
        self._publication_id: int | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def backend(self) -> EmbeddedBackend | None:
        """The backend for the current publication; None while nothing has been published."""
        if time.monotonic() - self._checked_at >= self.recheck_seconds:
            with self._lock:
                latest = self.roster.publication()
                self._checked_at = time.monotonic()
                if latest is None:
                    self._backend, self._publication_id = None, None
                elif latest["id"] != self._publication_id:
                    self._backend = EmbeddedBackend(self.roster, load_rulebook(None, self.roster.policies()))
                    self._publication_id = latest["id"]
        return self._backend


def findings_by_check(engine: sa.Engine) -> list[tuple[str, int]]:
    """Supervision-check findings of the latest publication, by check, largest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(check_findings.c.check_code, sa.func.sum(check_findings.c.count)).group_by(
                check_findings.c.check_code
            )
        ).all()
    return sorted(((code, int(n)) for code, n in rows), key=lambda pair: -pair[1])


def ledger_rows(engine: sa.Engine, person_id: int, programme: str) -> list[dict]:
    """The person's payments for one programme, oldest period first (the evidence view)."""
    query = (
        sa.select(
            payments.c.period, payments.c.amount_fen, payments.c.paid_on, payments.c.account, payments.c.batch
        )
        .where(payments.c.person_id == person_id, payments.c.programme == programme)
        .order_by(payments.c.period, payments.c.paid_on)
    )
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def id_number_of(engine: sa.Engine, person_id: int) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(persons.c.id_number).where(persons.c.id == person_id)).scalar()


def account_sharers(engine: sa.Engine, person_id: int) -> int:
    """How many other persons are paid through an account of this person's (a supervision-check finding)."""
    mine = sa.select(accounts.c.account).where(accounts.c.person_id == person_id)
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count(sa.distinct(accounts.c.person_id))).where(
                accounts.c.account.in_(mine), accounts.c.person_id != person_id
            )
        ).scalar_one()
