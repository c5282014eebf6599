"""The signed township snapshot: cut at the hub (SQLite and PostgreSQL), taken by a kiosk whole or not at all.

A county of two townships is published; 明白镇's snapshot carries its persons and ledger only. A kiosk takes it,
answers lookups exactly as the hub does, and shows the ledger's date on the summary and in its heartbeat. A
truncated file, one altered in a byte, one signed with another key, one for another township and one older
than the data held are each refused with the reason, and the kiosk's data stays byte for byte as it was —
its complaints and outbox are never touched. Over HTTP: tests/cli/test_snapshot_cli.py.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import shutil
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from device.idnumber import parse_id_number
from kiosk.backend import EmbeddedBackend, PersonNotFoundError
from kiosk.backend.wire import to_json
from kiosk.config import load_config
from kiosk.hub.publish import publish
from kiosk.hub.roster import RosterLookups
from kiosk.hub.snapshots import snapshot_key, township_snapshot
from kiosk.hub.store import HubStore
from kiosk.link.relay import heartbeat_payload
from kiosk.link.snapshot import SnapshotError, pack, public_key_text, unpack
from kiosk.rules import load_rulebook
from kiosk.services.complaints import file_complaint
from kiosk.services.snapshot import take_snapshot
from kiosk.store import SNAPSHOT_TABLES, open_store
from kiosk.web import create_app
from tests.helpers.facts import TODAY
from tests.helpers.kiosk_client import place_card
from tests.helpers.snapshot import LATE, OTHER, two_townships

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.fixture
def cut(hub_db, demo_county, tmp_path):  # type: ignore[no-untyped-def]
    county, moved = two_townships(demo_county, tmp_path)
    hub = HubStore(hub_db)
    publish(hub.engine, county, secret="county-secret", source_name="county.db", now=NOW)
    data = township_snapshot(hub, "明白镇", NOW)
    yield hub, county, moved, data
    hub.close()


def kiosk_config(tmp_path, hub):  # type: ignore[no-untyped-def]
    return load_config(
        {
            "db_path": tmp_path / "kiosk.db",
            "township": "明白镇",
            "hub_public_key": public_key_text(snapshot_key(hub)),
            "demo": True,
            "today": TODAY,
            "reader": "virtual",
        },
        environ={},
    )


def fingerprint(store) -> str:  # type: ignore[no-untyped-def]
    """A hash of every snapshot table's rows and of the kiosk's own complaints and outbox."""
    digest = hashlib.sha256()
    conn = store.connection()
    for table in (*SNAPSHOT_TABLES, "complaints", "outbox"):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_a_kiosk_takes_its_townships_snapshot_and_answers_as_the_hub_does(cut, tmp_path):
    hub, county, moved, data = cut
    config = kiosk_config(tmp_path, hub)
    kiosk = open_store(config.db_path)
    taken = take_snapshot(config, kiosk, data, source="test", now=NOW)

    in_township = (
        county.connection()
        .execute("SELECT COUNT(*) FROM persons WHERE village_code <> ?", (moved,))
        .fetchone()[0]
    )
    assert taken.counts["persons"] == in_township == kiosk.counts()["persons"]
    assert taken.manifest.township == "明白镇"
    assert kiosk.data_date() == LATE == taken.manifest.data_date
    assert json.loads(heartbeat_payload(kiosk))["data_date"] == LATE.isoformat()
    assert taken.rules_changed and kiosk.get_meta("policies_changed_at"), (
        "the county's policy file came along"
    )
    assert set(kiosk.policies()) == {"pension_basic"}
    again = take_snapshot(config, kiosk, data, source="test", now=NOW + dt.timedelta(days=1))
    assert not again.rules_changed and again.counts["persons"] == taken.counts["persons"]

    local = EmbeddedBackend(kiosk, load_rulebook(None, kiosk.policies()))
    remote = RosterLookups(hub.engine).backend()
    numbers = [row[0] for row in county.connection().execute("SELECT id_number, village_code FROM persons")]
    outside = {
        row[0]
        for row in county.connection().execute(
            "SELECT id_number FROM persons WHERE village_code = ?", (moved,)
        )
    }
    assert outside, "the moved village has persons"
    for number in numbers[::29]:
        id_number = parse_id_number(number)
        if number in outside:
            with pytest.raises(PersonNotFoundError):
                local.look_up(id_number, today=TODAY)
        else:
            assert to_json(local.look_up(id_number, today=TODAY)) == to_json(
                remote.look_up(id_number, today=TODAY)
            )


def test_the_summary_says_the_snapshots_ledger_date(cut, tmp_path, demo_county):
    hub, _, _, data = cut
    config = kiosk_config(tmp_path, hub)
    shutil.copy(demo_county, config.db_path)  # a kiosk with the demo's own (older) data and its cards
    take_snapshot(config, open_store(config.db_path), data, source="test", now=NOW)
    client = create_app(config).test_client()
    place_card(client, 3)
    page = client.get("/session/open", follow_redirects=True).get_data(as_text=True)
    assert f"数据更新至{LATE.year}年{LATE.month}月{LATE.day}日" in page


def refused(config, store, data, words: str) -> None:  # type: ignore[no-untyped-def]
    before = fingerprint(store)
    with pytest.raises(SnapshotError, match=words):
        take_snapshot(config, store, data, source="test", now=NOW)
    assert fingerprint(store) == before, "a refused snapshot changes nothing"


def test_bad_files_are_refused_and_the_old_data_kept(cut, tmp_path):
    hub, _, _, data = cut
    config = kiosk_config(tmp_path, hub)
    kiosk = open_store(config.db_path)
    take_snapshot(config, kiosk, data, source="first", now=NOW)
    file_complaint(  # the kiosk's own records, which no snapshot may touch
        store=kiosk,
        kiosk_id="k",
        key="p" * 64,
        masked_id="110105********002X",
        uuid=str(uuid.uuid4()),
        category="not_received",
        programme="pension",
        period="2026-02",
        phone="",
        evidence={"n": 1},
        now=NOW,
    )
    held = kiosk.counts()

    refused(config, kiosk, data[: len(data) // 2], "incomplete")
    refused(config, kiosk, data[:60], "cut short|incomplete")
    flipped = bytearray(data)
    flipped[-100] ^= 0xFF
    refused(config, kiosk, bytes(flipped), "damaged")
    manifest, payload = unpack(data, snapshot_key(hub).public_key())
    forged = pack({**manifest.to_json()}, payload, Ed25519PrivateKey.generate())
    refused(config, kiosk, forged, "signature")
    elsewhere = township_snapshot(hub, OTHER, NOW)
    refused(config, kiosk, elsewhere, "another township|for the township 清水镇")
    older = pack({**manifest.to_json(), "data_date": "2025-01-31"}, payload, snapshot_key(hub))
    refused(config, kiosk, older, "older")
    refused(config, kiosk, b"PK\x03\x04 a zip file", "not a Mingbai snapshot")
    no_store = pack(manifest.to_json(), b"\x1f\x8b not gzip", snapshot_key(hub))
    refused(config, kiosk, no_store, "not readable")
    junk = pack(manifest.to_json(), gzip.compress(b"SQLite format 3\x00" + b"\x00" * 4000), snapshot_key(hub))
    refused(config, kiosk, junk, "not a database|damaged|cannot be opened|lacks")
    assert kiosk.counts() == held
    assert kiosk.outbox_backlog() == 1


def test_a_kiosk_without_the_hubs_key_or_township_takes_nothing(cut, tmp_path):
    hub, _, _, data = cut
    store = open_store(tmp_path / "kiosk.db")
    for missing, words in (("hub_public_key", "hub_public_key"), ("township", "township")):
        settings = {"db_path": tmp_path / "kiosk.db", "township": "明白镇"}
        settings["hub_public_key"] = public_key_text(snapshot_key(hub))
        settings[missing] = ""
        with pytest.raises(SnapshotError, match=words):
            take_snapshot(load_config(settings, environ={}), store, data, source="t", now=NOW)
    assert store.counts()["persons"] == 0
