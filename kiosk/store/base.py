"""One SQLite file, one connection per thread, and the transaction every write runs in.

Connections are per thread because waitress serves from a thread pool and sqlite3
connections must not be shared between threads. WAL with synchronous=FULL: a COMMIT
that returned is on disk (a complaint acknowledged to a villager survives a power cut).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from kiosk.core.private_files import ensure_private_file
from kiosk.store.schema import MIGRATIONS, SCHEMA_VERSION

Tx = sqlite3.Connection  # what a write method takes: the connection inside `with store.transaction() as tx`


class StoreError(RuntimeError):
    """Raised when the store file cannot be opened, is from a newer version, or refuses a write."""


class Rollback(Exception):  # noqa: N818 - a signal, not an error
    """Raise inside `with store.transaction()` to end it without committing; the block then just ends."""


class Connected:
    """The store's file at `path` and this thread's connection to it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                ensure_private_file(self.path)  # the county's roster: owner-only from its first byte
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
            script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[target]}\nPRAGMA user_version = {target};\nCOMMIT;"
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

    def get_meta(self, key: str) -> str | None:
        row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, tx: sqlite3.Connection, key: str, value: str) -> None:
        tx.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class _Transaction:
    """`with store.transaction() as tx:` BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error (or Rollback)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, error: object, trace: object) -> bool:
        if kind is None:
            self.conn.execute("COMMIT")
            return False
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        return kind is Rollback
