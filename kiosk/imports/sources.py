"""Rows from a CSV (UTF-8 with or without BOM, GBK/GB18030) or XLSX file, streamed, with their row numbers.

XLSX files are read with openpyxl in read-only mode; a title row (often merged
across the columns) above the header is skipped by looking for the header, and
empty rows (trailing ones included) are passed over.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.tables import unguard
from kiosk.imports.formats import FormatError, looks_like_header

HEADER_SEARCH_ROWS = 10
SAMPLE_BYTES = 256 * 1024


@dataclass
class Table:
    """One sheet (or a whole CSV): where its header was, the header cells, and its data rows."""

    sheet: str
    header_row: int
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def cell_text(value: object) -> str:
    """Render a cell as text: dates as ISO dates, whole numbers without '.0', everything stripped."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return str(value).strip()


def detect_encoding(path: Path) -> str:
    """Return 'utf-8-sig' if the file's start decodes as UTF-8, else 'gb18030' (what Chinese Excel writes)."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is not an error
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise FormatError(f"{path.name}: 文件编码无法识别（应为UTF-8或GBK）") from None


def _csv_tables(path: Path, mapping: Mapping[str, str]) -> Iterator[Table]:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:  # closed when the caller closes this generator
        reader = csv.reader(handle)
        try:
            for _ in range(HEADER_SEARCH_ROWS):
                row = next(reader, None)
                if row is None:
                    break
                if looks_like_header(row, mapping):
                    yield Table("", reader.line_num, [c.strip() for c in row], _csv_rows(path, reader))
                    return
        except UnicodeDecodeError as error:
            raise FormatError(f"{path.name}: 编码错误: {error.reason}") from None
    raise FormatError(f"{path.name}: 前{HEADER_SEARCH_ROWS}行中找不到表头")


def _csv_rows(path: Path, reader: csv._reader) -> Iterator[tuple[int, list[str]]]:  # type: ignore[name-defined]
    try:
        for cells in reader:
            stripped = [unguard(c.strip()) for c in cells]
            if any(stripped):
                yield reader.line_num, stripped
    except UnicodeDecodeError as error:
        raise FormatError(f"{path.name}: 第{reader.line_num + 1}行附近编码错误: {error.reason}") from None


def _xlsx_tables(path: Path, mapping: Mapping[str, str]) -> Iterator[Table]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise FormatError(f"{path.name}: 无法打开Excel文件: {error}") from None
    try:
        found_any = False
        for sheet in workbook.worksheets:
            values = sheet.iter_rows(values_only=True)
            for number in range(1, HEADER_SEARCH_ROWS + 1):
                row = next(values, None)
                if row is None:
                    break
                cells = [cell_text(c) for c in row]
                if looks_like_header(cells, mapping):
                    found_any = True

                    def rows(values=values, start=number) -> Iterator[tuple[int, list[str]]]:  # type: ignore[no-untyped-def]
                        for offset, data in enumerate(values, start=start + 1):
                            texts = [cell_text(c) for c in data]
                            if any(texts):
                                yield offset, texts

                    yield Table(sheet.title, number, cells, rows())
                    break
        if not found_any:
            raise FormatError(f"{path.name}: 每个工作表的前{HEADER_SEARCH_ROWS}行中都找不到表头")
    finally:
        workbook.close()


def open_tables(path: Path, mapping: Mapping[str, str]) -> Generator[Table, None, None]:
    """Yield each table in the file; raise FormatError for unknown types, encodings or headers.

    A table's rows are readable until the next table is asked for; close the generator
    (`contextlib.closing`) to release the file early.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FormatError(f"{path}: 文件不存在")
    if suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_tables(path, mapping)
    elif suffix in (".csv", ".txt"):
        yield from _csv_tables(path, mapping)
    else:
        raise FormatError(f"{path.name}: 只能导入 .csv 或 .xlsx 文件（.toml 为政策文件）")
