"""index.html: counts per year, legend, administrative-code order, profile titles, links to every file, Chinese only."""
from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from quality_balance.report.render import NOTEBOOK_LABEL, ReportJob, ReportResult, write_index
from quality_balance.report.style import STATUS_COLORS
from tests.report.test_browser import english_leaks

#: 乙市 (codes 1301xx) comes before 甲市 (4109xx); in 甲市, 乙县 (410901) before 甲县 (410902), then 丙县 (no code).
PLACES = pd.DataFrame({"city": ["甲市", "甲市", "甲市", "乙市"], "county": ["甲县", "乙县", "丙县", "丁县"]})
CODES = {"甲县": "410902", "乙县": "410901", "丁县": "130102"}
VERDICTS = pd.DataFrame({
    "city": ["甲市"] * 6 + ["乙市"] * 2,
    "county": ["甲县", "甲县", "乙县", "乙县", "丙县", "丙县", "丁县", "丁县"],
    "year": [2024, 2025] * 4,
    "overall": ["not_met", "met", "met", "met", "not_met", "no_data", "not_met", "not_met"],
    "profile": ["national", "national", "濮阳市", "濮阳市", "national", "national", "national", "national"],
})


def _dataset(source="/home/分析员/数据/2025年报送", synthetic=False):
    counties = pd.DataFrame({"city": ["甲市", "甲市", "乙市"], "county": ["甲县", "乙县", "丁县"],
                             "county_code": [CODES["甲县"], CODES["乙县"], None], "year": 2025})
    schools = pd.DataFrame({"city": ["乙市"], "county": ["丁县"], "county_code": [float(CODES["丁县"])]})
    return SimpleNamespace(source=source, synthetic=synthetic, counties=counties, schools=schools)


def _touch(path, text="x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def index(tmp_path):
    out = tmp_path / "reports"
    for name in ("甲市/甲县", "甲市/城市概览"):
        for suffix in (".html", ".pdf", ".ipynb"):
            _touch(out / f"{name}{suffix}")
    _touch(out / "甲市/乙县.html")
    _touch(out / "结果表" / "评估结果.xlsx")                         # assess --out reports/结果表
    _touch(out / "结果表" / ".评估结果.xlsx.4242.tmp")                # a temporary: never linked
    _touch(out / "ledger" / "甲市_甲县_2025_整改台账.xlsx")
    _touch(out / "ledger" / "甲县_2024_整改台账.xlsx")
    _touch(out / "ledger" / "~$甲县_2024_整改台账.xlsx")               # Excel's lock file
    _touch(out / "ledger" / "其他_整改台账.xlsx")
    results = [ReportResult(ReportJob(out, "甲市/甲县", {"city": "甲市", "county": "甲县"}, "甲市 甲县"),
                            out / "甲市/甲县.ipynb", out / "甲市/甲县.html", 1.0),
               ReportResult(ReportJob(out, "甲市/乙县", {"city": "甲市", "county": "乙县"}, "甲市 乙县"),
                            None, out / "甲市/乙县.html", 1.0, "第 3 个代码单元出错 — <b>坏</b>")]
    path = write_index(out, VERDICTS, PLACES, results, _dataset())
    return out, path.read_text(encoding="utf-8")


def _text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<title>.*?</title>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_counts_per_year_for_the_whole_set_and_per_city(index):
    _, page = index
    assert "<li>2024年：4 个县区中 1 个达标</li>" in page
    assert "<li>2025年：4 个县区中 2 个达标</li>" in page        # 丙县 (无数据) is counted, not passing
    row = re.search(r'<tr><td class="place">甲市</td>(.*?)</tr>', page).group(1)
    assert re.findall(r">([^<]+)</td>", row) == ["1 / 3", "2 / 3"]
    row = re.search(r'<tr><td class="place">乙市</td>(.*?)</tr>', page).group(1)
    assert re.findall(r">([^<]+)</td>", row) == ["0 / 1", "0 / 1"]


def test_legend_shows_every_status_colour_with_its_chinese_word(index):
    _, page = index
    legend = re.search(r'<ul class="legend".*?</ul>', page, re.S).group(0)
    for status, word in (("met", "达标"), ("not_met", "未达标"), ("no_data", "无数据"),
                         ("not_applicable", "不适用")):
        assert f'background:{STATUS_COLORS[status]}"></span>{word}</li>' in legend


def test_cities_and_counties_are_in_administrative_code_order(index):
    _, page = index
    assert page.index("<h2>乙市") < page.index("<h2>甲市")
    rows = re.findall(r"<tr><td>([^<]+)</td>", page)
    assert rows == ["丁县", "乙县", "甲县", "丙县"]


def test_a_county_without_a_verdict_that_year_is_not_counted(tmp_path):
    verdicts = VERDICTS[~((VERDICTS.county == "丙县") & (VERDICTS.year == 2025))]
    page = write_index(tmp_path, verdicts, PLACES, [], _dataset()).read_text(encoding="utf-8")
    assert "<li>2025年：3 个县区中 2 个达标</li>" in page


def test_without_codes_counties_are_in_name_order(tmp_path):
    data = SimpleNamespace(source="数据", synthetic=False, counties=None, schools=pd.DataFrame(
        {"city": ["甲市"], "county": ["甲县"]}))
    page = write_index(tmp_path, VERDICTS, PLACES, [], data).read_text(encoding="utf-8")
    assert re.findall(r"<tr><td>([^<]+)</td>", page) == ["丁县", "丙县", "乙县", "甲县"]   # 乙市 < 甲市 by name


def test_each_county_shows_its_profile_title_not_its_key(index):
    _, page = index
    row = re.search(r"<tr><td>乙县</td>(.*?)</tr>", page).group(1)
    assert row.startswith("<td>濮阳市行动方案（2021—2025年）</td>")
    row = re.search(r"<tr><td>甲县</td>(.*?)</tr>", page).group(1)
    assert row.startswith("<td>国家标准（教督〔2017〕6号）</td>")
    assert "national" not in _text(page)


def test_links_reach_reports_pdfs_notebooks_workbook_and_ledgers(index):
    out, page = index
    hrefs = re.findall(r'href="([^"]+)"', page)
    assert set(hrefs) == {"甲市/城市概览.html", "甲市/城市概览.pdf", "甲市/城市概览.ipynb", "甲市/甲县.html",
                          "甲市/甲县.pdf", "甲市/甲县.ipynb", "甲市/乙县.html", "结果表/评估结果.xlsx",
                          "ledger/甲市_甲县_2025_整改台账.xlsx", "ledger/甲县_2024_整改台账.xlsx",
                          "ledger/其他_整改台账.xlsx"}
    assert all((out / href).is_file() for href in hrefs)
    row = re.search(r"<tr><td>甲县</td>(.*?)</tr>", page).group(1)
    assert re.findall(r'href="ledger/[^"]+">(\d{4}年)</a>', row) == ["2024年", "2025年"]
    notebooks = re.findall(r'<a class="notebook" href="([^"]+)" download="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert notebooks == [("甲市/城市概览.ipynb", "城市概览.ipynb", NOTEBOOK_LABEL),
                         ("甲市/甲县.ipynb", "甲县.ipynb", NOTEBOOK_LABEL)]
    assert "JupyterLab" in NOTEBOOK_LABEL


def test_failures_are_shown_escaped_and_missing_reports_say_so(index):
    _, page = index
    row = re.search(r"<tr><td>乙县</td>(.*?)</tr>", page).group(1)
    assert "失败：第 3 个代码单元出错 — &lt;b&gt;坏&lt;/b&gt;" in row and "<b>坏" not in page
    row = re.search(r"<tr><td>丙县</td>(.*?)</tr>", page).group(1)
    assert "本次未生成" in row and "href" not in row


def test_the_source_is_named_by_its_folder_and_the_text_is_chinese(index):
    _, page = index
    text = _text(page)
    assert "数据来源：2025年报送" in text and "/home" not in page and "分析员" not in page
    assert english_leaks(text) == []


def test_synthetic_data_are_labelled_and_not_named_by_their_folder(tmp_path):
    page = write_index(tmp_path, VERDICTS, PLACES, [], _dataset("/work/data/demo", synthetic=True))
    text = _text(page.read_text(encoding="utf-8"))
    assert "演示数据（合成，非真实统计）" in text and "数据来源：合成演示数据" in text
    assert "demo" not in text and english_leaks(text) == []


def test_names_from_the_data_are_escaped(tmp_path):
    places = pd.DataFrame({"city": ["<i>市</i>"], "county": ['<script>alert("县")</script>']})
    verdicts = pd.DataFrame({"city": places.city, "county": places.county, "year": 2025, "overall": "met",
                             "profile": "<b>p</b>"})
    page = write_index(tmp_path, verdicts, places, [], _dataset()).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<i>市" not in page and "<b>p" not in page
    assert "&lt;script&gt;alert(&quot;县&quot;)&lt;/script&gt;" in page


def test_index_css_prints_on_a4_and_keeps_tables_within_the_page():
    from quality_balance.report.render import _INDEX_CSS

    assert re.search(r"@page\s*\{\s*size:\s*A4", _INDEX_CSS)
    assert "@media print" in _INDEX_CSS and "overflow-x: auto" in _INDEX_CSS
