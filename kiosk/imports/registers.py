"""Importing the cross-check registers a county obtains from other departments: deaths (police, health or
funeral registers), public servants and village cadres with their kin, vehicles, real estate, business
registrations and enterprise-pension recipients.

Each is a file kind of its own (kiosk.imports.formats.KINDS), read with the importer's usual all-or-nothing
validation and clerk-readable row errors; every row names its source (数据来源). A register may name people
who are not on the roster (a public servant of another township): they are kept, and matched by ID number.
"""

from __future__ import annotations

from kiosk.imports import validate as v
from kiosk.imports.importer import Importer

# 关系 → how close (for 优亲厚友: a spouse, lineal kin within two generations, siblings, parents-in-law)
KIN = {
    "配偶": "配偶",
    "丈夫": "配偶",
    "妻子": "配偶",
    "父亲": "直系一代",
    "母亲": "直系一代",
    "父母": "直系一代",
    "儿子": "直系一代",
    "女儿": "直系一代",
    "子女": "直系一代",
    "祖父母": "直系二代",
    "外祖父母": "直系二代",
    "孙子女": "直系二代",
    "外孙子女": "直系二代",
    "兄弟姐妹": "旁系二代",
    "岳父母": "姻亲",
    "公婆": "姻亲",
}
OFFICIAL_KINDS = {"公职人员": "公职人员", "村干部": "村干部", "村（社区）干部": "村干部"}


class _Register(Importer):
    """One register kind: (kind stored, the date column and whether it is required, the detail column and
    its name, the amount column and how it is read)."""

    KIND = ""
    DATE: tuple[str, str, bool] | None = None  # (column key, its header, required)
    DETAIL: tuple[str, str] | None = None
    AMOUNT: tuple[str, str, str] | None = None  # (column key, header, "yuan" | "decimal")

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.seen: dict[tuple, int] = {}

    def parse(self, number: int, cells: dict[str, str]) -> list[tuple] | None:
        """The register rows of one file row, or None after recording its error."""
        try:
            id_number = v.id_number(cells["id_number"]).upper()
            name = v.required(cells["name"], "姓名")
            source = v.required(cells["source"], "数据来源")
            on_date = ""
            if self.DATE is not None:
                key, header, required = self.DATE
                raw = cells.get(key, "")
                day = v.date(v.required(raw, header), header) if required else v.optional_date(raw, header)
                if day is not None and day > self.today:
                    raise v.CellError(header, raw, "晚于今天")
                on_date = day.isoformat() if day else ""
            detail = v.required(cells[self.DETAIL[0]], self.DETAIL[1]) if self.DETAIL else ""
            amount = ""
            if self.AMOUNT is not None and cells.get(self.AMOUNT[0], ""):
                key, header, how = self.AMOUNT
                amount = (
                    str(v.amount_fen(cells[key], header)) if how == "yuan" else str(v.quantity(cells[key]))
                )
        except v.CellError as error:
            self.cell_error(number, error)
            return None
        return [(self.KIND, id_number, name, on_date, detail, amount, "", "", source)]

    def add(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        good, accepted = [], 0
        for number, cells in rows:
            parsed = self.parse(number, cells)
            if parsed is None:
                continue
            facts = (
                parsed[1:] if parsed[0][0] == "official" and len(parsed) > 1 else parsed
            )  # an official recurs
            keys = [(row[0], row[1], row[3], row[4], row[6]) for row in facts]
            again = next((self.seen[key] for key in keys if key in self.seen), None)
            if again is not None:
                self.error(number, "整行", "", f"与第{again}行重复")
                continue
            self.seen.update((key, number) for key in keys)
            good.extend(parsed)
            accepted += 1
        changed = self.store.upsert_registers(self.tx, good, self.import_id)
        self.report.imported += min(changed, accepted)
        self.report.unchanged += accepted - min(changed, accepted)


class _Deaths(_Register):
    KIND = "death"
    DATE = ("death_date", "死亡日期", True)


class _Vehicles(_Register):
    KIND = "vehicle"
    DATE = ("recorded_on", "登记日期", False)
    DETAIL = ("plate", "号牌号码")


class _Properties(_Register):
    KIND = "property"
    DATE = ("recorded_on", "登记日期", False)
    DETAIL = ("location", "不动产坐落")
    AMOUNT = ("area", "面积", "decimal")


class _Businesses(_Register):
    KIND = "business"
    DATE = ("recorded_on", "成立日期", False)
    DETAIL = ("business", "市场主体名称")
    AMOUNT = ("capital", "注册资本", "yuan")


class _EnterprisePensions(_Register):
    KIND = "enterprise_pension"
    DATE = ("start", "起领日期", True)
    AMOUNT = ("monthly", "月养老金", "yuan")


class _Officials(_Register):
    """A public servant or village cadre, one row each, or one row per relative (the official's columns
    repeated): the official is kept once, each relative as kin with the relationship and how close it is."""

    KIND = "official"
    DATE = ("recorded_on", "登记日期", False)

    def parse(self, number: int, cells: dict[str, str]) -> list[tuple] | None:
        found = super().parse(number, cells)
        if found is None:
            return None
        kind, id_number, name, on_date, _, _, _, _, source = found[0]
        raw_kind = cells.get("official_kind", "").strip()
        if raw_kind not in OFFICIAL_KINDS:
            self.error(number, "人员类别", raw_kind, f"应为{'、'.join(OFFICIAL_KINDS)}之一")
            return None
        position = cells.get("position", "").strip()
        detail = OFFICIAL_KINDS[raw_kind] + (f"，{position}" if position else "")
        rows = [(kind, id_number, name, on_date, detail, "", "", "", source)]
        kin_number = cells.get("kin_id_number", "").strip()
        relationship = cells.get("relationship", "").strip()
        if kin_number or relationship or cells.get("kin_name", "").strip():
            try:
                kin = v.id_number(kin_number).upper()
                kin_name = v.required(cells.get("kin_name", ""), "亲属姓名")
            except v.CellError as error:
                self.error(
                    number,
                    "亲属身份证号" if error.column == "身份证号" else error.column,
                    error.value,
                    error.problem,
                )
                return None
            if relationship not in KIN:
                self.error(number, "关系", relationship, f"应为{'、'.join(KIN)}之一")
                return None
            if kin == id_number:
                self.error(number, "亲属身份证号", "", "与本人相同")
                return None
            rows.append(("kin", kin, kin_name, "", KIN[relationship], "", id_number, relationship, source))
        return rows


REGISTER_IMPORTERS = {
    "deaths": _Deaths,
    "officials": _Officials,
    "vehicles": _Vehicles,
    "properties": _Properties,
    "businesses": _Businesses,
    "enterprise_pensions": _EnterprisePensions,
}
