"""The hub's Flask app factory: its own app, store and cookie, separate from the kiosk's."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

from flask import Flask, Response
from flask.typing import ResponseReturnValue
from flask_babel import Babel, format_date, format_datetime

from kiosk.config import HubConfig
from kiosk.core.money import format_yuan
from kiosk.hub.context import HubParts, install
from kiosk.hub.roster import RosterLookups
from kiosk.hub.store import HubStore
from kiosk.hub.workflow import ACTIONS

ROOT = Path(__file__).resolve().parents[2]
MAX_BODY = (
    64 * 1024
)  # bytes: back-office forms and kiosk requests alike are small (imports are `kiosk import`)
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


def create_hub_app(config: HubConfig) -> Flask:
    """The hub over `config.db_url`; once a roster is published there (`kiosk hub --publish`) it answers
    lookups. With `config.escalate_every`, a thread flags overdue complaints."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    # Sessions are server-side (kiosk/hub/accounts.py): no secret key, no Flask session cookie, so any number
    # of hub processes behind a proxy share them through the database.
    app.config.update(
        BABEL_DEFAULT_LOCALE="zh_Hans_CN",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        MAX_CONTENT_LENGTH=MAX_BODY,  # Flask answers 413 past this; waitress refuses it before reading it
        MAX_FORM_MEMORY_SIZE=MAX_BODY,
    )
    Babel(app)
    store = HubStore(config.db_url, key_file=config.key_file, read_url=config.read_db_url)
    install(app, HubParts(config, store, RosterLookups(store.reads)))  # lookups and figures on a replica
    seed_departments(store)
    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.filters["when"] = lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""
    app.jinja_env.filters["day"] = lambda value: format_date(value, "yyyy-MM-dd") if value else ""
    app.jinja_env.globals["event_names"] = EVENT_NAMES
    from kiosk.hub import api, office

    app.register_blueprint(api.bp)
    app.register_blueprint(office.bp)

    @app.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return {"status": "ok", "complaints": store.count_complaints()}

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    if config.escalate_every:
        _start_escalation(store, config.escalate_every)
    return app


EVENT_NAMES = {
    **{name: action.label for name, action in ACTIONS.items()},
    "escalate": "逾期，提请督办",
    "confirm": "发放明细核对：已到账，办结",
}
log = logging.getLogger(__name__)


def seed_departments(store: HubStore) -> None:
    """The departments programmes name as responsible, so assignment works before anyone adds one."""
    from kiosk.hub.cases import add_department, department_names
    from kiosk.rules import load_rulebook

    if not department_names(store):
        for policy in load_rulebook().policies.values():
            add_department(store, policy.department)


def _start_escalation(store: HubStore, every: float) -> None:
    """Every `every` seconds: flag overdue complaints for the supervisors, and forget nonces too old to be
    replayed (both idempotent: many hub processes may run them)."""
    from kiosk.hub.cases import escalate_overdue

    def run() -> None:
        while True:
            try:
                now = dt.datetime.now(dt.UTC)
                escalate_overdue(store, now)
                store.forget_nonces(now)
            except Exception:  # noqa: BLE001 - a database hiccup must not end escalation for good
                log.exception("escalation pass failed")
            threading.Event().wait(every)

    threading.Thread(target=run, name="escalation", daemon=True).start()
