"""The clinic worker at the kiosk: their badge on the reader asks for a PIN (the attract screen's staff_pin
state), typed on the on-screen keypad; signing out; and looking a resident up by typed ID number, which the
resident then confirms by their masked name (the attract screen's confirm state) before anything is shown.

Every form carries the desk's form token, so no other page can post guesses; outcomes come back to the
screen as a word in its address (never the PIN, never the number).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kiosk.services.assist import LOOKUP_REASONS
from kiosk.services.demo import DEMO_STAFF_ID
from kiosk.services.lookup import CardLookupError
from kiosk.services.staff import StaffError
from kiosk.web.context import services

bp = Blueprint("staff", __name__, url_prefix="/staff")


def _checked_form() -> None:
    if request.form.get("form") != services().assist.form_token:
        abort(400)


@bp.post("/pin")
def pin() -> ResponseReturnValue:
    _checked_form()
    try:
        services().assist.enter_pin(request.form.get("pin", "")[:16])
    except StaffError as error:
        return redirect(url_for("villager.attract", staff=error.code, left=error.tries_left), code=303)
    return redirect(url_for("villager.attract"), code=303)


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    _checked_form()
    services().assist.sign_out()
    return redirect(url_for("villager.attract"), code=303)


@bp.get("/lookup")
def lookup_form() -> ResponseReturnValue:
    """无卡查询: the helper types the resident's ID number and says why there is no card."""
    if services().assist.helper() is None:
        return redirect(url_for("villager.attract"), code=303)
    return render_template(
        "kiosk/staff_lookup.html", reasons=LOOKUP_REASONS, refused="", reason="", **_demo()
    )


@bp.post("/lookup")
def lookup() -> ResponseReturnValue:
    _checked_form()
    desk = services().assist
    if desk.helper() is None:
        return redirect(url_for("villager.attract"), code=303)
    reason = request.form.get("reason", "")[:16]
    try:
        desk.look_up_typed(request.form.get("number", "")[:20], reason)
    except (StaffError, CardLookupError) as error:
        words = error.message_zh
        return render_template(
            "kiosk/staff_lookup.html", reasons=LOOKUP_REASONS, refused=words, reason=reason, **_demo()
        ), (429 if getattr(error, "code", "") == "limit" else 400)
    return redirect(url_for("villager.attract"), code=303)  # the attract screen asks the resident to confirm


def _demo() -> dict[str, object]:
    """In a demo, the demo cards' (fictional) numbers, so a visitor can try the lookup without a card."""
    if not services().config.demo:
        return {"demo_numbers": []}
    cards = [c for c in services().store.demo_cards() if c.kind == "ssse" and c.id_number != DEMO_STAFF_ID]
    return {"demo_numbers": [(card.label, card.id_number) for card in cards[:4]]}


@bp.post("/confirm")
def confirm() -> ResponseReturnValue:
    """The resident's answer to "是您本人吗？": their pages open, or the lookup is dropped."""
    _checked_form()
    services().assist.confirm(request.form.get("answer") == "yes")
    return redirect(url_for("villager.attract"), code=303)
