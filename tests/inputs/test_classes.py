"""The class table (班级表) as a bureau writes it: loading from CSV and xlsx, its errors with their positions,
its checks against the school table, and its template sheet (issue 13, item 1)."""
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.errors import InputError
from quality_balance.schema import CLASSES, EXAMPLE_MARKER
from tests.builders import JUNIOR_OK, PRIMARY_OK, school
from tests.input_files import grid, write_csv, write_xlsx


def _class(school_id="A", stage="小学", name="一(1)班", students=44, year=2025):
    return dict(year=year, school_id=school_id, stage=stage, class_name=name, students=students)


def _folder(tmp_path, classes, schools=None):
    schools = schools or [school(PRIMARY_OK, school_id="A", school_name="甲小学"),
                          school(JUNIOR_OK, school_id="B", school_name="乙中学")]
    write_csv(tmp_path / "学校.csv", schools)
    write_csv(tmp_path / "班级.csv", classes, table=CLASSES)
    return tmp_path


def _problems(tmp_path, classes, **kw):
    with pytest.raises(InputError) as info:
        qb.load_dataset(_folder(tmp_path, classes, **kw))
    return info.value.problems


def test_a_class_table_loads_from_csv_with_chinese_headers(tmp_path):
    rows = [_class(), _class(name="一(2)班", students=45), _class("B", "初中", "七(1)班", 50)]
    d = qb.load_dataset(_folder(tmp_path, rows))
    assert d.classes.columns.tolist() == CLASSES.names
    assert d.classes["students"].tolist() == [44.0, 45.0, 50.0]
    assert d.classes["stage"].tolist() == ["小学", "小学", "初中"]
    assert "classes" in d.tables


def test_a_class_table_loads_from_a_workbook_sheet_with_alias_headers(tmp_path):
    rows = [_class(), _class("B", "初中", "七(1)班", 51)]
    cells = grid(rows, table=CLASSES, headers={"school_id": "学校代码", "students": "班额"})
    book = write_xlsx(tmp_path / "数据.xlsx", {"学校": grid([school(PRIMARY_OK, school_id="A"),
                                                            school(JUNIOR_OK, school_id="B")]), "班级": cells})
    d = qb.load_dataset(book)
    assert d.classes["students"].tolist() == [44.0, 51.0]
    g5 = qb.assess(d).items.set_index("item").loc["G5"]
    assert "七(1)班 51 人" in g5["reason"]                    # 51 > 50: the junior class is named


def test_load_classes_alone(tmp_path):
    path = write_csv(tmp_path / "班级.csv", [_class()], table=CLASSES)
    assert qb.load_classes(path)["class_name"].tolist() == ["一(1)班"]


@pytest.mark.parametrize("value, message, severity", [
    (-1, "数值为负", "error"),
    (44.5, "人数、个数不是整数", "error"),       # a class holds whole students: an error, not a warning
    ("四十", "不是数字", "error"),
])
def test_bad_students_are_named_with_row_and_column(tmp_path, value, message, severity):
    problems = _problems(tmp_path, [_class(), _class(name="一(2)班", students=value)])
    [p] = [p for p in problems if p.column == "学生数"]
    assert (p.row, p.message, p.severity) == (3, message, severity)      # header row 1, second class row 3
    assert p.file.endswith("班级.csv")


def test_an_unknown_stage_is_an_error_with_a_suggestion(tmp_path):
    [p] = _problems(tmp_path, [_class(stage="小班")])
    assert (p.row, p.column, p.value) == (2, "学段", "小班")
    assert "小学" in p.expected


def test_a_class_of_an_unknown_school_or_year_is_an_error(tmp_path):
    problems = _problems(tmp_path, [_class(), _class("Z9"), _class(year=2024, name="一(3)班")])
    found = sorted((p.row, p.column, p.value) for p in problems)
    assert found == [(3, "学校标识码", "Z9"), (4, "学校标识码", "A")]
    assert all("学校表中没有这所学校" in p.message for p in problems)
    assert "2024 年" in [p for p in problems if p.row == 4][0].message


def test_a_stage_the_school_type_lacks_is_an_error(tmp_path):
    [p] = _problems(tmp_path, [_class("A", "初中", "七(1)班", 40)])     # A is a 小学
    assert (p.row, p.column, p.value) == (2, "学段", "初中")
    assert "学校类型为“小学”" in p.message


def test_a_duplicate_class_names_the_row_it_repeats(tmp_path):
    [p] = _problems(tmp_path, [_class(), _class("B", "初中", "七(1)班", 40), _class(students=30)])
    assert p.row == 4 and "与第2行" in p.message


def test_a_duplicate_after_the_templates_example_row_names_the_right_rows(tmp_path):
    example = dict(_class(name="示例"), year=EXAMPLE_MARKER)
    [p] = _problems(tmp_path, [example, _class(), _class(students=30)])
    assert (p.row, p.message) == (4, "与第3行重复（学校标识码、年份、学段、班级相同）")


def test_classes_that_do_not_add_up_warn_but_load(tmp_path):
    schools = [school(PRIMARY_OK, school_id="A", school_name="甲小学", classes_primary=3.0)]   # 1000 students
    d = qb.load_dataset(_folder(tmp_path, [_class(students=44), _class(name="一(2)班", students=45)],
                                schools=schools))
    notes = "\n".join(d.notes)
    assert "班级表合计的在校生数与学校表不一致：甲小学（2025 年小学：班级表 89人，学校表 1000人）" in notes
    assert "班级表合计的班级数与学校表不一致：甲小学（2025 年小学：班级表 2个，学校表 3个）" in notes


def test_the_template_has_a_class_sheet_whose_example_row_is_skipped(tmp_path):
    import openpyxl

    folder = tmp_path / "templates"
    qb.write_template(folder)
    book = openpyxl.load_workbook(next(folder.glob("*.xlsx")))
    sheet = book["班级"]
    header = [c.value for c in sheet[1]]
    assert header == ["年份", "学校标识码", "学段", "班级", "学生数(人)"]
    assert sheet.cell(2, 1).value == EXAMPLE_MARKER
    assert [c.value for c in sheet[2]][1:] == ["2141000123", "小学", "三年级(2)班", 44]


def test_the_data_check_lists_class_errors(tmp_path):
    report = qb.check(_folder(tmp_path, [_class("Z9")]))
    assert any(p.column == "学校标识码" and p.value == "Z9" for p in report.errors)


def test_a_data_set_without_classes_has_none():
    frame = pd.DataFrame([school(PRIMARY_OK, school_id="A")])
    assert qb.Dataset(schools=frame).classes is None
