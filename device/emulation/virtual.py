"""An in-process virtual card reader, for demos where pcscd is not there and for tests.

A placed card is an emulated applet read through the same card profiles as a real
one, and the reader publishes the same CardEvents, so everything above it runs the
production path; only pcscd is skipped. (With pcscd, `device.emulation.vcard.VpcdCard` is used.)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from device.base import CardEvent, CardEventKind, EventHub
from device.emulation.vcard import Applet, AppletConnection
from device.errors import CardError
from device.profiles import DEFAULT_ORDER, read_card


class VirtualReader:
    """A reader with at most one card; `place` and `take` stand for a hand."""

    name = "Virtual reader"

    def __init__(self, events: EventHub, profiles: Sequence[str] = DEFAULT_ORDER) -> None:
        self.events = events
        self.profiles = tuple(profiles)
        self._card: Applet | None = None
        self._lock = threading.Lock()

    @property
    def card_present(self) -> bool:
        return self._card is not None

    def place(self, applet: Applet) -> None:
        """Put a card on the reader: publish inserted, then read or unreadable."""
        with self._lock:
            if self._card is not None:
                self._take_locked()
            self._card = applet
            self.events.publish(CardEvent(CardEventKind.INSERTED, reader=self.name))
            try:
                identity = read_card(AppletConnection(applet), self.profiles)
            except CardError as error:
                self.events.publish(
                    CardEvent(CardEventKind.UNREADABLE, reason=error.reason, reader=self.name)
                )
            else:
                self.events.publish(CardEvent(CardEventKind.READ, identity=identity, reader=self.name))

    def take(self) -> None:
        """Take the card away, if there is one."""
        with self._lock:
            self._take_locked()

    def _take_locked(self) -> None:
        if self._card is not None:
            self._card = None
            self.events.publish(CardEvent(CardEventKind.REMOVED, reader=self.name))
