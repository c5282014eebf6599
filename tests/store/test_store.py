import datetime as dt
import sqlite3

import pytest

from kiosk.store import SCHEMA_VERSION, StoreError, open_store


def seed(store, rulebook):
    with store.transaction() as tx:
        store.save_programmes(tx, rulebook)
        store.add_villages(tx, [("522799001", "石桥村", "明白镇")])
        store.add_persons(
            tx, [(1, "11010519491231002X", "王秀英", "F", "1949-12-31", "522799001", "H1", None)]
        )
        store.add_enrolments(tx, [(1, "farmland", None, "3.2", "2016-01-01", None)])
        store.add_payments(tx, [(1, "farmland", "2025", 33600, "2025-06-10", "6217990100000000123", "F-1")])


def test_schema_is_versioned_and_reopening_keeps_data(tmp_path, rulebook):
    store = open_store(tmp_path / "k.db")
    assert store.schema_version() == SCHEMA_VERSION
    seed(store, rulebook)
    store.close()
    again = open_store(tmp_path / "k.db")
    assert again.counts()["persons"] == 1
    assert again.connection().execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_newer_schema_is_refused(tmp_path):
    conn = sqlite3.connect(tmp_path / "new.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer than this program"):
        open_store(tmp_path / "new.db")


def test_find_person_and_load_facts_and_payments(store, rulebook):
    seed(store, rulebook)
    person = store.find_person("11010519491231002X")
    assert (
        person.name == "王秀英"
        and person.village_name == "石桥村"
        and person.birth_on == dt.date(1949, 12, 31)
    )
    facts = store.load_facts(person)
    assert facts.enrolment("farmland", dt.date(2025, 1, 1)).quantity == __import__("decimal").Decimal("3.2")
    [payment] = store.load_payments(person)
    assert (payment.period.code, payment.amount_fen, payment.paid_on) == ("2025", 33600, dt.date(2025, 6, 10))
    assert store.find_person("440524188001010014") is None


def test_a_failed_transaction_leaves_nothing(store, rulebook):
    seed(store, rulebook)
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as tx:
        store.add_payments(tx, [(1, "farmland", "2024", 100, "2024-06-01", "", "")])
        store.add_payments(tx, [(1, "no_such_programme", "2024", 100, "2024-06-01", "", "")])
    assert store.counts()["payments"] == 1


def test_constraints_reject_bad_rows(store, rulebook):
    seed(store, rulebook)
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as tx:
        store.add_enrolments(tx, [(1, "dibao", "A", None, "2025-05-01", "2025-04-01")])
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as tx:
        store.add_persons(tx, [(2, "11010519491231002X", "重复", "M", "1949-12-31", None, "", None)])


def test_audit_log_is_append_only(store):
    store.record_audit("staff:1", "lookup", "110105********002X", "ok")
    [(at, actor, action, subject, outcome)] = list(store.audit_entries())
    assert at.endswith("+00:00") and (actor, action, outcome) == ("staff:1", "lookup", "ok")
    for statement in ("UPDATE audit_log SET outcome = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.connection().execute(statement)
