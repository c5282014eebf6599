"""The card-reader abstraction: identities read from cards and the events readers publish.

Readers push CardEvents to subscribers; the application never talks to hardware
directly. Parsers and readers live beside this module; nothing here imports `kiosk`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from device.idnumber import mask_account, mask_id_number


class CardEventKind(StrEnum):
    INSERTED = "inserted"  # a card is on the reader; reading starts
    READ = "read"  # the card was read: `identity` is set
    UNREADABLE = "unreadable"  # the card could not be read: `reason` is set
    REMOVED = "removed"  # the card left the reader
    READER_UNAVAILABLE = "reader_unavailable"
    READER_BACK = "reader_back"


@dataclass(frozen=True, slots=True)
class CardIdentity:
    """What a card says about its holder, as read and not yet validated.

    At least one key is set: the ID number (SSSE, SAM, some bank cards), the bank
    account / PAN (bank cards), or the ID card's chip serial (plain contactless readers).
    """

    id_number: str = ""
    name: str = ""
    source: str = "virtual"
    account: str = ""
    chip_serial: str = ""

    def __repr__(self) -> str:  # keep full numbers out of logs and tracebacks
        return (
            f"CardIdentity(id={mask_id_number(self.id_number)!r}, account={mask_account(self.account)!r}, "
            f"source={self.source!r})"
        )


@dataclass(frozen=True, slots=True)
class CardEvent:
    kind: CardEventKind
    identity: CardIdentity | None = None
    reason: str = ""
    reader: str = ""


Listener = Callable[[CardEvent], None]


class EventHub:
    """Fan reader events out to listeners; a failing listener never stops the others."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def publish(self, event: CardEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - one broken listener must not silence the reader
                logging.getLogger(__name__).exception("card event listener failed on %s", event.kind)


class Availability:
    """Tell listeners once when a reader becomes unavailable and once when it is back.

    Starts unknown: the first `lost` or `back` is always announced.
    """

    def __init__(self, events: EventHub, reader: str) -> None:
        self.events = events
        self.reader = reader
        self.available = False
        self._announced_lost = False

    def lost(self, why: str) -> bool:
        """Announce that the reader is gone; return True if this was news."""
        if not self.available and self._announced_lost:
            return False
        logging.getLogger(__name__).warning("%s unavailable: %s", self.reader or "card reader", why)
        self.available = False
        self._announced_lost = True
        self.events.publish(CardEvent(CardEventKind.READER_UNAVAILABLE, reason=why, reader=self.reader))
        return True

    def back(self) -> None:
        if not self.available:
            self.available = True
            self._announced_lost = False
            self.events.publish(CardEvent(CardEventKind.READER_BACK, reader=self.reader))
