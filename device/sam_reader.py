"""A resident ID card SAM reader on a serial port (pyserial): find → select → read, as a worker thread.

Publishes the same CardEvents as the PC/SC watcher. Re-opens the port when it fails
(reader unplugged), treats "the same card still on the reader" as present (no
second read until it has left the field for two polls), and never asks for the
fingerprint or decodes the photo.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

import serial

from device.base import Availability, CardEvent, CardEventKind, CardIdentity, EventHub
from device.errors import CardError, ReaderError
from device.sam import (
    FIND,
    PREAMBLE,
    READ_TEXT_PHOTO,
    SELECT,
    SW3_FOUND,
    SW3_NO_CARD,
    SW3_OK,
    SamError,
    SamResponse,
    decode_response,
    encode_request,
    parse_read_data,
)
from device.trace import Trace, mask_sam_frame

log = logging.getLogger(__name__)

ABSENT_POLLS = 2  # polls without the card before it counts as taken away
MAX_FAULTS = 3  # unanswered or garbled requests in a row before the reader counts as gone


class ReaderTimeoutError(ReaderError):
    reason = "timeout"


class SamReader:
    """Poll a SAM reader at `port` and publish card events."""

    name = "SAM ID reader"

    def __init__(
        self,
        events: EventHub,
        port: str,
        *,
        baudrate: int = 115200,
        today: Callable[[], dt.date] = dt.date.today,
        poll_interval: float = 0.25,
        timeout: float = 1.0,
        trace: Trace | None = None,
    ) -> None:
        self.events = events
        self.trace = trace
        self.port_name = port
        self.baudrate = baudrate
        self.today = today
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.availability = Availability(events, self.name)
        self._port: serial.Serial | None = None
        self._present = False
        self._absent = 0
        self._faults = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sam-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close()

    # -- the loop -----------------------------------------------------------------
    def _run(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                if self._port is None:
                    self._port = serial.Serial(self.port_name, self.baudrate, timeout=0.05, write_timeout=1)
                self.poll()
                backoff = 0.2
                if self._stop.wait(self.poll_interval):
                    break
            except (serial.SerialException, OSError) as error:
                self._set_unavailable(f"serial port {self.port_name}: {error}")
                self._close()
                if self._stop.wait(backoff):
                    break
                backoff = min(5.0, backoff * 2)
            except ReaderError as error:  # silence or garbled frames: enough in a row and the reader is gone
                self._faults += 1
                log.info("SAM reader fault %d: %s", self._faults, error)
                if self._faults >= MAX_FAULTS:
                    why = (
                        "does not answer"
                        if isinstance(error, ReaderTimeoutError)
                        else "answers with broken frames"
                    )
                    self._set_unavailable(f"the SAM reader {why}")
                    self._close()
                    self._faults = 0
            except Exception:  # noqa: BLE001 - the reader thread must outlive any surprise
                log.exception("SAM reader loop failed; starting over")
                self._close()
                if self._stop.wait(backoff):
                    break

    def poll(self) -> None:
        """One cycle: look for a card; read it if it is new; notice when it has gone."""
        found = self._exchange(FIND)
        if found.sw3 not in (SW3_FOUND, SW3_NO_CARD):
            raise ReaderError(f"the SAM answers find with {SamError(found.sw3)}")
        self._faults = 0
        self._set_available()
        if found.sw3 == SW3_NO_CARD:
            if self._present:
                self._absent += 1
                if self._absent >= ABSENT_POLLS:
                    self._present = False
                    self.events.publish(CardEvent(CardEventKind.REMOVED, reader=self.name))
            return
        self._absent = 0
        if self._present:
            return  # the same card is still on the reader: it was read already
        self._present = True
        self.events.publish(CardEvent(CardEventKind.INSERTED, reader=self.name))
        try:
            identity = self._read()
        except ReaderError:
            self._present = False  # the reader failed, not the card: read it again on the next poll
            raise
        except CardError as error:
            log.info("ID card unreadable: %s (%s)", error.reason, error)
            self.events.publish(CardEvent(CardEventKind.UNREADABLE, reason=error.reason, reader=self.name))
        else:
            log.info("ID card read: %r", identity)
            self.events.publish(CardEvent(CardEventKind.READ, identity=identity, reader=self.name))

    def _read(self) -> CardIdentity:
        for request in (SELECT, READ_TEXT_PHOTO):
            response = self._exchange(request)
            if response.sw3 != SW3_OK:
                raise SamError(response.sw3)
        text = parse_read_data(response.data)
        text.check_valid(self.today())
        return CardIdentity(id_number=text.id_number, name=text.name, source="sam")

    # -- framing ------------------------------------------------------------------
    def probe(self) -> SamResponse:
        """Open the port, ask the reader to find a card, and close it again (for `kiosk doctor`).

        Raises OSError (serial.SerialException) or ReaderError.
        """
        self._port = serial.Serial(self.port_name, self.baudrate, timeout=0.05, write_timeout=1)
        try:
            return self._exchange(FIND)
        finally:
            self._close()

    def read_once(self, timeout: float) -> tuple[CardIdentity | None, str]:
        """Poll until a card is read or refused, or `timeout` passes (for `kiosk doctor --trace`)."""
        outcome: list[CardEvent] = []
        self.events.subscribe(lambda event: outcome.append(event))
        self._port = serial.Serial(self.port_name, self.baudrate, timeout=0.05, write_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.poll()
                done = [e for e in outcome if e.kind in (CardEventKind.READ, CardEventKind.UNREADABLE)]
                if done:
                    event = done[0]
                    return event.identity, ("read" if event.identity else f"unreadable: {event.reason}")
                time.sleep(self.poll_interval)
            return None, f"no card placed within {timeout:.0f} s"
        finally:
            self._close()

    def _exchange(self, request: tuple[int, int]) -> SamResponse:
        port = self._port
        if port is None:
            raise ReaderError("SAM reader is not open")
        port.reset_input_buffer()
        frame = encode_request(*request)
        if self.trace is not None:
            self.trace.add(">>", frame.hex().upper())
        port.write(frame)
        deadline = time.monotonic() + self.timeout
        buffer = b""
        while time.monotonic() < deadline:
            buffer += port.read(max(1, port.in_waiting))  # returns on the first byte, not after the timeout
            start = buffer.find(PREAMBLE)
            if start >= 0 and len(buffer) >= start + 7:
                total = 7 + int.from_bytes(buffer[start + 5 : start + 7], "big")
                if len(buffer) >= start + total:
                    if self.trace is not None:
                        self.trace.add("<<", mask_sam_frame(buffer[start : start + total]))
                    return decode_response(buffer[start : start + total])
        if self.trace is not None:
            self.trace.add("!!", f"no answer within {self.timeout} s")
        raise ReaderTimeoutError(f"no answer to {request[0]:02X} {request[1]:02X} within {self.timeout} s")

    # -- availability ----------------------------------------------------------------
    def _close(self) -> None:
        if self._port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                self._port.close()
            self._port = None

    def _set_unavailable(self, why: str) -> None:
        self._present = False
        self.availability.lost(why)

    def _set_available(self) -> None:
        self.availability.back()
