"""The back office under test: a hub app on SQLite and PostgreSQL with a clock the test moves, one account
per role (the TOTP secrets known to the test), and complaints filed as kiosks file them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyotp
import pytest

from kiosk.config import HubConfig
from kiosk.hub import accounts
from kiosk.hub.app import create_hub_app
from kiosk.hub.context import parts

PASSWORD = "a long passphrase 1"
START = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
TOTP_SECRETS = {"jiwei": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "admin": "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"}
ACCOUNTS = {
    "jiwei": ("supervisor", None),
    "admin": ("admin", None),
    "minzheng": ("handler", "县民政局"),
    "renshe": ("handler", "县人力资源和社会保障局"),
    "shenji": ("auditor", None),
}


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def complaint_payload(
    number: int,
    *,
    category: str = "not_received",
    programme: str = "pension_basic",
    person_key: str = "ab" * 16,
    kiosk: str = "kiosk-1",
) -> dict:
    return {
        "uuid": f"6f1c2a3e-1111-4222-8333-{number:012d}",
        "tracking_no": f"K7QM{number:05d}"[:9],
        "kiosk_id": kiosk,
        "person_key": person_key,
        "masked_id": "110101********1234",
        "programme": programme,
        "period": "2025-03",
        "category": category,
        "phone": "13800138000",
        "created_at": START.isoformat(),
        "evidence": {
            "rule_version": "v1",
            "as_of": "2026-11-01",
            "programme_name": "城乡居民基础养老金",
            "period_label": "2025年3月",
            "owed_fen": 12300,
            "paid_fen": 0,
            "status": "missing",
            "status_label": "未发放",
            "explanation": "每月标准123.00元",
            "verdict": "没有发放记录",
        },
    }


@dataclass
class Office:
    app: object
    store: object
    clock: Clock

    def client(self):  # type: ignore[no-untyped-def]
        return self.app.test_client()  # type: ignore[attr-defined]

    def file(self, number: int, **kwargs) -> int:  # type: ignore[no-untyped-def]
        """File a complaint as kiosk-1 would; return its id at the hub."""
        self.store.receive_complaint("kiosk-1", complaint_payload(number, **kwargs), self.clock.now)  # type: ignore[attr-defined]
        return self.store.complaint("kiosk-1", complaint_payload(number)["uuid"])["id"]  # type: ignore[attr-defined]

    def sign_in(self, name: str, client=None):  # type: ignore[no-untyped-def]
        """A client fully signed in as `name` (password, then a fresh TOTP code where the role needs one)."""
        client = client or self.client()
        response = client.post("/office/login", data={"name": name, "password": PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)
        if name in TOTP_SECRETS:
            self.clock.advance(seconds=31)  # each sign-in uses a new time step (a code is accepted once)
            page = client.get("/office/second-factor").get_data(as_text=True)
            code = pyotp.TOTP(TOTP_SECRETS[name]).at(self.clock.now)
            answer = client.post("/office/second-factor", data={"csrf": csrf_of(page), "code": code})
            assert answer.status_code == 303, answer.get_data(as_text=True)
        return client


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


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
