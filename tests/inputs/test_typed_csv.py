"""CSV numeric columns parsed as numbers by the reader: the same frames and problems as the all-text path.

``read_file(..., numbers=True)`` (what :func:`~quality_balance.inputs.validate.validate_files` uses)
parses a CSV file's numeric columns as float64 once the header is known, and falls back to text
cells when a cell is not a plain finite number. Each test compares with the all-text path (the
typed parse switched off), and pins the values a message shows as written in the file.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input_files import JUNIOR_OK, school, write_csv
from quality_balance.inputs import readers
from quality_balance.inputs.loaders import load_schools
from quality_balance.inputs.validate import check_files
from quality_balance.schema import SCHOOLS


@pytest.fixture
def text_only(monkeypatch):
    """Switch the typed parse off: every CSV file read as text cells, as before."""
    def switch():
        monkeypatch.setattr(readers._CsvSource, "typed_cells", lambda self, skip, numeric: None)
    return switch


def both_ways(path, text_only):
    """The problems of ``path`` with the typed parse, then with text cells only."""
    typed = check_files(path)
    text_only()
    return typed, check_files(path)


def test_plain_numbers_are_parsed_as_float(tmp_path):
    path = write_csv(tmp_path / "学校.csv", [school(), school(school_id="S1", students_primary=800)],
                     title="某县学校情况")
    sheet = readers.read_file(path, [SCHOOLS], numbers=True).sheets[0]
    assert sheet.frame["students_primary"].dtype == np.float64
    assert list(sheet.frame["students_primary"]) == [1000.0, 800.0]
    assert sheet.frame["school_id"].tolist() == ["S0", "S1"]
    assert list(sheet.rows) == [3, 4]                   # title row 1, header row 2
    assert list(sheet.text_of("students_primary", sheet.rows)) == ["1000.0", "800"]
    plain = readers.read_file(path, [SCHOOLS]).sheets[0]  # the default: text cells, as before
    assert plain.frame["students_primary"].tolist() == ["1000.0", "800"] and plain.text_of is None


def test_a_mark_leaves_its_column_as_text_cells(tmp_path):
    row = school(JUNIOR_OK, students_primary="—", teachers_above_degree_primary="—")
    sheet = readers.read_file(write_csv(tmp_path / "学校.csv", [row]), [SCHOOLS], numbers=True).sheets[0]
    assert sheet.frame["students_primary"].tolist() == ["—"]
    assert sheet.frame["teachers_above_degree_primary"].tolist() == ["—"]
    assert sheet.frame["students_junior"].dtype == np.float64    # the other columns stay numbers


@pytest.mark.parametrize("cell", ["1,234", "95%", "约8000", "  ", "inf", "1e999", "nan", "１２"])
def test_cells_that_are_not_plain_numbers_fall_back(tmp_path, cell):
    path = write_csv(tmp_path / "学校.csv", [school(sports_area_m2=cell)])
    sheet = readers.read_file(path, [SCHOOLS], numbers=True).sheets[0]
    assert sheet.frame["sports_area_m2"].tolist() == [cell]


def test_messages_show_the_cells_as_written(tmp_path, text_only):
    rows = [school(), school(school_id="S1", backbone_teachers_primary="-3.50"),
            school(school_id="S2", pe_art_teachers_primary="10.50"),
            school(school_id="S3", teaching_area_m2="")]
    typed, text = both_ways(write_csv(tmp_path / "学校.csv", rows, title="某县学校情况"), text_only)
    assert typed == text
    negative = next(p for p in typed if "负" in p.message)
    assert (negative.row, negative.value) == (4, "-3.50")     # as written, not -3.5
    fractional = next(p for p in typed if "不是整数" in p.message)
    assert (fractional.row, fractional.value, fractional.severity) == (5, "10.50", "warning")
    missing = next(p for p in typed if p.message == "缺少数据")
    assert (missing.row, missing.value) == (6, "")


@pytest.mark.parametrize("units", [False, True])
def test_blank_rows_a_quoted_title_and_a_units_row_keep_row_numbers(tmp_path, text_only, units):
    rows = [school(), school(school_id="S1", multimedia_rooms=-1)]
    path = write_csv(tmp_path / "学校.csv", rows, title="某县\n学校情况", units=units)
    with open(path, "a", encoding="utf-8", newline="") as fh:
        fh.write("\n,,,\n")                                 # blank rows are dropped, and counted
        fh.write(",".join(str(v) for v in school(school_id="S2", sports_area_m2=-5).values()) + "\n")
    sheet = readers.read_file(path, [SCHOOLS], numbers=True).sheets[0]
    # a units row is text: its columns are read as text (a column blank there stays numbers)
    assert (sheet.frame["sports_area_m2"].dtype == np.float64) != units
    typed, text = both_ways(path, text_only)
    assert typed == text
    first = 4 + units                                       # title (2 lines, one record), header, units
    assert sorted((p.row, p.value) for p in typed if "负" in p.message) == [(first, "-1"), (first + 3, "-5")]


def test_frames_are_equal_either_way(tmp_path, text_only):
    rows = [school(), school(JUNIOR_OK, school_id="S1", students_primary="", teachers_above_degree_primary=""),
            school(school_id="S2", year=2024, teaching_area_m2=4999.5)]
    path = write_csv(tmp_path / "学校.csv", rows, encoding="gb18030")
    typed = load_schools(path)
    text_only()
    pd.testing.assert_frame_equal(typed, load_schools(path))
    assert typed.loc[1, "students_primary"] == 0.0 and typed.loc[2, "teaching_area_m2"] == 4999.5


def test_parquet_number_columns_stay_numbers_with_the_problems_of_the_text_path(tmp_path, monkeypatch):
    frame = pd.DataFrame([school(), school(school_id="S1", backbone_teachers_primary=-3.5),
                          school(school_id="S2", pe_art_teachers_primary=10.5, sports_area_m2=-0.0)])
    frame["year"] = frame["year"].astype(int)
    frame["multimedia_rooms"] = pd.array([25, None, 26], dtype="Int64")
    path = tmp_path / "schools.parquet"
    frame.to_parquet(path, index=False)
    sheet = readers.read_file(path, [SCHOOLS], numbers=True).sheets[0]
    assert sheet.frame["multimedia_rooms"].dtype == np.float64 and sheet.frame["school_id"].tolist()[1] == "S1"
    typed = check_files(path)
    monkeypatch.setattr(readers._ParquetSource, "typed_cells", lambda self, skip, numeric: None)
    assert check_files(path) == typed
    negative = next(p for p in typed if "负" in p.message)
    assert (negative.row, negative.value) == (3, "-3.5")      # header row 1: the second school is row 3


def test_parquet_frames_are_equal_either_way(tmp_path, monkeypatch):
    frame = pd.DataFrame([school(), school(JUNIOR_OK, school_id="S1"), school(school_id="S2", sports_area_m2=-0.0)])
    frame["year"] = frame["year"].astype(int)
    path = tmp_path / "schools.parquet"
    frame.to_parquet(path, index=False)
    typed = load_schools(path)
    monkeypatch.setattr(readers._ParquetSource, "typed_cells", lambda self, skip, numeric: None)
    pd.testing.assert_frame_equal(typed, load_schools(path))
    assert str(typed.loc[2, "sports_area_m2"]) == "0.0"           # -0.0 reads as 0, as its text "0" does


def _rows_text(rows, newline="\n"):
    """The CSV text of school rows (header first), lines ended by ``newline``, cells as given."""
    names = list(rows[0])
    lines = [",".join(names)]
    lines += [",".join(str(r[n]) for n in names) for r in rows]
    return newline.join(lines) + newline


@pytest.mark.parametrize("newline, quoted", [("\n", False), ("\r\n", False), ("\n", True)])
def test_cells_as_written_are_cut_from_their_lines_or_parsed(tmp_path, text_only, newline, quoted):
    # LF and CRLF files are cut line by line; a quoted cell (which may hold a line break, so that lines
    # and records may differ) makes the column be parsed instead: the same values and rows either way
    rows = [school(), school(school_id="S1", backbone_teachers_primary="-3.50"),
            school(school_id="S2", pe_art_teachers_primary="10.50")]
    if quoted:
        rows[0]["school_name"] = '"实验小学,南校区"'
    path = tmp_path / "学校.csv"
    path.write_bytes(_rows_text(rows, newline).encode("utf-8"))
    typed, text = both_ways(path, text_only)
    assert typed == text
    negative = next(p for p in typed if "负" in p.message)
    assert (negative.row, negative.value) == (3, "-3.50")   # header row 1
    fractional = next(p for p in typed if "不是整数" in p.message)
    assert (fractional.row, fractional.value) == (4, "10.50")


def test_integer_columns_are_the_floats_the_float_parse_gives(tmp_path, text_only):
    # integer columns are parsed as integers, then made floats; a "-0" keeps the float parse (-0.0)
    rows = [school(), school(school_id="S1", students_primary=800, classes_primary=20)]
    path = write_csv(tmp_path / "学校.csv", rows)
    sheet = readers.read_file(path, [SCHOOLS], numbers=True).sheets[0]
    assert sheet.frame["students_primary"].dtype == np.float64
    assert sheet.frame["students_primary"].tolist() == [1000.0, 800.0]
    zero = write_csv(tmp_path / "零.csv", [school(), school(school_id="S1", multimedia_rooms="-0")])
    typed = load_schools(zero)
    assert np.signbit(typed.loc[1, "multimedia_rooms"])          # -0.0, as the float parse and the text path read it
    text_only()
    assert np.signbit(load_schools(zero).loc[1, "multimedia_rooms"])


def test_an_integer_beyond_float_precision_is_parsed_as_a_float(tmp_path):
    big = 2**53 + 1                                         # 9007199254740993: float64 cannot hold it
    path = write_csv(tmp_path / "学校.csv", [school(), school(school_id="S1", equipment_value_yuan=big)])
    sheet = readers.read_file(path, [SCHOOLS], numbers=True).sheets[0]
    assert sheet.frame["equipment_value_yuan"].dtype == np.float64
    assert sheet.frame["equipment_value_yuan"].iloc[1] == float("9007199254740993")


def test_a_numeric_column_typed_differently_in_two_chunks_is_text_without_a_warning(recwarn):
    # the parser reads long files in chunks: a number column whose last chunk holds text is refused
    lines = ["1,a"] * 300_000 + ["x,b"]
    text = "\n".join(lines) + "\n"
    source = readers._CsvSource("f.csv", text, text.encode("utf-8"), ",", 2)
    cells = source.typed_cells(0, [0])
    assert cells[0].tolist() == ["1"] * 300_000 + ["x"]      # every cell as written, read again as text
    assert not [w for w in recwarn if issubclass(w.category, pd.errors.DtypeWarning)]
    plain = "\n".join(["1,a"] * 10 + ["2.5,b"]) + "\n"
    cells = readers._CsvSource("g.csv", plain, plain.encode("utf-8"), ",", 2).typed_cells(0, [0])
    assert cells[0].dtype == np.float64 and cells[0].tolist() == [1.0] * 10 + [2.5]


@pytest.mark.parametrize("data", [b"", b"abc", b"\n", b"a\n\nb\r\n", b"ab\ncd\nef\n\n", "一,二\n三\n".encode()])
@pytest.mark.parametrize("block", [1, 2, 3, readers.LINE_SCAN_BYTES])
def test_line_breaks_are_found_across_blocks(monkeypatch, data, block):
    # the file is searched block by block: a line feed on a block's edge, or at the end, is found once
    monkeypatch.setattr(readers, "LINE_SCAN_BYTES", block)
    found = readers._line_breaks(data)
    assert found.dtype == np.int64
    assert found.tolist() == [i for i, byte in enumerate(data) if byte == 10]


@pytest.mark.parametrize("cells", [
    ["12", "", "—", "-3", "3.0", "7"],                      # a mark and a blank among numbers, a negative
    ["12", "1,234", "2.50", "-0", "1e3", "+5"],             # thousands, trailing zero, -0, exponent, sign
    ["12", " 7 ", "１２", "inf", "nan", "约8000"],            # spaces, full-width digits, not numbers
    ["1", "2", "3", "4", "5", "6.5"],                       # plain numbers only: parsed as numbers
])
def test_one_column_as_text_among_number_columns_gives_the_problems_of_the_text_path(tmp_path, text_only, cells):
    # the column with a cell that is not a plain number is read as text; its neighbours stay numbers:
    # every problem (message, row, value as written) is the one the all-text path finds
    rows = [school(JUNIOR_OK, school_id=f"S{i}", sports_area_m2=cell, multimedia_rooms=f"{i}.0")
            for i, cell in enumerate(cells)]
    path = write_csv(tmp_path / "学校.csv", rows, title="某县学校情况")
    sheet = readers.read_file(path, [SCHOOLS], numbers=True).sheets[0]
    if "-0" not in cells:  # a "-0" has the file parsed as floats, where one text cell leaves it all text
        assert sheet.frame["multimedia_rooms"].dtype == np.float64
    plain = all(c.replace(".", "").isdigit() for c in cells)
    assert (sheet.frame["sports_area_m2"].dtype == np.float64) == plain
    if not plain:
        assert sheet.frame["sports_area_m2"].tolist() == cells      # as written, blanks as ""
    typed, text = both_ways(path, text_only)
    assert typed == text


def test_a_units_row_blank_in_a_number_column_is_still_skipped(tmp_path, text_only):
    # the units row's cell of a column whose data rows are all numbers is NaN there, and blank
    rows = [school(), school(school_id="S1", multimedia_rooms=-1)]
    path = write_csv(tmp_path / "学校.csv", rows, units=True)
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    units = text[1].split(",")
    units[header.index(SCHOOLS.column("sports_area_m2").zh)] = ""
    path.write_text("\n".join([text[0], ",".join(units), *text[2:]]) + "\n", encoding="utf-8")
    sheet = readers.read_file(path, [SCHOOLS], numbers=True).sheets[0]
    assert sheet.frame["sports_area_m2"].dtype == np.float64 and list(sheet.rows) == [3, 4]
    typed, text_problems = both_ways(path, text_only)
    assert typed == text_problems
