"""The resource-allocation assessment: school rule edges, CV limits, stages, verdicts (spec §2)."""
import numpy as np
import pandas as pd
import pytest

import quality_balance as qb
from tests.builders import JUNIOR_OK, frame, school


def _unit(ra, school_id, stage="primary"):
    return ra.units.set_index(["school_id", "stage"]).loc[(school_id, stage)]


def _cv(ra, indicator, stage="primary", county="甲县"):
    return ra.cv.set_index(["county", "stage", "indicator"]).loc[(county, stage, indicator)]


def test_value_exactly_at_threshold_meets_it():
    # 42 teachers / 1000 students × 100 = 4.2 = the primary R1 threshold; 4500 m² / 1000 = 4.5 = R4's
    ra = qb.assess_resources(frame(school(school_id="A", teachers_above_degree_primary=42.0,
                                          teaching_area_m2=4500.0)))
    u = _unit(ra, "A")
    assert u["R1"] == 4.2 and u["R4"] == 4.5
    assert u["met_count"] == 7 and u["passes_school_rule"]


def test_one_miss_at_exactly_85_percent_passes():
    # R4 threshold 4.5; 0.85 · 4.5 = 3.825 m² per student
    ra = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=3825.0)))
    u = _unit(ra, "A")
    assert u["met_count"] == 6 and u["misses"] == "R4"
    assert u["worst_ratio"] == pytest.approx(0.85)
    assert u["passes_school_rule"]
    assert "85%" in u["reason"] and "R4" in u["reason"]


def test_one_miss_at_84_9_percent_fails():
    ra = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=4.5 * 0.849 * 1000)))
    u = _unit(ra, "A")
    assert u["met_count"] == 6 and not u["passes_school_rule"]
    assert "84.9%" in u["reason"] and "低于达标值的 85%" in u["reason"]


def test_two_misses_fail_even_when_both_are_close():
    ra = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=4.5 * 0.95 * 1000,
                                          equipment_value_yuan=2000 * 0.99 * 1000)))
    u = _unit(ra, "A")
    assert u["met_count"] == 5 and u["misses"] == "R4,R6" and not u["passes_school_rule"]
    assert u["reason"].startswith("未达到 2 项")


def test_county_with_one_unit_has_cv_zero_and_passes():
    ra = qb.assess_resources(frame(school(school_id="A")))
    assert (ra.cv.query("stage == 'primary'")["cv"] == 0).all()
    county = ra.counties.iloc[0]
    assert county["status"] == "met" and county["n_units"] == 1


def test_absent_stage_is_not_applicable_not_a_pass():
    ra = qb.assess_resources(frame(school(school_id="A"), school(school_id="B")))
    junior = ra.cv.query("stage == 'junior'")
    assert len(junior) == 7
    assert (junior["status"] == "not_applicable").all()
    assert junior["passes"].isna().all()
    assert ra.counties.iloc[0]["status"] == "met"  # the primary stage decides


def test_cv_exactly_at_limit_passes_and_just_over_fails():
    # R4 values 1.5 and 4.5 with equal students: mean 3, S = 1.5, CV = 0.5 = the primary limit
    at = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=1500.0),
                                   school(school_id="B", teaching_area_m2=4500.0)))
    assert _cv(at, "R4")["cv"] == 0.5 and bool(_cv(at, "R4")["passes"])
    over = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=1490.0),
                                     school(school_id="B", teaching_area_m2=4500.0)))
    row = _cv(over, "R4")
    assert row["cv"] > 0.5 and not bool(row["passes"]) and row["status"] == "not_met"
    assert "> 0.5" in row["reason"]
    assert over.counties.iloc[0]["status"] == "not_met"
    assert "差异系数超限" in over.counties.iloc[0]["reason"]


def test_junior_limit_is_045():
    # junior R4 values 3 and 7 (students 1000 each): mean 5, S = 2, CV = 0.4 ≤ 0.45
    rows = [school(JUNIOR_OK, school_id="A", teaching_area_m2=3000.0),
            school(JUNIOR_OK, school_id="B", teaching_area_m2=7000.0)]
    assert _cv(qb.assess_resources(frame(*rows)), "R4", "junior")["passes"]
    # values 2.5 and 7.5: mean 5, S = 2.5, CV = 0.5 > 0.45
    rows = [school(JUNIOR_OK, school_id="A", teaching_area_m2=2500.0),
            school(JUNIOR_OK, school_id="B", teaching_area_m2=7500.0)]
    assert not _cv(qb.assess_resources(frame(*rows)), "R4", "junior")["passes"]


def test_zero_mean_is_undefined_with_a_message():
    ra = qb.assess_resources(frame(school(school_id="A", multimedia_rooms=0.0),
                                   school(school_id="B", multimedia_rooms=0.0)))
    row = _cv(ra, "R7")
    assert row["status"] == "undefined" and pd.isna(row["passes"]) and pd.isna(row["cv"])
    assert "无定义" in row["reason"]
    assert ra.counties.iloc[0]["status"] == "not_met"


def test_counties_and_years_are_assessed_together():
    rows = [school(school_id="A", year=y, county=c) for y in (2021, 2022) for c in ("甲县", "乙县")]
    rows.append(school(school_id="B", year=2022, county="乙县", teaching_area_m2=1000.0, sports_area_m2=1000.0))
    ra = qb.assess_resources(frame(*rows))
    status = ra.counties.set_index(["county", "year"])["status"]
    assert status.to_dict() == {("乙县", 2021): "met", ("乙县", 2022): "not_met",
                                ("甲县", 2021): "met", ("甲县", 2022): "met"}
    assert len(ra.cv) == 4 * 2 * 7


def test_split_weights_and_thresholds_come_from_the_profile(tmp_path):
    # a profile with a stricter R4 threshold turns the exact-threshold school into a miss
    (tmp_path / "strict.toml").write_text('name = "strict"\nparent = "national"\n'
                                          '[resources.thresholds.primary]\nR4 = 5.0\n', encoding="utf-8")
    df = frame(school(school_id="A", teaching_area_m2=4500.0))
    assert _unit(qb.assess_resources(df), "A")["met_count"] == 7
    strict = qb.assess_resources(df, profile=tmp_path / "strict.toml")
    assert _unit(strict, "A")["misses"] == "R4"
    assert strict.counties.iloc[0]["profile"] == "strict"


def test_influence_names_the_school_that_drives_the_cv():
    ra = qb.assess_resources(frame(school(school_id="A", teaching_area_m2=1000.0),
                                   school(school_id="B"), school(school_id="C")))
    inf = ra.influence.query("indicator == 'R4'").set_index("school_id")
    assert inf["effect_at_mean"].idxmax() == "A"


def test_a_profile_can_leave_small_teaching_points_out_and_says_so(tmp_path):
    # one province leaves teaching points under 50 students out of R; the default keeps them all
    (tmp_path / "tp50.toml").write_text('name = "tp50"\nparent = "national"\n[resources]\n'
                                        'exclude_teaching_points_below = 50\n', encoding="utf-8")
    rows = [school(school_id="A"),
            school(school_id="TP", school_type="教学点", location="乡村", students_primary=30.0,
                   teaching_area_m2=60.0)]  # 2 m² per student: misses R4 badly
    national = qb.assess_resources(frame(*rows))
    assert "TP" in set(national.units["school_id"]) and national.counties.iloc[0]["status"] == "not_met"
    local = qb.assess_resources(frame(*rows), profile=tmp_path / "tp50.toml")
    assert "TP" not in set(local.units["school_id"])
    assert local.excluded["school_id"].tolist() == ["TP"] and "少于 50 人" in local.excluded["reason"].iloc[0]
    assert local.counties.iloc[0]["status"] == "met"


def test_miss_texts_of_a_unit_are_joined_in_indicator_order_and_others_get_none():
    import numpy as np

    from quality_balance.method.resources import _join_runs

    texts = np.array(["R1 …", "R4 …", "R6 …", "R2 …"], dtype=object)
    assert _join_runs(texts, np.array([0, 0, 0, 2]), 4, "；").tolist() == ["R1 …；R4 …；R6 …", "", "R2 …", ""]
    assert _join_runs(np.zeros(0, dtype=object), np.zeros(0, dtype=int), 2, "；").tolist() == ["", ""]


def test_shares_of_the_threshold_never_read_as_100_percent_or_as_the_rules_ratio():
    import numpy as np

    from quality_balance.method.resources import _share_texts

    pct = np.array([99.96, 84.96, 85.04, 85.0, 86.66, 100.0, np.nan])
    floor = np.full(pct.shape, 85.0)  # resources.school_rule.min_ratio_of_miss × 100 (national)
    assert _share_texts(pct, floor).tolist() == ["99.96", "84.96", "85.04", "85.0", "86.7", "100.0", "—"]
    # another profile's ratio: 80% (84.96 now reads with one decimal, 79.96 needs two)
    assert _share_texts(np.array([84.96, 79.96]), np.full(2, 80.0)).tolist() == ["85.0", "79.96"]


@pytest.mark.parametrize("n_failing", [5, 6])
def test_a_county_reason_names_its_five_worst_failing_units_then_says_more(n_failing):
    # unit i fails with R4 at (70 + i)% of its threshold: the worst ratios come first, at most five are named
    rows = [school(school_id=f"F{i}", school_name=f"校{i}", teaching_area_m2=4.5 * (0.70 + i / 100) * 1000)
            for i in range(n_failing)] + [school(school_id="OK")]
    reason = qb.assess_resources(frame(*rows)).counties["reason"].iloc[0]
    named = "、".join(f"校{i}（小学）" for i in range(5))
    assert f"{n_failing} 个学校单元未达到校际指标要求（{named}" in reason
    assert ("等）" in reason) == (n_failing > 5)
    assert "校5" not in reason


def test_failing_units_of_equal_worst_ratio_are_named_in_table_order_on_every_machine():
    # 300 units failing alike (the same R4 ratio) among 100 failing by less, the two kinds shuffled (seeded) in
    # the school-id order that the units follow: numpy's default sort orders such ties as its algorithm (and the
    # CPU's vector instructions) happen to; a stable sort keeps them in unit order, so the county's reason names
    # the first five tied units wherever it is computed
    kinds = np.random.default_rng(7).permutation(np.r_[np.zeros(300, dtype=int), np.ones(100, dtype=int)])
    rows = [school(school_id=f"S{i:03d}", school_name=f"校{i:03d}",
                   teaching_area_m2=4.5 * (0.70 if kind == 0 else 0.71 + i / 10000) * 1000)
            for i, kind in enumerate(kinds)]
    ra = qb.assess_resources(frame(*rows))
    first_tied = np.flatnonzero(kinds == 0)[:5]
    named = "、".join(f"校{i:03d}（小学）" for i in first_tied)
    assert f"400 个学校单元未达到校际指标要求（{named}等）" in ra.counties["reason"].iloc[0]


# --- the long unit × indicator table, made from the grid when read (issue 12) --------------------------------

def _long_positions(ra, units):
    n, k = len(ra.units), len(qb.schema.INDICATORS)
    return [j * n + u for j in range(k) for u in sorted(units)]


def test_the_rows_of_some_units_are_those_rows_of_the_long_table(demo_assessment):
    ra = demo_assessment.resources
    units = [17, 0, 5, len(ra.units) - 1]
    expected = ra.values.iloc[_long_positions(ra, units)]
    got = ra.values_of(units)
    assert list(got.index) == _long_positions(ra, units)  # values' own row numbers, in its order
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    columns = ["county", "school_id", "indicator", "value", "met"]
    pd.testing.assert_frame_equal(ra.values_of(units, columns=columns), expected[columns], check_exact=True)
    none = ra.values_of([])
    assert none.empty and list(none.columns) == list(ra.values.columns)
    assert (none.dtypes == ra.values.dtypes).all()


def test_the_long_table_is_the_units_figures_one_row_per_indicator(demo_assessment):
    ra = demo_assessment.resources
    n = len(ra.units)
    v = ra.values
    for j, indicator in enumerate(qb.schema.INDICATORS):
        rows = v.iloc[j * n:(j + 1) * n]
        assert (rows["indicator"] == indicator).all()
        assert (rows["school_id"].to_numpy() == ra.units["school_id"].to_numpy()).all()
        assert (rows["value"].to_numpy() == ra.units[indicator].to_numpy()).all()  # the same bits
        assert (rows["met"].to_numpy() == ra.grid.met[j]).all()
    assert (v["ratio"].to_numpy() == (v["value"] / v["threshold"]).to_numpy()).all()
    misses = v[~v["met"]].groupby(["city", "county", "year", "school_id", "stage"])["indicator"].agg(",".join)
    units = ra.units.set_index(["city", "county", "year", "school_id", "stage"])
    assert (units.loc[misses.index, "misses"] == misses).all()


def test_assess_progress_and_the_gap_never_make_the_national_long_table():
    """The 7.7 M-row table (≈1 GiB nationally) is made only when something reads ``values``."""
    a = qb.assess(qb.demo.generate(years=[2024, 2025]))
    qb.progress(a)
    qb.gap_to_pass(a, year=2025)
    qb.gap_to_pass(a, county="台前县", year=2025)
    assert "values" not in a.resources.__dict__
    assert len(a.resources.values) == len(a.units) * len(qb.schema.INDICATORS)
    assert "values" in a.resources.__dict__


def test_the_rows_of_a_unit_named_twice_are_there_once_and_an_unknown_column_is_named(demo_assessment):
    ra = demo_assessment.resources
    pd.testing.assert_frame_equal(ra.values_of([3, 3, 1]), ra.values_of([1, 3]), check_exact=True)
    with pytest.raises(qb.CalculationError, match=r"values_of: columns \['R4'\].*expected some of"):
        ra.values_of([1], columns=["county", "R4"])


def test_an_empty_school_table_gives_empty_tables_with_the_usual_columns():
    full = qb.assess_resources(qb.demo.generate(years=[2025]).schools, profile=None)
    empty = qb.assess_resources(qb.demo.generate(years=[2025]).schools.iloc[:0], profile=None)
    for name in ("units", "cv", "counties"):
        got, usual = getattr(empty, name), getattr(full, name)
        assert len(got) == 0 and list(got.columns) == list(usual.columns), name
    assert empty.units["stage"].dtype == full.units["stage"].dtype  # text columns stay text when empty
    assert empty.units["split"].dtype == full.units["split"].dtype


def test_cv_statistics_in_blocks_of_places_are_those_of_one_pass(monkeypatch):
    """At national scale the CV, Gini and Theil are computed a block of places at a time (resources.BLOCK_ROWS);
    each group's figures are its own rows' in their order, so they are the one pass's to the last bit."""
    from quality_balance.method import resources

    data = qb.demo.generate(years=[2024, 2025])
    one_pass = qb.assess_resources(data.schools, profile=None)
    monkeypatch.setattr(resources, "BLOCK_FROM_ROWS", 0)
    monkeypatch.setattr(resources, "BLOCK_ROWS", 14)  # two units (of 7 rows each) a block, cut where a group begins
    groups = np.repeat(np.arange(5), [3, 1, 4, 1, 5])  # units 0–2 in group 0, 3 in 1, 4–7 in 2, 8 in 3, 9–13 in 4
    # cut at 3, 4 and 8 (the starts after 0, 2, 4, 6, 8, 10, 12), each block kept to two groups or more: one
    # group's codes would be in order, which pandas sums otherwise (stats/_groups.py)
    assert resources._place_blocks(groups, 7, 0).tolist() == [0, 4, 14]
    assert resources._place_blocks(np.repeat(np.arange(3), [6, 6, 1]), 7, 0).tolist() == [0, 13]  # last joins
    assert resources._place_blocks(np.repeat(np.arange(2), [1, 9]), 7, 0).tolist() == [0, 10]
    monkeypatch.setattr(resources, "BLOCK_ROWS", 700)  # ≈ 100 units a block: dozens of blocks of the demo
    blocked = qb.assess_resources(data.schools, profile=None)
    pd.testing.assert_frame_equal(blocked.cv, one_pass.cv, check_exact=True)
    pd.testing.assert_frame_equal(blocked.counties, one_pass.counties, check_exact=True)


def test_units_out_of_group_order_are_taken_in_one_pass():
    from quality_balance.method import resources

    assert resources._place_blocks(np.array([0, 0, 2, 1]), 7, 0) is None  # not in group order
    assert resources._place_blocks(np.array([-1, 0, 1]), 7, 0) is None  # a unit of no place
    assert resources._place_blocks(np.array([0, 1, 2]), 7, 100) is None  # too few rows to cut


def test_a_county_whose_cvs_are_all_equal_reports_its_first_cv_as_the_worst_on_every_machine():
    # 60 counties of one school each: every CV is 0, and the worst of equal CVs is the first of the grid
    # (小学 R1): the CVs of all counties are ranked together by a stable sort
    ra = qb.assess_resources(frame(*[school(county=f"县{i:02d}", school_id=f"S{i:02d}") for i in range(60)]))
    worst = ra.counties[["worst_cv_stage", "worst_cv_indicator"]].drop_duplicates()
    assert worst.values.tolist() == [["primary", "R1"]]
