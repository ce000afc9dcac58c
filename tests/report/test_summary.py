"""The 摘要 of the reports: the verdict, its reasons and the way to pass, in words (issue 11)."""
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.report.summary import city_summary, county_summary, shortfall_text, summary_html
from tests.builders import COUNTY_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school, survey_rows


@pytest.fixture(scope="module")
def summaries(demo_assessment):
    a = demo_assessment
    projected = qb.projected_pass_year(a)
    return {c: county_summary(a, c, gap=qb.gap_to_pass(a, c, 2025), projected=projected, planned_year=2030,
                              earliest_year=2020) for c in ("台前县", "清丰县")}


def test_failing_county_names_dimensions_items_shortfalls_years_and_cost(summaries):
    s = summaries["台前县"]
    assert s.overall == "not_met" and s.year == 2025
    assert s.failing_dimensions == ("资源配置", "政府保障程度", "教育质量", "社会认可度")
    assert "班额（G5）" in s.failing_items and "信息技术应用水平（Q5）" in s.failing_items
    assert len(s.shortfalls) == 3 and s.n_shortfalls == 28
    # the largest shortfall in words: school, indicator, value, threshold, gap with units
    assert s.shortfalls[0] == ("太平镇许洼小学（小学）每百名学生拥有县级以上骨干教师数 0.36人/百生，"
                               "标准 ≥ 1人/百生，差 0.64人/百生（64%）")
    assert "信息技术应用水平：合格，要求良好及以上，差 1 个等级" in s.shortfalls
    assert "无法预测" in s.pass_year and "计划认定 2030年" in s.pass_year and "最早可申报 2020年" in s.pass_year
    assert s.cost.startswith("补足资源配置差距") and "831.0 万元" in s.cost and "估算" in s.cost
    assert s.trend == "2021—2025年各年均未达标；未达标项目 2021年与2025年均为 11 项"


def test_passing_county_says_since_when_and_that_nothing_is_missing(summaries):
    s = summaries["清丰县"]
    assert s.overall == "met" and not s.failing_items and not s.shortfalls
    assert s.trend.startswith("2025年起达标")
    assert s.pass_year.startswith("自2025年起达标（实际）")
    assert s.cost == "资源配置无需补充"


def test_summary_html_is_one_escaped_section_with_the_verdict_first(summaries):
    page = summary_html(summaries["台前县"])
    assert page.startswith('<section id="qb-summary" class="qb-summary"><h2 id="摘要">摘要</h2>')
    assert page.index("2025年综合结论") < page.index("未达标维度") < page.index("主要短板") < page.index("补足差距")
    hostile = county_summary(qb.assess(dataset([school(PRIMARY_OK, **SCHOOL_GQ_OK, school_name="<script>x")],
                                               [dict(COUNTY_OK, layout_reasonable=False)], survey_rows())), "甲县")
    assert "<script>" not in summary_html(hostile)


def test_city_summary_counts_passing_counties_against_the_city_goals(demo_assessment):
    s = city_summary(demo_assessment, "濮阳市", plan_status=qb.plan_status(demo_assessment))
    assert s.passing[-1] == (2025, 2, 6) and s.latest_passing == ("华龙区", "清丰县")
    assert [g[1] for g in s.goals] == ["已完成", "滞后"]
    assert "6 个县区中 <strong>2 个达标</strong>" in summary_html(s)


@pytest.mark.parametrize("row, text", [
    (dict(item="Q5", op="rating", label="信息技术应用水平", value="不合格", threshold="良好及以上", gap=2.0,
          relative_gap=1.0), "信息技术应用水平：不合格，要求良好及以上，差 2 个等级"),
    (dict(item="G1", op="==", label="学校规划布局合理", value=False, threshold="是", gap=float("nan"),
          relative_gap=float("nan")), "学校规划布局合理：未做到"),
    (dict(item="R5-CV", op="<=", label="小学差异系数", stage="primary", value=0.5951, threshold=0.5, gap=0.0951,
          relative_gap=0.19), "小学“生均体育运动场馆面积”的校际差异系数 0.595，限值 ≤ 0.5"),
])
def test_shortfall_text_for_ratings_yes_no_and_cv(row, text):
    base = dict(county="甲县", year=2025, school_id=None, school_name=None, stage=None, reason="")
    assert shortfall_text(pd.Series({**base, **row})) == text
