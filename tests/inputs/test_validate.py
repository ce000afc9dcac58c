"""Validation: one test per kind of problem, each naming the row as seen in Excel and the column."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.builders import COUNTY_OK
from tests.input_files import JUNIOR_OK, PRIMARY_OK, grid, school, write_csv, write_xlsx
from quality_balance.errors import InputError
from quality_balance.inputs.loaders import load_counties, load_schools, load_survey
from quality_balance.schema import COUNTIES, SURVEY
from quality_balance.inputs.validate import BOOL_VALUES, YEAR_RANGE, check_files

NINE_YEAR = dict(PRIMARY_OK, school_type="九年一贯制学校", students_junior=500.0,
                 teachers_above_degree_junior=30.0, backbone_teachers_junior=6.0, pe_art_teachers_junior=5.0)


def errors_in(path) -> list:
    return [p for p in check_files(path) if p.severity == "error"]


def only_error(path):
    """The one error a file has; fails listing them all otherwise."""
    found = errors_in(path)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def schools_csv(tmp_path, rows, **kwargs):
    """A school CSV with a title row: data row i is Excel row i + 3."""
    return write_csv(tmp_path / "学校.csv", rows, title="某县学校情况", **kwargs)


def assert_names(problem, row: int, column: str):
    assert (problem.row, problem.column) == (row, column)
    text = str(problem)
    assert f"第{row}行" in text and f"列「{column}」" in text


# --- columns ---------------------------------------------------------------------------------------

def test_missing_required_column(tmp_path):
    row = school()
    del row["location"]
    problem = only_error(schools_csv(tmp_path, [row]))
    assert problem.row is None and problem.column == "城乡类型" and "缺少必需的列" in problem.message
    assert "城乡分类" in problem.expected  # the aliases are listed


def test_missing_stage_columns_are_fine_when_no_school_has_that_stage(tmp_path):
    rows = [{k: v for k, v in school(school_id=f"S{i}").items() if not k.endswith("_junior")}
            for i in range(2)]
    schools = load_schools(schools_csv(tmp_path, rows))
    assert schools["students_junior"].tolist() == [0.0, 0.0]
    assert schools["teachers_above_degree_junior"].tolist() == [0.0, 0.0]


def test_missing_stage_column_is_an_error_when_a_school_has_that_stage(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "teachers_above_degree_junior"}
            for r in (school(), school(NINE_YEAR, school_id="N1"))]
    problem = only_error(schools_csv(tmp_path, rows))
    assert problem.column == "高于规定学历教师数(初中)" and problem.row is None


# --- numbers -------------------------------------------------------------------------------------------

def test_non_numeric_value(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(), school(school_id="S1", sports_area_m2="约8000")]))
    assert_names(problem, 4, "体育运动场馆面积")
    assert problem.value == "约8000" and "不是数字" in problem.message


def test_negative_count(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(backbone_teachers_primary=-3)]))
    assert_names(problem, 3, "县级以上骨干教师数(小学)")
    assert "负" in problem.message


@pytest.mark.parametrize("cell", ["inf", "-inf", "nan", "NaN", "1e999"])
def test_nan_and_infinite_values(tmp_path, cell):
    problem = only_error(schools_csv(tmp_path, [school(equipment_value_yuan=cell)]))
    assert_names(problem, 3, "教学仪器设备值")


def test_misplaced_thousands_separator_is_not_a_number(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(teaching_area_m2="5,00")]))
    assert_names(problem, 3, "教学及辅助用房面积")


def test_percent_sign_is_not_accepted_on_a_count(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(multimedia_rooms="20%")]))
    assert_names(problem, 3, "网络多媒体教室数")


def counties_csv(tmp_path, rows):
    return write_csv(tmp_path / "县区.csv", rows, table=COUNTIES)


def test_rate_outside_0_to_100(tmp_path):
    problem = only_error(counties_csv(tmp_path, [COUNTY_OK, dict(COUNTY_OK, year=2024, quota_share="105%")]))
    assert_names(problem, 3, "优质高中招生名额分配比例")
    assert "0–100" in problem.expected


def test_ratio_outside_0_to_1(tmp_path):
    problem = only_error(counties_csv(tmp_path, [dict(COUNTY_OK, difference_rate=15)]))
    assert_names(problem, 2, "质量监测校际差异率")


def test_ratio_given_in_percent_is_converted(tmp_path):
    counties = load_counties(counties_csv(tmp_path, [dict(COUNTY_OK, difference_rate="12%")]))
    assert counties.loc[0, "difference_rate"] == pytest.approx(0.12)


def test_rates_that_look_like_fractions_are_a_warning(tmp_path):
    path = counties_csv(tmp_path, [dict(COUNTY_OK, consolidation_rate=0.97)])
    [warning] = [p for p in check_files(path) if p.column == "初中巩固率"]
    assert warning.severity == "warning" and "小数" in warning.message


def test_fractional_head_count_is_a_warning(tmp_path):
    path = schools_csv(tmp_path, [school(pe_art_teachers_primary=10.5)])
    assert errors_in(path) == []
    [warning] = [p for p in check_files(path) if p.severity == "warning"]
    assert_names(warning, 3, "体育艺术专任教师数(小学)")


# --- years --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [YEAR_RANGE[0] - 1, YEAR_RANGE[1] + 1, 25])
def test_year_out_of_range(tmp_path, year):
    problem = only_error(schools_csv(tmp_path, [school(year=year)]))
    assert_names(problem, 3, "年份")
    assert str(YEAR_RANGE[0]) in problem.expected


def test_year_not_an_integer(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(year="2025.5")]))
    assert_names(problem, 3, "年份")


@pytest.mark.parametrize("cell", ["2025", "2025年", "2025-2026学年", "2025—2026", "２０２５"])
def test_year_spellings(tmp_path, cell):
    assert load_schools(schools_csv(tmp_path, [school(year=cell)]))["year"].tolist() == [2025]


# --- categories and yes/no -------------------------------------------------------------------------------

def test_unknown_school_type_lists_the_allowed_ones_and_suggests_one(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(), school(school_id="S1", school_type="九年一贯制")]))
    assert_names(problem, 4, "学校类型")
    assert "十二年一贯制学校" in problem.expected and "特殊教育学校" in problem.expected
    assert problem.fix == "改为“九年一贯制学校”"


def test_unknown_location(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(location="农村")], headers={"location": "城乡分类"}))
    assert_names(problem, 3, "城乡分类")  # the header as the user wrote it
    assert "城区、镇区、乡村" in problem.expected


def test_unknown_level(tmp_path):
    problem = only_error(counties_csv(tmp_path, [dict(COUNTY_OK, ict_rating="较好")]))
    assert_names(problem, 2, "信息技术应用水平")


def test_categories_ignore_spaces_and_full_width_forms(tmp_path):
    schools = load_schools(schools_csv(tmp_path, [school(location=" 城 区 ")]))
    assert schools.loc[0, "location"] == "城区"


@pytest.mark.parametrize("cell", sorted(BOOL_VALUES))
def test_yes_no_spellings(tmp_path, cell):
    counties = load_counties(counties_csv(tmp_path, [dict(COUNTY_OK, curriculum_ok=cell)]))
    assert counties.loc[0, "curriculum_ok"] == BOOL_VALUES[cell]
    assert str(counties["curriculum_ok"].dtype) == "boolean"


@pytest.mark.parametrize("cell", ["YES", "True", "Ｙ"])
def test_yes_no_ignores_case_and_width(tmp_path, cell):
    counties = load_counties(counties_csv(tmp_path, [dict(COUNTY_OK, curriculum_ok=cell)]))
    assert bool(counties.loc[0, "curriculum_ok"]) is True


def test_bad_yes_no(tmp_path):
    problem = only_error(counties_csv(tmp_path, [dict(COUNTY_OK, v3_key_schools="有")]))
    assert_names(problem, 2, "设重点校或重点班")
    assert problem.expected == "是 或 否"


def test_blank_optional_value_is_missing(tmp_path):
    counties = load_counties(counties_csv(tmp_path, [dict(COUNTY_OK, quota_share="", v1_exam_admission="")]))
    assert math.isnan(counties.loc[0, "quota_share"])
    assert counties["v1_exam_admission"].isna().all()


def test_blank_required_value(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(school_name="")]))
    assert_names(problem, 3, "学校名称")


def test_not_applicable_mark_outside_a_stage_column_is_an_error(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(teaching_area_m2="—")]))
    assert_names(problem, 3, "教学及辅助用房面积")
    path = counties_csv(tmp_path, [dict(COUNTY_OK, rotation_rate="/")])
    assert_names(only_error(path), 2, "教师交流轮岗比例")


def test_school_code_in_scientific_notation(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(school_id="2.141E+09")]))
    assert_names(problem, 3, "学校标识码")
    assert "科学计数法" in problem.message


def test_county_code_not_six_digits_is_a_warning(tmp_path):
    path = schools_csv(tmp_path, [school(county_code="41092")])
    assert errors_in(path) == []
    [warning] = [p for p in check_files(path) if p.column == "县区代码"]
    assert warning.severity == "warning"


# --- keys -----------------------------------------------------------------------------------------------------

def test_duplicate_school_and_year_names_both_rows(tmp_path):
    rows = [school(), school(school_id="S1"), school(school_name="重复")]
    problem = only_error(schools_csv(tmp_path, rows))
    assert_names(problem, 5, "学校标识码、年份")
    assert "与第3行" in problem.message and problem.value == "S0、2025"


def test_duplicates_across_files_name_the_other_file(tmp_path):
    first = write_csv(tmp_path / "学校2024.csv", [school(year=2024), school(year=2025)])
    second = write_csv(tmp_path / "学校2025.csv", [school(year=2025)])
    problems = [p for p in check_files([first, second]) if p.severity == "error"]
    [problem] = problems
    assert problem.file == str(second) and problem.row == 2
    assert f"文件 {first}" in problem.message and "第3行" in problem.message


def test_duplicate_county_year(tmp_path):
    problem = only_error(counties_csv(tmp_path, [COUNTY_OK, COUNTY_OK]))
    assert_names(problem, 3, "县区、年份")


# --- stages ---------------------------------------------------------------------------------------------------

def test_teachers_without_students_in_a_stage(tmp_path):
    row = school(NINE_YEAR, students_junior=0, teachers_above_degree_junior=0, backbone_teachers_junior=0,
                 pe_art_teachers_junior=4)
    problem = only_error(schools_csv(tmp_path, [row]))
    assert_names(problem, 3, "体育艺术专任教师数(初中)")
    assert "初中在校生数为 0" in problem.message


def test_classes_without_students_in_a_stage_are_a_warning(tmp_path):
    path = schools_csv(tmp_path, [school(school_type="教学点", students_primary=20, classes_primary=2,
                                         classes_junior=1)])
    assert errors_in(path) == []
    [warning] = [p for p in check_files(path) if p.severity == "warning"]
    assert_names(warning, 3, "初中班级数")


def test_primary_school_with_junior_students(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(students_junior=40, teachers_above_degree_junior=3,
                                                       backbone_teachers_junior=1, pe_art_teachers_junior=1)]))
    assert_names(problem, 3, "初中在校生数")
    assert "“小学”，不应有初中在校生" in problem.message


def test_junior_school_with_primary_students(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(JUNIOR_OK, students_primary=12)]))
    assert_names(problem, 3, "小学在校生数")
    assert "初级中学" in problem.message


def test_teaching_point_with_senior_students(tmp_path):
    problem = only_error(schools_csv(tmp_path, [school(school_type="教学点", students_senior=5)]))
    assert_names(problem, 3, "高中在校生数")


def test_special_education_school_may_report_any_stage(tmp_path):
    row = school(NINE_YEAR, school_type="特殊教育学校", students_senior=20)
    assert errors_in(schools_csv(tmp_path, [row])) == []


@pytest.mark.parametrize("mark", ["—", "——", "-", "–", "/", "／", "－", ""])
def test_not_applicable_mark_in_an_absent_stage_means_zero(tmp_path, mark):
    row = school(teachers_above_degree_junior=mark, backbone_teachers_junior=mark, pe_art_teachers_junior=mark)
    schools = load_schools(schools_csv(tmp_path, [row]))
    assert schools.loc[0, ["teachers_above_degree_junior", "backbone_teachers_junior",
                           "pe_art_teachers_junior"]].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("mark", ["—", "/", ""])
def test_not_applicable_mark_in_a_present_stage_is_an_error(tmp_path, mark):
    problem = only_error(schools_csv(tmp_path, [school(NINE_YEAR, backbone_teachers_junior=mark)]))
    assert_names(problem, 3, "县级以上骨干教师数(初中)")


@pytest.mark.parametrize("mark", ["—", ""])
def test_students_mark_means_zero_where_the_school_type_lacks_the_stage(tmp_path, mark):
    row = school(JUNIOR_OK, students_primary=mark, teachers_above_degree_primary=mark,
                 backbone_teachers_primary=mark, pe_art_teachers_primary=mark)
    schools = load_schools(schools_csv(tmp_path, [row]))
    assert schools.loc[0, "students_primary"] == 0.0 and schools.loc[0, "backbone_teachers_primary"] == 0.0


@pytest.mark.parametrize("mark", ["—", ""])
def test_students_mark_is_an_error_where_the_school_type_has_the_stage(tmp_path, mark):
    problem = only_error(schools_csv(tmp_path, [school(NINE_YEAR, students_junior=mark)]))
    assert_names(problem, 3, "初中在校生数")


def test_optional_stage_column_blank_is_missing_and_mark_is_zero_only_where_absent(tmp_path):
    rows = [school(classes_primary="", classes_junior="—"), school(school_id="S1", classes_primary="—",
                                                                   classes_junior="")]
    found = errors_in(schools_csv(tmp_path, rows))
    [problem] = found
    assert_names(problem, 4, "小学班级数")  # "—" although the school has primary students
    schools_ok = load_schools(write_csv(tmp_path / "ok.csv", rows[:1]))
    assert math.isnan(schools_ok.loc[0, "classes_primary"]) and schools_ok.loc[0, "classes_junior"] == 0.0


# --- survey ------------------------------------------------------------------------------------------------

def test_more_favourable_answers_than_respondents(tmp_path):
    rows = [dict(year=2025, city="测试市", county="甲县", group="家长", respondents=400, favourable=352),
            dict(year=2025, city="测试市", county="甲县", group="学生", respondents=300, favourable=310)]
    path = write_csv(tmp_path / "满意度调查.csv", rows, table=SURVEY)
    problem = only_error(path)
    assert_names(problem, 3, "认可人数")
    assert "310" in str(problem.value) and "300" in str(problem.value)
    with pytest.raises(InputError, match="认可人数多于有效样本数"):
        load_survey(path)


# --- collecting -----------------------------------------------------------------------------------------------

def test_every_problem_is_collected_before_failing(tmp_path):
    rows = [school(students_primary="很多"), school(school_id="S1", location="市区"),
            school(school_id="S2", multimedia_rooms=-1)]
    with pytest.raises(InputError) as info:
        load_schools(schools_csv(tmp_path, rows))
    problems = info.value.problems
    assert sorted((p.row, p.column) for p in problems) == [(3, "小学在校生数"), (4, "城乡类型"),
                                                           (5, "网络多媒体教室数")]
    assert "3 个问题" in str(info.value)


def test_workbook_problems_name_the_sheet(tmp_path):
    path = write_xlsx(tmp_path / "学校.xlsx", {"2024": grid([school(year=2024)]),
                                               "2025": grid([school(), school(school_id="S1", location="?")])})
    problem = only_error(path)
    assert (problem.sheet, problem.row, problem.column) == ("2025", 3, "城乡类型")
    assert "[工作表 2025]" in str(problem)


def test_check_files_does_not_raise_and_returns_warnings_too(tmp_path):
    path = schools_csv(tmp_path, [dict(school(), 备注="x"), school(school_id="S1", year=1999)])
    problems = check_files(path)
    assert {p.severity for p in problems} == {"error", "warning"}
    assert check_files([]) == []


def test_plain_numbers_are_converted_as_pd_to_numeric_would():
    import numpy as np
    import pandas as pd

    from quality_balance.inputs.validate import _to_numbers

    assert _to_numbers(pd.Series(["12", "-3.5", "1e3", "+7"], dtype=object)).tolist() == [12.0, -3.5, 1000.0, 7.0]
    # numpy would read "1_000" and Arabic-Indic digits: such columns go through pd.to_numeric (NaN, then reported)
    out = _to_numbers(pd.Series(["1_000", "5"], dtype=object))
    assert np.isnan(out[0]) and out[1] == 5.0
    out = _to_numbers(pd.Series(["١٢", "5"], dtype=object))
    assert np.isnan(out[0]) and out[1] == 5.0
    out = _to_numbers(pd.Series(["abc", "5"], dtype=object))
    assert np.isnan(out[0]) and out[1] == 5.0


def test_plain_numbers_fast_path_only_for_columns_of_plain_numbers():
    import numpy as np
    import pandas as pd

    from quality_balance.inputs.validate import _fullmatch, _plain_numbers

    assert _plain_numbers(np.array(["1", "2.5", "-3", "1e3"], dtype=object)).tolist() == [1.0, 2.5, -3.0, 1000.0]
    # a blank, a mark, a thousands separator or a unit sends the column cell by cell
    for odd in ("", "-", "1,234", "12人", "—"):
        assert _plain_numbers(np.array(["1", odd], dtype=object)) is None
    assert _plain_numbers(np.array([], dtype=object)) is None
    assert _fullmatch(pd.Series(["410922", "41092", "410922"]), r"\d{6}").tolist() == [True, False, True]


def test_cells_kept_is_text_where_keep_as_str():
    from quality_balance.inputs.validate import _Cells

    distinct = np.array(["城区", "镇区", ""], dtype=object)
    codes = np.array([0, 1, 0, 2])
    text = pd.Series(distinct[codes], dtype=object)
    cells = _Cells(text, text.eq("").to_numpy(), np.zeros(4, bool), codes=codes, distinct=distinct)
    keep = np.array([True, False, True, False])
    expected = text.where(keep).astype("str")
    pd.testing.assert_series_equal(cells.kept(text, keep), expected)  # taken from the distinct values
    other = text.str.replace("区", "", regex=False)  # not the cells' text: as text.where(keep)
    pd.testing.assert_series_equal(cells.kept(other, keep), other.where(keep))
    missing = _Cells(text, np.zeros(4, bool), np.zeros(4, bool), codes=np.array([0, -1, 0, 2]), distinct=distinct)
    pd.testing.assert_series_equal(missing.kept(text, keep), text.where(keep))  # a code -1: as before
    empty = pd.Series([], dtype=object)
    none = _Cells(empty, np.zeros(0, bool), np.zeros(0, bool), codes=np.zeros(0, np.int64), distinct=distinct[:0])
    assert none.kept(empty, np.zeros(0, bool)).empty


def test_own_copies_the_parsed_numbers_once():
    from quality_balance.inputs.validate import _own

    number = np.array([1.0, np.nan, 3.0])
    first = _own(number, number)
    assert first is not number and np.array_equal(first, number, equal_nan=True)  # a copy to change
    assert _own(first, number) is first  # already its own: not copied again
    empty = np.zeros(0)
    assert _own(empty, empty) is not empty and _own(empty, empty).size == 0


def test_distinct_values_are_stripped_and_nfkc_normalised():
    from quality_balance.inputs.validate import _distinct

    codes, distinct = _distinct(pd.Series([" 41 ", "41", "x1", " 41 "]))  # ASCII: only stripped
    assert codes.tolist() == [0, 1, 2, 0] and distinct.tolist() == ["41", "41", "x1"]
    codes, distinct = _distinct(pd.Series(["４１", " 城 区 ", "41"]), compact=True)  # full-width, inner spaces
    assert distinct.tolist() == ["41", "城区", "41"]
    assert _distinct(pd.Series([], dtype=object))[1].tolist() == []


def test_object_text_cells_are_coded_as_their_astype_str():
    """The CSV reader's object cells are coded as they are; a cell that is not a text (an Excel number, a date)
    sends the column through ``astype(str)`` as before, so both give what ``astype(str)`` gives."""
    from quality_balance.inputs.validate import _distinct

    def as_text(cells):
        return _distinct(pd.Series(cells, dtype=object).astype(str))

    texts = ["城区", "城区", " 乡村", None, "镇区", "城区"]
    mixed = ["007", 7, 7.5, np.nan, "7", True]  # numbers and a flag beside texts: "7", "7.5", "True"
    for cells in (texts, mixed):
        codes, distinct = _distinct(pd.Series(cells, dtype=object))
        want_codes, want_distinct = as_text(cells)
        assert codes.tolist() == want_codes.tolist() and distinct.tolist() == want_distinct.tolist()
    codes, distinct = _distinct(pd.Series(mixed, dtype=object))
    assert distinct.tolist() == ["007", "7", "7.5", "True"] and codes.tolist() == [0, 1, 2, -1, 1, 3]
