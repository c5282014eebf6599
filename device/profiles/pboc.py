"""PBOC / EMV bank card (the "一卡通" subsidies are paid to): PAN, and the holder's ID number when present.

SELECT PPSE/PSE → SELECT AID → GET PROCESSING OPTIONS → READ RECORD over the AFL,
then BER-TLV: 5A PAN, 57 track 2, 5F20 name, 9F61 holder ID number, 9F62 ID type
(CARDS.md §6). No PIN is involved. The PAN is the dependable key.
"""

from __future__ import annotations

from device.apdu import SW, CardConnection, command, require_ok
from device.base import CardIdentity
from device.errors import MalformedCardError, NotThisCardError
from device.tlv import TlvError, find_tag, parse_tlv

PPSE = b"2PAY.SYS.DDF01"
PSE = b"1PAY.SYS.DDF01"
UNIONPAY_AIDS = tuple(
    bytes.fromhex(h) for h in ("A000000333010101", "A000000333010102", "A000000333010103", "A000000333010106")
)
MAX_RECORDS = 64


def select_by_name(name: bytes) -> bytes:
    return command(0x00, 0xA4, 0x04, 0x00, name, le=0x00)


def parse_dol(dol: bytes) -> list[tuple[int, int]]:
    """Parse a data object list (tags and lengths, no values).

    >>> parse_dol(bytes.fromhex("9F66049F02069F37045F2A02"))
    [(40806, 4), (40706, 6), (40759, 4), (24362, 2)]
    """
    items = []
    index = 0
    while index < len(dol):
        tag = dol[index]
        index += 1
        if tag & 0x1F == 0x1F:
            while True:
                if index >= len(dol):
                    raise MalformedCardError("PDOL tag runs past the end")
                tag = (tag << 8) | dol[index]
                index += 1
                if not dol[index - 1] & 0x80 or tag > 0xFFFFFF:
                    break
        if index >= len(dol):
            raise MalformedCardError("PDOL entry has no length")
        items.append((tag, dol[index]))
        index += 1
    return items


def parse_afl(afl: bytes) -> list[tuple[int, int]]:
    """Return (SFI, record) pairs from an Application File Locator.

    >>> parse_afl(bytes.fromhex("08010200" "10010100"))
    [(1, 1), (1, 2), (2, 1)]
    """
    if len(afl) % 4:
        raise MalformedCardError(f"AFL length {len(afl)} is not a multiple of 4")
    records: list[tuple[int, int]] = []
    for index in range(0, len(afl), 4):
        sfi, first, last = afl[index] >> 3, afl[index + 1], afl[index + 2]
        if not 1 <= sfi <= 30 or first == 0 or last < first:
            raise MalformedCardError(f"AFL entry {afl[index : index + 4].hex()} is invalid")
        records.extend((sfi, number) for number in range(first, last + 1))
    if len(records) > MAX_RECORDS:
        raise MalformedCardError(f"AFL names {len(records)} records")
    return records


def parse_gpo(response: bytes) -> bytes:
    """Return the AFL from a GET PROCESSING OPTIONS response (format 1 tag 80, or format 2 tag 77)."""
    try:
        items = parse_tlv(response)
    except TlvError as error:
        raise MalformedCardError(f"GPO response: {error}") from None
    if not items:
        raise MalformedCardError("empty GPO response")
    if items[0].tag == 0x80:
        if len(items[0].value) < 2:
            raise MalformedCardError("GPO format 1 too short")
        return items[0].value[2:]
    if items[0].tag == 0x77:
        afl = find_tag(items[0].value, 0x94)
        if afl is None:
            raise MalformedCardError("GPO response has no AFL")
        return afl
    raise MalformedCardError(f"GPO response template {items[0].tag:X}")


def pan_from(records: bytes) -> str:
    """Return the PAN from tag 5A, else from track 2 (57); BCD with F padding."""
    pan = find_tag(records, 0x5A)
    if pan is None:
        track2 = find_tag(records, 0x57)
        if track2 is None:
            raise MalformedCardError("no PAN (5A) and no track 2 (57)")
        digits = track2.hex().upper()
        if "D" not in digits:
            raise MalformedCardError("track 2 has no separator")
        return _digits(digits.split("D", 1)[0])
    return _digits(pan.hex().upper().rstrip("F"))


def _digits(text: str) -> str:
    if not text.isdigit() or not 12 <= len(text) <= 19:
        raise MalformedCardError("the PAN is not 12 to 19 digits")
    return text


def parse_records(records: bytes) -> CardIdentity:
    """Build the identity from the concatenated record templates (each a tag-70 object).

    >>> parse_records(bytes.fromhex("700A5A086217990100000001")).account
    '6217990100000001'
    """
    try:
        pan = pan_from(records)
        holder_id = find_tag(records, 0x9F61) or b""
        id_type = find_tag(records, 0x9F62)
        name = find_tag(records, 0x5F20) or b""
    except TlvError as error:
        raise MalformedCardError(f"record data: {error}") from None
    id_number = ""
    if holder_id and (id_type is None or id_type == b"\x00"):
        try:
            id_number = holder_id.rstrip(b"\x00 ").decode("ascii")
        except UnicodeDecodeError:
            raise MalformedCardError("holder ID (9F61) is not ASCII") from None
    return CardIdentity(
        id_number=id_number, name=name.decode("gbk", "replace").strip(), source="pboc", account=pan
    )


def read_pboc(connection: CardConnection) -> CardIdentity:
    """Read a UnionPay/PBOC card; NotThisCardError if it has no payment application."""
    aids: list[bytes] = []
    for directory in (PPSE, PSE):
        data, sw = connection.transmit(select_by_name(directory))
        if sw == SW.OK:
            try:
                aids = [item for item in _all_tags(data, 0x4F)]
            except TlvError:
                aids = []
            break
    fci = None
    for aid in [*aids, *[a for a in UNIONPAY_AIDS if a not in aids]]:
        data, sw = connection.transmit(select_by_name(aid))
        if sw == SW.OK:
            fci = data
            break
    if fci is None:
        raise NotThisCardError("no payment application")
    try:
        pdol = find_tag(fci, 0x9F38)
    except TlvError as error:
        raise MalformedCardError(f"FCI: {error}") from None
    values = bytes(sum(length for _, length in parse_dol(pdol))) if pdol else b""
    gpo = require_ok(
        connection,
        command(0x80, 0xA8, 0x00, 0x00, bytes([0x83, len(values)]) + values, le=0x00),
        "GET PROCESSING OPTIONS",
    )
    records = b""
    for sfi, number in parse_afl(parse_gpo(gpo)):
        records += require_ok(
            connection, command(0x00, 0xB2, number, (sfi << 3) | 0x04, le=0x00), f"READ RECORD {sfi}/{number}"
        )
    return parse_records(records)


def _all_tags(data: bytes, tag: int) -> list[bytes]:
    found = []
    for item in parse_tlv(data):
        if item.tag == tag:
            found.append(item.value)
        elif item.constructed:
            found.extend(_all_tags(item.value, tag))
    return found
