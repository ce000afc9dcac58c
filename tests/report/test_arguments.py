"""Arguments checked at the edges (issue 9, item 4): a county, city or year the result does not hold,
given to any table, chart, notebook helper, ``profile_of`` or ``gap_to_pass``, is an
``UnknownNameError`` naming it, listing the known ones and suggesting the closest."""
import inspect

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

import quality_balance as qb  # noqa: E402
from quality_balance.errors import (InputError, ProfileError, UnknownInputNameError, UnknownNameError,  # noqa: E402
                                    require_known, require_place, suggest)
from quality_balance.method.assessment import Assessment  # noqa: E402
from quality_balance.planning import gap, tracking  # noqa: E402
from quality_balance.report import charts, notebook, progress_charts, tables  # noqa: E402

CITY, COUNTY, YEAR = "濮阳市", "清丰县", 2025
BAD = {"county": ("清丰具", COUNTY), "city": ("濮阳", CITY), "year": (2031, YEAR)}


@pytest.fixture(scope="module")
def r(demo_assessment):
    """The demo assessment and the tables derived from it that the report functions take."""
    a = demo_assessment
    progress = qb.progress(a)

    class R:
        pass

    out = R()
    out.a, out.progress, out.projection = a, progress, qb.project(progress)
    out.gap = qb.gap_to_pass(a, COUNTY, YEAR)
    out.status, out.actuals = qb.plan_status(a), qb.plan_actuals(a)
    out.min_ratio = a.profile_of(COUNTY).get("resources.school_rule.min_ratio_of_miss")
    out.school = str(a.resources.values.loc[a.resources.values["county"] == COUNTY, "school_id"].iloc[0])
    return out


# name → (the selection parameters it takes, a call with the selection ``s``: dict of county, city, year)
CASES = {
    "tables.verdict_table": ("county city", lambda r, s: tables.verdict_table(r.a.verdicts, s["county"], s["city"])),
    "tables.verdict_overview": ("city", lambda r, s: tables.verdict_overview(r.a.verdicts, s["city"])),
    "tables.cv_table": ("county city", lambda r, s: tables.cv_table(r.a.cv, s["county"], s["city"])),
    "tables.school_indicator_table": ("county city year", lambda r, s: tables.school_indicator_table(
        r.a.resources.values, r.a.units, s["county"], s["year"], r.min_ratio, s["city"])),
    "tables.failing_schools": ("county city year", lambda r, s: tables.failing_schools(
        r.a.units, s["county"], s["year"], s["city"])),
    "tables.item_year_table": ("county city", lambda r, s: tables.item_year_table(
        r.a.items, s["county"], "guarantee", s["city"])),
    "tables.item_reasons": ("county city year", lambda r, s: tables.item_reasons(
        r.a.items, s["county"], s["year"], "quality", s["city"])),
    "tables.recognition_view": ("county city year", lambda r, s: tables.recognition_view(
        r.a.recognition, s["county"], s["year"], s["city"], places=r.a)),
    "tables.item_statuses": ("county city", lambda r, s: tables.item_statuses(
        r.a.items, s["county"], "guarantee", s["city"])),
    "tables.item_problems": ("county city", lambda r, s: tables.item_problems(
        r.a.items, s["county"], "guarantee", s["city"])),
    "tables.verdict_explained": ("county city", lambda r, s: tables.verdict_explained(
        r.a.verdicts, r.a.items, s["county"], s["city"])),
    "tables.shortfall_view": ("county city year", lambda r, s: tables.shortfall_view(
        r.a.shortfalls, s["county"], s["year"], s["city"], places=r.a)),
    "tables.verdict_reasons": ("county city", lambda r, s: tables.verdict_reasons(
        r.a.verdicts, s["county"], s["city"])),
    "tables.shortfall_table": ("county city year", lambda r, s: tables.shortfall_table(
        r.a.shortfalls, s["county"], s["year"], s["city"], places=r.a)),
    "tables.city_verdict_table": ("city", lambda r, s: tables.city_verdict_table(r.a.verdicts, s["city"])),
    "tables.city_dimension_table": ("city year", lambda r, s: tables.city_dimension_table(
        r.a.verdicts, s["city"], s["year"])),
    "tables.closeness_ranking": ("city year", lambda r, s: tables.closeness_ranking(
        r.a.items, r.a.verdicts, r.a.resources.counties, s["city"], s["year"])),
    "tables.certification_table": ("city", lambda r, s: tables.certification_table(
        r.a.verdicts, s["city"], r.a.dataset.counties)),
    "tables.school_influence": ("year", lambda r, s: tables.school_influence(
        r.a.resources.influence, r.school, s["year"])),
    "tables.progress_measures": ("county city", lambda r, s: tables.progress_measures(
        r.progress, s["county"], city=s["city"])),
    "tables.projection_table": ("county city", lambda r, s: tables.projection_table(
        r.projection, s["county"], s["city"])),
    "tables.plan_status_table": ("city", lambda r, s: tables.plan_status_table(
        r.status, "全市", s["city"], places=r.a)),
    "tables.plan_actuals_table": ("city", lambda r, s: tables.plan_actuals_table(
        r.actuals, "全市", s["city"], places=r.a)),
    "tables.verdict_comparison": ("county city year", lambda r, s: tables.verdict_comparison(
        r.a.verdicts, r.a.verdicts, s["county"], s["year"], s["city"])),
    "charts.plot_cv_by_year": ("county city", lambda r, s: charts.plot_cv_by_year(r.a.cv, s["county"], s["city"])),
    "charts.plot_school_misses": ("county city year", lambda r, s: charts.plot_school_misses(
        r.a.resources.values, r.a.units, s["county"], s["year"], r.min_ratio, s["city"])),
    "charts.plot_recognition": ("county city year", lambda r, s: charts.plot_recognition(
        r.a.recognition, s["county"], s["year"], s["city"], places=r.a)),
    "progress_charts.plot_progress": ("county city", lambda r, s: progress_charts.plot_progress(
        r.progress, s["county"], ["Q1"], r.projection, s["city"])),
    "progress_charts.plot_county_progress": ("county city", lambda r, s: progress_charts.plot_county_progress(
        r.progress, s["county"], r.projection, max_n=2, city=s["city"])),
    "notebook.subset_dataset": ("county city", lambda r, s: notebook.subset_dataset(
        r.a.dataset, s["city"], s["county"])),
    "notebook.planned_certification_years": ("city", lambda r, s: notebook.planned_certification_years(
        r.a.verdicts, s["city"])),
    "notebook.profile_values": ("city", lambda r, s: notebook.profile_values(
        r.a, "certification.min_years_after_basic", s["city"])),
    "notebook.earliest_application_year": ("county city", lambda r, s: notebook.earliest_application_year(
        r.a.dataset, s["county"], r.a.profile_of("清丰县"), s["city"])),
    "notebook.gap_summary": ("county year", lambda r, s: notebook.gap_summary(r.gap, s["county"], s["year"])),
    "notebook.show_gap": ("county year", lambda r, s: notebook.show_gap(
        r.gap, s["county"], s["year"], r.a.profile_of(COUNTY))),
    "notebook.headline_results": ("county city", lambda r, s: notebook.headline_results(
        r.a, county=s["county"], city=s["city"])),
    "notebook.record_headline": ("county city", lambda r, s: notebook.record_headline(
        r.a, county=s["county"], city=s["city"])),
    "Assessment.profile_of": ("county city", lambda r, s: r.a.profile_of(s["county"], city=s["city"])),
    "gap.gap_to_pass": ("county year", lambda r, s: qb.gap_to_pass(r.a, s["county"], s["year"])),
    "tracking.plan_status": ("year", lambda r, s: qb.plan_status(r.a, year=s["year"])),
}
#: Public functions with a county/city/year parameter that check nothing, and why.
EXEMPT = {
    "tables.select_place": "the plain filter every table uses; it returns the rows that match, possibly none",
    "tracking.planned_certification_year": "asks the plans, not a result: a place no plan names gives None",
    "notebook.county_report": "reads a data folder or slice and checks through subset_dataset, as the notebooks did "
                              "(UnknownInputNameError: tests/report/test_report_bundle.py)",
    "notebook.city_report": "as notebook.county_report",
}
CHECKED = [(name, parameter) for name, (parameters, _) in CASES.items() for parameter in parameters.split()]


def _selection(**bad) -> dict:
    return {"county": COUNTY, "city": CITY, "year": YEAR, **bad}


@pytest.mark.parametrize("name", list(CASES))
def test_a_valid_selection_is_accepted(r, name):
    CASES[name][1](r, _selection())


@pytest.mark.parametrize("name,parameter", CHECKED)
def test_an_unknown_selection_names_it_and_suggests_the_closest(r, name, parameter):
    bad, closest = BAD[parameter]
    with pytest.raises(UnknownNameError) as err:
        CASES[name][1](r, _selection(**{parameter: bad}))
    message = str(err.value)
    assert err.value.parameter == parameter and err.value.value == bad and err.value.suggestion == closest
    assert f"参数 {parameter}" in message and str(bad) in message and f"是否指“{closest}”" in message
    assert isinstance(err.value, (qb.QualityBalanceError, KeyError))


def test_the_message_is_chinese_first_and_lists_the_known_counties(demo_assessment):
    with pytest.raises(qb.UnknownNameError) as err:
        tables.cv_table(demo_assessment.cv, "清丰具")       # was a numpy UFuncTypeError
    zh, en = str(err.value).split("\n")
    assert zh.startswith("评估结果中没有县区“清丰具”（参数 county），是否指“清丰县”？已有的县区（共 17 个）：")
    assert "台前县" in zh and "赛罕区" in zh and en == "unknown county '清丰具'; did you mean '清丰县'?"


def test_a_county_of_another_city_is_unknown_there(demo_assessment):
    with pytest.raises(UnknownNameError, match="（濮阳市）中没有县区“赛罕区”.*共 6 个"):
        tables.verdict_table(demo_assessment.verdicts, "赛罕区", city="濮阳市")


def test_a_known_county_without_rows_keeps_its_empty_result(r):
    # 武川县 passes in 2025: no shortfall, so the shortfall list has no row for it; that is a finding
    assert tables.shortfall_table(r.a.shortfalls, "武川县", 2025, places=r.a).empty
    assert tables.shortfall_table(r.a.shortfalls, "武川县", 2025).empty
    # without places, a table that lists only some places cannot tell, and filters as before
    assert tables.shortfall_table(r.a.shortfalls, "清丰具", 2025).empty
    assert tables.plan_status_table(r.status, "华龙区", places=r.a).data.empty   # no plan names 华龙区
    assert tables.failing_schools(r.a.units, "武川县", 2025).empty
    assert tables.item_reasons(r.a.items, "武川县", 2025, only_problems=True).empty


def test_profile_of_is_a_key_error_too_as_before(demo_assessment):
    with pytest.raises(KeyError, match="清丰县"):
        demo_assessment.profile_of("清丰具")
    assert demo_assessment.profile_of("桓台县").name == "桓台县"
    with pytest.raises(UnknownNameError, match="“清丰县”.*（参数 county）"):
        demo_assessment.profile_of("清丰县", city="淄博市")


def test_subset_dataset_error_is_also_an_input_error_with_a_fix(demo_data):
    with pytest.raises(InputError) as err:
        notebook.subset_dataset(demo_data, county="清丰具")
    assert isinstance(err.value, UnknownInputNameError)
    problem, = err.value.problems
    assert problem.column == "county" and problem.value == "清丰具" and problem.fix == "改为“清丰县”"
    with pytest.raises(UnknownInputNameError, match="first_year = 2031.*是否指 2025"):
        notebook.subset_dataset(demo_data, county=COUNTY, first_year=2031)
    with pytest.raises(UnknownInputNameError, match="last_year = 2019.*是否指 2021"):
        notebook.subset_dataset(demo_data, last_year=2019)
    assert notebook.subset_dataset(demo_data, county=COUNTY, first_year=2019, last_year=2021).schools[
        "year"].unique().tolist() == [2021]                 # a range wider than the data is fine


def test_other_codes_are_checked_too(r):
    with pytest.raises(UnknownNameError, match="是否指“guarantee”"):
        tables.item_year_table(r.a.items, COUNTY, "guarante")
    with pytest.raises(UnknownNameError, match="学校标识码“no-such-school”"):
        tables.school_detail(r.a.resources.values, "no-such-school")
    with pytest.raises(KeyError):                          # as before
        charts.plot_school_trend(r.a.resources.values, "no-such-school")
    with pytest.raises(UnknownNameError, match="参数 measures"):
        progress_charts.plot_progress(r.progress, COUNTY, ["Q1", "Q99"])
    with pytest.raises(UnknownNameError, match="是否指“yearly”"):
        progress_charts.plot_plan_targets(r.actuals, kinds=("yeraly",))
    with pytest.raises(UnknownNameError, match="是否指“national”"):
        qb.planned_certification_year(CITY, COUNTY, level="nation")
    with pytest.raises(UnknownNameError, match="数据中没有年份 2031"):
        qb.assess(r.a.dataset, years=[2031])


def test_an_unknown_profile_setting_is_a_profile_error_with_the_closest():
    profile = qb.load_profile("national")
    with pytest.raises(ProfileError) as err:
        profile.get("resources.cv_limt.primary")
    assert isinstance(err.value, UnknownNameError) and err.value.suggestion == "resources.cv_limit"
    assert "resources.cv_limt.primary" in str(err.value) and "resources.school_rule" in str(err.value)


def test_suggest_and_require_known_at_their_limits():
    assert suggest("清丰具", ["清丰县", "南乐县"]) == "清丰县"
    assert suggest("上海市", ["清丰县", "南乐县"]) is None
    assert suggest(2031, [2021, 2025]) == 2025 and suggest(2019, [2021, 2025]) == 2021
    assert suggest("2025", [2024, 2025]) == 2025 and suggest(" 清丰县", ["清丰县"]) == "清丰县"
    assert require_known(2025.0, [2025], parameter="year", what="年份") == 2025.0
    many = [f"县{i:02d}" for i in range(25)]
    with pytest.raises(UnknownNameError) as err:
        require_known("不存在", many, parameter="county", what="县区")
    assert "（共 25 个）" in str(err.value) and "县19 等（共 25 个）" in str(err.value) and "县20" not in str(err.value)
    with pytest.raises(UnknownNameError, match="没有任何县区"):
        require_known("甲县", [], parameter="county", what="县区")
    with pytest.raises(UnknownNameError):                  # a list given for one name: no TypeError
        require_known(["甲县"], ["甲县"], parameter="county", what="县区")
    import pandas as pd

    t = pd.DataFrame({"city": ["甲市", "乙市"], "county": ["A县", "B县"], "year": [2024, 2025]})
    require_place(t, city="甲市", county="A县", year=2024)
    with pytest.raises(UnknownNameError, match="年份 2025 .*共 1 个）：2024"):
        require_place(t, county="A县", year=2025)             # A县 has no 2025, though B县 has


def _functions_with_a_selection():
    """Every public function of the report modules (and the planning entry points) taking county/city/year."""
    modules = {"tables": tables, "charts": charts, "progress_charts": progress_charts, "notebook": notebook,
               "gap": gap, "tracking": tracking}
    found = {f"{label}.{name}" for label, module in modules.items() for name in module.__all__
             if inspect.isfunction(getattr(module, name, None))
             and {"county", "city", "year"} & set(inspect.signature(getattr(module, name)).parameters)}
    for name, member in inspect.getmembers(Assessment, inspect.isfunction):
        if {"county", "city", "year"} & set(inspect.signature(member).parameters):
            found.add(f"Assessment.{name}")
    return found


def test_every_function_taking_a_county_city_or_year_is_checked():
    found = _functions_with_a_selection()
    assert found - set(CASES) - set(EXEMPT) == set(), "add the new function to CASES (and check its arguments)"
    assert set(CASES) | set(EXEMPT) >= found and len(found) >= 30
    for name in CASES:                                     # every parameter a function takes is tried
        label, _, function = name.partition(".")
        owner = {"Assessment": Assessment}.get(label) or globals()[label]
        taken = {"county", "city", "year"} & set(inspect.signature(getattr(owner, function)).parameters)
        assert taken == set(CASES[name][0].split()), name


def _run(notebook_name, tmp_path, **parameters):
    import papermill

    from quality_balance.report.render import NOTEBOOK_DIR
    from tests.report.test_render import _write_data

    data = _write_data(tmp_path / "data")
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(str(NOTEBOOK_DIR / notebook_name), str(tmp_path / "out.ipynb"),
                                   parameters=dict(data_dir=str(data), demo_fallback=False, **parameters),
                                   kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    return err.value


def test_county_report_stops_at_its_first_cell_for_an_unknown_county(tmp_path):
    error = _run("county_report.ipynb", tmp_path, city="测试市", county="甲具")
    assert error.ename == "UnknownInputNameError" and "“甲具”" in error.evalue and "是否指“甲县”" in error.evalue
    assert "county_report(" in error.source and "tables." not in error.source   # the data cell, before any table


def test_city_overview_stops_at_its_first_cell_for_an_unknown_city(tmp_path):
    error = _run("city_overview.ipynb", tmp_path, city="测试")
    assert error.ename == "UnknownInputNameError" and "是否指“测试市”" in error.evalue
    assert "city_report(" in error.source and "tables." not in error.source


def test_an_unknown_profile_or_plan_name_suggests_the_closest():
    with pytest.raises(ProfileError, match="是否指“national”"):
        qb.load_profile("nationl")
    with pytest.raises(ProfileError, match="是否指“濮阳市”"):
        qb.load_plan("濮阳")


def test_missing_values_are_no_names_and_numpy_values_read_plainly():
    import numpy as np
    import pandas as pd

    with pytest.raises(UnknownNameError) as err:
        require_known(2031, np.array([2024, 2025]), parameter="year", what="年份")
    assert err.value.suggestion == 2025 and type(err.value.suggestion) is int and "np." not in str(err.value)
    with pytest.raises(UnknownNameError, match="（共 1 个）：甲县"):
        require_known("乙县", ["甲县", None, float("nan"), pd.NA], parameter="county", what="县区")
