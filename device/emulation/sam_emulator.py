"""A SAM ID-card reader emulator on a pseudo-terminal, for the demo and tests.

`SamEmulator().path` is a serial device (/dev/pts/N) that answers find, select and
read frames like a reader with (or without) a card on it; modes make it misbehave:
corrupt checksums, silence, or failed reads.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import threading
import tty

from device.sam import (
    FIND,
    PHOTO_LENGTH,
    PREAMBLE,
    READ_TEXT_PHOTO,
    SELECT,
    TEXT_LENGTH,
    IdCardText,
    encode_response,
    encode_text,
)


class SamEmulator:
    """Answer SAM frames on a pty. Set `card` to an IdCardText (or None); `mode` to ok/checksum/silent/read_fails."""

    def __init__(self) -> None:
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self.card: IdCardText | None = None
        self.mode = "ok"
        self.requests: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="sam-emulator", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _answer(self, cmd: int, para: int) -> bytes | None:
        self.requests.append((cmd, para))
        if self.mode == "silent":
            return None
        corrupt = self.mode == "checksum"
        if (cmd, para) == FIND:
            return encode_response(
                0x9F if self.card else 0x80, bytes(8) if self.card else b"", corrupt=corrupt
            )
        if (cmd, para) == SELECT:
            return encode_response(
                0x90 if self.card else 0x81, bytes(8) if self.card else b"", corrupt=corrupt
            )
        if (cmd, para) == READ_TEXT_PHOTO:
            if self.card is None or self.mode == "read_fails":
                return encode_response(0x41, corrupt=corrupt)
            data = TEXT_LENGTH.to_bytes(2, "big") + PHOTO_LENGTH.to_bytes(2, "big")
            return encode_response(0x90, data + encode_text(self.card) + bytes(PHOTO_LENGTH), corrupt=corrupt)
        return encode_response(0x21, corrupt=corrupt)

    def _serve(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                buffer += os.read(self._master, 4096)
            except OSError:
                return
            while True:
                start = buffer.find(PREAMBLE)
                if start < 0 or len(buffer) < start + 7:
                    break
                total = 7 + int.from_bytes(buffer[start + 5 : start + 7], "big")
                if len(buffer) < start + total:
                    break
                frame, buffer = buffer[start : start + total], buffer[start + total :]
                answer = self._answer(frame[7], frame[8])
                if answer:
                    os.write(self._master, answer)
