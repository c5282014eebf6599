"""The kiosk app's one typed way to its services: views call `services()`, never `app.extensions[...]`."""

from __future__ import annotations

from flask import Flask, current_app

from kiosk.config import KioskConfig
from kiosk.services.wiring import KioskServices

_KEY = "mingbai"


def install(app: Flask, parts: KioskServices) -> None:
    app.extensions[_KEY] = parts


def services(app: Flask | None = None) -> KioskServices:
    """The services of `app` (default: the app handling this request)."""
    found = (app or current_app).extensions[_KEY]
    assert isinstance(found, KioskServices)  # noqa: S101 - installed by create_app only
    return found


def config() -> KioskConfig:
    return services().config
