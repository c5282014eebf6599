"""Complaints and their outbox in the kiosk store: a complaint and the message that carries it to the
hub are written in one transaction, so neither exists without the other.

The relay reads what is due, marks it delivered or failed, and writes back what the hub
said; the villager's screens read a person's complaints by their keyed hash.
"""

from __future__ import annotations

import sqlite3

from kiosk.store.base import Connected, StoreError, Tx


class TrackingNumberTakenError(StoreError):
    """Raised when a new complaint's tracking number is already used (mint another and try again)."""


class ComplaintData(Connected):
    """Reads and writes of complaints and the outbox (mixed into `kiosk.store.Store`)."""

    def insert_complaint(self, tx: Tx, complaint: dict[str, str], payload: str) -> bool:
        """Write a complaint and its outbox row (in the caller's transaction); False if the uuid exists.

        Raises TrackingNumberTakenError if another complaint has this tracking number (only the uuid's
        own conflict is "already filed"; OR IGNORE would have hidden the collision as one).
        """
        try:
            cursor = tx.execute(
                "INSERT INTO complaints(uuid, tracking_no, kiosk_id, person_key, masked_id, programme, period, "
                "category, phone, evidence, created_at) VALUES (:uuid, :tracking_no, :kiosk_id, :person_key, "
                ":masked_id, :programme, :period, :category, :phone, :evidence, :created_at) "
                "ON CONFLICT(uuid) DO NOTHING",
                complaint,
            )
        except sqlite3.IntegrityError as error:
            raise TrackingNumberTakenError(str(error)) from None
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
        """What this person filed: their complaints, and the objections to a disclosed household they gave
        their identity with — never an objection about them (its subject is the household's head)."""
        return self._dicts(
            "SELECT * FROM complaints WHERE (person_key = ?1 AND category <> 'disclosure_objection') OR "
            "(category = 'disclosure_objection' AND json_extract(evidence, '$.objector_key') = ?1) "
            "ORDER BY created_at DESC",
            (person_key,),
        )

    def withdraw_complaint(self, tx: Tx, uuid: str, at: str, payload: str) -> None:
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
        self,
        uuid: str,
        status: str,
        replies: str,
        at: str,
        *,
        words: str = "",
        may_reopen: bool = False,
        outcome: str = "",
        due_at: str | None = None,
    ) -> None:
        """What the hub last said of a complaint: status, its words, the replies, the outcome, the due date."""
        with self.transaction() as tx:
            tx.execute(
                "UPDATE complaints SET hub_status = ?, replies = ?, checked_at = ?, hub_words = ?, may_reopen = ?, "
                "hub_outcome = ?, hub_due_at = ? WHERE uuid = ?",
                (status, replies, at, words, int(may_reopen), outcome, due_at, uuid),
            )

    def request_reopening(self, tx: Tx, uuid: str, at: str, payload: str) -> None:
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

    def outbox_backlog(self) -> int:
        return (
            self.connection().execute("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0]
        )
