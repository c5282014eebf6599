"""Accounts and departments, for the administrator: create an account (with a role and, for a handler, a
department), issue a reset token for one (approved by a second person for the powerful roles), see the
accounts whose sign-in is paused after repeated failures and lift a pause, disable one; add a department.
The reset pages themselves: approving (administrators, supervisors) and using a token (its holder)."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kiosk.hub import accounts, cases, regions
from kiosk.hub.office.common import bp, guarded, now, store


def _users_page(error: str = "", status: int = 200) -> ResponseReturnValue:
    return render_template(
        "office/users.html",
        users=accounts.list_users(store(), g.office.user.region),
        roles=accounts.ROLE_NAMES,
        departments=cases.department_names(store()),
        error=error,
        paused=accounts.paused_accounts(store(), now(), g.office.user.region),
        resets=accounts.pending_resets(store(), now(), g.office.user.region),
        subregions=regions.subregions(store().engine, g.office.user.region),
        own_region=(g.office.user.region, regions.name_of(store().engine, g.office.user.region)),
        now=now(),
    ), status


@bp.get("/users")
@guarded("users")
def users() -> ResponseReturnValue:
    return _users_page()


@bp.post("/users")
@guarded("users")
def save_user() -> ResponseReturnValue:
    form = request.form
    name = form.get("name", "").strip()
    try:
        accounts.create_user(
            store(),
            name,
            form.get("role", ""),
            form.get("password", ""),
            now(),
            department=form.get("department") or None,
            region=form.get("region", "")[:12],
            by=g.office.user,
        )
    except accounts.AccountError as error:
        store().record_audit(g.office.user.name, "save_user", name, f"refused: {error}", now())
        return _users_page(str(error), 400)
    store().record_audit(g.office.user.name, "save_user", name, f"ok: {form.get('role')}", now())
    return redirect(url_for("office.users"), code=303)


@bp.post("/users/<name>/<action>")
@guarded("users")
def user_action(name: str, action: str) -> ResponseReturnValue:
    if accounts.account(store(), name, g.office.user.region) is None:  # none, or another region's
        store().record_audit(g.office.user.name, f"{action}_user", name, "refused: not found", now())
        abort(404)
    if action == "unlock":
        done = accounts.unlock(store(), name)
    elif action == "disable" and name != g.office.user.name:
        done = accounts.disable(store(), name, now())
    else:
        done = False
    store().record_audit(g.office.user.name, f"{action}_user", name, "ok" if done else "refused", now())
    return redirect(url_for("office.users"), code=303)


@bp.post("/departments")
@guarded("users")
def add_department() -> ResponseReturnValue:
    name = request.form.get("name", "").strip()[:64]
    if name:
        cases.add_department(store(), name)
    store().record_audit(g.office.user.name, "add_department", name, "ok" if name else "refused", now())
    return redirect(url_for("office.users"), code=303)


@bp.post("/users/<name>/reset")
@guarded("users")
def reset_user(name: str) -> ResponseReturnValue:
    """Issue a one-time token for `name`; shown once, to hand over in person. Nothing changes until it is used."""
    lost_phone = request.form.get("new_second_factor") == "1"
    if accounts.account(store(), name, g.office.user.region) is None:
        store().record_audit(g.office.user.name, "request_reset", name, "refused: not found", now())
        abort(404)
    try:
        issued = accounts.request_reset(store(), name, g.office.user, now(), new_second_factor=lost_phone)
    except accounts.AccountError as error:
        store().record_audit(g.office.user.name, "request_reset", name, f"refused: {error}", now())
        return _users_page(str(error), 400)
    outcome = "ok: awaiting approval" if issued.needs_approval else "ok"
    store().record_audit(
        g.office.user.name,
        "request_reset",
        name,
        outcome + (", new second factor" if lost_phone else ""),
        now(),
    )
    return render_template(
        "office/reset_issued.html",
        name=name,
        issued=issued,
        link=url_for("office.use_reset", token=issued.token, _external=True),
    )


@bp.get("/resets")
@guarded("approve_reset")
def resets() -> ResponseReturnValue:
    return render_template(
        "office/resets.html",
        resets=accounts.pending_resets(store(), now(), g.office.user.region),
        roles=accounts.ROLE_NAMES,
        error="",
    )


@bp.post("/resets/<int(max=2147483647):reset_id>/approve")
@guarded("approve_reset")
def approve_reset(reset_id: int) -> ResponseReturnValue:
    try:
        accounts.approve_reset(store(), reset_id, g.office.user, now())
    except accounts.AccountError as error:
        store().record_audit(g.office.user.name, "approve_reset", str(reset_id), f"refused: {error}", now())
        return render_template(
            "office/resets.html",
            resets=accounts.pending_resets(store(), now(), g.office.user.region),
            error=str(error),
        ), 400
    store().record_audit(g.office.user.name, "approve_reset", str(reset_id), "ok", now())
    return redirect(url_for("office.resets"), code=303)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def use_reset(token: str) -> ResponseReturnValue:
    """The holder's page: no session (they may have forgotten the password); the token is the credential."""
    reset = accounts.reset_for_token(store(), token[:64], now())
    if request.method == "GET" or reset is None or reset["waiting"]:
        status = 200 if reset is not None else 404
        return render_template("office/reset_use.html", reset=reset, error=""), status
    try:
        name = accounts.use_reset(store(), token[:64], request.form.get("password", ""), now())
    except accounts.AccountError as error:
        return render_template("office/reset_use.html", reset=reset, error=str(error)), 400
    store().record_audit(name, "use_reset", name, "ok", now())
    return redirect(url_for("office.login", why="reset"), code=303)


@bp.post("/notice/dismiss")
@guarded(None)
def dismiss_notice() -> ResponseReturnValue:
    accounts.dismiss_notice(store(), g.office.user.name)
    store().record_audit(g.office.user.name, "read_notice", "", "ok", now())
    return redirect(request.referrer or url_for("office.inbox"), code=303)
