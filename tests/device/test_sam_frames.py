"""SAM frame protocol and the ID card text block: literal frames from CARDS.md and round trips."""

import datetime as dt

import pytest

from device.errors import ExpiredCardError, MalformedCardError
from device.sam import (
    FIND,
    READ_TEXT_PHOTO,
    SELECT,
    FrameError,
    IdCardText,
    SamError,
    decode_response,
    encode_request,
    encode_response,
    encode_text,
    parse_read_data,
    parse_text,
)

CARD = IdCardText(
    "欧阳娜娜",
    "2",
    "01",
    dt.date(1949, 12, 31),
    "贵州省示范县明白镇石桥村12号",
    "11010519491231002X",
    "示范县公安局",
    dt.date(2016, 5, 1),
    None,
)


@pytest.mark.parametrize(
    ("request_", "frame"),
    [
        (FIND, "AAAAAA96690003200122"),
        (SELECT, "AAAAAA96690003200221"),
        (READ_TEXT_PHOTO, "AAAAAA96690003300132"),
        ((0x10, 0xFF), "AAAAAA9669000310FFEC"),
    ],
)
def test_request_frames(request_, frame):
    assert encode_request(*request_).hex().upper() == frame


def test_response_round_trip_and_read_frame_size():
    data = (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + encode_text(CARD) + bytes(1024)
    frame = encode_response(0x90, data)
    assert len(frame) == 1295
    response = decode_response(frame)
    assert response.sw3 == 0x90 and parse_read_data(response.data) == CARD


@pytest.mark.parametrize(
    "frame",
    [
        encode_response(0x90, b"ab", corrupt=True),
        encode_response(0x90)[:-2],
        b"\x00" * 12,
        b"\xaa\xaa\xaa\x96\x69\x00\x02\x00\x00\x02\x00",
    ],
)
def test_bad_frames(frame):
    with pytest.raises(FrameError):
        decode_response(frame)


def test_text_fields_and_long_term_validity():
    text = parse_text(encode_text(CARD))
    assert text.name == "欧阳娜娜" and text.valid_to is None and text.birth_on == dt.date(1949, 12, 31)
    text.check_valid(dt.date(2099, 1, 1))


def test_expired_card():
    expired = IdCardText(*[getattr(CARD, f) for f in CARD.__dataclass_fields__][:-1], dt.date(2026, 5, 1))
    text = parse_text(encode_text(expired))
    text.check_valid(dt.date(2026, 5, 1))
    with pytest.raises(ExpiredCardError):
        text.check_valid(dt.date(2026, 5, 2))


@pytest.mark.parametrize(
    "block", [b"\x00" * 255, encode_text(CARD)[:36] + "2025X301".encode("utf-16-le") + encode_text(CARD)[52:]]
)
def test_malformed_text(block):
    with pytest.raises(MalformedCardError):
        parse_text(block)


def test_read_data_lengths_must_agree():
    with pytest.raises(MalformedCardError):
        parse_read_data((256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + encode_text(CARD))


@pytest.mark.parametrize(
    ("sw3", "reason"),
    [
        (0x80, "no_card"),
        (0x41, "read_failed"),
        (0x66, "not_authorised"),
        (0x10, "checksum"),
        (0x33, "auth"),
        (0x77, "sam_status"),
    ],
)
def test_sam_error_reasons(sw3, reason):
    assert SamError(sw3).reason == reason
