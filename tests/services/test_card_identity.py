"""From what a card says to a person: ID number, bank account through the ledger, chip serial through a registry."""

from __future__ import annotations

import sqlite3

import pytest

from device.base import CardIdentity
from kiosk.backend import EmbeddedBackend
from kiosk.config import ConfigError, load_config
from kiosk.services.chip_registry import RegistryError, load_chip_registry
from kiosk.services.demo import ensure_demo
from kiosk.services.lookup import CardLookupError, look_up_card_holder
from kiosk.store import SCHEMA_VERSION, open_store
from kiosk.store.schema import MIGRATIONS
from tests.helpers.facts import TODAY


@pytest.fixture(scope="module")
def demo(tmp_path_factory, rulebook):
    store = open_store(tmp_path_factory.mktemp("ident") / "demo.db")
    ensure_demo(store, rulebook, today=TODAY)
    return store


@pytest.fixture
def backend(demo, rulebook):
    return EmbeddedBackend(demo, rulebook)


def first_card(demo):
    return demo.demo_cards()[0]


def test_bank_card_resolves_through_the_ledger_account(demo, backend):
    card = first_card(demo)
    account = demo.account_of(card.id_number)
    result = look_up_card_holder(
        backend=backend, identity=CardIdentity(account=account, source="pboc"), today=TODAY
    )
    assert result.holder.name == "王*明"


def test_unknown_bank_card(backend):
    with pytest.raises(CardLookupError) as caught:
        look_up_card_holder(
            backend=backend, identity=CardIdentity(account="6217000000000000000"), today=TODAY
        )
    assert caught.value.reason == "not_found" and "银行卡" in caught.value.message_zh


def test_a_bank_card_on_an_account_two_persons_share_asks_for_the_id_card(demo, backend):
    with demo.transaction() as tx:
        tx.execute(
            "INSERT OR IGNORE INTO accounts(account, person_id) VALUES ('SHARED-1', 1), ('SHARED-1', 2)"
        )
    assert demo.find_id_number_by_account("SHARED-1") is None and demo.account_holders("SHARED-1") == 2
    with pytest.raises(CardLookupError) as caught:
        look_up_card_holder(
            backend=backend, identity=CardIdentity(account="SHARED-1", source="pboc"), today=TODAY
        )
    assert caught.value.reason == "shared_account"
    assert caught.value.message_zh == "这张卡对应多人，请放身份证" and "身份证" in caught.value.advice_zh


def test_chip_serial_through_the_registry(demo, backend, tmp_path):
    card = first_card(demo)
    registry_file = tmp_path / "chips.csv"
    registry_file.write_text(f"chip_serial,id_number\n0123456789abcdef,{card.id_number}\n", encoding="utf-8")
    registry = load_chip_registry(registry_file)
    identity = CardIdentity(chip_serial="0123456789ABCDEF", source="idserial")
    assert look_up_card_holder(backend=backend, identity=identity, today=TODAY, chip_registry=registry)
    with pytest.raises(CardLookupError, match="not_found"):
        look_up_card_holder(
            backend=backend,
            identity=CardIdentity(chip_serial="FFFFFFFFFFFFFFFF"),
            today=TODAY,
            chip_registry=registry,
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0123,11010519491231002X\n", "not 16 hex digits"),
        ("0123456789ABCDEF\n", "expected chip_serial,id_number"),
        ("0123456789ABCDEF,110105194912310021\n", "校验位错误"),
    ],
)
def test_bad_registry_rows_are_named(tmp_path, text, message):
    path = tmp_path / "chips.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_chip_registry(path)


def test_a_card_with_no_key_at_all(backend):
    with pytest.raises(CardLookupError, match="invalid_id"):
        look_up_card_holder(backend=backend, identity=CardIdentity(source="ssse"), today=TODAY)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reader": "magic"}, "reader = 'magic'"),
        ({"card_profiles": "ssse,nfc"}, "card_profiles"),
        ({"card_profiles": ""}, "card_profiles"),
    ],
)
def test_reader_config_is_validated(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_config(overrides, environ={})


def test_list_settings_from_environment_and_file(tmp_path):
    config = load_config(
        environ={"MINGBAI_CARD_PROFILES": "pboc, ssse", "MINGBAI_PCSC_READERS": "ACS,Virtual"}
    )
    assert config.card_profiles == ("pboc", "ssse") and config.pcsc_readers == ("ACS", "Virtual")
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\ncard_profiles = ["idserial"]\nsam_port = "/dev/ttyUSB0"\n', encoding="utf-8")
    config = load_config(environ={}, config_file=path)
    assert config.card_profiles == ("idserial",) and config.sam_port == "/dev/ttyUSB0"


def test_schema_1_store_migrates_through_every_version(tmp_path):
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.executescript(MIGRATIONS[1] + "\nPRAGMA user_version = 1;")
    conn.execute("INSERT INTO demo_cards(position, id_number, label) VALUES (1, '11010519491231002X', 'x')")
    conn.commit()
    conn.close()
    store = open_store(tmp_path / "old.db")
    assert store.schema_version() == SCHEMA_VERSION
    assert store.demo_cards()[0].kind == "ssse"
    tables = {
        name for (name,) in store.connection().execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {"import_log", "policies", "complaints", "outbox"} <= tables
    columns = {row[1] for row in store.connection().execute("PRAGMA table_info(payments)")}
    assert {"import_id", "source_row"} <= columns
