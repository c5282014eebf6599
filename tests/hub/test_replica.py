"""A hub pointed at a read replica (`kiosk hub --read-db URL`): a second PostgreSQL started by the test as a
hot standby streaming the primary's WAL. Kiosk lookups and the dashboard's figures are read from the
replica — with its replay paused, a republished county and a new complaint are not seen until replay
resumes — while every write (the lookup log, the nonces, the office's session) goes to the primary,
which a standby would refuse."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

from kiosk.hub.accounts import create_user
from kiosk.hub.publish import publish
from kiosk.hub.store import HubStore
from kiosk.link.signing import sign
from kiosk.store import open_store
from tests.helpers.counties import pensioner
from tests.helpers.hub import PASSWORD, complaint_payload
from tests.helpers.net import free_port, wait_for_http
from tests.helpers.pgserver import Postgres

KIOSK = str(Path(sys.executable).with_name("kiosk"))
NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


@pytest.fixture
def primary_and_replica():  # type: ignore[no-untyped-def]
    primary = Postgres()
    replica = None
    try:
        url = primary.new_database()
        HubStore(url).close()  # the schema, before the standby is cut
        replica = primary.standby()
        yield url, url.replace(f":{primary.port}/", f":{replica.port}/")
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()


def look_up(port: int, kiosk_id: str, secret: str, number: str) -> dict:
    body = json.dumps({"id_number": number, "today": "2026-11-22"}).encode()
    headers = {
        "Content-Type": "application/json",
        **sign(kiosk_id=kiosk_id, secret=secret, method="POST", path="/api/v1/lookup", body=body),
    }
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/lookup", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def dashboard_total(port: int, opener=None) -> tuple:  # type: ignore[no-untyped-def]
    """(a signed-in auditor's opener, the complaints the dashboard's total row counts)."""
    if opener is None:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        form = urllib.parse.urlencode({"name": "shenji", "password": PASSWORD}).encode()
        opener.open(f"http://127.0.0.1:{port}/office/login", data=form, timeout=10)
    page = opener.open(f"http://127.0.0.1:{port}/office/dashboard", timeout=30).read().decode()
    total = re.search(r'<tr class="total" data-region="">\s*<th>合计</th><th>(\d+)</th>', page)
    assert total is not None, page[:2000]
    return opener, int(total.group(1))


def test_lookups_are_read_from_the_replica_and_writes_go_to_the_primary(
    primary_and_replica, demo_county, tmp_path
):
    primary_url, replica_url = primary_and_replica
    store = HubStore(primary_url)
    secret = store.register_kiosk("clinic-7", NOW)
    create_user(store, "shenji", "auditor", PASSWORD, NOW)
    shutil.copy(demo_county, tmp_path / "county.db")
    county = open_store(tmp_path / "county.db")
    publish(store.engine, county, secret="s", source_name="county.db", now=NOW)
    number = pensioner(county)
    port = free_port()
    hub = subprocess.Popen(
        [KIOSK, "hub", "--db", primary_url, "--read-db", replica_url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MINGBAI_CONFIG": ""},
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", hub)
        deadline = time.monotonic() + 30
        while True:  # the standby has replayed the publication
            try:
                first = look_up(port, "clinic-7", secret, number)
                break
            except urllib.error.HTTPError as error:
                assert time.monotonic() < deadline, (
                    f"the replica never caught up: {error.code} {error.read()!r}"
                )
                time.sleep(0.5)
        with psycopg.connect(replica_url, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")
        with county.transaction() as tx:
            tx.execute("UPDATE persons SET name = '新' || substr(name, 2) WHERE id_number = ?", (number,))
        publish(store.engine, county, secret="s", source_name="county.db", now=NOW)
        assert look_up(port, "clinic-7", secret, number) == first, (
            "read from the paused replica: the old roster"
        )
        office, before = dashboard_total(port)
        store.receive_complaint("clinic-7", complaint_payload(1, kiosk="clinic-7"), dt.datetime.now(dt.UTC))
        assert dashboard_total(port, office)[1] == before, "the paused replica's figures: no new complaint"
        with psycopg.connect(replica_url, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")
        deadline = time.monotonic() + 30
        while look_up(port, "clinic-7", secret, number) == first:
            assert time.monotonic() < deadline, (
                "the replica's replay resumed but the hub still reads the old roster"
            )
            time.sleep(0.5)
        deadline = time.monotonic() + 30
        while dashboard_total(port, office)[1] == before:
            assert time.monotonic() < deadline, "replay resumed but the dashboard never counted the complaint"
            time.sleep(0.5)
        with psycopg.connect(primary_url) as conn:
            logged = conn.execute("SELECT COUNT(*) FROM lookup_log WHERE kiosk_id = 'clinic-7'").fetchone()[0]
        assert logged >= 3, "the lookup log is written on the primary"
    finally:
        hub.terminate()
        hub.wait(timeout=10)
        store.close()
