"""The one writer of tables people open in Excel or WPS: CSV (UTF-8 with BOM) or XLSX, by suffix.

Every export goes through here, the complaint lists, the audit log, the supervision
report and the county's own data, so one rule keeps them all safe: a cell that starts
with `= + - @`, a tab or a carriage return is never a formula. In CSV such text gets a
leading apostrophe (a plain number such as -12.50 is left alone, the importer reads it
back); in XLSX every text cell is written as a string, never as a formula.
XLSX goes through openpyxl's write-only mode so a 100k-row export streams.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


@dataclass(frozen=True)
class Sheet:
    """One more sheet of an XLSX file (a summary beside the rows); CSV files hold only the first."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] = field(default_factory=tuple)


def safe_text(value: object) -> object:
    """`value` as it may stand in a CSV cell: text that a spreadsheet would run gets an apostrophe.

    >>> safe_text("=HYPERLINK(1)"), safe_text("-12.50"), safe_text("@x"), safe_text(7)
    ("'=HYPERLINK(1)", '-12.50', "'@x", 7)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unguard(text: str) -> str:
    """The inverse of `safe_text` for a CSV cell read back, so an exported file imports as it was.

    >>> unguard("'=HYPERLINK(1)"), unguard("'quoted"), unguard("-12.50")
    ('=HYPERLINK(1)', "'quoted", '-12.50')
    """
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def write_table(
    path: Path | str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet: str = "Sheet1",
    widths: Sequence[int] = (),
    more: Sequence[Sheet] = (),
) -> int:
    """Write `rows` under `headers` to `path` (.xlsx, else CSV); return how many rows were written."""
    if str(path).lower().endswith(".xlsx"):
        return _write_xlsx(Path(path), [Sheet(sheet, headers, rows, widths), *more])
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([safe_text(h) for h in headers])
        for row in rows:
            writer.writerow([safe_text(cell) for cell in row])
            count += 1
    return count


def _write_xlsx(path: Path, sheets: list[Sheet]) -> int:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    counts = []
    for spec in sheets:
        worksheet = workbook.create_sheet(spec.title)
        for index, width in enumerate(spec.widths, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width

        def cells(values: Sequence[object], worksheet: object = worksheet) -> list[object]:
            out = []
            for value in values:
                cell = WriteOnlyCell(worksheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text: "=..." is not a formula here
                out.append(cell)
            return out

        worksheet.append(cells(spec.headers))
        count = 0
        for row in spec.rows:
            worksheet.append(cells(row))
            count += 1
        counts.append(count)
    workbook.save(path)
    return counts[0]
