"""Any bytes into any parser: an identity or one of the defined errors, never another exception."""

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from device.errors import CardError
from device.profiles import read_card
from device.profiles.pboc import parse_afl, parse_dol, parse_gpo, parse_records
from device.profiles.ssse import parse_record
from device.sam import decode_response, parse_read_data, parse_text
from device.tlv import TlvError, find_tag, parse_tlv

DEFINED = (CardError, TlvError)


def survives(function, *args):
    with contextlib.suppress(DEFINED):
        function(*args)


@given(st.binary(max_size=300))
def test_byte_parsers(data):
    for function in (
        parse_tlv,
        parse_afl,
        parse_dol,
        parse_gpo,
        parse_records,
        decode_response,
        parse_read_data,
    ):
        survives(function, data)
    survives(find_tag, data, 0x5A)
    survives(parse_record, data, 0x08)


@given(st.binary(min_size=256, max_size=256))
def test_text_block(block):
    survives(parse_text, block)


class RandomCard:
    """A card that answers every command with whatever hypothesis draws."""

    def __init__(self, answers):
        self.answers = list(answers)

    def transmit(self, apdu):
        if not self.answers:
            return b"", 0x6A82
        raw = self.answers.pop(0)
        return raw[:-2], int.from_bytes(raw[-2:].rjust(2, b"\x00"), "big")


@given(
    st.lists(
        st.one_of(st.binary(max_size=80), st.sampled_from([b"\x90\x00", b"\x61\x05", b"\x6c\x03"])),
        max_size=30,
    )
)
def test_profiles_against_random_cards(answers):
    survives(read_card, RandomCard(answers))
