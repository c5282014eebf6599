"""A fault-injecting HTTP proxy on loopback, between the relay and the hub (tests only).

Each request is, by a seeded draw: dropped before reaching the hub; forwarded twice
(the hub sees a duplicate); delayed; answered with a response cut in the middle
(the hub did the work, the kiosk never hears); or forwarded untouched.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _forward(upstream: tuple[str, int], request: bytes) -> bytes:
    with socket.create_connection(upstream, timeout=10) as hub:
        hub.sendall(request.replace(b"Connection: keep-alive", b"Connection: close"))
        response = b""
        while chunk := hub.recv(65536):
            response += chunk
    return response


class FaultProxy:
    FAULTS = ("drop", "duplicate", "delay", "cut", "ok")

    def __init__(self, upstream_port: int, *, seed: int = 7, weights=(2, 2, 1, 2, 3)) -> None:  # type: ignore[no-untyped-def]
        self.upstream = ("127.0.0.1", upstream_port)
        self.rng = random.Random(seed)
        self.weights = weights
        self.counts: Counter[str] = Counter()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if not request:
                return
            with self._lock:
                fault = self.rng.choices(self.FAULTS, self.weights)[0]
                delay = self.rng.uniform(0.05, 0.4)
                self.counts[fault] += 1
            if fault == "drop":
                return
            if fault == "delay":
                time.sleep(delay)
            try:
                response = _forward(self.upstream, request)
                if fault == "duplicate":
                    response = _forward(self.upstream, request)
                if fault == "cut":
                    response = response[: len(response) // 2]
                conn.sendall(response)
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.server.close()
