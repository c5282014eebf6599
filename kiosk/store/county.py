"""The county's data in the kiosk store: villages, persons, accounts, enrolments, the payment ledger,
policies and the import log, with every query over them.

Imports write through natural-key upserts (a re-import changes nothing) inside one
`import_transaction`; lookups read one person; exports, supervision checks and publishing
to a hub read whole tables through the named queries below, never SQL of their own.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal

from kiosk.core.clock import parse_date, to_date, utc_stamp
from kiosk.core.person import PersonRecord, mask_name
from kiosk.rules import Enrolment, PersonFacts, Rulebook, parse_period
from kiosk.rules.facts import Household, HouseholdIncome, group_households
from kiosk.rules.reconcile import Payment
from kiosk.store.base import Connected, Tx

EXPORT_QUERIES = {  # the importer's own columns: see kiosk.services.export for their headers
    "villages": "SELECT code, name, township FROM villages ORDER BY code",
    "persons": "SELECT p.id_number, p.name, CASE p.gender WHEN 'M' THEN '男' ELSE '女' END, p.village_code, "
    "p.household, COALESCE(p.death_on, ''), COALESCE((SELECT MIN(account) FROM accounts a "
    "WHERE a.person_id = p.id), '') FROM persons p ORDER BY p.id",
    "enrolments": "SELECT p.id_number, e.programme, COALESCE(e.category, ''), COALESCE(e.quantity, ''), e.start_on, "
    "COALESCE(e.end_on, ''), e.approver FROM enrolments e JOIN persons p ON p.id = e.person_id ORDER BY e.id",
    "payments": "SELECT p.id_number, p.name, y.programme, y.period, y.amount_fen, y.paid_on, y.account, y.batch, "
    "y.operator, y.entered_by FROM payments y JOIN persons p ON p.id = y.person_id ORDER BY y.id",
    "households": "SELECT h.village_code, h.number, p.id_number, COALESCE(i.verified_on, ''), "
    "COALESCE(i.per_capita_fen, '') FROM households h JOIN persons p ON p.id = h.head_person_id "
    "LEFT JOIN household_incomes i ON i.village_code = h.village_code AND i.number = h.number "
    "ORDER BY h.village_code, h.number, i.verified_on",
}
PUBLISH_QUERIES = {  # raw rows with internal ids, for a hub's roster tables
    "villages": "SELECT code, name, township FROM villages",
    "programmes": "SELECT code, name, department, period_kind FROM programmes",
    "persons": "SELECT id, id_number, name, gender, birth_on, village_code, household, death_on FROM persons",
    "accounts": "SELECT account, person_id FROM accounts",
    "enrolments": "SELECT person_id, programme, category, quantity, start_on, end_on, approver FROM enrolments",
    "payments": "SELECT person_id, programme, period, amount_fen, paid_on, account, batch, operator, entered_by "
    "FROM payments",
    "households": "SELECT village_code, number, head_person_id FROM households",
    "household_incomes": "SELECT village_code, number, verified_on, per_capita_fen FROM household_incomes",
}


class CountyData(Connected):
    """Reads and writes of the county's tables (mixed into `kiosk.store.Store`)."""

    def import_transaction(self) -> AbstractContextManager[Tx]:
        """The one transaction an import runs in: all its rows and its log entry commit together, or none
        (raise `kiosk.store.Rollback` inside it to keep nothing without an error)."""
        return self.transaction()

    # -- writing (the demo's generator and tests) ----------------------------------
    def save_programmes(self, tx: Tx, rulebook: Rulebook) -> None:
        tx.executemany(
            "INSERT INTO programmes(code, name, department, period_kind) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(code) DO UPDATE SET name = excluded.name, department = excluded.department, "
            "period_kind = excluded.period_kind",
            [(p.code, p.name, p.department, p.period_kind) for p in rulebook.policies.values()],
        )

    def add_villages(self, tx: Tx, rows: Iterable[tuple[str, str, str]]) -> None:
        tx.executemany("INSERT INTO villages(code, name, township) VALUES (?, ?, ?)", rows)

    def add_persons(self, tx: Tx, rows: Iterable[tuple]) -> None:
        """Insert (id, id_number, name, gender, birth_on, village_code, household, death_on) rows."""
        tx.executemany(
            "INSERT INTO persons(id, id_number, name, gender, birth_on, village_code, household, death_on) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def add_accounts(self, tx: Tx, rows: Iterable[tuple[str, int]]) -> None:
        """Accounts registered to persons (the roster's 银行账号)."""
        self.register_accounts(tx, rows)

    def register_accounts(self, tx: Tx, rows: Iterable[tuple[str, int]]) -> None:
        """(account, person_id) as the roster registers them; an account first seen in payments becomes
        registered too."""
        tx.executemany(
            "INSERT INTO accounts(account, person_id, registered) VALUES (?, ?, 1) "
            "ON CONFLICT(account, person_id) DO UPDATE SET registered = 1",
            rows,
        )

    def add_enrolments(self, tx: Tx, rows: Iterable[tuple]) -> None:
        """Insert (person_id, programme, category, quantity, start_on, end_on) rows."""
        tx.executemany(
            "INSERT INTO enrolments(person_id, programme, category, quantity, start_on, end_on) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    def add_payments(self, tx: Tx, rows: Iterable[tuple]) -> None:
        """Insert (person_id, programme, period, amount_fen, paid_on, account, batch) rows."""
        tx.executemany(
            "INSERT INTO payments(person_id, programme, period, amount_fen, paid_on, account, batch) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    # -- imports: upserts keyed on natural keys, so a re-import changes nothing ----
    @staticmethod
    def _changed(tx: Tx, sql: str, rows: Iterable[tuple]) -> int:
        """Run `sql` for every row; return how many rows it inserted or changed."""
        before = tx.total_changes
        tx.executemany(sql, rows)
        return tx.total_changes - before

    def upsert_villages(self, tx: Tx, rows: Iterable[tuple[str, str, str]]) -> int:
        """Insert or update (code, name, township); return rows changed."""
        return self._changed(
            tx,
            "INSERT INTO villages(code, name, township) VALUES (?, ?, ?) ON CONFLICT(code) DO UPDATE "
            "SET name = excluded.name, township = excluded.township "
            "WHERE (name, township) IS NOT (excluded.name, excluded.township)",
            rows,
        )

    def village_codes(self) -> dict[str, str]:
        """Map both village codes and names to codes."""
        mapping: dict[str, str] = {}
        for code, name in self.connection().execute("SELECT code, name FROM villages"):
            mapping[code] = code
            mapping.setdefault(name, code)
        return mapping

    def upsert_persons(self, tx: Tx, rows: Iterable[tuple]) -> int:
        """Insert or update (id_number, name, gender, birth_on, village_code, household, death_on); return rows changed."""
        return self._changed(
            tx,
            "INSERT INTO persons(id_number, name, gender, birth_on, village_code, household, death_on) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id_number) DO UPDATE SET name = excluded.name, "
            "gender = excluded.gender, birth_on = excluded.birth_on, village_code = excluded.village_code, "
            "household = excluded.household, death_on = excluded.death_on "
            "WHERE (name, gender, birth_on, village_code, household, death_on) IS NOT "
            "(excluded.name, excluded.gender, excluded.birth_on, excluded.village_code, excluded.household, "
            "excluded.death_on)",
            rows,
        )

    def upsert_enrolments(self, tx: Tx, rows: Iterable[tuple]) -> int:
        """Insert or update (person_id, programme, category, quantity, start_on, end_on, approver); return rows
        changed."""
        return self._changed(
            tx,
            "INSERT INTO enrolments(person_id, programme, category, quantity, start_on, end_on, approver) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(person_id, programme, start_on) DO UPDATE SET "
            "category = excluded.category, quantity = excluded.quantity, end_on = excluded.end_on, "
            "approver = excluded.approver WHERE (category, quantity, end_on, approver) IS NOT "
            "(excluded.category, excluded.quantity, excluded.end_on, excluded.approver)",
            rows,
        )

    def upsert_households(self, tx: Tx, rows: Iterable[tuple[str, str, int]]) -> int:
        """Insert or update (village_code, number, head person id); return rows changed."""
        return self._changed(
            tx,
            "INSERT INTO households(village_code, number, head_person_id) VALUES (?, ?, ?) "
            "ON CONFLICT(village_code, number) DO UPDATE SET head_person_id = excluded.head_person_id "
            "WHERE head_person_id IS NOT excluded.head_person_id",
            rows,
        )

    def upsert_household_incomes(self, tx: Tx, rows: Iterable[tuple[str, str, str, int]]) -> int:
        """Insert or update (village_code, number, verified_on, per-capita fen); return rows changed."""
        return self._changed(
            tx,
            "INSERT INTO household_incomes(village_code, number, verified_on, per_capita_fen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(village_code, number, verified_on) DO UPDATE SET per_capita_fen = excluded.per_capita_fen "
            "WHERE per_capita_fen IS NOT excluded.per_capita_fen",
            rows,
        )

    def household_members(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
        """{(village_code, number): the members' ID numbers} for the households asked about that have any."""
        wanted = sorted(set(keys))
        found: dict[tuple[str, str], set[str]] = {}
        conn = self.connection()
        for start in range(0, len(wanted), 2000):
            chunk = wanted[start : start + 2000]
            for village, number, id_number in conn.execute(
                "SELECT p.village_code, p.household, p.id_number FROM persons p JOIN json_each(?) k "
                "ON p.village_code = json_extract(k.value, '$[0]') AND p.household = json_extract(k.value, '$[1]')",
                (json.dumps(chunk),),
            ):
                found.setdefault((village, number), set()).add(id_number)
        return found

    def insert_new_payments(self, tx: Tx, rows: Iterable[tuple]) -> int:
        """Insert (person_id, programme, period, amount_fen, paid_on, account, batch, import_id, source_row,
        operator, entered_by) rows
        not already in the ledger (same person, programme, period, batch, amount and date); return how many."""
        return self._changed(
            tx,
            "INSERT OR IGNORE INTO payments(person_id, programme, period, amount_fen, paid_on, account, batch, "
            "import_id, source_row, operator, entered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def payment_origin(self, tx: Tx, key: tuple) -> tuple[int | None, int | None]:
        """Return (import_id, source_row) of the ledger row with natural key
        (person_id, programme, period, batch, amount_fen, paid_on)."""
        row = tx.execute(
            "SELECT import_id, source_row FROM payments WHERE person_id = ? AND programme = ? AND "
            "period = ? AND batch = ? AND amount_fen = ? AND paid_on = ?",
            key,
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def insert_new_accounts(self, tx: Tx, rows: Iterable[tuple[str, int]]) -> None:
        """(account, person_id) seen in payments: a bank card through that account finds the person."""
        tx.executemany("INSERT OR IGNORE INTO accounts(account, person_id) VALUES (?, ?)", rows)

    def persons_by_id_number(self, id_numbers: Iterable[str]) -> dict[str, tuple[int, str, str | None]]:
        """Return {id_number: (person_id, name, household)} for those known, one query per 5,000 numbers."""
        wanted = list(set(id_numbers))
        found: dict[str, tuple[int, str, str | None]] = {}
        conn = self.connection()
        for start in range(0, len(wanted), 5000):  # SQLite ≥ 3.32 allows 32,766 parameters
            chunk = wanted[start : start + 5000]
            marks = ",".join("?" * len(chunk))
            for pid, number, name, household in conn.execute(
                f"SELECT id, id_number, name, household FROM persons WHERE id_number IN ({marks})",  # noqa: S608 - only "?" marks are interpolated
                chunk,
            ):
                found[number] = (pid, name, household)
        return found

    def begin_import(self, tx: Tx, *, file_name: str, kind: str) -> int:
        """Open an import-log entry inside the import's transaction; its id tags the rows it brings."""
        at = utc_stamp(dt.datetime.now(dt.UTC))
        cursor = tx.execute(
            "INSERT INTO import_log(at, file_name, sha256, kind, rows_read, rows_imported, "
            "rows_unchanged, rows_skipped) VALUES (?, ?, '', ?, 0, 0, 0, 0)",
            (at, file_name, kind),
        )
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def finish_import(
        self,
        tx: Tx,
        import_id: int,
        *,
        sha256: str,
        kind: str,
        rows_read: int,
        rows_imported: int,
        rows_unchanged: int,
        rows_skipped: int,
        skipped: str,
    ) -> None:
        tx.execute(
            "UPDATE import_log SET sha256 = ?, kind = ?, rows_read = ?, rows_imported = ?, rows_unchanged = ?,"
            " rows_skipped = ?, skipped = ? WHERE id = ?",
            (sha256, kind, rows_read, rows_imported, rows_unchanged, rows_skipped, skipped, import_id),
        )

    def import_log(self) -> list[tuple]:
        return (
            self.connection()
            .execute(
                "SELECT at, file_name, kind, rows_read, rows_imported, rows_unchanged, rows_skipped, skipped "
                "FROM import_log ORDER BY id"
            )
            .fetchall()
        )

    def save_policy(self, tx: Tx, code: str, file_name: str, source: str) -> None:
        at = utc_stamp(dt.datetime.now(dt.UTC))
        tx.execute(
            "INSERT INTO policies(code, file_name, source, imported_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(code) DO UPDATE SET file_name = excluded.file_name, source = excluded.source, "
            "imported_at = excluded.imported_at",
            (code, file_name, source, at),
        )

    def policies(self) -> dict[str, tuple[str, str]]:
        """Imported policy texts: {code: (file_name, source)}."""
        return {
            code: (name, source)
            for code, name, source in self.connection().execute(
                "SELECT code, file_name, source FROM policies"
            )
        }

    # -- one person, for a lookup ---------------------------------------------------
    def find_person(self, id_number: str) -> PersonRecord | None:
        row = (
            self.connection()
            .execute(
                "SELECT p.id, p.id_number, p.name, p.gender, p.birth_on, p.village_code, v.name, p.household, "
                "p.death_on FROM persons p LEFT JOIN villages v ON v.code = p.village_code WHERE p.id_number = ?",
                (id_number,),
            )
            .fetchone()
        )
        if row is None:
            return None
        return PersonRecord(
            row[0],
            row[1],
            row[2],
            row[3],
            parse_date(row[4]),  # type: ignore[arg-type]  # birth_on is NOT NULL in the schema
            row[5],
            row[6],
            row[7],
            parse_date(row[8]),
        )

    def find_id_number_by_account(self, account: str) -> str | None:
        """Return the ID number of the one person paid through `account`; None if nobody or several."""
        rows = (
            self.connection()
            .execute(
                "SELECT p.id_number FROM accounts a JOIN persons p ON p.id = a.person_id WHERE a.account = ? LIMIT 2",
                (account,),
            )
            .fetchall()
        )
        return rows[0][0] if len(rows) == 1 else None

    def account_holders(self, account: str) -> int:
        """How many persons are paid through `account` (counting stops at 2)."""
        rows = (
            self.connection()
            .execute("SELECT person_id FROM accounts WHERE account = ? LIMIT 2", (account,))
            .fetchall()
        )
        return len(rows)

    def account_of(self, id_number: str) -> str | None:
        row = (
            self.connection()
            .execute(
                "SELECT a.account FROM accounts a JOIN persons p ON p.id = a.person_id WHERE p.id_number = ? LIMIT 1",
                (id_number,),
            )
            .fetchone()
        )
        return row[0] if row else None

    def load_facts(self, person: PersonRecord, *, household: bool = True) -> PersonFacts:
        """The person's enrolments and, where the county imported their household, that household: its
        members' own facts, its head and its verified incomes."""
        conn = self.connection()
        enrolments = self._enrolments_of(conn, [person.id]).get(person.id, ())
        found = None
        if household and person.household and person.village_code:
            found = self._household_of(conn, person)
        return PersonFacts(person.birth_on, person.death_on, enrolments, found)

    @staticmethod
    def _enrolments_of(conn: sqlite3.Connection, person_ids: list[int]) -> dict[int, tuple[Enrolment, ...]]:
        found: dict[int, list[Enrolment]] = {}
        marks = ",".join("?" * len(person_ids))
        for pid, code, start, end, category, quantity in conn.execute(
            "SELECT person_id, programme, start_on, end_on, category, quantity FROM enrolments "  # noqa: S608 - only "?" marks
            f"WHERE person_id IN ({marks}) ORDER BY start_on",
            person_ids,
        ):
            found.setdefault(pid, []).append(
                Enrolment(
                    code, to_date(start), parse_date(end), category, Decimal(quantity) if quantity else None
                )
            )
        return {pid: tuple(rows) for pid, rows in found.items()}

    def _household_of(self, conn: sqlite3.Connection, person: PersonRecord) -> Household | None:
        key = (person.village_code, person.household)
        head = conn.execute(
            "SELECT h.head_person_id, p.name FROM households h JOIN persons p ON p.id = h.head_person_id "
            "WHERE h.village_code = ? AND h.number = ?",
            key,
        ).fetchone()
        if head is None:
            return None
        members = conn.execute(
            "SELECT id, birth_on, death_on FROM persons WHERE village_code = ? AND household = ? ORDER BY id",
            key,
        ).fetchall()
        enrolments = self._enrolments_of(conn, [row[0] for row in members])
        incomes = [
            HouseholdIncome(to_date(day), fen)
            for day, fen in conn.execute(
                "SELECT verified_on, per_capita_fen FROM household_incomes WHERE village_code = ? AND number = ?",
                key,
            )
        ]
        return Household.assemble(
            person.id,
            [
                (pid, PersonFacts(to_date(birth), parse_date(death), enrolments.get(pid, ())))
                for pid, birth, death in members
            ],
            head[0],
            mask_name(head[1]),
            incomes,
        )

    def load_payments(self, person: PersonRecord) -> list[Payment]:
        rows = (
            self.connection()
            .execute(
                "SELECT programme, period, amount_fen, paid_on, account, batch FROM payments WHERE person_id = ?",
                (person.id,),
            )
            .fetchall()
        )
        return [
            Payment(code, parse_period(period), amount, parse_date(paid_on), account, batch)  # type: ignore[arg-type]
            for code, period, amount, paid_on, account, batch in rows
        ]

    def load_person(
        self, id_number: str, *, household: bool = True
    ) -> tuple[PersonRecord, PersonFacts, list[Payment]] | None:
        person = self.find_person(id_number)
        if person is None:
            return None
        return person, self.load_facts(person, household=household), self.load_payments(person)

    # -- a village's public lists (公示) ----------------------------------------------------------------
    def disclosure_households(
        self, village_codes: list[str], programmes: list[str], *, household: bool
    ) -> list[tuple[str, str, str, str, str, list[PersonFacts]]]:
        """(village code, village name, household number, head's name, head's ID number, every member's
        facts) for each household of these villages with anyone ever enrolled in these programmes. The head
        is the household's 户主, else its first member on the roster; a person with no 户号 is a household
        alone. With `household`, each member's facts carry the household (for a 差额)."""
        conn = self.connection()
        spec = json.dumps({"villages": village_codes, "programmes": programmes})
        rows = conn.execute(
            "WITH wanted AS (SELECT DISTINCT p.village_code AS v, CASE WHEN p.household = '' THEN '#' || p.id "
            "ELSE p.household END AS h FROM persons p JOIN enrolments e ON e.person_id = p.id "
            "WHERE p.village_code IN (SELECT value FROM json_each(json_extract(?1, '$.villages'))) "
            "AND e.programme IN (SELECT value FROM json_each(json_extract(?1, '$.programmes')))) "
            "SELECT p.id, p.id_number, p.name, p.birth_on, p.death_on, p.village_code, COALESCE(v.name, ''), "
            "w.h, hh.head_person_id FROM persons p JOIN wanted w ON w.v = p.village_code AND w.h = "
            "CASE WHEN p.household = '' THEN '#' || p.id ELSE p.household END "
            "LEFT JOIN villages v ON v.code = p.village_code "
            "LEFT JOIN households hh ON hh.village_code = p.village_code AND hh.number = p.household "
            "ORDER BY p.village_code, w.h, p.id",
            (spec,),
        ).fetchall()
        enrolled = self._enrolments_of(conn, [row[0] for row in rows]) if rows else {}

        def incomes_of(village: str, number: str) -> list[HouseholdIncome]:
            return [
                HouseholdIncome(to_date(day), fen)
                for day, fen in conn.execute(
                    "SELECT verified_on, per_capita_fen FROM household_incomes WHERE village_code = ? AND number = ?",
                    (village, number),
                )
            ]

        dated = [(r[0], r[1], r[2], to_date(r[3]), parse_date(r[4]), *r[5:]) for r in rows]
        return group_households(dated, enrolled, incomes_of if household else None)

    def village_payments(
        self, village_codes: list[str], programmes: list[str], year: int
    ) -> list[tuple[str, int, int]]:
        """(programme, households paid, fen paid) for these villages' payments for periods of `year`."""
        spec = json.dumps({"villages": village_codes, "programmes": programmes})
        return [
            (code, households, total)
            for code, households, total in self.connection().execute(
                "SELECT y.programme, COUNT(DISTINCT p.village_code || '/' || CASE WHEN p.household = '' "
                "THEN '#' || p.id ELSE p.household END), SUM(y.amount_fen) FROM payments y "
                "JOIN persons p ON p.id = y.person_id "
                "WHERE p.village_code IN (SELECT value FROM json_each(json_extract(?1, '$.villages'))) "
                "AND y.programme IN (SELECT value FROM json_each(json_extract(?1, '$.programmes'))) "
                "AND substr(y.period, 1, 4) = ?2 GROUP BY y.programme",
                (spec, str(year)),
            )
        ]

    def village_names(self, village_codes: list[str] | None = None) -> list[tuple[str, str]]:
        """(code, name) of these villages (or all), in code order."""
        rows = self.connection().execute("SELECT code, name FROM villages ORDER BY code").fetchall()
        return [(c, n) for c, n in rows if village_codes is None or c in village_codes]

    # -- how current the data is -------------------------------------------------------------------
    def note_ledger_date(self, tx: Tx) -> None:
        """Record the ledger's date — its latest payment — for every screen's 数据更新至 (after an import)."""
        latest = tx.execute("SELECT MAX(paid_on) FROM payments").fetchone()[0]
        if latest:
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('ledger_date', ?) ON CONFLICT(key) DO UPDATE SET value = "
                "excluded.value",
                (latest,),
            )

    def data_date(self) -> dt.date | None:
        """The date of the ledger (its latest payment, as the last import recorded it), not of the copy; a
        store from before the record is read once."""
        noted = self.get_meta("ledger_date")
        if noted:
            return parse_date(noted)
        scanned = self.__dict__.get("_scanned_ledger_date")  # every lookup asks: scan the ledger once only
        if scanned is None:
            latest = self.connection().execute("SELECT MAX(paid_on) FROM payments").fetchone()[0]
            scanned = self.__dict__["_scanned_ledger_date"] = (parse_date(latest) if latest else None,)
        return scanned[0]

    def counts(self) -> dict[str, int]:
        conn = self.connection()
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("persons", "enrolments", "payments", "villages", "audit_log")
        }

    # -- named reads over the whole county: export, supervision checks, publishing to a hub ----
    def export_rows(self, table: str) -> Iterator[tuple]:
        """The rows of one importable table, in the columns and order `kiosk import` reads back."""
        yield from self.connection().execute(EXPORT_QUERIES[table])

    def table_rows(self, table: str) -> Iterator[tuple]:
        """One roster table's raw rows, for publishing the county to a hub (columns as in PUBLISH_QUERIES)."""
        yield from self.connection().execute(PUBLISH_QUERIES[table])

    def checked_id_numbers(self) -> list[str]:
        """Everyone with an enrolment or a payment: the persons the supervision checks reconcile."""
        return [
            number
            for (number,) in self.connection().execute(
                "SELECT p.id_number FROM persons p WHERE EXISTS (SELECT 1 FROM payments y WHERE "
                "y.person_id = p.id) OR EXISTS (SELECT 1 FROM enrolments e WHERE e.person_id = p.id) "
                "ORDER BY p.id"
            )
        ]

    def first_paid_period(self) -> str | None:
        """The earliest period code in the ledger (where the checks' history starts)."""
        return self.connection().execute("SELECT MIN(period) FROM payments").fetchone()[0]

    def shared_account_payees(self) -> Iterator[tuple[str, str, str, str, str, int, int]]:
        """(account, id_number, name, village, household, payment count, total fen) for every account that
        pays persons of more than one household (a household is its village and its number: two villages'
        household "01" are two households), one row per account and person."""
        yield from self.connection().execute(
            "SELECT y.account, p.id_number, p.name, COALESCE(v.name, ''), p.household, COUNT(*), SUM(y.amount_fen) "
            "FROM payments y JOIN persons p ON p.id = y.person_id LEFT JOIN villages v ON v.code = p.village_code "
            "WHERE y.account IN (SELECT y2.account FROM payments y2 JOIN persons p2 ON p2.id = y2.person_id "
            "WHERE y2.account <> '' GROUP BY y2.account "
            "HAVING COUNT(DISTINCT COALESCE(p2.village_code, '') || '/' || p2.household) > 1) "
            "GROUP BY y.account, p.id ORDER BY y.account, p.id"
        )

    def payments_into_others_accounts(self) -> Iterator[tuple[str, str, str, str, str, int, str, str]]:
        """(id_number, name, village, programme, period, amount fen, account, the account's registered
        holders) for every payment into an account the roster registers to other persons and not to the
        payee (代领: someone else collects)."""
        yield from self.connection().execute(
            "SELECT p.id_number, p.name, COALESCE(v.name, ''), y.programme, y.period, y.amount_fen, y.account, "
            "(SELECT group_concat(o.name, '、') FROM accounts a JOIN persons o ON o.id = a.person_id "
            "WHERE a.account = y.account AND a.registered = 1) "
            "FROM payments y JOIN persons p ON p.id = y.person_id LEFT JOIN villages v ON v.code = p.village_code "
            "WHERE y.account <> '' AND EXISTS (SELECT 1 FROM accounts a WHERE a.account = y.account "
            "AND a.registered = 1 AND a.person_id <> y.person_id) "
            "AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.account = y.account AND a.person_id = y.person_id "
            "AND a.registered = 1) "
            "ORDER BY p.id_number, y.period"
        )

    def overlapping_enrolments(self, tx: Tx, person_ids: Iterable[int]) -> list[tuple[str, str, str, str]]:
        """(id_number, programme, earlier start, later start) for every two enrolments of one of these
        persons in one programme that overlap (the earlier open, or ending on or after the later's start)."""
        return [
            (row[0], row[1], row[2], row[3])
            for row in tx.execute(
                "SELECT p.id_number, a.programme, a.start_on, b.start_on FROM enrolments a "
                "JOIN enrolments b ON b.person_id = a.person_id AND b.programme = a.programme "
                "AND b.start_on > a.start_on AND (a.end_on IS NULL OR a.end_on >= b.start_on) "
                "JOIN persons p ON p.id = a.person_id "
                "WHERE a.person_id IN (SELECT value FROM json_each(?)) ORDER BY p.id_number, a.programme, a.start_on",
                (json.dumps(sorted(set(person_ids))),),
            )
        ]

    def household_dibao(self, id_number: str) -> list[tuple[str, str, str, int, int, bool]]:
        """(id_number, name, village, dibao payments, dibao fen, enrolled in dibao) for everyone in the
        household of `id_number` (the cadre check); empty when the person has no household recorded."""
        return [
            (number, name, village, count, total, bool(enrolled))
            for number, name, village, count, total, enrolled in self.connection().execute(
                "SELECT p.id_number, p.name, COALESCE(v.name, ''), "
                "(SELECT COUNT(*) FROM payments y WHERE y.person_id = p.id AND y.programme = 'dibao'), "
                "(SELECT COALESCE(SUM(amount_fen), 0) FROM payments y WHERE y.person_id = p.id AND y.programme = 'dibao'),"
                " EXISTS (SELECT 1 FROM enrolments e WHERE e.person_id = p.id AND e.programme = 'dibao') "
                "FROM persons p LEFT JOIN villages v ON v.code = p.village_code "
                "JOIN persons c ON c.id_number = ? AND c.household = p.household "
                "AND COALESCE(c.village_code, '') = COALESCE(p.village_code, '') WHERE p.household <> ''",
                (id_number,),
            )
        ]
