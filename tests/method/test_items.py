"""Each assessment item at its threshold edges (spec §3–§6), under the national profile."""
import pandas as pd
import pytest

import quality_balance as qb
from tests.builders import (COUNTY_OK, JUNIOR_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school, survey_rows)

JUNIOR_GQ = dict(SCHOOL_GQ_OK, classes_primary=0.0, classes_junior=20.0, max_class_size_primary=0.0,
                 max_class_size_junior=49.0)


def _assess(schools=None, county=None, survey=None, profile=None, **kw):
    schools = schools or [school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A")]
    counties = [dict(COUNTY_OK, **(county or {}))]
    return qb.assess(dataset(schools, counties, survey or survey_rows(), **kw), profile=profile)


def _item(a, item, county="甲县"):
    return a.items.set_index(["county", "item"]).loc[(county, item)]


def test_everything_met_gives_an_overall_pass():
    a = _assess()
    assert set(a.items["status"]) == {"met", "not_applicable"}  # G6: no small village school
    v = a.verdicts.iloc[0]
    assert (v[["resources", "guarantee", "quality", "recognition", "veto", "overall"]] == "met").all()


@pytest.mark.parametrize("item, column, at, below", [
    ("G9", "training_360h_rate", 100.0, 99.9),
    ("G12", "certified_teacher_rate", 100.0, 99.9),
    ("G15", "migrant_public_share", 85.0, 84.9),
    ("Q1", "consolidation_rate", 95.0, 94.9),
    ("Q2", "disabled_enrollment_rate", 95.0, 94.9),
    ("G14", "quota_share", 50.0, 49.9),
    ("G11", "rotation_rate", 10.0, 9.9),
    ("G11", "rotation_backbone_share", 20.0, 19.9),
    ("G13", "zoned_admission_primary", 100.0, 99.9),
    ("G13", "zoned_admission_junior", 95.0, 94.9),
    ("G7", "special_ed_funds_per_student_yuan", 6000.0, 5999.0),
    ("G8", "teacher_avg_pay_yuan", 96000.0, 95999.0),
    ("Q9", "monitoring_level", 3, 2),
])
def test_county_rate_items_at_and_below_threshold(item, column, at, below):
    assert _item(_assess(county={column: at}), item)["status"] == "met"
    missed = _item(_assess(county={column: below}), item)
    assert missed["status"] == "not_met"
    assert f"{below:g}" in missed["reason"].replace(",", "") or str(int(below)) in missed["reason"]


def test_q9_difference_rate_must_be_strictly_below_015():
    assert _item(_assess(county={"difference_rate": 0.1499}), "Q9")["status"] == "met"
    at = _item(_assess(county={"difference_rate": 0.15}), "Q9")
    assert at["status"] == "not_met" and "0.150 ≥ 0.15" in at["reason"]


@pytest.mark.parametrize("column, item", [("layout_reasonable", "G1"), ("unified_funding", "G2"),
                                          ("performance_pay_approved", "G8"), ("staffing_by_bureau", "G10"),
                                          ("quota_rural_tilt", "G14"), ("charter_and_it", "Q3"),
                                          ("curriculum_ok", "Q7"), ("no_excess_burden", "Q8")])
def test_yes_no_items(column, item):
    row = _item(_assess(county={column: False}), item)
    assert row["status"] == "not_met" and "：否" in row["reason"]


def test_ratings_compare_by_order():
    assert _item(_assess(county={"ict_rating": "优秀"}), "Q5")["status"] == "met"
    assert _item(_assess(county={"moral_rating": "合格"}), "Q6")["status"] == "not_met"


def test_g3_rooms_per_12_classes_and_room_areas():
    # 25 classes need ceil(25/12) = 3 rooms of each kind
    base = dict(SCHOOL_GQ_OK, classes_primary=25.0)
    assert _item(_assess([school(PRIMARY_OK, **dict(base, music_rooms=3.0, art_rooms=3.0))]), "G3")["status"] == "met"
    short = _item(_assess([school(PRIMARY_OK, **dict(base, music_rooms=2.0, art_rooms=3.0))]), "G3")
    assert short["status"] == "not_met" and "3 间应配" in short["reason"]
    small = _item(_assess([school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, music_room_min_area_m2=95.9))]), "G3")
    assert small["status"] == "not_met"
    assert _item(_assess([school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, art_room_min_area_m2=90.0))]),
                 "G3")["status"] == "met"


def test_g4_school_size_limits_by_type():
    ok = school(PRIMARY_OK, **SCHOOL_GQ_OK, students_primary=2000.0, teachers_above_degree_primary=100.0,
                backbone_teachers_primary=25.0, pe_art_teachers_primary=20.0, teaching_area_m2=10000.0,
                sports_area_m2=16000.0, equipment_value_yuan=5e6, multimedia_rooms=50.0)
    assert _item(_assess([ok]), "G4")["status"] == "met"
    over = _item(_assess([dict(ok, students_primary=2001.0)]), "G4")
    assert over["status"] == "not_met" and "2001 人（限 2000）" in over["reason"]
    nine = dict(ok, school_type="九年一贯制学校", students_primary=1700.0, students_junior=800.0)
    assert _item(_assess([nine]), "G4")["status"] == "met"  # 2500 compulsory students is the one-through limit


def test_g5_class_size_limits_per_stage():
    assert _item(_assess([school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, max_class_size_primary=45.0))]),
                 "G5")["status"] == "met"
    assert _item(_assess([school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, max_class_size_primary=46.0))]),
                 "G5")["status"] == "not_met"
    assert _item(_assess([school(JUNIOR_OK, **dict(JUNIOR_GQ, max_class_size_junior=50.0))]),
                 "G5")["status"] == "met"
    assert _item(_assess([school(JUNIOR_OK, **dict(JUNIOR_GQ, max_class_size_junior=51.0))]),
                 "G5")["status"] == "not_met"


def _village(funds, students=80.0):
    return school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, public_funds_yuan=funds, training_funds_yuan=funds * 0.05),
                  school_id="V", location="乡村", students_primary=students)


def test_g6_small_village_school_funded_as_100_students():
    # benchmark 650 元 × 100 = 65 000 元
    assert _item(_assess([_village(65000.0)]), "G6")["status"] == "met"
    miss = _item(_assess([_village(64999.0)]), "G6")
    assert miss["status"] == "not_met" and "65,000" in miss["reason"]
    # a village school of 100 students is outside the rule: nothing applies
    assert _item(_assess([_village(1.0, students=100.0)]), "G6")["status"] == "not_applicable"


def test_huantai_profile_and_national_disagree_on_the_same_school():
    # 桓台县 funds rural primary schools under 200 students as 200: 650 × 200 = 130 000 元
    sch = [dict(_village(80000.0, students=150.0), city="淄博市", county="桓台县")]
    county = dict(COUNTY_OK, city="淄博市", county="桓台县", quota_share=75.0)
    ds = dataset(sch, [county], survey_rows(city="淄博市", county="桓台县"))
    national = qb.assess(ds, profile="national")
    local = qb.assess(ds)  # place profile: 桓台县
    assert local.profile_of("桓台县").name == "桓台县"
    # national: 150 students is not a small school (< 100), so the rule does not reach it
    assert _item(national, "G6", "桓台县")["status"] == "not_applicable"
    assert national.verdicts.iloc[0]["guarantee"] == "met"
    # 桓台县: under 200 students, so it must receive 650 × 200 = 130 000 元; it got 80 000
    assert _item(local, "G6", "桓台县")["status"] == "not_met"
    assert "130,000" in _item(local, "G6", "桓台县")["reason"]
    assert local.verdicts.iloc[0]["guarantee"] == "not_met"


def test_huantai_quota_share_70_percent():
    county = dict(COUNTY_OK, city="淄博市", county="桓台县", quota_share=65.0)
    ds = dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK, city="淄博市", county="桓台县")], [county],
                 survey_rows(city="淄博市", county="桓台县"))
    assert _item(qb.assess(ds, profile="national"), "G14", "桓台县")["status"] == "met"
    assert _item(qb.assess(ds), "G14", "桓台县")["status"] == "not_met"


def test_puyang_boarding_supplement_200_per_boarder():
    # 濮阳市: a school with 100 boarders needs benchmark × students + 200 × 100
    base = dict(SCHOOL_GQ_OK, boarders=100.0, public_funds_yuan=650.0 * 1000 + 200 * 100)
    sch = school(PRIMARY_OK, **base, city="濮阳市", county="范县")
    county = dict(COUNTY_OK, city="濮阳市", county="范县", quota_share=60.0, consolidation_rate=100.0)
    met = qb.assess(dataset([sch], [county], survey_rows(city="濮阳市", county="范县")))
    assert _item(met, "G6", "范县")["status"] == "met"
    short = qb.assess(dataset([dict(sch, public_funds_yuan=650.0 * 1000 + 200 * 100 - 1)], [county],
                              survey_rows(city="濮阳市", county="范县")))
    assert _item(short, "G6", "范县")["status"] == "not_met"


def test_q4_training_share_at_5_percent():
    at = school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, public_funds_yuan=100000.0, training_funds_yuan=5000.0))
    assert _item(_assess([at]), "Q4")["status"] == "met"
    assert _item(_assess([dict(at, training_funds_yuan=4999.0)]), "Q4")["status"] == "not_met"


def test_s1_recognition_at_85_percent_and_a_fragile_pass():
    assert _item(_assess(survey=survey_rows(respondents=100, favourable=85)), "S1")["status"] == "met"
    assert _item(_assess(survey=survey_rows(respondents=100, favourable=84)), "S1")["status"] == "not_met"
    fragile = _assess(survey=survey_rows(respondents=3, favourable=3))
    assert _item(fragile, "S1")["status"] == "met" and "样本偏小" in _item(fragile, "S1")["reason"]
    table = fragile.recognition
    overall = table[table["group"] == "全体"].iloc[0]
    assert overall["fragile"] and overall["ci_low"] < 85


def test_wilson_interval_hand_value():
    lo, hi = qb.wilson_interval(85, 100)
    assert (round(float(lo), 4), round(float(hi), 4)) == (0.7672, 0.9069)


def test_veto_overrides_four_passing_dimensions():
    a = _assess(county={"v5_safety_incident": True})
    v = a.verdicts.iloc[0]
    assert (v[["resources", "guarantee", "quality", "recognition"]] == "met").all()
    assert v["veto"] == "not_met" and v["overall"] == "not_met"
    assert "一票否决" in v["reason"]
    assert a.shortfalls.iloc[0]["item"] == "V5"  # ranked first


def test_no_data_propagates_to_the_dimension_and_overall():
    county = dict(COUNTY_OK)
    del county["migrant_public_share"]
    a = qb.assess(dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK)], [county], survey_rows()))
    assert _item(a, "G15")["status"] == "no_data"
    v = a.verdicts.iloc[0]
    assert v["guarantee"] == "no_data" and v["overall"] == "no_data"
    assert "缺少数据：G15" in v["reason"]


def test_without_a_county_table_everything_county_level_is_no_data():
    a = qb.assess(dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK)]))
    assert _item(a, "G1")["status"] == "no_data" and _item(a, "S1")["status"] == "no_data"
    assert a.verdicts.iloc[0]["overall"] == "no_data"
    assert a.verdicts.iloc[0]["resources"] == "met"


def test_g7_not_applicable_without_special_education_school():
    county = dict(COUNTY_OK)
    del county["special_ed_funds_per_student_yuan"]
    a = qb.assess(dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK)], [county], survey_rows()))
    assert _item(a, "G7")["status"] == "not_applicable"
    assert a.verdicts.iloc[0]["guarantee"] == "met"


def test_g7_computed_from_the_special_school_row():
    county = dict(COUNTY_OK)
    del county["special_ed_funds_per_student_yuan"]
    special = school(PRIMARY_OK, school_id="SE", school_type="特殊教育学校", students_primary=50.0,
                     public_funds_yuan=250000.0)
    a = qb.assess(dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK), special], [county], survey_rows()))
    assert _item(a, "G7")["status"] == "not_met" and "5,000元" in _item(a, "G7")["reason"]


def test_difference_rate_from_student_scores_when_the_county_leaves_it_blank():
    scores = pd.DataFrame({"city": "测试市", "county": "甲县", "year": 2025, "subject": "数学",
                           "school_id": ["a", "a", "b", "b"], "student_id": list("wxyz"),
                           "score": [1.0, 3.0, 5.0, 7.0]})
    county = dict(COUNTY_OK, difference_rate=float("nan"))
    schools = [school(PRIMARY_OK, school_id=s, **SCHOOL_GQ_OK) for s in "ab"]   # scores count only for known schools
    a = qb.assess(dataset(schools, [county], survey_rows(), scores=scores))
    q9 = _item(a, "Q9")
    assert q9["status"] == "not_met" and "由学生成绩计算" in q9["reason"] and "0.800" in q9["reason"]


def test_local_items_count_for_their_profile_only():
    county = dict(COUNTY_OK, city="濮阳市", county="清丰县", quota_share=60.0, consolidation_rate=100.0,
                  net_enrollment_rate=100.0, fitness_good_rate=59.0, fitness_pass_rate=100.0)
    a = qb.assess(dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK, city="濮阳市", county="清丰县")], [county],
                          survey_rows(city="濮阳市", county="清丰县")))
    local = a.items[a.items["item"].str.startswith("L")].set_index("item")
    assert local.loc["L2", "status"] == "not_met" and "体质健康优良率" in local.loc["L2", "label"]
    assert a.verdicts.iloc[0]["quality"] == "not_met"
    national = qb.assess(dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK, city="濮阳市", county="清丰县")], [county],
                                 survey_rows(city="濮阳市", county="清丰县")), profile="national")
    assert not national.items["item"].str.startswith("L").any()
    assert national.verdicts.iloc[0]["overall"] == "met"


def test_shortfalls_rank_by_relative_gap_and_name_schools():
    big = school(JUNIOR_OK, **JUNIOR_GQ, school_id="B", school_name="二中", students_junior=2100.0)
    a = _assess([school(PRIMARY_OK, **SCHOOL_GQ_OK), big], county={"quota_share": 45.0})
    s = a.shortfalls
    assert list(s["rank"]) == list(range(1, len(s) + 1))
    assert s["relative_gap"].is_monotonic_decreasing
    g4 = s[s["item"] == "G4"].iloc[0]
    assert g4["school_name"] == "二中" and g4["gap"] == 100.0
    g14 = s[s["item"] == "G14"].iloc[0]
    assert g14["value"] == 45.0 and g14["threshold"] == 50.0 and g14["gap"] == pytest.approx(5.0)


def test_parts_table_lists_what_each_item_compared():
    a = _assess(county={"rotation_rate": 9.0})
    parts = a.parts.set_index(["item", "part_no"])
    assert parts.loc[("G11", 1), ["op", "value", "threshold", "status"]].tolist() == [">=", 9.0, 10.0, "not_met"]
    assert parts.loc[("G11", 2), "status"] == "met"
    assert parts.loc[("Q9", 2), ["op", "threshold"]].tolist() == ["<", 0.15]
    assert parts.loc[("G4", 1), ["op", "value", "threshold"]].tolist() == ["<=", 0, 0.0]  # failing schools
    assert parts.loc[("V1", 1), "op"] == "=="
    assert set(a.items["item"]) - {"R"} == set(a.parts["item"])


def test_g3_shortfall_is_ranked_by_how_much_is_missing():
    # 25 classes need 3 rooms of each kind: 2 music rooms achieve 2/3, so the relative gap is 1/3
    base = dict(SCHOOL_GQ_OK, classes_primary=25.0, music_rooms=2.0, art_rooms=3.0)
    s = _assess([school(PRIMARY_OK, **base)]).shortfalls.set_index("item").loc["G3"]
    assert s["value"] == pytest.approx(2 / 3) and s["threshold"] == 1.0
    assert s["relative_gap"] == pytest.approx(1 / 3)


def test_the_interval_level_comes_from_the_profile(tmp_path):
    (tmp_path / "c90.toml").write_text('name = "c90"\nparent = "national"\n[recognition]\nconfidence = 0.9\n',
                                       encoding="utf-8")
    a = _assess(profile=tmp_path / "c90.toml")
    assert "（90%区间" in _item(a, "S1")["reason"]
    assert (a.recognition["confidence"] == 0.9).all()
    from quality_balance.report import tables
    assert "90%区间(%)" in tables.recognition_view(a.recognition, "甲县").columns


def test_rows_the_school_table_does_not_back_up_are_left_out_and_noted():
    """Issue 10: scores of an unknown school stay out of Q9; a county row without schools gets no verdict."""
    # schools a and b score alike (between-school variance 0); unknown school z scores 100 points higher
    scores = pd.DataFrame({"city": "测试市", "county": "甲县", "year": 2025, "subject": "数学",
                           "school_id": list("aabbzz"), "student_id": list("uvwxyz"),
                           "score": [1.0, 3.0, 1.0, 3.0, 101.0, 103.0]})
    county = dict(COUNTY_OK, difference_rate=float("nan"))
    schools = [school(PRIMARY_OK, school_id=s, **SCHOOL_GQ_OK) for s in "ab"]
    a = qb.assess(dataset(schools, [county, dict(COUNTY_OK, year=2023)], survey_rows(), scores=scores))
    assert a.verdicts["year"].tolist() == [2025]                     # no verdict invented for 2023
    q9 = _item(a, "Q9")
    assert q9["status"] == "met" and "数学 0.000 < 0.15" in q9["reason"]   # with z it would be about 0.99
    assert any("学校 z" in n and "Q9" in n for n in a.notes)
    assert any("测试市甲县 2023年" in n and "不对其作出评估结论" in n for n in a.notes)


@pytest.mark.parametrize("rating, gap, share", [("合格", 1.0, 0.5), ("不合格", 2.0, 1.0)])
def test_a_rating_shortfall_is_the_share_of_levels_missing(rating, gap, share):
    """Method §10: 良好 is level 2 of 不合格 0 … 优秀 3; 合格 misses 1 of its 2 levels, 不合格 both."""
    s = _assess(county={"ict_rating": rating}).shortfalls.set_index("item").loc["Q5"]
    assert s["gap"] == gap and s["relative_gap"] == pytest.approx(share)


def test_measured_shortfalls_come_before_yes_no_items_and_ratings_take_their_place():
    # G14 45% of 50%: relative gap 0.1; Q5 合格 of 良好: 0.5; G1 (a yes/no item) has no size and comes last
    a = _assess(county={"quota_share": 45.0, "ict_rating": "合格", "layout_reasonable": False})
    s = a.shortfalls
    assert s["item"].tolist() == ["Q5", "G14", "G1"]
    g1 = s.set_index("item").loc["G1"]
    assert pd.isna(g1["gap"]) and pd.isna(g1["relative_gap"])


def test_an_item_of_several_parts_is_measured_by_the_part_it_fails():
    # G11: rotation 9% of 10% fails (relative gap 0.1); the backbone share part is met
    g11 = _assess(county={"rotation_rate": 9.0}).shortfalls.set_index("item").loc["G11"]
    assert g11["gap"] == pytest.approx(1.0) and g11["relative_gap"] == pytest.approx(0.1)
