"""The hub behind PgBouncer in transaction mode: consecutive transactions of one client may run on
different server connections, and two clients' on the same one, so the hub may keep no session state
(no prepared statements, no SET outside a transaction). A real pgbouncer with one server connection in
front of the suite's PostgreSQL; a real `kiosk hub` publishing, registering and answering lookups through it."""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from kiosk.link import paths
from kiosk.link.client import HubClient
from kiosk.store import open_store
from tests.helpers.hub import KIOSK, HubProcess
from tests.helpers.pgbouncer import PgBouncer


@pytest.fixture
def pgbouncer(postgres):  # type: ignore[no-untyped-def]
    bouncer = PgBouncer(postgres)
    yield bouncer
    bouncer.stop()


def test_pgbouncer_shares_one_server_connection_between_clients_so_session_state_breaks(postgres, pgbouncer):
    """The control: what the hub avoids does fail here (a client's prepared statement meets another's)."""
    url = pgbouncer.behind(postgres.new_database())
    with (
        psycopg.connect(url, prepare_threshold=0) as first,
        psycopg.connect(url, prepare_threshold=0) as second,
    ):
        first.execute("SELECT 1").fetchone()
        first.commit()
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement):
            second.execute(
                "SELECT 1"
            ).fetchone()  # the same name, prepared on the one shared server connection


def test_the_hub_publishes_and_answers_lookups_through_pgbouncer(postgres, pgbouncer, demo_county):
    db = pgbouncer.behind(postgres.new_database())
    hub = HubProcess(db)
    secret = hub.register("clinic-7")
    published = subprocess.run(
        [KIOSK, "hub", "--db", db, "--publish", str(demo_county)], capture_output=True, text=True, timeout=300
    )
    assert published.returncode == 0, published.stderr
    people = [row[1] for row in open_store(demo_county).table_rows("persons")][:24]
    hub.start()
    try:
        client = HubClient(hub.url, kiosk_id="clinic-7", secret=secret, timeout=30)

        def look_up(n: int) -> tuple[int, dict]:
            status, body = client.post_json(paths.full(paths.LOOKUP), {"id_number": people[n % len(people)]})
            return status, json.loads(body)

        with ThreadPoolExecutor(6) as pool:  # every statement well past psycopg's prepare threshold
            answers = list(pool.map(look_up, range(48)))  # within the day limit (60 without card reads)
        assert {status for status, _ in answers} <= {200, 404}, [
            a for a in answers if a[0] not in (200, 404)
        ][:3]
        found = [body for status, body in answers if status == 200]
        assert len(found) >= 24 and all(body["holder"]["masked_id"].count("*") == 8 for body in found)
        first = {json.dumps(body, sort_keys=True) for status, body in answers[: len(people)] if status == 200}
        again = {
            json.dumps(body, sort_keys=True)
            for status, body in answers[len(people) : 2 * len(people)]
            if status == 200
        }
        assert first == again  # the same people, the same answers, whichever server connection ran them
        health = client.request("GET", "/healthz")
        assert health[0] == 200
    finally:
        hub.stop()
