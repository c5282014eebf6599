"""Shared fixtures: the rulebook, fact factories, temporary stores, and a guard against the network."""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import socket
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.rules import Enrolment, PersonFacts, load_rulebook
from kiosk.store import open_store
from tests.pgserver import Postgres

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection outside loopback: no test may reach the network (Indico's disallow_emails)."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if isinstance(address, tuple) and address:
            host = str(address[0])
            try:
                allowed = ipaddress.ip_address(host).is_loopback
            except ValueError:
                allowed = host == "localhost"
            if not allowed:
                raise RuntimeError(f"test tried to reach {host}: only loopback is allowed")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def rulebook():  # type: ignore[no-untyped-def]
    return load_rulebook()


def make_facts(
    born: dt.date = dt.date(1950, 3, 5), death_on: dt.date | None = None, **enrolments: object
) -> PersonFacts:
    """Build facts; each keyword is a programme code mapped to a dict of Enrolment fields (or True)."""
    built = []
    for code, spec in enrolments.items():
        fields = {"start_on": dt.date(2015, 1, 1)} if spec is True else dict(spec)  # type: ignore[arg-type]
        fields.setdefault("start_on", dt.date(2015, 1, 1))
        if "quantity" in fields and fields["quantity"] is not None:
            fields["quantity"] = Decimal(str(fields["quantity"]))
        built.append(Enrolment(code, **fields))  # type: ignore[arg-type]
    return PersonFacts(born, death_on, tuple(built))


@pytest.fixture(scope="session")
def demo_county(tmp_path_factory, rulebook):
    """The demo county built once into a store, for tests that only read it."""
    from kiosk.services.demo import ensure_demo

    path = tmp_path_factory.mktemp("county") / "demo.db"
    built = open_store(path)
    ensure_demo(built, rulebook, today=TODAY)
    built.close()
    return path


@pytest.fixture
def store(tmp_path):  # type: ignore[no-untyped-def]
    opened = open_store(tmp_path / "kiosk.db")
    yield opened
    opened.close()


PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")


class Pcscd:
    """The host's one pcscd (fixed socket), started and restarted by the tests that need real PC/SC."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        self.process = subprocess.Popen(
            [binary, "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not PCSCD_SOCKET.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("pcscd did not start")
            time.sleep(0.02)
        time.sleep(0.2)  # vpcd's listening sockets come up just after pcscd's

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        deadline = time.monotonic() + 5
        while PCSCD_SOCKET.exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def pcscd():
    """A pcscd with vsmartcard's vpcd driver for the whole session (any other pcscd is stopped first)."""
    subprocess.run(["pkill", "-x", "pcscd"], check=False)
    deadline = time.monotonic() + 5
    while PCSCD_SOCKET.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    daemon = Pcscd()
    daemon.start()
    yield daemon
    daemon.stop()


def wait_for_http(url: str, process: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    """Wait until `url` answers (a server we started is ready); fail early if `process` died."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres():
    server = Postgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request, tmp_path):
    """The hub's store, on a SQLite file and on a real PostgreSQL (both, for every test that uses it)."""
    if request.param == "sqlite":
        return str(tmp_path / "hub.db")
    return request.getfixturevalue("postgres").new_database()
