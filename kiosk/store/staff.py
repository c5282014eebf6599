"""Clinic staff accounts kept on the kiosk: who may sign in to help a resident, with which badge.

A badge is stored as a keyed hash (the county's person-key secret) of its ID number or chip serial,
never the number itself; the PIN as an argon2id hash. Accounts come from `kiosk staff add` on an
embedded kiosk (source 'local').
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.store.base import Connected, Tx


@dataclass(frozen=True, slots=True)
class StaffAccount:
    name: str
    title: str
    badge_kind: str
    badge_key: str
    pin_hash: str
    failed_pins: int
    locked_at: str | None
    disabled_at: str | None
    source: str
    created_at: str

    @property
    def usable(self) -> bool:
        return self.locked_at is None and self.disabled_at is None


_COLUMNS = (
    "name, title, badge_kind, badge_key, pin_hash, failed_pins, locked_at, disabled_at, source, created_at"
)


class StaffData(Connected):
    """Reads and writes of the staff table (mixed into `kiosk.store.Store`)."""

    def add_staff(self, tx: Tx, account: StaffAccount) -> None:
        """Create the account, or replace it (a new badge or PIN), unlocked and enabled."""
        tx.execute(
            "INSERT OR REPLACE INTO staff(name, title, badge_kind, badge_key, pin_hash, failed_pins, locked_at, "
            "disabled_at, source, created_at) VALUES (?, ?, ?, ?, ?, 0, NULL, NULL, ?, ?)",
            (
                account.name,
                account.title,
                account.badge_kind,
                account.badge_key,
                account.pin_hash,
                account.source,
                account.created_at,
            ),
        )

    def staff_named(self, name: str) -> StaffAccount | None:
        row = (
            self.connection()
            .execute(
                "SELECT name, title, badge_kind, badge_key, pin_hash, failed_pins, locked_at, disabled_at, source, "
                "created_at FROM staff WHERE name = ?",
                (name,),
            )
            .fetchone()
        )
        return StaffAccount(*row) if row else None

    def staff_with_badge(self, badge_key: str) -> StaffAccount | None:
        row = (
            self.connection()
            .execute(
                "SELECT name, title, badge_kind, badge_key, pin_hash, failed_pins, locked_at, disabled_at, source, "
                "created_at FROM staff WHERE badge_key = ?",
                (badge_key,),
            )
            .fetchone()
        )
        return StaffAccount(*row) if row else None

    def staff_accounts(self) -> list[StaffAccount]:
        return [
            StaffAccount(*row)
            for row in self.connection().execute(
                "SELECT name, title, badge_kind, badge_key, pin_hash, failed_pins, locked_at, disabled_at, source, "
                "created_at FROM staff ORDER BY name"
            )
        ]

    def record_pin_failure(self, tx: Tx, name: str, lock_at: str | None) -> int:
        """One more wrong PIN; lock the account at `lock_at` if given. Returns the count."""
        tx.execute(
            "UPDATE staff SET failed_pins = failed_pins + 1, locked_at = COALESCE(?, locked_at) WHERE name = ?",
            (lock_at, name),
        )
        row = tx.execute("SELECT failed_pins FROM staff WHERE name = ?", (name,)).fetchone()
        return row[0] if row else 0

    def clear_pin_failures(self, tx: Tx, name: str) -> None:
        tx.execute("UPDATE staff SET failed_pins = 0 WHERE name = ?", (name,))

    def disable_staff(self, tx: Tx, name: str, at: str) -> bool:
        cursor = tx.execute(
            "UPDATE staff SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL", (at, name)
        )
        return cursor.rowcount == 1
