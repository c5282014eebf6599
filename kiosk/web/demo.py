"""Demo mode only: the on-screen panel that places and takes away virtual cards.

Registered only when the kiosk runs as a demo; the requests must carry the
X-Kiosk-Demo header, which a cross-site form cannot send.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

from device.base import CardIdentity

bp = Blueprint("demo", __name__, url_prefix="/demo")


def _reader():  # type: ignore[no-untyped-def]
    if request.headers.get("X-Kiosk-Demo") != "1":
        abort(403)
    return current_app.extensions["mingbai"]["reader"]


@bp.post("/place/<int:position>")
def place(position: int):  # type: ignore[no-untyped-def]
    reader = _reader()
    cards = {card.position: card for card in current_app.extensions["mingbai"]["store"].demo_cards()}
    card = cards.get(position)
    if card is None:
        abort(404)
    reader.place(CardIdentity(card.id_number, source="virtual"))
    return "", 204


@bp.post("/take")
def take():  # type: ignore[no-untyped-def]
    _reader().take()
    return "", 204
