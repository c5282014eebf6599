"""Collecting a reader's card events, and waiting for the next one of a kind."""

from __future__ import annotations

import queue
import time

from device.base import CardEvent, CardEventKind, EventHub


class Events:
    def __init__(self) -> None:
        self.hub = EventHub()
        self.queue: queue.Queue[CardEvent] = queue.Queue()
        self.hub.subscribe(self.queue.put)

    def next(self, *kinds: CardEventKind, timeout: float = 10.0) -> CardEvent:
        """Return the next event of one of `kinds`, skipping others; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kinds} within {timeout} s")
            try:
                event = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if event.kind in kinds:
                return event
