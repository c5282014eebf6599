"""The kinds of data file, their columns (Chinese headers first, English aliases), and header matching.

A county whose spreadsheets use other headers maps them with a small TOML file:

    [columns]
    "证件号码" = "id_number"
    "发放金额（元）" = "amount"
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


class FormatError(ValueError):
    """Raised when a file's headers fit no kind, or a mapping file is unusable; the message names the file."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    zh: str
    aliases: tuple[str, ...] = ()
    required: bool = True


ID = Column("id_number", "身份证号", ("id_number", "证件号码", "公民身份号码", "身份证号码"))
NAME = Column("name", "姓名", ("name",))
SOURCE = Column("source", "数据来源", ("source", "来源", "信息来源"))

KINDS: dict[str, tuple[Column, ...]] = {
    "villages": (
        Column("village_code", "村代码", ("village_code", "村编码", "行政区划代码")),
        Column("village_name", "村名", ("village_name", "村名称")),
        Column("township", "乡镇", ("township", "乡镇（街道）"), required=False),
    ),
    "persons": (
        ID,
        NAME,
        Column("gender", "性别", ("gender", "sex")),
        Column("village", "村", ("village", "所在村", "村组")),
        Column("household", "户号", ("household", "户编号")),
        Column("death_date", "死亡日期", ("death_date", "死亡时间"), required=False),
        Column("account", "银行账号", ("account", "bank_account", "社保卡号"), required=False),
    ),
    "enrolments": (
        ID,
        Column("programme", "项目代码", ("programme", "programme_code")),
        Column("category", "类别", ("category", "保障类别"), required=False),
        Column("quantity", "数量", ("quantity", "面积", "残疾等级"), required=False),
        Column("start", "开始日期", ("start", "start_date", "起始日期")),
        Column("end", "结束日期", ("end", "end_date", "终止日期"), required=False),
        Column("approver", "审批人", ("approver", "审核人", "审批经办人"), required=False),
    ),
    "payments": (
        ID,
        NAME,
        Column("programme", "项目代码", ("programme", "programme_code")),
        Column("period", "所属期", ("period", "所属期间", "发放期间")),
        Column("amount", "金额", ("amount", "发放金额")),
        Column("paid_on", "发放日期", ("paid_on", "paid_date", "发放时间")),
        Column("account", "账号", ("account", "银行账号", "卡号")),
        Column("batch", "批次号", ("batch", "批次")),
        Column("operator", "经办人", ("operator", "发放经办人"), required=False),
        Column("entered_by", "录入人", ("entered_by", "数据录入人"), required=False),
    ),
    "households": (
        Column("village", "村", ("village", "所在村", "村组")),
        Column("household", "户号", ("household", "户编号")),
        Column("head_id_number", "户主身份证号", ("head_id_number", "户主证件号码", "户主公民身份号码")),
        Column("verified_on", "核定日期", ("verified_on", "收入核定日期", "核对日期"), required=False),
        Column("income", "家庭月人均收入", ("income", "per_capita_income", "月人均收入"), required=False),
    ),
    # cross-check registers (kiosk.imports.registers): each row names its source, and usually a date
    "deaths": (
        ID,
        NAME,
        Column("death_date", "死亡日期", ("death_date", "死亡时间")),
        SOURCE,
    ),
    "officials": (
        ID,
        NAME,
        Column("official_kind", "人员类别", ("official_kind", "身份类别")),
        Column("position", "单位职务", ("position", "工作单位及职务", "职务"), required=False),
        Column("kin_id_number", "亲属身份证号", ("kin_id_number", "亲属公民身份号码"), required=False),
        Column("kin_name", "亲属姓名", ("kin_name",), required=False),
        Column("relationship", "关系", ("relationship", "与本人关系"), required=False),
        Column("recorded_on", "登记日期", ("recorded_on", "填报日期"), required=False),
        SOURCE,
    ),
    "vehicles": (
        ID,
        NAME,
        Column("plate", "号牌号码", ("plate", "车牌号", "号牌")),
        Column("vehicle_type", "车辆类型", ("vehicle_type", "车型"), required=False),
        Column("recorded_on", "登记日期", ("recorded_on", "注册登记日期"), required=False),
        SOURCE,
    ),
    "properties": (
        ID,
        NAME,
        Column("location", "不动产坐落", ("location", "坐落", "房屋坐落")),
        Column("area", "面积", ("area", "建筑面积"), required=False),
        Column("recorded_on", "登记日期", ("recorded_on", "登簿日期"), required=False),
        SOURCE,
    ),
    "businesses": (
        ID,
        NAME,
        Column("business", "市场主体名称", ("business", "企业名称", "字号名称")),
        Column("capital", "注册资本", ("capital", "出资额"), required=False),
        Column("recorded_on", "成立日期", ("recorded_on", "登记日期"), required=False),
        SOURCE,
    ),
    "enterprise_pensions": (
        ID,
        NAME,
        Column("start", "起领日期", ("start", "开始领取日期")),
        Column("monthly", "月养老金", ("monthly", "月领取金额"), required=False),
        SOURCE,
    ),
    "cadres": (
        ID,
        NAME,
        Column("position", "职务", ("position", "title"), required=False),
    ),
}
REGISTER_KINDS = ("deaths", "officials", "vehicles", "properties", "businesses", "enterprise_pensions")
AUTO_KINDS = (
    "villages",
    "persons",
    "households",
    "enrolments",
    "payments",
    *REGISTER_KINDS,
)  # not cadres (for checks)


def normalise(header: object) -> str:
    """Fold a header cell for matching: NFKC (full-width → half-width), no spaces, lower case."""
    text = unicodedata.normalize("NFKC", str(header or ""))
    return "".join(text.split()).lower()


def load_mapping(path: Path | None) -> dict[str, str]:
    """Read a county's header mapping file: {their header: our column key}."""
    if path is None:
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise FormatError(f"{path.name}: cannot read mapping file: {error}") from None
    columns = raw.get("columns")
    if not isinstance(columns, dict):
        raise FormatError(f"{path.name}: a mapping file needs a [columns] table")
    keys = {column.key for columns_ in KINDS.values() for column in columns_}
    unknown = sorted(v for v in columns.values() if v not in keys)
    if unknown:
        raise FormatError(f"{path.name}: unknown column keys {unknown}; use one of {sorted(keys)}")
    return {normalise(k): v for k, v in columns.items()}


def _lookup(kind: str, mapping: Mapping[str, str]) -> dict[str, str]:
    table = {}
    for column in KINDS[kind]:
        for name in (column.zh, column.key, *column.aliases):
            table[normalise(name)] = column.key
    table.update({k: v for k, v in mapping.items() if v in {c.key for c in KINDS[kind]}})
    return table


def match_headers(kind: str, headers: Sequence[object], mapping: Mapping[str, str]) -> dict[str, int]:
    """Return {column key: index} for the headers `kind` knows (first occurrence wins)."""
    table = _lookup(kind, mapping)
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = table.get(normalise(header))
        if key is not None and key not in found:
            found[key] = index
    return found


def missing_columns(kind: str, found: Mapping[str, int]) -> list[str]:
    return [column.zh for column in KINDS[kind] if column.required and column.key not in found]


def recognise(headers: Sequence[object], mapping: Mapping[str, str]) -> str | None:
    """Return the kind whose required columns are all present, preferring the one with the most."""
    best: tuple[int, str] | None = None
    for kind in AUTO_KINDS:
        found = match_headers(kind, headers, mapping)
        if missing_columns(kind, found):
            continue
        required = sum(1 for c in KINDS[kind] if c.required)
        if best is None or required > best[0]:
            best = (required, kind)
    return best[1] if best else None


def looks_like_header(cells: Sequence[object], mapping: Mapping[str, str]) -> bool:
    """True when a row names at least two known columns (a title row above the header does not)."""
    known = {k for kind in KINDS for k in _lookup(kind, mapping)}
    return sum(1 for cell in cells if normalise(cell) in known) >= 2


def column_name(kind: str, key: str) -> str:
    return next(c.zh for c in KINDS[kind] if c.key == key)
