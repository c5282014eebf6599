"""Signing in and out of the back office: password, then (supervisors, administrators) a TOTP code,
enrolled at the first sign-in with a QR code for the phone's authenticator app."""

from __future__ import annotations

import re

from flask import g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kiosk.hub import accounts
from kiosk.hub.office.common import COOKIE, bp, guarded, now, set_cookie, store

# One answer for every refused password, whatever the reason (unknown name, wrong password, paused or
# disabled account): the sign-in page must not tell an attacker which names exist or which are paused.
# The audit log keeps the real reason.
SIGN_IN_REFUSED = "用户名或密码不对，或账号暂时不能登录（多次输错后会暂停登录一段时间）"
CODE_REFUSALS = {
    "wrong": "验证码不对，请看手机上当前的6位数字",
    "replayed": "这个验证码已经用过，请等手机上出现新的验证码",
    "paused": "验证码输错次数过多，登录已暂停，请稍后再试或联系系统管理员",
    "locked": "验证码输错次数过多，登录已暂停，请稍后再试或联系系统管理员",
}
WHY = {
    "idle": "15分钟没有操作，已自动退出，请重新登录",
    "expired": "已登录8小时，请重新登录",
    "reset": "新密码已设置，请用新密码登录",
}


def home_for(user: accounts.User) -> str:
    return url_for("office.users") if user.role == "admin" else url_for("office.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("office/login.html", error="", notice=WHY.get(request.args.get("why", ""), ""))
    name = request.form.get("name", "").strip()[:64]
    user, reason = accounts.check_password(store(), name, request.form.get("password", ""), now())
    if user is None:
        store().record_audit(name or "?", "login", "password", f"refused: {reason}", now())
        if reason == "paused":
            _record_pause(name)
        return render_template("office/login.html", error=SIGN_IN_REFUSED, notice=""), 401
    stage = "password" if user.role in accounts.NEEDS_TOTP else "full"
    session = accounts.start_session(store(), user, stage, now())  # a new id: a planted cookie is worthless
    store().record_audit(
        user.name, "login", "password", "ok" if stage == "full" else "ok: second factor owed", now()
    )
    target = url_for("office.second_factor") if stage == "password" else home_for(user)
    return set_cookie(redirect(target, code=303), session.token)


def _record_pause(name: str) -> None:
    """Sign-in for `name` has just been paused: an audit entry, and the administrator's notice shows it."""
    row = accounts.account(store(), name) or {}
    until = row.get("locked_until")
    store().record_audit(name, "sign_in_paused", until.isoformat() if until else "", "notify: admin", now())


def _qr_svg(text: str) -> str:
    """Inline SVG markup (the CSP allows no data: images)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=5)


@bp.route("/second-factor", methods=["GET", "POST"])
@guarded(None, stage="password")
def second_factor() -> ResponseReturnValue:
    session = g.office
    if session.stage == "full":
        return redirect(home_for(session.user), code=303)
    enrolled = bool((accounts.account(store(), session.user.name) or {}).get("totp_secret"))
    secret = "" if enrolled else request.form.get("secret", "") or accounts.new_totp_secret()
    if not enrolled and not re.fullmatch(r"[A-Z2-7]{32}", secret):
        secret = accounts.new_totp_secret()
    error = ""
    if request.method == "POST":
        reason = accounts.check_totp(
            store(),
            session.user.name,
            request.form.get("code", ""),
            now(),
            enrol_secret=None if enrolled else secret,
        )
        if not reason:
            accounts.end_session(store(), session.token, now())
            full = accounts.start_session(store(), session.user, "full", now())  # new id once fully signed in
            store().record_audit(
                session.user.name, "login", "totp" if enrolled else "totp enrolment", "ok", now()
            )
            return set_cookie(redirect(home_for(session.user), code=303), full.token)
        store().record_audit(session.user.name, "login", "totp", f"refused: {reason}", now())
        if reason == "paused":
            _record_pause(session.user.name)
        error = CODE_REFUSALS[reason]
        if reason in ("paused", "locked"):
            accounts.end_session(store(), session.token, now())
    uri = "" if enrolled else accounts.totp_uri(session.user.name, secret)
    return render_template(
        "office/totp.html", error=error, enrolled=enrolled, secret=secret, qr=_qr_svg(uri) if uri else ""
    ), (401 if error else 200)


@bp.post("/logout")
@guarded(None, stage="password")
def logout() -> ResponseReturnValue:
    accounts.end_session(store(), g.office.token, now())
    store().record_audit(g.office.user.name, "logout", "", "ok", now())
    response = redirect(url_for("office.login"), code=303)
    response.delete_cookie(COOKIE, path="/office")
    return response
