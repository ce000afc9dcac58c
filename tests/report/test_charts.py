"""Report charts and tables on a hand-made county: what is drawn, coloured and listed."""
import re
import warnings

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tests.builders import JUNIOR_OK, frame, school  # noqa: E402
from quality_balance.report import charts, tables  # noqa: E402
from quality_balance.method.resources import assess_resources  # noqa: E402


@pytest.fixture(scope="module")
def ra():
    """甲县: 2024 two primary schools, B with 0.2 rooms/100 students (R7 far below 2.3, CV 0.852);
    2025 B has 800 students and 3.75 m² of teaching rooms (R4 = 83.3% of 4.5), plus one junior school.
    乙县 has one complete primary school and exists to check that other counties are left out."""
    rows = frame(
        school(school_id="A", year=2024), school(school_id="B", year=2024, multimedia_rooms=2.0),
        school(school_id="A"), school(school_id="B", teaching_area_m2=3000.0, students_primary=800.0),
        school(JUNIOR_OK, school_id="C"),
        school(school_id="Z", county="乙县", multimedia_rooms=1.0),
    )
    return assess_resources(rows)


def cell_colors(styler) -> dict:
    """(row, column) position → background colour, read from the Styler's rendered CSS."""
    html = styler.set_uuid("t").to_html()
    colors = {}
    for selectors, color in re.findall(r"([^{}]+)\{\s*background-color: (#[0-9a-f]{6});\s*\}", html):
        for row, col in re.findall(r"#T_t_row(\d+)_col(\d+)", selectors):
            colors[int(row), int(col)] = color
    return colors


def _saved_without_missing_glyphs(fig, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "fig.png")
    return not [w for w in caught if "missing from font" in str(w.message)]


def test_cv_by_year_draws_each_indicator_and_the_limit(ra, tmp_path):
    fig = charts.plot_cv_by_year(ra.cv, "甲县")
    assert isinstance(fig, Figure)
    primary, junior = fig.axes[:2]
    lines = {line.get_label(): line for line in primary.get_lines()}
    assert set(lines) == {"R1", "R2", "R3", "R4", "R5", "R6", "R7", "限值"}
    assert list(lines["限值"].get_ydata()) == [0.5, 0.5]
    assert list(lines["R7"].get_xdata()) == [2024, 2025]
    assert lines["R7"].get_ydata()[0] == pytest.approx(0.852, abs=1e-3)
    # the one CV over its limit (小学 R7 in 2024) is circled
    circled = np.concatenate([c.get_offsets() for c in primary.collections])
    assert circled.shape == (1, 2) and list(circled[0]) == pytest.approx([2024, 0.851852], abs=1e-6)
    assert [line.get_ydata()[0] for line in junior.get_lines() if line.get_label() == "限值"] == [0.45]
    assert _saved_without_missing_glyphs(fig, tmp_path)


def test_cv_by_year_says_when_a_stage_does_not_apply(ra):
    fig = charts.plot_cv_by_year(ra.cv, "乙县")
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert texts == ["初中：本县无该学段学校，不适用"]


def test_school_misses_shows_only_units_missing_something(ra, tmp_path):
    fig = charts.plot_school_misses(ra.values, ra.units, "甲县", 2025, min_ratio=0.85)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["× 学校B（小学）"]
    codes = ax.images[0].get_array()
    assert codes.tolist() == [[0, 0, 0, 2, 0, 0, 0]]             # R4 83.3% < 85%: red
    assert "另有 2 个单元" in fig._suptitle.get_text()
    assert _saved_without_missing_glyphs(fig, tmp_path)


def test_school_misses_tolerance_comes_from_the_caller(ra):
    fig = charts.plot_school_misses(ra.values, ra.units, "甲县", 2025, min_ratio=0.80)
    assert fig.axes[0].images[0].get_array().tolist() == [[0, 0, 0, 1, 0, 0, 0]]  # 83.3% ≥ 80%: amber


def test_school_misses_when_every_unit_meets_everything(ra):
    fig = charts.plot_school_misses(ra.values, ra.units, "甲县", 2024, min_ratio=0.85)
    assert len(fig.axes[0].images) == 1                          # B misses R7 in 2024
    ok = assess_resources(frame(school(school_id="A")))
    fig = charts.plot_school_misses(ok.values, ok.units, "甲县", 2025, min_ratio=0.85)
    assert [t.get_text() for t in fig.axes[0].texts] == ["所有学校单元 7 项指标均达到标准"]


def test_failing_schools_lists_units_with_reasons(ra):
    out = tables.failing_schools(ra.units, "甲县")
    assert out[["年份", "学校", "学段", "未达标指标"]].values.tolist() == [
        [2024, "学校B", "小学", "R7 每百名学生拥有网络多媒体教室数"],
        [2025, "学校B", "小学", "R4 生均教学及辅助用房面积"]]
    assert "3.75 < 4.5" in out.loc[1, "原因"]
    assert tables.failing_schools(ra.units, "甲县", 2025)["学校"].tolist() == ["学校B"]
    assert tables.failing_schools(ra.units, "乙县")["未达标指标"].tolist() == ["R7 每百名学生拥有网络多媒体教室数"]


def test_school_indicator_table_colours_by_ratio(ra):
    styler = tables.school_indicator_table(ra.values, ra.units, "甲县", 2025, min_ratio=0.85)
    data = styler.data
    assert data.index.tolist() == [("学校B", "小学"), ("学校A", "小学"), ("学校C", "初中")]  # failing first
    assert data.loc[("学校B", "小学"), "R4"] == pytest.approx(3.75)
    assert data["校际指标要求"].tolist() == ["未达标", "达标", "达标"]
    colors = cell_colors(styler)
    red = sorted(k for k, c in colors.items() if c == tables.RATIO_COLORS["far"])
    assert red == [(0, 3), (0, 8)]                               # B's R4 cell and its 未达标 cell
    assert colors[1, 0] == tables.RATIO_COLORS["met"] and (1, 7) not in colors
    amber = cell_colors(tables.school_indicator_table(ra.values, ra.units, "甲县", 2025, min_ratio=0.8))
    assert [k for k, c in amber.items() if c == tables.RATIO_COLORS["near"]] == [(0, 3)]


def test_cv_table_marks_values_over_the_limit(ra):
    t = tables.cv_table(ra.cv, "甲县")
    assert t.loc[("小学", "R7 每百名学生拥有网络多媒体教室数", "0.5"), "2024年"] == "0.852 ↑"
    assert t.loc[("小学", "R4 生均教学及辅助用房面积", "0.5"), "2025年"] == "0.140"
    assert t.loc[("初中", "R1 每百名学生拥有高于规定学历教师数", "0.45"), "2024年"] == "—"


def test_verdict_table_is_dimension_by_year_in_chinese():
    verdicts = pd.DataFrame({
        "county": ["甲县", "甲县", "乙县"], "year": [2025, 2024, 2025],
        "resources": ["met", "not_met", "met"], "guarantee": ["met", "no_data", "met"],
        "overall": ["met", "not_met", "met"]})
    styler = tables.verdict_table(verdicts, "甲县")
    assert styler.data.columns.tolist() == ["2024年", "2025年"]
    assert styler.data.index.tolist() == ["资源配置", "政府保障程度", "综合结论"]
    assert styler.data.loc["政府保障程度"].tolist() == ["无数据", "达标"]
    colors = cell_colors(styler)
    assert colors == {(0, 0): "#ffc7ce", (0, 1): "#c6efce", (1, 0): "#e7e6e6", (1, 1): "#c6efce",
                      (2, 0): "#ffc7ce", (2, 1): "#c6efce"}


@pytest.fixture(scope="module")
def recognition():
    """甲县 2025: 家长 900/1000 = 90% (Wilson 88.0–91.7); 学生 27/30 = 90% but Wilson low 74.4 < 85;
    教师 80/100 = 80%."""
    from quality_balance.method.items import recognition_table
    from quality_balance.standards.profile import load_profile

    survey = pd.DataFrame({"city": "测试市", "county": "甲县", "year": 2025, "group": ["家长", "学生", "教师"],
                           "respondents": [1000, 30, 100], "favourable": [900, 27, 80]})
    places = survey[["city", "county", "year"]].drop_duplicates()
    return recognition_table(survey, places, {("测试市", "甲县"): load_profile("national")})


def test_recognition_view_lists_groups_with_intervals(recognition):
    view = tables.recognition_view(recognition, "甲县")
    by_group = view.set_index("调查对象")
    assert by_group.loc["全体", "样本数"] == 1130 and by_group.loc["全体", "认可度(%)"] == pytest.approx(89.1)
    assert by_group.loc["学生", "95%区间(%)"] == "74.4–96.5"
    assert by_group["结论"].to_dict() == {"全体": "达标", "学生": "达标", "家长": "达标", "教师": "未达标"}
    assert by_group.loc["学生", "提示"] == "样本偏小：区间下限低于标准" and by_group.loc["家长", "提示"] == ""


def test_recognition_plot_colours_pass_fragile_and_fail(recognition, tmp_path):
    fig = charts.plot_recognition(recognition, "甲县")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "全体（n=1130）"                           # overall on top
    faces = dict(zip(labels, [matplotlib.colors.to_hex(c) for c in ax.collections[-1].get_facecolors()]))
    assert faces["教师（n=100）"] == tables.RATIO_COLORS["far"]
    assert faces["学生（n=30）"] == tables.RATIO_COLORS["near"]
    assert faces["家长（n=1000）"] == tables.RATIO_COLORS["met"]
    assert [line.get_xdata()[0] for line in ax.get_lines() if line.get_label().startswith("标准")] == [85.0]
    assert _saved_without_missing_glyphs(fig, tmp_path)


def test_recognition_plot_without_survey():
    empty = pd.DataFrame(columns=["city", "county", "year", "group", "respondents", "favourable", "rate",
                                  "ci_low", "ci_high", "threshold", "passes", "fragile"])
    fig = charts.plot_recognition(empty, "甲县")
    assert [t.get_text() for t in fig.axes[0].texts] == ["无满意度调查数据"]


ITEMS = pd.DataFrame({
    "city": "测试市", "county": "甲县",
    "year": [2024, 2025, 2024, 2025, 2025, 2025, 2025],
    "dimension": ["guarantee"] * 4 + ["guarantee", "veto", "veto"],
    "item": ["G10", "G10", "G2", "G2", "PY1", "V1", "V3"],
    "label": ["编制统筹", "编制统筹", "四统一", "四统一", "体质健康优良率", "考试招生", "设重点校或重点班"],
    "status": ["met", "not_met", "no_data", "met", "met", "met", "not_met"],
    "reason": ["统筹：是", "统筹：否", "无数据", "四统一：是", "62% ≥ 60%", "考试招生：无", "设重点校：存在"],
    "counts": [True, True, True, True, False, True, True],
})


def test_item_year_table_orders_items_and_colours_status():
    styler = tables.item_year_table(ITEMS, "甲县", "guarantee")
    data = styler.data
    assert data.index.tolist() == ["G2 四统一", "G10 编制统筹", "PY1 体质健康优良率（参考）"]
    assert data.columns.tolist() == ["2024年", "2025年"]
    assert data.loc["G10 编制统筹"].tolist() == ["达标", "未达标"]
    assert cell_colors(styler)[1, 1] == "#ffc7ce" and cell_colors(styler)[0, 0] == "#e7e6e6"
    assert "统筹：否" in styler.to_html()                          # the reason, as a tooltip


def test_veto_items_read_present_or_absent():
    data = tables.item_year_table(ITEMS, "甲县", "veto").data
    assert data["2025年"].tolist() == ["无", "存在（否决）"]


def test_item_reasons_of_one_year():
    out = tables.item_reasons(ITEMS, "甲县", 2025)
    assert out["项目"].tolist() == ["G2", "G10", "PY1", "V1", "V3"]
    assert out.loc[1, "结论"] == "未达标" and out.loc[4, "结论"] == "存在（否决）"
    problems = tables.item_reasons(ITEMS, "甲县", 2025, only_problems=True)
    assert problems["项目"].tolist() == ["G10", "V3"] and problems.loc[0, "原因"] == "统筹：否"


@pytest.fixture(scope="module")
def city():
    """测试市: 甲县 fails G14 (quota 40% < 50%) in 2024 and passes in 2025; 乙县 2025 has a school
    with 0.2 multimedia rooms per 100 students (R7), quota 40% and key schools (veto V3); 丙县 passes;
    丁县 lacks the 360-hour training rate (G9 no data)."""
    from tests.builders import COUNTY_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, survey_rows
    import quality_balance as qb

    def s(**kw):
        return school(PRIMARY_OK, **SCHOOL_GQ_OK, **kw)
    schools = [s(school_id="A", year=2024), s(school_id="A"), s(school_id="B", county="乙县", multimedia_rooms=2.0),
               s(school_id="C", county="丙县"), s(school_id="D", county="丁县")]
    counties = [dict(COUNTY_OK, year=2024, quota_share=40.0), dict(COUNTY_OK),
                dict(COUNTY_OK, county="乙县", v3_key_schools=True, quota_share=40.0),
                dict(COUNTY_OK, county="丙县", basic_balance_year=2016),
                dict(COUNTY_OK, county="丁县", training_360h_rate=None)]
    survey = (survey_rows(year=2024) + survey_rows() + survey_rows(county="乙县") + survey_rows(county="丙县")
              + survey_rows(county="丁县"))
    return qb.assess(dataset(schools, counties, survey))


def test_closeness_ranking_orders_by_what_is_missing(city):
    r = tables.closeness_ranking(city.items, city.verdicts, city.resources.counties, "测试市", 2025)
    assert r.index.tolist() == ["丙县", "甲县", "丁县", "乙县"]
    assert r["名次"].tolist() == [1, 2, 3, 4]
    assert r.loc["乙县", list(tables.CLOSENESS_KEYS)].tolist() == [2, 1, 2, 1, 0]   # R & G; V3; R, G14; 1 unit
    assert r.loc["丁县", "缺数据项目数"] == 1 and r.loc["丁县", "综合结论"] == "无数据"


def test_certification_table_compares_plan_and_data(city):
    t = tables.certification_table(city.verdicts, "测试市", city.dataset.counties,
                                   planned={"甲县": 2024, "乙县": 2025, "丙县": 2026}, min_years_after_basic=3)
    assert t["对照"].to_dict() == {"丁县": "尚未达标", "丙县": "已按期达标", "乙县": "逾期未达标",
                                  "甲县": "晚于计划达标"}
    assert t.loc["丙县", "最早可申报年份"] == "2019年" and t.loc["甲县", "基本均衡认定年份"] == "—"
    assert t.loc["甲县", "数据首次达标年份"] == "2025年" and t.loc["丁县", "计划认定年份"] == "—"
    assert "最早可申报年份" not in tables.certification_table(city.verdicts, "测试市", city.dataset.counties)


def test_city_tables_show_every_county_and_year(city):
    years = tables.city_verdict_table(city.verdicts, "测试市").data
    assert years.loc["甲县"].tolist() == ["未达标", "达标", "2025年"]
    assert years.loc["丙县"].tolist() == ["—", "达标", "2025年"]
    dims = tables.city_dimension_table(city.verdicts, "测试市", 2025).data
    assert dims.loc["乙县", ["资源配置", "政府保障程度", "一票否决", "综合结论"]].tolist() == ["未达标"] * 4


def test_shortfall_table_puts_veto_first(city):
    t = tables.shortfall_table(city.shortfalls, "乙县", 2025)
    assert t["项目"].tolist() == ["V3", "R7", "G14"]
    assert t.loc[1, "学校"] == "学校B" and t.loc[1, "差距占标准"] == "91.3%"      # (2.3 − 0.2) / 2.3
    assert len(t) == 3 and len(tables.shortfall_table(city.shortfalls, "乙县", 2025, top=1)) == 1
    assert not t.attrs                                           # no side channel: the total is len(top=None)


def test_verdict_reasons_and_school_detail(city):
    reasons = tables.verdict_reasons(city.verdicts, "甲县")
    assert reasons["综合结论"].tolist() == ["未达标", "达标"] and "G14" in reasons.loc[0, "说明"]
    detail = tables.school_detail(city.resources.values, "B")
    assert detail.loc[("小学", "R7 每百名学生拥有网络多媒体教室数"), "2025年"] == "0.20 / 2.3 ✗"
    with pytest.raises(KeyError):
        tables.school_detail(city.resources.values, "no-such-school")


def test_school_trend_is_relative_to_thresholds(city, tmp_path):
    fig = charts.plot_school_trend(city.resources.values, "A")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert list(lines["R1 高学历教师"].get_ydata()) == pytest.approx([5 / 4.2 * 100] * 2)
    assert list(lines["达标线"].get_ydata()) == [100, 100]
    assert _saved_without_missing_glyphs(fig, tmp_path)
