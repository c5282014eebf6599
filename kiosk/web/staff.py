"""The clinic worker's sign-in at the kiosk: their badge on the reader asks for a PIN (the attract
screen's staff_pin state), typed on the on-screen keypad; and signing out.

The PIN form carries the desk's form token, so no other page can post guesses; the outcome comes back
to the attract screen as a word in its address (never the PIN).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask.typing import ResponseReturnValue

from kiosk.services.staff import StaffError
from kiosk.web.context import services

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.post("/pin")
def pin() -> ResponseReturnValue:
    desk = services().assist
    if request.form.get("form") != desk.form_token:
        abort(400)
    try:
        desk.enter_pin(request.form.get("pin", "")[:16])
    except StaffError as error:
        return redirect(url_for("villager.attract", staff=error.code, left=error.tries_left), code=303)
    return redirect(url_for("villager.attract"), code=303)


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    desk = services().assist
    if request.form.get("form") != desk.form_token:
        abort(400)
    desk.sign_out()
    return redirect(url_for("villager.attract"), code=303)
