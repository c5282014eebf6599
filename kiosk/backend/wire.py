"""A card holder's owed-vs-paid picture as JSON, and back: what the hub sends a kiosk that has no store.

Account numbers leave the hub masked (the screens show the last four digits only);
money stays integer fen; periods travel as their codes.
"""

from __future__ import annotations

import datetime as dt

from device.idnumber import mask_account
from kiosk.backend import CardHolder, LookupResult
from kiosk.core.clock import parse_date, to_date
from kiosk.rules import Entitlement, Hint, parse_period
from kiosk.rules.reconcile import Line, Payment, ProgrammeLines, Reconciliation, Status


def to_json(result: LookupResult) -> dict:
    r = result.reconciliation
    return {
        "holder": {
            "masked_id": result.holder.masked_id,
            "name": result.holder.name,
            "village": result.holder.village,
            "deceased_on": result.holder.deceased_on.isoformat() if result.holder.deceased_on else None,
        },
        "rule_version": r.rule_version,
        "data_date": result.data_date.isoformat() if result.data_date else None,
        "rule_label": r.rule_label,
        "today": r.today.isoformat(),
        "hints": [
            {"programme": h.programme, "name": h.name, "reason": h.reason, "department": h.department}
            for h in r.hints
        ],
        "programmes": [
            {
                "code": g.code,
                "name": g.name,
                "department": g.department,
                "lines": [
                    {
                        "period": line.period.code,
                        "owed_fen": line.owed_fen,
                        "explanation": line.entitlement.explanation,
                        "reference": line.entitlement.reference,
                        "change_note": line.entitlement.change_note,
                        "backpay": _backpay_json(line.entitlement.backpay),
                        "source": line.entitlement.source,
                        "to_head": line.entitlement.to_head,
                        "due_on": line.due_on.isoformat(),
                        "status": line.status.value,
                        "payments": [
                            {
                                "amount_fen": p.amount_fen,
                                "paid_on": p.paid_on.isoformat(),
                                "account": mask_account(p.account),
                                "batch": p.batch,
                            }
                            for p in line.payments
                        ],
                    }
                    for line in g.lines
                ],
            }
            for g in r.programmes
        ],
    }


def _backpay_json(backpay: tuple[int, dt.date, dt.date] | None) -> list | None:
    return [backpay[0], backpay[1].isoformat(), backpay[2].isoformat()] if backpay else None


def _backpay_of(raw: object) -> tuple[int, dt.date, dt.date] | None:
    if not isinstance(raw, list) or len(raw) != 3:
        return None
    return int(raw[0]), to_date(raw[1]), to_date(raw[2])


def from_json(data: dict, id_number: str) -> LookupResult:
    """Rebuild the picture; raises KeyError/ValueError on a malformed answer (the caller says 暂时查不到)."""
    holder = data["holder"]
    deceased_on = parse_date(holder.get("deceased_on"))
    programmes = []
    for group in data["programmes"]:
        lines = []
        for line in group["lines"]:
            period = parse_period(line["period"])
            payments = tuple(
                Payment(
                    group["code"],
                    period,
                    int(p["amount_fen"]),
                    to_date(p["paid_on"]),
                    p.get("account", ""),
                    p.get("batch", ""),
                )
                for p in line["payments"]
            )
            entitlement = Entitlement(
                int(line["owed_fen"]),
                line["explanation"],
                line.get("reference", ""),
                line.get("change_note"),
                backpay=_backpay_of(line.get("backpay")),
                source=str(line.get("source", "")),
                to_head=bool(line.get("to_head", False)),
            )
            lines.append(
                Line(
                    group["code"],
                    period,
                    entitlement,
                    payments,
                    to_date(line["due_on"]),
                    Status(line["status"]),
                    deceased_on,
                )
            )
        programmes.append(ProgrammeLines(group["code"], group["name"], group["department"], lines))
    hints = [Hint(h["programme"], h["name"], h["reason"], h["department"]) for h in data.get("hints", [])]
    reconciliation = Reconciliation(
        programmes, hints, data["rule_version"], to_date(data["today"]), str(data.get("rule_label", ""))
    )
    return LookupResult(
        CardHolder(holder["masked_id"], holder["name"], holder.get("village", ""), deceased_on),
        reconciliation,
        id_number,
        str(data.get("person_key", "")),
        data_date=parse_date(data.get("data_date")),
    )
