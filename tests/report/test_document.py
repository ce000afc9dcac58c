"""Tables as documents: no row numbers, text left and figures right, statuses coloured, all escaped."""
import pandas as pd

from quality_balance.report import tables
from quality_balance.report.document import document_table, looks_numeric


def _cells(html, column):
    import re
    return re.findall(rf'<td id="T_\w+_row\d+_col{column}" class="([^"]*)" >([^<]*)</td>', html)


def test_no_row_numbers_figures_formatted_and_right_aligned():
    frame = pd.DataFrame({"学校": ["一小", "二小"], "学生数": [12980, 35], "比例": [0.5953, 2.0]})
    html = document_table(frame).to_html()
    assert "row_heading" not in html and ">0<" not in html          # no 0..n index column
    assert [c[1] for c in _cells(html, 1)] == ["12,980", "35"]
    assert [c[1] for c in _cells(html, 2)] == ["0.6", "2"]
    assert all("num" in c[0] for c in _cells(html, 1)) and not any("num" in c[0] for c in _cells(html, 0))
    assert 'class="qb-table"' in html


def test_a_meaningful_index_becomes_columns_and_constant_columns_can_go():
    frame = pd.DataFrame({"年份": ["2025年", "2025年"], "结论": ["达标", "未达标"]},
                         index=pd.Index(["甲县", "乙县"], name="县区"))
    html = document_table(frame, drop_constant=("年份",)).to_html()
    assert ">县区</th>" in html and ">甲县</td>" in html and "年份" not in html
    assert "#c6efce" in html and "#ffc7ce" in html                   # 达标 green, 未达标 red


def test_long_text_makes_a_wide_table_and_everything_is_escaped():
    html = document_table(pd.DataFrame({"<b>说明</b>": ["<script>" + "长" * 50]}), caption="<i>甲县").to_html()
    assert "qb-wide" in html and "<script>" not in html and "<i>" not in html and "<b>" not in html


def test_numbers_as_text_read_as_figures():
    assert looks_numeric(pd.Series(["1,234", "96.0%", "0.595 ↑", "—", "2,000元"]))
    assert not looks_numeric(pd.Series(["达标", "1"])) and not looks_numeric(pd.Series([True, False]))


def test_year_span_and_problem_years_are_printed_not_hovered(demo_assessment):
    assert tables.year_span([2021, 2022, 2023, 2025]) == "2021—2023年、2025年"
    problems = tables.item_problems(demo_assessment.items, "台前县", "quality")
    q5 = problems[problems["项目"] == "Q5 信息技术应用水平"]
    assert q5["年份"].tolist() == ["2021—2025年"]                       # one reason, five years: one row
    q1 = problems.index[problems["项目"] == "Q1 初中三年巩固率"][0]
    assert problems.loc[q1:q1 + 4, "年份"].tolist() == ["2025年", "2024年", "2023年", "2022年", "2021年"]
    g3 = tables.item_problems(demo_assessment.items, "台前县", "guarantee")
    g3 = g3.loc[g3.index[g3["项目"] == "G3 音乐、美术专用教室配备"][0]:].head(2)
    assert "丰收镇第二小学" in g3["原因"].iloc[0]                          # the latest year lists the schools
    assert g3["原因"].iloc[1].endswith("（学校名单略，见最近一年）")


def test_verdict_explained_joins_years_with_the_same_reasons(demo_assessment):
    t = tables.verdict_explained(demo_assessment.verdicts, demo_assessment.items, "清丰县")
    assert t["年份"].tolist() == ["2021—2022年", "2023年", "2024年", "2025年"]
    assert t["未达标项目"].iloc[-1] == "—" and "G5 班额" in t["未达标项目"].iloc[2]


def test_shortfall_view_reads_in_words_with_ratings_and_yes_no_placed(demo_assessment):
    v = tables.shortfall_view(demo_assessment.shortfalls, "台前县", 2025, parts=demo_assessment.parts, top=None)
    assert v["排名"].tolist() == list(range(1, 29))
    q5 = v[v["项目"] == "信息技术应用水平"].iloc[0]
    assert q5["差距占标准"] == "50.0%" and q5["排名"] == 3
    assert "（" not in v["短板"].iloc[0].split("差 ")[-1]                 # the share is its own column
