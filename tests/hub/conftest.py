"""The back office under test: a hub app on SQLite and PostgreSQL with a clock the test moves, one account
per role (the TOTP secrets known to the test), and complaints filed as kiosks file them."""

from __future__ import annotations

import pytest

from kiosk.config import HubConfig
from kiosk.hub import accounts
from kiosk.hub.app import create_hub_app
from kiosk.hub.context import parts
from tests.helpers.hub import ACCOUNTS, PASSWORD, START, TOTP_SECRETS, Clock, Office


@pytest.fixture
def office(hub_db):
    clock = Clock(START)
    app = create_hub_app(HubConfig(db_url=hub_db, escalate_every=0))
    parts(app).clock = clock
    store = parts(app).store
    for name, (role, department) in ACCOUNTS.items():
        accounts.create_user(store, name, role, PASSWORD, START, department=department)
    with store.engine.begin() as conn:  # pre-enrolled second factors, so tests can compute the codes
        from kiosk.hub.db import users

        for name, secret in TOTP_SECRETS.items():
            conn.execute(users.update().where(users.c.name == name).values(totp_secret=secret))
    store.register_kiosk("kiosk-1", START)
    yield Office(app, store, clock)
    store.close()
