"""A kiosk with no county data runs against the hub: same pages, computed at the hub from its roster."""

from __future__ import annotations

import contextlib
import re
import subprocess

import pytest

from kiosk.config import load_config
from kiosk.store import open_store
from kiosk.web import create_app
from tests.helpers.facts import TODAY
from tests.helpers.kiosk_client import place_card
from tests.helpers.kiosk_process import KIOSK
from tests.helpers.net import free_port, wait_for_http


@contextlib.contextmanager
def serving(county_store, tmp_path):  # type: ignore[no-untyped-def]
    """`kiosk hub` on a free port with `county_store` published and kiosk clinic-7 registered: (url, secret)."""
    db = str(tmp_path / "hub.db")
    secret = subprocess.run(
        [KIOSK, "hub", "--db", db, "--register", "clinic-7"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    port = free_port()
    published = subprocess.run(
        [KIOSK, "hub", "--db", db, "--publish", str(county_store)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert published.returncode == 0, published.stderr
    process = subprocess.Popen(
        [KIOSK, "hub", "--db", db, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/healthz", process)
        yield url, secret
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def hub_with_roster(demo_county, tmp_path):
    with serving(demo_county, tmp_path) as served:
        yield served


def kiosk_without_data(tmp_path, demo_county, **config):  # type: ignore[no-untyped-def]
    local = open_store(tmp_path / "kiosk.db")
    cards = open_store(demo_county).demo_cards()
    with local.transaction() as tx:
        local.set_demo_cards(tx, [(c.position, c.id_number, c.label, c.kind) for c in cards])
    assert local.counts()["persons"] == 0
    local.close()
    return create_app(
        load_config(
            {
                "db_path": tmp_path / "kiosk.db",
                "demo": True,
                "today": TODAY,
                "reader": "virtual",
                "kiosk_id": "clinic-7",
                **config,
            },
            environ={},
        )
    )


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_the_same_pages_from_the_hub_as_from_the_embedded_store(hub_with_roster, demo_county, tmp_path):
    url, secret = hub_with_roster
    remote = kiosk_without_data(
        tmp_path, demo_county, backend="remote", hub_url=url, hub_secret=secret
    ).test_client()
    embedded = create_app(
        load_config({"db_path": demo_county, "demo": True, "today": TODAY, "reader": "virtual"}, environ={})
    ).test_client()
    for position, programme in ((2, "pension_basic"), (5, "farmland"), (8, "dibao")):
        pages = []
        for client in (remote, embedded):
            place_card(client, position)
            client.get("/session/open")
            pages.append(
                main_of(client.get("/me?year=2025").get_data(as_text=True))
                + main_of(client.get(f"/me/programme/{programme}?year=2025").get_data(as_text=True))
            )
            client.post("/demo/take", headers={"X-Kiosk-Demo": "1"})
        strip = re.compile(r'href="/me/complaint/new[^"]*"')
        assert strip.sub("", pages[0]) == strip.sub("", pages[1])
        assert "应发" in pages[0]


def test_hub_down_is_a_clear_screen(demo_county, tmp_path):
    app = kiosk_without_data(
        tmp_path, demo_county, backend="remote", hub_url=f"http://127.0.0.1:{free_port()}", hub_secret="s"
    )
    client = app.test_client()
    state = place_card(client, 1)
    assert state["state"] == "error" and state["message"] == "暂时查不到信息"


def test_unknown_person_through_the_hub(hub_with_roster, demo_county, tmp_path):
    url, secret = hub_with_roster
    client = kiosk_without_data(
        tmp_path, demo_county, backend="remote", hub_url=url, hub_secret=secret
    ).test_client()
    assert place_card(client, 12)["state"] == "ready"  # the hub knows nobody: the villager may report it
    client.get("/session/open")
    assert "系统里没有查到您的补贴记录" in client.get("/me").get_data(as_text=True)


def test_a_bank_card_resolves_through_the_hub(hub_with_roster, demo_county):
    from kiosk.backend.remote import RemoteBackend

    url, secret = hub_with_roster
    roster = open_store(demo_county)
    holder = roster.demo_cards()[0].id_number
    from kiosk.backend import PersonNotFoundError
    from kiosk.config import DEMO_PERSON_KEY
    from kiosk.core.complaint import person_key

    backend = RemoteBackend(hub_url=url, kiosk_id="clinic-7", secret=secret)
    found = backend.look_up_account(roster.account_of(holder), today=TODAY)
    assert found.id_number == "" and found.person_key == person_key(
        holder, DEMO_PERSON_KEY
    )  # never the number
    assert found.holder.masked_id.endswith(holder[-4:]) and found.reconciliation.lines
    with pytest.raises(PersonNotFoundError):
        backend.look_up_account("6217000000000000000", today=TODAY)


def test_a_shared_accounts_bank_card_through_the_hub_asks_for_the_id_card(demo_county, tmp_path):
    import shutil

    from device.base import CardIdentity
    from kiosk.backend.remote import RemoteBackend
    from kiosk.services.lookup import CardLookupError, look_up_card_holder

    shared = tmp_path / "shared.db"
    shutil.copy(demo_county, shared)
    store = open_store(shared)
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO accounts(account, person_id) VALUES ('6217009900000001', 1), ('6217009900000001', 2)"
        )
    store.close()
    with serving(shared, tmp_path) as (url, secret):
        backend = RemoteBackend(hub_url=url, kiosk_id="clinic-7", secret=secret)
        with pytest.raises(CardLookupError) as caught:
            look_up_card_holder(
                backend=backend, identity=CardIdentity(account="6217009900000001", source="pboc"), today=TODAY
            )
    assert caught.value.reason == "shared_account"
    assert caught.value.message_zh == "这张卡对应多人，请放身份证"


def test_the_disclosure_lists_from_the_hub_are_the_embedded_ones(hub_with_roster, demo_county, tmp_path):
    """A kiosk with no county data shows its villages' 村务公开 as the hub computes them, the same page."""
    url, secret = hub_with_roster
    remote = kiosk_without_data(
        tmp_path, demo_county, backend="remote", hub_url=url, hub_secret=secret, villages=("522799001",)
    ).test_client()
    embedded = create_app(
        load_config({"db_path": demo_county, "demo": True, "today": TODAY, "reader": "virtual"}, environ={})
    ).test_client()
    for path in ("/disclosure", "/disclosure/dibao", "/disclosure/tekun"):
        here, there = (main_of(c.get(path).get_data(as_text=True)) for c in (embedded, remote))
        assert there == here, path
    assert "蒋春梅" in main_of(remote.get("/disclosure/dibao").get_data(as_text=True))


def test_the_disclosure_with_the_hub_down_is_a_clear_screen(demo_county, tmp_path):
    client = kiosk_without_data(
        tmp_path,
        demo_county,
        backend="remote",
        hub_url=f"http://127.0.0.1:{free_port()}",
        hub_secret="s",
        villages=("522799001",),
    ).test_client()
    page = client.get("/disclosure/dibao")
    assert page.status_code == 200 and "公示信息暂时打不开" in page.get_data(as_text=True)


def test_a_remote_kiosk_says_the_date_of_the_hubs_ledger(hub_with_roster, demo_county, tmp_path):
    url, secret = hub_with_roster
    remote = kiosk_without_data(tmp_path, demo_county, backend="remote", hub_url=url, hub_secret=secret)
    client = remote.test_client()
    place_card(client, 3)
    page = client.get("/session/open", follow_redirects=True).get_data(as_text=True)
    latest = open_store(demo_county).get_meta("ledger_date")
    year, month, day = (int(part) for part in latest.split("-"))
    assert f"数据更新至{year}年{month}月{day}日" in page
