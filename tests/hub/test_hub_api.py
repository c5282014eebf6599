"""The hub's kiosk API: idempotent intake, and every refusal with its status."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from kiosk.config import HubConfig
from kiosk.hub.app import create_hub_app
from kiosk.hub.context import parts
from kiosk.link.signing import sign

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def hub(hub_db):
    app = create_hub_app(
        HubConfig(db_url=hub_db, escalate_every=0, kiosk_cache_seconds=0)
    )  # revocations: at once
    secret = parts(app).store.register_kiosk("kiosk-1", NOW)
    yield app, app.test_client(), secret
    parts(app).store.close()


def complaint(**changes):  # type: ignore[no-untyped-def]
    body = {
        "uuid": "6f1c2a3e-1111-4222-8333-944455556666",
        "tracking_no": "222222222",
        "kiosk_id": "kiosk-1",
        "person_key": "ab" * 16,
        "masked_id": "110105********002X",
        "programme": "pension_basic",
        "period": "2025-03",
        "category": "not_received",
        "phone": "",
        "evidence": {"owed_fen": 12300},
        "created_at": NOW.isoformat(),
    }
    body.update(changes)
    return json.dumps(body, sort_keys=True).encode()


def send(client, secret, body, *, path="/api/v1/complaints", kiosk="kiosk-1", **sign_args):  # type: ignore[no-untyped-def]
    headers = sign(kiosk_id=kiosk, secret=secret, method="POST", path=path, body=body, **sign_args)
    return client.post(path, data=body, headers={**headers, "Content-Type": "application/json"})


def test_intake_is_idempotent_on_the_kiosk_uuid(hub):
    app, client, secret = hub
    first = send(client, secret, complaint())
    assert first.status_code == 201 and first.json["replay"] is False
    again = send(client, secret, complaint())
    assert again.status_code == 200 and again.json["replay"] is True
    assert again.json["received_at"] == first.json["received_at"]
    assert parts(app).store.count_complaints() == 1


def test_same_uuid_different_payload_is_refused(hub):
    _, client, secret = hub
    send(client, secret, complaint())
    assert send(client, secret, complaint(category="wrong_amount")).status_code == 422


def test_replayed_nonce_wrong_signature_stale_unknown_and_revoked(hub):
    app, client, secret = hub
    assert send(client, secret, complaint(), nonce="n-1").status_code == 201
    replay = send(client, secret, complaint(), nonce="n-1")
    assert replay.status_code == 401 and "replay" in replay.json["error"]
    assert send(client, "not-the-secret", complaint()).status_code == 401
    assert send(client, secret, complaint(), now=time.time() - 3600).status_code == 401
    assert send(client, secret, complaint(), kiosk="kiosk-9").status_code == 401
    tampered = sign(
        kiosk_id="kiosk-1", secret=secret, method="POST", path="/api/v1/complaints", body=complaint()
    )
    assert (
        client.post("/api/v1/complaints", data=complaint(phone="13800138000"), headers=tampered).status_code
        == 401
    )
    assert client.post("/api/v1/complaints", data=complaint()).status_code == 401
    parts(app).store.revoke_kiosk("kiosk-1", NOW)
    assert send(client, secret, complaint(uuid="6f1c2a3e-1111-4222-8333-944455550000")).status_code == 403


def test_a_kiosk_sends_only_its_own_complaints_and_well_formed_ones(hub):
    _, client, secret = hub
    assert send(client, secret, complaint(kiosk_id="kiosk-2")).status_code == 403
    assert send(client, secret, b'{"uuid": "x"}').status_code == 400


def test_status_withdrawal_and_heartbeat(hub):
    _, client, secret = hub
    send(client, secret, complaint())
    uuid = "6f1c2a3e-1111-4222-8333-944455556666"
    assert send(client, secret, b"{}", path=f"/api/v1/complaints/{uuid}/withdrawal").status_code == 200
    headers = sign(
        kiosk_id="kiosk-1", secret=secret, method="GET", path=f"/api/v1/complaints/{uuid}", body=b""
    )
    status = client.get(f"/api/v1/complaints/{uuid}", headers=headers)
    assert status.status_code == 200 and status.json["status"] == "withdrawn"
    assert send(client, secret, b'{"outbox_backlog": 0}', path="/api/v1/heartbeat").status_code == 200


def test_the_openapi_document_is_valid(hub):
    _, client, _ = hub
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    assert {
        "/api/v1/complaints",
        "/api/v1/complaints/{uuid}",
        "/api/v1/heartbeat",
        "/api/v1/lookup",
        "/api/v1/resolve",
    } <= set(document["paths"])


def test_a_revocation_reaches_a_running_hub_within_the_credential_cache_time(hub):
    import time

    app, client, secret = hub
    parts(app).config = dataclasses.replace(parts(app).config, kiosk_cache_seconds=0.5)
    beat = b'{"outbox_backlog": 0}'
    assert send(client, secret, beat, path="/api/v1/heartbeat").status_code == 200
    parts(app).store.revoke_kiosk("kiosk-1", NOW)
    assert send(client, secret, beat, path="/api/v1/heartbeat").status_code == 200  # still remembered
    time.sleep(0.6)
    assert send(client, secret, beat, path="/api/v1/heartbeat").status_code == 403


def test_nonces_too_old_to_replay_are_forgotten(hub):
    import datetime as dt

    app, client, secret = hub
    store = parts(app).store
    assert store.use_nonce("kiosk-1", "old", NOW - dt.timedelta(minutes=20))
    assert store.use_nonce("kiosk-1", "fresh", NOW - dt.timedelta(minutes=1))
    assert store.forget_nonces(NOW) == 1
    assert not store.use_nonce("kiosk-1", "fresh", NOW)  # still remembered: a replay
    assert store.use_nonce("kiosk-1", "old", NOW)


def test_lookups_survive_a_postgresql_restart(postgres, demo_county):
    """No ping before each use: the first request after a restart meets a dead connection and retries."""

    from kiosk.hub.publish import publish
    from kiosk.store import open_store

    app = create_hub_app(HubConfig(db_url=postgres.new_database(), escalate_every=0))
    store = parts(app).store
    secret = store.register_kiosk("kiosk-1", NOW)
    publish(store.engine, open_store(demo_county), secret="s", source_name="demo", now=NOW)
    client = app.test_client()
    number = next(open_store(demo_county).connection().execute("SELECT id_number FROM persons LIMIT 1"))[0]
    body = (f'{{"id_number": "{number}", "today": "2026-11-22"}}').encode()
    assert send(client, secret, body, path="/api/v1/lookup").status_code == 200
    postgres.restart()
    for _ in range(3):
        assert send(client, secret, body, path="/api/v1/lookup").status_code == 200
    store.close()


def test_a_hub_with_no_roster_published_says_so(hub):
    _, client, secret = hub
    number = "11010519491231002X"
    response = send(client, secret, (f'{{"id_number": "{number}"}}').encode(), path="/api/v1/lookup")
    assert response.status_code == 503 and response.json["error"] == "this hub holds no roster"
    resolve = send(client, secret, b'{"account": "6217990000000000001"}', path="/api/v1/resolve")
    assert resolve.status_code == 503


@pytest.mark.parametrize(
    ("changes", "place"),
    [
        ({"uuid": "6f1c2a3e-1111-4222-8333-" + "9" * 5000}, "uuid"),
        ({"category": "angry"}, "category"),
        ({"evidence": {"owed_fen": "abc"}}, "evidence.owed_fen"),
        ({"evidence": {"owed_fen": 1.5}}, "evidence.owed_fen"),
        ({"phone": ["13800138000"]}, "phone"),
        ({"person_key": "11010519491231002X"}, "person_key"),  # an ID number where the hash belongs
        ({"tracking_no": "222222223"}, "tracking_no"),  # wrong check symbol
        ({"created_at": 5}, "created_at"),
        ({"extra": "x"}, "body"),
    ],
)
def test_malformed_complaints_get_a_422_naming_the_place(hub, changes, place):
    app, client, secret = hub
    answer = send(client, secret, complaint(**changes))
    assert answer.status_code == 422 and answer.json["error"].startswith(place), answer.json
    assert parts(app).store.count_complaints() == 0


def test_a_heartbeat_of_the_wrong_shape_is_422_not_500(hub):
    _, client, secret = hub
    for body in (b'{"card_reads_today": "many"}', b"[1, 2]", b'{"outbox_backlog": -1}'):
        assert send(client, secret, body, path="/api/v1/heartbeat").status_code == 422


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    changes=st.dictionaries(st.sampled_from(list(json.loads(complaint()))) | st.text(max_size=8), json_values)
)
def test_any_complaint_payload_gets_an_answer_never_a_server_error(intake, changes):
    client, secret = intake
    body = {**json.loads(complaint()), **changes}
    answer = send(client, secret, json.dumps(body).encode())
    assert answer.status_code in (200, 201) or 400 <= answer.status_code < 500, answer.status_code


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    app = create_hub_app(
        HubConfig(db_url=str(tmp_path_factory.mktemp("intake") / "hub.db"), escalate_every=0)
    )
    secret = parts(app).store.register_kiosk("kiosk-1", NOW)
    yield app.test_client(), secret
    parts(app).store.close()


def test_kiosk_secrets_are_sealed_with_a_key_outside_the_database(hub_db, tmp_path):
    from kiosk.hub.db import kiosks
    from kiosk.hub.sealing import SealingError
    from kiosk.hub.store import HubStore

    key = tmp_path / "keys" / "hub.key"
    store = HubStore(hub_db, key_file=key)
    secret = store.register_kiosk("kiosk-9", NOW)
    with store.engine.connect() as conn:
        stored = (
            conn.execute(kiosks.select().where(kiosks.c.kiosk_id == "kiosk-9")).mappings().one()["secret"]
        )
    assert secret not in stored and stored.startswith("sealed:v1:")
    assert store.kiosk("kiosk-9")["secret"] == secret
    assert key.stat().st_mode & 0o777 == 0o600
    store.close()
    other = HubStore(hub_db, key_file=tmp_path / "another.key")  # the database without its key
    with pytest.raises(SealingError, match="does not open"):
        other.kiosk("kiosk-9")
    other.close()
