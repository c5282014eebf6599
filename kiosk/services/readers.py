"""Which card readers this kiosk runs, started from its config; and the demo panel's card slot.

Production: a PC/SC watcher (and a serial SAM reader when a port is configured).
Demo: the same PC/SC watcher with the demo panel's cards played into vpcd when
pcscd and vpcd are there, else an in-process virtual reader (the fallback).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from device.base import EventHub
from device.emulation.vcard import SWAP_GAP_SECONDS, VPCD_PORT, Applet, VpcdCard
from device.emulation.virtual import VirtualReader
from kiosk.config import ConfigError, KioskConfig

log = logging.getLogger(__name__)

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


class CardSlot(Protocol):
    """Where the demo panel puts a card."""

    def place(self, applet: Applet) -> None: ...

    def take(self) -> None: ...


class VpcdSlot:
    """The demo panel's cards, played into vpcd's reader: a real PC/SC insertion."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._card: VpcdCard | None = None
        self._lock = threading.Lock()  # two taps on the panel arrive on two server threads
        self._taken_at = -SWAP_GAP_SECONDS

    def place(self, applet: Applet) -> None:
        with self._lock:
            self._place(applet)

    def _place(self, applet: Applet) -> None:
        self._take()
        # A hand takes one card off before it puts the next one down (see SWAP_GAP_SECONDS).
        time.sleep(max(0.0, self._taken_at + SWAP_GAP_SECONDS - time.monotonic()))
        self._card = VpcdCard(applet, port=self.port)
        self._card.insert()

    def take(self) -> None:
        with self._lock:
            self._take()

    def _take(self) -> None:
        if self._card is not None:
            self._card.remove()
            self._card = None
            self._taken_at = time.monotonic()


def vpcd_reader_name(port: int) -> str:
    """vpcd's reader for a port: 35963 is "Virtual PCD 00 00", 35964 "Virtual PCD 00 01"."""
    return f"Virtual PCD 00 {port - VPCD_PORT:02d}"


@dataclass
class Readers:
    """The running readers: something to stop, something to describe, and the demo slot if any."""

    description: str
    slot: CardSlot | None = None
    workers: list = field(default_factory=list)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        if self.slot is not None:
            self.slot.take()


def _pcsc_usable() -> bool:
    try:
        import device.pcsc  # noqa: F401 - only to know pyscard is importable
    except ImportError:
        return False
    return True


def start_readers(config: KioskConfig, events: EventHub) -> Readers:
    """Start the readers `config` asks for, publishing to `events`.

    Raises ConfigError when PC/SC is asked for explicitly and pyscard is missing.
    """
    kind = config.reader
    if kind == "auto":
        vpcd_ready = PCSCD_SOCKET.exists() and VPCD_DRIVER.exists()
        if not _pcsc_usable() or (config.demo and not vpcd_ready):
            kind = "virtual" if config.demo else "none"
            log.warning("PC/SC not available (pyscard, pcscd or vpcd missing): using the %s reader", kind)
        else:
            kind = "pcsc"
    readers = Readers(description=kind)
    if kind == "pcsc":
        if not _pcsc_usable():
            raise ConfigError("reader = 'pcsc' but pyscard is not installed")
        from device.pcsc import PcscWatcher

        filters = config.pcsc_readers
        if config.demo and not filters:
            filters = (vpcd_reader_name(config.vpcd_port),)
        watcher = PcscWatcher(events, profiles=config.card_profiles, reader_filter=filters)
        watcher.start()
        readers.workers.append(watcher)
        readers.description = f"pcsc ({', '.join(filters) or 'all readers'})"
        if config.demo:
            readers.slot = VpcdSlot(config.vpcd_port)
    elif kind == "virtual":
        readers.slot = VirtualReader(events, config.card_profiles)
        readers.description = "virtual (in-process)"
    if config.sam_port:
        from device.sam_reader import SamReader

        sam = SamReader(events, config.sam_port, baudrate=config.sam_baudrate, today=config.current_date)
        sam.start()
        readers.workers.append(sam)
        readers.description += f" + SAM on {config.sam_port}"
    return readers
