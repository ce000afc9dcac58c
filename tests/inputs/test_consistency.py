"""Cross-table consistency warnings (issue 10): rows one table has that the school table does not back up."""
from __future__ import annotations

import pandas as pd

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
