"""Numbers, money and dates as Mandarin is spoken: "七十三元三角三分", "二零二五年三月", "一千四百零八元".

The voice reads what the screen shows, but a screen's "¥73.33" or "2025年3月" read by a synthesiser
comes out as "七十三点三三" or "两千零二十五年": not how an elderly listener hears money or a year.
These give the words; the speech composer turns them into segments a voice pack can voice clip by clip.
Pure: integers and dates in, words out.
"""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"
_SMALL_UNITS = ("", "十", "百", "千")
_BIG_UNITS = ("", "万", "亿")


def _group_words(group: int) -> str:
    """0 < group < 10000 read on its own: 1005 → 一千零五, 20 → 二十 (the caller decides 十 and 两)."""
    words = ""
    zero = False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words += "零"
            zero = False
        words += _DIGITS[digit] + _SMALL_UNITS[position]
    return words


def integer_words(number: int) -> str:
    """0 → 零, 10 → 十, 15 → 十五, 110 → 一百一十, 1005 → 一千零五, 2000 → 两千, 20000 → 两万."""
    if number < 0:
        return "负" + integer_words(-number)
    if number == 0:
        return "零"
    groups: list[int] = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    words = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(words)
            continue
        if words and (need_zero or group < 1000):
            words += "零"
        words += _group_words(group) + _BIG_UNITS[index]
        need_zero = False
    if words.startswith("一十"):
        words = words[1:]  # 十五, not 一十五
    if words[:1] == "二" and words[1:2] in ("百", "千", "万", "亿"):
        words = "两" + words[1:]  # 两千, as it is said
    return words


def money_words(fen: int) -> str:
    """Integer fen as spoken money: 7333 → 七十三元三角三分, 44000 → 四百四十元, 10005 → 一百元零五分."""
    if fen < 0:
        return "负" + money_words(-fen)
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    words = f"{integer_words(yuan)}元" if yuan or not rest else ""
    if jiao:
        words += f"{_DIGITS[jiao]}角"
    if cents:
        words += f"{'零' if yuan and not jiao else ''}{_DIGITS[cents]}分"
    return words


def year_words(year: int) -> str:
    """2025 → 二零二五年: a year is read digit by digit."""
    return "".join(_DIGITS[int(digit)] for digit in str(year)) + "年"


def month_words(month: int) -> str:
    """3 → 三月, 11 → 十一月."""
    return integer_words(month) + "月"


def symbol_words(text: str) -> list[str]:
    """A tracking number or code read symbol by symbol: digits in Mandarin (1 as 幺, as on the phone),
    letters by name; the separators are left out. One entry per symbol, so the reader can pause between."""
    said = []
    for symbol in text:
        if symbol.isdigit():
            said.append("幺" if symbol == "1" else _DIGITS[int(symbol)])
        elif symbol.isalpha():
            said.append(symbol.upper())
    return said


def english_money(fen: int) -> str:
    """Integer fen as English says Chinese money: 7333 → '73 yuan 33 fen', 44000 → '440 yuan'."""
    sign = "minus " if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan} yuan" + (f" {cents} fen" if cents else "")
