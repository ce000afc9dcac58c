"""Plan targets met exactly in their deadline year, or projected exactly for it (issue 9, item 9).

The hand-made city of :mod:`tests.planning.test_tracking` (测试市, 2021–2024): 甲县 passes every year from
2021; 丙县 fails only Q1 (91, 92, 93, 94 %), whose straight line 91 + (year − 2021) reaches the 95 % of the
national profile exactly in 2025. "By year Y" includes Y: a county passing in its deadline year has met the
target, one projected to pass in it is on track.
"""
import pytest

import quality_balance as qb
from quality_balance.planning.tracking import plan_status
from tests.planning.test_tracking import _city

PLAN = """
name = "期限规划"
city = "测试市"
start = 2021

[[targets]]   # 甲县 first passes in 2021, its deadline; 丙县 projected for 2025, its deadline
id = "on_the_year"
kind = "certification"
label = "通过国家认定"
by_county = { "甲县" = 2021, "丙县" = 2025 }

[[targets]]   # 丙县 projected for 2025, one year after its deadline 2024 (control)
id = "a_year_late"
kind = "certification"
label = "通过国家认定（提前）"
county = "丙县"
year = 2024

[[targets]]   # 1 of 3 counties (甲县, passing since 2021) certified by 2021: one third in the deadline year
id = "share_on_the_year"
kind = "certified_share"
label = "三分之一（2021）"
share = "1/3"
year = 2021

[[targets]]   # 甲县 adds 60 places a year: 60 × 4 = 240 by 2024, exactly the whole target, due in 2024
id = "places_exact"
kind = "total"
label = "新增学位"
measure = "new_places"
county = "甲县"
year = 2024
value = 240

[[targets]]   # 241: one place short in the deadline year (control)
id = "places_short"
kind = "total"
label = "新增学位（241）"
measure = "new_places"
county = "甲县"
year = 2024
value = 241

[[targets]]   # 甲县's county-level backbone teachers: 60 in 2024, the level aimed at for 2024
id = "level_exact"
kind = "level"
label = "县级骨干教师"
measure = "backbone_county_level"
county = "甲县"
year = 2024
value = 60
"""


@pytest.fixture(scope="module")
def assessment():
    return qb.assess(_city())


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "期限规划.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def status(assessment, plan_file):
    return plan_status(assessment, plan_file).set_index(["target_id", "scope"])


def test_the_trend_reaches_the_threshold_exactly_in_the_deadline_year(assessment):
    # Q1 91, 92, 93, 94: slope 1 a year, 95.0 in 2025 exactly → the county is projected to pass in 2025
    summary = qb.project(assessment).summary.set_index(["county", "measure"])
    assert summary.loc[("丙县", "Q1"), "slope"] == pytest.approx(1.0)
    assert summary.loc[("丙县", "Q1"), "projected_year"] == 2025
    passes = qb.projected_pass_year(assessment).set_index("county")
    assert passes.loc["丙县", "status"] == "projected" and passes.loc["丙县", "year"] == 2025


@pytest.mark.parametrize("target, scope, expected", [
    ("on_the_year", "甲县", "met"),          # first passed 2021 ≤ 2021
    ("on_the_year", "丙县", "on_track"),     # projected 2025 ≤ 2025, not due yet (as of 2024)
    ("a_year_late", "丙县", "behind"),       # due 2024, not passed
    ("places_exact", "甲县", "met"),         # 240 ≥ 240 in the deadline year
    ("places_short", "甲县", "behind"),      # 240 < 241, due
    ("level_exact", "甲县", "met"),          # 60 ≥ 60
    ("share_on_the_year", "全市", "met"),    # 甲县 passed in 2021 ≤ 2021: 1 of 3
])
def test_targets_at_their_deadline(status, target, scope, expected):
    assert status.loc[(target, scope), "status"] == expected, status.loc[(target, scope), "reason"]


def test_a_target_judged_in_its_deadline_year_is_due(status):
    # as of 2024 the 2024 target is due: judged on the data, not on the 2025 projection
    assert "截至2024年数据仍未达标" in status.loc[("a_year_late", "丙县"), "reason"]
    assert "尚未达标" in status.loc[("on_the_year", "丙县"), "reason"]      # 2025: not due yet


def test_a_county_passing_in_its_deadline_year_as_of_that_year(assessment, plan_file):
    # judged as of 2021, the deadline itself: 甲县 passes in 2021 → met; the 240 places are not due (on track:
    # 60 in 2021 against 240 / 4 = 60 planned)
    early = plan_status(assessment, plan_file, year=2021).set_index(["target_id", "scope"])
    assert early.loc[("on_the_year", "甲县"), "status"] == "met"
    assert early.loc[("on_the_year", "甲县"), "actual"] == 2021.0
    assert early.loc[("places_exact", "甲县"), "status"] == "on_track"
    assert early.loc[("places_exact", "甲县"), "target_to_date"] == 60.0


SHORT_PLAN = """
name = "短序列规划"
city = "测试市"
start = 2023

[[targets]]   # 戊县 fails Q1 in both of its two years: too few points to project a pass, not due before 2026
id = "later"
kind = "certification"
label = "通过国家认定"
county = "戊县"
year = 2026

[[targets]]   # the same county, due in 2024: judged on the data, not passed
id = "due"
kind = "certification"
label = "通过国家认定（2024）"
county = "戊县"
year = 2024
"""


def test_a_pass_that_only_more_data_could_project_is_no_data_until_due(tmp_path):
    # 戊县, 2023–2024, fails only Q1 (93, 94 < 95): two points, a line needs three → 数据不足, so a target
    # that is not due yet cannot be judged (no_data); one that is due is behind
    from tests.builders import COUNTY_OK, JUNIOR_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school, survey_rows
    from tests.planning.test_tracking import JUNIOR_GQ
    schools, counties, survey = [], [], []
    for y, rate in ((2023, 93.0), (2024, 94.0)):
        schools += [school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="W1", county="戊县", year=y),
                    school(JUNIOR_OK, **JUNIOR_GQ, school_id="W2", county="戊县", year=y)]
        counties.append(dict(COUNTY_OK, county="戊县", year=y, consolidation_rate=rate))
        survey += survey_rows(county="戊县", year=y)
    path = tmp_path / "短序列规划.toml"
    path.write_text(SHORT_PLAN, encoding="utf-8")
    status = plan_status(qb.assess(dataset(schools, counties, survey)), path).set_index("target_id")
    assert status.loc["later", "status"] == "no_data", status.loc["later", "reason"]
    assert status.loc["due", "status"] == "behind"
