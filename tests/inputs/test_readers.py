"""Reading files: encodings, header matching, title and units rows, workbooks, damaged files."""
from __future__ import annotations

import pytest

import quality_balance as qb

from tests.input_files import JUNIOR_OK, grid, school, write_csv, write_xls, write_xlsx
from quality_balance.errors import InputError
from quality_balance.inputs.readers import (collect_files, match_header, normalise_header, read_file, read_table,
                                table_for_name)
from quality_balance.schema import COUNTIES, SCHOOLS, SURVEY, SURVEY_ANSWERS


# --- header matching -----------------------------------------------------------------------

@pytest.mark.parametrize("header, expected", [
    ("高于规定学历教师数(小学)", "teachers_above_degree_primary"),
    ("高于规定学历教师数（小学）", "teachers_above_degree_primary"),       # full-width brackets
    ("  高于规定学历教师数 （小学） ", "teachers_above_degree_primary"),   # spaces around and inside
    ("高于规定学历教师数【小学】", "teachers_above_degree_primary"),
    ("教学及辅助用房面积(平方米)", "teaching_area_m2"),                    # unit suffix
    ("教学及辅助用房面积（㎡）", "teaching_area_m2"),
    ("教学仪器设备值（元）", "equipment_value_yuan"),
    ("小学在校生数(人)", "students_primary"),
    ("教学及辅助用房面积(小学)(平方米)", "teaching_area_m2_primary"),       # stage, then unit
    ("School_ID", "school_id"),                                            # English, any case
    ("SCHOOL ID", "school_id"),
    ("办学类型", "school_type"),                                           # alias
    ("*学校名称", "school_name"),                                          # template's required mark
    ("学校名称（全称）", None),                                            # not a unit: unknown header
    ("教学仪器设备值(万元)", None),                                        # scaled unit: refused
    ("", None),
])
def test_match_header(header, expected):
    assert match_header(header, SCHOOLS) == expected


def test_match_header_rates_with_percent_suffix():
    assert match_header("教师交流轮岗比例（%）", COUNTIES) == "rotation_rate"
    assert match_header("教师交流轮岗比例(％)", COUNTIES) == "rotation_rate"


def test_normalise_header_full_width_letters_and_digits():
    assert normalise_header("ＳＣＨＯＯＬ＿ＩＤ") == "schoolid"
    assert normalise_header("学校　名称") == "学校名称"  # ideographic space


@pytest.mark.parametrize("name, table", [
    ("schools", "schools"), ("学校", "schools"), ("学校2023", "schools"), ("2023年学校", "schools"),
    ("schools_2021", "schools"), ("学校表", "schools"), ("县区", "counties"), ("Counties", "counties"),
    ("满意度调查", "survey"), ("survey_answers", "survey_answers"), ("调查答卷2025", "survey_answers"),
    ("学业成绩", "scores"), ("Sheet1", None), ("数据", None),
])
def test_table_for_name(name, table):
    found = table_for_name(name)
    assert (found.name if found else None) == table


# --- CSV encodings ---------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, detected", [
    ("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
])
def test_csv_encodings_are_detected(tmp_path, encoding, detected):
    path = write_csv(tmp_path / "学校.csv", [school(school_name="城关镇第一小学（东校区）")], encoding)
    [sheet] = read_table(path, SCHOOLS)
    assert sheet.encoding == detected
    assert sheet.frame.loc[0, "school_name"] == "城关镇第一小学（东校区）"
    assert sheet.headers["students_primary"] == "小学在校生数"
    assert not sheet.frame.columns.str.startswith("\ufeff").any()  # the BOM is not part of a header


def test_gb18030_only_characters_survive(tmp_path):
    # 𠮷 is outside GBK: a GB18030 file holding it must not be read as GBK-and-fail
    path = write_csv(tmp_path / "学校.csv", [school(school_name="𠮷祥小学")], "gb18030")
    [sheet] = read_table(path, SCHOOLS)
    assert sheet.frame.loc[0, "school_name"] == "𠮷祥小学"


def test_undecodable_csv_is_a_clear_problem(tmp_path):
    path = tmp_path / "学校.csv"
    path.write_bytes("学校名称,年份\n".encode("utf-8") + b"\x80\x80\xff,2025\n")
    with pytest.raises(InputError) as info:
        read_table(path, SCHOOLS)
    [problem] = info.value.problems
    assert "无法识别文件编码" in problem.message and "GBK" in problem.expected
    assert str(path) in str(info.value)


def test_utf16_csv_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "学校.csv"
    path.write_bytes("年份,学校名称\n2025,一小\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        read_table(path, SCHOOLS)


def test_nul_bytes_are_refused(tmp_path):
    path = tmp_path / "学校.csv"
    path.write_bytes(b"year,school_id\x00\x00\n2025,1\n")
    with pytest.raises(InputError, match="NUL"):
        read_table(path, SCHOOLS)


@pytest.mark.parametrize("text, message", [
    ('年份,学校名称\n2025,"没有结束的引号\n', "CSV 格式错误"),
    ("年份,学校名称\n2025," + "长" * 200_000 + "\n", "CSV 格式错误"),   # beyond the csv field limit
])
def test_malformed_csv_is_a_clear_problem(tmp_path, text, message):
    path = tmp_path / "学校.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_table(path, SCHOOLS)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "学校.csv"
    path.write_bytes(b"  \n")
    with pytest.raises(InputError, match="文件是空的"):
        read_table(path, SCHOOLS)


@pytest.mark.parametrize("rows_before", [1, 30])  # within the top rows, and far below them
def test_cells_right_of_the_header_become_an_unnamed_ignored_column(tmp_path, rows_before):
    rows = [school(school_id=f"S{i}") for i in range(rows_before)]
    path = write_csv(tmp_path / "学校.csv", rows)
    width = len(rows[0])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(",".join(["x"] * (width + 1)) + "\n")
    [sheet] = read_table(path, SCHOOLS)
    [extra] = sheet.ignored
    assert extra.startswith("（未命名列")
    assert sheet.frame[extra].tolist() == [""] * rows_before + ["x"]


# --- header row, title rows, units row, blank rows --------------------------------------------------

def test_title_rows_and_units_row_are_skipped_and_rows_numbered_as_in_excel(tmp_path):
    path = tmp_path / "学校.csv"
    cells = grid([school(), school(school_id="S1")], title="清丰县2025年义务教育学校基本情况", units=True)
    cells.insert(1, ["填报单位：清丰县教育局"])
    with open(path, "w", encoding="gbk", newline="") as fh:
        import csv
        csv.writer(fh).writerows(cells)
    [sheet] = read_table(path, SCHOOLS)
    assert sheet.header_row == 3                       # title, 填报单位, header
    assert sheet.rows.tolist() == [5, 6]               # units row (4) skipped
    assert sheet.frame["school_id"].tolist() == ["S0", "S1"]


def test_blank_rows_are_dropped_but_row_numbers_kept(tmp_path):
    cells = grid([school(), school(school_id="S1")])
    cells.insert(2, [""] * len(cells[0]))
    cells.insert(3, ["  "] * len(cells[0]))            # spaces only: blank too
    path = write_xlsx(tmp_path / "学校.xlsx", {"学校": cells})
    [sheet] = read_table(path, SCHOOLS)
    assert sheet.rows.tolist() == [2, 5]


def test_leading_empty_rows_in_a_workbook_count_for_row_numbers(tmp_path):
    cells = [[""], [""]] + grid([school()])
    path = write_xlsx(tmp_path / "学校.xlsx", {"学校": cells})
    [sheet] = read_table(path, SCHOOLS)
    assert (sheet.header_row, sheet.rows.tolist()) == (3, [4])


def test_column_order_and_extra_columns(tmp_path):
    row = school()
    reordered = {"备注": "新建校", **dict(reversed(list(row.items())))}
    path = write_csv(tmp_path / "学校.csv", [reordered])
    [sheet] = read_table(path, SCHOOLS)
    assert sheet.ignored == ("备注",)
    assert sheet.frame.loc[0, "备注"] == "新建校"
    assert sheet.frame.loc[0, "school_id"] == "S0"


def test_ignored_columns_are_a_warning_not_an_error(tmp_path):
    path = write_csv(tmp_path / "学校.csv", [dict(school(), 备注="x")])
    result = read_file(path, [SCHOOLS])
    [warning] = result.problems
    assert warning.severity == "warning" and warning.column == "备注" and warning.row == 1


def test_duplicate_headers_are_an_error(tmp_path):
    path = write_csv(tmp_path / "学校.csv", [school()], headers={"school_name": "学校标识码"})
    with pytest.raises(InputError) as info:
        read_table(path, SCHOOLS)
    [problem] = info.value.problems
    assert problem.row == 1 and "重复" in problem.message and problem.column == "学校标识码"


def test_scaled_unit_header_is_an_error_with_a_fix(tmp_path):
    path = write_csv(tmp_path / "学校.csv", [school()], headers={"equipment_value_yuan": "教学仪器设备值(万元)"})
    with pytest.raises(InputError) as info:
        read_table(path, SCHOOLS)
    [problem] = info.value.problems
    assert problem.column == "教学仪器设备值(万元)" and "换算为元" in problem.fix


def test_no_header_found(tmp_path):
    path = tmp_path / "学校.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="没有找到可识别的表头"):
        read_table(path, SCHOOLS)


# --- workbooks ------------------------------------------------------------------------------------

def test_xlsx_sheets_are_identified_by_name_or_header(tmp_path):
    path = write_xlsx(tmp_path / "data.xlsx", {
        "说明": [["本工作簿按模板填写"], ["年份：学年"]],
        "学校": grid([school()]),
        "Sheet3": grid([school(JUNIOR_OK, school_id="J1")]),   # recognised by its headers
        "备忘": [["随便写写"]],                                    # not a table: skipped with a warning
    })
    result = read_file(path)
    assert [(s.sheet, s.table.name) for s in result.sheets] == [("学校", "schools"), ("Sheet3", "schools")]
    [warning] = result.problems
    assert warning.severity == "warning" and warning.sheet == "备忘"


def test_survey_file_holding_raw_answers_is_read_as_answers(tmp_path):
    rows = [dict(year=2025, city="测试市", county="甲县", respondent_id="A1", group="家长", answer="满意")]
    path = write_csv(tmp_path / "满意度调查.csv", rows, table=SURVEY_ANSWERS)
    [sheet] = read_file(path, [SURVEY, SURVEY_ANSWERS]).sheets
    assert sheet.table.name == "survey_answers"


def test_xlsx_numbers_keep_their_text_form(tmp_path):
    path = write_xlsx(tmp_path / "学校.xlsx", {"学校": grid([school(school_id=2141000123, students_primary=820)])})
    [sheet] = read_table(path, SCHOOLS)
    assert sheet.frame.loc[0, "school_id"] == "2141000123"
    assert sheet.frame.loc[0, "students_primary"] == "820"


def test_xls_is_read(tmp_path):
    path = write_xls(tmp_path / "学校.xls", {"2025": grid([school(school_id="2141000123")], title="学校情况")})
    [sheet] = read_table(path, SCHOOLS)
    assert sheet.sheet == "2025" and sheet.header_row == 2 and sheet.year_hint == 2025
    assert sheet.frame.loc[0, "school_id"] == "2141000123"
    assert sheet.frame.loc[0, "students_primary"] == "1000"


def test_truncated_workbook_is_a_clear_problem(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", {"学校": grid([school()])})
    bad = tmp_path / "学校.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError, match="无法作为 Excel 工作簿读取"):
        read_table(bad, SCHOOLS)


def test_missing_sheet_lists_the_problem(tmp_path):
    path = write_xlsx(tmp_path / "学校.xlsx", {"学校": grid([school()])})
    with pytest.raises(InputError, match="没有名为“2025”的工作表"):
        read_table(path, SCHOOLS, sheet="2025")


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(InputError, match="找不到文件"):
        read_table(tmp_path / "nope.csv", SCHOOLS)
    doc = tmp_path / "学校.docx"
    doc.write_bytes(b"PK")
    with pytest.raises(InputError, match="不支持的文件类型"):
        read_table(doc, SCHOOLS)


def test_collect_files_lists_data_files_only(tmp_path):
    for name in ("学校.csv", "县区.xlsx", "metadata.json", "README.md", "~$县区.xlsx", ".hidden.csv"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in collect_files(tmp_path)] == ["县区.xlsx", "学校.csv"]


# --- Excel as it really is: formulas, hidden sheets (issue 10) ----------------------------------------

def _formula_with_cached_value(path):
    """Give the first formula cell of sheet1 a cached value, as Excel does when it saves."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb"<f>([^<]*)</f><v\s*/>|<f>([^<]*)</f>(?!<v>)",
                                               lambda m: b"<f>" + (m[1] or m[2]) + b"</f><v>600000</v>",
                                               parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_formula_with_a_cached_value_reads_the_value(tmp_path):
    from tests.hostile.cases import formula_in_optional_column
    from quality_balance.inputs.readers import read_file

    path = formula_in_optional_column(tmp_path)[0]
    before = read_file(path)
    assert [p.message for p in before.errors] and "公式没有保存计算结果" in before.errors[0].message
    _formula_with_cached_value(path)          # as if opened and saved in Excel
    after = read_file(path)
    assert after.errors == []
    assert after.sheets[0].frame["public_funds_yuan"].tolist() == ["600000", "600000"]


def test_hidden_sheets_are_skipped_unless_asked_for(tmp_path):
    from tests.hostile.cases import hidden_old_year

    path = hidden_old_year(tmp_path)[0]
    default = qb.load_dataset(path)
    assert sorted(default.schools["year"].unique()) == [2025]
    assert any("隐藏的工作表未读取" in note and "学校2023" in note for note in default.notes)
    both = qb.load_dataset(path, include_hidden=True)
    assert sorted(both.schools["year"].unique()) == [2023, 2025]
    assert not any("隐藏" in note for note in both.notes)


def test_include_hidden_on_the_command_line(tmp_path, capsys):
    from tests.hostile.cases import hidden_old_year
    from quality_balance.cli import main

    path = hidden_old_year(tmp_path)[0]
    assert main(["check", str(path)]) == 0
    assert "学校 2 行" in capsys.readouterr().out
    assert main(["check", "--include-hidden", str(path)]) == 0
    assert "学校 4 行" in capsys.readouterr().out


def test_a_stray_far_cell_does_not_cost_the_sheet(tmp_path):
    """Trailing blank cells are dropped: a cell at column AZ of row 2 widens the grid to AZ only."""
    import openpyxl

    from tests.hostile.cases import valid_rows
    from tests.input_files import grid, write_xlsx
    from quality_balance.inputs.readers import read_file

    path = write_xlsx(tmp_path / "学校.xlsx", {"学校": grid(valid_rows())})
    book = openpyxl.load_workbook(path)
    book["学校"]["AZ2000"] = "备注"
    book.save(path)
    result = read_file(path)
    assert result.errors == [] and result.sheets[0].ignored == ("（未命名列 AZ）",)
    assert len(result.sheets[0].frame) == 3      # the two schools and the row holding 备注; nothing padded beyond
    assert result.sheets[0].frame.shape[1] <= 52 + 1   # up to column AZ, not XFD


def test_the_utf8_check_agrees_with_decoding():
    # pyarrow's validator decides UTF-8 without decoding; it must say what bytes.decode says
    import numpy as np

    from quality_balance.inputs.readers import _valid_utf8

    def decodes(data):
        try:
            data.decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False

    cases = [b"", b"abc", "学校".encode(), "学校".encode("gb18030"), b"\xef\xbb\xbfyear", b"\xc0\x80", b"\xed\xa0\x80",
             b"\xf4\x90\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xe4\xb8", b"\x80", b"\xff\xfe"]
    rng = np.random.default_rng(12)
    cases += [bytes(rng.integers(0x70, 256, rng.integers(1, 9)).astype(np.uint8)) for _ in range(3000)]
    assert [_valid_utf8(c) for c in cases] == [decodes(c) for c in cases]
    assert not _valid_utf8("县区学校".encode("gb18030")) and _valid_utf8("县区学校".encode())
