"""A hub for tests: a real `kiosk hub` process on loopback, and the back office's accounts, clock and
complaint payloads for tests that drive the Flask app directly."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp

from tests.helpers.net import free_port, wait_for_http

KIOSK = str(Path(sys.executable).with_name("kiosk"))

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
    assisted_by: str = "",
) -> dict:
    payload = {
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
    if assisted_by:  # filed while a clinic worker was helping: the kiosk records who
        payload["evidence"]["assisted_by"] = assisted_by  # type: ignore[index]
    return payload


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


class HubProcess:
    """`kiosk hub --db DB` on a free loopback port: registered kiosks, started and stopped by the test."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def register(self, kiosk_id: str) -> str:
        return subprocess.run(
            [KIOSK, "hub", "--db", str(self.db), "--register", kiosk_id],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [KIOSK, "hub", "--db", str(self.db), "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MINGBAI_CONFIG": ""},
        )
        wait_for_http(self.url + "/healthz", self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


SUPERVISOR_PASSWORD = "a long passphrase 1"


def county_hub(db: str, county_store: Path, kiosk_id: str = "clinic-7") -> tuple[HubProcess, str]:
    """A started `kiosk hub` holding `county_store`'s roster, one registered kiosk (its secret returned) and
    one supervisor, jiwei (SUPERVISOR_PASSWORD; the second factor is enrolled at the first sign-in)."""
    hub = HubProcess(db)
    secret = hub.register(kiosk_id)
    subprocess.run(
        [KIOSK, "hub", "--db", db, "--add-user", "jiwei", "--role", "supervisor"],
        input=SUPERVISOR_PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        [KIOSK, "hub", "--db", db, "--publish", str(county_store)],
        text=True,
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "MINGBAI_CONFIG": ""},
    )
    hub.start()
    return hub, secret


def sign_in_supervisor(office, hub_url: str) -> None:  # type: ignore[no-untyped-def]
    """In Chromium, jiwei's first sign-in to the back office: password, then enrolling the second factor."""
    office.goto(hub_url + "/office/")
    office.get_by_label("用户名").fill("jiwei")
    office.get_by_label("密码").fill(SUPERVISOR_PASSWORD)
    office.get_by_role("button", name="登录").click()
    totp = office.locator("code.secret").inner_text()  # first sign-in: enrol the authenticator app
    office.get_by_label("验证码").fill(pyotp.TOTP(totp).now())
    office.get_by_role("button", name="确认").click()


def open_case(office, tracking: str) -> None:  # type: ignore[no-untyped-def]
    """In the signed-in back office, wait (up to 20 s: the relay delivers within a second or two) for the
    complaint `tracking` to reach the inbox, and open it."""
    deadline = time.monotonic() + 20
    while office.get_by_role("link", name=tracking).count() == 0 and time.monotonic() < deadline:
        office.reload()
        time.sleep(0.3)
    office.get_by_role("link", name=tracking).click()
