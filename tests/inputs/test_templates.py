"""Input templates: sheets and headers from the schema, the 说明 sheet, drop-downs, and exact round trips.

The example row, units, comments, percent convention and number validation: test_templates_example.py.
"""
from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from quality_balance.cli import main
from quality_balance.inputs.loaders import load_dataset
from quality_balance.schema import (LOCATIONS, RATINGS, SCHOOL_TYPES, SURVEY_ANSWERS, SURVEY_GROUPS, TABLES,
                                    Column)
from quality_balance.inputs.templates import (CSV_FOLDER, INSTRUCTIONS_SHEET, TEMPLATE_WORKBOOK, example_value,
                                              write_template)
from quality_balance.inputs.validate import YEAR_RANGE, check_files


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    write_template(folder)
    return folder


def typed_example(col: Column):
    """What a loaded cell must hold when the user typed the column's example."""
    value = col.example
    if value is None:
        return None
    if col.kind == "bool":
        return value == "是"
    if col.kind == "int":
        return int(value)
    if col.kind in ("count", "amount", "rate", "ratio"):
        return float(value)
    return str(value)


def example_row(table) -> list:
    """One row as a user types it under the example row: every column's example, percent columns as 0–100."""
    return [example_value(col) for col in table.columns]


def assert_examples_loaded(frame: pd.DataFrame, table) -> None:
    assert len(frame) == 1
    for col in table.columns:
        got, want = frame[col.name].iloc[0], typed_example(col)
        if want is None:
            assert pd.isna(got), col.name
        else:
            assert got == want, (col.name, got, want)


def validations(ws) -> dict[str, str]:
    """First cell range letter → list formula of every drop-down of a sheet."""
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1 for dv in ws.data_validations.dataValidation}


def column_letter(table, name: str) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(table.names.index(name) + 1)


# --- the workbook --------------------------------------------------------------------------------------

def test_one_sheet_per_table_with_chinese_headers(template):
    book = openpyxl.load_workbook(template / TEMPLATE_WORKBOOK)
    assert book.sheetnames == [INSTRUCTIONS_SHEET] + [t.zh for t in TABLES.values()]
    for table in TABLES.values():
        ws = book[table.zh]
        assert [c.value for c in ws[1]] == [col.header for col in table.columns]
        assert ws.max_row == 2                                   # the header and the marked example row only
        assert ws.freeze_panes == "A2"


def test_instructions_explain_every_column(template):
    ws = openpyxl.load_workbook(template / TEMPLATE_WORKBOOK)[INSTRUCTIONS_SHEET]
    rows = [r for r in ws.iter_rows(values_only=True)]
    header = rows.index(("表（工作表）", "表头", "英文列名", "类型", "单位", "是否必填", "说明", "示例", "可选值"))
    described = {(r[0], r[1], r[2]): r for r in rows[header + 1:]}
    assert len(described) == sum(len(t.columns) for t in TABLES.values())
    area = described[("学校（schools）", "教学及辅助用房面积(平方米)", "teaching_area_m2")]
    assert area[4] == "平方米" and area[5] == "必填" and area[7] == 4100
    spread = described[("县区（counties）", "质量监测校际差异率(%)", "difference_rate")]
    assert spread[4] == "%" and spread[7] == 12                  # a 0–1 ratio, typed as a percentage here
    kind = described[("学校（schools）", "学校类型", "school_type")]
    assert kind[8] == "、".join(SCHOOL_TYPES)
    village = described[("学校（schools）", "是否村小或教学点", "is_village_school")]
    assert village[5] == "选填" and village[7] == "否" and village[8] == "是、否"


def test_drop_down_lists(template):
    book = openpyxl.load_workbook(template / TEMPLATE_WORKBOOK)
    schools, counties = TABLES["schools"], TABLES["counties"]
    lists = validations(book[schools.zh])
    assert lists[column_letter(schools, "school_type")] == '"' + ",".join(SCHOOL_TYPES) + '"'
    assert lists[column_letter(schools, "location")] == '"' + ",".join(LOCATIONS) + '"'
    assert lists[column_letter(schools, "is_village_school")] == '"是,否"'
    assert lists[column_letter(schools, "year")] == str(YEAR_RANGE[0])        # whole number 2000–2100
    assert '"—"' in lists[column_letter(schools, "students_primary")]         # "—" must stay possible
    county_lists = validations(book[counties.zh])
    assert county_lists[column_letter(counties, "ict_rating")] == '"' + ",".join(RATINGS) + '"'
    assert county_lists[column_letter(counties, "layout_reasonable")] == '"是,否"'
    answers = validations(book[SURVEY_ANSWERS.zh])
    assert answers[column_letter(SURVEY_ANSWERS, "group")] == '"' + ",".join(SURVEY_GROUPS) + '"'
    assert answers[column_letter(SURVEY_ANSWERS, "answer")] == '"满意,比较满意,一般,不满意"'


def test_text_columns_are_formatted_as_text(template):
    ws = openpyxl.load_workbook(template / TEMPLATE_WORKBOOK)[TABLES["schools"].zh]
    assert ws.column_dimensions[column_letter(TABLES["schools"], "school_id")].number_format == "@"
    assert ws.column_dimensions[column_letter(TABLES["schools"], "students_primary")].number_format == "General"


def test_blank_template_checks_without_errors(template):
    problems = check_files(template / TEMPLATE_WORKBOOK)
    assert [p for p in problems if p.severity == "error"] == []
    assert {p.sheet for p in problems} == {t.zh for t in TABLES.values()}   # the example rows, not 说明
    assert all(p.message == "模板的示例行，导入时已忽略" and p.row == 2 for p in problems)


# --- round trips ------------------------------------------------------------------------------------------

def test_filled_workbook_loads_exactly_the_values_written(template, tmp_path):
    path = tmp_path / "filled.xlsx"
    book = openpyxl.load_workbook(template / TEMPLATE_WORKBOOK)
    for table in TABLES.values():
        book[table.zh].append(example_row(table))                # as a user types one row under the header
    book.save(path)
    dataset = load_dataset(path)
    for name in ("schools", "counties", "survey_answers", "scores"):
        assert_examples_loaded(dataset.tables[name], TABLES[name])
    # the survey counts (家长) sit beside the counted raw answers (学生)
    counts = dataset.survey.set_index("group")
    assert counts.loc["家长", ["respondents", "favourable"]].tolist() == [400.0, 352.0]
    assert counts.loc["学生", ["respondents", "favourable"]].tolist() == [1.0, 1.0]
    assert not any("说明" in note for note in dataset.notes)


def test_filled_csv_templates_load_exactly_the_values_written(template, tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    for table in TABLES.values():
        source = template / CSV_FOLDER / f"{table.zh}.csv"
        assert source.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
        with open(source, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh))
        assert header == [col.header for col in table.columns]
        with open(folder / source.name, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([header, ["" if v is None else v for v in example_row(table)]])
    dataset = load_dataset(folder)
    for name in ("schools", "counties", "survey_answers", "scores"):
        assert_examples_loaded(dataset.tables[name], TABLES[name])


def test_example_school_row_is_a_valid_school(template, tmp_path):
    """The 说明 examples are consistent with the validation rules (a 小学 with no junior figures)."""
    path = tmp_path / "one.xlsx"
    book = openpyxl.load_workbook(template / TEMPLATE_WORKBOOK)
    book[TABLES["schools"].zh].append(example_row(TABLES["schools"]))
    book.save(path)
    problems = check_files(path)
    assert [str(p) for p in problems if p.sheet == TABLES["schools"].zh and p.row != 2] == []  # 2: example


# --- command line -----------------------------------------------------------------------------------------

def test_template_command_writes_workbook_and_csv(tmp_path, capsys):
    out = tmp_path / "模板"
    assert main(["template", "--out", str(out)]) == 0
    assert (out / TEMPLATE_WORKBOOK).is_file()
    assert sorted(p.name for p in (out / CSV_FOLDER).iterdir()) == sorted(f"{t.zh}.csv" for t in TABLES.values())
    assert TEMPLATE_WORKBOOK in capsys.readouterr().out
    assert main(["template", "--out", str(out)]) == 0             # writing again replaces the files
    assert sorted(p.name for p in out.iterdir()) == sorted([CSV_FOLDER, TEMPLATE_WORKBOOK])  # no temp folders


def test_template_command_refuses_a_file_as_output_folder(tmp_path, capsys):
    target = tmp_path / "not_a_folder"
    target.write_text("keep me")
    assert main(["template", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "无法写入输出文件夹" in err and str(target) in err and "Traceback" not in err
    assert target.read_text() == "keep me"
