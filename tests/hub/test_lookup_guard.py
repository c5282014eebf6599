"""A kiosk's credential cannot enumerate the roster: lookups are audited and limited by the card reads the
kiosk reports, the fleet page flags the kiosk, and a bank card resolves to a token, never an ID number.

The red-team guessed 3,000 ID numbers in 5.5 s with one kiosk's credential, found 3 people and their
benefit histories, and nothing was audited; /resolve turned a bank account into a full ID number.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kiosk.config import HubConfig
from kiosk.hub import lookup_guard
from kiosk.hub.app import create_hub_app
from kiosk.hub.context import parts
from kiosk.hub.db import lookup_log
from kiosk.hub.publish import publish
from kiosk.link.signing import sign
from kiosk.store import open_store
from tests.helpers.hub import Clock

NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing


@pytest.fixture
def hub(hub_db, demo_county):
    app = create_hub_app(HubConfig(db_url=hub_db, escalate_every=0))
    hub = parts(app)
    hub.clock = Clock(NOW)
    secret = hub.store.register_kiosk("clinic-7", NOW)
    publish(hub.store.engine, open_store(demo_county), secret="county", source_name="demo", now=NOW)
    yield app, app.test_client(), secret
    hub.store.close()


def post(client, secret: str, path: str, body: dict):  # type: ignore[no-untyped-def]
    data = json.dumps(body).encode()
    headers = sign(kiosk_id="clinic-7", secret=secret, method="POST", path=path, body=data)
    return client.post(path, data=data, headers={**headers, "Content-Type": "application/json"})


def guesses(count: int) -> list[str]:
    """Well-formed ID numbers (valid check character) of nobody in the demo county."""
    from device.idnumber import check_character

    numbers = []
    for n in range(count):
        body = f"52270119{60 + n % 30:02d}0101{n % 1000:03d}"
        numbers.append(body + check_character(body))
    return numbers


def test_guessing_id_numbers_is_stopped_and_shown_to_the_supervisors(hub, demo_county):
    app, client, secret = hub
    answers = [post(client, secret, "/api/v1/lookup", {"id_number": n}).status_code for n in guesses(100)]
    assert answers.count(404) == lookup_guard.DAY_MARGIN  # a kiosk that reported no card reads: 60 a day
    assert set(answers[lookup_guard.DAY_MARGIN :]) == {429}
    store = parts(app).store
    with store.engine.connect() as conn:
        outcomes = [
            row.outcome
            for row in conn.execute(lookup_log.select().where(lookup_log.c.kiosk_id == "clinic-7"))
        ]
    assert outcomes.count("not_found") == 60 and outcomes.count("refused") == 40  # every one audited
    assert ("clinic-7", "lookup_limit") in {(e["actor"], e["action"]) for e in store.audit_entries()}
    seen = lookup_guard.fleet_usage(store, NOW)["clinic-7"]
    assert seen.suspicious and seen.refused_today == 40


def test_the_fleet_page_flags_the_kiosk(office):
    from tests.helpers.hub import csrf_of  # noqa: F401 - the office fixture signs in

    lookup_guard.account(office.store, "kiosk-1", "id_number", 1, office.clock.now)
    for _ in range(25):
        lookup_guard.account(office.store, "kiosk-1", "id_number", None, office.clock.now)
    page = office.sign_in("jiwei").get("/office/fleet").get_data(as_text=True)
    assert "可能有人用终端凭证批量查询" in page and "kiosk-1：查询 26，查无此人 25" in page


def test_a_busy_kiosk_is_not_held_back_by_its_own_card_reads(hub, demo_county):
    app, client, secret = hub
    beat = post(client, secret, "/api/v1/heartbeat", {"card_reads_today": 100, "outbox_backlog": 0})
    assert beat.status_code == 200
    holder = open_store(demo_county).demo_cards()[0].id_number
    answers = [post(client, secret, "/api/v1/lookup", {"id_number": holder}).status_code for _ in range(200)]
    assert set(answers) == {200}  # 200 < 2 × 100 reads + the margin
    assert not lookup_guard.fleet_usage(parts(app).store, NOW)["clinic-7"].suspicious


def test_an_hour_holds_no_more_lookups_than_a_person_can_make(hub, demo_county):
    app, client, secret = hub
    post(
        client, secret, "/api/v1/heartbeat", {"card_reads_today": 100000, "outbox_backlog": 0}
    )  # a lying kiosk
    holder = open_store(demo_county).demo_cards()[0].id_number
    answers = [post(client, secret, "/api/v1/lookup", {"id_number": holder}).status_code for _ in range(250)]
    assert answers.count(200) == lookup_guard.PER_HOUR and answers[-1] == 429


def test_a_bank_card_resolves_to_a_token_that_only_this_kiosk_can_use_for_a_while(hub, demo_county):
    app, client, secret = hub
    source = open_store(demo_county)
    holder = source.demo_cards()[0].id_number
    resolved = post(client, secret, "/api/v1/resolve", {"account": source.account_of(holder)})
    assert resolved.status_code == 200 and holder not in resolved.get_data(as_text=True)
    token = resolved.json["token"]
    picture = post(client, secret, "/api/v1/lookup", {"token": token, "today": "2026-11-22"})
    assert picture.status_code == 200 and holder not in picture.get_data(as_text=True)
    from kiosk.core.complaint import person_key

    assert picture.json["person_key"] == person_key(holder, "county")
    other = parts(app).store.register_kiosk("clinic-8", NOW)
    data = json.dumps({"token": token}).encode()
    headers = sign(kiosk_id="clinic-8", secret=other, method="POST", path="/api/v1/lookup", body=data)
    headers["Content-Type"] = "application/json"
    assert client.post("/api/v1/lookup", data=data, headers=headers).status_code == 404  # not clinic-8's
    parts(app).clock.advance(minutes=11)
    assert post(client, secret, "/api/v1/lookup", {"token": token}).status_code == 404  # expired
