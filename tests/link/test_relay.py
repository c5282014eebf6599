"""The relay against a real `kiosk hub` (waitress, loopback): hub down for the whole filing, then up."""

from __future__ import annotations

import datetime as dt
import math
import random
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kiosk.core.complaint import person_key
from kiosk.link.relay import Relay
from kiosk.services.complaints import file_complaint, withdraw_complaint
from kiosk.store import open_store
from tests.helpers.hub import HubProcess
from tests.helpers.net import free_port

KIOSK = str(Path(sys.executable).with_name("kiosk"))
NOW = dt.datetime.now(dt.UTC)


def file_some(store, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    filed = []
    for n in range(count):
        filed.append(
            file_complaint(
                store=store,
                kiosk_id="kiosk-1",
                key=person_key(f"p{n}", "k"),
                masked_id="110105********002X",
                uuid=str(uuid.uuid4()),
                category="not_received",
                programme="pension_basic",
                period="2025-03",
                phone="",
                evidence={"n": n},
                now=NOW,
            ).uuid
        )
    return filed


@pytest.fixture
def hub(hub_db):
    started = HubProcess(hub_db)
    yield started
    started.stop()


def test_hub_down_for_the_whole_filing_then_up_everything_arrives_once(hub, tmp_path):
    secret = hub.register("kiosk-1")
    kiosk = open_store(tmp_path / "kiosk.db")
    filed = file_some(kiosk, 25)
    withdraw_complaint(store=kiosk, uuid=filed[0], key=person_key("p0", "k"), now=NOW)
    relay = Relay(
        tmp_path / "kiosk.db",
        hub_url=hub.url,
        kiosk_id="kiosk-1",
        secret=secret,
        timeout=2,
        rng=random.Random(1),
    )
    assert relay.deliver_due(NOW) == 0  # hub down: nothing delivered, every message rescheduled
    waiting = (
        kiosk.connection()
        .execute(
            "SELECT attempts, next_attempt_at, last_error FROM outbox "
            "WHERE delivered_at IS NULL AND kind = 'submit'"
        )
        .fetchall()
    )
    assert len(waiting) == 25 and all(a == 1 and "Connection refused" in e for a, _, e in waiting)
    assert all(next_at > NOW.isoformat(timespec="seconds") for _, next_at, _ in waiting)  # backed off
    withdrawal = kiosk.connection().execute("SELECT attempts FROM outbox WHERE kind = 'withdraw'").fetchone()
    assert withdrawal == (0,) and kiosk.outbox_backlog() == 26  # it waits behind its complaint
    hub.start()
    later = NOW + dt.timedelta(minutes=10)
    assert relay.deliver_due(later) == 25  # every complaint (the withdrawal waits for its complaint)
    assert relay.deliver_due(later) == 1  # then the withdrawal
    assert relay.deliver_due(later) == 0 and kiosk.outbox_backlog() == 0
    hub.stop()
    from kiosk.hub.store import HubStore

    store = HubStore(hub.db)
    try:
        assert store.count_complaints() == 25
        assert store.complaint("kiosk-1", filed[0])["withdrawn_at"] is not None
    finally:
        store.close()
    relay.store.close()


def test_a_restarted_relay_resends_and_the_hub_keeps_one_copy(hub, tmp_path):
    secret = hub.register("kiosk-1")
    hub.start()
    kiosk = open_store(tmp_path / "kiosk.db")
    filed = file_some(kiosk, 5)
    first = Relay(tmp_path / "kiosk.db", hub_url=hub.url, kiosk_id="kiosk-1", secret=secret)
    assert first.deliver_due() == 5
    # the kiosk lost its acknowledgements (say, restored from yesterday's backup): everything goes again
    kiosk.connection().execute("UPDATE outbox SET delivered_at = NULL")
    second = Relay(tmp_path / "kiosk.db", hub_url=hub.url, kiosk_id="kiosk-1", secret=secret)
    assert second.deliver_due() == 5
    from kiosk.hub.store import HubStore

    store = HubStore(hub.db)
    try:
        assert store.count_complaints() == len(filed)
    finally:
        store.close()


def test_a_revoked_kiosk_is_refused_and_its_complaints_wait(hub, tmp_path):
    secret = hub.register("kiosk-1")
    subprocess.run(
        [KIOSK, "hub", "--db", str(hub.db), "--revoke", "kiosk-1"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    hub.start()
    kiosk = open_store(tmp_path / "kiosk.db")
    file_some(kiosk, 1)
    relay = Relay(tmp_path / "kiosk.db", hub_url=hub.url, kiosk_id="kiosk-1", secret=secret, max_delay=600)
    assert relay.deliver_due(NOW) == 0
    attempts, next_at, error = (
        kiosk.connection().execute("SELECT attempts, next_attempt_at, last_error FROM outbox").fetchone()
    )
    assert "HTTP 403" in error and "revoked" in error and kiosk.outbox_backlog() == 1
    assert next_at == (NOW + dt.timedelta(seconds=600)).isoformat(timespec="seconds")


def test_backoff_doubles_with_jitter_up_to_the_cap(tmp_path):
    kiosk = open_store(tmp_path / "kiosk.db")
    file_some(kiosk, 1)
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    relay = Relay(
        tmp_path / "kiosk.db",
        hub_url=dead,
        kiosk_id="kiosk-1",
        secret="s",
        base_delay=1.0,
        max_delay=60.0,
        timeout=1,
        rng=random.Random(5),
    )
    now = NOW
    delays = []
    for _ in range(9):
        relay.deliver_due(now)
        next_at = dt.datetime.fromisoformat(
            kiosk.connection().execute("SELECT next_attempt_at FROM outbox").fetchone()[0]
        )
        delays.append((next_at - now).total_seconds())
        now = next_at
    for attempt, delay in enumerate(delays):
        nominal = min(60.0, 2.0**attempt)
        assert max(1, math.ceil(nominal * 0.5)) - 1 <= delay <= math.ceil(nominal * 1.5), (attempt, delay)
    assert len(set(delays[-3:])) > 1, "jitter spreads kiosks that failed together"
    assert kiosk.connection().execute("SELECT attempts FROM outbox").fetchone()[0] == 9


def test_through_a_faulty_proxy_the_hub_ends_with_exactly_the_acknowledged_set(hub, tmp_path):
    from kiosk.hub.store import HubStore
    from tests.helpers.fault_proxy import FaultProxy

    secret = hub.register("kiosk-1")
    hub.start()
    proxy = FaultProxy(hub.port, seed=11)
    kiosk = open_store(tmp_path / "kiosk.db")
    filed = set(file_some(kiosk, 40))  # each one acknowledged to its villager by the kiosk
    relay = Relay(
        tmp_path / "kiosk.db",
        hub_url=f"http://127.0.0.1:{proxy.port}",
        kiosk_id="kiosk-1",
        secret=secret,
        timeout=2,
        max_delay=30,
        rng=random.Random(3),
    )
    now = NOW
    try:
        for _ in range(200):
            relay.deliver_due(now)
            if kiosk.outbox_backlog() == 0:
                break
            now += dt.timedelta(seconds=31)
    finally:
        proxy.close()
    assert kiosk.outbox_backlog() == 0
    assert {"drop", "duplicate", "cut", "delay", "ok"} <= set(proxy.counts), proxy.counts
    store = HubStore(hub.db)
    try:
        import sqlalchemy as sa

        from kiosk.hub.db import complaints

        with store.engine.connect() as conn:
            received = [row[0] for row in conn.execute(sa.select(complaints.c.uuid))]
    finally:
        store.close()
    assert sorted(received) == sorted(filed), "exactly the acknowledged set, each once"


def test_heartbeat_reaches_the_hub_with_the_backlog_and_export_from_the_command_line(hub, tmp_path):
    import openpyxl

    from kiosk.hub.store import HubStore

    secret = hub.register("kiosk-1")
    hub.start()
    kiosk = open_store(tmp_path / "kiosk.db")
    file_some(kiosk, 2)
    relay = Relay(tmp_path / "kiosk.db", hub_url=hub.url, kiosk_id="kiosk-1", secret=secret)
    assert relay.send_heartbeat()
    relay.deliver_due()
    out = tmp_path / "complaints.xlsx"
    run = subprocess.run(
        [KIOSK, "complaints", "export", "--db", hub.db, "--format", "xlsx", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "2 complaints" in run.stdout
    assert len(list(openpyxl.load_workbook(out).active.iter_rows())) == 3
    store = HubStore(hub.db)
    try:
        beat = store.last_heartbeat("kiosk-1")
        assert beat is not None and '"outbox_backlog": 2' in beat["status"]
    finally:
        store.close()
    relay.store.close()
