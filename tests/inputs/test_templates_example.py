"""The template a bureau fills without asking (issue 11 §7): units in the headers, one marked example row
skipped on load, comments in words, one percent convention, validation of every numeric column."""
from __future__ import annotations

import csv
import re

import openpyxl
import pytest

from quality_balance.cli import main
from quality_balance.inputs.loaders import load_dataset
from quality_balance.inputs.readers import match_header
from quality_balance.inputs.templates import (CSV_FOLDER, EXAMPLE_ROW, TEMPLATE_WORKBOOK, column_help,
                                              example_value, write_template)
from quality_balance.inputs.validate import NOT_APPLICABLE_MARKS, YEAR_RANGE, check_files, validate_files
from quality_balance.schema import COUNTIES, EXAMPLE_MARKER, PERCENT_KINDS, SCHOOLS, TABLES
from tests.builders import school
from tests.input_files import grid, write_csv, write_xlsx

NUMERIC = ("int", "count", "amount", "rate", "ratio")
ITEM_CODE = re.compile(r"[GQRSV]\d")
EXAMPLE_NOTE = "模板的示例行，导入时已忽略"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    write_template(folder)
    return folder


@pytest.fixture(scope="module")
def book(template):
    return openpyxl.load_workbook(template / TEMPLATE_WORKBOOK)


def data_row(table, year=2025) -> list:
    """A data row with every column's example, as a user types it below the example row."""
    return [year] + [example_value(col) for col in table.columns[1:]]


def filled(template, tmp_path, edit=None, name="filled.xlsx"):
    """The template with one data row added under the example row on every sheet (``edit(book)`` first)."""
    path = tmp_path / name
    book = openpyxl.load_workbook(template / TEMPLATE_WORKBOOK)
    for table in TABLES.values():
        book[table.zh].append(data_row(table))
    if edit:
        edit(book)
    book.save(path)
    return path


def rule(ws, letter: str):
    """The data validation of a column (the one whose range starts at ``letter``2)."""
    found = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}{EXAMPLE_ROW}:")]
    assert len(found) == 1, letter
    return found[0]


def letter_of(table, name):
    from openpyxl.utils import get_column_letter
    return get_column_letter(table.names.index(name) + 1)


# --- 1. units in the header text ----------------------------------------------------------------------------

def test_headers_carry_the_schema_units(book):
    schools, counties = book[SCHOOLS.zh], book[COUNTIES.zh]
    heads = [c.value for c in schools[1]]
    assert "教学仪器设备值(元)" in heads and "教学及辅助用房面积(平方米)" in heads
    assert "高于规定学历教师数(小学)(人)" in heads and "网络多媒体教室数(间)" in heads
    assert "学校名称" in heads and "学校类型" in heads                     # no unit: no brackets
    county_heads = [c.value for c in counties[1]]
    assert "教师平均工资收入(元/年)" in county_heads and "新建学校数(所)" in county_heads
    for table in TABLES.values():
        for col, cell in zip(table.columns, book[table.zh][1]):
            unit = col.unit if col.kind not in PERCENT_KINDS else "%"
            assert cell.value == (f"{col.zh}({unit})" if unit else col.zh)


def test_every_header_with_its_unit_names_its_column():
    """The readers' header matching accepts each template header (unit suffix dropped) and the bare one."""
    for table in TABLES.values():
        for col in table.columns:
            assert match_header(col.header, table) == col.name, col.header
            assert match_header(col.zh, table) == col.name, col.zh


# --- 2. the example row ------------------------------------------------------------------------------------

def test_every_sheet_has_one_marked_example_row(book):
    for table in TABLES.values():
        ws = book[table.zh]
        assert ws.max_row == EXAMPLE_ROW == 2
        row = [c.value for c in ws[EXAMPLE_ROW]]
        assert row[0] == EXAMPLE_MARKER == "示例（导入时忽略）"
        assert row[1:] == [example_value(col) for col in table.columns[1:]]
        assert all(c.font.italic for c in ws[EXAMPLE_ROW])
        assert EXAMPLE_MARKER in ws["A1"].comment.text                     # the marker explained where it sits
    schools = [c.value for c in book[SCHOOLS.zh][EXAMPLE_ROW]]
    assert schools[SCHOOLS.names.index("school_id")] == "2141000123"
    assert schools[SCHOOLS.names.index("students_primary")] == 820
    assert schools[SCHOOLS.names.index("is_village_school")] == "否"


def test_the_example_row_is_explained_on_the_instructions_sheet(book):
    text = "\n".join(str(r[0]) for r in book["说明"].iter_rows(values_only=True) if r[0])
    assert f"第2行是示例行（灰色斜体，第一格为“{EXAMPLE_MARKER}”），导入时自动忽略" in text
    assert "这一行就会作为数据导入" in text


def test_the_template_as_written_loads_no_rows_and_names_each_example_row(template):
    result = validate_files(template / TEMPLATE_WORKBOOK)
    assert {name: len(frame) for name, frame in result.frames.items()} == {t: 0 for t in TABLES}
    notes = [p for p in result.problems if p.message == EXAMPLE_NOTE]
    assert sorted(p.sheet for p in notes) == sorted(t.zh for t in TABLES.values())
    assert {(p.row, p.column, p.value, p.severity) for p in notes} == {(2, "年份", EXAMPLE_MARKER, "warning")}


def test_the_marked_row_is_ignored_and_a_normal_row_with_the_same_values_is_not(template, tmp_path):
    dataset = load_dataset(filled(template, tmp_path))
    for name in ("schools", "counties", "survey_answers", "scores"):
        assert len(dataset.tables[name]) == 1, name                       # the data row only
    school_row = dataset.schools.iloc[0]
    assert school_row["year"] == 2025 and school_row["school_id"] == "2141000123"
    assert school_row["students_primary"] == 820.0 and school_row["equipment_value_yuan"] == 1_800_000.0
    noted = [n for n in dataset.notes if EXAMPLE_NOTE in n]
    assert len(noted) == len(TABLES) and all("第2行" in n for n in noted)


def test_the_example_row_alone_does_not_count_as_a_school(template, tmp_path):
    from quality_balance.errors import InputError
    with pytest.raises(InputError, match="「学校」表没有数据行"):
        load_dataset(template / TEMPLATE_WORKBOOK)


def test_a_file_without_the_example_row_loads_as_before(tmp_path):
    path = write_csv(tmp_path / "学校.csv", [school(school_id="4109220001")])
    dataset = load_dataset(path)
    assert len(dataset.schools) == 1
    assert not any(EXAMPLE_NOTE in n for n in dataset.notes)


def test_with_its_marker_replaced_by_a_year_the_example_row_is_data(template, tmp_path):
    def year_in_a2(book):
        for table in TABLES.values():
            ws = book[table.zh]
            ws.delete_rows(3)                                            # only the example row left
            ws["A2"] = 2024
    dataset = load_dataset(filled(template, tmp_path, year_in_a2))
    assert dataset.schools["year"].tolist() == [2024]
    assert dataset.schools["school_name"].tolist() == ["城关镇第一小学"]  # the example's values, as data
    assert not any(EXAMPLE_NOTE in n for n in dataset.notes)


def test_with_its_marker_deleted_the_example_row_is_data_without_a_year(template, tmp_path):
    def clear_a2(book):
        book[SCHOOLS.zh]["A2"] = None
    problems = check_files(filled(template, tmp_path, clear_a2))
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.sheet, p.row, p.column, p.message) for p in errors] == [("学校", 2, "年份", "缺少数据")]


def test_the_marker_elsewhere_or_reworded_is_not_a_marker(template, tmp_path):
    def edit(book):
        ws = book[SCHOOLS.zh]
        ws["A2"] = " 示例(导入时忽略) "                                # half-width brackets, spaces: still the marker
        ws[f"{letter_of(SCHOOLS, 'school_name')}3"] = EXAMPLE_MARKER      # in a name: just a (strange) name
        book[COUNTIES.zh]["A2"] = "示例"                                 # another word: a bad year
    problems = check_files(filled(template, tmp_path, edit))
    schools = [p for p in problems if p.sheet == SCHOOLS.zh]
    assert [(p.row, p.message) for p in schools] == [(2, EXAMPLE_NOTE)]
    counties = [(p.row, p.column, p.message) for p in problems if p.sheet == COUNTIES.zh and p.severity == "error"]
    assert counties == [(2, "年份", "不是数字")]


def test_csv_templates_hold_the_header_and_the_example_row_and_load_filled(template, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    for table in TABLES.values():
        with open(template / CSV_FOLDER / f"{table.zh}.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == [col.header for col in table.columns]
        assert rows[1][0] == EXAMPLE_MARKER and len(rows) == 2
        with open(folder / f"{table.zh}.csv", "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(rows + [["" if v is None else v for v in data_row(table)]])
    dataset = load_dataset(folder)
    assert len(dataset.schools) == len(dataset.counties) == 1
    assert dataset.counties["difference_rate"].iloc[0] == pytest.approx(0.12)
    assert sum(EXAMPLE_NOTE in n for n in dataset.notes) == len(TABLES)


# --- 3. comments in words -------------------------------------------------------------------------------------

def test_every_header_has_a_comment_in_words_without_item_codes(book):
    for table in TABLES.values():
        for col, cell in zip(table.columns, book[table.zh][1]):
            text = cell.comment.text
            assert text.startswith(col.zh) and not ITEM_CODE.search(text), (col.name, text)
            assert ("必填" if col.required else "选填") in text
            if col.header_unit:
                assert f"单位：{col.header_unit}" in text
    assert column_help(SCHOOLS.column("music_rooms")) == \
        "音乐专用教室数：音乐专用教室的间数。单位：间；整数，≥ 0；选填。"
    assert column_help(SCHOOLS.column("teaching_area_m2")) == \
        "教学及辅助用房面积：全校合计。单位：平方米；数值（可有小数），≥ 0；必填。"
    assert "学校没有该学段学生时填 0、“—”或留空" in column_help(SCHOOLS.column("students_junior"))
    assert column_help(COUNTIES.column("ict_rating")).endswith("从下拉列表中选择：优秀、良好、合格、不合格；选填。")


def test_no_item_codes_in_the_instructions_either(book):
    for row in book["说明"].iter_rows(min_row=12, values_only=True):
        assert not ITEM_CODE.search(str(row[6] or "")), row                # the 说明 column


# --- 4. one percent convention ---------------------------------------------------------------------------------

def test_every_percent_column_reads_percent_in_header_comment_example_and_validation(book):
    percent = [(t, c) for t in TABLES.values() for c in t.columns if c.kind in PERCENT_KINDS]
    assert {c.kind for _, c in percent} == {"rate", "ratio"} and len(percent) >= 15
    for table, col in percent:
        ws = book[table.zh]
        i = table.names.index(col.name) + 1
        assert ws.cell(1, i).value.endswith("(%)")
        assert "百分数，0–100" in ws.cell(1, i).comment.text
        example = ws.cell(EXAMPLE_ROW, i).value
        assert 1 < example <= 100, (col.name, example)                   # 12, never 0.12
        dv = rule(ws, letter_of(table, col.name))
        assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "100")
    assert book[COUNTIES.zh].cell(EXAMPLE_ROW, COUNTIES.names.index("difference_rate") + 1).value == 12


def county_rows(values: list[object], header: str) -> list[list[object]]:
    """A county sheet with one 质量监测校际差异率 value per row, under ``header``."""
    rows = [["年份", "市", "县区", header]]
    rows += [[2025, "濮阳市", f"县{i}", v] for i, v in enumerate(values)]
    return rows


@pytest.mark.parametrize(("header", "typed", "read"), [
    ("质量监测校际差异率(%)", 12, 0.12),            # the template's convention: percent, divided by 100
    ("质量监测校际差异率(%)", "12%", 0.12),
    ("质量监测校际差异率（%）", 100, 1.0),           # at the upper end
    ("质量监测校际差异率(%)", 0, 0.0),
    ("质量监测校际差异率", 0.12, 0.12),             # old files: a 0–1 ratio, as before
    ("质量监测校际差异率", "12%", 0.12),
])
def test_a_ratio_under_a_percent_header_is_read_as_a_percentage(tmp_path, header, typed, read):
    path = write_xlsx(tmp_path / "县区.xlsx", {"县区": county_rows([typed], header)})
    result = validate_files(path)
    assert result.errors == []
    assert result.frames["counties"]["difference_rate"].tolist() == [pytest.approx(read)]


def test_a_percent_header_ratio_just_past_100_or_below_0_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "县区.xlsx", {"县区": county_rows([100.5, -0.5, 15], "质量监测校际差异率(%)")})
    result = validate_files(path)
    assert [(p.row, p.message) for p in result.errors] == [(2, "比例超出 0–100"), (3, "比例超出 0–100")]
    assert result.frames["counties"]["difference_rate"].tolist()[2] == pytest.approx(0.15)


def test_a_percent_header_ratio_typed_as_fractions_is_warned(tmp_path):
    path = write_xlsx(tmp_path / "县区.xlsx", {"县区": county_rows([0.12, 0.2], "质量监测校际差异率(%)")})
    result = validate_files(path)
    assert result.errors == []
    assert any("可能把百分数写成了小数" in p.message for p in result.problems)
    assert result.frames["counties"]["difference_rate"].tolist() == [pytest.approx(0.0012), pytest.approx(0.002)]


def test_a_bare_ratio_above_1_is_still_an_error(tmp_path):
    path = write_xlsx(tmp_path / "县区.xlsx", {"县区": county_rows([12], "质量监测校际差异率")})
    assert [p.message for p in validate_files(path).errors] == ["比例超出 0–1"]


# --- 5. data validation ---------------------------------------------------------------------------------------

def test_every_numeric_column_is_validated_by_its_kind(book):
    for table in TABLES.values():
        ws = book[table.zh]
        for col in table.columns:
            if col.kind not in NUMERIC:
                continue
            dv = rule(ws, letter_of(table, col.name))
            assert dv.showErrorMessage and dv.allow_blank and dv.error.startswith("请填写"), col.name
            assert dv.errorTitle == col.zh[:32]
            if col.name.endswith("year"):
                assert (dv.type, dv.operator, dv.formula1, dv.formula2) == \
                    ("whole", "between", str(YEAR_RANGE[0]), str(YEAR_RANGE[1]))
            elif col.kind in PERCENT_KINDS:
                assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "100")
            elif col.stage:
                cell = f"{letter_of(table, col.name)}2"
                assert dv.type == "custom" and f"{cell}>=0" in dv.formula1
                assert (f"{cell}=INT({cell})" in dv.formula1) == (col.kind == "count")
                assert all(f'{cell}="{m}"' in dv.formula1 for m in NOT_APPLICABLE_MARKS)
                assert "“—”" in dv.error
            else:
                kind = "decimal" if col.kind == "amount" else "whole"
                assert (dv.type, dv.operator, dv.formula1, dv.formula2) == (kind, "greaterThanOrEqual", "0", None)
                assert ("整数" in dv.error) == (kind == "whole")


def test_validation_messages_name_the_unit(book):
    ws = book[SCHOOLS.zh]
    assert rule(ws, letter_of(SCHOOLS, "equipment_value_yuan")).error == "请填写不小于 0 的数（单位：元）"
    assert rule(ws, letter_of(SCHOOLS, "multimedia_rooms")).error == "请填写不小于 0 的整数（单位：间）"
    assert rule(ws, letter_of(SCHOOLS, "year")).error == f"请填写四位数年份（{YEAR_RANGE[0]}–{YEAR_RANGE[1]}）"


def test_choices_and_yes_no_columns_get_a_list_and_text_columns_none(book):
    ws = book[COUNTIES.zh]
    assert rule(ws, letter_of(COUNTIES, "moral_rating")).formula1 == '"优秀,良好,合格,不合格"'
    assert rule(ws, letter_of(COUNTIES, "v1_exam_admission")).error == "请从下拉列表中选择：是、否"
    schools = book[SCHOOLS.zh]
    starts = {str(dv.sqref).split(":")[0] for dv in schools.data_validations.dataValidation}
    assert f"{letter_of(SCHOOLS, 'school_name')}2" not in starts and f"{letter_of(SCHOOLS, 'school_id')}2" not in starts


# --- the command line round trip --------------------------------------------------------------------------------

def test_template_filled_then_checked_and_assessed_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "模板"
    assert main(["template", "--out", str(out)]) == 0
    path = filled(out, tmp_path, name="填好的模板.xlsx")
    capsys.readouterr()
    assert main(["check", str(path)]) == 0
    text = capsys.readouterr().out
    assert "没有错误" in text and "学校 1 行" in text and EXAMPLE_NOTE in text


def test_old_headers_without_units_still_load(tmp_path):
    rows = [school(school_id="4109220001")]
    path = write_xlsx(tmp_path / "学校.xlsx", {"学校": grid(rows)})
    assert "教学仪器设备值" in grid(rows)[0] and "教学仪器设备值(元)" not in grid(rows)[0]   # bare headers
    dataset = load_dataset(path)
    assert len(dataset.schools) == 1 and dataset.schools["students_primary"].iloc[0] == rows[0]["students_primary"]
