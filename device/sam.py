"""The resident ID card SAM reader's frame protocol (`AA AA AA 96 69`) and the card's text block.

Pure functions over bytes: build request frames, decode response frames, parse and
(for the emulator and tests) build the 256-byte UCS-2 text block. The photo is never
decoded and the fingerprint command is never sent (CARDS.md §3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce

from device.errors import CardError, ExpiredCardError, MalformedCardError, ReaderError

PREAMBLE = bytes.fromhex("AAAAAA9669")
RESET, SAM_STATUS, SAM_ID = (0x10, 0xFF), (0x11, 0xFF), (0x12, 0xFF)
FIND, SELECT, READ_TEXT_PHOTO = (0x20, 0x01), (0x20, 0x02), (0x30, 0x01)
TEXT_LENGTH, PHOTO_LENGTH = 256, 1024

SW3_OK, SW3_FOUND, SW3_NO_CARD = 0x90, 0x9F, 0x80
SW3_REASONS = {
    0x80: ("no_card", "no card in the field"),
    0x81: ("select_failed", "card select failed"),
    0x10: ("checksum", "the reader received a bad checksum"),
    0x11: ("length", "the reader received a bad length"),
    0x21: ("command", "the reader did not understand the command"),
    0x31: ("auth", "card authentication failed"),
    0x32: ("auth", "SAM authentication failed"),
    0x33: ("auth", "information verification failed"),
    0x40: ("wrong_card", "not a resident ID card"),
    0x41: ("read_failed", "reading the card failed"),
    0x60: ("sam_failed", "SAM self-test failed"),
    0x66: ("not_authorised", "reader not authorised"),
}


class SamError(CardError):
    """Raised when the SAM answers a card command with an error SW3; `reason` is from SW3_REASONS."""

    def __init__(self, sw3: int) -> None:
        self.reason, text = SW3_REASONS.get(sw3, ("sam_status", f"unexpected SW3 {sw3:02X}"))
        super().__init__(f"{text} (SW3={sw3:02X})")
        self.sw3 = sw3


class FrameError(ReaderError):
    """Raised when a frame from the reader is malformed (preamble, length or checksum)."""

    reason = "frame"


def checksum(body: bytes) -> int:
    """XOR of every byte after the preamble (LEN included), excluding the checksum itself."""
    return reduce(lambda a, b: a ^ b, body, 0)


def encode_request(cmd: int, para: int, data: bytes = b"") -> bytes:
    """Build a request frame.

    >>> encode_request(*FIND).hex().upper(), encode_request(*READ_TEXT_PHOTO).hex().upper()
    ('AAAAAA96690003200122', 'AAAAAA96690003300132')
    """
    body = (len(data) + 3).to_bytes(2, "big") + bytes([cmd, para]) + data
    return PREAMBLE + body + bytes([checksum(body)])


def encode_response(sw3: int, data: bytes = b"", *, corrupt: bool = False) -> bytes:
    """Build a response frame (used by the emulator); `corrupt` spoils the checksum."""
    body = (len(data) + 4).to_bytes(2, "big") + bytes([0x00, 0x00, sw3]) + data
    return PREAMBLE + body + bytes([checksum(body) ^ (0xFF if corrupt else 0)])


@dataclass(frozen=True, slots=True)
class SamResponse:
    sw3: int
    data: bytes


def decode_response(frame: bytes) -> SamResponse:
    """Check and decode one complete response frame.

    Raises FrameError for a wrong preamble, length or checksum.
    """
    if len(frame) < 11 or frame[:5] != PREAMBLE:
        raise FrameError("response frame too short or without preamble")
    length = int.from_bytes(frame[5:7], "big")
    if len(frame) != 7 + length or length < 4:
        raise FrameError(f"response frame length {len(frame)} disagrees with LEN {length}")
    if checksum(frame[5:-1]) != frame[-1]:
        raise FrameError("response frame checksum error")
    return SamResponse(frame[9], frame[10:-1])


@dataclass(frozen=True, slots=True)
class IdCardText:
    """The text block of a second-generation ID card (never the photo)."""

    name: str
    gender_code: str
    ethnicity_code: str
    birth_on: dt.date
    address: str
    id_number: str
    authority: str
    valid_from: dt.date
    valid_to: dt.date | None  # None: 长期 (no end)

    def check_valid(self, today: dt.date) -> None:
        """Raise ExpiredCardError if the card's validity ended before `today`."""
        if self.valid_to is not None and self.valid_to < today:
            raise ExpiredCardError(f"ID card valid to {self.valid_to.isoformat()}")


_FIELDS = (
    ("name", 0, 30),
    ("gender", 30, 2),
    ("ethnicity", 32, 4),
    ("birth", 36, 16),
    ("address", 52, 70),
    ("id", 122, 36),
    ("authority", 158, 30),
    ("valid_from", 188, 16),
    ("valid_to", 204, 16),
)


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise MalformedCardError(f"{what} {text!r} is not a date") from None


def parse_text(block: bytes) -> IdCardText:
    """Parse the 256-byte UCS-2 little-endian text block.

    Raises MalformedCardError for a wrong size, undecodable text or impossible dates.
    """
    if len(block) != TEXT_LENGTH:
        raise MalformedCardError(f"text block is {len(block)} bytes, not {TEXT_LENGTH}")
    fields = {}
    for name, offset, size in _FIELDS:
        try:
            fields[name] = block[offset : offset + size].decode("utf-16-le").strip(" \x00")
        except UnicodeDecodeError:
            raise MalformedCardError(f"{name} is not UCS-2") from None
    valid_to = fields["valid_to"]
    return IdCardText(
        name=fields["name"],
        gender_code=fields["gender"],
        ethnicity_code=fields["ethnicity"],
        birth_on=_date(fields["birth"], "birth date"),
        address=fields["address"],
        id_number=fields["id"],
        authority=fields["authority"],
        valid_from=_date(fields["valid_from"], "valid from"),
        valid_to=None if valid_to == "长期" else _date(valid_to, "valid to"),
    )


def encode_text(text: IdCardText) -> bytes:
    """Build a text block (the emulator's card), space-padded UCS-2 LE."""
    values = {
        "name": text.name,
        "gender": text.gender_code,
        "ethnicity": text.ethnicity_code,
        "birth": f"{text.birth_on:%Y%m%d}",
        "address": text.address,
        "id": text.id_number,
        "authority": text.authority,
        "valid_from": f"{text.valid_from:%Y%m%d}",
        "valid_to": "长期" if text.valid_to is None else f"{text.valid_to:%Y%m%d}",
    }
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LENGTH // 2))
    for name, offset, size in _FIELDS:
        encoded = values[name].encode("utf-16-le")[:size]
        block[offset : offset + len(encoded)] = encoded
    return bytes(block)


def parse_read_data(data: bytes) -> IdCardText:
    """Parse the data of a `30 01` response: text length, photo length, text, photo."""
    if len(data) < 4:
        raise MalformedCardError("read response too short")
    text_length = int.from_bytes(data[0:2], "big")
    photo_length = int.from_bytes(data[2:4], "big")
    if text_length != TEXT_LENGTH or len(data) != 4 + text_length + photo_length:
        raise MalformedCardError(
            f"read response lengths {text_length}+{photo_length} disagree with {len(data)}"
        )
    return parse_text(data[4 : 4 + text_length])
