"""The kiosk's Flask app factory: wiring only, the running services (kiosk.services.wiring) to the views.

Views stay thin: parse input, call a service or the terminal, render. They reach the
services through `kiosk.web.context.services()`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, request
from flask_babel import Babel

from kiosk.config import KioskConfig
from kiosk.core.money import format_yuan
from kiosk.services.wiring import KioskServices, start_services
from kiosk.web.context import install, services
from kiosk.web.icons import icon
from kiosk.web.session import COOKIE

ROOT = Path(__file__).resolve().parents[2]

MAX_BODY = 16 * 1024  # bytes: the kiosk's forms are a few fields (a complaint's category and a phone number)
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _freshness(app: Flask) -> dict[str, object] | None:
    """How current the figures on this session's screens are: the ledger's date, and — when it is older
    than `stale_after_days` — how many days old, to say so plainly."""
    result = services(app).terminal.result_for(request.cookies.get(COOKIE))
    if result is None or result.data_date is None:
        return None
    config = services(app).config
    age = (config.current_date() - result.data_date).days
    return {"date": result.data_date, "stale": age if age > config.stale_after_days else 0}


def create_app(config: KioskConfig, parts: KioskServices | None = None) -> Flask:
    """The kiosk app for `config`, over `parts` (default: `start_services(config)`, which starts the card
    readers' and the relay's threads; `services(app).stop()` ends them)."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY,
        MAX_FORM_MEMORY_SIZE=MAX_BODY,
        BABEL_DEFAULT_LOCALE="zh_Hans_CN",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
    )
    install(app, parts or start_services(config))

    from kiosk.web import complaints, disclosure, health, language, speech, staff, villager

    Babel(
        app, locale_selector=language.babel_locale, default_translation_directories=str(ROOT / "translations")
    )

    app.register_blueprint(villager.bp)
    app.register_blueprint(complaints.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(speech.bp)
    app.register_blueprint(language.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(disclosure.bp)
    if config.demo:
        from kiosk.web import demo

        app.register_blueprint(demo.bp)

    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.filters["money"] = lambda fen: ("-¥" if fen < 0 else "¥") + format_yuan(abs(fen))

    app.jinja_env.globals.update(
        icon=icon,
        tr=language.render,
        term=language.term,
        here=language.here,
        html_lang=language.html_lang,
        languages=language.LANGUAGES,
        current_language=language.current,
        registered_dead=language.registered_dead,
        day=language.day,
        helper=lambda: services(app).assist.helper(),
        freshness=lambda: _freshness(app),
        staff_form=lambda: services(app).assist.form_token,
    )

    # What the browser asks by itself (polls, the voice, files) is not someone at the screen.
    unattended = {"villager.terminal_state", "speech.channel", "speech.audio", "speech.script", "static"}

    @app.before_request
    def someone_is_here() -> None:
        if request.endpoint not in unattended:
            services(app).assist.touch()  # the helper's ten idle minutes start again

    @app.context_processor
    def kiosk_globals() -> dict[str, object]:
        return {"demo": config.demo, "config": config, "keymap": services(app).keymap}

    @app.after_request
    def secure_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
