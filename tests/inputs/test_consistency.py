"""Cross-table consistency warnings (issue 10): rows one table has that the school table does not back up."""
from __future__ import annotations

import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.inputs.consistency import cross_table_problems
from quality_balance.schema import SCORES
from tests.builders import COUNTY_OK, JUNIOR_OK, school, survey_rows
from tests.input_files import write_csv


def _schools():
    return pd.DataFrame([school(school_id="A"), school(JUNIOR_OK, school_id="B")])


def _scores(*school_ids):
    return pd.DataFrame([dict(city="测试市", county="甲县", year=2025, school_id=s, subject="数学",
                              student_id=f"{s}{i}", score=500.0 + i) for s in school_ids for i in range(3)])


def test_a_consistent_data_set_has_no_warning():
    frames = {"schools": _schools(), "scores": _scores("A", "B"), "survey": pd.DataFrame(survey_rows()),
              "counties": pd.DataFrame([COUNTY_OK])}
    assert cross_table_problems(frames) == []


def test_scores_of_a_school_not_in_the_school_table():
    [problem] = cross_table_problems({"schools": _schools(), "scores": _scores("A", "B", "Z9")})
    assert problem.severity == "warning" and problem.file == "「学业成绩」表"
    assert "1 所学校不在学校表中" in problem.message and "测试市甲县 2025年 学校 Z9" in problem.message
    assert "不计入校际差异率（Q9）" in problem.message


def test_survey_of_a_county_year_without_schools():
    survey = pd.DataFrame(survey_rows() + survey_rows(county="乙县") + survey_rows(year=2024))
    [problem] = cross_table_problems({"schools": _schools(), "survey": survey})
    assert "2 个县区年份" in problem.message and "测试市乙县 2025年" in problem.message
    assert "测试市甲县 2024年" in problem.message and "不计入社会认可度（S1）" in problem.message


def test_county_rows_without_schools_and_counties_without_rows():
    counties = pd.DataFrame([dict(COUNTY_OK, year=2024), dict(COUNTY_OK, county="乙县")])
    schools = pd.concat([_schools(), pd.DataFrame([school(school_id="C", county="丙县")])])
    texts = [p.message for p in cross_table_problems({"schools": schools, "counties": counties})]
    assert len(texts) == 2
    assert "2 个县区年份在学校表中没有学校" in texts[0] and "测试市甲县 2024年" in texts[0]
    assert "不对其作出评估结论" in texts[0]
    assert "1 个县区在县区表中没有任何一行（测试市丙县）" in texts[1]


def test_many_keys_are_counted_not_all_named():
    scores = _scores(*[f"X{i}" for i in range(20)])
    [problem] = cross_table_problems({"schools": _schools(), "scores": scores})
    assert "20 所学校" in problem.message and "等 20 处" in problem.message
    assert problem.message.count("学校 X") == 8


def test_check_and_load_dataset_report_them(tmp_path):
    write_csv(tmp_path / "学校.csv", [school(school_id="A"), school(JUNIOR_OK, school_id="B")])
    write_csv(tmp_path / "学业成绩.csv", _scores("A", "B", "Z9").to_dict("records"), table=SCORES)
    report = qb.check(tmp_path)
    assert report.errors == [] and any("不在学校表中" in p.message for p in report.warnings)
    data = qb.load_dataset(tmp_path)
    assert any("Z9" in note for note in data.notes)


# --- within one row of the school table (issue 13 item 5): real files through ``check`` ------------------

def _row_errors(tmp_path, **overrides):
    first = dict(dict.fromkeys(overrides, ""), **school(school_id="A"))
    write_csv(tmp_path / "学校.csv", [first, school(school_id="B", **overrides)])
    report = qb.check(tmp_path)
    return [p for p in report.errors], report


@pytest.mark.parametrize("column, header", [
    ("teachers_above_degree_primary", "高于规定学历教师数(小学)"),
    ("backbone_teachers_primary", "县级以上骨干教师数(小学)"), ("pe_art_teachers_primary", "体育艺术专任教师数(小学)")])
def test_teachers_by_qualification_or_role_not_above_full_time_teachers(tmp_path, column, header):
    assert _row_errors(tmp_path, full_time_teachers_primary=60.0, **{column: 60.0})[0] == []   # equal: fine
    errors, report = _row_errors(tmp_path, full_time_teachers_primary=60.0, **{column: 61.0})
    [problem] = errors
    assert report.exit_status == 2 and problem.file.endswith("学校.csv") and problem.row == 3
    assert problem.column == header and "多于专任教师数(小学)" in problem.message
    assert problem.value == f"{header} 61 > 专任教师数(小学) 60" and problem.fix


def test_whole_school_certified_and_stage_teachers_not_above_its_full_time_teachers(tmp_path):
    # G12's school columns (full_time_teachers, certified_teachers) meet the stages' full-time teachers
    assert _row_errors(tmp_path, full_time_teachers=60.0, certified_teachers=60.0,
                       full_time_teachers_primary=60.0)[0] == []                     # equal: fine
    errors, _ = _row_errors(tmp_path, full_time_teachers=60.0, certified_teachers=61.0)
    assert [(p.column, p.value) for p in errors] == [("持证专任教师数", "持证专任教师数 61 > 专任教师数 60")]
    errors, _ = _row_errors(tmp_path, full_time_teachers=60.0, full_time_teachers_primary=61.0)
    assert [p.value for p in errors] == ["各学段之和 61 > 专任教师数 60"]
    assert "专任教师数之和多于专任教师数" in errors[0].message


def test_a_stage_figure_not_above_the_whole_school(tmp_path):
    errors, _ = _row_errors(tmp_path, teaching_area_m2=5000.0, teaching_area_m2_primary=5000.5)
    [problem] = errors
    assert problem.column == "教学及辅助用房面积(小学)" and "大于全校合计" in problem.message
    assert problem.value == "教学及辅助用房面积(小学) 5000.5 > 全校 5000"
    row = dict(school_type="九年一贯制学校", students_junior=300.0, teachers_above_degree_junior=20.0,
               backbone_teachers_junior=4.0, pe_art_teachers_junior=3.0, multimedia_rooms=25.0)
    assert _row_errors(tmp_path, multimedia_rooms_primary=15.0, multimedia_rooms_junior=10.0, **row)[0] == []
    errors, _ = _row_errors(tmp_path, multimedia_rooms_primary=15.0, multimedia_rooms_junior=11.0, **row)
    [problem] = errors
    assert "两个学段" in problem.message and problem.value == "小学 15 + 初中 11 > 全校 25"


def test_large_classes_indoor_area_and_migrants_not_above_their_whole(tmp_path):
    assert _row_errors(tmp_path, classes_primary=24.0, max_class_size_primary=44.0, classes_56_plus=24.0)[0] == []
    errors, _ = _row_errors(tmp_path, classes_primary=24.0, max_class_size_primary=44.0, classes_56_plus=25.0)
    assert [p.column for p in errors] == ["56人以上大班额班级数"]
    errors, _ = _row_errors(tmp_path, indoor_sports_area_m2=5001.0)        # rooms 5000 m²
    assert [p.column for p in errors] == ["室内体育场馆面积"]
    assert _row_errors(tmp_path, migrant_students=1000.0)[0] == []        # 1000 pupils
    errors, _ = _row_errors(tmp_path, migrant_students=1001.0)
    assert [p.value for p in errors] == ["随迁子女 1001 > 在校生 1000"]


def test_classes_times_largest_class_not_below_students(tmp_path):
    assert _row_errors(tmp_path, classes_primary=25.0, max_class_size_primary=40.0)[0] == []   # 1000 = 1000
    errors, _ = _row_errors(tmp_path, classes_primary=24.0, max_class_size_primary=41.0)       # 984 < 1000
    [problem] = errors
    assert problem.column == "小学最大班额" and "班级数 × 最大班额少于小学在校生数" in problem.message
    assert problem.value == "班级 24 × 最大班额 41 = 984 < 在校生 1000"
    errors, report = _row_errors(tmp_path, students_primary=30.0, classes_primary=1.0, max_class_size_primary=31.0,
                                 teachers_above_degree_primary=2.0, backbone_teachers_primary=1.0,
                                 pe_art_teachers_primary=1.0)
    assert errors == [] and report.exit_status == 0        # a mixed-grade class: a warning only
    found = [p.value for p in report.warnings if p.message == "小学最大班额多于小学在校生数"]
    assert found == ["最大班额 31 > 在校生 30"]


def test_rules_whose_columns_are_absent_or_blank_are_not_checked(tmp_path):
    assert _row_errors(tmp_path, classes_primary=24.0)[0] == []            # no largest class given
    assert _row_errors(tmp_path, backbone_teachers_primary=200.0)[0] == []  # no full-time teachers column



def test_full_time_and_visiting_teachers_are_not_density_heuristics(tmp_path):
    # 10 full-time and 8 visiting teachers for 20 pupils are many per 100, but not R1–R3 figures: no warning
    row = dict(students_primary=20.0, teachers_above_degree_primary=2.0, backbone_teachers_primary=1.0,
               pe_art_teachers_primary=1.0, full_time_teachers_primary=10.0, visiting_pe_art_teachers_primary=8.0)
    errors, report = _row_errors(tmp_path, **row)
    assert errors == [] and report.suspicious == 0


def test_assess_notes_what_the_check_of_the_whole_school_table_says():
    # without scores, assess hands the check each county-year's first school only: the same warnings, their
    # keys in the same order (county-years out of sorted order: 丙县 before 甲县, 2025 before 2024)
    schools = pd.DataFrame([school(school_id="C", county="丙县"), school(school_id="A"),
                            school(school_id="D", county="丙县", year=2024), school(school_id="B", year=2024),
                            school(school_id="E", county="丁县"), school(school_id="F", county="丙县")])
    counties = pd.DataFrame([dict(COUNTY_OK, year=2023), dict(COUNTY_OK, county="乙县"), dict(COUNTY_OK)])
    survey = pd.DataFrame(survey_rows(county="戊县") + survey_rows())
    expected = [f"{p.file}：{p.message}" for p in cross_table_problems(
        {"schools": schools, "counties": counties, "survey": survey})]
    assert len(expected) == 3 and "测试市丙县、测试市丁县" in expected[2]
    result = qb.assess(qb.Dataset(schools=schools, counties=counties, survey=survey))
    assert list(result.notes) == expected



def test_missing_keys_are_found_as_a_multiindex_finds_them():
    """The set-of-tuples look-up (consistency._missing) gives the keys, order and texts that matching
    MultiIndexes gives; a key with a missing cell matches a missing cell there, and still does."""
    from quality_balance.inputs.consistency import _missing

    def by_multiindex(frame, reference, columns):
        keys = pd.MultiIndex.from_frame(frame[columns].drop_duplicates().astype(str))
        return list(keys[~keys.isin(pd.MultiIndex.from_frame(reference[columns].drop_duplicates().astype(str)))])
    places = pd.DataFrame({"city": ["市", "市", "市"], "county": ["甲县", "乙县", "甲县"], "year": [2024, 2024, 2025]})
    frame = pd.DataFrame({"city": ["市", "市", "市", "市"], "county": ["丙县", "甲县", "丙县", "乙县"],
                          "year": [2025, 2025, 2024, 2025]})
    assert _missing(frame, places, ["city", "county", "year"]) == [("市", "丙县", "2025"), ("市", "丙县", "2024"),
                                                                   ("市", "乙县", "2025")]
    key = ["city", "county", "year"]
    assert _missing(frame, places, key) == by_multiindex(frame, places, key)
    assert _missing(frame, places, ["city", "county"]) == [("市", "丙县")]
    with_blank = pd.concat([frame, pd.DataFrame({"city": ["市"], "county": [None], "year": [2025]})], ignore_index=True)
    blank_places = pd.concat([places, pd.DataFrame({"city": ["市"], "county": [None], "year": [2025]})],
                             ignore_index=True)
    for f, p in ((with_blank, places), (with_blank, blank_places), (frame, blank_places)):
        assert _missing(f, p, ["city", "county", "year"]) == by_multiindex(f, p, ["city", "county", "year"])
