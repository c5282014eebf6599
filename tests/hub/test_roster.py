"""The roster published into the hub's database (SQLite and PostgreSQL) answers exactly as the store it came from."""

from __future__ import annotations

import datetime as dt

import pytest

from device.idnumber import check_character, parse_id_number
from kiosk.backend import EmbeddedBackend, PersonNotFoundError
from kiosk.backend.wire import to_json
from kiosk.core.complaint import person_key
from kiosk.hub.db import persons
from kiosk.hub.publish import publish
from kiosk.hub.roster import Roster, RosterLookups
from kiosk.hub.store import HubStore
from kiosk.rules import load_rulebook
from kiosk.store import open_store
from tests.helpers.facts import TODAY

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
STRANGER = "11010119900307457" + check_character("11010119900307457")
WANG = "11010119500305123" + check_character("11010119500305123")


@pytest.fixture
def published(hub_db, demo_county):
    hub = HubStore(hub_db)
    source = open_store(demo_county)
    done = publish(hub.engine, source, secret="county-secret", source_name="demo.db", now=NOW)
    yield hub, source, done
    hub.close()


def test_every_table_arrives_whole(published):
    hub, source, done = published
    counts = source.counts()
    assert done.counts["persons"] == counts["persons"] > 1000
    assert done.counts["payments"] == counts["payments"] > 10_000
    assert done.counts["enrolments"] == counts["enrolments"]
    assert Roster(hub.engine).publication()["persons"] == counts["persons"]


def test_every_person_reconciles_identically_from_hub_and_store(published, rulebook):
    hub, source, _ = published
    embedded = EmbeddedBackend(source, load_rulebook(None, source.policies()))
    lookups = RosterLookups(hub.engine)
    numbers = [row[0] for row in source.connection().execute("SELECT id_number FROM persons ORDER BY id")]
    for number in numbers[::7]:  # ~300 persons of every kind, each compared field by field
        id_number = parse_id_number(number)
        assert to_json(lookups.backend().look_up(id_number, today=TODAY)) == to_json(
            embedded.look_up(id_number, today=TODAY)
        )
    with pytest.raises(PersonNotFoundError):
        lookups.backend().look_up(parse_id_number(STRANGER), today=TODAY)


def test_persons_carry_the_complaints_keyed_hash(published):
    hub, source, _ = published
    number = next(source.connection().execute("SELECT id_number FROM persons LIMIT 1"))[0]
    with hub.engine.connect() as conn:
        stored = conn.execute(persons.select().where(persons.c.id_number == number)).mappings().one()
    assert stored["person_key"] == person_key(number, "county-secret")


def test_accounts_resolve_as_in_the_store(published):
    hub, source, _ = published
    for account, _ in list(source.connection().execute("SELECT account, person_id FROM accounts LIMIT 50")):
        assert Roster(hub.engine).find_id_number_by_account(account) == source.find_id_number_by_account(
            account
        )


def test_republishing_replaces_the_roster_and_the_rules(published, tmp_path):
    hub, source, _ = published
    lookups = RosterLookups(hub.engine, recheck_seconds=0)
    first = lookups.backend()
    smaller = open_store(tmp_path / "small.db")
    with smaller.transaction() as tx:
        smaller.save_programmes(tx, load_rulebook())
        smaller.add_persons(tx, [(1, WANG, "王秀英", "F", "1950-03-05", None, "", None)])
    done = publish(hub.engine, smaller, secret="s", source_name="small.db", now=NOW)
    assert done.counts["persons"] == 1 and done.counts["payments"] == 0
    assert lookups.backend() is not first
    assert Roster(hub.engine).load_person(WANG)[0].name == "王秀英"


def test_a_hub_with_nothing_published_has_no_backend(hub_db):
    hub = HubStore(hub_db)
    assert RosterLookups(hub.engine).backend() is None
    hub.close()


def test_publishing_keeps_the_supervision_checks_counts_for_the_dashboard(hub_db, demo_county):
    from kiosk.hub.roster import findings_by_check
    from kiosk.services.checks import run_checks

    hub = HubStore(hub_db)
    source = open_store(demo_county)
    findings = run_checks(source, load_rulebook(None, source.policies()), today=TODAY)
    publish(hub.engine, source, secret="s", source_name="demo.db", now=NOW, findings=findings)
    counted = dict(findings_by_check(hub.engine))
    assert sum(counted.values()) == len(findings) > 0
    assert counted["paid_after_death"] == sum(1 for f in findings if f.check == "paid_after_death") > 0
    hub.close()


def test_a_household_chae_county_reconciles_identically_from_hub_and_store(hub_db, tmp_path):
    """Households, heads and verified incomes are published too: the hub's 低保 差额, paid to the head,
    is the kiosk's, line for line."""
    from pathlib import Path

    from kiosk.imports.loader import import_file, import_policy

    chae = Path(__file__).resolve().parents[2] / "docs" / "examples" / "chae"
    source = open_store(tmp_path / "chae.db")
    assert import_policy(source, chae / "dibao.toml", rulebook=load_rulebook()).committed
    rulebook = load_rulebook(None, source.policies())
    for name in ("villages.csv", "persons.csv", "households.csv", "enrolments.csv", "payments.csv"):
        assert import_file(source, chae / name, rulebook=rulebook, today=TODAY).committed
    hub = HubStore(hub_db)
    done = publish(hub.engine, source, secret="s", source_name="chae.db", now=NOW)
    assert (done.counts["households"], done.counts["household_incomes"]) == (2, 3)
    embedded = EmbeddedBackend(source, rulebook)
    remote = RosterLookups(hub.engine).backend()
    for number in ("522799195804120013", "522799195009030027", "522799196207150059"):
        here = to_json(embedded.look_up(parse_id_number(number), today=TODAY))
        assert to_json(remote.look_up(parse_id_number(number), today=TODAY)) == here
        assert any(line["owed_fen"] or line["to_head"] for g in here["programmes"] for line in g["lines"])
    hub.close()
    source.close()
