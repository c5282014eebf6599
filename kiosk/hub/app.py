"""The hub's Flask app factory: its own app, store and cookie, separate from the kiosk's."""

from __future__ import annotations

from flask import Flask, Response

from kiosk.hub.store import HubStore


def create_hub_app(db_url: str) -> Flask:
    app = Flask(__name__)
    app.extensions["hub_store"] = HubStore(db_url)

    from kiosk.hub import api

    app.register_blueprint(api.bp)

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return {"status": "ok", "complaints": app.extensions["hub_store"].count_complaints()}

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response

    return app
