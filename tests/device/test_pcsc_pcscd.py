"""The PC/SC worker against a real pcscd with vsmartcard's vpcd driver and emulated cards.

Reader "Virtual PCD 00 01" (port 35964), so the e2e kiosks keep "00 00" to themselves.
"""

from __future__ import annotations

import threading
import time

import pytest

from device.base import CardEvent, CardEventKind
from device.emulation.vcard import (
    SWAP_GAP_SECONDS,
    ChipSerialApplet,
    CorruptPbocApplet,
    LockedSsseApplet,
    PbocApplet,
    SsseApplet,
    UnknownApplet,
    VpcdCard,
)
from device.pcsc import PcscWatcher, list_readers
from tests.helpers.events import Events

PORT = 35964
READER = "Virtual PCD 00 01"
ID = "11010519491231002X"


@pytest.fixture
def events():
    return Events()


def wait_until_empty(reader: str = READER, timeout: float = 10.0) -> None:
    """Wait until PC/SC itself sees no card in `reader` (vpcd notices a removal by polling)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dict(list_readers()[0]).get(reader) == "empty":
            return
        time.sleep(0.05)
    raise AssertionError(f"{reader} still not empty: {list_readers()}")


@pytest.fixture
def watcher(pcscd, events):
    wait_until_empty()
    started = PcscWatcher(events.hub, reader_filter=(READER,), timeout_ms=200)
    started.start()
    events.next(CardEventKind.READER_BACK)
    yield started
    started.stop()


@pytest.fixture
def card():
    cards = []

    def make(applet, **kwargs):
        made = VpcdCard(applet, port=PORT, **kwargs)
        cards.append(made)
        return made

    yield make
    for made in cards:
        made.remove()


def test_the_virtual_readers_are_listed_with_their_state(pcscd, card):
    wait_until_empty()
    placed = card(SsseApplet(ID, "王"))
    placed.insert()
    deadline = time.monotonic() + 10
    while dict(list_readers()[0]).get(READER) != "card present" and time.monotonic() < deadline:
        time.sleep(0.05)
    readers, status = list_readers()
    assert status == "ok" and dict(readers)[READER] == "card present"
    assert dict(readers)["Virtual PCD 00 00"] in ("empty", "card present")


@pytest.mark.parametrize(
    ("applet", "expected"),
    [
        (SsseApplet(ID, "王秀英", "A12345678"), {"id_number": ID, "name": "王秀英", "source": "ssse"}),
        (
            PbocApplet("6217990100000000123", holder_id=ID),
            {"id_number": ID, "account": "6217990100000000123"},
        ),
        (
            PbocApplet("6217990100000000123"),
            {"id_number": "", "account": "6217990100000000123", "source": "pboc"},
        ),
        (ChipSerialApplet("0123456789ABCDEF"), {"chip_serial": "0123456789ABCDEF", "source": "idserial"}),
    ],
)
def test_insert_read_remove(watcher, events, card, applet, expected):
    placed = card(applet)
    placed.insert()
    assert events.next(CardEventKind.INSERTED).reader == READER
    identity = events.next(CardEventKind.READ, CardEventKind.UNREADABLE).identity
    assert identity is not None and {k: getattr(identity, k) for k in expected} == expected
    placed.remove()
    events.next(CardEventKind.REMOVED)


@pytest.mark.parametrize(
    ("applet", "reason"),
    [
        (UnknownApplet(), "unknown_card"),
        (CorruptPbocApplet("6217990100000000123"), "malformed"),
        (LockedSsseApplet(ID, "王"), "apdu"),
    ],
)
def test_bad_cards_are_reported_and_the_watcher_goes_on(watcher, events, card, applet, reason):
    placed = card(applet)
    placed.insert()
    assert events.next(CardEventKind.READ, CardEventKind.UNREADABLE).reason == reason
    placed.remove()
    events.next(CardEventKind.REMOVED)
    good = card(SsseApplet(ID, "王"))
    good.insert()
    assert events.next(CardEventKind.READ, CardEventKind.UNREADABLE).identity.id_number == ID


def test_card_pulled_mid_read(watcher, events, card):
    placed = card(SsseApplet(ID, "王"), remove_after=3)
    placed.insert()
    assert events.next(CardEventKind.READ, CardEventKind.UNREADABLE).reason == "removed"
    events.next(CardEventKind.REMOVED)


def test_two_cards_at_once(pcscd, events, card):
    wait_until_empty()
    wait_until_empty("Virtual PCD 00 00")
    both = PcscWatcher(events.hub, reader_filter=("Virtual PCD",), timeout_ms=200)
    both.start()
    try:
        events.next(CardEventKind.READER_BACK)
        first = card(SsseApplet(ID, "王"))
        first.insert()
        events.next(CardEventKind.READ)
        second = VpcdCard(SsseApplet("440524188001010014", "李"), port=35963)
        second.insert()
        try:
            assert events.next(CardEventKind.READ, CardEventKind.UNREADABLE).reason == "two_cards"
            first.remove()
            alone = events.next(CardEventKind.READ, CardEventKind.UNREADABLE, CardEventKind.REMOVED)
            assert alone.kind is CardEventKind.READ and alone.identity.id_number == "440524188001010014"
        finally:
            second.remove()
        events.next(CardEventKind.REMOVED)
    finally:
        both.stop()


def test_pcscd_restart_while_running(watcher, events, card, pcscd):
    pcscd.restart()
    events.next(CardEventKind.READER_UNAVAILABLE)
    events.next(CardEventKind.READER_BACK, timeout=15)
    placed = card(SsseApplet(ID, "王"))
    placed.insert()
    assert events.next(CardEventKind.READ, CardEventKind.UNREADABLE).identity.id_number == ID


def test_watcher_started_before_pcscd(pcscd, events, card):
    wait_until_empty()
    pcscd.stop()
    early = PcscWatcher(events.hub, reader_filter=(READER,), timeout_ms=200)
    early.start()
    try:
        assert "no PC/SC service" in events.next(CardEventKind.READER_UNAVAILABLE).reason
        pcscd.start()
        events.next(CardEventKind.READER_BACK, timeout=15)
        placed = card(SsseApplet(ID, "王"))
        placed.insert()
        assert events.next(CardEventKind.READ, CardEventKind.UNREADABLE).identity.id_number == ID
    finally:
        early.stop()


def test_a_card_swapped_while_the_watcher_is_busy_is_read(watcher, events, card):
    """A removal and an insertion both behind the watcher's back: pcsc-lite's event count tells."""
    busy = threading.Event()

    def hold_up_the_watcher(event: CardEvent) -> None:  # a slow listener runs on the reader thread
        if event.kind is CardEventKind.READ and not busy.is_set():
            busy.set()
            time.sleep(3.0)  # long enough for pcscd to see both the removal and the insertion

    events.hub.subscribe(hold_up_the_watcher)
    first = card(SsseApplet(ID, "王"))
    first.insert()
    assert events.next(CardEventKind.READ).identity.id_number == ID
    assert busy.wait(5)
    first.remove()
    time.sleep(SWAP_GAP_SECONDS)
    second = card(SsseApplet("440524188001010014", "李"))
    second.insert()
    events.next(CardEventKind.REMOVED)
    assert (
        events.next(CardEventKind.READ, CardEventKind.UNREADABLE).identity.id_number == "440524188001010014"
    )
