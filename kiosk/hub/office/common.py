"""What every back-office page shares: the /office blueprint and the guard every page goes through.

`guarded(permission)` resumes the server-side session from the `mingbai_office` cookie (its own cookie,
path /office, HttpOnly, SameSite=Strict; Secure when the hub's config says secure_cookie, behind TLS), sends a
visitor without one to sign in, a half-signed-in one to the second factor, refuses a role without the
permission (403) and a POST without the session's form token (400). Refusals are audited.
`asked_region()` is the region a page is asked for (`?region=`, by default the account's own): one
outside the account's region is refused (403) the same way.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from flask import Blueprint, abort, g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from kiosk.hub import accounts, regions
from kiosk.hub.context import parts
from kiosk.hub.store import HubStore

bp = Blueprint("office", __name__, url_prefix="/office")
COOKIE = "mingbai_office"


def store() -> HubStore:
    return parts().store


def now() -> dt.datetime:
    return parts().now()


def set_cookie(response: BaseResponse, token: str) -> BaseResponse:
    response.set_cookie(
        COOKIE,
        token,
        path="/office",
        httponly=True,
        samesite="Strict",
        secure=parts().config.secure_cookie,
    )
    return response


def guarded(permission: str | None, *, stage: str = "full") -> Callable:
    """Require a live session (at `stage`) whose role has `permission`; check the form token on POST."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            session, reason = accounts.resume_session(store(), request.cookies.get(COOKIE, ""), now())
            if session is None:
                target = (
                    url_for("office.login", why=reason)
                    if reason in ("idle", "expired")
                    else url_for("office.login")
                )
                response = redirect(target, code=303)
                response.delete_cookie(COOKIE, path="/office")
                return response
            if stage == "full" and session.stage != "full":
                return redirect(url_for("office.second_factor"), code=303)
            g.office = session
            if permission is not None and not session.user.may(permission):
                store().record_audit(
                    session.user.name, request.endpoint or "?", request.path, "refused: role", now()
                )
                abort(403)
            if request.method == "POST" and request.form.get("csrf", "") != session.csrf:
                store().record_audit(
                    session.user.name, request.endpoint or "?", request.path, "refused: csrf", now()
                )
                abort(400)
            return view(*args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


def asked_region() -> str:
    """The region this page is asked for: `?region=CODE` (any written length of a division code), by default
    the account's own. A malformed code is a 400; a region outside the account's is refused (403)."""
    user = g.office.user
    try:
        asked = regions.normalize(request.args.get("region", "")[:12]) or user.region
    except regions.RegionError:
        abort(400)
    if not user.sees(asked):
        store().record_audit(user.name, request.endpoint or "?", request.path, "refused: region", now())
        abort(403)
    return asked


@bp.app_context_processor
def _office_context() -> dict:
    office = g.get("office")
    notice = ""
    if office is not None and office.stage == "full":  # e.g. "your password was reset by …": until dismissed
        notice = (accounts.account(store(), office.user.name) or {}).get("notice", "")
    return {
        "office": office,
        "user": office.user if office else None,
        "csrf": office.csrf if office else "",
        "account_notice": notice,
    }
