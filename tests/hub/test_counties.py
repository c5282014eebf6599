"""One hub, several counties (SQLite and PostgreSQL): each county's publication replaces its own roster, rules
and ledger and leaves the others' rows identical (hashed); an increment appends exactly its new payments; a
publication that fails part-way changes nothing; a lookup during a publication answers from the old roster
or the new one, never a mixture; each person is reconciled under their own county's rules; and on
PostgreSQL one person's ledger read touches their county's partition only (EXPLAIN)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import threading

import pytest
import sqlalchemy as sa

from device.idnumber import parse_id_number
from kiosk.backend.wire import to_json
from kiosk.hub import publish as publishing
from kiosk.hub import regions
from kiosk.hub.accounts import User
from kiosk.hub.db import (
    accounts,
    complaints,
    enrolments,
    household_incomes,
    households,
    payments,
    persons,
    policies,
    publications,
    villages,
)
from kiosk.hub.db import regions as regions_table
from kiosk.hub.publish import PublishError, publish
from kiosk.hub.roster import Roster, RosterLookups
from kiosk.hub.store import HubStore
from kiosk.store import open_store
from tests.helpers.counties import SECOND, moved_id, pensioner, second_county
from tests.helpers.facts import TODAY

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
FIRST = "522799"
ROSTER = (villages, persons, accounts, households, household_incomes, enrolments, payments, policies)


def county_hash(engine: sa.Engine, county: str) -> str:
    """Every roster row of `county`, in a fixed order, hashed."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in ROSTER:
            rows = conn.execute(
                sa.select(table).where(table.c.county == county).order_by(*table.columns)
            ).all()
            digest.update(f"{table.name}:{len(rows)}".encode())
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def count(engine: sa.Engine, table: sa.Table, county: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c.county == county)
        ).scalar()


@pytest.fixture
def prefecture(hub_db, demo_county, tmp_path):  # type: ignore[no-untyped-def]
    hub = HubStore(hub_db)
    shutil.copy(demo_county, tmp_path / "first.db")
    first = open_store(tmp_path / "first.db")
    second = second_county(demo_county, tmp_path)
    assert publish(hub.engine, first, secret="s", source_name="first.db", now=NOW).county == FIRST
    assert publish(hub.engine, second, secret="s", source_name="second.db", now=NOW).county == SECOND
    yield hub, first, second
    hub.close()


def test_each_county_is_answered_under_its_own_rules(prefecture):
    hub, first, second = prefecture
    backend = RosterLookups(hub.engine).backend()
    number = pensioner(first)
    june = dt.date(2025, 6, 1)

    def owed(id_number: str) -> int:
        result = backend.look_up(parse_id_number(id_number), today=TODAY)
        return next(
            line.owed_fen
            for line in result.reconciliation.lines
            if line.programme == "pension_basic" and line.period.start_on == june
        )

    assert owed(number) == 12800
    assert owed(moved_id(number)) == 13800, "the second county's own policy file"
    assert (
        count(hub.engine, persons, FIRST) == count(hub.engine, persons, SECOND) == first.counts()["persons"]
    )


def test_each_countys_lookup_says_how_current_its_own_ledger_is(prefecture):
    hub, first, second = prefecture
    number = pensioner(first)
    with hub.engine.begin() as conn:  # the second county's ledger is a month older than the first's
        conn.execute(
            sa.update(publications)
            .where(publications.c.county == SECOND)
            .values(data_date=dt.date(2026, 10, 1))
        )
        conn.execute(
            sa.update(publications)
            .where(publications.c.county == FIRST)
            .values(data_date=dt.date(2026, 11, 1))
        )
    backend = RosterLookups(hub.engine).backend()
    assert backend.look_up(parse_id_number(number), today=TODAY).data_date == dt.date(2026, 11, 1)
    assert backend.look_up(parse_id_number(moved_id(number)), today=TODAY).data_date == dt.date(2026, 10, 1)


def test_a_countys_publication_leaves_the_others_rows_as_they_were(prefecture, tmp_path):
    hub, first, second = prefecture
    untouched = county_hash(hub.engine, FIRST)
    before = county_hash(hub.engine, SECOND)
    with second.transaction() as tx:  # the second county's new data: a payment fewer, a name corrected
        tx.execute("DELETE FROM payments WHERE id = (SELECT MIN(id) FROM payments)")
        tx.execute("UPDATE persons SET name = name || '改' WHERE id = 1")
    publish(hub.engine, second, secret="s", source_name="second.db", now=NOW)
    assert county_hash(hub.engine, SECOND) != before
    assert county_hash(hub.engine, FIRST) == untouched
    assert count(hub.engine, payments, SECOND) == second.counts()["payments"]


def test_an_increment_appends_exactly_its_payments(prefecture):
    hub, first, second = prefecture
    untouched = county_hash(hub.engine, SECOND)
    held = count(hub.engine, payments, FIRST)
    latest = first.data_date()
    with first.transaction() as tx:  # next month's payments, for three pensioners
        tx.execute(
            "INSERT INTO payments(person_id, programme, period, amount_fen, paid_on, account, batch) "
            "SELECT person_id, programme, ?, amount_fen, ?, account, 'next' FROM payments "
            "WHERE programme = 'pension_basic' AND paid_on = ? LIMIT 3",
            ("2099-01", (latest + dt.timedelta(days=20)).isoformat(), latest.isoformat()),
        )
        first.note_ledger_date(tx)
    done = publish(hub.engine, first, secret="s", source_name="first+1.db", now=NOW, increment=True)
    assert done.counts["payments"] == 3
    assert count(hub.engine, payments, FIRST) == held + 3 == first.counts()["payments"]
    assert county_hash(hub.engine, SECOND) == untouched
    again = publish(hub.engine, first, secret="s", source_name="first+1.db", now=NOW, increment=True)
    assert again.counts["payments"] == 0, "an increment already taken adds nothing"


def test_a_publication_that_fails_part_way_changes_nothing(prefecture, monkeypatch):
    hub, first, _ = prefecture
    before = {county: county_hash(hub.engine, county) for county in (FIRST, SECOND)}
    original = publishing._source_rows

    def failing(source, table, *args, **kwargs):  # type: ignore[no-untyped-def]
        for n, row in enumerate(original(source, table, *args, **kwargs)):
            if table is payments and n == 5000:
                raise OSError("the county's disk went away")
            yield row

    monkeypatch.setattr(publishing, "_source_rows", failing)
    with pytest.raises(OSError, match="disk"):
        publish(hub.engine, first, secret="s", source_name="first.db", now=NOW)
    assert {county: county_hash(hub.engine, county) for county in (FIRST, SECOND)} == before


def test_a_store_of_two_counties_or_an_increment_without_a_publication_is_refused(
    hub_db, demo_county, tmp_path
):
    hub = HubStore(hub_db)
    mixed = second_county(demo_county, tmp_path)
    with mixed.transaction() as tx:
        tx.execute("INSERT INTO villages(code, name, township) VALUES ('522799999', '外县村', '外县镇')")
    with pytest.raises(PublishError, match="2 counties"):
        publish(hub.engine, mixed, secret="s", source_name="mixed.db", now=NOW)
    with pytest.raises(PublishError, match="no full publication"):
        publish(hub.engine, open_store(demo_county), secret="s", source_name="d", now=NOW, increment=True)
    hub.close()


def test_lookups_during_a_publication_see_the_old_roster_or_the_new(prefecture):
    hub, first, _ = prefecture
    number = pensioner(first)
    backend = RosterLookups(hub.engine, recheck_seconds=0).backend()

    def answer() -> str:
        return json.dumps(to_json(backend.look_up(parse_id_number(number), today=TODAY)), sort_keys=True)

    old = answer()
    with first.transaction() as tx:  # the new roster changes the person and their ledger together
        (pid,) = tx.execute("SELECT id FROM persons WHERE id_number = ?", (number,)).fetchone()
        tx.execute("UPDATE persons SET name = '新名字' WHERE id = ?", (pid,))
        tx.execute("DELETE FROM payments WHERE person_id = ?", (pid,))
    seen: set[str] = set()
    stop = threading.Event()

    def keep_looking() -> None:
        while not stop.is_set():
            seen.add(answer())

    looker = threading.Thread(target=keep_looking)
    looker.start()
    try:
        for _ in range(2):
            publish(hub.engine, first, secret="s", source_name="first.db", now=NOW)
    finally:
        stop.set()
        looker.join()
    new = answer()
    assert old != new
    assert seen <= {old, new}, "never a mixture of the two rosters"


def test_one_persons_ledger_read_touches_one_partition(postgres, demo_county, tmp_path):
    hub = HubStore(postgres.new_database())
    first = open_store(demo_county)
    publish(hub.engine, first, secret="s", source_name="first.db", now=NOW)
    publish(hub.engine, second_county(demo_county, tmp_path), secret="s", source_name="second.db", now=NOW)
    with hub.engine.connect() as conn:
        person = Roster._person(conn, pensioner(first))
        compiled = Roster.payments_query(person.id).compile(conn, compile_kwargs={"literal_binds": True})
        plan = json.dumps(conn.execute(sa.text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar())
    assert f"payments_{FIRST}" in plan
    assert f"payments_{SECOND}" not in plan and "payments_default" not in plan
    hub.close()


def test_a_complaint_belongs_to_its_persons_county_and_the_inbox_filters_by_it(prefecture):
    hub, first, _ = prefecture
    from kiosk.core.complaint import person_key
    from kiosk.hub.cases import InboxQuery, filters
    from kiosk.hub.db import complaints
    from tests.helpers.hub import complaint_payload

    hub.register_kiosk("kiosk-1", NOW)
    number = pensioner(first)
    for n, who in enumerate((number, moved_id(number), moved_id(number))):
        hub.receive_complaint("kiosk-1", complaint_payload(n, person_key=person_key(who, "s")), NOW)

    everyone = User("reader", "auditor", None)

    def listed(county: str) -> list[str]:
        clauses = filters(InboxQuery(county=county), everyone, NOW)
        with hub.engine.connect() as conn:
            return list(conn.execute(sa.select(complaints.c.county).where(*clauses)).scalars())

    assert listed(SECOND) == [SECOND, SECOND] and listed(FIRST) == [FIRST]
    publish(hub.engine, first, secret="s", source_name="first.db", now=NOW)  # republished: still linked
    with hub.engine.connect() as conn:
        linked = conn.execute(
            sa.select(complaints.c.county, complaints.c.person_id).where(complaints.c.county == FIRST)
        ).all()
    assert len(linked) == 1 and linked[0][1] // 10**9 == int(FIRST)


def test_publishing_places_each_county_in_its_prefecture_and_its_complaints_in_the_county(prefecture):
    """The demo villages' codes are the county's and three digits, not official 12-digit village codes:
    their rows stay at the county (a township rollup calls them 乡镇未明); test_regions covers real codes."""
    from kiosk.core.complaint import person_key
    from kiosk.hub.cases import InboxQuery, inbox
    from tests.helpers.hub import complaint_payload

    hub, first, second = prefecture
    with hub.engine.connect() as conn:
        placed = dict(conn.execute(sa.select(regions_table.c.code, regions_table.c.parent)).all())
    assert placed == {"52": "", "5227": "52", FIRST: "5227", SECOND: "5227"}
    assert regions.name_of(hub.engine, SECOND) == "都匀市"
    hub.register_kiosk("kiosk-1", NOW, region=FIRST)
    number = pensioner(second)
    hub.receive_complaint("kiosk-1", complaint_payload(1, person_key=person_key(number, "s")), NOW)
    with hub.engine.connect() as conn:
        region, county = conn.execute(sa.select(complaints.c.region, complaints.c.county)).one()
    assert (region, county) == (SECOND, SECOND)  # the person's county, not the kiosk's
    for scope, count in ((SECOND, 1), ("5227", 1), ("52", 1), (FIRST, 0), ("5223", 0), (SECOND + "001", 0)):
        assert inbox(hub, InboxQuery(), User("reader", "auditor", None, scope), NOW)[1] == count, scope


def test_the_inbox_offers_an_account_only_its_own_regions_villages(prefecture):
    from kiosk.hub.roster import village_choices

    hub, first, second = prefecture
    everyone = village_choices(hub.engine)
    mine = village_choices(hub.engine, FIRST)
    assert mine and len(everyone) == 2 * len(mine)
    assert all(code.startswith(FIRST) for code, _ in mine)
    assert sorted(village_choices(hub.engine, "5227")) == sorted(everyone)
    assert village_choices(hub.engine, "5223") == []
