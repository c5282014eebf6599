"""The kiosk's Flask app factory: wires config, store, rules, reader and blueprints.

Views stay thin: parse input, call a service or the terminal, render.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response

from device.base import EventHub
from kiosk.backend import BenefitsBackend, EmbeddedBackend
from kiosk.config import KioskConfig
from kiosk.core.clock import china_today
from kiosk.core.money import format_yuan
from kiosk.rules import load_rulebook
from kiosk.services.chip_registry import load_chip_registry
from kiosk.services.readers import start_readers
from kiosk.services.terminal import Terminal
from kiosk.store import open_store

ROOT = Path(__file__).resolve().parents[2]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def create_app(config: KioskConfig) -> Flask:
    """Build the kiosk app for `config`: embedded store, rules, and the card readers it asks for.

    The readers' worker threads start here; `app.extensions["mingbai"]["readers"].stop()` ends them.
    """
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config["KIOSK"] = config
    store = open_store(config.db_path)
    rulebook = load_rulebook(config.policy_dir, store.policies())  # policies imported into the store win
    if config.backend == "remote":
        from kiosk.backend.remote import RemoteBackend

        backend: BenefitsBackend = RemoteBackend(
            hub_url=config.hub_url, kiosk_id=config.kiosk_id, secret=config.hub_secret
        )
    else:
        backend = EmbeddedBackend(store, rulebook, history_years=config.history_years)
    events = EventHub()
    terminal = Terminal(
        backend=backend,
        today=config.current_date,
        chip_registry=load_chip_registry(config.chip_registry),
        on_read=lambda: store.count_card_read(china_today().isoformat()),
    )
    events.subscribe(terminal.on_card_event)
    readers = start_readers(config, events)
    relay = None
    if config.hub_url:
        from kiosk.link.relay import Relay

        relay = Relay(
            config.db_path,
            hub_url=config.hub_url,
            kiosk_id=config.kiosk_id,
            secret=config.hub_secret,
            status_every=config.hub_poll_seconds,
        )
        relay.start()
    app.extensions["mingbai"] = {
        "store": store,
        "rulebook": rulebook,
        "terminal": terminal,
        "events": events,
        "readers": readers,
        "relay": relay,
    }

    from kiosk.web import complaints, health, villager

    app.register_blueprint(villager.bp)
    app.register_blueprint(complaints.bp)
    app.register_blueprint(health.bp)
    if config.demo:
        from kiosk.web import demo

        app.register_blueprint(demo.bp)

    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.filters["money"] = lambda fen: ("-¥" if fen < 0 else "¥") + format_yuan(abs(fen))

    @app.context_processor
    def kiosk_globals() -> dict[str, object]:
        return {"demo": config.demo, "config": config}

    @app.after_request
    def secure_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
