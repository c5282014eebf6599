"""Findings are cases: each supervision-check finding of a publication enters the same workflow as a
villager's complaint — its own category (监督检查发现), routed to a department, due dates, verify, answer,
close — and is linked to the complaints about the same person by the keyed hash, like any complaint.

A finding is received once: its case id is derived from what it is about (check, person, programme,
period), so publishing the same county again adds nothing; a finding whose words changed keeps its first
case (the new words go to the audit log). They arrive as from a kiosk of their own, `supervision-checks`,
registered revoked: nothing can sign in as it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from device.idnumber import mask_id_number
from kiosk.core.checks import CHECKS
from kiosk.core.complaint import FINDING, person_key, tracking_number_from
from kiosk.hub import regions
from kiosk.hub.db import complaints, villages
from kiosk.hub.intake import IntakeConflictError
from kiosk.hub.store import HubStore

CHECKS_KIOSK = "supervision-checks"
_NAMESPACE = uuidlib.UUID("5c3f0e2a-7d1b-4c8e-9a44-0d6f2b9e8a11")


@dataclass(frozen=True)
class Opened:
    new: int
    already: int
    changed: int


def _payload(finding: Any, *, secret: str, codes: Mapping[str, str], as_of: dt.date) -> dict:
    about = f"{finding.check}|{finding.id_number or finding.village}|{finding.programme}|{finding.period}"
    uuid = str(uuidlib.uuid5(_NAMESPACE, about))
    subject = finding.id_number or f"village:{finding.village}"
    key = (
        person_key(subject, secret)
        if finding.id_number
        else hashlib.sha256(f"{secret}|{subject}".encode()).hexdigest()
    )
    masked = mask_id_number(finding.id_number) if finding.id_number else ""
    return {
        "uuid": uuid,
        "tracking_no": tracking_number_from(uuid),
        "kiosk_id": CHECKS_KIOSK,
        "person_key": key,
        "masked_id": masked,
        "programme": codes.get(finding.programme, ""),
        "period": finding.period[:16] if finding.period and "–" not in finding.period else "",
        "category": FINDING,
        "phone": "",
        "created_at": dt.datetime.combine(as_of, dt.time(), dt.UTC).isoformat(),
        "evidence": {
            **({"at_stake_fen": int(finding.at_stake_fen)} if getattr(finding, "at_stake_fen", 0) else {}),
            "as_of": as_of.isoformat(),
            "programme_name": finding.programme,
            "finding": {
                "check": finding.check,
                "title": CHECKS.get(finding.check, finding.check),
                "name": finding.name,
                "village": finding.village,
                "period": finding.period,
                "detail": finding.detail,
                "evidence": list(finding.evidence)[:50],
            },
        },
    }


def _place_in_village(store: HubStore, uuid: str, county: str, village: str) -> None:
    with store.engine.begin() as conn:
        code = conn.execute(
            sa.select(villages.c.code).where(villages.c.county == county, villages.c.name == village).limit(1)
        ).scalar()
        conn.execute(
            sa.update(complaints)
            .where(complaints.c.kiosk_id == CHECKS_KIOSK, complaints.c.uuid == uuid)
            .values(county=county, region=regions.of_village(code, county))
        )


def open_cases(
    store: HubStore,
    findings: Iterable[Any],
    *,
    secret: str,
    codes: Mapping[str, str],
    today: dt.date,
    now: dt.datetime,
    county: str = "",
) -> Opened:
    """Receive each finding as a case (once); `codes` maps programme names to codes. A finding about a
    person is placed where they live, as any complaint; one about a village of `county` (the county just
    published) in that village, so the county's supervisors see it."""
    if store.kiosk(CHECKS_KIOSK) is None:
        store.register_kiosk(CHECKS_KIOSK, now)
        store.revoke_kiosk(CHECKS_KIOSK, now)
    new = already = changed = 0
    for finding in findings:
        payload = _payload(finding, secret=secret, codes=codes, as_of=today)
        try:
            received = store.receive_complaint(CHECKS_KIOSK, payload, now)
        except IntakeConflictError:
            changed += 1
            store.record_audit("publish", "finding_changed", payload["uuid"], finding.detail[:60], now)
            continue
        if received.first_time:
            new += 1
            if county and not finding.id_number:
                _place_in_village(store, payload["uuid"], county, finding.village)
        else:
            already += 1
    return Opened(new, already, changed)
