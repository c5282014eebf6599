"""GET /healthz: is the kiosk alive, and what is it running on."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    parts = current_app.extensions["mingbai"]
    config = current_app.config["KIOSK"]
    try:
        counts = parts["store"].counts()
        store = {
            "ok": True,
            "schema": parts["store"].schema_version(),
            "persons": counts["persons"],
            "payments": counts["payments"],
            "outbox_backlog": parts["store"].outbox_backlog(),
        }
    except Exception as error:  # noqa: BLE001 - health must answer even when the store does not
        store = {"ok": False, "error": type(error).__name__}
    return jsonify(
        status="ok" if store["ok"] else "degraded",
        kiosk_id=config.kiosk_id,
        mode="demo" if config.demo else "production",
        terminal=parts["terminal"].snapshot().state.value,
        readers=parts["readers"].description,
        rule_version=parts["rulebook"].version,
        store=store,
    ), (200 if store["ok"] else 503)
