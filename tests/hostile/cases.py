"""The hostile-input files: each case writes its crafted file(s) into a folder at test time.

Nothing here is committed as data: every file (the 200 000-row one included) is
generated into ``tmp_path`` by the test that uses it. ``CASES`` lists the files
given to ``quality-balance check``; each names the exit status expected (2: a
clear error, 0: a documented acceptance) and the words the output must
contain. tests/hostile/README.md documents every case; test_hostile.py runs them.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from tests.input_files import JUNIOR_OK, grid, school, write_csv, write_xlsx
from quality_balance.inputs.templates import example_value
from quality_balance.schema import EXAMPLE_MARKER, SCHOOLS, SCORES, SURVEY

__all__ = ["Case", "CASES", "valid_rows", "big_school_file", "hostile_county_rows", "FORMULA", "PATH_COUNTY"]

#: A cell a spreadsheet would run as a formula.
FORMULA = '=HYPERLINK("http://example.com/x","点击查看")'
#: A county name that tries to leave the output folder.
PATH_COUNTY = "../../../逃逸县"


def valid_rows(county: str = "甲县", year: int = 2025, prefix: str = "41092200") -> list[dict]:
    """Two valid schools (a primary and a junior school) of one county and year."""
    return [school(school_id=f"{prefix}01", school_name="城关一小", county=county, year=year),
            school(JUNIOR_OK, school_id=f"{prefix}02", school_name="城关一中", county=county, year=year,
                   location="乡村")]


def _csv(folder: Path, name: str, rows: list[dict], encoding: str = "utf-8", **kwargs) -> list[Path]:
    return [write_csv(folder / name, rows, encoding, **kwargs)]


def _text(folder: Path, name: str, text: str, encoding: str = "utf-8") -> list[Path]:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return [path]


def _csv_text(rows: list[dict], **kwargs) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(grid(rows, **kwargs))
    return out.getvalue()


# --- the builders -----------------------------------------------------------------------------------

def truncated_workbook(folder: Path) -> list[Path]:
    full = write_xlsx(folder / "full.xlsx", {"学校": grid(valid_rows())})
    data = full.read_bytes()
    full.unlink()
    path = folder / "学校.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return [path]


def empty_sheet(folder: Path) -> list[Path]:
    return [write_xlsx(folder / "数据.xlsx", {"学校": []})]


def wrong_sheet_names(folder: Path) -> list[Path]:
    return [write_xlsx(folder / "2025年报表.xlsx", {"Sheet1": grid(valid_rows()), "Sheet2": []})]


def schools_in_county_sheet(folder: Path) -> list[Path]:
    return [write_xlsx(folder / "数据.xlsx", {"县区": grid(valid_rows())})]


def duplicate_headers(folder: Path) -> list[Path]:
    rows = [dict(r, **{"学校名称 ": r["school_name"] + "（旧名）"}) for r in valid_rows()]
    return _csv(folder, "学校.csv", rows)


def mojibake_header(folder: Path) -> list[Path]:
    """The header row was decoded with the wrong code page once (GBK bytes read as Latin-1) and saved."""
    lines = _csv_text(valid_rows()).split("\n", 1)
    header = lines[0].encode("gbk").decode("latin-1")
    return _text(folder, "学校.csv", header + "\n" + lines[1])


def header_gbk_body_utf8(folder: Path) -> list[Path]:
    """A file whose lines mix encodings: a GBK header pasted above UTF-8 data rows."""
    header, body = _csv_text(valid_rows()).split("\n", 1)
    path = folder / "学校.csv"
    path.write_bytes(header.encode("gbk") + b"\n" + body.encode("utf-8"))
    return [path]


def mixed_encodings_folder(folder: Path) -> list[Path]:
    write_csv(folder / "学校2024.csv", valid_rows(year=2024), "gbk")
    write_csv(folder / "学校2025.csv", valid_rows(year=2025), "utf-8")
    return [folder]


def nul_bytes(folder: Path) -> list[Path]:
    text = _csv_text(valid_rows())
    path = folder / "学校.csv"
    path.write_bytes(text.encode("utf-8").replace("城关一中".encode(), b"\x00\x00\x00"))
    return [path]


def negative_values(folder: Path) -> list[Path]:
    first, second = valid_rows()
    first["students_primary"] = -820
    second["teaching_area_m2"] = "-6000"
    return _csv(folder, "学校.csv", [first, second])


def nan_values(folder: Path) -> list[Path]:
    first, second = valid_rows()
    first["teaching_area_m2"] = "NaN"
    second["equipment_value_yuan"] = "nan"
    return _csv(folder, "学校.csv", [first, second])


def infinite_values(folder: Path) -> list[Path]:
    first, second = valid_rows()
    first["sports_area_m2"] = "inf"
    second["equipment_value_yuan"] = "1e999"
    return _csv(folder, "学校.csv", [first, second])


def years_out_of_range(folder: Path) -> list[Path]:
    first, second = valid_rows()
    first["year"], second["year"] = 2205, 25
    return _csv(folder, "学校.csv", [first, second])


def impossible_stage(folder: Path) -> list[Path]:
    first, second = valid_rows()
    first["students_junior"] = 300  # a 小学 cannot have junior students
    return _csv(folder, "学校.csv", [first, second])


def survey_too_favourable(folder: Path) -> list[Path]:
    rows = [dict(year=2025, city="测试市", county="甲县", group="家长", respondents=400, favourable=452),
            dict(year=2025, city="测试市", county="甲县", group="学生", respondents=300, favourable=280)]
    return _csv(folder, "满意度调查.csv", rows, table=SURVEY)


def empty_file(folder: Path) -> list[Path]:
    return _text(folder, "学校.csv", "")


def blank_file(folder: Path) -> list[Path]:
    return _text(folder, "学校.csv", " \r\n\r\n   \n")


def binary_as_csv(folder: Path) -> list[Path]:
    path = folder / "学校.csv"
    rng = np.random.default_rng(6)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return [path]


def formula_in_cell(folder: Path) -> list[Path]:
    first, second = valid_rows()
    first["school_name"] = FORMULA
    second["school_name"] = "+1+1"
    return _csv(folder, "学校.csv", [first, second])


def formula_without_value(folder: Path) -> list[Path]:
    """An .xlsx whose 学校名称 cell is a formula never calculated (no cached value)."""
    cells = grid(valid_rows())
    column = cells[0].index(SCHOOLS.column("school_name").zh)
    cells[1][column] = '=CONCATENATE("城关","一小")'
    return [write_xlsx(folder / "学校.xlsx", {"学校": cells})]


def long_strings(folder: Path) -> list[Path]:
    first, second = valid_rows(county="长" * 300)
    first["school_name"] = "很长的学校名称" * 6000  # 42 000 characters, beyond Excel's cell limit
    return _csv(folder, "学校.csv", [first, second])


def path_county(folder: Path) -> list[Path]:
    return _csv(folder, "学校.csv", valid_rows(county=PATH_COUNTY))


def utf16_csv(folder: Path) -> list[Path]:
    return _text(folder, "学校.csv", _csv_text(valid_rows()), "utf-16")


def scaled_unit(folder: Path) -> list[Path]:
    rows = [dict(r, equipment_value_yuan=r["equipment_value_yuan"] / 10_000) for r in valid_rows()]
    return _csv(folder, "学校.csv", rows, headers={"equipment_value_yuan": "教学仪器设备值(万元)"})


def scientific_ids(folder: Path) -> list[Path]:
    first, second = valid_rows()
    first["school_id"], second["school_id"] = "4.10922E+09", "4.10922E+09"
    return _csv(folder, "学校.csv", [first, second])


def duplicate_rows(folder: Path) -> list[Path]:
    first, second = valid_rows()
    return _csv(folder, "学校.csv", [first, second, dict(first)])


def missing_column(folder: Path) -> list[Path]:
    rows = [{k: v for k, v in r.items() if k != "students_primary"} for r in valid_rows()]
    return _csv(folder, "学校.csv", rows)


def unsupported_type(folder: Path) -> list[Path]:
    return _text(folder, "学校.txt", _csv_text(valid_rows()))


def csv_named_xlsx(folder: Path) -> list[Path]:
    return _text(folder, "学校.xlsx", _csv_text(valid_rows()))


def xlsx_named_xls(folder: Path) -> list[Path]:
    path = write_xlsx(folder / "学校.xlsx", {"学校": grid(valid_rows())})
    return [path.rename(folder / "学校.xls")]


def zip_without_workbook(folder: Path) -> list[Path]:
    path = folder / "学校.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return [path]


def header_only(folder: Path) -> list[Path]:
    return _text(folder, "学校.csv", _csv_text(valid_rows()).split("\n", 1)[0] + "\n")


def empty_folder(folder: Path) -> list[Path]:
    (folder / "空文件夹").mkdir()
    return [folder / "空文件夹"]


def missing_path(folder: Path) -> list[Path]:
    return [folder / "不存在.csv"]


def quoted_newlines_ragged(folder: Path) -> list[Path]:
    """Cells with line breaks and commas inside quotes, and a row longer than the header."""
    first, second = valid_rows()
    first["school_name"] = "城关\n一小, 东校区"
    text = _csv_text([first, second]).rstrip("\n") + ",多余的一格\n"
    return _text(folder, "学校.csv", text)


def area_jump(folder: Path) -> list[Path]:
    rows = valid_rows(year=2024) + valid_rows(year=2025)
    rows[2]["teaching_area_m2"] = 400.0  # 5.0 → 0.4 m² per student: a lost digit
    return _csv(folder, "学校.csv", rows)


def teachers_per_100(folder: Path) -> list[Path]:
    first, second = valid_rows()
    first["backbone_teachers_primary"] = 350  # 35 per 100 students
    return _csv(folder, "学校.csv", [first, second])


def school_count_jump(folder: Path) -> list[Path]:
    rows = (valid_rows(year=2024, prefix="41092201") + valid_rows(year=2024, prefix="41092202")
            + valid_rows(year=2024, prefix="41092203") + valid_rows(year=2025, prefix="41092201"))
    return _csv(folder, "学校.csv", rows)


# --- Excel as it really is (issue 10) ---------------------------------------------------------------

def formula_in_optional_column(folder: Path) -> list[Path]:
    """public_funds_yuan (G6) as formulas written by a script: no cached values, the cells would read blank."""
    rows = [dict(r, public_funds_yuan=600000.0) for r in valid_rows()]
    cells = grid(rows)
    column = cells[0].index(SCHOOLS.column("public_funds_yuan").zh)
    for row in cells[1:]:
        row[column] = "=300000*2"
    return [write_xlsx(folder / "学校.xlsx", {"学校": cells})]


def hidden_old_year(folder: Path) -> list[Path]:
    """A visible 学校 sheet for 2025 and a hidden sheet 学校2023 with an old year's rows."""
    import openpyxl

    path = write_xlsx(folder / "学校.xlsx", {"学校": grid(valid_rows()),
                                            "学校2023": grid(valid_rows(year=2023, prefix="41092210"))})
    book = openpyxl.load_workbook(path)
    book["学校2023"].sheet_state = "hidden"
    book.save(path)
    return [path]


def _from_template(folder: Path, marker: object) -> list[Path]:
    """A 学校 sheet filled from the input template: headers with units, the example row (first cell
    ``marker``) left in row 2, two schools below it."""
    rows = valid_rows()
    cells = grid(rows, headers={c.name: c.header for c in SCHOOLS.columns})
    example = [marker if name == "year" else example_value(SCHOOLS.column(name)) for name in rows[0]]
    return [write_xlsx(folder / "学校.xlsx", {"学校": [cells[0], example, *cells[1:]]})]


def example_row_left_in(folder: Path) -> list[Path]:
    """The template's marked example row left in above the real rows."""
    return _from_template(folder, EXAMPLE_MARKER)


def example_marker_removed(folder: Path) -> list[Path]:
    """The example row's marker deleted, its values left: the row is data, without a year."""
    return _from_template(folder, None)


def encrypted_workbook(folder: Path) -> list[Path]:
    """A valid workbook protected with a password (Excel's 用密码进行加密)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(folder / "plain.xlsx", {"学校": grid(valid_rows())})
    path = folder / "学校.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("密码123", target)
    plain.unlink()
    return [path]


def _rewrite_part(path: Path, part: str, edit: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of an .xlsx archive in place."""
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts[part] = edit(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def far_cell(folder: Path) -> list[Path]:
    """Two valid schools plus one character typed in the last cell of the sheet, XFD1048576."""
    import openpyxl

    path = write_xlsx(folder / "学校.xlsx", {"学校": grid(valid_rows())})
    book = openpyxl.load_workbook(path)
    book["学校"]["XFD1048576"] = "x"
    book.save(path)
    return [path]


def declared_dimension(folder: Path) -> list[Path]:
    """A sheet that only declares its range as A1:XFD1048576 (the cells are two valid schools)."""
    import re as _re

    path = write_xlsx(folder / "学校.xlsx", {"学校": grid(valid_rows())})
    _rewrite_part(path, "xl/worksheets/sheet1.xml",
                  lambda xml: _re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml))
    return [path]


def shared_strings_bomb(folder: Path, megabytes: int = 80) -> list[Path]:
    """A small workbook whose shared-strings part inflates to ``megabytes`` MB (a zip bomb)."""
    path = write_xlsx(folder / "学校.xlsx", {"学校": grid(valid_rows())})
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name != "xl/sharedStrings.xml":
                archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                       b'spreadsheetml/2006/main">')
            block = b"<si><t>" + b"A" * 1000 + b"</t></si>"
            for _ in range(megabytes * 2**20 // len(block)):
                part.write(block)
            part.write(b"</sst>")
    return [path]


def control_characters(folder: Path) -> list[Path]:
    """School names pasted from Word: a vertical tab, an escape sequence, a line break."""
    rows = valid_rows()
    rows[0]["school_name"] = "城关\x0b一小\x1b[0m"
    rows[1]["school_name"] = "城关\n一中"
    return _csv(folder, "学校.csv", rows)


def huge_magnitude(folder: Path) -> list[Path]:
    """An equipment value of 1e308: the county sum would overflow to infinity."""
    rows = valid_rows()
    rows[0]["equipment_value_yuan"] = 1e308
    return _csv(folder, "学校.csv", rows)


def only_special_education(folder: Path) -> list[Path]:
    """A county whose only school is a 特殊教育学校 (out of scope of R): assess used to raise KeyError."""
    first, _ = valid_rows()
    first.update(school_type="特殊教育学校")
    return _csv(folder, "学校.csv", [first])


def zero_students(folder: Path) -> list[Path]:
    """A county whose only school has no students this year."""
    first, _ = valid_rows()
    first.update(students_primary=0, teachers_above_degree_primary=0, backbone_teachers_primary=0,
                 pe_art_teachers_primary=0)
    return _csv(folder, "学校.csv", [first])


def _county_rows(*places) -> list[dict]:
    from tests.builders import COUNTY_OK

    return [dict(COUNTY_OK, county=c, year=y) for c, y in places]


def scores_of_unknown_school(folder: Path) -> list[Path]:
    """Scores of the two schools plus a third school the school table does not have."""
    rows = [dict(city="测试市", county="甲县", year=2025, school_id=sid, subject="数学", student_id=f"{sid}-{i}",
                 score=480.0 + 10 * i) for sid in ("4109220001", "4109220002", "4109229999") for i in range(4)]
    return _csv(folder, "学校.csv", valid_rows()) + _csv(folder, "学业成绩.csv", rows, table=SCORES)


def survey_of_unknown_county(folder: Path) -> list[Path]:
    """A survey of 乙县, which has no school in the school table."""
    from tests.builders import survey_rows

    return (_csv(folder, "学校.csv", valid_rows())
            + _csv(folder, "满意度调查.csv", survey_rows(county="乙县"), table=SURVEY))


def county_row_without_schools(folder: Path) -> list[Path]:
    """County rows for 2025 (with schools) and 2023 (no school that year)."""
    from quality_balance.schema import COUNTIES

    return (_csv(folder, "学校.csv", valid_rows())
            + _csv(folder, "县区.csv", _county_rows(("甲县", 2025), ("甲县", 2023)), table=COUNTIES))


def county_missing_from_county_table(folder: Path) -> list[Path]:
    """Schools of 甲县 and 乙县, but the county table has 甲县 only."""
    from quality_balance.schema import COUNTIES

    rows = valid_rows() + valid_rows(county="乙县", prefix="41092300")
    return _csv(folder, "学校.csv", rows) + _csv(folder, "县区.csv", _county_rows(("甲县", 2025)), table=COUNTIES)


# --- the list ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One hostile input: what it is, how to build it, and what ``check`` must say."""

    name: str
    description: str
    build: Callable[[Path], list[Path]]
    status: int                  # exit status of `quality-balance check`: 2 error, 0 accepted
    expect: tuple[str, ...]      # texts the output must contain
    outcome: str                 # the documented outcome, in words (README table)


CASES = [
    Case("truncated_workbook", "xlsx cut in half", truncated_workbook, 2, ("学校.xlsx", "无法作为 Excel 工作簿读取"),
         "error: cannot be read as a workbook, re-save in Excel"),
    Case("empty_sheet", "workbook whose only sheet 学校 is empty", empty_sheet, 2,
         ("数据.xlsx", "工作表 学校", "没有找到可识别的表头"), "error: no header found in sheet 学校"),
    Case("wrong_sheet_names", "school data in a sheet named Sheet1 (plus an empty Sheet2)", wrong_sheet_names, 0,
         ("学校 2 行", "没有错误"), "accepted: the table is recognised by its headers; the empty sheet is skipped"),
    Case("schools_in_county_sheet", "school data in a sheet named 县区", schools_in_county_sheet, 2,
         ("数据.xlsx", "工作表 县区", "没有找到可识别的表头"),
         "error: sheet 县区 lacks the county table's headers (the sheet name decides the table)"),
    Case("duplicate_headers", "two columns both headed 学校名称", duplicate_headers, 2,
         ("学校.csv", "学校名称", "重复"), "error: duplicate column, both named"),
    Case("mojibake_header", "header in another encoding (GBK bytes shown as Latin-1, saved as UTF-8)",
         mojibake_header, 2, ("学校.csv", "没有找到可识别的表头"), "error: no recognisable header"),
    Case("header_gbk_body_utf8", "lines in mixed encodings: GBK header, UTF-8 data rows", header_gbk_body_utf8, 2,
         ("学校.csv", "无法识别文件编码"),
         "error: no accepted encoding decodes the whole file (UTF-8 fails on the header, GB18030 on the rows)"),
    Case("mixed_encodings_folder", "folder with 学校2024.csv in GBK and 学校2025.csv in UTF-8",
         mixed_encodings_folder, 0, ("学校 4 行", "没有错误"), "accepted: each file decoded on its own, years joined"),
    Case("nul_bytes", "NUL bytes inside a CSV", nul_bytes, 2, ("学校.csv", "空字符"),
         "error: NUL characters, not a text file"),
    Case("negative_values", "negative students and area", negative_values, 2,
         ("学校.csv", "第2行", "小学在校生数", "数值为负", "第3行", "教学及辅助用房面积"),
         "error: negative value, row and column named"),
    Case("nan_values", "NaN / nan typed into number cells", nan_values, 2,
         ("学校.csv", "教学及辅助用房面积", "不是数字", "'NaN'"), "error: not a number"),
    Case("infinite_values", "inf and 1e999 in number cells", infinite_values, 2,
         ("学校.csv", "体育运动场馆面积", "数值不是有限数", "教学仪器设备值"), "error: value is not finite"),
    Case("years_out_of_range", "years 2205 and 25", years_out_of_range, 2,
         ("学校.csv", "年份超出范围", "'2205'", "'25'"), "error: year out of range 2000–2100"),
    Case("impossible_stage", "a 小学 with 300 junior students", impossible_stage, 2,
         ("学校.csv", "初中在校生数", "不应有初中在校生"), "error: the school type cannot have that stage"),
    Case("survey_too_favourable", "a survey with 452 favourable answers of 400 respondents", survey_too_favourable, 2,
         ("满意度调查.csv", "认可人数多于有效样本数", "认可 452 > 样本 400"),
         "error: more favourable answers than respondents"),
    Case("empty_file", "a 0-byte 学校.csv", empty_file, 2, ("学校.csv", "文件是空的"), "error: the file is empty"),
    Case("blank_file", "a 学校.csv of spaces and line breaks", blank_file, 2, ("学校.csv", "文件是空的"),
         "error: the file is empty"),
    Case("binary_as_csv", "PNG bytes saved as 学校.csv", binary_as_csv, 2, ("学校.csv", "无法识别文件编码"),
         "error: no accepted encoding (a binary file with NUL bytes that decodes would get the NUL error)"),
    Case("formula_in_cell", "=HYPERLINK(...) and +1+1 as school names", formula_in_cell, 0, ("学校 2 行", "没有错误"),
         "accepted as text; neutralised (') in every workbook written (ledger test)"),
    Case("formula_without_value", "an .xlsx formula cell never calculated (no cached value)", formula_without_value, 2,
         ("学校.xlsx", "公式没有保存计算结果（T2）", "保存一次"),
         "error: names the formula cells without a cached value; fix: open and save in Excel/WPS"),
    Case("long_strings", "a 42 000-character school name and a 300-character county", long_strings, 0,
         ("学校 2 行", "没有错误"),
         "accepted; the ledger cuts cells at Excel's 32 767 characters and file names at 40"),
    Case("path_county", f"county named {PATH_COUNTY}", path_county, 0, ("学校 2 行", "没有错误"),
         "accepted as a name; never used as a path (assess/ledger test)"),
    Case("utf16_csv", "a UTF-16 CSV (Excel's 'Unicode text')", utf16_csv, 2, ("学校.csv", "UTF-16"),
         "error: UTF-16, save as CSV UTF-8"),
    Case("scaled_unit", "header 教学仪器设备值(万元)", scaled_unit, 2, ("学校.csv", "万元", "以“元”为单位"),
         "error: unit 万元 where 元 is expected (and the required column missing)"),
    Case("scientific_ids", "school codes turned into 4.10922E+09 by Excel", scientific_ids, 2,
         ("学校.csv", "学校标识码", "科学计数法"), "error: identifier lost to scientific notation"),
    Case("duplicate_rows", "the same school and year twice", duplicate_rows, 2,
         ("学校.csv", "第4行", "与第2行", "重复"),
         "error: duplicate key, both rows named"),
    Case("missing_column", "no 小学在校生数 column", missing_column, 2, ("学校.csv", "小学在校生数", "缺少必需的列"),
         "error: required column missing"),
    Case("unsupported_type", "school data in a .txt file", unsupported_type, 2, ("学校.txt", "不支持的文件类型"),
         "error: unsupported file type"),
    Case("csv_named_xlsx", "CSV text saved as 学校.xlsx", csv_named_xlsx, 2, ("学校.xlsx", "无法作为 Excel 工作簿读取"),
         "error: not a workbook"),
    Case("xlsx_named_xls", "an .xlsx renamed 学校.xls", xlsx_named_xls, 2, ("学校.xls", "无法作为 .xls 工作簿读取"),
         "error: not an .xls workbook, save as .xlsx"),
    Case("zip_without_workbook", "a zip archive (no workbook inside) named 学校.xlsx", zip_without_workbook, 2,
         ("学校.xlsx", "无法作为 Excel 工作簿读取"), "error: not a workbook"),
    Case("header_only", "a 学校.csv with the header row only", header_only, 2,
         ("学校.csv", "没有数据行", "没有找到含数据行的表"),
         "error: no table with data rows"),
    Case("empty_folder", "an empty folder", empty_folder, 2, ("空文件夹", "没有找到可识别的数据表"),
         "error: no table found"),
    Case("missing_path", "a path that does not exist", missing_path, 2, ("不存在.csv", "找不到文件"),
         "error: file not found"),
    Case("quoted_newlines_ragged", "a cell with a line break and comma in quotes; a row longer than the header",
         quoted_newlines_ragged, 0, ("学校 2 行", "未识别的列", "没有错误"),
         "accepted; the extra cell is an ignored column (warning)"),
    Case("area_jump", "a school whose teaching area per student drops 12.5-fold from 2024 to 2025", area_jump, 0,
         ("生均教学及辅助用房面积", "相差 12.5 倍", "4109220001", "数据质量提示"),
         "accepted with a suspicious-value warning"),
    Case("teachers_per_100", "35 backbone teachers per 100 primary students", teachers_per_100, 0,
         ("县级以上骨干教师数(小学)", "35.0", "超过 30 名"), "accepted with a suspicious-value warning"),
    Case("school_count_jump", "a county with 6 schools in 2024 and 2 in 2025", school_count_jump, 0,
         ("学校数从 2024 年的 6 所变为 2025 年的 2 所", "-67%"), "accepted with a suspicious-value warning"),
    Case("control_characters", "school names with a vertical tab, an escape sequence and a line break",
         control_characters, 0, ("第2行", "控制字符", "城关一小[0m", "第3行", "城关 一中", "没有错误"),
         "accepted with a warning per cell naming it and what it now reads; assess and every writer work"),
    Case("huge_magnitude", "an equipment value of 1e308", huge_magnitude, 2,
         ("学校.csv", "第2行", "教学仪器设备值", "数值大得不合理"),
         "error: a value beyond 1e12 is refused (it overflowed the county mean to infinity and the reason said "
         "均为 0)"),
    Case("only_special_education", "a county whose only school is a 特殊教育学校", only_special_education, 0,
         ("学校 1 行", "没有错误"),
         "accepted; assess gives 资源配置 not_applicable 无纳入评估的学校单元 (was a KeyError)"),
    Case("zero_students", "a county whose only school has 0 students", zero_students, 0,
         ("学校 1 行", "没有错误"), "accepted; assess gives 资源配置 not_applicable (was a KeyError)"),
    Case("scores_of_unknown_school", "scores of a school the school table does not have", scores_of_unknown_school, 0,
         ("学业成绩", "1 所学校不在学校表中", "4109229999", "不计入校际差异率（Q9）"),
         "accepted with a warning; those scores are left out of Q9 (before: Q9 moved silently, 0.180 → 0.594)"),
    Case("survey_of_unknown_county", "a survey of a county without schools", survey_of_unknown_county, 0,
         ("满意度调查", "测试市乙县 2025年", "不计入社会认可度（S1）"), "accepted with a warning; left out of S1"),
    Case("county_row_without_schools", "a county-table row for a year without schools", county_row_without_schools, 0,
         ("县区", "测试市甲县 2023年", "不对其作出评估结论"),
         "accepted with a warning; no verdict is given for 2023 (before: a verdict was invented)"),
    Case("county_missing_from_county_table", "schools of 乙县, no county-table row for it",
         county_missing_from_county_table, 0, ("1 个县区在县区表中没有任何一行", "测试市乙县", "无数据"),
         "accepted with a warning: its county-level items will be no_data"),
    Case("formula_in_optional_column", "G6 funds as script-written formulas (no cached values) in an optional column",
         formula_in_optional_column, 2, ("学校.xlsx", "公式没有保存计算结果", "保存一次"),
         "error: the formula cells are named (they would read blank and turn G6 into no_data)"),
    Case("hidden_old_year", "a hidden sheet 学校2023 beside the visible 学校 sheet of 2025", hidden_old_year, 0,
         ("隐藏的工作表未读取", "学校2023", "学校 2 行"),
         "accepted: only the visible sheet is read; a warning names the hidden one (--include-hidden reads it)"),
    Case("example_row_left_in", "a filled template with its marked example row left in row 2", example_row_left_in, 0,
         ("学校 2 行", "第2行 列「年份」", "模板的示例行，导入时已忽略", "没有错误"),
         "accepted: the example row is skipped and named in a warning (Dataset.notes); the 2 schools are read"),
    Case("example_marker_removed", "the example row's marker deleted, its values left", example_marker_removed, 2,
         ("学校.xlsx", "第2行 列「年份」", "缺少数据"),
         "error: without its marker the example row is data, here without a year"),
    Case("encrypted_workbook", "a password-protected (encrypted) .xlsx", encrypted_workbook, 2,
         ("学校.xlsx", "受密码保护"), "error: the workbook is protected by a password; remove it and save"),
    Case("far_cell", "one character typed in cell XFD1048576 of an otherwise valid sheet", far_cell, 2,
         ("学校.xlsx", "使用范围过大", "XFD1048576"), "error in seconds: the used range is too large, names the cell"),
    Case("declared_dimension", "a sheet that declares its range as A1:XFD1048576", declared_dimension, 0,
         ("学校 2 行", "没有错误"), "accepted: the declared range is not trusted, the real cells are read"),
    Case("shared_strings_bomb", "a workbook whose shared strings inflate to 80 MB (a zip bomb)", shared_strings_bomb,
         2, ("学校.xlsx", "共享字符串表", "压缩炸弹"), "error before parsing: inflated size over the limit"),
]


# --- files for the other hostile tests -----------------------------------------------------------------

def hostile_county_rows(county: str, school_name: str = FORMULA) -> list[dict]:
    """Schools of one county and year that fail resource indicators, one named ``school_name``."""
    first, second = valid_rows(county=county)
    first.update(school_name=school_name, backbone_teachers_primary=2.0, teaching_area_m2=3000.0)
    return [first, second]


def big_school_file(path: Path, rows: int = 200_000, bad_row: bool = True, seed: int = 0) -> Path:
    """A GBK school CSV of ``rows`` valid rows (types, "—" marks, thousands separators, 6 counties × 5 years).

    With ``bad_row`` the next-to-last row (a 小学) has negative primary students:
    its Excel row is ``rows`` (header = row 1), which the test checks to prove
    rows are counted right at scale.
    """
    rng = np.random.default_rng(seed)
    n = np.arange(rows)
    school = n // 5                                      # five years per school, 2021–2025
    kinds = rng.choice(["小学", "初级中学", "九年一贯制学校"], size=school[-1] + 1, p=[0.6, 0.25, 0.15])
    kinds[-1] = "小学"                                     # the school of the bad row has primary students
    types = kinds[school]
    has_primary, has_junior = types != "初级中学", types != "小学"
    primary = np.where(has_primary, rng.integers(200, 2000, rows), 0)
    junior = np.where(has_junior, rng.integers(200, 1500, rows), 0)
    total = primary + junior

    def per_stage(has, students, per_100):
        counts = np.round(students * per_100 / 100 + rng.normal(0, 1, rows)).clip(0).astype(int)
        return np.where(has, counts.astype(str), "—")

    students_primary = np.where(has_primary, primary.astype(str), "—")
    if bad_row:
        students_primary[rows - 2] = "-5"
    data = {
        "year": 2021 + n % 5,
        "city": "濮阳市",
        "county": np.array(["华龙区", "濮阳县", "清丰县", "南乐县", "范县", "台前县"])[school % 6],
        "school_id": (4109000000 + school).astype(str),
        "school_name": np.char.add("学校", school.astype(str)),
        "school_type": types,
        "location": rng.choice(["城区", "镇区", "乡村"], size=school[-1] + 1)[school],
        "students_primary": students_primary,
        "students_junior": np.where(has_junior, junior.astype(str), "—"),
        "teachers_above_degree_primary": per_stage(has_primary, primary, 5.0),
        "teachers_above_degree_junior": per_stage(has_junior, junior, 6.0),
        "backbone_teachers_primary": per_stage(has_primary, primary, 1.2),
        "backbone_teachers_junior": per_stage(has_junior, junior, 1.2),
        "pe_art_teachers_primary": per_stage(has_primary, primary, 1.0),
        "pe_art_teachers_junior": per_stage(has_junior, junior, 1.0),
        "teaching_area_m2": [f"{v:,.1f}" for v in total * 5.5],
        "sports_area_m2": np.round(total * 9.0, 1),
        "equipment_value_yuan": np.round(total * 2400.0),
        "multimedia_rooms": total // 40 + 1,
    }
    frame = pd.DataFrame(data).rename(columns={c.name: c.zh for c in SCHOOLS.columns})
    frame.to_csv(path, index=False, encoding="gbk")
    return path
