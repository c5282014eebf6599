"""Resident ID card through a plain ISO 14443-B reader: only the 8-byte chip serial (00 36 00 00 08).

The serial is not the ID number; it identifies a person only through a configured registry.
"""

from __future__ import annotations

from device.apdu import SW, CardConnection
from device.base import CardIdentity
from device.errors import MalformedCardError, NotThisCardError

GET_CHIP_SERIAL = bytes.fromhex("0036000008")


def parse_chip_serial(data: bytes) -> str:
    """Return the chip serial as upper-case hex.

    >>> parse_chip_serial(bytes.fromhex("0123456789ABCDEF"))
    '0123456789ABCDEF'
    """
    if len(data) != 8:
        raise MalformedCardError(f"chip serial is {len(data)} bytes, not 8")
    if not any(data):
        raise MalformedCardError("chip serial is all zeros")
    return data.hex().upper()


def read_chip_serial(connection: CardConnection) -> CardIdentity:
    """Read the chip serial; NotThisCardError if the card does not answer the command."""
    data, sw = connection.transmit(GET_CHIP_SERIAL)
    if sw != SW.OK:
        raise NotThisCardError(f"no ID-card chip serial (SW={sw:04X})")
    return CardIdentity(chip_serial=parse_chip_serial(data), source="idserial")
