"""Turn one row of text into typed values, or into errors a clerk can act on ("第12行 身份证号 校验位错误").

Amounts go from text to fen exactly (no float); dates must exist; programme codes,
periods and categories are checked against the rules in force.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from device.idnumber import IdNumberError, parse_id_number
from kiosk.core.money import AmountError, yuan_to_fen
from kiosk.rules import Rulebook, parse_period
from kiosk.rules.periods import PeriodError

_ID_PROBLEMS = {
    "length": "应为18位",
    "characters": "只能包含数字，最后一位可以是X",
    "birth_date": "中的出生日期不存在",
    "check_digit": "校验位错误",
}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$|^(\d{4})(\d{2})(\d{2})$")


class CellError(ValueError):
    """Raised for one bad cell: `column` (its Chinese name), `value` as read, and `problem` in Chinese."""

    def __init__(self, column: str, value: str, problem: str) -> None:
        super().__init__(f"{column} {problem}")
        self.column = column
        self.value = value
        self.problem = problem


@lru_cache(maxsize=65536)  # a ledger names each person many times
def id_number(value: str, column: str = "身份证号") -> str:
    try:
        return parse_id_number(value).value
    except IdNumberError as error:
        raise CellError(column, value, _ID_PROBLEMS.get(error.reason, error.message_zh)) from None


def required(value: str, column: str) -> str:
    if not value:
        raise CellError(column, value, "不能为空")
    return value


@lru_cache(maxsize=4096)
def date(value: str, column: str) -> dt.date:
    match = _DATE.match(value.strip())
    try:
        if match is None:
            raise ValueError
        parts = [int(p) for p in match.groups() if p is not None]
        return dt.date(*parts)
    except ValueError:
        raise CellError(column, value, "不是有效日期（应为2025-03-15）") from None


@lru_cache(maxsize=4096)
def iso_date(value: str, column: str) -> tuple[dt.date, str]:
    """Parse a date cell once; return the date and its ISO text (what the store keeps)."""
    day = date(value, column)
    return day, day.isoformat()


def optional_date(value: str, column: str) -> dt.date | None:
    return date(value, column) if value else None


@lru_cache(maxsize=65536)  # a ledger repeats the same few standards millions of times
def amount_fen(value: str, column: str = "金额") -> int:
    """Parse yuan to fen; plain numbers take a fast integer path, anything else goes through Decimal."""
    text = value.strip()
    negative = text.startswith("-")
    whole, dot, cents = (text[1:] if negative else text).partition(".")
    if whole.isdigit() and len(whole) <= 12 and (not dot or (cents.isdigit() and len(cents) <= 2)):
        fen = int(whole) * 100 + (int(cents) * (10 if len(cents) == 1 else 1) if cents else 0)
        return -fen if negative else fen
    try:
        return yuan_to_fen(text)
    except AmountError as error:
        problem = "最多两位小数" if "decimals" in str(error) else "不是数字"
        raise CellError(column, value, problem) from None


def gender(value: str) -> str:
    mapping = {"男": "M", "女": "F", "m": "M", "f": "F", "1": "M", "2": "F"}
    if value.strip().lower() not in mapping:
        raise CellError("性别", value, "应为男或女")
    return mapping[value.strip().lower()]


def quantity(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise CellError("数量", value, "不是数字") from None
    if not number.is_finite() or number < 0:
        raise CellError("数量", value, "不是数字")
    return number


class ProgrammeCheck:
    """What the rules know of programme codes, their periods and their categories."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self._periods: dict[tuple[str, str], str] = {}

    def code(self, value: str) -> str:
        if value not in self.rulebook.policies:
            raise CellError("项目代码", value, f"未知的项目代码（可用：{'、'.join(self.rulebook.codes)}）")
        return value

    def period(self, code: str, value: str) -> str:
        cached = self._periods.get((code, value))
        if cached is not None:
            return cached
        try:
            period = parse_period(value)
        except PeriodError:
            raise CellError("所属期", value, "不是有效的所属期（如2025-03、2025、2025Q1、2025H1）") from None
        kind = self.rulebook.policies[code].period_kind
        if period.kind != kind:
            words = {
                "month": "按月（如2025-03）",
                "year": "按年（如2025）",
                "quarter": "按季度（如2025Q1）",
                "semester": "按学期（如2025H1）",
            }
            raise CellError("所属期", value, f"与此项目的发放周期不符，应{words[kind]}")
        self._periods[(code, value)] = period.code
        return period.code

    def category(self, code: str, value: str) -> str | None:
        """Check a category against the programme's tables (低保 A/B/C or an add-on group, school stages,
        特困 self-care levels and settings: "分散/全自理")."""
        policy = self.rulebook.policies[code]
        if policy.rule == "tekun" and {"monthly_by_setting", "monthly_care_by_level"} & set(
            policy.parameters
        ):
            return self._tekun_category(code, value)
        if "monthly_addon_by_category" in policy.parameters:  # a 差额 add-on: a member without one is fine
            groups = self._table_keys(code, ("monthly_addon_by_category",)) or set()
            if value and value not in groups:
                raise CellError(
                    "类别", value, f"不在此项目的加发类别中（可用：{'、'.join(sorted(groups))}，或留空）"
                )
            return value or None
        keys = self._table_keys(code, ("monthly_by_category", "semester_by_stage", "monthly_care_by_level"))
        if keys is None:
            return value or None
        if value not in keys:
            raise CellError("类别", value, f"不在此项目的标准中（可用：{'、'.join(sorted(keys))}）")
        return value

    def _tekun_category(self, code: str, value: str) -> str:
        settings = self._table_keys(code, ("monthly_by_setting",))
        levels = self._table_keys(code, ("monthly_care_by_level",))
        parts = [part.strip() for part in value.split("/") if part.strip()]
        given_settings = [part for part in parts if settings and part in settings]
        given_levels = [part for part in parts if levels and part in levels]
        wanted = []
        if settings:
            wanted.append(f"供养方式（{'、'.join(sorted(settings))}）")
        if levels:
            wanted.append(f"自理能力（{'、'.join(sorted(levels))}）")
        form = "，".join(wanted) + ("，用“/”隔开，如“分散/全自理”" if settings and levels else "")
        if (
            len(given_settings) != (1 if settings else 0)
            or len(given_levels) != (1 if levels else 0)
            or len(parts) != len(given_settings) + len(given_levels)
        ):
            raise CellError("类别", value, f"应填写{form}")
        return value

    def grade(self, code: str, number: Decimal | None) -> None:
        keys = self._table_keys(code, ("monthly_by_grade",))
        if keys is not None and (
            number is None or str(int(number)) not in {"1", "2", "3", "4"} or number != int(number)
        ):
            raise CellError("数量", "" if number is None else str(number), "残疾等级应为1到4")

    def _table_keys(self, code: str, names: tuple[str, ...]) -> set[str] | None:
        policy = self.rulebook.policies[code]
        for name in names:
            if name in policy.parameters:
                return {key for dated in policy[name].values for key in dated.value}  # type: ignore[union-attr]
        return None
