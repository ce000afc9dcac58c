"""Loaders: real files in every accepted shape → canonical frames and Datasets; inputs never touched."""
from __future__ import annotations

import csv
import hashlib
import json

import openpyxl
import pandas as pd
import pytest

from tests.builders import COUNTY_OK
from tests.input_files import JUNIOR_OK, grid, school, write_csv, write_xls, write_xlsx
from quality_balance.errors import InputError, ProfileError
from quality_balance.inputs.loaders import (aggregate_answers, load_counties, load_dataset, load_schools,
                                     load_scores, load_survey)
from quality_balance.schema import CLASSES, COUNTIES, SCHOOLS, SCORES, SURVEY, SURVEY_ANSWERS


def rows_2025():
    return [school(school_id="4109220001"), school(JUNIOR_OK, school_id="4109220002", location="乡村")]


def answers(n_fav: int, n_other: int, group: str = "家长", county: str = "甲县"):
    picks = ["满意", "比较满意"] * n_fav
    return [dict(year=2025, city="测试市", county=county, respondent_id=f"{group}{i}", group=group, answer=a)
            for i, a in enumerate(picks[:n_fav] + ["一般"] * n_other)]


def survey_rows():
    return [dict(year=2025, city="测试市", county="甲县", group="家长", respondents=400, favourable=352)]


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --- the school table --------------------------------------------------------------------------------

def test_chinese_header_xlsx_gives_canonical_columns_and_dtypes(tmp_path):
    path = write_xlsx(tmp_path / "学校.xlsx", {"学校": grid(rows_2025())})
    schools = load_schools(path)
    assert list(schools.columns) == SCHOOLS.names
    assert schools["year"].dtype == "int64"
    assert schools["students_primary"].dtype == "float64"
    assert str(schools["is_village_school"].dtype) == "boolean"
    assert pd.api.types.is_string_dtype(schools["school_id"])
    assert schools["school_id"].tolist() == ["4109220001", "4109220002"]
    assert schools.loc[1, ["students_primary", "students_junior"]].tolist() == [0.0, 1000.0]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_csv_in_any_encoding_loads_the_same_as_utf8(tmp_path, encoding):
    reference = load_schools(write_csv(tmp_path / "utf8.csv", rows_2025(), "utf-8"))
    other = load_schools(write_csv(tmp_path / f"{encoding}.csv", rows_2025(), encoding))
    pd.testing.assert_frame_equal(other, reference)


def test_english_headers(tmp_path):
    path = tmp_path / "schools.csv"
    pd.DataFrame(rows_2025()).to_csv(path, index=False)
    assert load_schools(path)["school_type"].tolist() == ["小学", "初级中学"]


def test_messy_but_valid_file(tmp_path):
    """Title row, units row, full-width digits, thousands separators, shuffled columns, an extra column."""
    first, second = rows_2025()
    first.update(students_primary="１，２００", teaching_area_m2="5,400.5", equipment_value_yuan=" 2,400,000 ",
                 teachers_above_degree_junior="—", school_name="城关一小　")
    second.update(teachers_above_degree_primary="/", backbone_teachers_primary="", pe_art_teachers_primary="－")
    order = list(reversed(list(first)))
    rows = [{"填表说明": note, **{k: r[k] for k in order}} for note, r in (("新建", first), ("", second))]
    path = write_csv(tmp_path / "学校.csv", rows, "gbk", title="清丰县2025年学校基本情况", units=True)
    schools = load_schools(path)
    assert schools.loc[0, ["students_primary", "teaching_area_m2", "equipment_value_yuan"]].tolist() == \
        [1200.0, 5400.5, 2_400_000.0]
    assert schools.loc[0, "school_name"] == "城关一小"
    assert schools.loc[1, ["teachers_above_degree_primary", "backbone_teachers_primary",
                           "pe_art_teachers_primary"]].tolist() == [0.0, 0.0, 0.0]
    assert schools["填表说明"].tolist() == ["新建", ""]           # kept, after the canonical columns
    assert list(schools.columns[:len(SCHOOLS.names)]) == SCHOOLS.names


def test_one_file_per_year_as_a_list(tmp_path):
    paths = [write_csv(tmp_path / f"学校{y}.csv", [dict(r, year=y) for r in rows_2025()]) for y in (2024, 2025)]
    schools = load_schools(paths)
    assert schools["year"].tolist() == [2024, 2024, 2025, 2025]


def test_several_years_in_one_workbook(tmp_path):
    path = write_xlsx(tmp_path / "学校.xlsx", {str(y): grid([dict(r, year=y) for r in rows_2025()], title="学校")
                                               for y in (2023, 2024, 2025)})
    assert load_schools(path).groupby("year").size().to_dict() == {2023: 2, 2024: 2, 2025: 2}


def test_year_taken_from_sheet_names_when_there_is_no_year_column(tmp_path):
    sheets = {f"{y}年": grid([{k: v for k, v in r.items() if k != "year"} for r in rows_2025()])
              for y in (2024, 2025)}
    path = write_xlsx(tmp_path / "学校.xlsx", sheets)
    assert load_schools(path)["year"].tolist() == [2024, 2024, 2025, 2025]


def test_xls_workbook(tmp_path):
    path = write_xls(tmp_path / "学校.xls", {"学校": grid(rows_2025())})
    schools = load_schools(path)
    assert schools["school_id"].tolist() == ["4109220001", "4109220002"]
    assert schools["year"].dtype == "int64"


def test_a_folder_of_school_files(tmp_path):
    for y in (2024, 2025):
        write_csv(tmp_path / f"学校{y}.csv", [dict(r, year=y) for r in rows_2025()])
    assert len(load_schools(tmp_path)) == 4


def test_a_folder_or_workbook_holding_other_tables_too(tmp_path):
    write_csv(tmp_path / "学校.csv", rows_2025())
    write_csv(tmp_path / "县区.csv", [COUNTY_OK], table=COUNTIES)
    assert len(load_schools(tmp_path)) == 2
    assert len(load_counties(tmp_path)) == 1
    book = write_xlsx(tmp_path / "all.xlsx", {"学校": grid(rows_2025()), "县区": grid([COUNTY_OK], table=COUNTIES)})
    assert len(load_schools(book)) == 2 and len(load_counties(book)) == 1


def test_a_table_without_data_rows_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "学校.xlsx", {"学校": grid(rows_2025())[:1]})
    with pytest.raises(InputError, match="没有数据行"):
        load_schools(path)
    with pytest.raises(InputError, match="没有数据行"):
        load_dataset(path)


def test_errors_from_several_files_are_collected_together(tmp_path):
    a = write_csv(tmp_path / "学校2024.csv", [school(year=2024, location="城里")])
    b = write_csv(tmp_path / "学校2025.csv", [school(students_primary=-1)])
    with pytest.raises(InputError) as info:
        load_schools([a, b])
    assert {(p.file, p.row) for p in info.value.problems} == {(str(a), 2), (str(b), 2)}


def test_wrong_table_is_not_taken_for_schools(tmp_path):
    path = write_csv(tmp_path / "学校.csv", [COUNTY_OK], table=COUNTIES)
    with pytest.raises(InputError, match="没有找到可识别的表头"):
        load_schools(path)


# --- the other tables ------------------------------------------------------------------------------------

def test_load_counties_with_percent_rates_and_yes_no(tmp_path):
    row = dict(COUNTY_OK, rotation_rate="12.5%", quota_rural_tilt="√", v5_safety_incident="×",
               consolidation_rate="９７")
    counties = load_counties(write_csv(tmp_path / "县区.csv", [row], "gbk", table=COUNTIES))
    assert counties.loc[0, ["rotation_rate", "consolidation_rate"]].tolist() == [12.5, 97.0]
    assert (bool(counties.loc[0, "quota_rural_tilt"]), bool(counties.loc[0, "v5_safety_incident"])) == (True, False)
    assert counties["monitoring_level"].dtype == "Int64"


def test_percent_formatted_excel_cells_read_as_shown(tmp_path):
    cells = grid([dict(COUNTY_OK, rotation_rate=0.125, difference_rate=0.12)], table=COUNTIES)
    path = write_xlsx(tmp_path / "县区.xlsx", {"县区": cells})
    book = openpyxl.load_workbook(path)
    header = [c.value for c in book["县区"][1]]
    book["县区"].cell(2, header.index("教师交流轮岗比例") + 1).number_format = "0.0%"   # shows 12.5%
    book["县区"].cell(2, header.index("质量监测校际差异率") + 1).number_format = "0%"   # shows 12%
    book.save(path)
    counties = load_counties(path)
    assert counties.loc[0, "rotation_rate"] == pytest.approx(12.5)
    assert counties.loc[0, "difference_rate"] == pytest.approx(0.12)


def test_load_survey_counts(tmp_path):
    survey = load_survey(write_csv(tmp_path / "满意度调查.csv", survey_rows(), table=SURVEY))
    assert survey[["group", "respondents", "favourable"]].values.tolist() == [["家长", 400.0, 352.0]]


def test_load_survey_from_raw_answers(tmp_path):
    rows = answers(3, 1) + answers(1, 1, group="学生")
    survey = load_survey(write_csv(tmp_path / "调查答卷.csv", rows, table=SURVEY_ANSWERS))
    assert survey[["group", "respondents", "favourable"]].values.tolist() == [["学生", 2.0, 1.0],
                                                                              ["家长", 4.0, 3.0]]
    assert list(survey.columns) == SURVEY.names


def test_favourable_answers_are_a_parameter(tmp_path):
    raw = pd.DataFrame(answers(2, 2))  # 满意, 比较满意, 一般, 一般
    assert aggregate_answers(raw)["favourable"].tolist() == [2.0]
    assert aggregate_answers(raw, favourable=["满意"])["favourable"].tolist() == [1.0]
    assert aggregate_answers(raw, favourable=["满意", "比较满意", "一般"])["favourable"].tolist() == [4.0]
    with pytest.raises(ProfileError, match="非常满意"):
        aggregate_answers(raw, favourable=["非常满意"])


def test_load_scores(tmp_path):
    rows = [dict(year=2025, city="测试市", county="甲县", school_id="S0", subject="数学", student_id=f"x{i}",
                 score=500 + i) for i in range(3)]
    scores = load_scores(write_csv(tmp_path / "学业成绩.csv", rows, table=SCORES))
    assert scores["score"].tolist() == [500.0, 501.0, 502.0]


# --- datasets ---------------------------------------------------------------------------------------------

def test_load_dataset_from_a_folder(tmp_path):
    write_csv(tmp_path / "学校.csv", [dict(school(), 备注="x")], "gbk")
    write_xlsx(tmp_path / "县区.xlsx", {"县区": grid([COUNTY_OK], table=COUNTIES)})
    write_csv(tmp_path / "调查答卷.csv", answers(3, 1), table=SURVEY_ANSWERS)
    (tmp_path / "metadata.json").write_text(json.dumps({"synthetic": True, "seed": 7}), encoding="utf-8")
    (tmp_path / "README.md").write_text("演示数据", encoding="utf-8")
    data = load_dataset(tmp_path)
    assert data.synthetic and data.metadata["seed"] == 7
    assert len(data.schools) == 1 and len(data.counties) == 1 and data.scores is None
    assert data.survey[["respondents", "favourable"]].values.tolist() == [[4.0, 3.0]]
    assert len(data.survey_answers) == 4
    notes = "\n".join(data.notes)
    assert "备注" in notes and "学业成绩" in notes and "满意、比较满意" in notes
    assert "「县区」" not in notes.split("学业成绩")[0]  # counties are present: not listed as missing


def test_load_dataset_from_one_workbook_with_a_sheet_per_table(tmp_path):
    path = write_xlsx(tmp_path / "清丰县2025.xlsx", {
        "说明": [["填表说明"]],
        "学校": grid(rows_2025(), title="学校情况", units=True),
        "县区": grid([COUNTY_OK], table=COUNTIES),
        "满意度调查": grid(survey_rows(), table=SURVEY),
    })
    data = load_dataset(path)
    assert (len(data.schools), len(data.counties), len(data.survey)) == (2, 1, 1)
    assert not data.synthetic
    assert any("scores" in n for n in data.notes)


def test_load_dataset_from_a_list_of_files(tmp_path):
    a = write_csv(tmp_path / "a.csv", rows_2025())                 # recognised by its headers
    b = write_csv(tmp_path / "b.csv", [COUNTY_OK], table=COUNTIES)
    meta = tmp_path / "meta.json"
    meta.write_text('{"synthetic": true}', encoding="utf-8")
    data = load_dataset([a, b, meta])
    assert (len(data.schools), len(data.counties), data.synthetic) == (2, 1, True)


def test_a_workbook_beside_table_named_files_only_supplies_missing_tables(tmp_path):
    write_csv(tmp_path / "schools.csv", rows_2025())
    write_xlsx(tmp_path / "全部数据.xlsx", {"学校": grid(rows_2025()), "县区": grid([COUNTY_OK], table=COUNTIES)})
    data = load_dataset(tmp_path)                    # no duplicate schools: schools.csv wins
    assert (len(data.schools), len(data.counties)) == (2, 1)
    write_csv(tmp_path / "counties.csv", [COUNTY_OK], table=COUNTIES)
    write_csv(tmp_path / "survey.csv", survey_rows(), table=SURVEY)
    write_csv(tmp_path / "scores.csv", [dict(year=2025, city="测试市", county="甲县", school_id="S0",
                                              subject="数学", student_id="x", score=500)], table=SCORES)
    write_csv(tmp_path / "classes.csv", [dict(year=2025, school_id=rows_2025()[0]["school_id"], stage="小学",
                                              class_name="一(1)班", students=40)], table=CLASSES)
    data = load_dataset(tmp_path)                    # every table has its own file: workbook not read
    assert (len(data.schools), len(data.counties)) == (2, 1)
    assert any("全部数据.xlsx" in n and "未读取" in n for n in data.notes)


def test_repeated_warnings_are_one_note(tmp_path):
    rows = [school(school_id=f"S{i}", classes_junior=1) for i in range(8)]
    write_csv(tmp_path / "学校.csv", rows)
    [note] = [n for n in load_dataset(tmp_path).notes if "初中班级数" in n]
    assert "共 8 行：第2、3、4、5、6…行" in note


def test_load_dataset_notes_missing_optional_tables(tmp_path):
    write_csv(tmp_path / "schools.csv", rows_2025())
    data = load_dataset(tmp_path)
    notes = "\n".join(data.notes)
    assert "「县区」" in notes and "「学业成绩」" in notes and "满意度调查" in notes
    assert data.counties is None and data.survey is None


def test_load_dataset_without_schools_is_an_error(tmp_path):
    write_csv(tmp_path / "县区.csv", [COUNTY_OK], table=COUNTIES)
    with pytest.raises(InputError, match="没有找到「学校」表"):
        load_dataset(tmp_path)


def test_load_dataset_skips_unrelated_files_in_a_folder_with_a_warning(tmp_path):
    write_csv(tmp_path / "学校.csv", rows_2025())
    (tmp_path / "通讯录.csv").write_text("姓名,电话\n张三,123\n", encoding="utf-8")
    data = load_dataset(tmp_path)
    assert any("通讯录.csv" in n for n in data.notes)


def test_bad_metadata_is_an_error(tmp_path):
    write_csv(tmp_path / "学校.csv", rows_2025())
    (tmp_path / "metadata.json").write_text('{"synthetic": "yes"}', encoding="utf-8")
    with pytest.raises(InputError, match="synthetic"):
        load_dataset(tmp_path)


def test_survey_counts_and_answers_for_the_same_group_conflict(tmp_path):
    write_csv(tmp_path / "学校.csv", rows_2025())
    write_csv(tmp_path / "满意度调查.csv", survey_rows(), table=SURVEY)
    write_csv(tmp_path / "调查答卷.csv", answers(3, 1), table=SURVEY_ANSWERS)
    with pytest.raises(InputError, match="既有汇总人数又有原始答卷"):
        load_dataset(tmp_path)


def test_inputs_are_never_modified_and_nothing_is_written(tmp_path):
    write_csv(tmp_path / "学校.csv", [dict(school(), 备注="x")], "gbk", title="标题", units=True)
    write_xlsx(tmp_path / "县区.xlsx", {"县区": grid([COUNTY_OK], table=COUNTIES)})
    write_xls(tmp_path / "满意度调查.xls", {"满意度调查": grid(survey_rows(), table=SURVEY)})
    before = digest(tmp_path)
    load_dataset(tmp_path)
    load_schools(tmp_path / "学校.csv")
    with open(tmp_path / "学校.csv", "a", encoding="gbk", newline="") as fh:  # now make it fail
        csv.writer(fh).writerow(["2025", "测试市", "甲县", "S9", "坏", "大学"])
    broken = digest(tmp_path)
    with pytest.raises(InputError):
        load_dataset(tmp_path)
    assert digest(tmp_path) == broken
    assert set(before) == set(broken) and before["县区.xlsx"] == broken["县区.xlsx"]
