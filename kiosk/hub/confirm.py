"""属实已解决 needs proof: a case answered as resolved with a promised payment waits as pending_payment
(待核销) until the ledger of a later publication shows that payment — a positive payment for the case's
programme and one of its periods, in the promised batch, or paid on or before the promised day and after
the answer — and only then closes, with the payment named in its history. The villager's kiosk shows the
same state (kiosk.hub.workflow.villager_words).
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from kiosk.hub.db import audit, complaint_events, complaints, payments
from kiosk.hub.store import HubStore


def confirm_payments(store: HubStore, now: dt.datetime) -> int:
    """Close every pending_payment case whose promised payment the published ledger now shows; return how many."""
    c = complaints.c
    closed = 0
    with store.engine.begin() as conn:
        pending = conn.execute(
            sa.select(
                c.id,
                c.person_id,
                c.programme,
                c.period,
                c.payload,
                c.promised_batch,
                c.promised_by,
                c.answered_at,
                c.department,
            ).where(c.status == "pending_payment", c.withdrawn_at.is_(None), c.person_id.is_not(None))
        ).all()
        for case_id, person_id, programme, period, payload, batch, by, answered_at, department in pending:
            periods = [str(p) for p in (json.loads(payload).get("evidence") or {}).get("periods") or []] or [
                period
            ]
            query = sa.select(
                payments.c.period, payments.c.amount_fen, payments.c.paid_on, payments.c.batch
            ).where(
                payments.c.person_id == person_id,
                payments.c.programme == programme,
                payments.c.period.in_(periods),
                payments.c.amount_fen > 0,
            )
            if batch:
                query = query.where(payments.c.batch == batch)
            else:
                answered_on = answered_at.date() if answered_at else dt.date.min
                query = query.where(payments.c.paid_on >= answered_on, payments.c.paid_on <= by)
            found = conn.execute(query.order_by(payments.c.paid_on)).first()
            if found is None:
                continue
            note = f"发放明细显示已补发：{found[0]} {found[1] / 100:.2f}元，{found[2]} 批次{found[3]}"
            conn.execute(
                sa.update(complaints)
                .where(c.id == case_id)
                .values(status="closed", closed_at=now, confirmed_at=now)
            )
            conn.execute(
                sa.insert(complaint_events).values(
                    complaint_id=case_id,
                    at=now,
                    actor="ledger",
                    action="confirm",
                    from_status="pending_payment",
                    to_status="closed",
                    department=department,
                    note=note,
                )
            )
            conn.execute(
                sa.insert(audit).values(
                    at=now,
                    actor="ledger",
                    action="confirm",
                    subject=f"complaint {case_id}",
                    outcome="ok: closed",
                )
            )
            closed += 1
    return closed
