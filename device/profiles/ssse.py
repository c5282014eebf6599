"""Social security card (社会保障卡), SSSE application: ID number and name from EF06, card number from EF05.

Records are `tag len value`; `an` fields are padded with 00, names are GBK (CARDS.md §5).
"""

from __future__ import annotations

from device.apdu import SW, CardConnection, command, require_ok
from device.base import CardIdentity
from device.errors import MalformedCardError, NotThisCardError

SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")  # "sx1.sh." + GBK "社会保障"
EF05 = bytes.fromhex("EF05")
EF06 = bytes.fromhex("EF06")
TAG_CARD_NUMBER = 0x07
TAG_ID_NUMBER = 0x08
TAG_NAME = 0x09


def select_file(fid: bytes) -> bytes:
    return command(0x00, 0xA4, 0x02, 0x00, fid)


def read_record(number: int) -> bytes:
    return command(0x00, 0xB2, number, 0x04, le=0x00)


def parse_record(data: bytes, tag: int) -> bytes:
    """Return the value of a `tag len value` record, without its padding.

    Raises MalformedCardError if the tag differs or the length runs past the data.

    >>> parse_record(bytes.fromhex("0903") + "张".encode("gbk") + b"\\x00", 0x09).decode("gbk")
    '张'
    """
    if len(data) < 2:
        raise MalformedCardError(f"record {tag:02X} is {len(data)} bytes long")
    if data[0] != tag:
        raise MalformedCardError(f"expected record tag {tag:02X}, found {data[0]:02X}")
    length = data[1]
    if 2 + length > len(data):
        raise MalformedCardError(f"record {tag:02X} says {length} bytes, has {len(data) - 2}")
    return data[2 : 2 + length].rstrip(b"\x00").rstrip(b"\xff")


def _text(value: bytes, encoding: str, what: str) -> str:
    try:
        return value.decode(encoding).strip()
    except UnicodeDecodeError:
        raise MalformedCardError(f"{what} is not valid {encoding}") from None


def read_ssse(connection: CardConnection) -> CardIdentity:
    """Read a social security card; NotThisCardError if the SSSE application is absent."""
    data, sw = connection.transmit(command(0x00, 0xA4, 0x04, 0x00, SSSE_AID))
    if sw != SW.OK:
        raise NotThisCardError(f"no SSSE application (SW={sw:04X})")
    require_ok(connection, select_file(EF05), "select EF05")
    card_number = _text(
        parse_record(require_ok(connection, read_record(7), "read EF05/7"), TAG_CARD_NUMBER),
        "ascii",
        "card number",
    )
    require_ok(connection, select_file(EF06), "select EF06")
    id_number = _text(
        parse_record(require_ok(connection, read_record(1), "read EF06/1"), TAG_ID_NUMBER),
        "ascii",
        "ID number",
    )
    name = _text(parse_record(require_ok(connection, read_record(2), "read EF06/2"), TAG_NAME), "gbk", "name")
    if not id_number:
        raise MalformedCardError("the card holds no ID number")
    return CardIdentity(id_number=id_number, name=name, source="ssse", account=card_number)
