"""The embedded SQLite store: persons, enrolments, programmes, the payment ledger, audit log.

All SQL of the kiosk lives here. The schema is versioned with PRAGMA user_version
and migrated forward on open. Connections are per thread (waitress serves from a
thread pool and sqlite3 connections must not be shared between threads).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kiosk.core.clock import parse_date, to_date
from kiosk.rules import Enrolment, PersonFacts, Rulebook, parse_period
from kiosk.rules.reconcile import Payment

SCHEMA_VERSION = 7

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE villages (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        township TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE programmes (
        code TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        department TEXT NOT NULL,
        period_kind TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter', 'semester', 'year'))
    );
    CREATE TABLE persons (
        id INTEGER PRIMARY KEY,
        id_number TEXT NOT NULL UNIQUE CHECK (length(id_number) = 18),
        name TEXT NOT NULL,
        gender TEXT NOT NULL CHECK (gender IN ('M', 'F')),
        birth_on TEXT NOT NULL,
        village_code TEXT REFERENCES villages(code),
        household TEXT NOT NULL DEFAULT '',
        death_on TEXT
    );
    CREATE INDEX persons_by_household ON persons(household);
    CREATE TABLE accounts (
        account TEXT NOT NULL,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        PRIMARY KEY (account, person_id)
    );
    CREATE TABLE enrolments (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        programme TEXT NOT NULL REFERENCES programmes(code),
        category TEXT,
        quantity TEXT,
        start_on TEXT NOT NULL,
        end_on TEXT,
        CHECK (end_on IS NULL OR end_on >= start_on)
    );
    CREATE INDEX enrolments_by_person ON enrolments(person_id);
    CREATE TABLE payments (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        programme TEXT NOT NULL REFERENCES programmes(code),
        period TEXT NOT NULL,
        amount_fen INTEGER NOT NULL,
        paid_on TEXT NOT NULL,
        account TEXT NOT NULL DEFAULT '',
        batch TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX payments_by_person ON payments(person_id);
    CREATE TABLE demo_cards (
        position INTEGER PRIMARY KEY,
        id_number TEXT NOT NULL,
        label TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    """,
    2: """
    ALTER TABLE demo_cards ADD COLUMN kind TEXT NOT NULL DEFAULT 'ssse';
    CREATE INDEX accounts_by_person ON accounts(person_id);
    """,
    3: """
    CREATE UNIQUE INDEX payments_natural ON payments(person_id, programme, period, batch, amount_fen, paid_on);
    CREATE UNIQUE INDEX enrolments_natural ON enrolments(person_id, programme, start_on);
    CREATE TABLE import_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_imported INTEGER NOT NULL,
        rows_unchanged INTEGER NOT NULL,
        rows_skipped INTEGER NOT NULL,
        skipped TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE policies (
        code TEXT PRIMARY KEY,
        file_name TEXT NOT NULL,
        source TEXT NOT NULL,
        imported_at TEXT NOT NULL
    );
    """,
    4: """
    ALTER TABLE payments ADD COLUMN import_id INTEGER REFERENCES import_log(id);
    ALTER TABLE payments ADD COLUMN source_row INTEGER;
    """,
    5: """
    CREATE TABLE complaints (
        uuid TEXT PRIMARY KEY,
        tracking_no TEXT NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL,
        person_key TEXT NOT NULL,
        masked_id TEXT NOT NULL,
        programme TEXT NOT NULL DEFAULT '',
        period TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL,
        phone TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL,
        created_at TEXT NOT NULL,
        withdrawn_at TEXT
    );
    CREATE INDEX complaints_by_person ON complaints(person_key);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        complaint_uuid TEXT NOT NULL REFERENCES complaints(uuid),
        kind TEXT NOT NULL CHECK (kind IN ('submit', 'withdraw')),
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        delivered_at TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        UNIQUE (complaint_uuid, kind)
    );
    CREATE INDEX outbox_pending ON outbox(delivered_at, next_attempt_at);
    CREATE TRIGGER complaints_no_delete BEFORE DELETE ON complaints
        BEGIN SELECT RAISE(ABORT, 'complaints are never deleted'); END;
    """,
    6: """
    ALTER TABLE complaints ADD COLUMN hub_status TEXT NOT NULL DEFAULT '';
    ALTER TABLE complaints ADD COLUMN replies TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE complaints ADD COLUMN checked_at TEXT;
    """,
    7: """
    ALTER TABLE complaints ADD COLUMN hub_words TEXT NOT NULL DEFAULT '';
    ALTER TABLE complaints ADD COLUMN may_reopen INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE outbox_v7 (
        id INTEGER PRIMARY KEY,
        complaint_uuid TEXT NOT NULL REFERENCES complaints(uuid),
        kind TEXT NOT NULL CHECK (kind IN ('submit', 'withdraw', 'reopen')),
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        delivered_at TEXT,
        last_error TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO outbox_v7 SELECT id, complaint_uuid, kind, payload, created_at, attempts, next_attempt_at,
        delivered_at, last_error FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v7 RENAME TO outbox;
    CREATE UNIQUE INDEX outbox_once ON outbox(complaint_uuid, kind) WHERE kind IN ('submit', 'withdraw');
    CREATE INDEX outbox_pending ON outbox(delivered_at, next_attempt_at);
    CREATE TABLE card_reads (day TEXT PRIMARY KEY, reads INTEGER NOT NULL);
    """,
}


class StoreError(RuntimeError):
    """Raised when the store file cannot be opened or is from a newer version."""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person as stored; `id_number` must be masked before it reaches a screen or log."""

    id: int
    id_number: str
    name: str
    gender: str
    birth_on: dt.date
    village_code: str | None
    village_name: str | None
    household: str
    death_on: dt.date | None


@dataclass(frozen=True, slots=True)
class DemoCard:
    """A card on the demo panel: `kind` is the card type the emulator plays (ssse, pboc, unknown, corrupt)."""

    position: int
    id_number: str
    label: str
    kind: str = "ssse"


class Store:
    """The embedded database at `path`, one connection per thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()

    # -- connections and schema -------------------------------------------------
    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
            except (OSError, sqlite3.Error) as error:
                raise StoreError(f"cannot open store {self.path}: {error}") from None
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA busy_timeout = 5000")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def migrate(self) -> None:
        """Bring the schema to SCHEMA_VERSION, one migration per transaction."""
        conn = self.connection()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema {version}, newer than this program ({SCHEMA_VERSION})")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            script = f"BEGIN IMMEDIATE;\n{_MIGRATIONS[target]}\nPRAGMA user_version = {target};\nCOMMIT;"
            try:
                conn.executescript(script)
            except sqlite3.Error as error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"cannot migrate {self.path} to schema {target}: {error}") from None

    def transaction(self) -> _Transaction:
        return _Transaction(self.connection())

    def schema_version(self) -> int:
        return self.connection().execute("PRAGMA user_version").fetchone()[0]

    # -- meta -------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, tx: sqlite3.Connection, key: str, value: str) -> None:
        tx.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- writing ----------------------------------------------------------------
    def save_programmes(self, tx: sqlite3.Connection, rulebook: Rulebook) -> None:
        tx.executemany(
            "INSERT INTO programmes(code, name, department, period_kind) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(code) DO UPDATE SET name = excluded.name, department = excluded.department, "
            "period_kind = excluded.period_kind",
            [(p.code, p.name, p.department, p.period_kind) for p in rulebook.policies.values()],
        )

    def add_villages(self, tx: sqlite3.Connection, rows: Iterable[tuple[str, str, str]]) -> None:
        tx.executemany("INSERT INTO villages(code, name, township) VALUES (?, ?, ?)", rows)

    def add_persons(self, tx: sqlite3.Connection, rows: Iterable[tuple]) -> None:
        """Insert (id, id_number, name, gender, birth_on, village_code, household, death_on) rows."""
        tx.executemany(
            "INSERT INTO persons(id, id_number, name, gender, birth_on, village_code, household, death_on) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def add_accounts(self, tx: sqlite3.Connection, rows: Iterable[tuple[str, int]]) -> None:
        tx.executemany("INSERT OR IGNORE INTO accounts(account, person_id) VALUES (?, ?)", rows)

    def add_enrolments(self, tx: sqlite3.Connection, rows: Iterable[tuple]) -> None:
        """Insert (person_id, programme, category, quantity, start_on, end_on) rows."""
        tx.executemany(
            "INSERT INTO enrolments(person_id, programme, category, quantity, start_on, end_on) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    def add_payments(self, tx: sqlite3.Connection, rows: Iterable[tuple]) -> None:
        """Insert (person_id, programme, period, amount_fen, paid_on, account, batch) rows."""
        tx.executemany(
            "INSERT INTO payments(person_id, programme, period, amount_fen, paid_on, account, batch) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    # -- imports: upserts keyed on natural keys, so a re-import changes nothing ----
    @staticmethod
    def _changed(tx: sqlite3.Connection, sql: str, rows: Iterable[tuple]) -> int:
        """Run `sql` for every row; return how many rows it inserted or changed."""
        before = tx.total_changes
        tx.executemany(sql, rows)
        return tx.total_changes - before

    def upsert_villages(self, tx: sqlite3.Connection, rows: Iterable[tuple[str, str, str]]) -> int:
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

    def upsert_persons(self, tx: sqlite3.Connection, rows: Iterable[tuple]) -> int:
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

    def upsert_enrolments(self, tx: sqlite3.Connection, rows: Iterable[tuple]) -> int:
        """Insert or update (person_id, programme, category, quantity, start_on, end_on); return rows changed."""
        return self._changed(
            tx,
            "INSERT INTO enrolments(person_id, programme, category, quantity, start_on, end_on) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(person_id, programme, start_on) DO UPDATE SET "
            "category = excluded.category, quantity = excluded.quantity, end_on = excluded.end_on "
            "WHERE (category, quantity, end_on) IS NOT (excluded.category, excluded.quantity, excluded.end_on)",
            rows,
        )

    def insert_new_payments(self, tx: sqlite3.Connection, rows: Iterable[tuple]) -> int:
        """Insert (person_id, programme, period, amount_fen, paid_on, account, batch, import_id, source_row) rows
        not already in the ledger (same person, programme, period, batch, amount and date); return how many."""
        return self._changed(
            tx,
            "INSERT OR IGNORE INTO payments(person_id, programme, period, amount_fen, paid_on, account, batch, "
            "import_id, source_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def payment_origin(self, tx: sqlite3.Connection, key: tuple) -> tuple[int | None, int | None]:
        """Return (import_id, source_row) of the ledger row with natural key
        (person_id, programme, period, batch, amount_fen, paid_on)."""
        row = tx.execute(
            "SELECT import_id, source_row FROM payments WHERE person_id = ? AND programme = ? AND "
            "period = ? AND batch = ? AND amount_fen = ? AND paid_on = ?",
            key,
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def insert_new_accounts(self, tx: sqlite3.Connection, rows: Iterable[tuple[str, int]]) -> None:
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

    def begin_import(self, tx: sqlite3.Connection, *, file_name: str, kind: str) -> int:
        """Open an import-log entry inside the import's transaction; its id tags the rows it brings."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        cursor = tx.execute(
            "INSERT INTO import_log(at, file_name, sha256, kind, rows_read, rows_imported, "
            "rows_unchanged, rows_skipped) VALUES (?, ?, '', ?, 0, 0, 0, 0)",
            (at, file_name, kind),
        )
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def finish_import(
        self,
        tx: sqlite3.Connection,
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

    def save_policy(self, tx: sqlite3.Connection, code: str, file_name: str, source: str) -> None:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
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

    # -- exports and checks: streamed reads over whole tables ----------------------
    def iter_rows(self, query: str, params: tuple = ()) -> Iterator[tuple]:
        """Stream rows of one of the store's own read queries (exports and supervision checks)."""
        yield from self.connection().execute(query, params)

    # -- complaints and their outbox --------------------------------------------
    def insert_complaint(self, tx: sqlite3.Connection, complaint: dict[str, str], payload: str) -> bool:
        """Write a complaint and its outbox row (in the caller's transaction); False if the uuid exists."""
        cursor = tx.execute(
            "INSERT OR IGNORE INTO complaints(uuid, tracking_no, kiosk_id, person_key, masked_id, programme, period, "
            "category, phone, evidence, created_at) VALUES (:uuid, :tracking_no, :kiosk_id, :person_key, :masked_id, "
            ":programme, :period, :category, :phone, :evidence, :created_at)",
            complaint,
        )
        if cursor.rowcount == 0:
            return False
        tx.execute(
            "INSERT INTO outbox(complaint_uuid, kind, payload, created_at, next_attempt_at) "
            "VALUES (?, 'submit', ?, ?, ?)",
            (complaint["uuid"], payload, complaint["created_at"], complaint["created_at"]),
        )
        return True

    def _dicts(self, query: str, params: tuple) -> list[dict]:
        cursor = self.connection().execute(query, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def complaint(self, uuid: str) -> dict | None:
        found = self._dicts("SELECT * FROM complaints WHERE uuid = ?", (uuid,))
        return found[0] if found else None

    def complaints_of(self, person_key: str) -> list[dict]:
        return self._dicts(
            "SELECT * FROM complaints WHERE person_key = ? ORDER BY created_at DESC", (person_key,)
        )

    def withdraw_complaint(self, tx: sqlite3.Connection, uuid: str, at: str, payload: str) -> None:
        tx.execute(
            "UPDATE complaints SET withdrawn_at = ? WHERE uuid = ? AND withdrawn_at IS NULL", (at, uuid)
        )
        tx.execute(
            "INSERT OR IGNORE INTO outbox(complaint_uuid, kind, payload, created_at, next_attempt_at) "
            "VALUES (?, 'withdraw', ?, ?, ?)",
            (uuid, payload, at, at),
        )

    def due_outbox(self, now: str, limit: int = 50) -> list[tuple]:
        """Undelivered outbox rows due by `now`, oldest first; a withdrawal waits for its complaint's delivery."""
        return (
            self.connection()
            .execute(
                "SELECT o.id, o.complaint_uuid, o.kind, o.payload, o.attempts FROM outbox o WHERE o.delivered_at IS NULL "
                "AND o.next_attempt_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.complaint_uuid = "
                "o.complaint_uuid AND e.id < o.id AND e.delivered_at IS NULL) ORDER BY o.id LIMIT ?",
                (now, limit),
            )
            .fetchall()
        )

    def mark_delivered(self, outbox_id: int, at: str) -> None:
        with self.transaction() as tx:
            tx.execute("UPDATE outbox SET delivered_at = ?, last_error = '' WHERE id = ?", (at, outbox_id))

    def mark_attempt_failed(self, outbox_id: int, attempts: int, next_at: str, error: str) -> None:
        with self.transaction() as tx:
            tx.execute(
                "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                (attempts, next_at, error[:500], outbox_id),
            )

    def complaints_to_check(self, before: str, limit: int = 100) -> list[str]:
        """Delivered complaints whose status at the hub was not checked since `before`."""
        return [
            u
            for (u,) in self.connection().execute(
                "SELECT c.uuid FROM complaints c JOIN outbox o ON o.complaint_uuid = c.uuid AND o.kind = 'submit' "
                "WHERE o.delivered_at IS NOT NULL AND (c.checked_at IS NULL OR c.checked_at < ?) "
                "ORDER BY c.checked_at NULLS FIRST LIMIT ?",
                (before, limit),
            )
        ]

    def set_hub_status(
        self, uuid: str, status: str, replies: str, at: str, *, words: str = "", may_reopen: bool = False
    ) -> None:
        with self.transaction() as tx:
            tx.execute(
                "UPDATE complaints SET hub_status = ?, replies = ?, checked_at = ?, hub_words = ?, may_reopen = ? "
                "WHERE uuid = ?",
                (status, replies, at, words, int(may_reopen), uuid),
            )

    def request_reopening(self, tx: sqlite3.Connection, uuid: str, at: str, payload: str) -> None:
        """Queue the villager's request to handle an answered complaint again (in the caller's transaction)."""
        tx.execute(
            "UPDATE complaints SET may_reopen = 0, hub_status = 'reopen_requested', "
            "hub_words = '已要求重新办理，等待纪检监察部门处理' WHERE uuid = ?",
            (uuid,),
        )
        tx.execute(
            "INSERT INTO outbox(complaint_uuid, kind, payload, created_at, next_attempt_at) "
            "VALUES (?, 'reopen', ?, ?, ?)",
            (uuid, payload, at, at),
        )

    def count_card_read(self, day: str) -> None:
        """One more card read today (the fleet dashboard's sign that a kiosk is used)."""
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO card_reads(day, reads) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET reads = reads + 1",
                (day,),
            )

    def card_reads_on(self, day: str) -> int:
        row = self.connection().execute("SELECT reads FROM card_reads WHERE day = ?", (day,)).fetchone()
        return row[0] if row else 0

    def outbox_backlog(self) -> int:
        return (
            self.connection().execute("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
        )

    def set_demo_cards(self, tx: sqlite3.Connection, cards: Iterable[tuple[int, str, str, str]]) -> None:
        tx.execute("DELETE FROM demo_cards")
        tx.executemany("INSERT INTO demo_cards(position, id_number, label, kind) VALUES (?, ?, ?, ?)", cards)

    def record_audit(self, actor: str, action: str, subject: str, outcome: str) -> None:
        """Append one audit entry (UTC), in its own transaction."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO audit_log(at, actor, action, subject, outcome) VALUES (?, ?, ?, ?, ?)",
                (at, actor, action, subject, outcome),
            )

    # -- reading ----------------------------------------------------------------
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

    def load_facts(self, person: PersonRecord) -> PersonFacts:
        rows = (
            self.connection()
            .execute(
                "SELECT programme, start_on, end_on, category, quantity FROM enrolments WHERE person_id = ? "
                "ORDER BY start_on",
                (person.id,),
            )
            .fetchall()
        )
        enrolments = tuple(
            Enrolment(
                code, to_date(start), parse_date(end), category, Decimal(quantity) if quantity else None
            )
            for code, start, end, category, quantity in rows
        )
        return PersonFacts(person.birth_on, person.death_on, enrolments)

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

    def load_person(self, id_number: str) -> tuple[PersonRecord, PersonFacts, list[Payment]] | None:
        person = self.find_person(id_number)
        if person is None:
            return None
        return person, self.load_facts(person), self.load_payments(person)

    def demo_cards(self) -> list[DemoCard]:
        rows = self.connection().execute(
            "SELECT position, id_number, label, kind FROM demo_cards ORDER BY position"
        )
        return [DemoCard(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        conn = self.connection()
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("persons", "enrolments", "payments", "villages", "audit_log")
        }

    def audit_entries(self) -> Iterator[tuple]:
        yield from self.connection().execute(
            "SELECT at, actor, action, subject, outcome FROM audit_log ORDER BY id"
        )


class _Transaction:
    """`with store.transaction() as tx:` BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def open_store(path: Path | str) -> Store:
    """Open (creating if needed) the store at `path` and migrate it to the current schema."""
    store = Store(path)
    store.migrate()
    return store
