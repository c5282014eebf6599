"""The hub's kiosk API (/api/v1): complaint intake (idempotent on the kiosk's UUID), withdrawal, complaint
status, heartbeat, and its OpenAPI document. Every request but the document is signed by a known,
unrevoked kiosk, with a fresh timestamp and an unused nonce.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from kiosk.core.complaint import valid_tracking_number
from kiosk.hub import lookup_guard, roster
from kiosk.hub.context import parts
from kiosk.hub.store import HubStore, IntakeConflictError
from kiosk.link import paths, schemas
from kiosk.link.signing import SignatureError, check_headers, verify

bp = Blueprint("api", __name__, url_prefix=paths.PREFIX)

REQUIRED = tuple(schemas.COMPLAINT["required"])  # checked first, for a plain 400 naming them all


def _store() -> HubStore:
    return parts().store


def _now() -> dt.datetime:
    """Now, from the app's clock (a test may set one; signatures still check the real time)."""
    return parts().now()


def _problem(status: int, reason: str):  # type: ignore[no-untyped-def]
    return jsonify(error=reason), status


_credentials_lock = threading.Lock()


def _credential(kiosk_id: str) -> dict | None:
    """The kiosk's row, remembered for the config's kiosk_cache_seconds (default 5): a lookup then costs one
    query less, and a revocation made anywhere takes effect on every hub process within that time."""
    hub = parts()
    ttl = hub.config.kiosk_cache_seconds
    now = time.monotonic()
    credentials = hub.credentials
    with _credentials_lock:
        cached = credentials.get(kiosk_id)
    if cached is not None and now - cached[0] < ttl:
        return cached[1]
    row = _store().kiosk(kiosk_id)
    with _credentials_lock:
        if len(credentials) > 100_000:
            credentials.clear()
        credentials[kiosk_id] = (now, row)
    return row


def _authenticate() -> str:
    """Return the kiosk id of a correctly signed, fresh, unreplayed request; raise SignatureError otherwise."""
    kiosk_id = request.headers.get("X-Kiosk-Id", "")[:64]
    kiosk = _credential(kiosk_id) if kiosk_id else None
    if kiosk is None:
        raise SignatureError(401, "unknown kiosk")
    if kiosk["revoked_at"] is not None:
        raise SignatureError(403, "kiosk credential revoked")
    _note_clock(kiosk_id, kiosk, request.headers.get("X-Timestamp", ""))
    check_headers(dict(request.headers), time.time())  # before the body is read: a stranger costs no memory
    if (request.content_length or 0) > paths.MAX_BODY:
        raise SignatureError(413, f"a kiosk request body is at most {paths.MAX_BODY // 1024} KiB")
    _, nonce = verify(
        headers=dict(request.headers),
        secret=kiosk["secret"],
        method=request.method,
        path=request.path,
        body=request.get_data(),
        now=time.time(),
    )
    if not _store().use_nonce(kiosk_id, nonce, _now()):
        raise SignatureError(401, "nonce already used (replay)")
    return kiosk_id


CLOCK_TOLERANCE = 60  # seconds a kiosk's clock may be off before the fleet page says so


def _note_clock(kiosk_id: str, kiosk: dict, stamp: str) -> None:
    """A known kiosk's clock against ours, from its request's timestamp — even one refused as stale, so the
    fleet page says "时钟偏差" instead of the kiosk failing to deliver in silence. Written only on change."""
    try:
        skew = int(stamp) - int(time.time())
    except ValueError:
        return
    known = kiosk.get("clock_skew_seconds")
    if abs(skew) > CLOCK_TOLERANCE:
        if known is None or abs(known - skew) > 30:
            _store().note_clock_skew(kiosk_id, skew, _now())
            parts().credentials.pop(kiosk_id, None)
    elif known is not None:
        _store().note_clock_skew(kiosk_id, None, _now())
        parts().credentials.pop(kiosk_id, None)


@bp.errorhandler(413)
def _too_large(error: Exception) -> ResponseReturnValue:
    return _problem(413, f"a kiosk request body is at most {paths.MAX_BODY // 1024} KiB")


@bp.errorhandler(SignatureError)
def _signature_error(error: SignatureError) -> ResponseReturnValue:
    return _problem(error.status, error.reason)


@bp.post(paths.COMPLAINTS)
def receive() -> ResponseReturnValue:
    kiosk_id = _authenticate()
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or any(key not in payload for key in REQUIRED):
        return _problem(400, f"a complaint needs {', '.join(REQUIRED)}")
    wrong = schemas.problem(schemas.COMPLAINT, payload)
    if wrong is not None:
        return _problem(422, wrong)
    if not valid_tracking_number(payload["tracking_no"]):
        return _problem(422, "tracking_no: its check symbol is wrong")
    if payload["kiosk_id"] != kiosk_id:
        return _problem(403, "a kiosk may only send its own complaints")
    try:
        received = _store().receive_complaint(kiosk_id, payload, _now())
    except IntakeConflictError:
        return _problem(422, "this uuid was received with a different payload")
    body = {
        "uuid": received.uuid,
        "tracking_no": received.tracking_no,
        "received_at": received.received_at.isoformat(),
        "replay": not received.first_time,
    }
    return jsonify(body), (201 if received.first_time else 200)


@bp.post(paths.WITHDRAWAL_RULE)
def withdraw(uuid: str) -> ResponseReturnValue:
    kiosk_id = _authenticate()
    if _store().complaint(kiosk_id, uuid) is None:
        return _problem(404, "no such complaint from this kiosk")
    _store().withdraw_complaint(kiosk_id, uuid, _now())
    return jsonify(uuid=uuid, withdrawn=True), 200


@bp.get(paths.COMPLAINT_RULE)
def status(uuid: str) -> ResponseReturnValue:
    from kiosk.hub.cases import kiosk_status

    kiosk_id = _authenticate()
    found = kiosk_status(_store(), kiosk_id, uuid)
    if found is None:
        return _problem(404, "no such complaint from this kiosk")
    return jsonify(found)


@bp.post(paths.REOPENING_RULE)
def reopen(uuid: str) -> ResponseReturnValue:
    """The villager is not satisfied with the answer: the complaint goes back to be handled again."""
    from kiosk.hub.cases import reopen_from_kiosk
    from kiosk.hub.workflow import WorkflowError

    kiosk_id = _authenticate()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or schemas.problem(schemas.REOPENING, body) is not None:
        return _problem(400, "a reopening needs a request_id (the kiosk's UUID for this request)")
    try:
        state = reopen_from_kiosk(
            _store(), kiosk_id, uuid, body["request_id"], str(body.get("reason", "")), _now()
        )
    except WorkflowError as error:
        return _problem(409, f"cannot reopen: {error.words}")
    if state is None:
        return _problem(404, "no such complaint from this kiosk")
    return jsonify(uuid=uuid, status=state), 200


def _withheld(kiosk_id: str, kind: str, person_id: int | None) -> ResponseReturnValue | None:
    """Count and log this lookup; a 429 (audited) when the kiosk is past its limits, else None."""
    if lookup_guard.account(_store(), kiosk_id, kind, person_id, _now()):
        return None
    _store().record_audit(kiosk_id, "lookup_limit", kind, "refused: over the kiosk's limit", _now())
    return _problem(429, "too many lookups for this kiosk's card reads; the supervisors have been shown this")


@bp.post(paths.LOOKUP)
def lookup() -> ResponseReturnValue:
    """A card holder's owed-vs-paid picture, computed here from the hub's roster, by ID number or by a
    token from /resolve. Every lookup is logged and counted; past the kiosk's limits the answer is withheld."""
    from device.idnumber import IdNumberError, parse_id_number
    from kiosk.backend import PersonNotFoundError
    from kiosk.backend.wire import to_json

    kiosk_id = _authenticate()
    backend = parts().lookups.backend()
    if backend is None:
        return _problem(503, "this hub holds no roster")
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    try:
        today = dt.date.fromisoformat(body["today"]) if body.get("today") else _now().date()
    except (TypeError, ValueError):
        return _problem(400, "today must be an ISO date")
    kind = "token" if "token" in body else "id_number"
    if kind == "token":
        person_id = lookup_guard.redeem_token(_store(), kiosk_id, str(body["token"])[:64], _now())
        raw = roster.id_number_of(_store().engine, person_id) if person_id is not None else None
        if raw is None:
            return _withheld(kiosk_id, kind, None) or _problem(
                404, "no such token for this kiosk (or it expired)"
            )
    else:
        raw = str(body.get("id_number", ""))
        if len(raw) != 18 or not raw[:17].isdigit() or raw[17] not in "0123456789Xx":
            return _problem(400, "id_number must be 18 characters: 17 digits, then a digit or X")
    try:
        id_number = parse_id_number(raw)
    except IdNumberError as error:  # well-formed but impossible (check character, birth date): nobody's
        return _withheld(kiosk_id, kind, None) or _problem(404, f"no such person: {error.reason}")
    found = roster.person_of(parts().lookups.roster.engine, id_number.value)  # the replica, when there is one
    try:
        answer = to_json(backend.look_up(id_number, today=today, county=found[2])) if found else None
    except PersonNotFoundError:
        answer = None
    refused = _withheld(kiosk_id, kind, found[0] if found and answer else None)
    if refused is not None:
        return refused
    if found is None or answer is None:
        return _problem(404, "no such person")
    answer["person_key"] = found[1]
    return jsonify(answer)


@bp.post(paths.RESOLVE)
def resolve() -> ResponseReturnValue:
    """A bank card: a short-lived token standing for the one person the ledger pays through the account
    (never their ID number). Logged and limited like lookups."""
    kiosk_id = _authenticate()
    if parts().lookups.backend() is None:
        return _problem(503, "this hub holds no roster")
    body = request.get_json(silent=True)
    account = str((body if isinstance(body, dict) else {}).get("account", ""))[:64]
    person_id = roster.person_paid_through(_store().engine, account)
    refused = _withheld(kiosk_id, "account", person_id)
    if refused is not None:
        return refused
    if person_id is None:
        if roster.account_holders(_store().engine, account) > 1:
            return _problem(409, "several persons are paid through this account: ask for an ID card")
        return _problem(404, "no single person for this account")
    return jsonify(token=lookup_guard.issue_token(_store(), kiosk_id, person_id, _now())), 200


@bp.post(paths.HEARTBEAT)
def heartbeat() -> ResponseReturnValue:
    kiosk_id = _authenticate()
    status = request.get_json(silent=True)
    status = status if status is not None else {}
    wrong = schemas.problem(schemas.HEARTBEAT, status)
    if wrong is not None:
        return _problem(422, wrong)
    _store().heartbeat(kiosk_id, status, _now())
    lookup_guard.forget_reads(kiosk_id)  # its card reads may have moved: its lookup limit with them
    return jsonify(ok=True), 200


@bp.post(paths.DISCLOSURE)
def disclosure() -> ResponseReturnValue:
    """The public lists (公示) of the villages a kiosk serves, from the hub's roster: only the fields each
    programme's policy file discloses, never an ID number or account."""
    from kiosk.backend.disclosure import to_json as lists_to_json

    _authenticate()
    backend = parts().lookups.backend()
    if backend is None:
        return _problem(503, "this hub holds no roster")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or schemas.problem(schemas.DISCLOSURE_REQUEST, body) is not None:
        return _problem(400, "a disclosure request names villages (codes) and may give today (an ISO date)")
    try:
        today = dt.date.fromisoformat(body["today"]) if body.get("today") else _now().date()
    except ValueError:
        return _problem(400, "today must be an ISO date")
    lists = backend.disclosure(list(body["villages"]), today=today, secret=parts().config.person_key_secret)
    return jsonify(lists_to_json(lists))


@bp.post(paths.SNAPSHOT)
def snapshot() -> ResponseReturnValue:
    """The signed snapshot of the township this kiosk was registered in (`--register ID --township NAME`),
    or 204 when the publication it names is still the latest."""
    from flask import Response

    from kiosk.hub.snapshots import NoSnapshotError, township_snapshot

    kiosk_id = _authenticate()
    body = request.get_json(silent=True)
    wrong = schemas.problem(schemas.SNAPSHOT_REQUEST, body)
    if wrong is not None or not isinstance(body, dict):
        return _problem(422, wrong or "a snapshot request is a JSON object")
    township = (_credential(kiosk_id) or {}).get("township")
    if not township:
        return _problem(409, "this kiosk was registered without a township: re-register it with --township")
    publication = roster.Roster(_store().engine).publication()  # the primary's: what is cut from
    if publication is not None and publication["id"] == body["have"]:
        return "", 204
    try:
        data = township_snapshot(_store(), township, _now())
    except NoSnapshotError as error:
        return _problem(404, str(error))
    _store().record_audit(kiosk_id, "snapshot_sent", township, f"ok: {len(data):,} bytes", _now())
    return Response(data, status=200, mimetype="application/octet-stream")


@bp.get(paths.STAFF)
def staff_accounts() -> ResponseReturnValue:
    """The clinic staff accounts meant for this kiosk: badge and PIN as hashes only. The kiosk replaces its
    hub accounts with these at every poll, so one disabled here stops working there within the interval."""
    from kiosk.hub.staff import staff_for_kiosk

    kiosk_id = _authenticate()
    return jsonify(accounts=staff_for_kiosk(_store(), kiosk_id))


@bp.post(paths.STAFF_LOOKUPS)
def staff_lookup() -> ResponseReturnValue:
    """One resident looked up at this kiosk by an ID number a helper typed: kept once (the relay retries)."""
    from kiosk.hub.staff import receive_lookup

    kiosk_id = _authenticate()
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _problem(400, "a staff lookup is a JSON object")
    wrong = schemas.problem(schemas.STAFF_LOOKUP, payload)
    if wrong is not None:
        return _problem(422, wrong)
    try:
        dt.datetime.fromisoformat(payload["at"])
    except ValueError:
        return _problem(422, "at: not a moment")
    first = receive_lookup(_store(), kiosk_id, payload, _now())
    if first:  # the hub's own audit log names it too: who, why, whom (masked), from which kiosk
        _store().record_audit(
            f"{kiosk_id}/staff:{payload['staff_name']}"[:64],
            "staff_lookup",
            payload["masked_id"],
            f"{payload['outcome']}: {payload['reason']}",
            _now(),
        )
    return jsonify(uuid=payload["uuid"], replay=not first), (201 if first else 200)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    from kiosk.hub.openapi import document

    return jsonify(document())
