"""The facility split of one-through schools and complete middle schools (spec §2.2)."""
import pytest

from quality_balance.standards.profile import load_profile
from quality_balance.method.resources import county_settings
from quality_balance.method.split import split_units
from tests.builders import frame, school


def _units(*rows, profile="national"):
    df = frame(*rows)
    settings, _ = county_settings({("测试市", "甲县"): load_profile(profile)})
    units, excluded = split_units(df, settings)
    return units.set_index(["school_id", "stage"]), excluded


def test_nine_year_school_split_1_to_1_1():
    units, _ = _units(school(school_id="N", school_type="九年一贯制学校", students_primary=600.0,
                             students_junior=300.0, teaching_area_m2=9300.0))
    # primary 600 / (600 + 1.1·300) = 600/930; junior 330/930
    assert units.loc[("N", "primary"), "res_R4"] == pytest.approx(9300 * 600 / 930)
    assert units.loc[("N", "junior"), "res_R4"] == pytest.approx(9300 * 330 / 930)
    assert units.loc[("N", "primary"), "split"] == "weighted"


def test_twelve_year_school_split_1_to_1_1_to_1_32():
    units, _ = _units(school(school_id="T", school_type="十二年一贯制学校", students_primary=600.0,
                             students_junior=300.0, students_senior=200.0, equipment_value_yuan=1_194_000.0))
    # denominators 600 + 330 + 264 = 1194
    assert units.loc[("T", "primary"), "res_R6"] == pytest.approx(600_000.0)
    assert units.loc[("T", "junior"), "res_R6"] == pytest.approx(330_000.0)
    assert ("T", "senior") not in units.index


def test_complete_middle_school_junior_share_1_to_1_2():
    units, _ = _units(school(school_id="W", school_type="完全中学", students_primary=0.0, students_junior=500.0,
                             students_senior=600.0, sports_area_m2=12200.0, teachers_above_degree_junior=30.0))
    # junior 500 / (500 + 1.2·600) = 500/1220
    assert units.loc[("W", "junior"), "res_R5"] == pytest.approx(5000.0)
    assert units.loc[("W", "junior"), "res_R1"] == 30.0  # teachers are used as reported
    assert ("W", "primary") not in units.index


def test_reported_per_stage_figures_are_not_split():
    units, _ = _units(school(school_id="N", school_type="九年一贯制学校", students_primary=600.0,
                             students_junior=300.0, teaching_area_m2=9000.0,
                             teaching_area_m2_primary=5000.0, teaching_area_m2_junior=4000.0))
    assert units.loc[("N", "primary"), "res_R4"] == 5000.0
    assert units.loc[("N", "junior"), "res_R4"] == 4000.0


def test_special_education_schools_are_out_of_scope():
    units, excluded = _units(school(school_id="A"), school(school_id="SE", school_type="特殊教育学校",
                                                            students_primary=80.0))
    assert "SE" not in units.index.get_level_values(0)
    assert excluded["school_id"].tolist() == ["SE"]
    assert "特殊教育" in excluded["reason"].iloc[0]
