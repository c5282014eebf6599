"""Files made to hurt the importer: a cell of millions of characters, a zip bomb, broken XML. Each is a
file error naming its place, and nothing is imported; none is a traceback or a gigabyte of memory."""

from __future__ import annotations

import random
import string
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from kiosk.imports.formats import FormatError
from kiosk.imports.sources import MAX_CELL
from tests.helpers.county import write_csv
from tests.helpers.kiosk_process import KIOSK

VILLAGES = ["村代码", "村名", "乡镇"]


def xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "村"
    sheet.append(VILLAGES)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def rewritten(source: Path, target: Path, sheet: bytes) -> Path:
    """`source` with its first sheet's XML replaced (what a hand-made hostile file looks like)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = sheet if item.filename.endswith("sheet1.xml") else original.read(item)
            copy.writestr(item.filename, data, zipfile.ZIP_DEFLATED)
    return target


def test_a_cell_of_millions_of_characters_is_refused_before_it_is_parsed(roster, tmp_path):
    good = xlsx(tmp_path / "good.xlsx", [["522799002", "新村", "明白镇"]])
    huge = "村" * 30_000_000  # 90 MB of one character: openpyxl would hold it all, and more, in memory
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>村代码</t></is></c><c r="B1" t="inlineStr"><is><t>村名</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>乡镇</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>522799002'
        f'</t></is></c><c r="B2" t="inlineStr"><is><t>{huge}</t></is></c></row></sheetData></worksheet>'
    ).encode()
    bomb = rewritten(good, tmp_path / "villages.xlsx", sheet)
    assert bomb.stat().st_size < 400_000  # small on disk
    with pytest.raises(FormatError, match="压缩比异常"):
        roster.load(bomb)


def test_a_long_cell_is_a_file_error_naming_its_row_and_column(roster, tmp_path):
    noise = "".join(random.Random(1).choices(string.ascii_letters, k=MAX_CELL + 1))
    with pytest.raises(FormatError, match="村 第2行第2列的内容超过1000个字符"):
        roster.load(xlsx(tmp_path / "villages.xlsx", [["522799002", noise, "明白镇"]]))
    with pytest.raises(FormatError, match="第2行第2列的内容超过1000个字符"):
        roster.load(write_csv(tmp_path / "villages.csv", VILLAGES, [["522799002", noise, "明白镇"]]))


def test_broken_xml_is_a_file_error_and_the_command_says_so_without_a_traceback(roster, tmp_path):
    good = xlsx(tmp_path / "good.xlsx", [["522799002", "新村", "明白镇"]])
    with zipfile.ZipFile(good) as source:
        sheet = next(source.read(i) for i in source.infolist() if i.filename.endswith("sheet1.xml"))
    broken = rewritten(good, tmp_path / "villages.xlsx", sheet[: len(sheet) // 2])  # cut off mid-element
    with pytest.raises(FormatError, match="villages.xlsx"):
        roster.load(broken)
    assert roster.counts()["villages"] == 1  # only the fixture's
    run = subprocess.run(
        [KIOSK, "import", "--db", str(tmp_path / "k.db"), str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1 and "未导入" in run.stdout and "Traceback" not in run.stderr
