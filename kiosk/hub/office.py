"""A minimal supervisors' page on the hub: sign in, list complaints, read one, write the reply the villager reads.

argon2id password hashes, lockout after five failures, a new session at sign-in,
a form token on every POST, every action in the audit log. (The full back office —
roles, TOTP, workflow, server-side sessions with timeouts — is its own piece of work.)
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from kiosk.hub.store import HubStore
from kiosk.services.complaints import CATEGORIES, show_tracking_number

bp = Blueprint("office", __name__, url_prefix="/office")
hasher = PasswordHasher()  # argon2id
MAX_FAILURES = 5


def _store() -> HubStore:
    return current_app.extensions["hub_store"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _signed_in() -> str:
    name = session.get("supervisor")
    if not name:
        abort(redirect(url_for("office.login")))
    if request.method == "POST" and request.form.get("csrf") != session.get("csrf"):
        abort(400)
    return name


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    error = ""
    if request.method == "POST":
        name, password = request.form.get("name", ""), request.form.get("password", "")
        account = _store().supervisor(name)
        if account is not None and account["failures"] >= MAX_FAILURES:
            error = "账号已锁定，请联系管理员"
            _store().record_audit(name, "login", "", "locked", _now())
        else:
            try:
                if account is None:
                    raise VerificationError("no such account")
                hasher.verify(account["password_hash"], password)
            except VerificationError:
                if account is not None:
                    _store().set_failures(name, account["failures"] + 1)
                _store().record_audit(name or "?", "login", "", "refused", _now())
                error = "用户名或密码不对"
            else:
                _store().set_failures(name, 0)
                session.clear()  # a new session at sign-in
                session["supervisor"] = name
                session["csrf"] = secrets.token_urlsafe(24)
                _store().record_audit(name, "login", "", "ok", _now())
                return redirect(url_for("office.inbox"))
    return render_template("office_login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    name = _signed_in()
    _store().record_audit(name, "logout", "", "ok", _now())
    session.clear()
    return redirect(url_for("office.login"))


@bp.get("/")
def inbox():  # type: ignore[no-untyped-def]
    name = _signed_in()
    rows = []
    for complaint in _store().list_complaints():
        payload = json.loads(complaint["payload"])
        rows.append({**complaint, "tracking": show_tracking_number(complaint["tracking_no"]),
                     "category": CATEGORIES.get(payload["category"], (payload["category"], ""))[0],
                     "subject": " ".join(str(payload["evidence"].get(k, "")) for k in ("programme_name", "period_label")),
                     "answered": bool(_store().replies_for(complaint["id"]))})
    _store().record_audit(name, "list_complaints", "", "ok", _now())
    return render_template("office_inbox.html", rows=rows, name=name, csrf=session["csrf"])


@bp.get("/complaints/<int:complaint_id>")
def detail(complaint_id: int):  # type: ignore[no-untyped-def]
    name = _signed_in()
    complaint = _store().complaint_by_id(complaint_id)
    if complaint is None:
        abort(404)
    payload = json.loads(complaint["payload"])
    _store().record_audit(name, "read_complaint", complaint["uuid"], "ok", _now())
    return render_template("office_detail.html", complaint=complaint, payload=payload,
                           tracking=show_tracking_number(complaint["tracking_no"]),
                           category=CATEGORIES.get(payload["category"], (payload["category"], ""))[0],
                           replies=_store().replies_for(complaint_id), name=name, csrf=session["csrf"])


@bp.post("/complaints/<int:complaint_id>/reply")
def reply(complaint_id: int):  # type: ignore[no-untyped-def]
    name = _signed_in()
    complaint = _store().complaint_by_id(complaint_id)
    text = request.form.get("text", "").strip()
    if complaint is None:
        abort(404)
    if not text:
        abort(400)
    _store().add_reply(complaint_id, text[:2000], name, _now())
    _store().record_audit(name, "reply", complaint["uuid"], "ok", _now())
    return redirect(url_for("office.detail", complaint_id=complaint_id), code=303)


EXPORT_HEADERS = ["反映编号", "收到时间（UTC）", "终端", "问题", "项目", "期间", "应发（元）", "实发（元）", "核对结果",
                  "身份证（遮盖）", "人员标识", "电话", "撤回时间", "答复"]


def export_rows(store: HubStore) -> list[list[str]]:
    """Every complaint with its evidence and replies, as rows for a CSV or XLSX file."""
    from kiosk.exports import plain_yuan

    rows = []
    for complaint in store.list_complaints(limit=1_000_000):
        payload = json.loads(complaint["payload"])
        evidence = payload.get("evidence", {})
        money = [plain_yuan(evidence[k]) if isinstance(evidence.get(k), int) else "" for k in ("owed_fen", "paid_fen")]
        rows.append([show_tracking_number(complaint["tracking_no"]), complaint["received_at"].isoformat(timespec="seconds"),
                     complaint["kiosk_id"], CATEGORIES.get(payload["category"], (payload["category"],))[0],
                     evidence.get("programme_name", ""), evidence.get("period_label", ""), *money,
                     evidence.get("status_label", ""), payload.get("masked_id", ""), complaint["person_key"],
                     payload.get("phone", ""), complaint["withdrawn_at"].isoformat() if complaint["withdrawn_at"] else "",
                     "；".join(r["text"] for r in store.replies_for(complaint["id"]))])
    return rows


def export_complaints(store: HubStore, path) -> int:  # type: ignore[no-untyped-def]
    """Write every complaint to `path` (.xlsx or .csv, by suffix); return how many."""
    import csv

    rows = export_rows(store)
    if str(path).lower().endswith(".xlsx"):
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "群众反映"
        sheet.append(EXPORT_HEADERS)
        for row in rows:
            sheet.append(row)
        workbook.save(path)
    else:
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_HEADERS)
            writer.writerows(rows)
    return len(rows)
