"""Projections on hand-made series whose trend lines can be computed on paper."""
import math

import pandas as pd
import pytest

import quality_balance as qb
from tests.builders import COUNTY_OK, JUNIOR_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school, survey_rows
from quality_balance.errors import CalculationError
from quality_balance.planning.projection import ACTUAL, HORIZON, PROJECTED, project

#: Student's t, 95th percentile, 2 degrees of freedom (any t table: 2.920), for a 90% two-sided interval.
T_95_2DF = 2.919986


def series(values, threshold, direction=">=", measure="Q1", county="甲县", first_year=2021, unit="%"):
    """A progress-table series: one row per year from ``first_year``, met by comparing with the threshold."""
    years = list(range(first_year, first_year + len(values)))
    ok = {">=": lambda v: v >= threshold, "<=": lambda v: v <= threshold, "<": lambda v: v < threshold}[direction]
    return pd.DataFrame({
        "city": "测试市", "county": county, "year": years, "measure": measure, "label": f"{measure} 测试",
        "dimension": "quality", "source": "item", "stage": None, "indicator": None, "value": values,
        "threshold": threshold, "direction": direction, "unit": unit,
        "status": ["met" if ok(v) else "not_met" for v in values],
        "met": pd.array([ok(v) for v in values], dtype="boolean"), "counts": True, "numeric": True})


def summary_of(*frames, **kw):
    return project(pd.concat(frames, ignore_index=True), **kw).summary.set_index(["county", "measure"])


def test_a_series_that_meets_its_threshold_says_so():
    s = summary_of(series([90.0, 96.0, 97.0], 95.0),
                   series([96.0, 94.0, 96.0, 97.0], 95.0, county="乙县"))   # slipped back in 2022, met again
    first, second = s.loc[("甲县", "Q1")], s.loc[("乙县", "Q1")]
    assert first["outcome"] == "met" and first["outcome_label"] == "已达标"
    assert first["projected_year"] == 2022        # the year it was met (and has stayed met since)
    assert second["projected_year"] == 2023       # the current run of met years started in 2023
    assert "已达标" in first["note"]


def test_a_steadily_improving_series_gives_the_hand_computed_year():
    # 90, 91, 92, 93 in 2021–2024: the line 90 + (year − 2021) reaches 95.5 at 2026.5 → first whole year 2027
    row = summary_of(series([90.0, 91.0, 92.0, 93.0], 95.5)).loc[("甲县", "Q1")]
    assert row["outcome"] == "projected" and row["projected_year"] == 2027
    assert row["slope"] == pytest.approx(1.0)
    # a perfect line leaves no residual spread: the interval collapses onto the line
    assert row["optimistic_year"] == row["pessimistic_year"] == 2027


def test_a_falling_limit_measure_crosses_from_above():
    # CV 0.60, 0.57, 0.54: 0.60 − 0.03·(year − 2021) ≤ 0.5 first in 2025 (0.51 in 2024, 0.48 in 2025)
    row = summary_of(series([0.60, 0.57, 0.54], 0.5, "<=", measure="R4-CV-primary")).loc[("甲县", "R4-CV-primary")]
    assert row["outcome"] == "projected" and row["projected_year"] == 2025


def test_the_prediction_interval_by_hand():
    # 90, 92, 91, 93: mean year 2022.5, mean 91.5, Sxx = 5, Sxy = 4 → slope 0.8; SSE = 5 − 0.8·4 = 1.8,
    # s = √(1.8/2). The line reaches 95 at 2022.5 + 3.5/0.8 = 2026.875 → 2027.
    result = project(series([90.0, 92.0, 91.0, 93.0], 95.0))
    row = result.summary.iloc[0]
    assert row["projected_year"] == 2027 and row["slope"] == pytest.approx(0.8)
    half = T_95_2DF * math.sqrt(0.9) * math.sqrt(1 + 1 / 4 + 4.5 ** 2 / 5)      # at 2027, 4.5 years from the mean
    p2027 = result.paths.set_index(["kind", "year"]).loc[(PROJECTED, 2027)]
    assert p2027["projected"] == pytest.approx(95.1)
    # the upper bound 95.1 + 6.38 would pass 100%: a percentage is clipped at 100 (unit "%")
    assert 95.1 + half > 100
    assert (p2027["low"], p2027["high"]) == pytest.approx((95.1 - half, 100.0), abs=1e-4)
    # upper bound reaches 95 already in 2025 (93.5 + 4.38); the lower bound stays below 95 up to 2030
    assert row["optimistic_year"] == 2025 and pd.isna(row["pessimistic_year"])
    assert "90%预测区间：2025年—2030年后" in row["note"]


#: The unit of the school-by-school items (G3–G6, Q4): a count of failing schools.
FAILING_SCHOOLS = "所（未达标学校数）"


def test_a_falling_count_is_never_projected_below_zero():
    # 6, 5, 3 failing schools in 2021–2023: mean year 2022, mean 14/3, Sxx = 2, Sxy = −3 → slope −1.5;
    # the line 14/3 − 1.5·(year − 2022) is 1/6 in 2025 (above 0: unclipped) and −4/3 in 2026 (clipped to 0)
    count = project(series([6.0, 5.0, 3.0], 0.0, "<=", measure="G5", unit=FAILING_SCHOOLS))
    free = project(series([6.0, 5.0, 3.0], 0.0, "<=", measure="G5", unit=""))   # no unit: no domain
    line = count.paths[count.paths["kind"] == PROJECTED].set_index("year")
    unbounded = free.paths[free.paths["kind"] == PROJECTED].set_index("year")
    assert line.loc[2025, "projected"] == pytest.approx(1 / 6) == unbounded.loc[2025, "projected"]
    assert line.loc[2026, "projected"] == 0.0 and unbounded.loc[2026, "projected"] == pytest.approx(-4 / 3)
    assert (line[["projected", "low", "high"]] >= 0).all().all()
    assert (line.loc[2027:, "projected"] == 0).all()
    assert unbounded["low"].min() < 0        # control: without the domain the interval goes below zero
    # the pass year is the same with and without the clip: 2026, the first year the line reaches 0
    row, control = count.summary.iloc[0], free.summary.iloc[0]
    assert row["projected_year"] == control["projected_year"] == 2026
    # s = √(1/6), t(0.95, 1 df) = 6.314: the lower bound reaches 0 in 2024, the upper one not by 2030
    assert row["optimistic_year"] == control["optimistic_year"] == 2024
    assert pd.isna(row["pessimistic_year"]) and pd.isna(control["pessimistic_year"])


def test_a_count_reaching_zero_exactly_stays_at_zero():
    # 6, 4, 2: the line is exactly 0 in 2024 (met then, at the edge of the domain) and −2, −4… after: 0
    result = project(series([6.0, 4.0, 2.0], 0.0, "<=", measure="G3", unit=FAILING_SCHOOLS))
    line = result.paths[result.paths["kind"] == PROJECTED].set_index("year")["projected"]
    assert line.loc[2024] == pytest.approx(0.0, abs=1e-12) and (line.loc[2025:] == 0.0).all()
    assert result.summary.iloc[0]["projected_year"] == 2024


def test_a_rising_share_is_never_projected_above_100_percent():
    # 70, 80, 90% of units meet the school rule: 100% in 2024 exactly, 110% in 2025 → 100%
    result = project(series([70.0, 80.0, 90.0], 100.0, measure="R-rule-primary"))
    line = result.paths[result.paths["kind"] == PROJECTED].set_index("year")["projected"]
    assert line.loc[2024] == pytest.approx(100.0) and (line.loc[2025:] == 100.0).all()
    assert result.summary.iloc[0]["projected_year"] == 2024


def test_the_domain_of_a_unit_comes_from_the_schema():
    from quality_balance.planning.projection import unit_domain
    assert unit_domain(FAILING_SCHOOLS).count and unit_domain(FAILING_SCHOOLS).lower == 0
    assert unit_domain("个").count and unit_domain("人").count and not unit_domain("%").count
    assert (unit_domain("%").lower, unit_domain("%").upper) == (0, 100)
    assert unit_domain("元").lower == 0 and unit_domain("元").upper == float("inf") and not unit_domain("元").count
    assert unit_domain("", "cv").lower == 0 and unit_domain("").lower == float("-inf")
    assert unit_domain("级").lower == float("-inf") and unit_domain(None).upper == float("inf")


def test_a_flat_failing_series_is_not_reached_by_2030():
    s = summary_of(series([80.0, 80.0, 80.0, 80.0], 85.0), series([84.0, 83.0, 82.0], 85.0, county="乙县"),
                   series([80.0, 80.5, 81.0], 85.0, county="丙县"))   # +0.5 a year reaches 85 in 2031
    for county in ("甲县", "乙县", "丙县"):
        row = s.loc[(county, "Q1")]
        assert row["outcome"] == "not_by_horizon" and pd.isna(row["projected_year"]), county
        assert row["outcome_label"] == "按当前趋势2030年前无法达标"
    later = summary_of(series([80.0, 80.5, 81.0], 85.0), horizon=2031).loc[("甲县", "Q1")]
    assert later["projected_year"] == 2031 and HORIZON == 2030


def test_fewer_than_three_points_cannot_be_projected():
    result = project(series([90.0, 92.0], 95.0))
    row = result.summary.iloc[0]
    assert row["outcome"] == "insufficient_data" and row["outcome_label"] == "数据不足，无法预测"
    assert pd.isna(row["projected_year"])
    assert set(result.paths["kind"]) == {ACTUAL}


def test_projected_values_are_never_mixed_with_observed_ones():
    paths = project(series([90.0, 92.0, 91.0, 93.0], 95.0)).paths
    actual, projected = paths[paths["kind"] == ACTUAL], paths[paths["kind"] == PROJECTED]
    assert actual["year"].tolist() == [2021, 2022, 2023, 2024] and actual["value"].notna().all()
    assert actual[["projected", "low", "high"]].isna().all().all()
    assert projected["year"].tolist() == list(range(2025, HORIZON + 1)) and projected["value"].isna().all()
    assert set(paths["kind"]) == {"实际", "预测"}


def test_bad_arguments_are_refused():
    with pytest.raises(CalculationError, match="level"):
        project(series([90.0, 91.0, 92.0], 95.0), level=95)
    with pytest.raises(CalculationError, match="horizon"):
        project(series([90.0, 91.0, 92.0], 95.0), horizon=2023)
    with pytest.raises(CalculationError, match="progress table"):
        project(pd.DataFrame({"county": ["甲县"]}))


# --- the whole county ---------------------------------------------------------------------------

JUNIOR_GQ = dict(SCHOOL_GQ_OK, classes_primary=0.0, classes_junior=20.0, max_class_size_primary=0.0,
                 max_class_size_junior=49.0)


def _county(name, years, **by_year):
    """Schools, county rows and survey of a county meeting everything except what ``by_year`` changes:
    column → list of values per year."""
    schools, counties, survey = [], [], []
    for i, y in enumerate(years):
        schools += [school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id=f"{name}A", county=name, year=y),
                    school(JUNIOR_OK, **JUNIOR_GQ, school_id=f"{name}B", county=name, year=y)]
        counties.append(dict(COUNTY_OK, county=name, year=y, **{c: v[i] for c, v in by_year.items()}))
        survey += survey_rows(county=name, year=y)
    return schools, counties, survey


@pytest.fixture(scope="module")
def passes():
    years = (2021, 2022, 2023)
    parts = [_county("甲县", years),
             _county("乙县", years, consolidation_rate=[92.0, 93.0, 94.0]),              # Q1 reaches 95 in 2024
             _county("丙县", years, consolidation_rate=[92.0, 93.0, 94.0], layout_reasonable=[False] * 3),
             _county("丁县", years, consolidation_rate=[90.0, 90.0, 90.0]),              # flat
             _county("戊县", years, training_360h_rate=[100.0, 98.0, 100.0])]             # slipped, recovered
    data = dataset(*(sum((p[i] for p in parts), []) for i in range(3)))
    return qb.projected_pass_year(qb.assess(data)).set_index("county")


def test_a_passing_county_gives_the_year_it_has_passed_since(passes):
    assert passes.loc["甲县", "status"] == "met" and passes.loc["甲县", "year"] == 2021
    assert passes.loc["戊县", "status"] == "met" and passes.loc["戊县", "year"] == 2023


def test_a_county_failing_one_trend_gets_that_trend_s_year(passes):
    row = passes.loc["乙县"]
    assert row["status"] == "projected" and row["year"] == 2024 and row["deciding"] == "Q1"
    assert row["optimistic_year"] == row["pessimistic_year"] == 2024
    assert row["label"] == "预计达标" and "预测2024年达标" in row["note"]


def test_a_failing_yes_no_item_makes_the_county_unpredictable(passes):
    row = passes.loc["丙县"]
    assert row["status"] == "unpredictable" and pd.isna(row["year"]) and row["label"] == "无法预测"
    assert "G1" in row["deciding"] and "Q1" not in row["deciding"] and not row["needs_data"]


def test_a_flat_trend_means_not_by_2030(passes):
    row = passes.loc["丁县"]
    assert row["status"] == "not_by_horizon" and pd.isna(row["year"]) and row["deciding"] == "Q1"


def test_the_pass_year_note_names_measures_in_chinese_and_deciding_keeps_their_ids(demo_assessment):
    p = qb.projected_pass_year(demo_assessment).set_index("county")
    assert p.loc["和林格尔县", "deciding"] == "R-rule-junior"
    assert p.loc["和林格尔县", "note"].endswith("：初中 达到校际指标要求的学校单元占比")
    assert not p["note"].str.contains(r"[A-Z]\d*-|R-rule", regex=True).any()


def test_the_pass_year_from_the_caller_s_progress_and_projection_is_the_same(demo_assessment):
    table = qb.progress(demo_assessment)
    projection = project(table)
    plain = qb.projected_pass_year(demo_assessment)
    pd.testing.assert_frame_equal(qb.projected_pass_year(demo_assessment, progress_table=table,
                                                         projection=projection), plain)
    pd.testing.assert_frame_equal(qb.projected_pass_year(demo_assessment, progress_table=table), plain)
    assert (plain["status"] == "projected").any()  # the comparison is not between empty projections
    with pytest.raises(CalculationError, match="'projection' was made with horizon 2030 and level 0.9, expected "
                                               "horizon 2030 and level 0.8"):
        qb.projected_pass_year(demo_assessment, level=0.8, progress_table=table, projection=projection)
