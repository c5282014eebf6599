"""BER-TLV as used by EMV/PBOC cards: parse, search, and fail with TlvError on malformed input."""

from __future__ import annotations

from dataclasses import dataclass


class TlvError(ValueError):
    """Raised when bytes are not well-formed BER-TLV."""


@dataclass(frozen=True, slots=True)
class Tlv:
    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        first = self.tag
        while first > 0xFF:
            first >>= 8
        return bool(first & 0x20)


def parse_tlv(data: bytes) -> list[Tlv]:
    """Parse a sequence of BER-TLV objects (top level only); 00 and FF padding between objects is skipped.

    >>> parse_tlv(bytes.fromhex("5A0862179901000000015F2003414243"))[1]
    Tlv(tag=24352, value=b'ABC')
    """
    items: list[Tlv] = []
    index = 0
    while index < len(data):
        if data[index] in (0x00, 0xFF):
            index += 1
            continue
        tag = data[index]
        index += 1
        if tag & 0x1F == 0x1F:  # multi-byte tag
            for _ in range(3):
                if index >= len(data):
                    raise TlvError("tag runs past the end")
                tag = (tag << 8) | data[index]
                index += 1
                if not data[index - 1] & 0x80:
                    break
            else:
                raise TlvError("tag longer than four bytes")
        if index >= len(data):
            raise TlvError(f"tag {tag:X} has no length")
        length = data[index]
        index += 1
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 3 or index + count > len(data):
                raise TlvError(f"tag {tag:X} has a bad length field")
            length = int.from_bytes(data[index : index + count], "big")
            index += count
        if index + length > len(data):
            raise TlvError(f"tag {tag:X} says {length} bytes but only {len(data) - index} remain")
        items.append(Tlv(tag, bytes(data[index : index + length])))
        index += length
    return items


def find_tag(data: bytes, tag: int) -> bytes | None:
    """Return the value of the first `tag` anywhere in `data`, searching inside constructed objects."""
    for item in parse_tlv(data):
        if item.tag == tag:
            return item.value
        if item.constructed:
            found = find_tag(item.value, tag)
            if found is not None:
                return found
    return None
