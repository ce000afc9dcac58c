"""评估结果.xlsx for people: Chinese headers and values, formats, widths, frozen header, filters, 说明."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from quality_balance.report import export
from quality_balance.report.export import NOTE_SHEET, RESULT_SHEETS, display_width, write_results


@pytest.fixture(scope="module")
def written(demo_assessment, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tables")
    write_results(demo_assessment, folder)
    return folder


@pytest.fixture(scope="module")
def book(written):
    return openpyxl.load_workbook(written / "评估结果.xlsx")


def header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def column(ws, name: str) -> list:
    j = header(ws).index(name) + 1
    return [ws.cell(i, j) for i in range(2, ws.max_row + 1)]


def test_first_sheet_is_the_note_then_one_sheet_per_table(book):
    assert book.sheetnames == [NOTE_SHEET, *RESULT_SHEETS.values()]


def test_headers_are_chinese_with_units_and_the_item_code_column(book):
    units = header(book["学校单元"])
    assert "R6 生均教学仪器设备值(元/生)" in units and "R4 生均教学及辅助用房面积(m²/生)" in units
    assert "在校生数(人)" in units and "stage" not in units
    shortfalls = header(book["问题清单"])
    assert {"项目编号", "项目名称", "学段", "相对差距"} <= set(shortfalls)
    cv = header(book["差异系数"])
    assert cv[cv.index("指标编号") + 1] == "指标名称"                 # the code kept, its name beside it
    assert all(h and not h.isascii() or h[:1] == "R" for h in units)   # no English header


def test_values_are_chinese_where_the_csv_has_english(book, written):
    units = book["学校单元"]
    assert {c.value for c in column(units, "学段")} == {"小学", "初中"}
    assert "按学段加权分摊" in {c.value for c in column(units, "分摊方式")}
    assert {c.value for c in column(units, "校际指标达标")} == {"是", "否"}
    assert "R4 生均教学及辅助用房面积、R5 生均体育运动场馆面积" in {c.value for c in column(units, "未达标指标")}
    items = book["评估项目"]
    statuses = {c.value for c in column(items, "状态")}
    assert "未达标" in statuses and not statuses & {"met", "not_met", "no_data"}
    veto = [s.value for s, d in zip(column(items, "状态"), column(items, "维度")) if d.value == "一票否决"]
    assert set(veto) <= {"无", "存在（否决）", "无数据", "不适用"} and "无" in veto
    assert "等于" in {c.value for c in column(book["项目分项"], "比较方式")}
    assert {c.value for c in column(book["评估项目"], "计入结论")} == {"是"}
    english = {"met", "not_met", "no_data", "not_applicable", "primary", "junior", "weighted", "reported", "none",
               "resources", "guarantee", "veto", "national", "TRUE", "FALSE", "True", "False"}
    for name in RESULT_SHEETS.values():
        if name == "学校单元":
            continue                                         # checked column by column above (large)
        seen = [c.value for row in book[name].iter_rows(min_row=2) for c in row]
        assert not {v for v in seen if isinstance(v, str)} & english, name
        assert not [v for v in seen if isinstance(v, bool)], name    # no TRUE/FALSE cells: 是/否
    # the CSV keeps English names and raw values for scripts
    csv = pd.read_csv(written / "units.csv", encoding="utf-8-sig")
    assert "stage" in csv and set(csv["stage"]) == {"primary", "junior"} and "weighted" in set(csv["split"])


def test_number_formats(book, demo_assessment):
    cv = book["差异系数"]
    first = column(cv, "差异系数")[0]
    assert first.number_format == "0.000" and first.value == pytest.approx(demo_assessment.resources.cv["cv"].iloc[0])
    assert column(cv, "在校生数(人)")[0].number_format == "#,##0"
    assert column(cv, "年份")[0].number_format == "0"                 # not 2,025
    assert column(book["问题清单"], "相对差距")[0].number_format == "0.0%"
    units = book["学校单元"]
    assert column(units, "R6 生均教学仪器设备值(元/生)")[0].number_format == "#,##0"
    assert column(units, "设施分摊比例")[0].number_format == "0.0%"
    rate = column(book["社会认可度"], "认可度")[0]                     # 0–100 in the CSV, a percentage here
    assert rate.number_format == "0.0%" and rate.value == pytest.approx(demo_assessment.recognition["rate"].iloc[0]
                                                                         / 100)
    # mixed columns: a format per cell from the size of the value
    values = {c.value: c.number_format for c in column(book["项目分项"], "实际值")
              if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)}
    big = [f for v, f in values.items() if v >= 1000]
    small = [f for v, f in values.items() if 0 < v < 1 and round(v, 3) != round(v, 2)]
    assert big and set(big) == {"#,##0"} and small and set(small) == {"#,##0.000"}


def test_frozen_header_filters_widths_and_print_setup(book, demo_assessment):
    for name in book.sheetnames:
        ws = book[name]
        last = get_column_letter(len(header(ws)))
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", name
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1", name
    units = book["学校单元"]
    assert units.max_row == len(demo_assessment.resources.units) + 1
    widths = {h: units.column_dimensions[get_column_letter(j)].width for j, h in enumerate(header(units), start=1)}
    longest = int(display_width(demo_assessment.resources.units["school_name"]).max())
    assert widths["学校名称"] == longest + 1                          # fitted: CJK characters count 2
    assert widths["学段"] == 6 and widths["说明"] == 60               # at least 6, long text wraps at 60
    assert all(6 <= w <= 60 for w in widths.values())
    assert units.row_dimensions[1].height >= 30                      # the wrapped R headers print whole


def test_the_note_sheet_describes_every_sheet_and_column(book):
    ws = book[NOTE_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("说明", "工作表", "列", "含义与单位")
    assert "演示数据" in rows[1][0]
    text = "\n".join(str(r[0]) for r in rows if r[0])
    assert "评估标准：" in text and "濮阳市" in text and "未达标：" in text and "存在（否决）" in text
    assert "百分数" in text and "CSV" in text and "1,048,576" in text
    described = {(r[1], r[2]): r[3] for r in rows if r[2]}
    for name in RESULT_SHEETS.values():
        for h in header(book[name]):
            assert described.get((name, h)), (name, h)
    assert "元/生" in described[("学校单元", "R6 生均教学仪器设备值(元/生)")]


def test_the_formula_guard_is_per_column_and_keeps_other_cells():
    frame = pd.DataFrame({"a": ["=1+1", "ok", None, True], "b": [1.0, 2.0, 3.0, 4.0],
                          "c": pd.Series(["-x", "y", "+z", "@w"], dtype="str")})
    out = export.neutralise_formulas(frame)
    assert out["a"].tolist() == ["'=1+1", "ok", None, True] and out["b"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert out["c"].tolist() == ["'-x", "y", "'+z", "'@w"]
    assert frame["a"].iloc[0] == "=1+1"                               # the input is not changed


def test_a_formula_like_school_name_is_text_in_the_workbook(demo_assessment, tmp_path):
    import dataclasses

    changed = dataclasses.replace(demo_assessment,
                                  verdicts=demo_assessment.verdicts.assign(county="=HYPERLINK(\"x\")"))
    write_results(changed, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "评估结果.xlsx")["综合结论"]
    cell = column(ws, "县区")[0]
    assert cell.value == "'=HYPERLINK(\"x\")" and cell.data_type == "s"
