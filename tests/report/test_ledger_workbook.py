"""The ledger as a printed document (issue 11 §7): units, row heights, legend, drop-down, names, year source."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from quality_balance.method.assessment import assess
from quality_balance.planning.tracking import planned_certification_year
from quality_balance.report.ledger import (LEDGER_HEADERS, LEGEND_SHEET, PROGRESS_CHOICES, ledger_table, row_heights,
                                           write_ledger)
from tests.builders import dataset
from tests.report.test_ledger import county_rows


@pytest.fixture(scope="module")
def failing():
    schools, counties, survey = county_rows(rotation_rate=8.5, v2_school_choice=True)
    return assess(dataset(schools, counties, survey))


@pytest.fixture(scope="module")
def sheet(failing, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ledger")
    [path] = write_ledger(failing, folder)
    return openpyxl.load_workbook(path)


def test_a_unit_column_beside_value_threshold_and_gap(failing, sheet):
    table = ledger_table(failing).set_index("item")
    assert table.loc["R2", "unit"] == "人/百生"                    # schema.INDICATOR_UNITS
    assert table.loc["G11", "unit"] == "%"                         # the failing part's unit (parts table)
    ws = sheet["整改台账"]
    headers = [c.value for c in ws[4]]
    assert headers[headers.index("差距") + 1] == "单位"
    assert [ws.cell(r, headers.index("单位") + 1).value for r in (6, 7)] == ["人/百生", "%"]


def test_a_cv_row_says_it_has_no_unit():
    from tests.builders import school
    schools = [school(school_id=f"S{i}", sports_area_m2=a) for i, a in enumerate((2000.0, 8000.0, 12000.0))]
    table = ledger_table(assess(dataset(schools)))
    assert table.set_index("item").loc["R5-CV", "unit"] == "（系数，无单位）"


def test_row_heights_grow_with_the_wrapped_text(sheet):
    heights = row_heights(pd.DataFrame({"a": ["短", "很" * 20, "一\n二\n三"]}), {"a": 11})
    assert heights.tolist() == [15.0, 60.0, 45.0]                  # 40 wide / 10 per line = 4 lines; 3 paragraphs
    ws = sheet["整改台账"]
    headers = [c.value for c in ws[4]]
    reason = headers.index("整改措施（需增加）") + 1
    texts = {r: str(ws.cell(r, reason).value) for r in (5, 6, 7)}
    longest = max(texts, key=lambda r: len(texts[r]))
    assert ws.row_dimensions[longest].height >= 30 and all(ws.row_dimensions[r].height >= 15 for r in texts)


def test_progress_is_a_drop_down_list(sheet):
    ws = sheet["整改台账"]
    [dv] = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"' + ",".join(PROGRESS_CHOICES) + '"'
    assert dv.formula1 == '"未启动,进行中,已完成,不适用"'
    col = openpyxl.utils.get_column_letter(list(LEDGER_HEADERS).index("progress") + 1)
    assert str(dv.sqref) == f"{col}5:{col}7"


def test_the_legend_names_the_colours_from_the_profile_tolerance(sheet):
    rows = dict(sheet[LEGEND_SHEET].iter_rows(min_row=2, values_only=True))
    assert rows["浅红色"].startswith("相对差距不小于 15%")           # 1 − school_rule.min_ratio_of_miss (0.85)
    assert rows["浅黄色"] == "相对差距小于 15%" and "一票否决" in rows["红色"]
    assert sheet[LEGEND_SHEET]["A3"].fill.fgColor.rgb.endswith("FCE4D6")
    assert "未启动" in rows["整改进展（选择）"]


def test_file_names_always_have_the_city(tmp_path):
    a_schools, a_counties, a_survey = county_rows(city="呼和浩特市", county="新城区")
    b_schools, b_counties, b_survey = county_rows(city="西安市", county="新城区")
    result = assess(dataset(a_schools + b_schools, a_counties + b_counties, a_survey + b_survey))
    paths = write_ledger(result, tmp_path)
    assert [p.name for p in paths] == ["呼和浩特市_新城区_2025_整改台账.xlsx", "西安市_新城区_2025_整改台账.xlsx"]
    one = write_ledger(result, tmp_path / "one", years=2025, counties="新城区")
    assert len(one) == 2 and all(p.name.split("_")[0] in ("呼和浩特市", "西安市") for p in one)


def _source(failing, county_data):
    table = ledger_table(failing, county_data=county_data)
    assert table["planned_source"].nunique() == 1
    return table["planned_year"].iloc[0], table["planned_source"].iloc[0]


def test_planned_year_from_the_profile_when_no_plan_names_one(failing):
    basic = pd.DataFrame({"city": ["测试市"], "county": ["甲县"], "year": [2025], "basic_balance_year": [2023]})
    assert _source(failing, basic) == (2026, "按评估标准推算：基本均衡认定 2023 年 + 至少 3 年")
    at_limit = _source(failing, basic.assign(basic_balance_year=2022))      # 2022 + 3 = this year exactly
    assert at_limit == (2025, "按评估标准推算：基本均衡认定 2022 年 + 至少 3 年")
    year, text = _source(failing, basic.assign(basic_balance_year=2015))
    assert year == 2025 and "2018 年已过，取本年" in text           # never a year already past
    year, text = _source(failing, None)
    assert pd.isna(year) and text.startswith("无")


def test_a_plan_year_wins_over_the_profile():
    schools, counties, survey = county_rows(city="濮阳市", county="清丰县")
    basic = pd.DataFrame({"city": ["濮阳市"], "county": ["清丰县"], "year": [2025], "basic_balance_year": [2023]})
    table = ledger_table(assess(dataset(schools, counties, survey)), county_data=basic)
    assert (table["planned_year"] == planned_certification_year("濮阳市", "清丰县")).all()
    assert (table["planned_source"] == "规划目标年份").all()
