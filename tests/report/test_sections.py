"""The issue-5 report sections: progress charts, projections, plan versus actual, the gap to pass.

Hand-made progress, projection, plan and verdict tables (and small assessments built
with ``builders``) checked against what the county report and the city overview show.
"""
import matplotlib

matplotlib.use("Agg")
import re  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import quality_balance as qb  # noqa: E402
from tests.builders import dataset, school  # noqa: E402
from quality_balance.report import progress_charts, tables  # noqa: E402
from quality_balance.planning.projection import OUTCOME_LABELS  # noqa: E402
from quality_balance.planning.tracking import PLAN_STATUS_LABELS  # noqa: E402
from quality_balance.report.notebook import (SYNTHETIC_MARK_COLOR, cost_note, gap_summary, mark_synthetic,  # noqa: E402
                                    planned_certification_years, profile_values, projection_note, show_figures,
                                    show_gap)

YEARS = [2021, 2022, 2023, 2024, 2025]


def _series(measure, values, threshold, direction=">=", counts=True, county="甲县", label=None, unit="%",
            source="item"):
    """Progress rows of one measure over 2021–2025 (None = no data that year)."""
    values = [np.nan if v is None else float(v) for v in values]
    ops = {">=": np.greater_equal, "<=": np.less_equal}
    met = [pd.NA if v != v else bool(ops[direction](v, threshold)) for v in values]
    return pd.DataFrame({
        "city": "测试市", "county": county, "year": YEARS[:len(values)], "measure": measure,
        "label": label or f"{measure} 名称", "dimension": "guarantee", "source": source, "stage": None,
        "indicator": None, "value": values, "threshold": float(threshold), "direction": direction, "unit": unit,
        "status": ["no_data" if m is pd.NA else "met" if m else "not_met" for m in met],
        "met": pd.array(met, dtype="boolean"), "counts": counts, "numeric": True,
        "first_year_met": pd.NA, "slipped_back": False})


@pytest.fixture(scope="module")
def progress():
    """甲县: A 50→70 of ≥100 (30% short), B 3 failing schools of ≤0 (100%), C 0.60→0.55 of ≤0.5 (10%),
    D met since 2023 (fixed), E met since 2024 after slipping back, F always met, G not counting,
    H without data in 2025, and a status-only item; 乙县 has a wider gap that must not show up."""
    parts = [
        _series("A", [50, 55, 60, 65, 70], 100),
        _series("B", [7, 6, 5, 4, 3], 0, "<=", unit="所"),
        _series("C", [0.60, 0.59, 0.57, 0.56, 0.55], 0.5, "<=", unit="", source="cv"),
        _series("D", [80, 90, 100, 100, 100], 100),
        _series("E", [100, 90, 95, 100, 100], 100),
        _series("F", [100] * 5, 100),
        _series("G", [10] * 5, 100, counts=False),
        _series("H", [10, 20, 30, 40, None], 100),
        _series("A", [1, 1, 1, 1, 1], 100, county="乙县"),
    ]
    status_only = _series("Z", [None] * 5, 0).assign(numeric=False, value=np.nan, threshold=np.nan, direction=None,
                                                       status="not_met", met=pd.array([False] * 5, dtype="boolean"))
    return pd.concat(parts + [status_only], ignore_index=True)


# --- which measures a progress chart shows ---------------------------------------------------------

def test_progress_measures_lists_failing_by_gap_then_recently_fixed(progress):
    # failing: B (100%), A (30%), C (10%); fixed: E (since 2024), D (since 2023); F always met, G does not
    # count, H has no 2025 value, Z is status only, 乙县 is another county
    assert tables.progress_measures(progress, "甲县", max_n=None) == ["B", "A", "C", "E", "D"]
    assert tables.progress_measures(progress, "甲县", max_n=2) == ["B", "A"]
    with pytest.raises(qb.UnknownNameError, match="丙县"):  # a county not in the table (issue 9: not [])
        tables.progress_measures(progress, "丙县")


def test_county_progress_chart_has_one_panel_per_measure_or_none(progress):
    projection = qb.project(progress)
    figures = progress_charts.plot_county_progress(progress, "甲县", projection, max_n=4)
    assert len(figures) == 1 and isinstance(figures[0], Figure)
    visible = [ax for ax in figures[0].axes if ax.get_visible()]
    assert [ax.get_title().split("\n")[0] for ax in visible] == ["B 名称", "A 名称", "C 名称", "E 名称"]
    always_met = progress[progress["measure"] == "F"]
    assert progress_charts.plot_county_progress(always_met, "甲县") == []


# --- projections ----------------------------------------------------------------------------------

def test_projection_table_lists_unmet_counting_measures_labelled_as_projections(progress):
    projection = qb.project(progress)
    table = tables.projection_table(projection, "甲县")
    # A rises 5 a year from 70: reaches 100 in 2031, after the 2030 horizon; B falls 1 a year from 3: 0 in 2028;
    # C falls ~0.0125 a year from 0.55: ≤ 0.5 in 2029 (fitted 0.5005 in 2028); H has no value in 2025;
    # Z is a yes/no item: listed, as not projectable
    assert table.index.tolist() == ["B", "C", "A", "H", "Z"]
    assert table.loc["Z", "预测结论"] == OUTCOME_LABELS["not_numeric"]
    assert table.loc["B", "预测达标年份"] == "2028年" and table.loc["B", "最近一年实际值"] == "3"
    assert table.loc["B", "标准"] == "≤ 0" and table.loc["B", "预测结论"] == "预计达标"
    assert table.loc["C", "最近一年实际值"] == "0.550" and table.loc["C", "预测达标年份"] == "2029年"
    assert table.loc["A", "预测达标年份"] == "—" and "2030年前无法达标" in table.loc["A", "预测结论"]
    assert table.loc["H", "90%预测区间（年份）"] == "—"
    # B is an exact line: no spread, the interval is the projected year itself
    assert table.loc["B", "90%预测区间（年份）"] == "2028年—2028年"
    # every column about the future says so
    assert [c for c in table.columns if "预测" in c] == ["预测结论", "预测达标年份", "90%预测区间（年份）",
                                                       "预测方法与说明"]
    with pytest.raises(qb.UnknownNameError, match="丙县"):  # a county not in the table (issue 9: not empty)
        tables.projection_table(projection, "丙县")


def test_projection_note_names_the_method_level_and_horizon(progress):
    note = projection_note(qb.project(progress, horizon=2032, level=0.8))
    assert "预测" in note and "不是实际" in note and "OLS" in note and "80% 预测区间" in note and "2032" in note


def _verdicts(rows):
    return pd.DataFrame([dict(city="测试市", county=c, year=y, overall=o) for c, y, o in rows])


def test_certification_table_shows_plan_wait_and_projection():
    verdicts = _verdicts([("甲县", 2024, "not_met"), ("甲县", 2025, "met"),
                          ("乙县", 2024, "not_met"), ("乙县", 2025, "not_met"),
                          ("丙县", 2024, "not_met"), ("丙县", 2025, "not_met")])
    counties = pd.DataFrame({"city": "测试市", "county": ["甲县", "乙县", "丙县"], "year": 2025,
                             "basic_balance_year": [2015, 2016, 2020]})
    projected = pd.DataFrame({"city": "测试市", "county": ["甲县", "乙县", "丙县"],
                              "status": ["met", "projected", "unpredictable"],
                              "year": pd.array([2025, 2027, pd.NA], dtype="Int64"),
                              "note": ["自2025年起达标", "预测2027年达标", "无法预测：Q5"]})
    table = tables.certification_table(verdicts, "测试市", counties, planned={"甲县": 2025, "乙县": 2026},
                                       min_years_after_basic={"甲县": 3, "乙县": 3, "丙县": 4}, projected=projected)
    table = table.loc[["甲县", "乙县", "丙县"]]
    assert table["最早可申报年份"].tolist() == ["2018年", "2019年", "2024年"]
    assert table["计划认定年份"].tolist() == ["2025年", "2026年", "—"]
    assert table["对照"].tolist() == ["已按期达标", "尚未达标", "尚未达标"]
    assert table["预测达标年份"].tolist() == ["已达标（实际）", "2027年（预测）", "无法预测"]
    assert table["预测说明"].tolist() == ["自2025年起达标", "预测2027年达标", "无法预测：Q5"]
    # one number for every county, and no projection: the table of issue 4
    plain = tables.certification_table(verdicts, "测试市", counties, min_years_after_basic=3).loc[["甲县", "丙县"]]
    assert plain["最早可申报年份"].tolist() == ["2018年", "2023年"] and "预测达标年份" not in plain


def test_planned_certification_years_come_from_the_shipped_plans():
    verdicts = _verdicts([("赛罕区", 2025, "met"), ("和林格尔县", 2025, "not_met"), ("不在规划中", 2025, "met")])
    verdicts["city"] = "呼和浩特市"
    # 和林格尔县 is scheduled for 2026; a district the plan does not name falls under "all by 2030"
    assert planned_certification_years(verdicts, "呼和浩特市") == {"赛罕区": 2024, "和林格尔县": 2026,
                                                                 "不在规划中": 2030}
    assert planned_certification_years(verdicts.assign(city="测试市"), "测试市") == {}


def test_profile_values_read_each_countys_profile(tmp_path):
    path = tmp_path / "等待五年.toml"
    path.write_text('name = "等待五年"\nparent = "national"\n[certification]\nmin_years_after_basic = 5\n',
                    encoding="utf-8")
    data = dataset([school(school_id="A"), school(school_id="B", county="乙县")])
    assert profile_values(qb.assess(data), "certification.min_years_after_basic") == {"甲县": 3, "乙县": 3}
    assert profile_values(qb.assess(data, profile=path), "certification.min_years_after_basic", "测试市") == \
        {"甲县": 5, "乙县": 5}
    with pytest.raises(qb.UnknownNameError, match="另一市"):  # a city not assessed (issue 9: not {})
        profile_values(qb.assess(data), "certification.min_years_after_basic", "另一市")


# --- plan versus actual ---------------------------------------------------------------------------

def _status():
    base = dict(plan="测试规划", city="测试市", as_of=2025, target_to_date=np.nan, reason="说明")
    rows = [
        dict(base, scope="全市", county=None, target_id="share", kind="certified_share", label="三分之一的县通过",
             unit="%", deadline=2025, target=100 / 3, actual=50.0, status="met"),
        dict(base, scope="全市", county=None, target_id="classes", kind="yearly", label="消除大班额", unit="个",
             deadline=2025, target=1200.0, target_to_date=844.0, actual=748.0, status="behind"),
        dict(base, scope="甲县", county="甲县", target_id="cert", kind="certification", label="通过认定", unit="",
             deadline=2026, target=2026.0, actual=np.nan, status="on_track"),
        dict(base, scope="乙县", county="乙县", target_id="boarding", kind="total", label="寄宿制学校", unit="所",
             deadline=2025, target=2.0, target_to_date=1.6, actual=np.nan, status="no_data"),
    ]
    out = pd.DataFrame(rows)
    out["as_of"] = out["as_of"].astype("Int64")
    out["status_label"] = out["status"].map(PLAN_STATUS_LABELS)
    return out


def test_plan_status_table_formats_each_kind_and_colours_the_status():
    styler = tables.plan_status_table(_status(), "全市")
    table = styler.data
    assert table["目标"].tolist() == ["三分之一的县通过", "消除大班额"]
    assert table["目标值"].tolist() == ["33.3%", "1,200个"] and table["同期计划"].tolist() == ["—", "844个"]
    assert table["实际"].tolist() == ["50.0%", "748个"] and table["状态"].tolist() == ["已完成", "滞后"]
    html = styler.to_html()
    assert html.count(tables.PLAN_STATUS_COLORS["met"]) == 1 and html.count(tables.PLAN_STATUS_COLORS["behind"]) == 1
    county = tables.plan_status_table(_status(), "甲县").data
    assert county[["目标年份", "目标值", "实际", "状态"]].values.tolist() == [["2026年", "2026年", "尚未达标",
                                                                             "按计划推进"]]
    every = tables.plan_status_table(_status(), None).data
    assert every["县区"].tolist() == ["甲县", "乙县"] and every["实际"].tolist() == ["尚未达标", "—"]
    assert tables.plan_status_table(_status(), "丙县").data.empty


def _actuals():
    base = dict(plan="测试规划", city="测试市", scope="全市", direction=">=", deadline=2023)
    rows = []
    for year, planned, actual, planned_sum, actual_sum in ((2021, 356.0, np.nan, np.nan, np.nan),
                                                           (2022, 244.0, 213.0, 244.0, 213.0),
                                                           (2023, 329.0, 215.0, 573.0, 428.0)):
        rows.append(dict(base, target_id="classes", kind="yearly", label="消除大班额", unit="个", measure="m",
                         value=929.0, year=year, planned=planned, actual=actual, planned_to_date=planned_sum,
                         actual_to_date=actual_sum))
    for year, path, level in ((2021, 10.0, 10.0), (2022, 5.0, 8.0), (2023, 0.0, 1.0)):
        rows.append(dict(base, target_id="none_left", kind="level", label="大班额", unit="个", measure="m",
                         direction="<=", value=0.0, year=year, planned=np.nan, planned_to_date=path, actual=level,
                         actual_to_date=level))
    rows.append(dict(base, scope="甲县", target_id="classes", kind="yearly", label="消除大班额", unit="个",
                     measure="m", value=5.0, year=2021, planned=5.0, actual=5.0, planned_to_date=5.0,
                     actual_to_date=5.0))
    return pd.DataFrame(rows)


def test_plan_actuals_table_is_planned_and_actual_by_year():
    table = tables.plan_actuals_table(_actuals(), "全市")
    assert table.index.tolist() == [("消除大班额（个）", "计划"), ("消除大班额（个）", "实际"),
                                    ("大班额（个）", "按期所需水平"), ("大班额（个）", "实际水平")]
    assert table.columns.tolist() == ["2021年", "2022年", "2023年", "全期目标"]
    assert table.loc[("消除大班额（个）", "实际")].tolist() == ["无数据", "213", "215", "929（2023年）"]
    assert table.loc[("大班额（个）", "按期所需水平"), "2022年"] == "5" and \
        table.loc[("大班额（个）", "实际水平"), "全期目标"] == "≤0（2023年）"
    assert tables.plan_actuals_table(_actuals(), "乙县").empty


def test_plan_target_charts_one_per_yearly_target_of_the_place():
    figures = progress_charts.plot_plan_targets(_actuals(), "全市")
    assert len(figures) == 1 and "消除大班额" in figures[0].get_suptitle()
    both = progress_charts.plot_plan_targets(_actuals(), "全市", kinds=("yearly", "level"))
    assert [f.get_suptitle() for f in both] == ["测试规划 全市：消除大班额", "测试规划 全市：大班额"]
    assert progress_charts.plot_plan_targets(_actuals(), "乙县") == []


# --- the gap to pass ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gap_data():
    """School A: R3 6 teachers for 1000 students (66.7% of 0.9/100, must be fixed, 3 more) and R4 4050 m²
    (90% of 4.5 m²/生, the miss the rule tolerates, 450 m² more); school B meets everything."""
    return dataset([school(school_id="A", pe_art_teachers_primary=6.0, teaching_area_m2=4050.0),
                    school(school_id="B")], synthetic=True)


def test_gap_view_drops_place_columns_marks_costs_as_estimates_and_puts_required_first(gap_data):
    gap = qb.gap_to_pass(qb.assess(gap_data), "甲县", 2025)
    totals = tables.gap_view(gap, "totals")
    assert "县区" not in totals and "年份" not in totals
    assert "方案成本（元，估算）" in totals and "单位成本（元，估算）" in totals and "方案成本（元）" not in totals
    units = tables.gap_view(gap, "units")
    assert units[["指标", "需增加", "校际达标须补足"]].values.tolist() == [["R3", 3.0, "是"], ["R4", 450.0, "否"]]
    assert "成本（元，估算）" in units and len(units) == 2
    top = tables.gap_view(gap, "units", top=1)
    assert len(top) == 1 and not top.attrs                       # the total is len(top=None), no attrs
    html = tables.figures_styler(units).to_html()
    assert ">450<" in html and "450.000000" not in html


def test_gap_summary_says_what_is_missing_and_what_it_costs(gap_data):
    a = qb.assess(gap_data)
    text = gap_summary(qb.gap_to_pass(a, "甲县", 2025), "甲县", 2025)
    teacher = qb.load_profile("national").get("costs.teacher_yuan_per_year")
    # the plan adds the 3 required teachers only (a yearly cost); no one-off cost
    assert "1 个学校单元未达到校际指标要求" in text and "单项指标未达标共 2 处" in text
    assert "一次性投入约 0.0 万元" in text and f"每年新增教师费用约 {3 * teacher / 1e4:,.1f} 万元" in text
    tolerated = dataset([school(school_id="A", teaching_area_m2=4050.0)])
    text = gap_summary(qb.gap_to_pass(qb.assess(tolerated)), "甲县", 2025)
    assert "资源配置已达标，无需补充" in text and "1 处单项指标" in text
    complete = dataset([school(school_id="A")])
    assert "无需补充" in gap_summary(qb.gap_to_pass(qb.assess(complete)), "甲县", 2025)


def test_cost_note_names_the_source_of_the_unit_costs(tmp_path):
    national = cost_note(qb.load_profile("national"))
    assert "估算" in national and "国家标准配置中的粗略规划默认值" in national and "不是官方" in national
    assert "national.toml" not in national and "qb." not in national   # no file names or code on the page
    path = tmp_path / "本地成本.toml"
    path.write_text('name = "本地成本"\ntitle = "本地成本标准"\nparent = "national"\n'
                    '[costs]\nteacher_yuan_per_year = 90000.0\n', encoding="utf-8")
    local = cost_note(qb.load_profile(path))
    assert "“本地成本标准”的成本表" in local and "国家标准配置" not in local


def test_show_gap_shows_only_the_sentence_when_nothing_is_missing(capsys):
    # outside IPython, display() prints each object's repr: count what was shown
    show_gap(qb.gap_to_pass(qb.assess(dataset([school(school_id="A")]))), "甲县", 2025, qb.load_profile("national"))
    assert capsys.readouterr().out.count("<IPython.core.display.Markdown object>") == 1


def test_show_gap_shows_tables_and_the_cost_note_when_something_is_missing(gap_data, capsys):
    show_gap(qb.gap_to_pass(qb.assess(gap_data)), "甲县", 2025, qb.load_profile("national"))
    out = capsys.readouterr().out
    assert out.count("<IPython.core.display.Markdown object>") == 2 and out.count("Styler object") == 2


# --- what-if and the synthetic label --------------------------------------------------------------

def test_verdict_comparison_before_and_after_applying_the_gap(gap_data):
    before = qb.assess(gap_data)
    after = qb.assess(qb.apply_additions(gap_data, qb.gap_to_pass(before)))
    styler = tables.verdict_comparison(before.verdicts, after.verdicts, "甲县", 2025)
    resources = styler.data.loc["资源配置"].tolist()
    assert resources == ["未达标", "达标"]
    assert styler.data.columns.tolist() == ["补充前", "补充后（假设情景）"]


def test_charts_of_synthetic_data_carry_the_label_and_real_ones_do_not(gap_data):
    fig = mark_synthetic(Figure(), gap_data)
    assert [t.get_text() for t in fig.texts] == [f"⚠ {qb.SYNTHETIC_LABEL}"]
    assert fig.texts[0].get_color() == SYNTHETIC_MARK_COLOR
    assert mark_synthetic(Figure(), gap_data.replace(synthetic=False)).texts == []


def test_show_figures_stamps_each_figure_or_shows_the_note(gap_data, capsys):
    figures = [Figure(), Figure()]
    show_figures(figures, "没有图。", gap_data)
    assert all(len(f.texts) == 1 for f in figures)
    assert capsys.readouterr().out.count("Figure") == 2
    show_figures([], "没有图。")
    assert re.search(r"Markdown object", capsys.readouterr().out)
