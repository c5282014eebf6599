"""Reads of the county roster the hub holds: a person for a kiosk's lookup, ledger rows for the evidence
view, the supervision checks' counts for the dashboard.

The hub answers kiosk lookups with the same embedded backend a kiosk runs, over these tables,
on SQLite or PostgreSQL. The tables are filled by kiosk.hub.publish; each person carries the
keyed hash complaints use on the wire, so the hub finds the person behind a complaint without
ever receiving an ID number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import sqlalchemy as sa

from device.idnumber import IdNumber
from kiosk.backend import EmbeddedBackend, LookupResult
from kiosk.backend.disclosure import VillageDisclosure
from kiosk.core.clock import parse_date, to_date
from kiosk.core.person import PersonRecord, mask_name
from kiosk.hub import regions
from kiosk.hub.db import (
    accounts,
    check_findings,
    county_of_person,
    enrolments,
    household_incomes,
    households,
    payments,
    persons,
    policies,
    programmes,
    publications,
    reconnecting,
    villages,
)
from kiosk.rules import Enrolment, PersonFacts, load_rulebook, parse_period
from kiosk.rules.facts import Household, HouseholdIncome, group_households
from kiosk.rules.reconcile import Payment


class Roster:
    """Reads of the published roster, in the shape the reconciliation backend expects of a store."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._data_dates: dict[str | None, tuple[float, dt.date | None]] = {}

    @reconnecting
    def publication(self, county: str | None = None) -> dict | None:
        """The latest publication (id, at, source, counts) — of `county`, when given — or None before the
        first."""
        query = sa.select(publications).order_by(publications.c.id.desc()).limit(1)
        if county is not None:
            query = query.where(publications.c.county == county)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    @reconnecting
    def load_person(
        self, id_number: str, *, household: bool = True
    ) -> tuple[PersonRecord, PersonFacts, list[Payment]] | None:
        """Person, enrolments and payments read in one snapshot: a county's publication committing between
        the statements is not seen by any of them, so an answer is the old roster's or the new one's, never
        a mixture (PostgreSQL: a REPEATABLE READ transaction; SQLite: one read transaction)."""
        with self._snapshot() as conn:
            person = self._person(conn, id_number)
            if person is None:
                return None
            return person, self._facts(conn, person, household), self._payments(conn, person)

    @contextmanager
    def _snapshot(self) -> Iterator[sa.Connection]:
        if self.engine.dialect.name == "postgresql":
            # not postgresql_readonly: resetting a pooled connection to read-write fails on a standby
            with (
                self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
                conn.begin(),
            ):
                yield conn
        else:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("BEGIN")  # pysqlite begins only before writes; closing rolls it back
                yield conn

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

    def data_date(self, county: str | None = None) -> dt.date | None:
        """How current `county`'s published ledger is (its latest publication's date; without a county, the
        latest publication's), for 数据更新至 on remote kiosks: a county published last month says so even
        when another county was published today. Read at most every 10 s, not on every lookup."""
        at, cached = self._data_dates.get(county, (-1e9, None))
        if time.monotonic() - at > 10.0:
            found = self.publication(county)
            cached = parse_date(found.get("data_date")) if found else None
            self._data_dates[county] = (time.monotonic(), cached)
        return cached

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

    def account_holders(self, account: str) -> int:
        return account_holders(self.reads, account)

    @staticmethod
    def _facts(conn: sa.Connection, person: PersonRecord, household: bool = True) -> PersonFacts:
        """Enrolments, and the household where one was published (as the kiosk's store reads it)."""
        enrolled = Roster._enrolments(conn, [person.id]).get(person.id, ())
        found = None
        if household and person.household and person.village_code:
            found = Roster._household(conn, person)
        return PersonFacts(person.birth_on, person.death_on, enrolled, found)

    @staticmethod
    def _enrolments(conn: sa.Connection, person_ids: list[int]) -> dict[int, tuple[Enrolment, ...]]:
        query = (
            sa.select(
                enrolments.c.person_id,
                enrolments.c.programme,
                enrolments.c.start_on,
                enrolments.c.end_on,
                enrolments.c.category,
                enrolments.c.quantity,
            )
            .where(enrolments.c.person_id.in_(person_ids))
            .order_by(enrolments.c.start_on)
        )
        found: dict[int, list[Enrolment]] = {}
        for pid, code, start, end, category, quantity in conn.execute(query).all():
            found.setdefault(pid, []).append(
                Enrolment(code, start, end, category, Decimal(quantity) if quantity else None)
            )
        return {pid: tuple(rows) for pid, rows in found.items()}

    @staticmethod
    def _household(conn: sa.Connection, person: PersonRecord) -> Household | None:
        head = conn.execute(
            sa.select(households.c.head_person_id, persons.c.name)
            .select_from(households.join(persons, persons.c.id == households.c.head_person_id))
            .where(households.c.village_code == person.village_code, households.c.number == person.household)
        ).first()
        if head is None:
            return None
        members = conn.execute(
            sa.select(persons.c.id, persons.c.birth_on, persons.c.death_on)
            .where(persons.c.village_code == person.village_code, persons.c.household == person.household)
            .order_by(persons.c.id)
        ).all()
        enrolled = Roster._enrolments(conn, [row[0] for row in members])
        incomes = [
            HouseholdIncome(day, fen)
            for day, fen in conn.execute(
                sa.select(household_incomes.c.verified_on, household_incomes.c.per_capita_fen).where(
                    household_incomes.c.village_code == person.village_code,
                    household_incomes.c.number == person.household,
                )
            ).all()
        ]
        return Household.assemble(
            person.id,
            [(pid, PersonFacts(birth, death, enrolled.get(pid, ()))) for pid, birth, death in members],
            head[0],
            mask_name(head[1]),
            incomes,
        )

    @staticmethod
    def payments_query(person_id: int) -> sa.Select:
        """One person's ledger, within their county's partition (the county is in the id)."""
        return sa.select(
            payments.c.programme,
            payments.c.period,
            payments.c.amount_fen,
            payments.c.paid_on,
            payments.c.account,
            payments.c.batch,
        ).where(payments.c.county == county_of_person(person_id), payments.c.person_id == person_id)

    @staticmethod
    def _payments(conn: sa.Connection, person: PersonRecord) -> list[Payment]:
        query = Roster.payments_query(person.id)
        return [
            Payment(code, parse_period(period), amount, paid_on, account, batch)
            for code, period, amount, paid_on, account, batch in conn.execute(query).all()
        ]

    @reconnecting
    def disclosure_households(
        self, village_codes: list[str], programmes: list[str], *, household: bool
    ) -> list[tuple[str, str, str, str, str, list[PersonFacts]]]:
        """As the kiosk store's: every household of these villages with anyone ever enrolled in these
        programmes, its head (户主, else its first member) and every member's facts."""
        query = sa.text(
            "WITH wanted AS (SELECT DISTINCT p.village_code AS v, CASE WHEN p.household = '' "
            "THEN '#' || CAST(p.id AS VARCHAR) ELSE p.household END AS h FROM persons p "
            "JOIN enrolments e ON e.person_id = p.id WHERE p.village_code IN :villages AND e.programme IN :codes) "
            "SELECT p.id, p.id_number, p.name, p.birth_on, p.death_on, p.village_code, COALESCE(v.name, ''), w.h, "
            "hh.head_person_id FROM persons p JOIN wanted w ON w.v = p.village_code AND w.h = CASE WHEN "
            "p.household = '' THEN '#' || CAST(p.id AS VARCHAR) ELSE p.household END "
            "LEFT JOIN villages v ON v.code = p.village_code "
            "LEFT JOIN households hh ON hh.village_code = p.village_code AND hh.number = p.household "
            "ORDER BY p.village_code, w.h, p.id"
        ).bindparams(sa.bindparam("villages", expanding=True), sa.bindparam("codes", expanding=True))
        with self.reads.connect() as conn:
            rows = conn.execute(query, {"villages": village_codes, "codes": programmes}).all()
            enrolled = self._enrolments(conn, [row[0] for row in rows]) if rows else {}

            def incomes_of(village: str, number: str) -> list[HouseholdIncome]:
                query = sa.select(household_incomes.c.verified_on, household_incomes.c.per_capita_fen).where(
                    household_incomes.c.village_code == village, household_incomes.c.number == number
                )
                return [HouseholdIncome(to_date(day), fen) for day, fen in conn.execute(query).all()]

            dated = [(r[0], r[1], r[2], to_date(r[3]), parse_date(r[4]), *r[5:]) for r in rows]
            return group_households(dated, enrolled, incomes_of if household else None)

    @reconnecting
    def village_payments(
        self, village_codes: list[str], programmes: list[str], year: int
    ) -> list[tuple[str, int, int]]:
        query = sa.text(
            "SELECT y.programme, COUNT(DISTINCT p.village_code || '/' || CASE WHEN p.household = '' "
            "THEN '#' || CAST(p.id AS VARCHAR) ELSE p.household END), SUM(y.amount_fen) FROM payments y "
            "JOIN persons p ON p.id = y.person_id WHERE p.village_code IN :villages AND y.programme IN :codes "
            "AND substr(y.period, 1, 4) = :year GROUP BY y.programme"
        ).bindparams(sa.bindparam("villages", expanding=True), sa.bindparam("codes", expanding=True))
        with self.reads.connect() as conn:
            rows = conn.execute(
                query, {"villages": village_codes, "codes": programmes, "year": str(year)}
            ).all()
        return [(code, int(n), int(total)) for code, n, total in rows]

    def policies(self, county: str | None = None) -> dict[str, tuple[str, str]]:
        """The policy files published with `county` (default: every county's, the last one's winning)."""
        query = sa.select(policies.c.code, policies.c.file_name, policies.c.source).order_by(
            policies.c.county
        )
        if county is not None:
            query = query.where(policies.c.county == county)
        with self.engine.connect() as conn:
            return {code: (name, text) for code, name, text in conn.execute(query).all()}

    def counties(self) -> list[str]:
        """The counties published so far (at least one entry once anything was)."""
        with self.engine.connect() as conn:
            found = list(conn.execute(sa.select(publications.c.county).distinct()).scalars())
        return sorted(found) or [""]

    @reconnecting
    def county_of(self, id_number: str) -> str | None:
        """The county whose roster holds this ID number, or None."""
        with self.reads.connect() as conn:
            found = conn.execute(sa.select(persons.c.county).where(persons.c.id_number == id_number)).scalar()
        return found

    @reconnecting
    def county_of_villages(self, codes: list[str]) -> str | None:
        with self.reads.connect() as conn:
            return conn.execute(
                sa.select(villages.c.county).where(villages.c.code.in_(codes)).limit(1)
            ).scalar()


class CountyBackends:
    """The embedded backend's reconciliation over the published roster, each person under their own
    county's rules: a lookup finds the person's county first (one indexed read), then the backend built
    with that county's policy files answers it."""

    def __init__(self, roster: Roster, backends: dict[str, EmbeddedBackend]) -> None:
        self.roster = roster
        self.backends = backends

    def _for(self, county: str | None) -> EmbeddedBackend:
        if county is not None and county in self.backends:
            return self.backends[county]
        return next(iter(self.backends.values()))  # someone on no roster: any county answers "not found"

    def look_up(self, id_number: IdNumber, *, today: dt.date, county: str | None = None) -> LookupResult:
        """The person's picture under their county's rules (`county` when the caller already knows it)."""
        county = county if county is not None else self.roster.county_of(id_number.value)
        return self._dated(self._for(county).look_up(id_number, today=today), county)

    def look_up_account(self, account: str, *, today: dt.date) -> LookupResult:
        number = self.roster.find_id_number_by_account(account)
        county = self.roster.county_of(number) if number else None
        return self._dated(self._for(county).look_up_account(account, today=today), county)

    def _dated(self, result: LookupResult, county: str | None) -> LookupResult:
        """The answer with its own county's ledger date (the backend knows only the latest publication's)."""
        if county is None or not result.on_roster:
            return result
        return dataclasses.replace(result, data_date=self.roster.data_date(county) or result.data_date)

    def find_id_number_by_account(self, account: str) -> str | None:
        return self.roster.find_id_number_by_account(account)

    def disclosure(self, village_codes: list[str], *, today: dt.date, secret: str) -> VillageDisclosure:
        county = self.roster.county_of_villages(village_codes)
        return self._for(county).disclosure(village_codes, today=today, secret=secret)


class RosterLookups:
    """The kiosk lookups a hub answers: the embedded backend's reconciliation over the published roster.

    Each county's rulebook comes from its own published policies; when a newer publication lands, the next
    lookup (at most `recheck_seconds` later) picks up its policies, so publishing needs no hub restart.
    """

    def __init__(self, engine: sa.Engine, *, recheck_seconds: float = 10.0) -> None:
        self.roster = Roster(engine)
        self.recheck_seconds = recheck_seconds
        self._backend: CountyBackends | None = None
        self._publication_id: int | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def backend(self) -> CountyBackends | None:
        """The backends for the current publications; None while nothing has been published. Threads that
        arrive while one builds them wait for it (the check is made again under the lock, and marked done
        only once built), rather than answering "no roster" from a hub that has one."""
        if time.monotonic() - self._checked_at >= self.recheck_seconds:
            with self._lock:
                if time.monotonic() - self._checked_at < self.recheck_seconds:
                    return self._backend  # another thread checked while this one waited
                latest = self.roster.publication()
                if latest is None:
                    self._backend, self._publication_id = None, None
                elif latest["id"] != self._publication_id:
                    self._backend = CountyBackends(
                        self.roster,
                        {
                            county: EmbeddedBackend(
                                self.roster, load_rulebook(None, self.roster.policies(county))
                            )
                            for county in self.roster.counties()
                        },
                    )
                    self._publication_id = latest["id"]
                self._checked_at = time.monotonic()
        return self._backend


def findings_by_check(engine: sa.Engine, region: str = "") -> list[tuple[str, int]]:
    """Supervision-check findings of each county's latest publication within `region`, by check, largest
    first."""
    f = check_findings.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(f.check_code, sa.func.sum(f.count))
            .where(regions.within(region, f.region, f.county))
            .group_by(f.check_code)
        ).all()
    return sorted(((code, int(n)) for code, n in rows), key=lambda pair: -pair[1])


def household_members(engine: sa.Engine, person_id: int) -> list[tuple[int, str, str, str]]:
    """(person id, ID number, name, person key) of everyone in `person_id`'s household (village + 户号),
    the person first; the person alone when they have no 户号."""
    me = sa.alias(persons)
    query = (
        sa.select(persons.c.id, persons.c.id_number, persons.c.name, persons.c.person_key)
        .select_from(
            persons.join(
                me,
                sa.and_(
                    me.c.id == person_id,
                    persons.c.village_code == me.c.village_code,
                    persons.c.household == me.c.household,
                    me.c.household != "",
                ),
            )
        )
        .order_by(persons.c.id)
    )
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(query).all()]
        if not rows:
            alone = conn.execute(
                sa.select(persons.c.id, persons.c.id_number, persons.c.name, persons.c.person_key).where(
                    persons.c.id == person_id
                )
            ).all()
            rows = [tuple(row) for row in alone]
    rows.sort(key=lambda row: row[0] != person_id)
    return rows


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


def village_choices(engine: sa.Engine, region: str = "") -> list[tuple[str, str]]:
    """(code, name) of every village on the roster within `region`, by name: what the inbox's village
    filter offers an account of that region."""
    with engine.connect() as conn:
        query = (
            sa.select(villages.c.code, villages.c.name)
            .where(regions.within(region, villages.c.code, villages.c.county))
            .order_by(villages.c.name)
        )
        return [(code, name) for code, name in conn.execute(query)]


def programme_choices(engine: sa.Engine) -> list[tuple[str, str]]:
    """(code, name) of the roster's programmes; before any publication, the rulebook's codes."""
    with engine.connect() as conn:
        listed = conn.execute(
            sa.select(programmes.c.code, programmes.c.name).order_by(programmes.c.code)
        ).all()
    return [(code, name) for code, name in listed] or [
        (code, code) for code in sorted(load_rulebook().policies)
    ]


def department_of(engine: sa.Engine, programme: str) -> str:
    """The department responsible for a programme: the roster's, else the rulebook's, else ""."""
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(programmes.c.department).where(programmes.c.code == programme)
        ).scalar()
    if found:
        return found
    policy = load_rulebook().policies.get(programme)
    return policy.department if policy else ""


def person_of(engine: sa.Engine, id_number: str) -> tuple[int, str, str] | None:
    """(person id, keyed hash, county) of the person with this ID number, or None. One statement in
    autocommit: no BEGIN and ROLLBACK around it (a lookup's every round trip counts)."""
    with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        row = conn.execute(
            sa.select(persons.c.id, persons.c.person_key, persons.c.county).where(
                persons.c.id_number == id_number
            )
        ).first()
    return (int(row[0]), str(row[1]), str(row[2])) if row else None


def person_paid_through(engine: sa.Engine, account: str) -> int | None:
    """The id of the one person the ledger pays through `account`; None if nobody or several."""
    query = sa.select(accounts.c.person_id).where(accounts.c.account == account).limit(2)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return int(rows[0][0]) if len(rows) == 1 else None


def account_holders(engine: sa.Engine, account: str) -> int:
    """How many persons the ledger pays through `account` (counting stops at 2)."""
    query = sa.select(accounts.c.person_id).where(accounts.c.account == account).limit(2)
    with engine.connect() as conn:
        return len(conn.execute(query).all())
