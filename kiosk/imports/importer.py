"""What one import is made of: its report (rows read, imported, unchanged, skipped, errors and warnings)
and the base every kind's importer extends (the roster's in kiosk.imports.loader, the registers' in
kiosk.imports.registers): validate a chunk of rows, record errors in a clerk's words, write the good ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.imports import validate as v
from kiosk.rules import Rulebook
from kiosk.store import Store, Tx

CHUNK = 5000
MAX_ERRORS_KEPT = 1000


@dataclass(frozen=True, slots=True)
class RowError:
    file: str
    sheet: str
    row: int
    column: str
    value: str
    problem: str

    @property
    def message(self) -> str:
        where = f"{self.sheet} " if self.sheet else ""
        return f"{where}第{self.row}行 {self.column} {self.problem}"


@dataclass
class ImportReport:
    """What happened to one file."""

    file: str
    kind: str = ""
    rows_read: int = 0
    imported: int = 0
    unchanged: int = 0
    skipped: int = 0
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    error_file: Path | None = None
    warnings: list[str] = field(default_factory=list)  # imported, but a clerk should know (overlaps)

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)

    def summary_zh(self) -> str:
        kinds = {
            "villages": "村名单",
            "persons": "人员",
            "enrolments": "享受对象",
            "payments": "发放明细",
            "households": "家庭户",
            "deaths": "死亡登记",
            "officials": "公职人员和村干部及亲属",
            "vehicles": "车辆登记",
            "properties": "不动产登记",
            "businesses": "市场主体登记",
            "enterprise_pensions": "企业职工养老金领取人员",
            "policy": "政策",
        }
        head = f"{self.file}（{kinds.get(self.kind, self.kind)}）：读取{self.rows_read}行"
        if not self.committed:
            return f"{head}，发现{self.error_count}处错误，未导入任何数据"
        text = f"{head}，新增或更新{self.imported}行，未变化{self.unchanged}行"
        if self.skipped:
            text += f"，跳过{self.skipped}行有错误的数据"
        if self.warnings:
            text += f"，{len(self.warnings)}处提醒"
        return text


class Importer:
    """Validate rows of one kind and write the good ones; subclasses own one kind each."""

    def __init__(
        self,
        *,
        store: Store,
        tx: Tx,
        rulebook: Rulebook,
        today: dt.date,
        report: ImportReport,
        sheet: str,
        import_id: int,
    ) -> None:
        self.import_id = import_id
        self.store = store
        self.tx = tx
        self.today = today
        self.report = report
        self.sheet = sheet
        self.programmes = v.ProgrammeCheck(rulebook)
        self.bad_rows: set[int] = set()

    def error(self, row: int, column: str, value: str, problem: str) -> None:
        self.bad_rows.add(row)
        self.report.add_error(RowError(self.report.file, self.sheet, row, column, value, problem))

    def cell_error(self, row: int, error: v.CellError) -> None:
        self.error(row, error.column, error.value, error.problem)

    def add(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called after the last chunk."""
