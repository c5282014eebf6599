"""The demo county: deterministic, large enough, and showing every anomaly the product reveals."""

import hashlib

import pytest

from device.idnumber import IdNumberError, parse_id_number
from kiosk.backend import EmbeddedBackend
from kiosk.rules.reconcile import Status
from kiosk.services.demo import ensure_demo
from kiosk.store import open_store
from tests.helpers.facts import TODAY


@pytest.fixture(scope="module")
def demo(tmp_path_factory, rulebook):
    store = open_store(tmp_path_factory.mktemp("demo") / "demo.db")
    assert ensure_demo(store, rulebook, today=TODAY)
    return store


def dump(store):
    conn = store.connection()
    digest = hashlib.sha256()
    for table in ("persons", "enrolments", "payments", "demo_cards", "accounts"):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_same_seed_same_county(demo, tmp_path, rulebook):
    other = open_store(tmp_path / "again.db")
    ensure_demo(other, rulebook, today=TODAY)
    assert dump(other) == dump(demo)
    assert not ensure_demo(demo, rulebook, today=TODAY), "an existing county is not rebuilt"


def test_size_and_valid_ids(demo):
    counts = demo.counts()
    assert counts["persons"] >= 2000 and counts["payments"] > 20000
    for (number,) in demo.connection().execute("SELECT id_number FROM persons"):
        parse_id_number(number)
    households = demo.connection().execute("SELECT count(DISTINCT household) FROM persons").fetchone()[0]
    assert 400 < households < 1000


def statuses(demo, rulebook, position):
    card = {c.position: c for c in demo.demo_cards()}[position]
    backend = EmbeddedBackend(demo, rulebook)
    result = backend.look_up(parse_id_number(card.id_number), today=TODAY).reconciliation
    return {(line.programme, line.status) for line in result.lines}, result


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (2, {("pension_basic", Status.PAID_AFTER_DEATH), ("elderly_allowance", Status.PAID_AFTER_DEATH)}),
        (3, {("dibao", Status.SHORT)}),
        (4, {("pension_basic", Status.MISSING)}),
        (5, {("farmland", Status.OVERPAID), ("forest", Status.PAID_LATE)}),
        (7, {("dibao", Status.PAID_WITHOUT_ENTITLEMENT)}),
        (10, {("dibao", Status.NOT_YET_DUE)}),
    ],
)
def test_featured_cards_show_their_anomaly(demo, rulebook, position, expected):
    found, _ = statuses(demo, rulebook, position)
    assert expected <= found


@pytest.mark.parametrize("position", [1, 8, 9])
def test_normal_cards_have_no_problem(demo, rulebook, position):
    found, result = statuses(demo, rulebook, position)
    assert found and all(not status.is_problem for _, status in found)
    assert result.lines


def test_eligible_but_not_enrolled_is_a_hint(demo, rulebook):
    _, result = statuses(demo, rulebook, 6)
    assert [h.programme for h in result.hints] == ["elderly_allowance"]


def test_bad_and_unknown_cards(demo):
    cards = {c.position: c for c in demo.demo_cards()}
    with pytest.raises(IdNumberError):
        parse_id_number(cards[11].id_number)
    assert demo.find_person(parse_id_number(cards[12].id_number).value) is None


def test_random_anomalies_exist_across_the_county(demo, rulebook):
    backend = EmbeddedBackend(demo, rulebook)
    seen = set()
    for (number,) in demo.connection().execute(
        "SELECT id_number FROM persons ORDER BY id LIMIT 1500 OFFSET 20"
    ):
        result = backend.look_up(parse_id_number(number), today=TODAY).reconciliation
        seen |= {line.status for line in result.lines}
    assert {Status.PAID_IN_FULL, Status.SHORT, Status.MISSING, Status.PAID_LATE, Status.OVERPAID} <= seen
