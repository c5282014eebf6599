"""Rows from a CSV (UTF-8 with or without BOM, GBK/GB18030) or XLSX file, streamed, with their row numbers.

XLSX files are read with openpyxl in read-only mode; a title row (often merged
across the columns) above the header is skipped by looking for the header, and
empty rows (trailing ones included) are passed over.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.tables import unguard
from kiosk.imports.formats import FormatError, looks_like_header

HEADER_SEARCH_ROWS = 10
SAMPLE_BYTES = 256 * 1024
MAX_CELL = 1000  # characters: a name, an address, a note; nothing a county sends is longer
MAX_UNPACKED = 512 * 1024 * 1024  # bytes an XLSX may unpack to (a million ledger rows is well below)
MAX_RATIO = 100  # an XLSX part that shrank more than this is a zip bomb, not a spreadsheet
csv.field_size_limit(MAX_CELL * 4)  # the csv module refuses a longer field instead of buffering it


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


def _checked(path: Path, where: str, cells: list[str]) -> list[str]:
    """The row's cells, or FormatError naming the place of one too long to be real data."""
    for number, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL:
            raise FormatError(
                f"{path.name}: {where}第{number}列的内容超过{MAX_CELL}个字符，不像是登记数据（未导入）"
            )
    return cells


def _csv_rows(path: Path, reader: csv._reader) -> Iterator[tuple[int, list[str]]]:  # type: ignore[name-defined]
    try:
        for cells in reader:
            stripped = _checked(path, f"第{reader.line_num}行", [unguard(c.strip()) for c in cells])
            if any(stripped):
                yield reader.line_num, stripped
    except UnicodeDecodeError as error:
        raise FormatError(f"{path.name}: 第{reader.line_num + 1}行附近编码错误: {error.reason}") from None
    except csv.Error as error:
        raise FormatError(f"{path.name}: 第{reader.line_num}行附近无法读取（{error}）") from None


def _check_unpacked_size(path: Path) -> None:
    """Refuse an XLSX (a zip) whose parts would unpack to too much, before any of it is parsed."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise FormatError(f"{path.name}: 无法打开Excel文件: {error}") from None
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED:
        raise FormatError(f"{path.name}: 解压后超过{MAX_UNPACKED // 2**20} MB，请分成几个文件导入")
    for part in parts:
        if part.file_size > 2**20 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise FormatError(f"{path.name}: 文件中的{part.filename}压缩比异常（可能是恶意文件），未导入")


def _xlsx_tables(path: Path, mapping: Mapping[str, str]) -> Iterator[Table]:
    import openpyxl

    _check_unpacked_size(path)
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

                    def rows(
                        values: Iterator[tuple[object, ...]] = values,
                        start: int = number,
                        sheet: str = sheet.title,
                    ) -> Iterator[tuple[int, list[str]]]:
                        offset = start
                        try:
                            for offset, data in enumerate(values, start=start + 1):  # noqa: B007 - kept for errors
                                texts = _checked(path, f"{sheet} 第{offset}行", [cell_text(c) for c in data])
                                if any(texts):
                                    yield offset, texts
                        except FormatError:
                            raise
                        except Exception as error:  # noqa: BLE001 - a broken sheet's XML raises many kinds
                            raise FormatError(
                                f"{path.name}: {sheet} 第{offset + 1}行附近无法读取（{type(error).__name__}）"
                            ) from None

                    yield Table(sheet.title, number, cells, rows())
                    break
        if not found_any:
            raise FormatError(f"{path.name}: 每个工作表的前{HEADER_SEARCH_ROWS}行中都找不到表头")
    except FormatError:
        raise
    except Exception as error:  # noqa: BLE001 - a broken sheet's XML (while looking for the header)
        raise FormatError(
            f"{path.name}: 工作表无法读取（{type(error).__name__}），请用Excel另存后再导入"
        ) from None
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
