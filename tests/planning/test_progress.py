"""The progress table on a hand-made county followed over four years: values, thresholds, history."""
import pandas as pd
import pytest

import quality_balance as qb
from tests.builders import COUNTY_OK, JUNIOR_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school, survey_rows

YEARS = (2021, 2022, 2023, 2024)
JUNIOR_GQ = dict(SCHOOL_GQ_OK, classes_primary=0.0, classes_junior=20.0, max_class_size_primary=0.0,
                 max_class_size_junior=49.0)
#: 乙小学's teaching rooms by year: R4 = 4.0 (misses 4.5 but ≥ 85% of it: the unit still passes the
#: school rule), 3.0 (67%: fails the rule), then 5.0 twice (meets R4).
C_TEACHING_AREA = {2021: 4000.0, 2022: 3000.0, 2023: 5000.0, 2024: 5000.0}
#: G9 (≥ 100): met, met, missed, met → slipped back. Q1 (≥ 95 nationally, ≥ 96 in 蕉岭县): rising.
TRAINING = {2021: 100.0, 2022: 100.0, 2023: 98.0, 2024: 100.0}
CONSOLIDATION = {2021: 93.0, 2022: 94.0, 2023: 95.0, 2024: 96.0}


def _dataset():
    schools, counties, survey = [], [], []
    for y in YEARS:
        schools += [school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A", year=y),
                    school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="C", year=y, teaching_area_m2=C_TEACHING_AREA[y]),
                    school(JUNIOR_OK, **JUNIOR_GQ, school_id="B", year=y)]
        counties.append(dict(COUNTY_OK, year=y, training_360h_rate=TRAINING[y], consolidation_rate=CONSOLIDATION[y]))
        survey += survey_rows(year=y)
    return dataset(schools, counties, survey)


@pytest.fixture(scope="module")
def table():
    return qb.progress(qb.assess(_dataset()))


def _series(table, measure):
    return table[table["measure"] == measure].set_index("year")


def test_one_row_per_county_year_and_measure(table):
    assert not table.duplicated(["city", "county", "year", "measure"]).any()
    assert set(table["year"]) == set(YEARS)
    for measure in ("G1", "G9", "Q1", "S1", "V1", "R", "R4-CV-primary", "R4-share-primary", "R-rule-primary",
                    "R7-CV-junior", "R-rule-junior"):
        assert len(_series(table, measure)) == len(YEARS), measure


def test_numeric_items_carry_value_threshold_and_direction(table):
    q1 = _series(table, "Q1")
    assert q1["value"].tolist() == [93.0, 94.0, 95.0, 96.0]
    assert (q1["threshold"] == 95.0).all() and (q1["direction"] == ">=").all() and q1["numeric"].all()
    assert q1["met"].tolist() == [False, False, True, True]
    g4 = _series(table, "G4")  # school-level item: the number of schools over the size limit, none allowed
    assert g4["value"].tolist() == [0.0] * 4 and (g4["threshold"] == 0.0).all() and (g4["direction"] == "<=").all()


def test_yes_no_items_are_followed_by_status_only(table):
    g1 = _series(table, "G1")
    assert g1["value"].isna().all() and g1["threshold"].isna().all() and not g1["numeric"].any()
    assert g1["met"].all() and (g1["first_year_met"] == 2021).all()


def test_first_year_met_is_the_first_observed_year_met(table):
    assert (_series(table, "Q1")["first_year_met"] == 2023).all()
    assert (_series(table, "G9")["first_year_met"] == 2021).all()
    assert (_series(table, "R4-share-primary")["first_year_met"] == 2023).all()


def test_slipped_back_only_when_met_and_later_not_met(table):
    assert _series(table, "G9")["slipped_back"].all()             # met 2021–22, missed 2023
    assert not _series(table, "Q1")["slipped_back"].any()         # missed, then met for good
    assert _series(table, "R-rule-primary")["slipped_back"].all()  # every unit passes 2021, 乙 fails 2022
    assert not _series(table, "R4-share-primary")["slipped_back"].any()  # 50%, 50%, 100%, 100%


def test_resource_measures_per_stage(table):
    share = _series(table, "R4-share-primary")
    assert share["value"].tolist() == [50.0, 50.0, 100.0, 100.0]
    assert (share["threshold"] == 100.0).all() and not share["counts"].any()  # information, not the pass rule
    rule = _series(table, "R-rule-primary")
    assert rule["value"].tolist() == [100.0, 50.0, 100.0, 100.0] and rule["counts"].all()
    cv = _series(table, "R4-CV-primary")
    # 2021: R4 = 5.0 and 4.0 with 1000 students each: mean 4.5, sd 0.5 → CV 1/9
    assert cv.loc[2021, "value"] == pytest.approx(1 / 9)
    assert (cv["threshold"] == 0.5).all() and (cv["direction"] == "<=").all()
    assert (_series(table, "R4-CV-junior")["threshold"] == 0.45).all()


def test_thresholds_come_from_the_assessment_profile():
    table = qb.progress(qb.assess(_dataset(), profile="蕉岭县"))
    q1 = _series(table, "Q1")
    assert (q1["threshold"] == 96.0).all()
    assert q1["met"].tolist() == [False, False, False, True] and (q1["first_year_met"] == 2024).all()
    assert (_series(table, "G15")["threshold"] == 100.0).all()
    local = _series(table, "L1")  # 蕉岭县's local item: 小学净入学率 ≥ 100, no data here
    assert (local["direction"] == ">=").all() and (local["status"] == "no_data").all()
    assert local["met"].isna().all() and local["first_year_met"].isna().all()


# --- charts --------------------------------------------------------------------------------------

def test_progress_chart_marks_the_projection_as_such(table, tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from quality_balance.report.progress_charts import plot_progress

    fig = plot_progress(table, "甲县", ["Q1", "R4-share-primary", "G1"], projection=qb.project(table))
    q1, share, g1 = fig.axes[:3]
    lines = {line.get_label(): line for line in q1.get_lines()}
    assert list(lines["实际值"].get_xdata()) == list(YEARS)
    threshold = [lab for lab in lines if lab.startswith("标准")]
    assert threshold == ["标准 ≥ 95"] and list(lines["标准 ≥ 95"].get_ydata()) == [95.0, 95.0]
    assert "预测（线性趋势）" not in lines          # Q1 is met in 2024: nothing is projected
    assert "已达标" in q1.get_title()
    # R4-share-primary is met in 2024 too; G1 has no number to draw
    assert [t.get_text() for t in g1.texts] == ["学校规划布局合理：非数值项目，见状态表"]
    fig.savefig(tmp_path / "progress.png")


def test_progress_chart_draws_a_dashed_projection_up_to_its_year(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from quality_balance.report.progress_charts import plot_progress

    rows = [dict(city="测试市", county="甲县", year=y, measure="Q1", label="巩固率", value=v, threshold=95.0,
                 direction=">=", unit="%", status="not_met", met=False, counts=True, numeric=True)
            for y, v in zip((2021, 2022, 2023, 2024), (90.0, 92.0, 91.0, 93.0))]
    table = pd.DataFrame(rows).assign(met=lambda f: f["met"].astype("boolean"))
    projection = qb.project(table)
    fig = plot_progress(table, "甲县", "Q1", projection=projection)
    ax = fig.axes[0]
    dashed = [line for line in ax.get_lines() if line.get_label() == "预测（线性趋势）"][0]
    assert dashed.get_linestyle() == "--"
    assert list(dashed.get_xdata()) == [2024, 2025, 2026, 2027]       # from the last observation to 2027
    assert dashed.get_ydata()[-1] == pytest.approx(95.1)
    assert any(t.get_text() == "预测 →" for t in ax.texts)
    assert "预计2027年达标（90%区间 2025年—2030年后）" in ax.get_title()
    fig.savefig(tmp_path / "projection.png")


def test_several_part_items_are_followed_part_by_part():
    # G11: the rotation rate (≥ 10%) rises 6, 7, 8, 9 while the backbone share stays at 22% (≥ 20%)
    schools, counties, survey = [], [], []
    for i, y in enumerate(YEARS):
        schools.append(school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A", year=y))
        counties.append(dict(COUNTY_OK, year=y, rotation_rate=6.0 + i))
        survey += survey_rows(year=y)
    result = qb.assess(dataset(schools, counties, survey))
    table = qb.progress(result)
    rate, share = _series(table, "G11.1"), _series(table, "G11.2")
    assert rate["value"].tolist() == [6.0, 7.0, 8.0, 9.0] and (rate["threshold"] == 10.0).all()
    assert rate["direction"].iloc[0] == ">=" and rate["counts"].all() and not rate["met"].any()
    assert share["met"].all() and "骨干教师" in share["label"].iloc[0]
    item = _series(table, "G11")
    assert not item["counts"].any() and item["value"].isna().all()  # the parts count in its place
    # one point a year on a straight line: 10% is reached in 2025
    county = qb.projected_pass_year(result).iloc[0]
    assert county["status"] == "projected" and int(county["year"]) == 2025 and county["deciding"] == "G11.1"


def test_the_indicator_shares_are_the_met_share_of_the_long_table(demo_assessment):
    """Counted on the units (their met flags), as the mean of ``met`` over the long table's rows would give them."""
    ra = demo_assessment.resources
    expected = (ra.values.assign(met=ra.values["met"].astype(float))
                .groupby(["city", "county", "year", "stage", "indicator"])["met"].mean() * 100)
    table = qb.progress(demo_assessment)
    shares = table[table["source"] == "indicator_share"].set_index(["city", "county", "year", "stage", "indicator"])
    assert len(shares) == len(expected) and expected.between(0, 100).all() and expected.lt(100).any()
    assert (shares.loc[expected.index, "value"].to_numpy() == expected.to_numpy()).all()
    assert (shares["measure"] == shares.index.get_level_values("indicator") + "-share-"
            + shares.index.get_level_values("stage")).all()
