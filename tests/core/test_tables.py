"""The one export writer: what a spreadsheet reads back is text, never a formula, and the importer round-trips it."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.tables import FORMULA_STARTS, Sheet, safe_text, unguard, write_table

# Text as a hostile login name or programme name might be: often starting with a formula character.
hostile = st.one_of(
    st.text(max_size=30),
    st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), st.text(max_size=30)),
).filter(lambda t: "\x00" not in t)
# openpyxl refuses control characters other than tab, newline and carriage return in a cell.
cell_text = hostile.filter(lambda t: not any(ord(c) < 32 and c not in "\t\n\r" for c in t))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell_text, min_size=2, max_size=2), min_size=1, max_size=5))
def test_no_xlsx_cell_read_back_is_a_formula(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "out.xlsx"
    assert write_table(path, ["名", "=值"], rows, sheet="表") == len(rows)
    sheet = openpyxl.load_workbook(path)["表"]
    read = [[c.value for c in row] for row in sheet.iter_rows()]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert read[0] == ["名", "=值"]
    xml_newlines = [[v.replace("\r\n", "\n").replace("\r", "\n") for v in row] for row in rows]  # XML's rule
    assert [[v or "" for v in row] for row in read[1:]] == xml_newlines


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(hostile, min_size=2, max_size=2), min_size=1, max_size=5))
def test_no_csv_cell_starts_like_a_formula_and_the_importer_reads_it_back(
    tmp_path: Path, rows: list[list[str]]
) -> None:
    path = tmp_path / "out.csv"
    write_table(path, ["名", "值"], rows)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        read = list(csv.reader(handle))[1:]
    for row in read:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or safe_text(cell) == cell  # only plain numbers
    assert [[unguard(c) for c in row] for row in read] == rows


def test_numbers_stay_numbers_and_a_summary_sheet_is_added(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_table(
        path,
        ["项目", "金额"],
        [["低保", "-12.50"], ["=1+1", 3]],
        widths=(20, 10),
        more=[Sheet("汇总", ["数"], [[2]])],
    )
    book = openpyxl.load_workbook(path)
    first = book.worksheets[0]
    assert (
        [c.value for c in first[3]] == ["=1+1", 3]
        and first["A3"].data_type == "s"
        and first["B3"].data_type == "n"
    )
    assert first.column_dimensions["A"].width == 20
    assert [c.value for c in book["汇总"][2]] == [2]
    assert safe_text("-12.50") == "-12.50" and safe_text("-1+2") == "'-1+2"
