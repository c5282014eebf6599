import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from device.idnumber import IdNumberError, check_character, mask_account, mask_id_number, parse_id_number


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "11010519491231002x"])
def test_valid_examples_from_gb11643(number):
    parsed = parse_id_number(number)
    assert parsed.value == number.upper()


def test_fields():
    parsed = parse_id_number("11010519491231002X")
    assert (parsed.region_code, parsed.birth_on, parsed.gender) == ("110105", dt.date(1949, 12, 31), "F")
    assert str(parsed) == "110105********002X" and "1949" not in repr(parsed)


@pytest.mark.parametrize(
    ("text", "reason", "message"),
    [
        ("110105194912310021", "check_digit", "身份证号校验位错误"),
        ("11010519491231002", "length", "身份证号应为18位"),
        ("11010519491231002Y", "characters", "身份证号只能包含数字，最后一位可以是X"),
        ("110105194902300023", "birth_date", "身份证号中的出生日期不存在"),
        ("", "length", "身份证号应为18位"),
    ],
)
def test_invalid_numbers_say_why(text, reason, message):
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(text)
    assert (caught.value.reason, caught.value.message_zh) == (reason, message)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_exactly_one_check_character_is_accepted(first17):
    good = first17 + check_character(first17)
    try:
        parse_id_number(good)
    except IdNumberError as error:
        assert error.reason == "birth_date"
        return
    for other in "0123456789X":
        if other != good[-1]:
            with pytest.raises(IdNumberError):
                parse_id_number(first17 + other)


def test_masks():
    assert mask_id_number("522799195003050012") == "522799********0012"
    assert mask_account("6217990100000000123") == "****0123"
