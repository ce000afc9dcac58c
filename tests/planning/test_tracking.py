"""Plan files (validation, the shipped seed plans) and plan status on a hand-made city."""
import dataclasses
import textwrap

import pandas as pd
import pytest

import quality_balance as qb
from tests.builders import COUNTY_OK, JUNIOR_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school, survey_rows
from quality_balance.errors import CalculationError, ProfileError
from quality_balance.planning.tracking import plan_actuals, plan_status, planned_certification_year
from quality_balance.standards.plan import load_plan

YEARS = (2021, 2022, 2023, 2024)
JUNIOR_GQ = dict(SCHOOL_GQ_OK, classes_primary=0.0, classes_junior=20.0, max_class_size_primary=0.0,
                 max_class_size_junior=49.0)

# 测试市, 2021–2024 (see each target below for the arithmetic)
#   甲县 passes every year; its primary school's 56+ classes fall 20 → 15 → 12 → 10 (falls 5, 3, 2); its
#        junior school is rural and takes boarders from 2022 (rural boarding schools 0, 1, 1, 1).
#   乙县 fails G1 (a yes/no item) every year.
#   丙县 fails only Q1: 91, 92, 93, 94 → the trend reaches 95 in 2025.
#   new places: 甲县 60 + 乙县 50 + 丙县 0 = 110 a year; backbone teachers (provincial/city level):
#   50, 70, 90, 110 in all; county level 110 every year.
COUNTY_FIGURES = {
    "甲县": dict(new_places=[60] * 4, backbone_provincial_city=[30, 40, 50, 60], backbone_county_level=[60] * 4),
    "乙县": dict(new_places=[50] * 4, backbone_provincial_city=[20, 30, 40, 50], backbone_county_level=[50] * 4,
               layout_reasonable=[False] * 4),
    "丙县": dict(new_places=[0] * 4, backbone_provincial_city=[0] * 4, backbone_county_level=[0] * 4,
               consolidation_rate=[91.0, 92.0, 93.0, 94.0]),
}
LARGE_CLASSES_A = [20.0, 15.0, 12.0, 10.0]

PLAN = """
name = "测试规划"
city = "测试市"
start = 2021

[[targets]]   # 110 a year against 100 a year: 440 ≥ 400 by 2024, the 500 of 2025 not yet → on track
id = "places"
kind = "yearly"
label = "新增学位"
measure = "new_places"
yearly = { 2021 = 100, 2022 = 100, 2023 = 100, 2024 = 100, 2025 = 100 }

[[targets]]   # falls 5 + 3 + 2 = 10 against 4 × 3 = 12 over 2022–2024, due 2024 → behind
id = "large_classes"
kind = "yearly"
label = "消除大班额"
measure = "classes_56_plus"
actual = "fall"
county = "甲县"
yearly = { 2022 = 4, 2023 = 4, 2024 = 4 }

[[targets]]   # 110 ≥ 100 → met
id = "backbone_county"
kind = "level"
label = "县级骨干教师"
measure = "backbone_county_level"
year = 2025
value = 100

[[targets]]   # 50 in 2021 → 130 in 2025: 110 due in 2024, 110 reached → on track
id = "backbone_130"
kind = "level"
label = "省市级骨干教师（130）"
measure = "backbone_provincial_city"
year = 2025
value = 130

[[targets]]   # 50 → 200: 162.5 due in 2024, 110 reached → behind
id = "backbone_200"
kind = "level"
label = "省市级骨干教师（200）"
measure = "backbone_provincial_city"
year = 2025
value = 200

[[targets]]   # 甲县 +1 ≥ 1 → met early; 乙县 0 < 1 × 3/5 → behind; city 1 < 2 × 3/5 → behind
id = "boarding"
kind = "total"
label = "新建农村寄宿制学校"
measure = "rural_boarding_schools"
actual = "rise"
year = 2025
value = 2
by_county = { "甲县" = 1, "乙县" = 1 }

[[targets]]   # no county reports it → no data
id = "recruited"
kind = "total"
label = "招聘教师"
measure = "teachers_recruited"
year = 2025
value = 400

[[targets]]
id = "schedule"
kind = "certification"
label = "通过国家认定"
by_county = { "甲县" = 2023, "乙县" = 2022, "丙县" = 2026, "丁县" = 2025 }

[[targets]]   # 丙县 has not passed by 2024
id = "provincial"
kind = "certification"
level = "provincial"
label = "省级评估"
county = "丙县"
year = 2024

[[targets]]   # 1 of 3 passes: exactly one third → met
id = "third"
kind = "certified_share"
label = "三分之一"
share = "1/3"
year = 2024

[[targets]]   # 甲县 + 丙县 (projected 2025) = 2/3 by 2026 → on track
id = "two_thirds"
kind = "certified_share"
label = "三分之二"
share = "2/3"
year = 2026

[[targets]]   # 乙县 cannot be projected → behind
id = "all"
kind = "certified_share"
label = "全部"
share = 1
year = 2030
"""


def _city():
    schools, counties, survey = [], [], []
    for county, figures in COUNTY_FIGURES.items():
        for i, y in enumerate(YEARS):
            a_classes = LARGE_CLASSES_A[i] if county == "甲县" else 0.0
            boarders = 30.0 if county == "甲县" and y >= 2022 else 0.0
            schools += [
                school(PRIMARY_OK, **dict(SCHOOL_GQ_OK, classes_56_plus=a_classes), school_id=f"{county}A",
                       county=county, year=y),
                school(JUNIOR_OK, **dict(JUNIOR_GQ, classes_56_plus=0.0, boarders=boarders), school_id=f"{county}B",
                       county=county, year=y, location="乡村")]
            counties.append(dict(COUNTY_OK, county=county, year=y, **{k: v[i] for k, v in figures.items()}))
            survey += survey_rows(county=county, year=y)
    return dataset(schools, counties, survey)


@pytest.fixture(scope="module")
def assessment():
    return qb.assess(_city())


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "测试规划.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def status(assessment, plan_file):
    return plan_status(assessment, plan_file).set_index(["target_id", "scope"])


@pytest.mark.parametrize("target, scope, expected", [
    ("places", "全市", "on_track"),
    ("large_classes", "甲县", "behind"),
    ("backbone_county", "全市", "met"),
    ("backbone_130", "全市", "on_track"),
    ("backbone_200", "全市", "behind"),
    ("boarding", "甲县", "met"),
    ("boarding", "乙县", "behind"),
    ("boarding", "全市", "behind"),
    ("recruited", "全市", "no_data"),
    ("schedule", "甲县", "met"),
    ("schedule", "乙县", "behind"),
    ("schedule", "丙县", "on_track"),
    ("schedule", "丁县", "no_data"),
    ("provincial", "丙县", "behind"),
    ("third", "全市", "met"),
    ("two_thirds", "全市", "on_track"),
    ("all", "全市", "behind"),
])
def test_plan_status_on_hand_made_targets(status, target, scope, expected):
    assert status.loc[(target, scope), "status"] == expected, status.loc[(target, scope), "reason"]


def test_status_figures_and_reasons(status):
    places = status.loc[("places", "全市")]
    assert (places["actual"], places["target_to_date"], places["target"]) == (440.0, 400.0, 500.0)
    assert places["as_of"] == 2024 and places["status_label"] == "按计划推进"
    classes = status.loc[("large_classes", "甲县")]
    assert (classes["actual"], classes["target_to_date"]) == (10.0, 12.0)
    assert "2021年无可比数据" in classes["reason"]          # a fall needs the year before
    assert status.loc[("backbone_130", "全市"), "target_to_date"] == pytest.approx(110.0)
    assert status.loc[("third", "全市"), "actual"] == pytest.approx(100 / 3)
    assert "甲县" in status.loc[("third", "全市"), "reason"]
    assert status.loc[("schedule", "甲县"), "actual"] == 2021.0
    assert "2025年" in status.loc[("schedule", "丙县"), "reason"]   # the projected pass year
    assert "丁县" in status.loc[("schedule", "丁县"), "reason"]
    assert pd.isna(status.loc[("places", "全市"), "county"]) and status.loc[("schedule", "甲县"), "county"] == "甲县"


def test_status_as_of_an_earlier_year(assessment, plan_file):
    early = plan_status(assessment, plan_file, year=2022).set_index(["target_id", "scope"])
    assert early.loc[("places", "全市"), "actual"] == 220.0 and early.loc[("places", "全市"), "status"] == "on_track"
    assert early.loc[("schedule", "甲县"), "status"] == "met"          # passed in 2021, before its 2023


def test_a_plan_for_a_city_not_in_the_data_has_no_data(assessment):
    other = plan_status(assessment, "濮阳市")
    assert (other["status"] == "no_data").all() and other["reason"].str.contains("数据中没有濮阳市").all()
    assert plan_status(assessment).empty          # no shipped plan covers 测试市


def test_plan_actuals_year_by_year(assessment, plan_file):
    rows = plan_actuals(assessment, plan_file)
    classes = rows[rows["target_id"] == "large_classes"].set_index("year")
    assert classes["actual"].tolist()[1:] == [5.0, 3.0, 2.0] and pd.isna(classes.loc[2021, "actual"])
    assert classes["actual_to_date"].tolist()[1:] == [5.0, 8.0, 10.0]
    places = rows[rows["target_id"] == "places"].set_index("year")
    assert places.index.tolist() == [2021, 2022, 2023, 2024, 2025]      # the plan's years, data or not
    assert pd.isna(places.loc[2025, "actual"]) and places.loc[2025, "planned"] == 100.0


# --- plan files ----------------------------------------------------------------------------------

def _write(tmp_path, text, name="坏规划.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


HEAD = 'city = "测试市"\nstart = 2021\n'


@pytest.mark.parametrize("body, message", [
    ('[[targets]]\nid = "a"\nkind = "level"\nlabel = "x"\nmeasure = "new_places"\nyear = 2025\nvalu = 3\n',
     "targets #1 ('a'): unknown key 'valu'"),
    ('[[targets]]\nid = "a"\nkind = "yearly"\nlabel = "x"\nmeasure = "new_place"\nyearly = { 2021 = 1 }\n',
     "unknown measure 'new_place'"),
    ('[[targets]]\nid = "a"\nkind = "annual"\nlabel = "x"\n', "'kind' must be one of"),
    ('[[targets]]\nid = "a"\nkind = "total"\nlabel = "x"\nmeasure = "new_places"\nyear = 2025\nvalue = 36\n'
     'by_county = { "甲县" = 11, "乙县" = 2 }\n', "'value' 36 differs from the sum of 'by_county' (13)"),
    ('[[targets]]\nid = "a"\nkind = "level"\nlabel = "x"\nmeasure = "consolidation_rate"\nyear = 2025\nvalue = 96\n',
     "is a rate and cannot be summed"),
    ('[[targets]]\nid = "a"\nkind = "certified_share"\nlabel = "x"\nshare = 1.5\nyear = 2025\n', "'share' must be"),
    ('[[targets]]\nid = "a"\nkind = "certification"\nlabel = "x"\nyear = 2025\n', "give 'county' and 'year'"),
    ('[[targets]]\nid = "a"\nkind = "yearly"\nlabel = "x"\nmeasure = "new_places"\nyearly = { 2019 = 1 }\n',
     "before the plan's start 2021"),
    ('[[targets]]\nid = "a"\nkind = "certified_share"\nlabel = "x"\nshare = 1\nyear = 2030\n'
     '[[targets]]\nid = "a"\nkind = "certified_share"\nlabel = "y"\nshare = 1\nyear = 2030\n',
     "target id 'a' is used more than once"),
])
def test_invalid_plan_files_name_the_file_and_the_key(tmp_path, body, message):
    path = _write(tmp_path, HEAD + body)
    with pytest.raises(ProfileError) as err:
        load_plan(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_plan_file_problems_outside_targets(tmp_path):
    with pytest.raises(ProfileError, match="lacks 'city'"):
        load_plan(_write(tmp_path, 'start = 2021\ntargets = []\n'))
    with pytest.raises(ProfileError, match="not valid TOML"):       # Chinese keys must be quoted in TOML
        load_plan(_write(tmp_path, HEAD + '[[targets]]\nby_county = { 甲县 = 1 }\n'))
    with pytest.raises(ProfileError, match="unknown plan '不存在'"):
        load_plan("不存在")


def test_the_shipped_plans_hold_the_seed_figures():
    puyang = {t.id: t for t in load_plan("濮阳市").targets}
    assert [sum(puyang[k].yearly.values()) for k in ("schools_built", "new_places", "large_schools",
                                                    "large_classes")] == [101, 112100, 28, 1200]
    assert puyang["large_classes"].yearly == {2021: 356, 2022: 244, 2023: 329, 2024: 205, 2025: 66}
    assert sum(puyang["rural_boarding_new"].by_county.values()) == 36 == puyang["rural_boarding_new"].value
    assert (puyang["rural_boarding_total"].value, puyang["teachers_recruited"].value) == (281, 4300)
    assert (puyang["backbone_provincial_city"].value, puyang["backbone_county_level"].value) == (12000, 18000)
    assert str(puyang["certified_third_2025"].share) == "1/3"
    hohhot = {t.id: t for t in load_plan("呼和浩特市").targets}
    assert hohhot["schedule"].by_county == {"玉泉区": 2022, "武川县": 2022, "清水河县": 2023, "赛罕区": 2024,
                                            "新城区": 2024, "土默特左旗": 2025, "回民区": 2025, "和林格尔县": 2026,
                                            "托克托县": 2026}
    assert float(hohhot["certified_tenth_2022"].share) == 0.1


def test_planned_certification_year(plan_file):
    assert planned_certification_year("呼和浩特市", "玉泉区") == 2022
    assert planned_certification_year("淄博市", "桓台县") == 2025
    assert planned_certification_year("淄博市", "桓台县", level="provincial") == 2024
    assert planned_certification_year("濮阳市", "清丰县") == 2030     # "all counties by 2030"
    assert planned_certification_year("测试市", "丙县", plans=plan_file) == 2026
    assert planned_certification_year("测试市", "戊县") is None


def test_demo_plans_reproduce():
    """Same seed, same plan status table; the demo carries the figures the 濮阳市 targets need."""
    demo = pytest.importorskip("quality_balance.demo")
    from quality_balance.report.notebook import subset_dataset

    def run():  # three years keep the test short; the plan is judged as of 2023
        data = demo.generate(seed=7, years=range(2021, 2024))
        return plan_status(qb.assess(subset_dataset(data, city="濮阳市")))
    first, second = run(), run()
    pd.testing.assert_frame_equal(first, second)
    assert set(first["plan"]) == {"濮阳市"} and (first["as_of"] == 2023).all()
    # one row per target, the boarding-school target once per county named and once for the city
    assert len(first) == len(load_plan("濮阳市").targets) + 6
    by_id = first[first["scope"] == "全市"].set_index("target_id")["status"]
    assert (by_id[["schools_built", "new_places", "large_classes", "teachers_recruited"]] != "no_data").all()


def test_plan_versus_actual_chart(assessment, plan_file, tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from quality_balance.report.progress_charts import plot_plan_vs_actual

    rows = plan_actuals(assessment, plan_file)
    fig = plot_plan_vs_actual(rows, "large_classes", scope="甲县")
    bars, cum = fig.axes[:2]
    heights = [p.get_height() for p in bars.patches]
    assert heights == [0.0, 4.0, 4.0, 4.0, 0.0, 5.0, 3.0, 2.0]      # planned, then actual (2021: 无数据)
    assert any(t.get_text() == "无数据" for t in bars.texts)
    lines = {line.get_label(): line for line in cum.get_lines()}
    assert list(lines["累计实际"].get_ydata()) == [5.0, 8.0, 10.0]
    level = plot_plan_vs_actual(rows, "backbone_130")
    assert any("目标 ≥130" in t.get_text() for t in level.axes[0].get_legend().get_texts())
    with pytest.raises(KeyError, match="places"):
        plot_plan_vs_actual(rows, "places", scope="甲县")
    fig.savefig(tmp_path / "plan.png")


def test_status_from_a_progress_table_and_projection_the_caller_has_is_the_same(assessment, plan_file):
    table = qb.progress(assessment)
    projection = qb.project(table)
    for year in (None, 2022):
        plain = plan_status(assessment, plan_file, year=year)
        reused = plan_status(assessment, plan_file, year=year, progress_table=table, projection=projection)
        pd.testing.assert_frame_equal(reused, plain)


def test_the_projection_given_serves_only_targets_judged_in_the_last_year(assessment, plan_file):
    """A doctored projection (every projected year one later) shows where it is used: 丙县's schedule, judged
    in the last year (2025 projected), reads 2026; judged as of 2022 it is projected afresh, unchanged."""
    table = qb.progress(assessment)
    projection = qb.project(table)
    later = projection.summary.assign(projected_year=projection.summary["projected_year"] + 1)
    doctored = dataclasses.replace(projection, summary=later)
    plain = plan_status(assessment, plan_file).set_index(["target_id", "scope"])
    changed = plan_status(assessment, plan_file, progress_table=table, projection=doctored).set_index(
        ["target_id", "scope"])
    assert "2025年" in plain.loc[("schedule", "丙县"), "reason"]
    assert "2026年" in changed.loc[("schedule", "丙县"), "reason"]
    early = plan_status(assessment, plan_file, year=2022)
    pd.testing.assert_frame_equal(plan_status(assessment, plan_file, year=2022, progress_table=table,
                                              projection=doctored), early)


def test_a_projection_at_another_level_or_horizon_is_refused(assessment, plan_file):
    table = qb.progress(assessment)
    for other in (qb.project(table, level=0.8), qb.project(table, horizon=2035)):
        with pytest.raises(CalculationError, match="'projection' was made with horizon"):
            plan_status(assessment, plan_file, progress_table=table, projection=other)
