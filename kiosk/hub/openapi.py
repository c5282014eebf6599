"""The OpenAPI 3.1 document of the hub's kiosk API (kept beside the routes it describes); the request
bodies' schemas are kiosk.link.schemas, the ones intake checks against."""

from __future__ import annotations

from kiosk.link import schemas

SIGNED: list[dict[str, list[str]]] = [{"kioskSignature": []}]
ERROR = {
    "description": "refused",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Mingbai hub — kiosk API", "version": "1"},
        "components": {
            "securitySchemes": {
                "kioskSignature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Signature",
                    "description": "HMAC-SHA256 of METHOD\\nPATH\\nX-Timestamp\\nX-Nonce\\nSHA256(body) with the kiosk's "
                    "secret; send X-Kiosk-Id, X-Timestamp (unix seconds, ±300 s) and X-Nonce (once).",
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}},
                    "required": ["error"],
                },
                "Complaint": schemas.COMPLAINT,
                "StaffLookup": schemas.STAFF_LOOKUP,
                "Status": {
                    "type": "object",
                    "required": [
                        "uuid",
                        "tracking_no",
                        "received_at",
                        "status",
                        "status_words",
                        "outcome",
                        "may_reopen",
                        "replies",
                    ],
                    "properties": {
                        "uuid": {"type": "string"},
                        "tracking_no": {"type": "string"},
                        "received_at": {"type": "string"},
                        "status": {
                            "enum": [
                                "received",
                                "assigned",
                                "verifying",
                                "answered",
                                "pending_payment",
                                "closed",
                                "withdrawn",
                            ]
                        },
                        "status_words": {"type": "string", "description": "for the villager"},
                        "outcome": {"enum": ["", "resolved", "not_upheld"]},
                        "due_at": {
                            "type": ["string", "null"],
                            "description": "by when the department must answer, once assigned",
                        },
                        "may_reopen": {"type": "boolean"},
                        "replies": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["text", "at", "kind"],
                                "properties": {
                                    "text": {"type": "string"},
                                    "at": {"type": "string"},
                                    "kind": {"enum": ["interim", "answer"]},
                                },
                            },
                        },
                    },
                },
                "Receipt": {
                    "type": "object",
                    "required": ["uuid", "tracking_no", "received_at", "replay"],
                    "properties": {
                        "uuid": {"type": "string"},
                        "tracking_no": {"type": "string"},
                        "received_at": {"type": "string"},
                        "replay": {"type": "boolean"},
                    },
                },
            },
        },
        "paths": {
            "/api/v1/complaints": {
                "post": {
                    "summary": "Deliver a complaint; idempotent on (kiosk, uuid)",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Complaint"}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "received",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}
                            },
                        },
                        "200": {
                            "description": "already received: the original receipt",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}
                            },
                        },
                        "400": ERROR,
                        "401": ERROR,
                        "413": ERROR,
                        "403": ERROR,
                        "422": {
                            **ERROR,
                            "description": "not a well-formed complaint (the place and the problem), or the "
                            "same uuid with a different payload",
                        },
                    },
                }
            },
            "/api/v1/complaints/{uuid}": {
                "get": {
                    "summary": "A complaint's status and replies",
                    "security": SIGNED,
                    "parameters": [
                        {"name": "uuid", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "where it stands and the replies the villager reads",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Status"}}
                            },
                        },
                        "401": ERROR,
                        "413": ERROR,
                        "403": ERROR,
                        "404": ERROR,
                    },
                }
            },
            "/api/v1/complaints/{uuid}/reopening": {
                "post": {
                    "summary": "The villager asks for an answered or closed complaint to be handled again; idempotent on "
                    "request_id",
                    "security": SIGNED,
                    "parameters": [
                        {"name": "uuid", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": schemas.REOPENING}},
                    },
                    "responses": {
                        "200": {"description": "reopened (or already reopened by this request)"},
                        "400": ERROR,
                        "401": ERROR,
                        "413": ERROR,
                        "403": ERROR,
                        "404": ERROR,
                        "409": {**ERROR, "description": "not answered or closed, or withdrawn"},
                    },
                }
            },
            "/api/v1/complaints/{uuid}/withdrawal": {
                "post": {
                    "summary": "Withdraw a complaint (within ten minutes, decided at the kiosk)",
                    "security": SIGNED,
                    "parameters": [
                        {"name": "uuid", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {"description": "withdrawn"},
                        "401": ERROR,
                        "413": ERROR,
                        "403": ERROR,
                        "404": ERROR,
                    },
                }
            },
            "/api/v1/lookup": {
                "post": {
                    "summary": "A card holder's owed-vs-paid picture, computed at the hub from its roster",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "description": "by ID number, or by a token /resolve gave this kiosk",
                                    "anyOf": [{"required": ["id_number"]}, {"required": ["token"]}],
                                    "properties": {
                                        "id_number": {
                                            "type": "string",
                                            "pattern": "^[0-9]{17}[0-9Xx]$",
                                            "description": "18 characters; one failing GB 11643's check is "
                                            "nobody's (404)",
                                        },
                                        "token": {"type": "string", "maxLength": 64},
                                        "today": {"type": "string", "format": "date"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "the picture (amounts in fen, accounts masked), with person_key"
                        },
                        "400": ERROR,
                        "401": ERROR,
                        "413": ERROR,
                        "403": ERROR,
                        "404": ERROR,
                        "429": {**ERROR, "description": "past this kiosk's lookup limits (audited)"},
                        "503": {**ERROR, "description": "this hub holds no roster"},
                    },
                }
            },
            "/api/v1/resolve": {
                "post": {
                    "summary": "A short-lived token for the one person the ledger pays through a bank account "
                    "(never an ID number); /lookup takes it",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["account"],
                                    "properties": {"account": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {"description": "found: {token}"},
                        "409": {**ERROR, "description": "several persons are paid through this account"},
                        "401": ERROR,
                        "413": ERROR,
                        "403": ERROR,
                        "404": ERROR,
                        "429": {**ERROR, "description": "past this kiosk's lookup limits (audited)"},
                        "503": {**ERROR, "description": "this hub holds no roster"},
                    },
                }
            },
            "/api/v1/heartbeat": {
                "post": {
                    "summary": "The kiosk is alive; its status (outbox backlog, card reads today, uptime)",
                    "security": SIGNED,
                    "requestBody": {"content": {"application/json": {"schema": schemas.HEARTBEAT}}},
                    "responses": {
                        "200": {"description": "noted"},
                        "401": ERROR,
                        "413": ERROR,
                        "403": ERROR,
                        "422": {**ERROR, "description": "not a heartbeat: the place and the problem"},
                    },
                }
            },
            "/api/v1/staff": {
                "get": {
                    "summary": "The clinic staff accounts meant for this kiosk (badge and PIN as hashes only)",
                    "security": SIGNED,
                    "responses": {
                        "200": {
                            "description": "{accounts: [{name, title, badge_kind, badge_key, pin_hash, version}]}",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["accounts"],
                                        "properties": {
                                            "accounts": {"type": "array", "items": {"type": "object"}}
                                        },
                                    }
                                }
                            },
                        },
                        "401": ERROR,
                        "403": ERROR,
                        "413": ERROR,
                    },
                }
            },
            "/api/v1/disclosure": {
                "post": {
                    "summary": "The public lists (公示) of the villages this kiosk serves, computed from the roster: "
                    "only the fields each programme's policy file discloses, never an ID number or account",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": schemas.DISCLOSURE_REQUEST}},
                    },
                    "responses": {
                        "200": {
                            "description": "{villages, today, programmes: [{code, name, reference, fields, "
                            "households_paid, paid_fen, entries: [{village, state, shown, days_left, ends_on, "
                            "entry_id, subject_key, masked_id}]}]}",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["villages", "today", "programmes"],
                                        "properties": {
                                            "villages": {"type": "array", "items": {"type": "string"}},
                                            "today": {"type": "string"},
                                            "programmes": {"type": "array", "items": {"type": "object"}},
                                        },
                                    }
                                }
                            },
                        },
                        "400": ERROR,
                        "401": ERROR,
                        "403": ERROR,
                        "413": ERROR,
                        "503": {**ERROR, "description": "this hub holds no roster"},
                    },
                }
            },
            "/api/v1/snapshot": {
                "post": {
                    "summary": "The signed snapshot of this kiosk's township (kiosk.link.snapshot): its roster "
                    "and ledger from the latest publication, for a kiosk that keeps its own data",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": schemas.SNAPSHOT_REQUEST}},
                    },
                    "responses": {
                        "200": {
                            "description": "the snapshot file: MINGBAI-SNAPSHOT/1, a manifest line, its Ed25519 "
                            "signature, and the gzip-compressed store",
                            "content": {
                                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                            },
                        },
                        "204": {"description": "the publication the kiosk names is still the latest"},
                        "401": ERROR,
                        "403": ERROR,
                        "404": {**ERROR, "description": "no publication yet, or no village in the township"},
                        "409": {**ERROR, "description": "the kiosk was registered without a township"},
                        "413": ERROR,
                        "422": ERROR,
                    },
                }
            },
            "/api/v1/staff-lookups": {
                "post": {
                    "summary": "A resident looked up at this kiosk by an ID number a helper typed (kept once)",
                    "security": SIGNED,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/StaffLookup"}}
                        },
                    },
                    "responses": {
                        "201": {"description": "kept"},
                        "200": {"description": "kept before (a retry)"},
                        "400": ERROR,
                        "401": ERROR,
                        "403": ERROR,
                        "413": ERROR,
                        "422": {**ERROR, "description": "not a staff lookup: the place and the problem"},
                    },
                }
            },
        },
    }
