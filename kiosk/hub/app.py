"""The hub's Flask app factory: its own app, store and cookie, separate from the kiosk's."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Response

from kiosk.hub.roster import RosterLookups
from kiosk.hub.store import HubStore
from kiosk.money import format_yuan

ROOT = Path(__file__).resolve().parents[2]
CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


def create_hub_app(db_url: str) -> Flask:
    """The hub over `db_url`; once a roster is published there (`kiosk hub --publish`) it answers lookups."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    # One hub process: a fresh key per start is enough; several behind a proxy share MINGBAI_HUB_SESSION_KEY.
    app.secret_key = os.environ.get("MINGBAI_HUB_SESSION_KEY") or secrets.token_bytes(32)
    app.config.update(SESSION_COOKIE_NAME="mingbai_office", SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_HTTPONLY=True)
    app.extensions["hub_store"] = store = HubStore(db_url)
    app.extensions["roster_lookups"] = RosterLookups(store.engine)
    app.jinja_env.filters["yuan"] = format_yuan
    from kiosk.hub import api, office

    app.register_blueprint(api.bp)
    app.register_blueprint(office.bp)

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return {"status": "ok", "complaints": app.extensions["hub_store"].count_complaints()}

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    return app
