"""A card that slid during the read is tried once more before the villager is told; a corrupt one is not.

The PC/SC calls are replaced here (a slide cannot be staged through vpcd); the real watcher against pcscd
is tested in test_pcsc_pcscd.py.
"""

from __future__ import annotations

import pytest

from device import pcsc
from device.base import CardEventKind, CardIdentity
from device.errors import CardRemovedError, MalformedCardError
from tests.helpers.events import Events


class Script:
    """What the fake card does on each attempt: 'gone' (connect fails), an exception, or an identity."""

    def __init__(self, *steps: object) -> None:
        self.steps = list(steps)
        self.attempts = 0

    def connect(self, *_args: object) -> tuple[int, int, int]:
        self.attempts += 1
        if self.steps[0] == "gone":
            self.steps.pop(0)
            return pcsc.scard.SCARD_W_REMOVED_CARD, 0, 0
        return pcsc.scard.SCARD_S_SUCCESS, 1, 1

    def read(self, *_args: object) -> CardIdentity:
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return step  # type: ignore[return-value]


@pytest.fixture
def scripted(monkeypatch):  # type: ignore[no-untyped-def]
    def install(*steps: object) -> tuple[Script, Events]:
        script = Script(*steps)
        monkeypatch.setattr(pcsc.scard, "SCardConnect", script.connect)
        monkeypatch.setattr(pcsc.scard, "SCardDisconnect", lambda *_: 0)
        monkeypatch.setattr(pcsc, "read_card", script.read)
        monkeypatch.setattr(pcsc, "RETRY_PAUSE_SECONDS", 0.0)
        events = Events()
        watcher = pcsc.PcscWatcher(events.hub, timeout_ms=10)
        watcher._read(0, "Reader 0")
        return script, events

    return install


PERSON = CardIdentity(id_number="11010519491231002X", name="王秀英", source="ssse")


@pytest.mark.parametrize("slip", ["gone", CardRemovedError("moved")])
def test_a_card_that_moved_once_is_read_on_the_second_try(scripted, slip):
    script, events = scripted(slip, PERSON)
    assert events.next(CardEventKind.READ, CardEventKind.UNREADABLE, timeout=1).kind is CardEventKind.READ
    assert script.attempts == 2


def test_a_card_that_keeps_moving_asks_to_be_placed_again(scripted):
    script, events = scripted("gone", "gone")
    event = events.next(CardEventKind.READ, CardEventKind.UNREADABLE, timeout=1)
    assert (event.kind, event.reason, script.attempts) == (CardEventKind.UNREADABLE, "removed", 2)


def test_a_corrupt_card_is_not_tried_again(scripted):
    script, events = scripted(MalformedCardError("bad TLV"), PERSON)
    event = events.next(CardEventKind.READ, CardEventKind.UNREADABLE, timeout=1)
    assert (event.kind, event.reason, script.attempts) == (CardEventKind.UNREADABLE, "malformed", 1)
