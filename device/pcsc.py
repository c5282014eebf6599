"""PC/SC readers through pyscard: the only module that imports it.

One worker thread owns the PC/SC context (a pcsc-lite context is one socket with no
queuing) and loops on SCardGetStatusChange with a finite timeout. It survives pcscd
restarting, pcscd absent at start, and readers unplugged and re-plugged, by
releasing the context, backing off and establishing a new one; it never uses
pyscard's CardMonitor, which dies for good when pcscd restarts (CARDS.md §2).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from smartcard import scard

from device.base import Availability, CardEvent, CardEventKind, EventHub
from device.errors import CardError, CardRemovedError, ReaderError
from device.profiles import DEFAULT_ORDER, read_card

log = logging.getLogger(__name__)

PNP = "\\\\?PnP?\\Notification"


def _code(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


_SUCCESS = _code(scard.SCARD_S_SUCCESS)
_TIMEOUT = _code(scard.SCARD_E_TIMEOUT)
_NO_READERS = _code(scard.SCARD_E_NO_READERS_AVAILABLE)
# The context is gone: release it and establish a new one.
READ_RETRIES = 1  # one more try after a card that moved mid-read
RETRY_PAUSE_SECONDS = 0.3
TRANSIENT = frozenset({"removed", "mute", "blank"})  # reasons a second try may cure; a corrupt card's are not

_SERVICE_LOST = {
    _code(c)
    for c in (
        scard.SCARD_E_NO_SERVICE,
        scard.SCARD_E_SERVICE_STOPPED,
        scard.SCARD_F_COMM_ERROR,
        scard.SCARD_E_INVALID_HANDLE,
    )
}
# The reader list changed under us: list the readers again.
_READERS_CHANGED = {
    _code(c) for c in (scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_UNKNOWN_READER, _NO_READERS)
}
# The card went away mid-exchange. NOT_TRANSACTED is what vpcd (and a contactless card slid out of
# the field) gives; to the villager it is the same: put the card back and hold it still.
_CARD_GONE = {
    _code(c)
    for c in (
        scard.SCARD_W_REMOVED_CARD,
        scard.SCARD_E_NO_SMARTCARD,
        scard.SCARD_W_RESET_CARD,
        scard.SCARD_W_UNPOWERED_CARD,
        scard.SCARD_E_NOT_TRANSACTED,
    )
}


def describe(hresult: int) -> str:
    return f"{scard.SCardGetErrorMessage(hresult)} (0x{_code(hresult):08X})"


class _ContextLost(Exception):
    """The PC/SC service went away; the watcher starts over."""


class _ReadersChanged(Exception):
    """A reader appeared or vanished; the watcher lists them again."""


class PcscConnection:
    """A CardConnection over one PC/SC card handle (transmit only: the worker owns the handle)."""

    def __init__(self, card: int, protocol: int) -> None:
        self.card = card
        self.protocol = protocol

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        hresult, response = scard.SCardTransmit(self.card, self.protocol, list(apdu))
        if _code(hresult) != _SUCCESS:
            if _code(hresult) in _CARD_GONE:
                raise CardRemovedError(describe(hresult))
            raise ReaderError(describe(hresult))
        if len(response) < 2:  # vpcd and real readers alike: the card went away mid-exchange
            raise CardRemovedError("no status word from the card")
        return bytes(response[:-2]), (response[-2] << 8) | response[-1]


class PcscWatcher:
    """Watch PC/SC readers, read each card placed, and publish CardEvents.

    `reader_filter`: substrings of reader names to use (empty: all readers).
    `profiles`: card profiles in the order they are tried.
    `wrap`: optional wrapper around each card connection (the doctor's trace).
    """

    def __init__(
        self,
        events: EventHub,
        *,
        profiles: Sequence[str] = DEFAULT_ORDER,
        reader_filter: Sequence[str] = (),
        timeout_ms: int = 250,
        max_backoff: float = 2.0,
        wrap: Callable[[PcscConnection], object] | None = None,
    ) -> None:
        self.events = events
        self.profiles = tuple(profiles)
        self.reader_filter = tuple(reader_filter)
        self.timeout_ms = timeout_ms
        self.max_backoff = max_backoff
        self.wrap = wrap
        self.readers: list[str] = []
        self.availability = Availability(events, "PC/SC")
        self._present: set[str] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pcsc-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if _code(hresult) != _SUCCESS:
                self._unavailable(f"no PC/SC service: {describe(hresult)}")
            else:
                try:
                    self._watch(context)
                    backoff = 0.1
                except _ContextLost as lost:
                    self._unavailable(f"PC/SC service lost: {lost}")
                except Exception:  # noqa: BLE001 - the watcher must outlive any surprise
                    log.exception("PC/SC watcher failed; starting over")
                    self._unavailable("PC/SC watcher failed")
                finally:
                    scard.SCardReleaseContext(context)
            if self._stop.wait(backoff):
                break
            backoff = min(self.max_backoff, backoff * 2)

    # -- the watch loop -------------------------------------------------------------
    def _watch(self, context: int) -> None:
        while not self._stop.is_set():
            try:
                self._watch_readers(context, self._list_readers(context))
            except _ReadersChanged:
                continue

    def _list_readers(self, context: int) -> list[str]:
        hresult, readers = scard.SCardListReaders(context, [])
        if _code(hresult) in _SERVICE_LOST:
            raise _ContextLost(describe(hresult))
        if _code(hresult) not in (_SUCCESS, _NO_READERS):
            raise _ContextLost(describe(hresult))
        chosen = [
            r for r in (readers or []) if not self.reader_filter or any(f in r for f in self.reader_filter)
        ]
        if chosen != self.readers:
            log.info("PC/SC readers: %s", chosen or "none")
        self.readers = chosen
        for gone in self._present - set(chosen):
            self._present.discard(gone)
            if not self._present:
                self.events.publish(CardEvent(CardEventKind.REMOVED, reader=gone))
        if chosen:
            self._available()
        else:
            self._unavailable("no card reader connected")
        return chosen

    def _watch_readers(self, context: int, readers: list[str]) -> None:
        states = {reader: scard.SCARD_STATE_UNAWARE for reader in readers}
        states[PNP] = scard.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            hresult, changes = scard.SCardGetStatusChange(context, self.timeout_ms, list(states.items()))
            code = _code(hresult)
            if code == _TIMEOUT:
                continue
            if code in _SERVICE_LOST:
                raise _ContextLost(describe(hresult))
            if code in _READERS_CHANGED:
                raise _ReadersChanged()
            if code != _SUCCESS:
                raise _ContextLost(describe(hresult))
            for reader, event_state, _atr in changes:
                if reader == PNP:
                    if event_state & scard.SCARD_STATE_CHANGED and states[PNP] != scard.SCARD_STATE_UNAWARE:
                        raise _ReadersChanged()
                    states[PNP] = event_state & ~scard.SCARD_STATE_CHANGED
                    continue
                swapped = self._swapped(states[reader], event_state)
                states[reader] = event_state & ~scard.SCARD_STATE_CHANGED
                if event_state & scard.SCARD_STATE_UNAVAILABLE:
                    raise _ReadersChanged()
                if swapped and reader in self._present:
                    log.info("card swapped in %s between two looks: reading the new one", reader)
                    self._on_state(context, reader, 0)  # the first card left ...
                self._on_state(context, reader, event_state)  # ... and this one is on the reader

    @staticmethod
    def _swapped(known: int, now: int) -> bool:
        """Whether a card was taken away and another placed since `known`, both unseen by us.

        pcsc-lite counts insertions and removals in the upper 16 bits of the event state.
        While this thread is busy (reading a card), a removal and an insertion can both happen:
        the state is "present" before and after, but the count moved by two or more.
        """
        if known == scard.SCARD_STATE_UNAWARE or not now & scard.SCARD_STATE_PRESENT:
            return False
        return ((now >> 16) - (known >> 16)) & 0xFFFF >= 2

    def _on_state(self, context: int, reader: str, state: int) -> None:
        present = bool(state & scard.SCARD_STATE_PRESENT)
        if present and reader not in self._present:
            self._present.add(reader)
            self.events.publish(CardEvent(CardEventKind.INSERTED, reader=reader))
            if len(self._present) > 1:
                self.events.publish(CardEvent(CardEventKind.UNREADABLE, reason="two_cards", reader=reader))
            elif state & scard.SCARD_STATE_MUTE:
                self.events.publish(CardEvent(CardEventKind.UNREADABLE, reason="mute", reader=reader))
            else:
                self._read(context, reader)
        elif not present and reader in self._present:
            self._present.discard(reader)
            if not self._present:
                self.events.publish(CardEvent(CardEventKind.REMOVED, reader=reader))
            elif len(self._present) == 1:  # the other card is alone again: read it
                remaining = next(iter(self._present))
                self.events.publish(CardEvent(CardEventKind.INSERTED, reader=remaining))
                self._read(context, remaining)

    def _read(self, context: int, reader: str) -> None:
        """Read the card in `reader` and publish what it said; a card that moved mid-read (it answered
        nothing, or went away for a moment) is tried once more before the villager is asked to place it
        again, so a slight slide is not an error."""
        for attempt in range(1 + READ_RETRIES):
            event = self._read_once(context, reader)
            if event.kind is CardEventKind.READ or event.reason not in TRANSIENT or attempt == READ_RETRIES:
                self.events.publish(event)
                return
            log.info("card in %s: %s on attempt %d, trying again", reader, event.reason, attempt + 1)
            time.sleep(RETRY_PAUSE_SECONDS)

    def _read_once(self, context: int, reader: str) -> CardEvent:
        started = time.perf_counter()
        hresult, card, protocol = scard.SCardConnect(
            context, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if _code(hresult) != _SUCCESS:
            if _code(hresult) in _SERVICE_LOST:
                raise _ContextLost(describe(hresult))
            reason = "removed" if _code(hresult) in _CARD_GONE else "mute"
            log.info("cannot connect to the card in %s: %s", reader, describe(hresult))
            return CardEvent(CardEventKind.UNREADABLE, reason=reason, reader=reader)
        try:
            connection = PcscConnection(card, protocol)
            identity = read_card(self.wrap(connection) if self.wrap else connection, self.profiles)  # type: ignore[arg-type]
        except CardError as error:
            log.info("card in %s unreadable: %s (%s)", reader, error.reason, error)
            return CardEvent(CardEventKind.UNREADABLE, reason=error.reason, reader=reader)
        else:
            log.info(
                "card read in %s by %s in %.0f ms: %r",
                reader,
                identity.source,
                (time.perf_counter() - started) * 1000,
                identity,
            )
            return CardEvent(CardEventKind.READ, identity=identity, reader=reader)
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)

    # -- availability -----------------------------------------------------------------
    def _unavailable(self, why: str) -> None:
        self._present.clear()
        self.availability.lost(why)

    def _available(self) -> None:
        self.availability.back()


def _state_words(state: int) -> str:
    if state & scard.SCARD_STATE_UNAVAILABLE:
        return "unavailable"
    if state & scard.SCARD_STATE_MUTE:
        return "card present, mute"
    if state & scard.SCARD_STATE_PRESENT:
        return "card present" + (" (in use)" if state & scard.SCARD_STATE_INUSE else "")
    if state & scard.SCARD_STATE_EMPTY:
        return "empty"
    return f"state 0x{state:X}"


def list_readers() -> tuple[list[tuple[str, str]], str]:
    """Return each PC/SC reader with its state in words, and a status line (for `kiosk doctor`)."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if _code(hresult) != _SUCCESS:
        return [], f"no PC/SC service: {describe(hresult)}"
    try:
        hresult, readers = scard.SCardListReaders(context, [])
        if _code(hresult) == _NO_READERS:
            return [], "no card reader connected"
        if _code(hresult) != _SUCCESS:
            return [], describe(hresult)
        hresult, states = scard.SCardGetStatusChange(
            context, 0, [(r, scard.SCARD_STATE_UNAWARE) for r in readers]
        )
        if _code(hresult) != _SUCCESS:
            return [(r, "unknown") for r in readers], describe(hresult)
        return [(reader, _state_words(state)) for reader, state, _ in states], "ok"
    finally:
        scard.SCardReleaseContext(context)


def trace_one_card(
    *, profiles: Sequence[str] = DEFAULT_ORDER, reader_filter: Sequence[str] = (), timeout: float = 30.0
) -> tuple[list[str], str]:
    """Wait for a card, read it once with a masked trace of every APDU; return the trace and the outcome.

    For `kiosk doctor --trace`: run it while the kiosk is stopped, or beside it (PC/SC shares the card).
    """
    from device.trace import Trace, TracingConnection

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if _code(hresult) != _SUCCESS:
        return [], f"no PC/SC service: {describe(hresult)}"
    try:
        hresult, readers = scard.SCardListReaders(context, [])
        readers = [r for r in (readers or []) if not reader_filter or any(f in r for f in reader_filter)]
        if not readers:
            return [], "no card reader connected"
        states = [(r, scard.SCARD_STATE_UNAWARE) for r in readers]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hresult, states = scard.SCardGetStatusChange(context, 250, states)
            if _code(hresult) not in (_SUCCESS, _TIMEOUT):
                return [], describe(hresult)
            present = [r for r, state, _ in states if state & scard.SCARD_STATE_PRESENT]
            if present:
                break
            states = [(r, state & ~scard.SCARD_STATE_CHANGED) for r, state, _ in states]
        else:
            return [], f"no card placed within {timeout:.0f} s"
        reader = present[0]
        atr = next(bytes(a) for r, _, a in states if r == reader)
        trace = Trace()
        trace.add("--", f"reader {reader!r}, ATR {atr.hex().upper()}")
        hresult, card, protocol = scard.SCardConnect(
            context, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if _code(hresult) != _SUCCESS:
            return trace.lines, f"cannot connect: {describe(hresult)}"
        try:
            identity = read_card(TracingConnection(PcscConnection(card, protocol), trace), profiles)
        except CardError as error:
            return trace.lines, f"unreadable: {error.reason} ({error})"
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        return trace.lines, f"read by profile {identity.source}: {identity!r}"
    finally:
        scard.SCardReleaseContext(context)
