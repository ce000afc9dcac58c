"""Hand-computed cases that the planted bugs of a mutation run showed missing (issue 9, item 9).

Each test builds the smallest data by hand, states the arithmetic, and pins what a plausible one-character
bug would change: a ``>=`` that became ``>``, a ``min`` that became ``max``, a limit read from the wrong setting,
a status order that lets missing data hide a failure. Statuses, values and columns are asserted; reason texts
only where the case is about them.
"""
import numpy as np
import pandas as pd
import pytest

import quality_balance as qb
from tests.builders import COUNTY_OK, JUNIOR_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, frame, school, survey_rows


def _assess(schools=None, county=None, survey=None, profile=None, counties=None):
    schools = schools or [school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A")]
    counties = counties if counties is not None else [dict(COUNTY_OK, **(county or {}))]
    return qb.assess(dataset(schools, counties, survey or survey_rows()), profile=profile)


def _item(a, item, county="甲县"):
    return a.items.set_index(["county", "item"]).loc[(county, item)]


def _unit(ra, school_id, stage="primary"):
    return ra.units.set_index(["school_id", "stage"]).loc[(school_id, stage)]


def _profile(tmp_path, body, name="case"):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\nparent = "national"\n' + body, encoding="utf-8")
    return path


# --- resource allocation: the school rule and the CV ---------------------------------------------

def test_a_miss_whose_ratio_is_the_double_085_itself_passes_the_school_rule():
    # R6: 1 700 000 元 / 1 000 students = 1 700 元 against 2 000: ratio 1700 / 2000 = 0.85, the same double as
    # the profile's min_ratio_of_miss; "at least 85%" is met (a strict > would fail the unit)
    ra = qb.assess_resources(frame(school(school_id="A", equipment_value_yuan=1_700_000.0)))
    u = _unit(ra, "A")
    assert (u["R6"], u["met_count"], u["misses"]) == (1700.0, 6, "R6")
    assert u["worst_ratio"] == 0.85
    assert u["passes_school_rule"]
    assert ra.counties.iloc[0]["status"] == "met"
    # 1 699 元: 1699 / 2000 = 0.8495 < 0.85 fails
    just_under = _unit(qb.assess_resources(frame(school(school_id="A", equipment_value_yuan=1_699_000.0))), "A")
    assert not just_under["passes_school_rule"]


def test_worst_ratio_is_the_lowest_of_the_misses(tmp_path):
    # R4 4 275 m² / 1 000 = 4.275 against 4.5: 0.95; R6 1 600 元 against 2 000: 0.80 → worst_ratio 0.80, not 0.95
    row = school(school_id="A", teaching_area_m2=4275.0, equipment_value_yuan=1_600_000.0)
    u = _unit(qb.assess_resources(frame(row)), "A")
    assert u["misses"] == "R4,R6" and u["met_count"] == 5
    assert u["worst_ratio"] == pytest.approx(0.80, rel=1e-12)
    # it decides: under a profile accepting two misses (min_met = 5) the 0.80 miss is below 85% and fails
    five = _profile(tmp_path, "[resources]\nschool_rule = { min_met = 5, min_ratio_of_miss = 0.85 }\n")
    u5 = _unit(qb.assess_resources(frame(row), profile=qb.load_profile(five)), "A")
    assert u5["met_count"] == 5 and not u5["passes_school_rule"]
    # while misses at 0.95 and 0.90 (1 800 元) both reach 85%: the unit passes under that profile
    ok = _unit(qb.assess_resources(frame(dict(row, equipment_value_yuan=1_800_000.0)), profile=qb.load_profile(five)),
               "A")
    assert ok["worst_ratio"] == pytest.approx(0.90, rel=1e-12) and ok["passes_school_rule"]


def test_a_cv_at_its_limit_with_float_noise_is_met():
    # R4 1 200 and 3 600 m² over 1 000 students each: 1.2 and 3.6 m², mean 2.4, S = 1.2, CV = 0.5 exactly,
    # computed as 0.5000000000000001; the primary limit 0.50 is "≤", so it is met (binary noise is not a miss)
    ra = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=1200.0),
                                   school(school_id="B", teaching_area_m2=3600.0)))
    row = ra.cv.set_index(["stage", "indicator"]).loc[("primary", "R4")]
    assert row["cv"] == pytest.approx(0.5, abs=1e-15) and row["limit"] == 0.5
    assert row["status"] == "met" and bool(row["passes"])
    # 1 190 m²: values 1.19 and 3.6, mean 2.395, S = 1.205, CV = 0.5031 > 0.5
    over = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=1190.0),
                                     school(school_id="B", teaching_area_m2=3600.0)))
    assert over.cv.set_index(["stage", "indicator"]).loc[("primary", "R4"), "status"] == "not_met"


def test_a_blank_senior_count_is_no_senior_students_in_the_facility_split():
    # nine-year school, 600 primary and 300 junior students, 高中 left blank (= 0): 600 / (600 + 1.1 · 300)
    from quality_balance.method.split import facility_shares
    students = pd.DataFrame({"students_primary": [600.0], "students_junior": [300.0], "students_senior": [np.nan]})
    weights = pd.DataFrame({"w_primary": [1.0], "w_junior": [1.1], "w_senior": [1.32]})
    shares = facility_shares(students, weights).iloc[0]
    assert shares["primary"] == pytest.approx(600 / 930) and shares["junior"] == pytest.approx(330 / 930)
    # and a table without the 高中 column at all: the same shares
    shares = facility_shares(students.drop(columns="students_senior"), weights).iloc[0]
    assert shares["primary"] == pytest.approx(600 / 930) and shares["junior"] == pytest.approx(330 / 930)


# --- government guarantee: G3–G6 ------------------------------------------------------------------

@pytest.mark.parametrize("primary, junior", [(24.0, np.nan), (np.nan, 24.0)])
def test_g3_a_blank_stage_class_count_adds_no_class(primary, junior):
    # 24 classes, the other stage left blank: ceil(24 / 12) = 2 rooms of each kind; 2 + 2 are enough
    # (a blank counted as 1 class would need ceil(25 / 12) = 3)
    blank = dict(SCHOOL_GQ_OK, classes_primary=primary, classes_junior=junior, music_rooms=2.0, art_rooms=2.0)
    assert _item(_assess([school(PRIMARY_OK, **blank)]), "G3")["status"] == "met"


def test_g3_with_zero_classes_still_needs_one_room_of_each():
    # rooms needed = max(1, ceil(0 / 12)) = 1 music and 1 art room
    none = dict(SCHOOL_GQ_OK, classes_primary=0.0, classes_junior=0.0)
    assert _item(_assess([school(PRIMARY_OK, **dict(none, music_rooms=1.0, art_rooms=1.0))]), "G3")["status"] == "met"
    for music, art in ((0.0, 1.0), (1.0, 0.0), (0.0, 0.0)):
        a = _assess([school(PRIMARY_OK, **dict(none, music_rooms=music, art_rooms=art))])
        assert _item(a, "G3")["status"] == "not_met", (music, art)
        assert _item(a, "G3")["value"] == 1                       # one failing school
        assert a.school_failures.set_index("item").loc["G3", "value"] == 0.0   # 0 rooms of 1 achieved


def test_g4_one_through_limit_of_a_twelve_year_school_counts_compulsory_students_only():
    # 十二年一贯制: 1 700 primary + 800 junior = 2 500 compulsory students = the one-through limit (met); its
    # 1 000 senior students do not count (2 500 + 1 000 = 3 500 would fail); and 2 500 is over the 2 000
    # single-stage limit, so the one-through limit is the one applied
    twelve = school(PRIMARY_OK, **SCHOOL_GQ_OK, school_type="十二年一贯制学校", students_primary=1700.0,
                    students_junior=800.0, students_senior=1000.0)
    assert _item(_assess([twelve]), "G4")["status"] == "met"
    over = _assess([dict(twelve, students_junior=801.0)])           # 2 501 > 2 500
    assert _item(over, "G4")["status"] == "not_met"
    failure = over.school_failures.set_index("item").loc["G4"]
    assert (failure["value"], failure["threshold"]) == (2501.0, 2500.0)


def test_g5_covers_teaching_points():
    # spec §2.2: 教学点 are primary units; §3 G5: every class, 小学 ≤ 45. A teaching point's class of 46 fails.
    point = dict(SCHOOL_GQ_OK, classes_primary=2.0, max_class_size_primary=45.0, public_funds_yuan=650.0 * 100)
    tp = school(PRIMARY_OK, **point, school_id="T", school_type="教学点", location="乡村", students_primary=60.0)
    assert _item(_assess([tp]), "G5")["status"] == "met"
    over = _assess([dict(tp, max_class_size_primary=46.0)])
    assert _item(over, "G5")["status"] == "not_met"
    failure = over.school_failures.set_index("item").loc["G5"]
    assert failure["school_id"] == "T" and (failure["value"], failure["threshold"]) == (46.0, 45.0)
    assert "小学最大班额 46）" in failure["detail"]          # a class size is a whole number of students


def test_g5_a_junior_class_over_50_names_its_size():
    # 初中 ≤ 50: a junior class of 51 fails, and the school's line reads "初中最大班额 51"
    junior = dict(SCHOOL_GQ_OK, classes_primary=0.0, classes_junior=20.0, max_class_size_primary=0.0,
                  max_class_size_junior=51.0)
    a = _assess([school(JUNIOR_OK, **junior, school_id="J")])
    failure = a.school_failures.set_index("item").loc["G5"]
    assert _item(a, "G5")["status"] == "not_met" and (failure["value"], failure["threshold"]) == (51.0, 50.0)
    assert "初中最大班额 51）" in failure["detail"]


def _village(funds, students=80.0, **kw):
    return school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, public_funds_yuan=funds, training_funds_yuan=funds * 0.05),
                  **dict(dict(school_id="V", location="乡村", students_primary=students), **kw))


def test_g6_funds_as_funded_as_students_below_the_below_cut(tmp_path):
    # a profile where the two differ: schools under 100 students are funded as 120
    prof = _profile(tmp_path, "[guarantee]\nG6 = { below = 100, funded_as = 120 }\n")
    # 80 students: 650 元 × max(80, 120) = 78 000 元
    assert _item(_assess([_village(78000.0)], profile=prof), "G6")["status"] == "met"
    short = _assess([_village(77999.0)], profile=prof)
    assert _item(short, "G6")["status"] == "not_met"
    assert short.school_failures.set_index("item").loc["G6", "threshold"] == 78000.0
    # 99 students (< 100): still funded as 120 → 78 000 元
    assert _item(_assess([_village(77999.0, students=99.0)], profile=prof), "G6")["status"] == "not_met"
    # 100 and 110 students: not under 100, so outside the rule although under 120
    for students in (100.0, 110.0):
        assert _item(_assess([_village(1.0, students=students)], profile=prof), "G6")["status"] == "not_applicable"


def test_g6_a_town_primary_school_is_not_a_village_school():
    # 小学 in 镇区 with 80 students and no is_village_school flag: not a village school, the rule does not reach it
    assert _item(_assess([_village(1.0, location="镇区")]), "G6")["status"] == "not_applicable"
    # the same school in 乡村 must get 650 × 100 = 65 000 元
    assert _item(_assess([_village(1.0)]), "G6")["status"] == "not_met"
    # and a 镇区 school flagged as a village school is one
    assert _item(_assess([_village(1.0, location="镇区", is_village_school=True)]), "G6")["status"] == "not_met"


# --- social recognition ---------------------------------------------------------------------------

def _survey(first_group_favourable):
    rows = survey_rows(respondents=100, favourable=90)
    rows[0]["favourable"] = first_group_favourable       # 学生
    return rows


def test_s1_a_group_at_exactly_85_percent_passes():
    # 学生 85 of 100 = 85.0% ≥ 85%: the group passes and is not listed as low
    a = _assess(survey=_survey(85))
    table = a.recognition.set_index("group")
    assert table.loc["学生", "rate"] == 85.0 and bool(table.loc["学生", "passes"])
    assert "低于标准的群体" not in _item(a, "S1")["reason"]
    # 84 of 100 = 84%: listed (the overall rate, (84 + 6 × 90) / 700 = 89.1%, still passes)
    low = _assess(survey=_survey(84))
    assert not bool(low.recognition.set_index("group").loc["学生", "passes"])
    s1 = _item(low, "S1")
    assert s1["status"] == "met" and "低于标准的群体：学生" in s1["reason"]


# --- how statuses combine -------------------------------------------------------------------------

@pytest.mark.parametrize("rotation, backbone", [(np.nan, 19.0), (9.0, np.nan)])
def test_a_part_without_data_does_not_hide_a_failing_part(rotation, backbone):
    # G11: one part has no data, the other fails (19 < 20 or 9 < 10): the item is not met, not "no data"
    a = _assess(county={"rotation_rate": rotation, "rotation_backbone_share": backbone})
    assert _item(a, "G11")["status"] == "not_met"
    parts = a.parts[a.parts["item"] == "G11"].set_index("part_no")["status"]
    assert sorted(parts) == ["no_data", "not_met"]
    assert a.verdicts.iloc[0]["guarantee"] == "not_met"


def test_an_item_without_data_does_not_hide_a_failing_item_in_its_dimension():
    # G15 has no data, G9 fails (99.9 < 100): the guarantee dimension and the county are not met
    county = dict(COUNTY_OK, training_360h_rate=99.9)
    del county["migrant_public_share"]
    a = _assess(counties=[county])
    assert (_item(a, "G15")["status"], _item(a, "G9")["status"]) == ("no_data", "not_met")
    v = a.verdicts.iloc[0]
    assert v["guarantee"] == "not_met" and v["overall"] == "not_met"
    assert "G9" in v["reason"] and "G15" in v["reason"]


def test_a_veto_without_data_gives_no_data_never_met():
    # four dimensions met, no veto present, V3 left blank: the county cannot be declared 达标
    a = _assess(county={"v3_key_schools": None})
    assert _item(a, "V3")["status"] == "no_data"
    v = a.verdicts.iloc[0]
    assert (v[["resources", "guarantee", "quality", "recognition"]] == "met").all()
    assert v["veto"] == "no_data" and v["overall"] == "no_data"
    # a veto present beside a blank one: not met
    both = _assess(county={"v3_key_schools": None, "v1_exam_admission": True}).verdicts.iloc[0]
    assert both["veto"] == "not_met" and both["overall"] == "not_met"


EXTRA = """
[[extra_items]]
id = "L9"
dimension = "quality"
label = "体质健康优良率"
column = "fitness_good_rate"
op = ">="
threshold = 60.0
counts = {counts}
"""


def test_an_extra_item_that_does_not_count_leaves_its_dimension_alone(tmp_path):
    # L9: 59% < 60% fails, but counts = false: quality stays met and the county passes
    shown = _assess(county={"fitness_good_rate": 59.0},
                    profile=_profile(tmp_path, EXTRA.replace("{counts}", "false"), "shown"))
    l9 = _item(shown, "L9")
    assert l9["status"] == "not_met" and not l9["counts"] and l9["dimension"] == "quality"
    v = shown.verdicts.iloc[0]
    assert v["quality"] == "met" and v["overall"] == "met"
    # the same item with counts = true fails the dimension
    counted = _assess(county={"fitness_good_rate": 59.0},
                      profile=_profile(tmp_path, EXTRA.replace("{counts}", "true"), "counted"))
    assert counted.verdicts.iloc[0]["quality"] == "not_met" and counted.verdicts.iloc[0]["overall"] == "not_met"
