"""Virtual cards: applets that answer APDUs like real cards, and a vpcd client that puts one in a reader.

`VpcdCard(applet).insert()` connects to vsmartcard's vpcd driver inside pcscd: to
PC/SC that *is* a card on "Virtual PCD 00 00"; `remove()` takes it away. The same
applets serve unit tests in-process through `AppletConnection`. vpcd listens on
all interfaces, so it belongs in test and demo images only (CARDS.md §1).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from dataclasses import dataclass, field

from device.profiles.idserial import GET_CHIP_SERIAL
from device.profiles.pboc import PPSE, PSE
from device.profiles.ssse import SSSE_AID

log = logging.getLogger(__name__)

VPCD_PORT = 35963  # "Virtual PCD 00 00"; 35964 is "Virtual PCD 00 01"
# How long a card must stay off vpcd's reader before the next goes on. pcscd polls vpcd every
# 0.4 s, and a card back within one poll can be handed over in that same poll: to PC/SC the first
# card never left. Two polls is long enough for the removal to be seen (and no hand is faster).
SWAP_GAP_SECONDS = 0.8
OK = b"\x90\x00"


def _sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


def _tlv(tag: int, value: bytes) -> bytes:
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    length = bytes([len(value)]) if len(value) < 0x80 else bytes([0x81, len(value)])
    return tag_bytes + length + value


class Applet:
    """A card: an ATR and an answer (data + SW) for every command APDU."""

    atr = bytes.fromhex("3B8880010000000000000000")

    def respond(self, apdu: bytes) -> bytes:
        raise NotImplementedError


@dataclass
class SsseApplet(Applet):
    """A social security card. `t0` answers SELECT with 61xx; `strict_le` answers Le=00 with 6Cxx."""

    id_number: str
    name: str
    card_number: str = "A12345678"
    t0: bool = True
    strict_le: bool = True
    records: dict[tuple[str, int], bytes] = field(default_factory=dict)
    atr: bytes = bytes.fromhex("3B6C00000000000000000000000000")  # noqa: RUF009
    _file: str = ""
    _pending: bytes = b""

    def __post_init__(self) -> None:
        if not self.records:
            self.records = {
                ("EF05", 1): _tlv(0x01, self.id_number[:6].encode() + b"0" * 10),
                ("EF05", 3): _tlv(0x03, b"3.00"),
                ("EF05", 7): _tlv(0x07, self.card_number.encode().ljust(9, b"\x00")),
                ("EF06", 1): _tlv(0x08, self.id_number.encode().ljust(18, b"\x00")),
                ("EF06", 2): _tlv(0x09, self.name.encode("gbk").ljust(30, b"\x00")),
            }

    def respond(self, apdu: bytes) -> bytes:
        ins = apdu[1] if len(apdu) > 1 else 0
        if ins == 0xC0 and self._pending:
            data, self._pending = self._pending, b""
            return data + OK
        if ins == 0xA4 and apdu[2] == 0x04:
            if apdu[5 : 5 + apdu[4]] != SSSE_AID:
                return _sw(0x6A82)
            self._file = "DF"
            fci = _tlv(0x6F, _tlv(0x84, SSSE_AID))
            if self.t0:
                self._pending = fci
                return bytes([0x61, len(fci)])
            return fci + OK
        if ins == 0xA4 and apdu[2] == 0x02 and self._file:
            fid = apdu[5:7].hex().upper()
            if fid not in ("EF05", "EF06"):
                return _sw(0x6A82)
            self._file = fid
            return OK
        if ins == 0xB2 and self._file in ("EF05", "EF06"):
            record = self.records.get((self._file, apdu[2]))
            if record is None:
                return _sw(0x6A83)
            le = apdu[4] if len(apdu) == 5 else 0
            if self.strict_le and le != len(record):
                return bytes([0x6C, len(record)])
            return record + OK
        return _sw(0x6D00)


@dataclass
class PbocApplet(Applet):
    """A UnionPay debit card; `holder_id` in 9F61 is optional, as on many real cards."""

    pan: str
    holder_id: str = ""
    name: str = ""
    pdol: bytes = bytes.fromhex("9F66049F02069F37045F2A02")
    format2: bool = False
    aid: bytes = bytes.fromhex("A000000333010101")
    atr: bytes = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")  # noqa: RUF009
    _selected: bool = False

    def records(self) -> dict[tuple[int, int], bytes]:
        pan = bytes.fromhex(self.pan + ("F" if len(self.pan) % 2 else ""))
        first = _tlv(0x5A, pan) + _tlv(0x5F24, bytes.fromhex("301231"))
        if self.name:
            first += _tlv(0x5F20, self.name.encode("gbk"))
        track2 = self.pan + "D30122010000"
        second = _tlv(0x57, bytes.fromhex(track2 + ("F" if len(track2) % 2 else "")))
        if self.holder_id:
            second += _tlv(0x9F61, self.holder_id.encode()) + _tlv(0x9F62, b"\x00")
        return {(1, 1): _tlv(0x70, first), (2, 1): _tlv(0x70, second)}

    def respond(self, apdu: bytes) -> bytes:
        ins = apdu[1] if len(apdu) > 1 else 0
        if ins == 0xA4 and apdu[2] == 0x04:
            name = apdu[5 : 5 + apdu[4]]
            if name in (PPSE, PSE):
                entry = _tlv(0x61, _tlv(0x4F, self.aid) + _tlv(0x87, b"\x01"))
                return _tlv(0x6F, _tlv(0x84, name) + _tlv(0xA5, _tlv(0xBF0C, entry))) + OK
            if name == self.aid:
                self._selected = True
                proprietary = _tlv(0x50, b"UnionPay") + (_tlv(0x9F38, self.pdol) if self.pdol else b"")
                return _tlv(0x6F, _tlv(0x84, self.aid) + _tlv(0xA5, proprietary)) + OK
            return _sw(0x6A82)
        if ins == 0xA8 and self._selected:
            afl = bytes.fromhex("0801010010010100")
            if self.format2:
                return _tlv(0x77, _tlv(0x82, b"\x7c\x00") + _tlv(0x94, afl)) + OK
            return _tlv(0x80, b"\x7c\x00" + afl) + OK
        if ins == 0xB2 and self._selected:
            record = self.records().get((apdu[3] >> 3, apdu[2]))
            return record + OK if record else _sw(0x6A83)
        return _sw(0x6D00)


@dataclass
class ChipSerialApplet(Applet):
    """A resident ID card on a plain contactless reader: only its chip serial answers."""

    serial: str
    atr: bytes = bytes.fromhex("3B8880010000000000718100F8")  # noqa: RUF009

    def respond(self, apdu: bytes) -> bytes:
        if apdu[:5] == GET_CHIP_SERIAL:
            return bytes.fromhex(self.serial) + OK
        return _sw(0x6A82 if apdu[1:2] == b"\xa4" else 0x6D00)


class UnknownApplet(Applet):
    """A card none of our profiles knows (a transport card, say)."""

    def respond(self, apdu: bytes) -> bytes:
        return _sw(0x6A82 if apdu[1:2] == b"\xa4" else 0x6D00)


@dataclass
class CorruptPbocApplet(PbocApplet):
    """A bank card whose first record's TLV length runs past its end."""

    def records(self) -> dict[tuple[int, int], bytes]:
        good = super().records()
        return {key: value[:-3] if key == (1, 1) else value for key, value in good.items()}


@dataclass
class LockedSsseApplet(SsseApplet):
    """A social security card that refuses to read EF06 without a PIN (6982)."""

    def respond(self, apdu: bytes) -> bytes:
        if apdu[1:2] == b"\xb2" and self._file == "EF06":
            return _sw(0x6982)
        return super().respond(apdu)


class AppletConnection:
    """A CardConnection straight onto an applet, for unit tests; `trace` records every exchange."""

    def __init__(self, applet: Applet) -> None:
        self.applet = applet
        self.trace: list[tuple[bytes, bytes]] = []

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        response = self.applet.respond(apdu)
        self.trace.append((apdu, response))
        return response[:-2], int.from_bytes(response[-2:], "big")


class VpcdCard:
    """Put `applet` into vpcd's reader over TCP; `remove_after` pulls the card after that many APDUs."""

    def __init__(
        self,
        applet: Applet,
        *,
        host: str = "127.0.0.1",
        port: int = VPCD_PORT,
        remove_after: int | None = None,
    ) -> None:
        self.applet = applet
        self.address = (host, port)
        self.remove_after = remove_after
        self.apdus = 0
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def inserted(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def insert(self, timeout: float = 5.0) -> None:
        """Connect to vpcd (the card is now on the reader). Raises OSError if vpcd is not there."""
        self.remove()
        self._stop.clear()
        self.apdus = 0
        self._socket = socket.create_connection(self.address, timeout=timeout)
        self._socket.settimeout(0.2)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(target=self._serve, name="vpcd-card", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Close the connection (the card leaves the reader)."""
        self._stop.set()
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
            self._socket.close()
            self._socket = None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def _recv_exactly(self, sock: socket.socket, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            if self._stop.is_set():
                return None
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)  # else ~48 ms per APDU
                chunk = sock.recv(size - len(data))
            except TimeoutError:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        return data

    def _serve(self) -> None:
        sock = self._socket
        if sock is None:
            return
        while not self._stop.is_set():
            header = self._recv_exactly(sock, 2)
            if header is None:
                break
            payload = self._recv_exactly(sock, int.from_bytes(header, "big"))
            if payload is None:
                break
            if len(payload) == 1:
                if payload[0] == 4:  # send ATR; power on/off/reset need no answer
                    self._send(sock, self.applet.atr)
                continue
            self.apdus += 1
            if self.remove_after is not None and self.apdus > self.remove_after:
                log.info("virtual card pulled mid-read after %d APDUs", self.remove_after)
                self._stop.set()
                sock.close()
                break
            self._send(sock, self.applet.respond(payload))

    @staticmethod
    def _send(sock: socket.socket, payload: bytes) -> None:
        with contextlib.suppress(OSError):
            sock.sendall(len(payload).to_bytes(2, "big") + payload)
