"""Demo mode only: the on-screen panel that places and takes away emulated cards, and plugs in a
virtual headset.

With pcscd the card goes into vpcd's reader and is read through real PC/SC;
without it, into the in-process reader. Registered only in demo mode; requests
must carry the X-Kiosk-Demo header, which a cross-site form cannot send.
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue

from device.headset import VirtualHeadset
from kiosk.services.demo_cards import applet_for
from kiosk.services.readers import CardSlot
from kiosk.web.context import services

bp = Blueprint("demo", __name__, url_prefix="/demo")


def _slot() -> CardSlot:
    if request.headers.get("X-Kiosk-Demo") != "1":
        abort(403)
    slot = services().readers.slot
    if slot is None:
        abort(404)
    return slot


@bp.post("/place/<int:position>")
def place(position: int) -> ResponseReturnValue:
    slot = _slot()
    store = services().store
    card = {card.position: card for card in store.demo_cards()}.get(position)
    if card is None:
        abort(404)
    try:
        slot.place(applet_for(card, store))
    except OSError:  # vpcd went away with pcscd: the reader watcher reports it too
        return "virtual reader unavailable", 503
    return "", 204


def _virtual_headset() -> VirtualHeadset:
    if request.headers.get("X-Kiosk-Demo") != "1":
        abort(403)
    headset = services().headset
    if not isinstance(headset, VirtualHeadset):
        abort(404)  # a real jack is configured: the panel cannot plug it
    return headset


@bp.post("/headset/in")
def headset_in() -> ResponseReturnValue:
    _virtual_headset().plug(True)
    return "", 204


@bp.post("/headset/out")
def headset_out() -> ResponseReturnValue:
    _virtual_headset().plug(False)
    return "", 204


@bp.post("/take")
def take() -> ResponseReturnValue:
    _slot().take()
    return "", 204
