"""An in-process virtual card reader for the demo and tests: a card is placed or taken away by a call.

It publishes the same CardEvents a hardware reader does, so everything above it
runs the production path. (A vpcd-speaking card emulator for real PC/SC comes
with the PC/SC reader.)
"""

from __future__ import annotations

import threading

from device.base import CardEvent, CardEventKind, CardIdentity, EventHub


class VirtualReader:
    """A reader with at most one card; `place` and `take` stand for a hand."""

    name = "Virtual reader"

    def __init__(self, events: EventHub) -> None:
        self.events = events
        self._card: CardIdentity | None = None
        self._lock = threading.Lock()

    @property
    def card_present(self) -> bool:
        return self._card is not None

    def place(self, identity: CardIdentity) -> None:
        """Put a card on the reader: publish inserted, then read (or unreadable for a blank card)."""
        with self._lock:
            if self._card is not None:
                self._take_locked()
            self._card = identity
            self.events.publish(CardEvent(CardEventKind.INSERTED, reader=self.name))
            if identity.id_number:
                self.events.publish(CardEvent(CardEventKind.READ, identity=identity, reader=self.name))
            else:
                self.events.publish(CardEvent(CardEventKind.UNREADABLE, reason="blank", reader=self.name))

    def take(self) -> None:
        """Take the card away, if there is one."""
        with self._lock:
            self._take_locked()

    def _take_locked(self) -> None:
        if self._card is not None:
            self._card = None
            self.events.publish(CardEvent(CardEventKind.REMOVED, reader=self.name))
