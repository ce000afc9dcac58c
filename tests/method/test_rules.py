"""The rules decided once (method/rules.py): comparisons, the school rule, reason numbers — and their consumers.

Every expected value is computed by hand in the comment beside it.
"""
import re

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import quality_balance as qb  # noqa: E402
from quality_balance.errors import CalculationError, ProfileError  # noqa: E402
from quality_balance.method.rules import (FLOAT_TOLERANCE, SchoolRule, above, at_least, at_most, below,  # noqa: E402
                                          closeness, compare, digits_needed, limit_text, number_text)
from quality_balance.planning.gap import gap_to_pass  # noqa: E402
from quality_balance.report import charts, tables  # noqa: E402
from quality_balance.report.ledger import ledger_table  # noqa: E402
from quality_balance.standards.profile import load_profile  # noqa: E402
from tests.builders import COUNTY_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, frame, school, survey_rows  # noqa: E402

#: 4499.999999999999 m² over 1000 students: R4 = 4.499999999999999, one ulp-scale below 4.5 (within 1e-9)
R4_NOISE_AREA = 4499.999999999999


def _profile(tmp_path, name, body):
    path = tmp_path / f"{name}.toml"
    path.write_text(f'name = "{name}"\nparent = "national"\n{body}', encoding="utf-8")
    return path


def _assess(schools=None, county=None, profile=None):
    schools = schools or [school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A")]
    return qb.assess(dataset(schools, [dict(COUNTY_OK, **(county or {}))], survey_rows()), profile=profile)


def _item(a, item, county="甲县"):
    return a.items.set_index(["county", "item"]).loc[(county, item)]


def cell_colors(styler) -> dict:
    html = styler.set_uuid("t").to_html()
    colors = {}
    for selectors, color in re.findall(r"([^{}]+)\{\s*background-color: (#[0-9a-f]{6});\s*\}", html):
        for row, col in re.findall(r"#T_t_row(\d+)_col(\d+)", selectors):
            colors[int(row), int(col)] = color
    return colors


# --- comparisons ----------------------------------------------------------------------------------

def test_float_noise_at_a_limit_is_equality_inclusive_passes_strict_fails():
    assert FLOAT_TOLERANCE == 1e-9
    assert 4499.999999999999 / 1000 == 4.499999999999999 and 4.499999999999999 != 4.5
    assert at_least(4.499999999999999, 4.5) and at_most(4.500000000000001, 4.5)
    assert not below(0.1499999999999995, 0.15) and not above(0.5000000000000001, 0.5)
    # just past the tolerance (relative 2e-9): a real difference
    assert not at_least(4.5 * (1 - 2e-9), 4.5) and below(0.15 * (1 - 2e-9), 0.15)
    assert not at_most(0.5 * (1 + 2e-9), 0.5) and above(0.5 * (1 + 2e-9), 0.5)


def test_strict_comparisons_fail_at_equality_and_inclusive_ones_pass():
    assert compare(5.0, 5.0, ">=") and compare(5.0, 5.0, "<=")
    assert not compare(5.0, 5.0, "<") and not compare(5.0, 5.0, ">")
    assert compare(4.9, 5.0, "<") and compare(5.1, 5.0, ">") and not compare(5.1, 5.0, "<=")


def test_compare_works_on_series_arrays_and_per_element_operators():
    s = compare(pd.Series([0.1499999999999995, 0.149, np.nan]), 0.15, "<")
    assert isinstance(s, pd.Series) and s.tolist() == [False, True, False]     # NaN never passes
    ops = np.array([">=", "<=", "<", ">", None], dtype=object)
    assert compare([5.0] * 5, [5.0] * 5, ops).tolist() == [True, True, False, False, False]


def test_compare_rejects_an_unknown_operator_by_name():
    with pytest.raises(CalculationError, match=r"op must be one of >=, <=, <, >.*'=>'"):
        compare(1.0, 2.0, "=>")
    with pytest.raises(CalculationError, match="'!='"):
        compare([1.0], [2.0], np.array(["!="], dtype=object))


# --- numbers in reason texts ----------------------------------------------------------------------

@pytest.mark.parametrize("value, limit, decimals, unit, text", [
    (9.99, 10.0, 1, "%", "9.99%"),                 # 1 decimal would read 10.0%
    (5999.99, 6000.0, 0, "元", "5,999.99元"),       # 0 decimals would read 6,000元
    (95.9, 96.0, 0, "m²", "95.9m²"),
    (4.99, 5.0, 1, "%", "4.99%"),
    (0.1499999999999995, 0.15, 3, "", "0.150"),    # equal within the tolerance: it *is* 0.15
    (0.149, 0.15, 3, "", "0.149"),
    (0.4500000001, 0.45, 3, "", "0.450"),          # CV within the tolerance of its limit
    (0.45000001, 0.45, 3, "", "0.45000001"),       # CV 2.2e-8 over: 8 decimals before it differs
    (4.2, 4.2, 1, "", "4.2"), (2000.0, 2000.0, 0, "元", "2,000元"), (0.45, 0.5, 2, "", "0.45"),
    (10.04, 10.0, 1, "%", "10.04%"),               # a passing value never reads as the threshold either
    (float("nan"), 1.0, 1, "%", "—"),
])
def test_number_text_prints_the_digits_a_comparison_needs(value, limit, decimals, unit, text):
    assert number_text(value, limit, decimals=decimals, unit=unit) == text


def test_limit_text_is_the_shortest_exact_form():
    assert [limit_text(10.0, "%"), limit_text(6000.0, "元"), limit_text(0.15), limit_text(4.5),
            limit_text(0.85 * 100)] == ["10%", "6,000元", "0.15", "4.5", "85"]
    assert digits_needed(0.1255, 0.126, 2) == 4    # 0.13 would read above 0.126, 0.126 equal; 0.1255 below


# --- the school rule -------------------------------------------------------------------------------

def test_school_rule_from_profile_and_per_county(tmp_path):
    five = load_profile(_profile(tmp_path, "five",
                                 "[resources]\nschool_rule = { min_met = 5, min_ratio_of_miss = 0.8 }\n"))
    assert SchoolRule.from_profile(load_profile("national")) == SchoolRule(6, 0.85, 7)
    rows = pd.DataFrame({"city": ["市", "市"], "county": ["甲县", "乙县"]})
    rule = SchoolRule.per_county({("市", "甲县"): load_profile("national"), ("市", "乙县"): five}, rows)
    assert rule.min_met.tolist() == [6, 5] and rule.min_ratio.tolist() == [0.85, 0.8]
    # the same unit (5 met, worst miss 82%) fails nationally (6 needed) and passes under five (5, 80%)
    assert rule.passes([5, 5], [0.82, 0.82]).tolist() == [False, True]
    assert rule.misses_allowed.tolist() == [1, 2] and rule.tolerance[1] == pytest.approx(0.2)
    with pytest.raises(CalculationError, match="市/丙县"):
        SchoolRule.per_county({("市", "甲县"): five}, pd.DataFrame({"city": ["市"], "county": ["丙县"]}))


def test_closeness_met_is_the_assessments_met_never_ratio_ge_1():
    # 4.499999999999999 / 4.5 = 0.9999999999999998 < 1, yet met; 3.825 = 85% of 4.5 is near; 3.8 is far
    assert 4.499999999999999 / 4.5 < 1
    assert closeness([4.499999999999999, 3.825, 3.8, np.nan], 4.5, 0.85).tolist() == ["met", "near", "far", "no_data"]


def test_fixes_keeps_the_dearest_tolerated_misses():
    misses = pd.DataFrame({"school_id": ["A", "A", "A", "B", "B"]})
    # A (rule 6 of 7: one miss may stay): R? at 50% must be fixed; of 90% (cost 10) and 95% (cost 20) the dearer stays
    # B (passes already): nothing to fix
    fixed = SchoolRule(6, 0.85).fixes(misses, [0.5, 0.9, 0.95, 0.9, 0.9], [1.0, 10.0, 20.0, 1.0, 2.0],
                                      [False, False, False, True, True])
    assert fixed.tolist() == [True, True, False, False, False]
    # a rule letting two misses stay fixes only the one below the ratio
    assert SchoolRule(5, 0.85).fixes(misses.iloc[:3], [0.5, 0.9, 0.95], [1.0, 10.0, 20.0], [False] * 3).tolist() \
        == [True, False, False]


def test_min_met_5_profile_gives_the_real_miss_count_and_verdicts(tmp_path):
    path = _profile(tmp_path, "five", "[resources]\nschool_rule = { min_met = 5, min_ratio_of_miss = 0.85 }\n")

    def unit(**changes):
        return qb.assess_resources(frame(school(school_id="A", **changes)), profile=str(path)).units.iloc[0]

    # R4 4275/1000 = 4.275 of 4.5 (95%); R6 1 980 000/1000 = 1980 of 2000 (99%): two tolerated misses
    two_close = unit(teaching_area_m2=4275.0, equipment_value_yuan=1_980_000.0)
    assert two_close["passes_school_rule"] and two_close["met_count"] == 5
    assert two_close["reason"] == ("达到 5 项；未达到的 2 项不低于达标值的 85%："
                                   "R4 生均教学及辅助用房面积 4.28 < 4.5（95.0%）；"
                                   "R6 生均教学仪器设备值 1980 < 2000（99.0%）")
    # R4 3800/1000 = 3.8 of 4.5 = 84.4%: two misses, one too far
    one_far = unit(teaching_area_m2=3800.0, equipment_value_yuan=1_980_000.0)
    assert not one_far["passes_school_rule"]
    assert one_far["reason"] == ("未达到的指标低于达标值的 85%：R4 生均教学及辅助用房面积 3.80 < 4.5（84.4%）；"
                                 "R6 生均教学仪器设备值 1980 < 2000（99.0%）")
    # three misses: more than 7 − 5
    three = unit(teaching_area_m2=4275.0, equipment_value_yuan=1_980_000.0, multimedia_rooms=22.0)
    assert not three["passes_school_rule"] and three["reason"].startswith("未达到 3 项（至少须达到 5 项）：")
    # the same two close misses fail nationally (6 of 7)
    national = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=4275.0,
                                                equipment_value_yuan=1_980_000.0))).units.iloc[0]
    assert not national["passes_school_rule"] and national["reason"].startswith("未达到 2 项（至少须达到 6 项）：")


def test_a_miss_within_float_noise_of_the_ratio_reads_as_the_ratio():
    # 4.5 × 0.849 × 1000 m²: 84.9% of the threshold, printed with the one decimal that separates it from 85%
    u = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=4.5 * 0.849 * 1000))).units.iloc[0]
    assert "（84.9%）" in u["reason"] and not u["passes_school_rule"]
    # 4.5 × 0.8499 × 1000: 84.99% — one decimal would read 85.0%, the rule's ratio
    u = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=4.5 * 0.8499 * 1000))).units.iloc[0]
    assert "（84.99%）" in u["reason"] and not u["passes_school_rule"]


def test_cv_at_its_limit_with_float_noise_is_met_and_reads_as_the_limit():
    # R4 1.2 and 3.6 m² per student, 1000 students each: mean 2.4, sd 1.2, CV 0.5 = the primary limit
    ra = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=1200.0),
                                   school(school_id="B", teaching_area_m2=3600.0)))
    row = ra.cv.set_index(["stage", "indicator"]).loc[("primary", "R4")]
    assert row["cv"] == pytest.approx(0.5, abs=1e-12) and row["status"] == "met"
    assert row["reason"] == "小学 R4 差异系数 0.500 ≤ 0.5"


# --- every consumer asks the rules: the same unit is met everywhere -----------------------------------

@pytest.fixture(scope="module")
def noisy():
    """甲县 2025: school A with R4 = 4.499999999999999 (met), and R1 3.0 of 4.2, R2 0.5 of 1 missed
    (two misses: fails the school rule); school B meets everything."""
    schools = [school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A", teaching_area_m2=R4_NOISE_AREA,
                      teachers_above_degree_primary=30.0, backbone_teachers_primary=5.0),
               school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="B")]
    return _assess(schools)


def test_r4_within_noise_is_met_in_units_table_chart_ledger_and_gap(noisy):
    ra = noisy.resources
    unit = ra.units.set_index("school_id").loc["A"]
    assert unit["R4"] == 4.499999999999999 and unit["misses"] == "R1,R2" and unit["met_count"] == 5
    assert unit["reason"] == ("未达到 2 项（至少须达到 6 项）："
                              "R1 每百名学生拥有高于规定学历教师数 3.00 < 4.2（71.4%）；"
                              "R2 每百名学生拥有县级以上骨干教师数 0.50 < 1（50.0%）")
    assert ra.values.set_index(["school_id", "indicator"]).loc[("A", "R4"), "met"]
    # table: A first (fails the rule), R4 is column 3 — green
    styler = tables.school_indicator_table(ra.values, ra.units, "甲县", 2025, 0.85)
    assert styler.data.index[0] == ("学校A", "小学")
    assert cell_colors(styler)[0, 3] == tables.RATIO_COLORS["met"]
    # chart: A is the only unit drawn; codes 0 met, 2 far
    fig = charts.plot_school_misses(ra.values, ra.units, "甲县", 2025, 0.85)
    assert fig.axes[0].images[0].get_array().tolist() == [[2, 2, 0, 0, 0, 0, 0]]
    # ledger and gap: A's misses are R1 and R2, never R4
    ledger = ledger_table(noisy)
    assert ledger.loc[ledger["school_id"] == "A", "item"].tolist() == ["R2", "R1"]   # R2 50% short before R1 28.6%
    assert sorted(gap_to_pass(noisy).units.query("school_id == 'A'")["indicator"]) == ["R1", "R2"]


# --- the reason texts of the examples, as they read now -------------------------------------

def test_q9_difference_rate_of_015_with_float_noise_is_not_below_015():
    at = _item(_assess(county={"difference_rate": 0.1499999999999995}), "Q9")
    assert at["status"] == "not_met" and at["reason"] == "校际差异率 0.150 ≥ 0.15"
    under = _item(_assess(county={"difference_rate": 0.149}), "Q9")
    assert under["status"] == "met" and under["reason"] == "学业水平最低等级 3级 ≥ 3级；校际差异率 0.149 < 0.15"


@pytest.mark.parametrize("county, item, reason", [
    ({"rotation_rate": 9.99}, "G11", "交流轮岗比例 9.99% < 10%"),
    ({"special_ed_funds_per_student_yuan": 5999.99}, "G7", "特殊教育学校生均公用经费 5,999.99元 < 6,000元"),
    ({"rotation_rate": 10.0}, "G11", "交流轮岗比例 10.0% ≥ 10%；骨干教师占交流轮岗比例 22.0% ≥ 20%"),
])
def test_county_item_reasons_never_round_a_miss_to_its_threshold(county, item, reason):
    row = _item(_assess(county=county), item)
    assert row["reason"] == reason and row["status"] == ("met" if "≥" in reason.split("；")[0] else "not_met")


def test_school_item_reasons_never_round_a_miss_to_its_threshold():
    small = _item(_assess([school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, music_room_min_area_m2=95.9), school_id="A")]),
                  "G3")
    assert small["status"] == "not_met"
    assert small["reason"] == ("音乐、美术专用教室配备：1 所学校未达到"
                               "（学校A（2 间应配，音乐 2 间/最小 95.9m²（须 ≥ 96m²），"
                               "美术 2 间/最小 90m²））")
    # 34 930 of 700 000 元 = 4.99% of public funds on training, 5% required
    share = _item(_assess([school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, training_funds_yuan=34_930.0), school_id="A")]),
                  "Q4")
    assert share["status"] == "not_met" and share["reason"] == ("教师培训经费占公用经费比例："
                                                                "1 所学校未达到（学校A 4.99% < 5%）")
    # G6: an 80-student 乡村 小学 (below 100) gets 64 999.99 元; benchmark 650 × funded_as 100 = 65 000 元
    village = school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, public_funds_yuan=64_999.99, classes_primary=6.0),
                     school_id="V", location="乡村", students_primary=80.0)
    funds = _item(_assess([village]), "G6")
    assert funds["status"] == "not_met"
    assert funds["reason"] == "小规模学校公用经费：1 所学校未达到（学校V（拨付 64,999.99元，应不低于 65,000元））"


def test_s1_reason_prints_a_rate_just_under_85_with_its_digits():
    # 8499 of 10 000 in every group: 84.99% < 85%
    survey = [dict(r, respondents=10_000, favourable=8_499) for r in survey_rows()]
    a = qb.assess(dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A")], [COUNTY_OK], survey))
    s1 = _item(a, "S1")
    assert s1["status"] == "not_met" and s1["reason"].startswith("认可度 84.99%（") and "） < 85%；" in s1["reason"]


def test_ledger_actions_follow_the_shortfall_op_and_keep_digits():
    a = _assess([school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A", students_primary=2001.0)],
                county={"rotation_rate": 9.99})
    s = a.shortfalls.set_index("item")
    assert s.loc["G4", "op"] == "<=" and s.loc["G4", "gap"] == 1.0         # 2001 students, limit 2000
    assert s.loc["G11", "op"] == ">=" and s.loc["G11", "gap"] == pytest.approx(0.01)
    ledger = ledger_table(a).set_index("item")
    assert ledger.loc["G11", "action"] == "提高至 10（现 9.99，差 0.01）"
    assert ledger.loc["G4", "action"] == "降至 2,000 以内（现 2,001，需减少 1）"
    q9 = ledger_table(_assess(county={"difference_rate": 0.1499999999999995})).set_index("item").loc["Q9"]
    assert q9["action"] == "降至 0.15 以下（现 0.15）"                        # strict: equal is not enough


# --- rules described from the profile ------------------------------------------------------------

def test_g3_rule_text_and_rooms_come_from_classes_per_room(tmp_path):
    path = _profile(tmp_path, "ten", "[guarantee]\nG3 = { classes_per_room = 10 }\n")
    # 21 classes: nationally ⌈21/12⌉ = 2 rooms of each kind (met with 2); per 10 classes ⌈2.1⌉ = 3
    base = dict(SCHOOL_GQ_OK, classes_primary=21.0)
    schools = [school(PRIMARY_OK, **base, school_id="A")]
    assert _item(_assess(schools), "G3")["status"] == "met"
    g3 = _item(_assess(schools, profile=path), "G3")
    assert g3["threshold"] == "每10个班各1间；音乐≥96m²，美术≥90m²"
    assert g3["status"] == "not_met" and "3 间应配" in g3["reason"]
    assert _item(_assess(schools), "G3")["threshold"] == "每12个班各1间；音乐≥96m²，美术≥90m²"


def test_resource_threshold_text_comes_from_the_school_rule(tmp_path):
    path = _profile(tmp_path, "five", "[resources]\nschool_rule = { min_met = 5, min_ratio_of_miss = 0.8 }\n")
    assert _item(_assess(profile=path), "R")["threshold"] == \
        "每个学校单元至少5项达标且未达标项不低于80%；差异系数小学≤0.5、初中≤0.45"


def test_extra_item_carries_its_unit_into_reason_and_parts(tmp_path):
    item = ('[[extra_items]]\nid = "L1"\ndimension = "quality"\nlabel = "小学净入学率"\n'
            'column = "net_enrollment_rate"\n'
            'op = ">="\nthreshold = 99.5\ncounts = true\n')
    with_unit = _profile(tmp_path, "unit", item.replace("counts = true", 'unit = "‰"\ncounts = true'))
    a = _assess(county={"net_enrollment_rate": 99.49}, profile=with_unit)
    assert _item(a, "L1")["reason"] == "小学净入学率 99.49‰ < 99.5‰"
    part = a.parts.set_index("item").loc["L1"]
    assert part["unit"] == "‰" and part["op"] == ">="
    bare = _assess(county={"net_enrollment_rate": 99.49}, profile=_profile(tmp_path, "bare", item))
    assert _item(bare, "L1")["reason"] == "小学净入学率 99.49% < 99.5%"        # default: the column's unit (%)
    with pytest.raises(ProfileError, match="'unit' must be a text"):
        load_profile(_profile(tmp_path, "bad", item.replace("counts = true", "unit = 5\ncounts = true")))


def test_shipped_local_items_state_their_percent_unit():
    assert [i["unit"] for i in load_profile("濮阳市").extra_items] == ["%", "%", "%"]
    assert [i["unit"] for i in load_profile("桓台县").extra_items] == ["%"]


# --- typed results, no side channels ---------------------------------------------------------------

def test_results_carry_no_attrs_side_channels(noisy):
    assert not noisy.items.attrs and not noisy.parts.attrs and not noisy.school_failures.attrs
    assert not tables.shortfall_table(noisy.shortfalls, "甲县", 2025).attrs
    assert "op" in noisy.shortfalls and set(noisy.shortfalls["op"]) <= {">=", "<=", "<", "==", "rating"}


def test_assess_resources_takes_synthetic_as_a_keyword_not_an_attr():
    rows = frame(school(school_id="A"))
    rows.attrs["synthetic"] = True
    assert not qb.assess_resources(rows).synthetic                        # the attr is no channel any more
    assert qb.assess_resources(rows, synthetic=True).synthetic
    with pytest.raises(TypeError):
        qb.assess_resources(rows, "national", True)                       # keyword-only


def test_rating_levels_and_shortfalls_at_and_past_the_minimum():
    from quality_balance.method.rules import rating_level, rating_shortfall

    assert rating_level(pd.Series(["不合格", "合格", "良好", "优秀", "很好"])).tolist()[:4] == [0.0, 1.0, 2.0, 3.0]
    assert pd.isna(rating_level(pd.Series(["很好"])).iloc[0])
    gap, share = rating_shortfall(pd.Series(["良好", "合格", "优秀"]), pd.Series(["良好及以上"] * 3))
    assert gap.tolist() == [0.0, 1.0, 0.0] and share.tolist() == [0.0, 0.5, 0.0]


def test_number_texts_give_number_text_of_every_value():
    from quality_balance.method.rules import digits_needed, digits_needed_array, number_text, number_texts

    values = [9.99, 12.0, float("nan"), 0.1499999999999995, 5999.99, 4.2, 10.00000001, 2.449, 2.45]
    limits = [10, 10, 10, 0.15, 6000, 4.2, 10, 2.45, float("nan")]
    for decimals in (0, 1, 2, 3):
        for thousands in (True, False):
            expected = [number_text(v, None if t != t else t, decimals=decimals, thousands=thousands)
                        for v, t in zip(values, limits)]
            assert number_texts(values, limits, decimals=decimals, thousands=thousands).tolist() == expected
        assert digits_needed_array(values, limits, decimals).tolist() == [
            digits_needed(v, None if t != t else t, decimals) for v, t in zip(values, limits)]
    # by hand: 9.99 against 10 needs 2 decimals, 4.46 against 4.5 needs 2, a value equal to its limit keeps 1
    assert number_texts([9.99, 4.46, 4.2], [10, 4.5, 4.2], decimals=1).tolist() == ["9.99", "4.46", "4.2"]
    assert number_texts([5999.99], 6000, decimals=0).tolist() == ["5,999.99"]


def test_number_texts_with_thousands_separators_near_1000():
    from quality_balance.method.rules import number_text, number_texts

    values = [999.4, 999.96, 999.96, 1234.5, 999.5, -999.96]
    limits = [1000, None, 1000, 1000, 999, -1000]
    texts = number_texts(values, np.array(limits, dtype=object), decimals=1).tolist()
    assert texts == ["999.4", "1,000.0", "999.96", "1,234.5", "999.5", "-999.96"]
    assert texts == [number_text(v, t, decimals=1) for v, t in zip(values, limits)]


def test_least_meeting_is_the_bound_at_least_uses():
    from quality_balance.method.rules import at_least, least_meeting

    thresholds = np.array([4.5, 2000.0, 0.0, np.nan])
    bound = least_meeting(thresholds)
    assert bound[:3].tolist() == [4.5 - 4.5e-9, 2000.0 - 2e-6, 0.0] and np.isnan(bound[3])
    values = np.array([4.5 - 4.5e-9, 2000.0 - 2.1e-6, 0.0, 1.0])
    assert (values >= bound).tolist() == at_least(values, thresholds).tolist() == [True, False, True, False]


def test_number_texts_formats_each_distinct_value_once_and_keeps_minus_zero_apart():
    from quality_balance.method.rules import number_texts

    texts = number_texts([-0.0, 0.0, 1.25, 1.25, 1234.5, -0.0], None, decimals=1)
    assert texts.tolist() == ["-0.0", "0.0", "1.2", "1.2", "1,234.5", "-0.0"]


def test_texts_and_flags_are_written_once_per_distinct_cell_and_a_mixed_column_cell_by_cell():
    from quality_balance.method.items._base import _distinct_cells, fmt_bool

    codes, cells = _distinct_cells(np.array(["a", "b", "a", None], dtype=object))
    assert codes.tolist() == [0, 1, 0, 2] and cells == ["a", "b", None]
    assert _distinct_cells(np.array([True, 1.0], dtype=object)) is None  # equal as keys, not as texts
    assert _distinct_cells(np.array(["a", 2.0], dtype=object)) is None
    assert fmt_bool(pd.Series([True, False, None, True], dtype=object)).tolist() == ["是", "否", "—", "是"]
