"""A signed snapshot's tables, written into a fresh store at the hub and swapped into a kiosk's store whole.

The roster and ledger tables (SNAPSHOT_TABLES) are replaced in one transaction: a lookup running meanwhile
reads the old rows or the new, never a mixture (WAL), and a swap that fails on any row leaves the old data
as it was. The kiosk's own tables — complaints and their outbox, audit log, staff, card reads — are not
touched. The file arrives already verified (kiosk.link.snapshot); here it is also checked as a database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from kiosk.store.base import Connected, StoreError, Tx

# table → its columns, parents before children (deleted in the reverse order)
SNAPSHOT_TABLES: dict[str, tuple[str, ...]] = {
    "villages": ("code", "name", "township"),
    "programmes": ("code", "name", "department", "period_kind"),
    "persons": ("id", "id_number", "name", "gender", "birth_on", "village_code", "household", "death_on"),
    "accounts": ("account", "person_id"),
    "households": ("village_code", "number", "head_person_id"),
    "household_incomes": ("village_code", "number", "verified_on", "per_capita_fen"),
    "enrolments": ("person_id", "programme", "category", "quantity", "start_on", "end_on", "approver"),
    "payments": (
        "person_id",
        "programme",
        "period",
        "amount_fen",
        "paid_on",
        "account",
        "batch",
        "operator",
        "entered_by",
    ),
    "policies": ("code", "file_name", "source", "imported_at"),
}


class SnapshotData(Connected):
    """Filling a snapshot's store (the hub) and swapping one in (the kiosk) (mixed into `kiosk.store.Store`)."""

    def fill_snapshot_table(self, tx: Tx, table: str, rows: Iterable[tuple]) -> int:
        columns = SNAPSHOT_TABLES[table]
        statement = f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608 (fixed names)
        count = 0
        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(row))
            if len(batch) == 10_000:
                tx.executemany(statement, batch)
                count += len(batch)
                batch = []
        tx.executemany(statement, batch)
        return count + len(batch)

    def swap_in_snapshot(
        self, source: Path, *, meta: dict[str, str], audit: tuple[str, str]
    ) -> dict[str, int]:
        """Replace this store's roster and ledger with those of the store file `source`, in one transaction;
        set `meta` (the ledger's date among it) and append `audit` (subject, outcome) to the audit log.
        Returns the rows taken per table. StoreError, and the old data kept, when the file is no store."""
        conn = self.connection()
        try:
            conn.execute("ATTACH DATABASE ? AS snap", (str(source),))
        except sqlite3.Error as error:
            raise StoreError(f"the snapshot's data cannot be opened: {error}") from None
        try:
            self._check_attached(conn)
            counts: dict[str, int] = {}
            before = dict(
                conn.execute("SELECT code, source FROM main.policies").fetchall()
            )  # to tell whether the rules changed
            with self.transaction() as tx:
                for table in reversed(SNAPSHOT_TABLES):
                    tx.execute(f"DELETE FROM main.{table}")  # noqa: S608 (fixed names)
                for table, columns in SNAPSHOT_TABLES.items():
                    names = ", ".join(columns)
                    counts[table] = tx.execute(
                        f"INSERT INTO main.{table}({names}) SELECT {names} FROM snap.{table}"  # noqa: S608 (fixed names)
                    ).rowcount
                after = dict(tx.execute("SELECT code, source FROM main.policies").fetchall())
                values = {
                    **meta,
                    **(
                        {"policies_changed_at": meta.get("snapshot_applied_at", "")}
                        if after != before
                        else {}
                    ),
                }
                for key, value in values.items():
                    self.set_meta(tx, key, value)
                tx.execute(
                    "INSERT INTO audit_log(at, actor, action, subject, outcome) VALUES (?, 'snapshot', "
                    "'snapshot_applied', ?, ?)",
                    (meta.get("snapshot_applied_at", ""), audit[0], audit[1]),
                )
            counts["rules_changed"] = int(after != before)
            return counts
        except sqlite3.Error as error:
            raise StoreError(f"the snapshot's data was refused, the old data kept: {error}") from None
        finally:
            conn.execute("DETACH DATABASE snap")

    @staticmethod
    def _check_attached(conn: sqlite3.Connection) -> None:
        """The attached file is a sound database with every snapshot table and column."""
        try:
            verdict = conn.execute("PRAGMA snap.quick_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise StoreError(f"the snapshot's data is not a database: {error}") from None
        if verdict != "ok":
            raise StoreError(f"the snapshot's data is damaged: {verdict}")
        for table, columns in SNAPSHOT_TABLES.items():
            present = {row[1] for row in conn.execute(f"PRAGMA snap.table_info({table})")}
            missing = [column for column in columns if column not in present]
            if missing:
                raise StoreError(f"the snapshot's data lacks {table}({', '.join(missing)})")
