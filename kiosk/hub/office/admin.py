"""Accounts and departments, for the administrator: create or reset an account (with a role and, for a
handler, a department), see the accounts whose sign-in is paused after
repeated failures and lift a pause, disable one; add a department."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kiosk.hub import accounts, cases
from kiosk.hub.office.common import bp, guarded, now, store


@bp.get("/users")
@guarded("users")
def users() -> ResponseReturnValue:
    return render_template(
        "office/users.html",
        users=accounts.list_users(store()),
        roles=accounts.ROLE_NAMES,
        departments=cases.department_names(store()),
        error="",
        paused=accounts.paused_accounts(store(), now()),
        now=now(),
    )


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
        )
    except accounts.AccountError as error:
        store().record_audit(g.office.user.name, "save_user", name, f"refused: {error}", now())
        return render_template(
            "office/users.html",
            users=accounts.list_users(store()),
            roles=accounts.ROLE_NAMES,
            departments=cases.department_names(store()),
            error=str(error),
            paused=accounts.paused_accounts(store(), now()),
            now=now(),
        ), 400
    store().record_audit(g.office.user.name, "save_user", name, f"ok: {form.get('role')}", now())
    return redirect(url_for("office.users"), code=303)


@bp.post("/users/<name>/<action>")
@guarded("users")
def user_action(name: str, action: str) -> ResponseReturnValue:
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
