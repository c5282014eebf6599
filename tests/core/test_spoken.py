"""Money, numbers and dates as they are said in Mandarin."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.spoken import integer_words, money_words, month_words, symbol_words, year_words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "零"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (110, "一百一十"),
        (1005, "一千零五"),
        (1408, "一千四百零八"),
        (2000, "两千"),
        (10010, "一万零一十"),
        (20000, "两万"),
        (100500, "十万零五百"),
        (3780, "三千七百八十"),
    ],
)
def test_integers(number, words):
    assert integer_words(number) == words


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (7333, "七十三元三角三分"),
        (44000, "四百四十元"),
        (10005, "一百元零五分"),
        (10050, "一百元五角"),
        (5, "五分"),
        (0, "零元"),
        (140800, "一千四百零八元"),
    ],
)
def test_money(fen, words):
    assert money_words(fen) == words


def test_years_months_and_symbols():
    assert year_words(2025) == "二零二五年"
    assert month_words(3) == "三月" and month_words(11) == "十一月"
    assert symbol_words("K7QM-3XPD-1") == ["K", "七", "Q", "M", "三", "X", "P", "D", "幺"]


_VALUE = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT = {"十": 10, "百": 100, "千": 1000}


def _read_back(words: str) -> int:
    """A small independent reader of Mandarin numbers, to check integer_words round-trips."""
    total, section, digit = 0, 0, 0
    for char in words:
        if char in _VALUE:
            digit = _VALUE[char]
        elif char in _UNIT:
            section += (digit or 1) * _UNIT[char]
            digit = 0
        elif char == "万":
            total += (section + digit) * 10000
            section = digit = 0
        elif char == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    return total + section + digit


@given(st.integers(min_value=0, max_value=99_999_999))
def test_every_integer_reads_back_to_itself(number):
    assert _read_back(integer_words(number)) == number
