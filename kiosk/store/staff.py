"""Clinic staff accounts kept on the kiosk: who may sign in to help a resident, with which badge.

A badge is stored as a keyed hash (the county's person-key secret) of its ID number or chip serial,
never the number itself; the PIN as an argon2id hash. Accounts come from `kiosk staff add` on an
embedded kiosk (source 'local') or from the hub's administrator through the relay's pull (source 'hub',
with the hub's version of the account: a new version, after a PIN reset, unlocks it).

Also the staff lookups: every resident a signed-in worker looked up by a typed ID number, kept to rate-limit
the worker, to tell the resident at their next own card read, and to deliver to the hub.
"""

from __future__ import annotations

import json
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
    hub_version: int = 0

    @property
    def usable(self) -> bool:
        return self.locked_at is None and self.disabled_at is None


@dataclass(frozen=True, slots=True)
class HubStaff:
    """One account as the hub hands it to a kiosk: no badge number, no PIN, only their keyed hashes."""

    name: str
    title: str
    badge_kind: str
    badge_key: str
    pin_hash: str
    version: int


@dataclass(frozen=True, slots=True)
class StaffLookup:
    uuid: str
    staff_name: str
    staff_title: str
    reason: str
    masked_id: str
    person_key: str
    outcome: str  # found | not_on_roster | refused
    at: str


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
                "SELECT name, title, badge_kind, badge_key, pin_hash, failed_pins, locked_at, disabled_at, source, created_at, hub_version "
                "FROM staff WHERE name = ?",
                (name,),
            )
            .fetchone()
        )
        return StaffAccount(*row) if row else None

    def staff_with_badge(self, badge_key: str) -> StaffAccount | None:
        row = (
            self.connection()
            .execute(
                "SELECT name, title, badge_kind, badge_key, pin_hash, failed_pins, locked_at, disabled_at, source, created_at, hub_version "
                "FROM staff WHERE badge_key = ?",
                (badge_key,),
            )
            .fetchone()
        )
        return StaffAccount(*row) if row else None

    def staff_accounts(self) -> list[StaffAccount]:
        return [
            StaffAccount(*row)
            for row in self.connection().execute(
                "SELECT name, title, badge_kind, badge_key, pin_hash, failed_pins, locked_at, disabled_at, source, created_at, hub_version "
                "FROM staff ORDER BY name"
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

    def sync_hub_staff(self, tx: Tx, accounts: list[HubStaff], at: str) -> tuple[int, int]:
        """Make the hub's accounts the kiosk's: add new ones, update changed ones (a new version — a PIN
        reset — also unlocks), disable the hub accounts no longer listed. A local account of the same name
        is left alone (the hub's is skipped). Returns (added or changed, disabled)."""
        changed = 0
        for account in accounts:
            row = tx.execute(
                "SELECT source, hub_version, title, disabled_at FROM staff WHERE name = ?", (account.name,)
            ).fetchone()
            if row is not None and row[0] != "hub":
                continue
            if row is None:
                holder = tx.execute(
                    "SELECT name FROM staff WHERE badge_key = ?", (account.badge_key,)
                ).fetchone()
                if holder is not None:  # the badge is a local account's: the local one stays
                    continue
                tx.execute(
                    "INSERT INTO staff(name, title, badge_kind, badge_key, pin_hash, failed_pins, source, created_at, "
                    "hub_version) VALUES (?, ?, ?, ?, ?, 0, 'hub', ?, ?)",
                    (
                        account.name,
                        account.title,
                        account.badge_kind,
                        account.badge_key,
                        account.pin_hash,
                        at,
                        account.version,
                    ),
                )
                changed += 1
            elif row[1] != account.version or row[2] != account.title or row[3] is not None:
                holder = tx.execute(
                    "SELECT name FROM staff WHERE badge_key = ? AND name != ?",
                    (account.badge_key, account.name),
                ).fetchone()
                if holder is not None:  # its new badge is another account's here: keep the old one
                    continue
                fresh = row[1] != account.version
                tx.execute(
                    "UPDATE staff SET title = ?, badge_kind = ?, badge_key = ?, pin_hash = ?, hub_version = ?, "
                    "disabled_at = NULL, failed_pins = CASE WHEN ? THEN 0 ELSE failed_pins END, "
                    "locked_at = CASE WHEN ? THEN NULL ELSE locked_at END WHERE name = ?",
                    (
                        account.title,
                        account.badge_kind,
                        account.badge_key,
                        account.pin_hash,
                        account.version,
                        fresh,
                        fresh,
                        account.name,
                    ),
                )
                changed += 1
        listed = json.dumps([account.name for account in accounts], ensure_ascii=False)
        cursor = tx.execute(
            "UPDATE staff SET disabled_at = ? WHERE source = 'hub' AND disabled_at IS NULL "
            "AND name NOT IN (SELECT value FROM json_each(?))",
            (at, listed),
        )
        return changed, cursor.rowcount

    # -- lookups by typed ID number ---------------------------------------------------------------------
    def record_staff_lookup(self, tx: Tx, lookup: StaffLookup) -> None:
        tx.execute(
            "INSERT INTO staff_lookups(uuid, staff_name, staff_title, reason, masked_id, person_key, outcome, at, "
            "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                lookup.uuid,
                lookup.staff_name,
                lookup.staff_title,
                lookup.reason,
                lookup.masked_id,
                lookup.person_key,
                lookup.outcome,
                lookup.at,
                lookup.at,
            ),
        )

    def staff_lookups_since(self, name: str, since: str) -> int:
        """How many residents `name` looked up (refusals not counted) since `since`."""
        row = (
            self.connection()
            .execute(
                "SELECT count(*) FROM staff_lookups WHERE staff_name = ? AND at >= ? AND outcome != 'refused'",
                (name, since),
            )
            .fetchone()
        )
        return int(row[0])

    def unnoticed_lookups(self, person_key: str) -> list[StaffLookup]:
        """The lookups of this person that they have not yet been told about, oldest first."""
        return [
            StaffLookup(*row)
            for row in self.connection().execute(
                "SELECT uuid, staff_name, staff_title, reason, masked_id, person_key, outcome, at FROM staff_lookups "
                "WHERE person_key = ? AND noticed_at IS NULL AND outcome != 'refused' ORDER BY at",
                (person_key,),
            )
        ]

    def mark_lookups_noticed(self, tx: Tx, uuids: list[str], at: str) -> None:
        tx.executemany(
            "UPDATE staff_lookups SET noticed_at = ? WHERE uuid = ?", [(at, uuid) for uuid in uuids]
        )

    def due_staff_lookups(self, now: str, limit: int = 50) -> list[StaffLookup]:
        return [
            StaffLookup(*row)
            for row in self.connection().execute(
                "SELECT uuid, staff_name, staff_title, reason, masked_id, person_key, outcome, at FROM staff_lookups "
                "WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY at LIMIT ?",
                (now, limit),
            )
        ]

    def mark_staff_lookup_delivered(self, uuid: str, at: str) -> None:
        with self.transaction() as tx:
            tx.execute("UPDATE staff_lookups SET delivered_at = ? WHERE uuid = ?", (at, uuid))

    def mark_staff_lookup_failed(self, uuid: str, next_at: str, error: str) -> None:
        with self.transaction() as tx:
            tx.execute(
                "UPDATE staff_lookups SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE uuid = ?",
                (next_at, error[:300], uuid),
            )

    def staff_lookup_backlog(self) -> int:
        row = (
            self.connection()
            .execute("SELECT count(*) FROM staff_lookups WHERE delivered_at IS NULL")
            .fetchone()
        )
        return int(row[0])
