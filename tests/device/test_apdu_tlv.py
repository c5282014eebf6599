"""APDU chaining and BER-TLV: literal byte tables."""

import pytest

from device.apdu import ChainingConnection, command
from device.errors import ApduError
from device.tlv import TlvError, find_tag, parse_tlv


class Script:
    """A connection that answers from a list of (expected command hex, response hex)."""

    def __init__(self, steps):
        self.steps = list(steps)

    def transmit(self, apdu):
        expected, response = self.steps.pop(0)
        assert apdu.hex().upper() == expected
        raw = bytes.fromhex(response)
        return raw[:-2], int.from_bytes(raw[-2:], "big")


def test_61xx_is_followed_by_get_response_until_done():
    card = Script([("00A40400020102", "6104"), ("00C0000004", "AABB6102"), ("00C0000002", "CCDD9000")])
    assert ChainingConnection(card).transmit(bytes.fromhex("00A40400020102")) == (
        bytes.fromhex("AABBCCDD"),
        0x9000,
    )


def test_6cxx_resends_with_the_right_le():
    card = Script([("00B2010400", "6C05"), ("00B2010405", "01030102039000")])
    assert ChainingConnection(card).transmit(bytes.fromhex("00B2010400")) == (
        bytes.fromhex("0103010203"),
        0x9000,
    )


def test_endless_chaining_is_an_error():
    card = Script([("00A4040000", "6101")] + [("00C0000001", "006101")] * 40)
    with pytest.raises(ApduError, match="response chaining"):
        ChainingConnection(card).transmit(bytes.fromhex("00A4040000"))


def test_other_status_words_pass_through():
    assert ChainingConnection(Script([("00A4040000", "6A82")])).transmit(bytes.fromhex("00A4040000")) == (
        b"",
        0x6A82,
    )


def test_command_builder():
    assert command(0x80, 0xA8, 0, 0, bytes.fromhex("8300"), le=0).hex().upper() == "80A80000028300" + "00"


@pytest.mark.parametrize(
    ("hexdata", "expected"),
    [
        ("5A0862179901000000015F2003414243", [(0x5A, "6217990100000001"), (0x5F20, "414243")]),
        ("00FF9F6102AAAA", [(0x9F61, "AAAA")]),  # padding between objects
        ("708181" + "57" + "7F" + "00" * 127, [(0x70, "57" + "7F" + "00" * 127)]),  # long form length
    ],
)
def test_parse_tlv(hexdata, expected):
    assert [(t.tag, t.value.hex().upper()) for t in parse_tlv(bytes.fromhex(hexdata))] == expected


@pytest.mark.parametrize(
    "hexdata", ["5A08AABB", "9F", "5F", "5A", "5A85FFFFFFFFFF", "5A8105AA", "1FFFFFFFFF0100"]
)
def test_malformed_tlv(hexdata):
    with pytest.raises(TlvError):
        parse_tlv(bytes.fromhex(hexdata))


def test_find_tag_searches_constructed_templates():
    data = bytes.fromhex("6F108407A0000003330101A5059F38020000")
    assert find_tag(data, 0x9F38) == bytes.fromhex("0000")
    assert find_tag(data, 0x5A) is None
