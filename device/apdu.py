"""APDUs over any card connection: status words, errors, and response chaining done once.

A connection is anything with `transmit(apdu: bytes) -> (data, sw)`. The chaining
layer wraps one and takes care of 61xx (GET RESPONSE) and 6Cxx (re-send with the
right Le), so card profiles only ever see complete answers. (yubikey-manager's shape.)
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

from device.errors import ApduError


class SW(IntEnum):
    OK = 0x9000
    WRONG_LENGTH = 0x6700
    SECURITY_NOT_SATISFIED = 0x6982
    CONDITIONS_NOT_SATISFIED = 0x6985
    FILE_NOT_FOUND = 0x6A82
    RECORD_NOT_FOUND = 0x6A83
    INCORRECT_P1P2 = 0x6A86
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00


class CardConnection(Protocol):
    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; return the response data and the status word."""
        ...


MAX_CHAIN = 32  # a card that keeps answering 61xx forever is broken, not generous


class ChainingConnection:
    """Follow 61xx with GET RESPONSE and 6Cxx with a re-send carrying Le = SW2."""

    def __init__(self, inner: CardConnection) -> None:
        self.inner = inner

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        data, sw = self.inner.transmit(apdu)
        for _ in range(MAX_CHAIN):
            if sw >> 8 == 0x6C and len(apdu) >= 4:
                apdu = apdu[:4] + bytes([sw & 0xFF]) if len(apdu) <= 5 else apdu[:-1] + bytes([sw & 0xFF])
                data, sw = self.inner.transmit(apdu)
            elif sw >> 8 == 0x61:
                more, sw = self.inner.transmit(bytes([apdu[0] & 0x03, 0xC0, 0x00, 0x00, sw & 0xFF]))
                data += more
            else:
                return data, sw
        raise ApduError(data, sw, "response chaining")


def command(cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
    """Build a short command APDU.

    >>> command(0x00, 0xA4, 0x02, 0x00, bytes.fromhex("EF05")).hex().upper()
    '00A4020002EF05'
    """
    apdu = bytes([cla, ins, p1, p2])
    if data:
        apdu += bytes([len(data)]) + data
    if le is not None:
        apdu += bytes([le])
    return apdu


def require_ok(connection: CardConnection, apdu: bytes, what: str) -> bytes:
    """Transmit and return the data; raise ApduError unless the card said 9000."""
    data, sw = connection.transmit(apdu)
    if sw != SW.OK:
        raise ApduError(data, sw, what)
    return data
