"""The villager's complaint screens: choose what is wrong, optionally a phone number, review, submit.

The draft lives in the card session (server side) and dies with it; every form
carries the session's token. "已提交" is shown only for a complaint that is on disk.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from device.printer import PrinterError, open_printer, print_slip
from kiosk.backend import LookupResult
from kiosk.core.complaint import (
    ABOUT_ONESELF,
    CATEGORIES,
    ComplaintError,
    check_phone,
    person_key,
    reply_words,
    show_tracking_number,
)
from kiosk.core.i18n import N_
from kiosk.services.complaints import (
    can_withdraw,
    complaints_of,
    due_message,
    evidence_for,
    file_complaint,
    reopen_complaint,
    shown_evidence,
    subject_of,
    withdraw_complaint,
)
from kiosk.services.speech import SCREEN_KEY
from kiosk.web.context import services
from kiosk.web.session import COOKIE

bp = Blueprint("complaints", __name__, url_prefix="/me/complaint")


def _session() -> tuple[LookupResult, dict[str, Any]]:
    terminal = services().terminal
    token = request.cookies.get(COOKIE)
    result, scratch = terminal.result_for(token), terminal.scratch(token)
    if result is None or scratch is None:
        abort(redirect(url_for("villager.attract")))
    if request.method == "POST" and request.form.get("csrf") != scratch["csrf"]:
        abort(400)
    return result, scratch


def _key(result: LookupResult) -> str:
    return result.person_key or person_key(result.id_number, services().config.person_key_secret)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _show(screen: str, **params: object) -> None:
    """Tell the voice which complaint step the session's browser now shows."""
    services().speech.show(request.cookies.get(COOKIE), screen, **params)


def _common(result: LookupResult, scratch: dict[str, Any]) -> dict[str, object]:
    return {
        "holder": result.holder,
        "csrf": scratch["csrf"],
        "categories": ABOUT_ONESELF,
        "shown": shown_evidence(result.reconciliation, scratch.get("draft") or {}),
        "assisted": services().assist.helper() is not None,
    }


@bp.get("/new")
def new() -> ResponseReturnValue:
    result, scratch = _session()
    programme, period = request.args.get("programme", "")[:32], request.args.get("period", "")[:16]
    about = request.args.get("about", "")
    evidence = evidence_for(result.reconciliation, programme, period, request.args.get("until", "")[:16])
    category = ""
    if about in ("unlisted", "hint"):  # "我应该享受补贴，但没有记录": no period, the category is known
        hint = next((h for h in result.reconciliation.hints if h.programme == programme), None)
        evidence.update(
            programme_name=hint.name if hint else "",
            period_label="",
            status_label=N_("没有记录"),
            verdict=hint.reason if hint else N_("系统里没有查到此人的补贴记录"),
        )
        programme, period, category = (hint.programme if hint else ""), "", "should_qualify"
    elif "programme_name" not in evidence:
        programme = period = ""
    scratch["draft"] = {
        "uuid": str(uuid.uuid4()),
        "programme": programme,
        "period": period,
        "evidence": evidence,
        "category": category,
        "phone": "",
    }
    if services().assist.helper() is not None:  # the helper steps away before anything is chosen
        _show("complaint_private")
        return render_template(
            "kiosk/complaint_private.html", draft=scratch["draft"], **_common(result, scratch)
        )
    return _first_step(result, scratch)


@bp.post("/alone")
def alone() -> ResponseReturnValue:
    """The resident says the helper has stepped away: the private steps begin."""
    result, scratch = _session()
    _draft(scratch)
    return _first_step(result, scratch)


def _first_step(result: LookupResult, scratch: dict[str, Any]) -> ResponseReturnValue:
    if scratch["draft"]["category"]:  # straight to the phone step: the button pressed said what is wrong
        _show("complaint_phone")
        return render_template(
            "kiosk/complaint_phone.html", draft=scratch["draft"], error="", **_common(result, scratch)
        )
    _show("complaint_category")
    return render_template(
        "kiosk/complaint_category.html", draft=scratch["draft"], **_common(result, scratch)
    )


def _draft(scratch: dict[str, Any]) -> dict[str, Any]:
    draft = scratch.get("draft")
    if draft is None:
        abort(redirect(url_for("villager.summary")))
    return draft


@bp.get("/current")
def current() -> ResponseReturnValue:
    """The complaint step the session is on, shown again (after the language changed on a form's page)."""
    result, scratch = _session()
    draft = _draft(scratch)
    shown = scratch.get(SCREEN_KEY)
    screen = shown[0] if isinstance(shown, tuple) else ""
    template = {
        "complaint_category": "kiosk/complaint_category.html",
        "complaint_phone": "kiosk/complaint_phone.html",
        "complaint_review": "kiosk/complaint_review.html",
    }.get(screen)
    if template is None:
        return redirect(url_for("villager.summary"))
    return render_template(template, draft=draft, error="", **_common(result, scratch))


@bp.post("/category")
def category() -> ResponseReturnValue:
    result, scratch = _session()
    draft = _draft(scratch)
    if request.form.get("category") not in ABOUT_ONESELF:
        abort(400)
    draft["category"] = request.form["category"]
    _show("complaint_phone")
    return render_template("kiosk/complaint_phone.html", draft=draft, error="", **_common(result, scratch))


@bp.post("/phone")
def phone() -> ResponseReturnValue:
    result, scratch = _session()
    draft = _draft(scratch)
    try:
        draft["phone"] = "" if request.form.get("skip") else check_phone(request.form.get("phone", ""))
    except ComplaintError as error:  # keep what was typed, so one wrong digit is not twelve to type again
        typed = "".join(c for c in request.form.get("phone", "") if c.isdigit())[:15]
        _show("complaint_phone", refused=True)
        return render_template(
            "kiosk/complaint_phone.html",
            draft={**draft, "phone": typed},
            error=error.message_zh,
            **_common(result, scratch),
        ), 422
    _show("complaint_review")
    return render_template("kiosk/complaint_review.html", draft=draft, **_common(result, scratch))


@bp.post("/submit")
def submit() -> ResponseReturnValue:
    result, scratch = _session()
    draft = _draft(scratch)
    if request.form.get("uuid") != draft["uuid"]:
        abort(409)
    config = services().config
    helping = services().assist.helper()
    evidence = {**draft["evidence"], "assisted_by": helping.recorded} if helping else dict(draft["evidence"])
    typed = services().terminal.typed_by(request.cookies.get(COOKIE))
    if typed is not None:  # no card: the helper typed the number, the resident confirmed the masked name
        evidence["identity"] = "typed_by_staff"
        evidence["typed_reason"] = typed["reason"]
    try:
        filed = file_complaint(
            store=services().store,
            kiosk_id=config.kiosk_id,
            key=_key(result),
            masked_id=result.holder.masked_id,
            uuid=draft["uuid"],
            category=draft["category"],
            programme=draft["programme"],
            period=draft["period"],
            phone=draft["phone"],
            evidence=evidence,
            now=_now(),
            on_queued=services().outbox_queued,
        )
    except ComplaintError as error:
        _show("complaint_review")
        return render_template(
            "kiosk/complaint_review.html", draft=draft, error=error.message_zh, **_common(result, scratch)
        ), 422
    return redirect(url_for("complaints.done", uuid=filed.uuid), code=303)


def _mine(result: LookupResult, uuid: str) -> dict[str, Any]:
    complaint = services().store.complaint(uuid)
    if complaint is None or complaint["person_key"] != _key(result):
        abort(404)
    return complaint


@bp.get("/<uuid>")
def done(uuid: str) -> ResponseReturnValue:
    result, scratch = _session()
    complaint = _mine(result, uuid)
    _show("complaint_done", uuid=uuid)
    evidence = json.loads(complaint["evidence"])
    replies = [(reply_words(r.get("kind")), r["text"]) for r in json.loads(complaint.get("replies") or "[]")]
    return render_template(
        "kiosk/complaint_done.html",
        complaint=complaint,
        evidence=evidence,
        replies=replies,
        tracking=show_tracking_number(complaint["tracking_no"]),
        category=CATEGORIES[complaint["category"]],
        withdrawable=can_withdraw(complaint, _now()),
        due=due_message(complaint),
        subject=subject_of(complaint["programme"] or "", evidence),
        printer=bool(services().config.printer),
        message=request.args.get("m", ""),
        **_common(result, scratch),
    )


@bp.get("/<uuid>/qr.svg")
def qr(uuid: str) -> ResponseReturnValue:
    import segno

    result, _ = _session()
    complaint = _mine(result, uuid)
    buffer = io.BytesIO()
    segno.make(_qr_text(complaint["tracking_no"]), error="m").save(buffer, kind="svg", scale=8, border=2)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


def _qr_text(tracking_no: str) -> str:
    base = services().config.public_status_url
    return f"{base.rstrip('/')}/{tracking_no}" if base else f"MINGBAI:{tracking_no}"


def _villager_asks(uuid: str, service: Callable[..., None], done_words: str) -> ResponseReturnValue:
    """Withdraw or reopen through `service` (same card only), queue it for the hub, and say how it went."""
    result, _ = _session()
    try:
        service(
            store=services().store,
            uuid=uuid,
            key=_key(result),
            now=_now(),
            on_queued=services().outbox_queued,
        )
        message = done_words
    except ComplaintError as error:
        message = error.message_zh
    return redirect(url_for("complaints.done", uuid=uuid, m=message), code=303)


@bp.post("/<uuid>/withdraw")
def withdraw(uuid: str) -> ResponseReturnValue:
    return _villager_asks(uuid, withdraw_complaint, N_("已撤回"))


@bp.post("/<uuid>/reopen")
def reopen(uuid: str) -> ResponseReturnValue:
    return _villager_asks(uuid, reopen_complaint, N_("已要求重新办理，纪检监察部门会再次处理"))


@bp.post("/<uuid>/print")
def print_(uuid: str) -> ResponseReturnValue:
    result, _ = _session()
    complaint = _mine(result, uuid)
    evidence = json.loads(complaint["evidence"])
    lines = [
        "明白 · 惠民补贴查询",
        "您的反映已提交",
        f"反映编号：{show_tracking_number(complaint['tracking_no'])}",
        f"提交时间：{complaint['created_at'][:16].replace('T', ' ')} (UTC)",
        f"问题：{CATEGORIES[complaint['category']][0]}",
        *(
            [f"项目：{evidence['programme_name']} {evidence['period_label']}"]
            if "programme_name" in evidence
            else []
        ),
        "由纪检监察部门处理，下次刷卡可查看答复",
        "扫码可查询进度",
    ]
    try:
        device = open_printer(services().config.printer)
        if device is None:
            abort(404)
        print_slip(device, lines, _qr_text(complaint["tracking_no"]))
        services().last_slip = getattr(device, "output", b"")
        message = N_("凭条已打印")
    except PrinterError as error:
        current_app.logger.warning("slip not printed: %s", error)
        message = N_("打印机暂时不能用，请记下反映编号")
    return redirect(url_for("complaints.done", uuid=uuid, m=message), code=303)


def mine_for_summary(result: LookupResult) -> list[dict]:
    """The person's complaints for the summary's "我的反映"."""
    return complaints_of(store=services().store, key=_key(result), reconciliation=result.reconciliation)
