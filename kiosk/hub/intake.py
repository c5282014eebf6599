"""Complaints arriving from kiosks: received once per (kiosk, uuid), withdrawn, and read back by either key.

`UNIQUE(kiosk_id, uuid)` makes intake idempotent: a kiosk that retries after a lost
answer gets the original answer; the same uuid with a different payload is a conflict.
The columns the back office filters on are copied out of the payload at intake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kiosk.core.complaint import category_words, show_tracking_number
from kiosk.hub import regions
from kiosk.hub.db import as_dict, complaints, kiosks, persons


class IntakeConflictError(ValueError):
    """Raised when a kiosk sends an already-received UUID with a different payload."""


@dataclass(frozen=True)
class Received:
    uuid: str
    tracking_no: str
    received_at: dt.datetime
    first_time: bool


def at_stake(evidence: dict) -> int | None:
    """The money a complaint or finding is about: its own figure, else |paid − owed|; None when it names none."""
    stake = evidence.get("at_stake_fen")
    if isinstance(stake, int) and not isinstance(stake, bool):
        return abs(stake)
    owed, paid = evidence.get("owed_fen"), evidence.get("paid_fen")
    return abs(paid - owed) if isinstance(owed, int) and isinstance(paid, int) else None


def case_fields(payload: dict) -> dict:
    """The columns the back office filters on, copied out of a complaint's payload at intake."""

    evidence = payload.get("evidence") or {}
    words = [
        show_tracking_number(payload["tracking_no"]),
        payload["tracking_no"],
        category_words(payload["category"]),
        payload.get("kiosk_id", ""),
        payload.get("masked_id", ""),
    ]
    words += [
        str(evidence.get(key, ""))
        for key in ("programme_name", "period_label", "status_label", "explanation", "verdict")
    ]
    return {
        "at_stake_fen": at_stake(evidence),
        "category": str(payload["category"])[:32],
        "programme": str(payload.get("programme", ""))[:32],
        "period": str(payload.get("period", ""))[:16],
        "search_text": " ".join(w for w in words if w),
    }


class Intake:
    """Queries over received complaints (mixed into `kiosk.hub.store.HubStore`)."""

    engine: sa.Engine

    def receive_complaint(self, kiosk_id: str, payload: dict, now: dt.datetime) -> Received:
        """Store a complaint once per (kiosk, uuid); a replay gets the original answer.

        Raises IntakeConflictError if the uuid was received with a different payload.
        """
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()
        row = {
            "kiosk_id": kiosk_id,
            "uuid": payload["uuid"],
            "tracking_no": payload["tracking_no"],
            "person_key": payload["person_key"],
            "payload": text,
            "payload_sha256": digest,
            "received_at": now,
            **case_fields(payload),
        }
        try:
            with self.engine.begin() as conn:
                found = conn.execute(
                    sa.select(persons.c.id, persons.c.village_code, persons.c.county).where(
                        persons.c.person_key == payload["person_key"]
                    )
                ).first()
                if found is not None:  # the roster knows this person: the inbox can group by village, county
                    row.update(person_id=found[0], village_code=found[1], county=found[2])
                    row["region"] = regions.of_village(found[1], found[2])
                else:  # not (yet) on the roster: where the kiosk stands
                    row["region"] = (
                        conn.execute(sa.select(kiosks.c.region).where(kiosks.c.kiosk_id == kiosk_id)).scalar()
                        or ""
                    )
                    row["county"] = row["region"][:6] if len(row["region"]) >= 6 else ""
                conn.execute(sa.insert(complaints).values(**row))
            return Received(payload["uuid"], payload["tracking_no"], now, True)
        except IntegrityError:
            with self.engine.connect() as conn:
                existing = as_dict(
                    conn.execute(
                        sa.select(complaints)
                        .where(complaints.c.kiosk_id == kiosk_id)
                        .where(complaints.c.uuid == payload["uuid"])
                    )
                    .mappings()
                    .first()
                )
            if existing is None:
                raise
            if existing["payload_sha256"] != digest:
                raise IntakeConflictError(payload["uuid"]) from None
            return Received(existing["uuid"], existing["tracking_no"], existing["received_at"], False)

    def withdraw_complaint(self, kiosk_id: str, uuid: str, at: dt.datetime) -> bool:
        with self.engine.begin() as conn:
            return (
                conn.execute(
                    sa.update(complaints)
                    .where(complaints.c.kiosk_id == kiosk_id)
                    .where(complaints.c.uuid == uuid)
                    .where(complaints.c.withdrawn_at.is_(None))
                    .values(withdrawn_at=at)
                ).rowcount
                == 1
            )

    def complaint(self, kiosk_id: str, uuid: str) -> dict | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    sa.select(complaints)
                    .where(complaints.c.kiosk_id == kiosk_id)
                    .where(complaints.c.uuid == uuid)
                )
                .mappings()
                .first()
            )
        return as_dict(row)

    def complaint_by_id(self, complaint_id: int) -> dict | None:
        with self.engine.connect() as conn:
            return as_dict(
                conn.execute(sa.select(complaints).where(complaints.c.id == complaint_id)).mappings().first()
            )

    def count_complaints(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(complaints)).scalar_one()
