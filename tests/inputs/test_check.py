"""The check command: validation problems, suspicious-value heuristics at their edges, summary, exit status."""
from __future__ import annotations

import pandas as pd
import pytest

from tests.builders import JUNIOR_OK, PRIMARY_OK, school
from tests.input_files import write_csv
from quality_balance.inputs.check import area_jumps, check, school_count_jumps, suspicious_values, teacher_density
from quality_balance.cli import main
from quality_balance.standards.profile import load_profile


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([school(**r) for r in rows])


# --- area per student across years -----------------------------------------------------------------------

def test_area_jump_compares_each_year_with_the_previous_one_reported():
    # 1000 students; teaching area 5 000 → 500 (×10, the limit itself) → 400 (×1.25) → …
    # 2025 after a gap: 40 (×10 again)
    schools = frame(dict(year=2021, teaching_area_m2=5000.0), dict(year=2022, teaching_area_m2=500.0),
                    dict(year=2023, teaching_area_m2=400.0), dict(year=2025, teaching_area_m2=39.0))
    jumps = area_jumps(schools, 10)
    assert jumps[["year", "previous_year", "column"]].values.tolist() == [[2025, 2023, "teaching_area_m2"]]
    assert jumps["value"].iloc[0] == pytest.approx(0.039)
    assert jumps["previous"].iloc[0] == pytest.approx(0.4)
    assert jumps["ratio"].iloc[0] == pytest.approx(0.4 / 0.039)


def test_area_jump_up_and_from_zero_but_not_between_zeros_or_without_students():
    schools = frame(dict(school_id="A", year=2024, sports_area_m2=800.0),
                    dict(school_id="A", year=2025, sports_area_m2=8100.0),
                    dict(school_id="B", year=2024, sports_area_m2=0.0),
                    dict(school_id="B", year=2025, sports_area_m2=7000.0),
                    dict(school_id="C", year=2024, sports_area_m2=0.0),
                    dict(school_id="C", year=2025, sports_area_m2=0.0),
                    dict(school_id="D", year=2024, students_primary=0.0), dict(school_id="D", year=2025))
    jumps = area_jumps(schools, 10)
    assert jumps[["school_id", "column"]].values.tolist() == [["A", "sports_area_m2"], ["B", "sports_area_m2"]]
    assert jumps["ratio"].tolist() == [pytest.approx(8100 / 800), float("inf")]


def test_area_per_student_counts_every_stage():
    # a one-through school: 500 + 500 students, 5 000 m² → 5 m²/生 both years; no jump although
    # the primary students alone would make it look like 10 m²/生 in one year
    one_through = dict(school_type="九年一贯制学校", students_primary=500.0, students_junior=500.0)
    schools = frame(dict(one_through, year=2024), dict(one_through, year=2025, students_primary=1000.0,
                                                       students_junior=0.0, school_type="小学"))
    assert area_jumps(schools, 1.01).empty


# --- teachers per 100 students ------------------------------------------------------------------------------

def test_teacher_density_above_the_limit_only():
    schools = frame(dict(school_id="at", backbone_teachers_primary=300.0),          # 30.0 per 100: the limit
                    dict(school_id="over", backbone_teachers_primary=301.0),        # 30.1
                    dict(JUNIOR_OK, school_id="junior", teachers_above_degree_junior=400.0),  # 40 per 100 junior
                    dict(school_id="none", students_primary=0.0, teachers_above_degree_primary=0.0,
                         backbone_teachers_primary=0.0, pe_art_teachers_primary=0.0, students_junior=0.0))
    dense = teacher_density(schools, 30)
    assert dense[["school_id", "stage", "column"]].values.tolist() == [
        ["over", "primary", "backbone_teachers_primary"], ["junior", "junior", "teachers_above_degree_junior"]]
    assert dense["per_100"].tolist() == [pytest.approx(30.1), pytest.approx(40.0)]


# --- schools per county ---------------------------------------------------------------------------------------

def test_school_count_jump_by_county_and_share():
    rows = ([dict(county="甲县", year=2024, school_id=f"a{i}") for i in range(10)]
            + [dict(county="甲县", year=2025, school_id=f"a{i}") for i in range(13)]      # +30%: the limit
            + [dict(county="乙县", year=2024, school_id=f"b{i}") for i in range(10)]
            + [dict(county="乙县", year=2025, school_id=f"b{i}") for i in range(14)])     # +40%
    jumps = school_count_jumps(pd.DataFrame(rows).assign(city="测试市"), 0.3)
    assert jumps.to_dict("records") == [dict(city="测试市", county="乙县", year=2025, previous_year=2024, schools=14,
                                             previous=10, change=pytest.approx(0.4))]


# --- the limits come from the profile ---------------------------------------------------------------------------

def test_limits_are_read_from_the_profile(tmp_path):
    lenient = tmp_path / "宽松.toml"
    lenient.write_text('name = "宽松"\nparent = "national"\n[check]\nmax_teachers_per_100 = 40.0\n', encoding="utf-8")
    schools = frame(dict(backbone_teachers_primary=350.0))                          # 35 per 100
    assert load_profile("national").get("check.max_teachers_per_100") == 30.0
    national = suspicious_values(schools, "national", source="学校.csv")
    assert [(p.severity, p.column, p.file) for p in national] == [("warning", "县级以上骨干教师数(小学)", "学校.csv")]
    assert "35.0" in national[0].message and "城关" not in national[0].message
    assert suspicious_values(schools, load_profile(lenient)) == []


# --- check() and the command ----------------------------------------------------------------------------------

def two_years(tmp_path, **changes_2025) -> str:
    rows = [school(year=2024, school_id="S1"), school(JUNIOR_OK, year=2024, school_id="S2"),
            school(year=2025, school_id="S1", **changes_2025), school(JUNIOR_OK, year=2025, school_id="S2")]
    return str(write_csv(tmp_path / "学校.csv", rows))


def test_check_valid_file(tmp_path):
    report = check(two_years(tmp_path))
    assert report.problems == () and report.rows == {"schools": 4} and report.exit_status == 0
    assert "学校 4 行" in report.summary() and "错误 / errors: 0" in report.summary()


def test_check_counts_errors_warnings_and_suspicious(tmp_path):
    path = two_years(tmp_path, teaching_area_m2=-1.0, sports_area_m2=90_000.0,
                     multimedia_rooms=25.5)  # sports area 8 → 90 m²/生
    report = check(path)
    assert [(p.severity, p.row, p.column) for p in report.errors] == [("error", 4, "教学及辅助用房面积")]
    assert {p.message for p in report.warnings} >= {"人数、个数不是整数"}
    assert report.suspicious == 1 and report.exit_status == 2
    summary = report.summary()
    assert "错误 / errors: 1" in summary and "suspicious values: 1" in summary and "退出码 2" in summary


def test_check_command_prints_every_problem_then_the_summary(tmp_path, capsys):
    path = two_years(tmp_path, teaching_area_m2="五千", equipment_value_yuan="2,200,000", sports_area_m2=790.0)
    assert main(["check", path]) == 2
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert (lines[0].startswith("错误 / error: ")
            and "第4行 列「教学及辅助用房面积」: 不是数字（收到: '五千'）" in lines[0])
    assert "应为: 不小于 0 的数，单位：平方米" in lines[0] and "修改建议" in lines[0]
    assert lines[1].startswith("警告 / warning: ") and "生均体育运动场馆面积与 2024 年相比相差 10.1 倍" in lines[1]
    assert "学校 4 行" in out and "错误 / errors: 1" in out and "Traceback" not in out


def test_warnings_alone_exit_zero(tmp_path, capsys):
    assert main(["check", two_years(tmp_path, pe_art_teachers_primary=320.0)]) == 0
    out = capsys.readouterr().out
    assert "每百名小学学生有 32.0 名此类教师" in out and "没有错误" in out


def test_merge_groups_repeated_problems(tmp_path, capsys):
    rows = [school(school_id=f"S{i}", boarders="很多") for i in range(8)]
    path = str(write_csv(tmp_path / "学校.csv", rows))
    assert main(["check", path, "--merge"]) == 2
    out = capsys.readouterr().out
    assert out.count("不是数字") == 1 and "共 8 行：第2、3、4、5、6…行" in out
    assert main(["check", path]) == 2
    assert capsys.readouterr().out.count("不是数字") == 8


def test_check_folder_of_several_tables(tmp_path):
    write_csv(tmp_path / "学校.csv", [school(school_id="S1"), school(dict(PRIMARY_OK), school_id="S2")])
    write_csv(tmp_path / "other.csv", [school(school_id="S3")])  # searched only for the tables still missing
    report = check(tmp_path)
    assert report.rows == {"schools": 2} and report.errors == []
    assert report.warnings and all(p.file.endswith("other.csv") for p in report.warnings)
