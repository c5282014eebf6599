"""GET /healthz: is the kiosk alive, and what is it running on."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from kiosk.web.context import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    parts = services()
    config = parts.config
    try:
        counts = parts.store.counts()
        store: dict[str, object] = {
            "ok": True,
            "schema": parts.store.schema_version(),
            "persons": counts["persons"],
            "payments": counts["payments"],
            "outbox_backlog": parts.store.outbox_backlog(),
        }
    except Exception as error:  # noqa: BLE001 - health must answer even when the store does not
        store = {"ok": False, "error": type(error).__name__}
    return jsonify(
        status="ok" if store["ok"] else "degraded",
        kiosk_id=config.kiosk_id,
        mode="demo" if config.demo else "production",
        terminal=parts.terminal.snapshot().state.value,
        readers=parts.readers.description,
        rule_version=parts.rulebook.version,
        rules_pending=store["ok"] and parts.rules_pending(),  # a snapshot's new rules await a restart
        screen_silent_seconds=None if (silent := parts.screen_silent_seconds()) is None else round(silent, 1),
        store=store,
    ), (200 if store["ok"] else 503)
