from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.money import AmountError, format_yuan, multiply_fen, yuan_to_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("336.00", 33600),
        ("336", 33600),
        ("0.1", 10),
        ("-12.5", -1250),
        ("1,200.05", 120005),
        ("¥8.80", 880),
        ("1.500", 150),
        (" 42 ", 4200),
    ],
)
def test_yuan_to_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["1.005", "abc", "", "NaN", "Infinity", "1e", "0.001"])
def test_yuan_to_fen_refuses(text):
    with pytest.raises(AmountError):
        yuan_to_fen(text)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_and_parse_round_trip(fen):
    assert yuan_to_fen(format_yuan(fen)) == fen


def test_format_refuses_floats():
    with pytest.raises(TypeError):
        format_yuan(1.5)  # type: ignore[arg-type]


def test_multiply_rounds_half_up():
    assert multiply_fen(Decimal("0.005"), 100) == 1
    assert multiply_fen(Decimal("0.004"), 100) == 0
