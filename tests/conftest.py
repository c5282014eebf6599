"""Shared fixtures: the rulebook, the demo county, temporary stores, pcscd, PostgreSQL, an import runner, and a
guard against the network. Helpers that are not fixtures live in tests/helpers/."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from pathlib import Path

import pytest

from kiosk.imports.loader import import_file
from kiosk.rules import load_rulebook
from kiosk.store import open_store
from tests.helpers.county import LI, PERSONS, WANG, write_csv
from tests.helpers.facts import TODAY
from tests.helpers.pcscd import Pcscd
from tests.helpers.pgserver import Postgres


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


@pytest.fixture(scope="session")
def pcscd():
    """A pcscd of the suite's own, with vsmartcard's vpcd driver, for the whole session.

    One runs per host: one already running is stopped by its pid and started again at the end."""
    daemon = Pcscd()
    daemon.take_over()
    yield daemon
    daemon.hand_back()


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


@pytest.fixture
def roster(tmp_path, rulebook):
    """A store with one village and two persons, and a function importing a file into it."""
    store = open_store(tmp_path / "county.db")

    def load(path: Path, **kwargs):  # type: ignore[no-untyped-def]
        return import_file(store, path, rulebook=rulebook, today=TODAY, **kwargs)

    load(
        write_csv(tmp_path / "villages.csv", ["村代码", "村名", "乡镇"], [["522799001", "石桥村", "明白镇"]])
    )
    report = load(
        write_csv(
            tmp_path / "persons.csv",
            PERSONS,
            [
                [WANG, "王秀英", "女", "石桥村", "H1", "", "6217990100000000123"],
                [LI, "李四", "男", "522799001", "H2", "", ""],
            ],
        )
    )
    assert report.committed, report.errors
    store.load = load  # type: ignore[attr-defined]
    return store


@pytest.fixture
def virtual_kiosk(demo_county, tmp_path):  # type: ignore[no-untyped-def]
    """A real `kiosk demo` process on a copy of the demo county, its reader the in-process virtual one (no
    pcscd): for tests of what runs around the app — the browser, its policies, the watchdog."""
    from tests.helpers.kiosk_process import KioskProcess

    shutil.copy(demo_county, tmp_path / "kiosk.db")
    kiosk = KioskProcess(tmp_path / "kiosk.db", tmp_path / "kiosk.log", MINGBAI_READER="virtual")
    yield kiosk
    kiosk.stop()
