"""The serial SAM ID-card reader against the emulator on a pseudo-terminal (real pyserial, real tty)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from device.base import CardEventKind
from device.emulation.sam_emulator import SamEmulator
from device.sam import FIND, READ_TEXT_PHOTO, SELECT, IdCardText
from device.sam_reader import SamReader
from tests.helpers.events import Events

CARD = IdCardText(
    "欧阳娜娜",
    "2",
    "01",
    dt.date(1949, 12, 31),
    "贵州省示范县",
    "11010519491231002X",
    "示范县公安局",
    dt.date(2016, 5, 1),
    None,
)
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def emulator():
    emulated = SamEmulator()
    yield emulated
    emulated.close()


@pytest.fixture
def events():
    return Events()


@pytest.fixture
def reader(emulator, events):
    started = SamReader(events.hub, emulator.path, poll_interval=0.05, timeout=0.3, today=lambda: TODAY)
    started.start()
    events.next(CardEventKind.READER_BACK)
    yield started
    started.stop()


def test_find_select_read_then_removed(reader, emulator, events):
    emulator.card = CARD
    events.next(CardEventKind.INSERTED)
    identity = events.next(CardEventKind.READ, CardEventKind.UNREADABLE).identity
    assert (identity.id_number, identity.name, identity.source) == ("11010519491231002X", "欧阳娜娜", "sam")
    emulator.card = None
    events.next(CardEventKind.REMOVED)
    assert (0x30, 0x10) not in emulator.requests, "the fingerprint command is never sent"
    assert {FIND, SELECT, READ_TEXT_PHOTO} <= set(emulator.requests)


def test_no_card_means_no_events_and_the_same_card_is_read_once(reader, emulator, events):
    for _ in range(3):
        assert events.queue.empty() or events.queue.get_nowait().kind is not CardEventKind.INSERTED
    emulator.card = CARD
    events.next(CardEventKind.READ)
    reads_before = emulator.requests.count(READ_TEXT_PHOTO)
    time.sleep(0.5)  # ten polls with the card still on the reader
    assert emulator.requests.count(READ_TEXT_PHOTO) == reads_before


def test_expired_card(emulator, events):
    expired = IdCardText(
        CARD.name,
        CARD.gender_code,
        CARD.ethnicity_code,
        CARD.birth_on,
        CARD.address,
        CARD.id_number,
        CARD.authority,
        CARD.valid_from,
        dt.date(2026, 11, 21),
    )
    started = SamReader(events.hub, emulator.path, poll_interval=0.05, timeout=0.3, today=lambda: TODAY)
    started.start()
    try:
        emulator.card = expired
        assert events.next(CardEventKind.READ, CardEventKind.UNREADABLE).reason == "expired"
    finally:
        started.stop()


def test_read_failure_is_reported(reader, emulator, events):
    emulator.mode = "read_fails"
    emulator.card = CARD
    assert events.next(CardEventKind.READ, CardEventKind.UNREADABLE).reason == "read_failed"


def test_checksum_errors_are_reported_not_crashed_on(reader, emulator, events):
    emulator.mode = "checksum"
    emulator.card = CARD
    event = events.next(CardEventKind.READ, CardEventKind.UNREADABLE, CardEventKind.READER_UNAVAILABLE)
    assert event.kind is not CardEventKind.READ
    emulator.mode = "ok"
    emulator.card = None
    emulator.card = CARD
    assert events.next(CardEventKind.READ).identity.id_number == "11010519491231002X"


def test_timeout_makes_the_reader_unavailable_and_it_comes_back(reader, emulator, events):
    emulator.mode = "silent"
    assert "does not answer" in events.next(CardEventKind.READER_UNAVAILABLE).reason
    emulator.mode = "ok"
    events.next(CardEventKind.READER_BACK)
    emulator.card = CARD
    events.next(CardEventKind.READ)


def test_a_port_that_does_not_exist(events):
    started = SamReader(events.hub, "/dev/does-not-exist", poll_interval=0.05, timeout=0.3)
    started.start()
    try:
        assert "does-not-exist" in events.next(CardEventKind.READER_UNAVAILABLE).reason
    finally:
        started.stop()
