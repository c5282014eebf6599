"""村务公开: the village's public lists for anyone at the kiosk, no card or session needed, and "我有异议"
on every entry in its 公示 period and every current recipient.

`GET /disclosure` (the overview: this year's totals per programme, and links to each list),
`GET /disclosure/<code>` (a programme's 公示中 entries with the days left, then its current list),
`GET|POST /disclosure/object/<entry_id>` (an objection: the entry, a reason in one tap, and — only with
the objector's own card session open — whether to give their identity).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from kiosk.core.clock import now_utc
from kiosk.core.complaint import OBJECTION_REASONS, ComplaintError, show_tracking_number
from kiosk.core.i18n import N_
from kiosk.services.disclosure import DisclosureUnavailable
from kiosk.web.context import services
from kiosk.web.session import COOKIE

bp = Blueprint("disclosure", __name__, url_prefix="/disclosure")

STATE_WORDS = {"new": N_("新批准，公示中"), "cancelled": N_("已取消，公示中"), "current": N_("正在享受")}


def _today() -> dt.date:
    return services().config.current_date()


def _page(template: str, **context: object) -> str:
    """Render with the terminal's state, which the page's script watches: a card placed meanwhile wins."""
    return render_template(template, snapshot=services().terminal.snapshot(), **context)


def _lists():  # type: ignore[no-untyped-def]
    try:
        return services().board.lists(_today()), ""
    except DisclosureUnavailable as error:
        return None, error.words


@bp.get("")
def overview() -> ResponseReturnValue:
    lists, trouble = _lists()
    return _page("kiosk/disclosure.html", lists=lists, trouble=trouble, today=_today())


@bp.get("/<code>")
def programme(code: str) -> ResponseReturnValue:
    lists, trouble = _lists()
    listing = lists.programme(code) if lists is not None else None
    if lists is not None and listing is None:
        abort(404)
    return _page(
        "kiosk/disclosure_list.html", lists=lists, listing=listing, trouble=trouble, states=STATE_WORDS
    )


@bp.route("/object/<entry_id>", methods=["GET", "POST"])
def objection(entry_id: str) -> ResponseReturnValue:
    lists, trouble = _lists()
    entry = lists.entry(entry_id[:32]) if lists is not None else None
    if lists is not None and entry is None:
        abort(404)
    holder = services().terminal.result_for(request.cookies.get(COOKIE))
    listing = lists.programme(entry.programme) if lists is not None and entry is not None else None
    context = {
        "lists": lists,
        "listing": listing,
        "entry": entry,
        "trouble": trouble,
        "reasons": OBJECTION_REASONS,
        "states": STATE_WORDS,
        "has_card": holder is not None,
        "uuid": str(uuidlib.uuid4()),
        "refused": "",
    }
    if request.method == "GET" or entry is None:
        return _page("kiosk/disclosure_object.html", **context)
    try:
        filed = services().board.object(
            entry,
            reason=request.form.get("reason", "")[:32],
            uuid=request.form.get("uuid", "")[:64],
            holder=holder,
            give_identity=request.form.get("identity") == "give",
            now=now_utc(),
            today=_today(),
        )
    except ComplaintError as error:
        return _page("kiosk/disclosure_object.html", **{**context, "refused": error.message_zh}), 400
    return _page(
        "kiosk/disclosure_done.html",
        lists=lists,
        entry=entry,
        tracking=show_tracking_number(filed.tracking_no),
        named=holder is not None and request.form.get("identity") == "give",
    )
