"""The JSON Schemas of what a kiosk sends the hub: checked at intake (422 with the place and the problem)
and published in the OpenAPI document, from these same dicts, so the document cannot drift from the check.

Tight on purpose (the red-team sent 5,000-character uuids, invented categories, and an owed amount of
"abc" that broke the complaint's page ever after): every string bounded, every amount an integer,
categories from the shared vocabulary, no fields nobody reads.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from kiosk.core.complaint import CATEGORIES, OBJECTION_REASONS, TRACKING_ALPHABET

UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
MOMENT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
DAY = r"^\d{4}-\d{2}-\d{2}$"
FEN = {"type": "integer", "minimum": -(10**12), "maximum": 10**12}


def _text(limit: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit}


EVIDENCE: dict[str, Any] = {
    "type": "object",
    "description": "the owed-vs-paid line complained about, as the kiosk showed it at filing",
    "maxProperties": 24,
    "properties": {
        "rule_version": _text(64),
        "rule_files": {
            "type": "string",
            "maxLength": 1000,
            "description": "the policy files in force and the date of each one's values in force",
        },
        "as_of": {"type": "string", "pattern": DAY},
        "programme_name": _text(100),
        "period_label": _text(64),
        "owed_fen": FEN,
        "paid_fen": FEN,
        "status": _text(32),
        "status_label": _text(64),
        "explanation": _text(2000),
        "reference": _text(300),
        "rule_source": {
            "type": "string",
            "maxLength": 200,
            "description": "the dated values the amounts come from",
        },
        "verdict": _text(2000),
        "at_stake_fen": FEN,
        "periods": {"type": "array", "maxItems": 120, "items": _text(16)},
        "assisted_by": _text(100),
        "identity": {
            "enum": ["card", "typed_by_staff"],
            "description": "how the resident was identified: their card, or an ID number a helper typed",
        },
        "typed_reason": {"enum": ["card_lost", "card_broken", "unreadable", "for_elder"]},
        "objection": {
            "type": "object",
            "description": "对公示有异议: the disclosed entry objected to, as the kiosk showed it (public fields only)",
            "additionalProperties": False,
            "properties": {
                "entry_id": _text(32),
                "village": _text(100),
                "state": {"enum": ["new", "current", "cancelled"]},
                "head_name": _text(64),
                "household_size": {"type": "integer", "minimum": 0, "maximum": 100},
                "category": _text(100),
                "monthly_amount": FEN,
                "since": _text(10),
                "reason": {"enum": list(OBJECTION_REASONS)},
            },
            "required": ["entry_id", "village", "state"],
        },
        "objector": {
            "enum": ["anonymous", "card"],
            "description": "who objected: nobody named, or the card holder who chose to give their identity",
        },
        "objector_masked_id": _text(18),
        "objector_key": _text(64),
        "lines": {
            "type": "array",
            "maxItems": 120,
            "items": {
                "type": "object",
                "required": ["period", "owed_fen", "paid_fen"],
                "properties": {"period": _text(16), "owed_fen": FEN, "paid_fen": FEN, "status": _text(32)},
                "additionalProperties": False,
            },
        },
        "payments": {
            "type": "array",
            "maxItems": 400,
            "items": {
                "type": "object",
                "required": ["amount_fen", "paid_on"],
                "properties": {
                    "amount_fen": FEN,
                    "paid_on": {"type": "string", "pattern": DAY},
                    "batch": _text(64),
                },
                "additionalProperties": False,
            },
        },
    },
    # a newer kiosk may add a field: a short scalar, which the hub keeps and shows as it is
    "additionalProperties": {"type": ["string", "integer", "number", "boolean", "null"], "maxLength": 2000},
}
COMPLAINT: dict[str, Any] = {
    "type": "object",
    "required": [
        "uuid",
        "tracking_no",
        "kiosk_id",
        "person_key",
        "masked_id",
        "category",
        "evidence",
        "created_at",
    ],
    "properties": {
        "uuid": {"type": "string", "pattern": UUID},
        "tracking_no": {
            "type": "string",
            "pattern": f"^[{TRACKING_ALPHABET}]{{9}}$",
            "description": "nine symbols, the last a check symbol (a wrong one is refused)",
        },
        "kiosk_id": {"type": "string", "minLength": 1, "maxLength": 64},
        "person_key": {
            "type": "string",
            "pattern": "^[0-9a-f]{32}$",
            "description": "keyed hash, never the ID",
        },
        "masked_id": _text(32),
        "programme": _text(32),
        "period": _text(16),
        "category": {"enum": list(CATEGORIES)},
        "phone": {"type": "string", "pattern": r"^(|1[3-9]\d{9}|0\d{9,11})$"},
        "evidence": EVIDENCE,
        "created_at": {"type": "string", "pattern": MOMENT},
    },
    "additionalProperties": False,
}
STAFF_LOOKUP: dict[str, Any] = {
    "type": "object",
    "description": "a resident looked up at the kiosk by an ID number a signed-in helper typed (masked here)",
    "required": ["uuid", "staff_name", "reason", "masked_id", "person_key", "outcome", "at"],
    "properties": {
        "uuid": {"type": "string", "pattern": UUID},
        "staff_name": {"type": "string", "minLength": 1, "maxLength": 40},
        "staff_title": _text(40),
        "reason": {"enum": ["card_lost", "card_broken", "unreadable", "for_elder"]},
        "masked_id": {"type": "string", "pattern": r"^[0-9]{6}\*{8}[0-9]{3}[0-9X]$"},
        "person_key": {
            "type": "string",
            "pattern": "^[0-9a-f]{32}$",
            "description": "keyed hash, never the ID",
        },
        "outcome": {"enum": ["found", "not_on_roster", "refused"]},
        "at": {"type": "string", "pattern": MOMENT},
    },
    "additionalProperties": False,
}
HEARTBEAT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "outbox_backlog": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        "card_reads_today": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
        "uptime_seconds": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        "software_version": _text(40),
        "clock_skew_seconds": {"type": "integer", "minimum": -(10**9), "maximum": 10**9},
        "data_date": {"type": "string", "format": "date", "pattern": DAY},
        "snapshot_at": {"type": "string", "pattern": MOMENT},
        "doctor": {
            "type": "object",
            "description": "the last `kiosk doctor`: when, whether healthy, and what it found wrong",
            "properties": {
                "at": {"type": "string", "pattern": MOMENT},
                "healthy": {"type": "boolean"},
                "problems": {
                    "type": "array",
                    "maxItems": 20,
                    "items": {
                        "type": "object",
                        "required": ["check", "status", "detail"],
                        "properties": {
                            "check": _text(20),
                            "status": {"enum": ["warn", "fail"]},
                            "detail": _text(300),
                        },
                    },
                },
            },
        },
    },
    "maxProperties": 20,
}
REOPENING: dict[str, Any] = {
    "type": "object",
    "required": ["request_id"],
    "properties": {"request_id": {"type": "string", "minLength": 8, "maxLength": 36}, "reason": _text(500)},
}

DISCLOSURE_REQUEST: dict[str, Any] = {
    "type": "object",
    "description": "the villages whose public lists (公示) a kiosk shows",
    "additionalProperties": False,
    "required": ["villages"],
    "properties": {
        "villages": {"type": "array", "minItems": 1, "maxItems": 20, "items": _text(32)},
        "today": {"type": "string", "format": "date", "pattern": DAY},
    },
}

SNAPSHOT_REQUEST: dict[str, Any] = {
    "type": "object",
    "description": "a kiosk asking for its township's signed snapshot, naming the publication it has (0: none)",
    "additionalProperties": False,
    "required": ["have"],
    "properties": {"have": {"type": "integer", "minimum": 0}},
}

_VALIDATORS = {
    id(s): Draft202012Validator(s)
    for s in (COMPLAINT, HEARTBEAT, REOPENING, STAFF_LOOKUP, DISCLOSURE_REQUEST, SNAPSHOT_REQUEST)
}


def problem(schema: dict[str, Any], payload: object) -> str | None:
    """The first thing wrong with `payload` as words naming its place ("evidence.owed_fen: 'abc' is not of
    type 'integer'"), or None when it fits `schema`."""
    errors = sorted(_VALIDATORS[id(schema)].iter_errors(payload), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    first = errors[0]
    place = ".".join(str(p) for p in first.absolute_path) or "body"
    message = first.message if len(first.message) <= 200 else first.message[:200] + "…"
    return f"{place}: {message}"
