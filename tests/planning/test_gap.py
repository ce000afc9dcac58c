"""The gap to pass and the what-if: hand-checked additions, re-assessed after applying them (issue 5)."""
import math

import pandas as pd
import pytest

import quality_balance as qb
from tests.builders import PRIMARY_OK, dataset, school
from quality_balance.planning.gap import gap_table, gap_to_pass, round_up
from quality_balance.planning.whatif import apply_additions

NINE_YEAR = dict(
    PRIMARY_OK, school_type="九年一贯制学校", students_primary=600.0, students_junior=300.0,
    teachers_above_degree_primary=30.0, teachers_above_degree_junior=20.0,
    backbone_teachers_primary=8.0, backbone_teachers_junior=4.0,
    pe_art_teachers_primary=7.0, pe_art_teachers_junior=4.0,
    # primary share 600 / (600 + 1.1·300) = 600/930; 3720 m² → primary 2400 (4.0/生), junior 1320 (4.4/生)
    teaching_area_m2=3720.0, sports_area_m2=12000.0, equipment_value_yuan=3_000_000.0, multimedia_rooms=30.0,
)


def _unit(ra, school_id, stage="primary"):
    return ra.units.set_index(["school_id", "stage"]).loc[(school_id, stage)]


def _gap_row(gap, school_id, indicator, stage="primary"):
    rows = gap.units.query("school_id == @school_id and indicator == @indicator and stage == @stage")
    assert len(rows) == 1
    return rows.iloc[0]


def _add(data, school_id, indicator, amount, stage="primary"):
    table = pd.DataFrame([dict(school_id=school_id, year=2025, indicator=indicator, stage=stage, amount=amount)])
    return qb.assess(apply_additions(data, table))


# --- unit gaps --------------------------------------------------------------------------------------

def test_round_up_treats_binary_noise_as_exact():
    share = 150 / 260
    noisy = (4.5 * 150 - 1000 * share) / share
    assert noisy > 170 and noisy == pytest.approx(170)  # 170.00000000000006
    assert float(round_up(noisy, reference=1170)) == 170
    assert round_up([0.2, 1.0, 1.000001, -3.0]).tolist() == [1.0, 1.0, 2.0, 0.0]


def test_teacher_gap_is_whole_teachers():
    # 500 students need 4.2 × 500 / 100 = 21 teachers above the degree; 18 → 3 more
    data = dataset([school(school_id="A", students_primary=500.0, teachers_above_degree_primary=18.0)])
    row = _gap_row(gap_to_pass(qb.assess(data)), "A", "R1")
    assert row["addition"] == 3 and row["amount"] == 3 and row["resource_unit"] == "人"
    assert row["description"] == "增加高于规定学历教师 3 人"
    assert _unit(_add(data, "A", "R1", 3).resources, "A")["met_count"] == 7
    assert _unit(_add(data, "A", "R1", 2).resources, "A")["misses"] == "R1"


def test_float_noise_in_a_shared_facility_does_not_add_one_square_metre():
    # 150 primary + 100 junior students, 1000 m²: primary share 150/260 gets 576.9 m² of the 675 it needs;
    # on paper the school must build 675 × 260/150 − 1000 = 170 m²; in floating point 170.00000000000006
    data = dataset([school(NINE_YEAR, school_id="N", students_primary=150.0, students_junior=100.0,
                           teaching_area_m2=1000.0)])
    row = _gap_row(gap_to_pass(qb.assess(data)), "N", "R4")
    assert row["amount"] == 170
    assert "R4" not in _unit(_add(data, "N", "R4", 170).resources, "N")["misses"]
    assert "R4" in _unit(_add(data, "N", "R4", 169).resources, "N")["misses"]


def test_applying_the_gap_makes_a_failing_school_pass_and_one_teacher_less_does_not_reach():
    # 6 PE/art teachers for 1000 students: 0.6 < 0.9, 66.7% of the threshold → fails the rule
    data = dataset([school(school_id="A", pe_art_teachers_primary=6.0)])
    a = qb.assess(data)
    assert not _unit(a.resources, "A")["passes_school_rule"]
    gap = gap_to_pass(a)
    row = _gap_row(gap, "A", "R3")
    assert row["addition"] == 3 and bool(row["required_for_school_rule"])
    assert row["description"] == "增加体育艺术专任教师 3 人"

    after = qb.assess(apply_additions(data, gap.units)).resources
    assert _unit(after, "A")["passes_school_rule"] and _unit(after, "A")["met_count"] == 7
    one_less = _unit(_add(data, "A", "R3", row["amount"] - 1).resources, "A")
    assert one_less["misses"] == "R3" and one_less["R3"] == pytest.approx(0.8)


def test_one_teacher_less_fails_the_rule_when_another_indicator_is_missed_too():
    # R3 at 66.7% (must be fixed) and R5 at 95% (the one miss the rule tolerates)
    data = dataset([school(school_id="B", pe_art_teachers_primary=6.0, sports_area_m2=7125.0)])
    gap = gap_to_pass(qb.assess(data))
    required = gap.units.set_index("indicator")["required_for_school_rule"]
    assert required.to_dict() == {"R3": True, "R5": False}
    assert gap.additions[["indicator", "amount"]].values.tolist() == [["R3", 3.0]]

    after = _unit(qb.assess(apply_additions(data, gap)).resources, "B")
    assert after["passes_school_rule"] and after["misses"] == "R5"
    one_less = _unit(_add(data, "B", "R3", 2).resources, "B")
    assert one_less["misses"] == "R3,R5" and not one_less["passes_school_rule"]


def test_area_gap_rounds_up_to_one_square_metre():
    # 4000.5 m² for 1000 students; 4.5 m²/生 needs 4500 → 499.5 → 500 m²
    data = dataset([school(school_id="A", teaching_area_m2=4000.5)])
    row = _gap_row(gap_to_pass(qb.assess(data)), "A", "R4")
    assert row["shortfall"] == pytest.approx(499.5) and row["amount"] == 500
    assert row["description"] == "增加教学及辅助用房面积 500 平方米"
    assert _unit(_add(data, "A", "R4", 500).resources, "A")["met_count"] == 7
    assert _unit(_add(data, "A", "R4", 499).resources, "A")["misses"] == "R4"


def test_nine_year_school_builds_the_unit_addition_divided_by_its_share():
    data = dataset([school(NINE_YEAR, school_id="N")])
    gap = gap_to_pass(qb.assess(data))
    primary, junior = _gap_row(gap, "N", "R4", "primary"), _gap_row(gap, "N", "R4", "junior")
    share = 600 / 930
    assert primary["share"] == pytest.approx(share) and bool(primary["shared"])
    # primary needs 4.5 × 600 − 2400 = 300 m² of its own: the school builds 300 ÷ (600/930) = 465
    assert primary["addition"] == 300 and primary["amount"] == 465 == round(300 / share)
    assert primary["column"] == "teaching_area_m2"
    assert primary["description"].startswith("全校增加教学及辅助用房面积 465 平方米（小学按 64.5% 分摊")
    # junior needs 5.8 × 300 − 1320 = 420 m²: 420 ÷ (330/930) = 1183.6 → 1184
    assert junior["addition"] == 420 and junior["amount"] == math.ceil(420 * 930 / 330) == 1184
    # the plan counts the shared building once, at the larger amount
    plan = gap.additions.query("indicator == 'R4'")
    assert plan[["amount", "stage_group"]].values.tolist() == [[1184.0, "shared"]]
    total = gap.totals.query("indicator == 'R4'").iloc[0]
    assert total["stage_group"] == "shared" and total["plan"] == 1184 and total["all_misses"] == 1184

    after = qb.assess(apply_additions(data, gap)).resources
    assert _unit(after, "N", "primary")["met_count"] == 7 and _unit(after, "N", "junior")["met_count"] == 7
    short = _add(data, "N", "R4", 1183, stage="junior").resources
    assert _unit(short, "N", "junior")["misses"] == "R4"


def test_a_per_stage_facility_figure_is_added_where_it_is_reported():
    # the school reports its junior teaching rooms (1320 m²): no split for junior, 420 m² go there
    data = dataset([school(NINE_YEAR, school_id="N", teaching_area_m2_junior=1320.0)])
    gap = gap_to_pass(qb.assess(data))
    junior = _gap_row(gap, "N", "R4", "junior")
    assert junior["column"] == "teaching_area_m2_junior" and not junior["shared"]
    assert junior["addition"] == junior["amount"] == 420
    new = apply_additions(data, gap.units.query("stage == 'junior'"))
    assert new.schools.loc[0, "teaching_area_m2_junior"] == 1740.0
    assert new.schools.loc[0, "teaching_area_m2"] == 3720.0


def test_required_for_school_rule_picks_the_miss_below_85_percent():
    # R4 at 80% (3.6 of 4.5) must be fixed; R6 at 95% may stay as the tolerated miss
    data = dataset([school(school_id="A", teaching_area_m2=3600.0, equipment_value_yuan=1_900_000.0)])
    gap = gap_to_pass(qb.assess(data))
    assert gap.units.set_index("indicator")["required_for_school_rule"].to_dict() == {"R4": True, "R6": False}
    assert gap.additions["indicator"].tolist() == ["R4"]


def test_with_two_close_misses_the_cheaper_one_is_required_and_costs_decide():
    # R3 at 88.9% needs 1 teacher (120 000 元/年); R4 at 90% needs 450 m² (3 500 元/m²): fix R3, keep R4
    data = dataset([school(school_id="A", pe_art_teachers_primary=8.0, teaching_area_m2=4050.0)])
    a = qb.assess(data)
    required = gap_to_pass(a).units.set_index("indicator")["required_for_school_rule"]
    assert required.to_dict() == {"R3": True, "R4": False}
    dear_teachers = gap_to_pass(a, costs={"R3": 10_000_000.0}).units.set_index("indicator")
    assert dear_teachers["required_for_school_rule"].to_dict() == {"R3": False, "R4": True}


def test_school_rule_settings_come_from_the_profile(tmp_path):
    # a profile tolerating two misses: neither of two close misses is required
    path = tmp_path / "宽松.toml"
    path.write_text('name = "宽松"\nparent = "national"\n[resources]\n'
                    'school_rule = { min_met = 5, min_ratio_of_miss = 0.85 }\n', encoding="utf-8")
    data = dataset([school(school_id="A", pe_art_teachers_primary=8.0, teaching_area_m2=4050.0)])
    gap = gap_to_pass(qb.assess(data, profile=path))
    assert gap.units["passes_school_rule"].all() and not gap.units["required_for_school_rule"].any()
    assert gap.additions.empty


# --- CV additions ---------------------------------------------------------------------------------

def _cv_county(indicator_column="teaching_area_m2", low=1000.0, high=5000.0):
    return dataset([school(school_id=s, **{indicator_column: v})
                    for s, v in (("A", low), ("B", low), ("C", high), ("D", high))])


def test_cv_additions_water_fill_the_lowest_schools_to_the_limit():
    # R4 per student 1, 1, 5, 5 (1000 students each): CV = 2/3 > 0.5. Raising the two low schools to L:
    # CV = (5 − L)/(5 + L) ≤ 0.5 ⇔ L ≥ 5/3, so each needs 1000·(5/3 − 1) = 666.7 → 667 m²
    data = _cv_county()
    a = qb.assess(data)
    gap = gap_to_pass(a)
    summary = gap.cv_summary.set_index(["stage", "indicator"]).loc[("primary", "R4")]
    assert summary["cv_before"] == pytest.approx(qb.weighted_cv([1, 1, 5, 5], [1000] * 4)) == pytest.approx(2 / 3)
    assert summary["level"] == pytest.approx(5 / 3)
    assert summary["amount"] == 1334 and summary["n_schools"] == 2
    assert summary["cv_after"] == pytest.approx(qb.weighted_cv([1.667, 1.667, 5, 5], [1000] * 4))
    assert summary["cv_after"] <= 0.5 and summary["within_limit"]
    assert gap.cv.set_index("school_id")["amount"].to_dict() == {"A": 667.0, "B": 667.0}

    after = qb.assess(apply_additions(data, gap.cv)).resources.cv.set_index(["stage", "indicator"])
    assert after.loc[("primary", "R4"), "status"] == "met"
    assert after.loc[("primary", "R4"), "cv"] == pytest.approx(summary["cv_after"], abs=1e-12)
    # the additions are the smallest in whole m²: one m² less at each low school is over the limit
    less = gap.cv.assign(amount=gap.cv["amount"] - 1)
    cv_less = qb.assess(apply_additions(data, less)).resources.cv.set_index(["stage", "indicator"])
    assert cv_less.loc[("primary", "R4"), "status"] == "not_met"


def test_plan_combines_school_rule_and_cv_by_maximum_not_sum():
    # the school-rule additions (3500 m² at A and B) already bring the CV within the limit
    gap = gap_to_pass(qb.assess(_cv_county()))
    total = gap.totals.set_index("indicator").loc["R4"]
    assert (total["school_rule"], total["cv"], total["plan"]) == (7000, 1334, 7000)
    assert gap.additions["for_cv"].tolist() == [0.0, 0.0]


def test_cv_plan_when_no_school_fails_the_rule():
    # backbone teachers 0.9, 0.9, 5, 5 per 100: the low schools miss R2 at 90% and pass the rule,
    # but the CV 0.695 is over 0.5; each needs 1000·(5/3 − 0.9)/100 = 7.67 → 8 teachers
    data = _cv_county("backbone_teachers_primary", low=9.0, high=50.0)
    a = qb.assess(data)
    assert a.resources.units["passes_school_rule"].all()
    gap = gap_to_pass(a)
    assert not gap.units["required_for_school_rule"].any()
    plan = gap.additions.set_index("school_id")
    assert plan["amount"].to_dict() == {"A": 8.0, "B": 8.0} and (plan["for_cv"] == 8).all()
    assert gap.counties.iloc[0]["plan_cost_per_year_yuan"] == 0  # R2 is priced once (training)
    after = qb.assess(apply_additions(data, gap))
    assert after.resources.counties.iloc[0]["status"] == "met"


def test_a_county_within_the_limit_gets_no_cv_additions():
    ok = [school(school_id="A"), school(school_id="B", teaching_area_m2=6000.0, county="乙县")]
    over = [school(school_id=s, county="丙县", teaching_area_m2=v)
            for s, v in (("C", 1000.0), ("D", 1000.0), ("E", 5000.0), ("F", 5000.0))]
    gap = gap_to_pass(qb.assess(dataset(ok + over)))
    assert set(gap.cv["county"]) == {"丙县"} and set(gap.cv_summary["county"]) == {"丙县"}
    only_ok = gap_to_pass(qb.assess(dataset(ok)))
    assert only_ok.cv.empty and only_ok.cv_summary.empty and only_ok.additions.empty and only_ok.totals.empty


def test_county_and_year_select_and_unknown_ones_are_named():
    rows = [school(school_id="A", pe_art_teachers_primary=6.0), school(school_id="A", year=2024),
            school(school_id="B", county="乙县", pe_art_teachers_primary=6.0)]
    a = qb.assess(dataset(rows))
    gap = gap_to_pass(a, county="甲县", year=2025)
    assert gap.units[["county", "year", "school_id"]].values.tolist() == [["甲县", 2025, "A"]]
    assert len(gap_to_pass(a).units) == 2
    assert gap_to_pass(a, county="测试市/乙县").units["school_id"].tolist() == ["B"]
    with pytest.raises(qb.CalculationError, match="丁县"):
        gap_to_pass(a, county="丁县")
    with pytest.raises(qb.CalculationError, match="2019"):
        gap_to_pass(a, year=2019)



def test_a_county_name_two_cities_share_is_told_apart_by_its_city():
    rows = [school(school_id="A", county="乙县", pe_art_teachers_primary=6.0),
            school(school_id="B", city="另一市", county="乙县", pe_art_teachers_primary=6.0),
            school(school_id="C", county="甲县", pe_art_teachers_primary=6.0)]
    a = qb.assess(dataset(rows))
    assert gap_to_pass(a, county="另一市/乙县").units["school_id"].tolist() == ["B"]
    assert sorted(gap_to_pass(a, county="乙县").units["school_id"]) == ["A", "B"]
    assert gap_to_pass(a, county=["甲县", "测试市/乙县"]).units["school_id"].tolist() == ["A", "C"]  # in table order


def test_one_county_gives_the_rows_the_whole_country_gives_for_it(demo_assessment):
    # one county's rows are found by position (kept on the assessment after the first call), not by a scan
    whole = gap_to_pass(demo_assessment, year=2025)
    for county in ("台前县", "清丰县", "台前县"):
        one = gap_to_pass(demo_assessment, county, 2025)
        for table in ("units", "cv_summary", "counties"):
            expected = getattr(whole, table).query("county == @county").reset_index(drop=True)
            pd.testing.assert_frame_equal(getattr(one, table), expected, check_exact=True, check_dtype=False)


# --- costs -----------------------------------------------------------------------------------------

def test_costs_come_from_the_profile():
    data = dataset([school(school_id="A", pe_art_teachers_primary=6.0, teaching_area_m2=3600.0)])
    gap = gap_to_pass(qb.assess(data))
    national = qb.load_profile("national")
    teacher = national.get("costs.teacher_yuan_per_year")
    room = national.get("costs.teaching_room_yuan_per_m2")
    costs = gap.units.set_index("indicator")
    assert costs.loc["R3", "cost_yuan"] == 3 * teacher and costs.loc["R3", "cost_period"] == "每年"
    assert costs.loc["R4", "cost_yuan"] == 900 * room and costs.loc["R4", "cost_period"] == "一次性"
    county = gap.counties.iloc[0]
    assert county["plan_cost_per_year_yuan"] == 3 * teacher and county["plan_cost_one_off_yuan"] == 900 * room


def test_a_local_profile_and_a_cost_file_override_the_defaults(tmp_path):
    path = tmp_path / "本地成本.toml"
    path.write_text('name = "本地成本"\nparent = "national"\n[costs]\nteacher_yuan_per_year = 90000.0\n',
                    encoding="utf-8")
    data = dataset([school(school_id="A", pe_art_teachers_primary=6.0, teaching_area_m2=3600.0)])
    a = qb.assess(data, profile=path)
    by_profile = gap_to_pass(a).units.set_index("indicator")
    assert by_profile.loc["R3", "cost_yuan"] == 3 * 90000.0
    # a cost table in GBK with Chinese headers, as Excel saves it, overrides the profile for its rows
    table = tmp_path / "成本.csv"
    table.write_bytes("指标,单位成本（元）\nR4,2800\n".encode("gbk"))
    by_file = gap_to_pass(a, costs=table)
    units = by_file.units.set_index("indicator")
    assert units.loc["R4", "cost_yuan"] == 900 * 2800.0 and units.loc["R3", "cost_yuan"] == 3 * 90000.0
    assert by_file.costs.set_index("indicator").loc["R4", "cost_source"].startswith("成本表")


def test_a_bad_cost_table_names_the_row_and_column(tmp_path):
    table = tmp_path / "costs.csv"
    table.write_text("indicator,unit_cost_yuan\nR9,100\nR4,abc\n", encoding="utf-8")
    a = qb.assess(dataset([school(school_id="A")]))
    with pytest.raises(qb.InputError) as err:
        gap_to_pass(a, costs=table)
    text = str(err.value)
    assert "R9" in text and "abc" in text and "unit_cost_yuan" in text


# --- the what-if ------------------------------------------------------------------------------------

def test_apply_additions_returns_a_new_dataset_and_leaves_the_input_alone():
    data = dataset([school(school_id="A", pe_art_teachers_primary=6.0)])
    before = data.schools.copy(deep=True)
    new = apply_additions(data, gap_to_pass(qb.assess(data)))
    pd.testing.assert_frame_equal(data.schools, before)
    assert new is not data and new.schools.loc[0, "pe_art_teachers_primary"] == 9.0
    assert data.notes == () and "假设情景" in new.notes[-1]


def test_apply_additions_adds_rows_up_and_checks_its_input():
    data = dataset([school(school_id="A")])
    rows = pd.DataFrame({"school_id": ["A", "A"], "year": [2025, 2025], "indicator": ["R4", "R4"],
                         "stage": ["primary", "primary"], "amount": [10.0, 5.0]})
    assert apply_additions(data, rows).schools.loc[0, "teaching_area_m2"] == 5015.0
    with pytest.raises(qb.CalculationError, match="not in the school table"):
        apply_additions(data, rows.assign(school_id="Z"))
    with pytest.raises(qb.CalculationError, match="per stage"):
        apply_additions(data, rows.assign(indicator="R1", stage=None))
    with pytest.raises(qb.CalculationError, match="negative"):
        apply_additions(data, rows.assign(amount=-6000.0))


def test_gap_table_has_chinese_headers():
    table = gap_table(gap_to_pass(qb.assess(_cv_county())))
    assert {"县区", "指标", "学段", "校际达标所需", "差异系数达标所需", "达标方案合计",
            "方案成本（元）"} <= set(table.columns)
    assert table["学段"].tolist() == ["小学"]
    assert set(gap_table(gap_to_pass(qb.assess(_cv_county())), "cv").columns) >= {"差异系数（现状）",
                                                                                  "差异系数（增加后）"}
    with pytest.raises(qb.CalculationError, match="kind"):
        gap_table(gap_to_pass(qb.assess(_cv_county())), "nope")


def _sized(school_id, students, **overrides):
    """A primary school of any size with every resource of PRIMARY_OK scaled to it (CV 0 except what differs)."""
    numerators = ("teachers_above_degree_primary", "backbone_teachers_primary", "pe_art_teachers_primary",
                  "teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_rooms")
    row = school(school_id=school_id, students_primary=float(students),
                 **{c: PRIMARY_OK[c] * students / 1000 for c in numerators})
    return {**row, **overrides}


def test_whole_teachers_for_the_cv_go_where_they_lower_it_most_not_to_every_school_rounded_up():
    # backbone teachers per 100 students: 0.5, 0.67, 0.56, 2.0, 2.0, 0 → CV 0.550 > 0.5. The continuous
    # water-filling needs 0.17 (A), 0.27 (C) and 0.70 (F) teachers: rounding each up would hire 3;
    # two whole teachers (F and C) are enough, and either one alone is not
    sizes = (("A", 200, 1), ("B", 150, 1), ("C", 900, 5), ("D", 1000, 20), ("E", 800, 16), ("F", 120, 0))
    data = dataset([_sized(s, n, backbone_teachers_primary=float(b)) for s, n, b in sizes])
    gap = gap_to_pass(qb.assess(data))
    summary = gap.cv_summary.iloc[0]
    assert summary["indicator"] == "R2" and summary["cv_before"] == pytest.approx(0.5496, abs=1e-4)
    assert gap.cv.set_index("school_id")["amount"].to_dict() == {"C": 1.0, "F": 1.0}

    def r2_cv(additions):
        cv = qb.assess(apply_additions(data, additions)).resources.cv
        return cv.set_index(["stage", "indicator"]).loc[("primary", "R2"), "cv"]

    assert r2_cv(gap.cv) == pytest.approx(summary["cv_after"]) and summary["cv_after"] <= 0.5
    for i in range(len(gap.cv)):
        assert r2_cv(gap.cv.drop(index=i)) > 0.5
