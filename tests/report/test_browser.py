"""The reports as a reader's browser shows them: headless Chromium on the failing and the passing demo county.

One render per session (``rendered_demo`` in tests/conftest.py: 濮阳市 台前县, which fails,
清丰县, which passes, 濮阳市's overview and the index, with ``--pdf``). Each page is opened
in a 1366 × 768 window over the DevTools protocol (:class:`~quality_balance.report.browser.DevToolsPage`)
and looked at as a supervisor would: nothing wider than the window, the 摘要 on the first
screen, a print that fits on few A4 pages without squeezed tables, and no English ids,
code or machine paths in the visible text.

Without Chromium these tests skip, naming the missing program; under ``CI=true`` they fail.
"""
from __future__ import annotations

import re

import pytest

from tests.conftest import browser_missing

#: Window of the screen tests: a common office laptop.
WIDTH, HEIGHT = 1366, 768
#: The printed page bound of a county report (issue 11: at most 12 A4 pages).
MAX_PRINTED_PAGES = 12
#: A4 in PDF points (1/72 in): 210 × 297 mm.
A4_POINTS = (595.28, 841.89)
#: Narrowest content width (in em of the cell's font) of a table cell holding two characters or more.
MIN_CELL_EM = 2.0

COUNTY_PAGES = ("濮阳市/台前县", "濮阳市/清丰县")
PAGES = (*COUNTY_PAGES, "濮阳市/城市概览", "index")


# --- english_leaks ------------------------------------------------------------------------------------------

#: English the reports may show: the names of a method, programs and file kinds.
ALLOWED_WORDS = ("Wilson", "PDF", "Excel", "JupyterLab", "HTML")
#: An item code of the standard (G3, R2, Q10): allowed, also in ranges such as G3-G5.
_ITEM_CODE = re.compile(r"^[A-Z]{1,2}\d{1,2}$")
_LEAK_PATTERNS = (
    re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.~-]+){2,}[\\/]?"),                  # a path: /work/…, C:\…
    re.compile(r"[\w~-]+\.(?:toml|py|ipynb|csv|json|xlsx)(?![A-Za-z])"),       # a file name: national.toml
    re.compile(r"(?<![A-Za-z0-9])qb\.|quality_balance|<Figure"),              # the package, a figure's repr
    re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+"),     # snake_case: min_years_after_basic
    re.compile(r"(?<![A-Za-z0-9.])[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+"),     # a dotted key: certification.min_years
    re.compile(r"(?<![A-Za-z0-9-])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+"),    # a dashed id: R2-CV-junior
    re.compile(r"(?<![A-Za-z])(?:True|False|NaN|nan|None)(?![A-Za-z])"),      # Python / pandas values
    re.compile(r"(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])"),                        # a lower-case English word
)


def english_leaks(text: str) -> list[str]:
    """The English ids, code, paths and words in ``text`` that a Chinese report must not show, in order.

    Parameters
    ----------
    text : str
        The visible text of a page (``document.body.innerText``).

    Returns
    -------
    list of str
        Each offending token once: snake_case and dashed ids (``R2-CV-junior``,
        ``min_years_after_basic``), dotted keys (``certification.min_years``), ``qb.`` and
        ``quality_balance``, paths (``/work/…``) and file names (``national.toml``, ``x.py``),
        Python/pandas values (``True``, ``False``, ``NaN``, ``nan``, ``None``, ``<Figure``) and
        lower-case English words of three letters or more. Item codes (``G3``, ``R2``, ``Q10``,
        also ``G3-G5``) and :data:`ALLOWED_WORDS` are not flagged.
    """
    for word in ALLOWED_WORDS:
        text = re.sub(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", " ", text)
    found = []
    for pattern in _LEAK_PATTERNS:
        for match in pattern.finditer(text):
            token = match.group(0)
            if "-" in token and all(_ITEM_CODE.match(part) for part in token.split("-")):
                continue
            found.append(token)
    return list(dict.fromkeys(found))


@pytest.mark.parametrize("text, leak", [
    ("未达标项目：R2-CV-junior", "R2-CV-junior"),
    ("见 min_years_after_basic 一项", "min_years_after_basic"),
    ("由 certification.min_years 决定", "certification.min_years"),
    ("调用 qb.gap_to_pass(结果)", "qb."),
    ("模块 quality_balance 计算", "quality_balance"),
    ("数据来源: /work/data/demo", "/work/data/demo"),
    ("标准文件 national.toml 中", "national.toml"),
    ("脚本 render.py 生成", "render.py"),
    ("是否达标：True", "True"), ("False", "False"), ("差距 NaN", "NaN"), ("nan 元", "nan"), ("None", "None"),
    ("<Figure size 800x400 with 1 Axes>", "<Figure"),
    ("学段 primary 未达标", "primary"), ("状态 met", "met"),
])
def test_english_leaks_flags_ids_code_paths_and_words(text, leak):
    assert leak in english_leaks(text)


@pytest.mark.parametrize("text", [
    "2025年：17 个县区中 11 个达标", "未达标项目：G3、R2、Q10", "G3-G5 三项", "Wilson 区间下限 85.2%",
    "下载 PDF 或 Excel 工作簿", "用 JupyterLab 打开", "HTML 页面", "差异系数 0.452（限值 0.50）",
    "2021—2025 年", "比例 12.5%，人数 1,234 人", "濮阳市 台前县", "R2 未达标", "",
])
def test_english_leaks_passes_chinese_text_item_codes_and_the_allowed_words(text):
    assert english_leaks(text) == []


def test_english_leaks_lists_each_token_once_in_order():
    assert english_leaks("primary 与 junior，再次 primary") == ["primary", "junior"]


# --- skip or fail without a browser ---------------------------------------------------------------------------

def test_without_chromium_the_browser_tests_skip_naming_the_program_or_fail_under_ci():
    assert browser_missing("/usr/bin/chromium", {"CI": "true"}) is None
    assert browser_missing("/usr/bin/chromium", {}) is None
    action, reason = browser_missing(None, {})
    assert action == "skip" and "chromium" in reason and "apt-get install chromium" in reason
    assert browser_missing(None, {"CI": "true"})[0] == "fail"
    assert browser_missing(None, {"CI": "TRUE"})[0] == "fail"
    assert browser_missing(None, {"CI": "false"})[0] == "skip"


# --- the pages in a browser --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tab(chromium, tmp_path_factory):
    """One headless Chromium tab for the module (its profile in a temporary folder)."""
    from quality_balance.report.browser import DevToolsPage

    with DevToolsPage(tmp_path_factory.mktemp("chromium-profile"), chromium=chromium, timeout=120) as page:
        yield page


def _page(out, name: str):
    return out / f"{name}.html"


#: Tables wider than their container (rounding: half a pixel), as [table width, container width, where].
_WIDE_TABLES = """Array.from(document.querySelectorAll('table')).filter(t => t.getClientRects().length)
  .map(t => [t.getBoundingClientRect().width, CONTAINER, (t.innerText || '').trim().slice(0, 40)])
  .filter(x => x[0] > x[1] + 0.5)"""
#: Visible cells of two characters or more whose content box is narrower than MIN_CELL_EM em.
_SQUEEZED_CELLS = f"""Array.from(document.querySelectorAll('td, th')).filter(c => c.getClientRects().length
  && c.innerText.trim().length >= 2).map(c => {{
    const s = getComputedStyle(c);
    const inner = c.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)
                  - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
    return [c.innerText.trim().slice(0, 20), inner / parseFloat(s.fontSize)]; }})
  .filter(x => x[1] < {MIN_CELL_EM})"""
#: Width in CSS px of the printed page's content box: A4 (or the @page size) less the @page side margins.
_PRINT_CONTENT_WIDTH = """(() => {
  const probe = document.createElement('div'); document.body.appendChild(probe);
  const px = v => { probe.style.width = v; return probe.getBoundingClientRect().width; };
  let width = px('210mm'), left = '0', right = '0';
  for (const sheet of document.styleSheets) for (const rule of sheet.cssRules) if (rule instanceof CSSPageRule) {
    const size = rule.style.getPropertyValue('size').trim().split(/\\s+/);
    if (size[0] && /\\d/.test(size[0])) width = px(size[0]);
    left = rule.style.getPropertyValue('margin-left') || left;
    right = rule.style.getPropertyValue('margin-right') || right;
  }
  const content = width - px(left) - px(right); probe.remove(); return content; })()"""


@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_overflow_in_a_1366_px_window(rendered_demo, tab, name):
    tab.open(_page(rendered_demo, name), width=WIDTH, height=HEIGHT)
    assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert tab.all(_WIDE_TABLES.replace("CONTAINER", "t.parentElement.clientWidth")) == []


@pytest.mark.parametrize("name", COUNTY_PAGES)
def test_the_summary_is_on_the_first_screen(rendered_demo, tab, name):
    tab.open(_page(rendered_demo, name), width=WIDTH, height=HEIGHT)
    box = tab.evaluate("""(() => { const e = document.querySelector('section#qb-summary');
        if (!e) return null; const r = e.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, text: e.innerText}; })()""")
    assert box is not None, "no <section id=\"qb-summary\">"
    assert "摘要" in box["text"]
    assert box["top"] >= 0 and box["bottom"] <= HEIGHT, box


@pytest.mark.parametrize("name", PAGES)
def test_printed_tables_fit_the_page_and_no_cell_is_squeezed(rendered_demo, tab, name):
    tab.open(_page(rendered_demo, name), width=WIDTH, height=HEIGHT)
    content = tab.evaluate(_PRINT_CONTENT_WIDTH)
    assert 600 < content < 794                     # A4 less margins, in CSS px (96 per inch)
    tab.resize(round(content), HEIGHT)
    tab.media("print")
    assert tab.all(_WIDE_TABLES.replace("CONTAINER", str(content))) == []
    assert tab.all(_SQUEEZED_CELLS) == []


def test_printed_tables_fit_the_page_today(rendered_demo, tab):
    """The part of the print check the report pages pass already: no table wider than the page."""
    for name in PAGES:
        tab.open(_page(rendered_demo, name), width=WIDTH, height=HEIGHT)
        content = tab.evaluate(_PRINT_CONTENT_WIDTH)
        tab.resize(round(content), HEIGHT)
        tab.media("print")
        assert tab.all(_WIDE_TABLES.replace("CONTAINER", str(content))) == [], name


def _pdf_pages(path):
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


@pytest.mark.parametrize("name", PAGES[:3])
def test_every_report_has_an_a4_pdf(rendered_demo, name):
    sizes = _pdf_pages(rendered_demo / f"{name}.pdf")
    assert sizes and all(w == pytest.approx(A4_POINTS[0], abs=1) and h == pytest.approx(A4_POINTS[1], abs=1)
                         for w, h in sizes)


@pytest.mark.parametrize("name", COUNTY_PAGES)
def test_a_county_report_prints_on_at_most_12_a4_pages(rendered_demo, name):
    assert len(_pdf_pages(rendered_demo / f"{name}.pdf")) <= MAX_PRINTED_PAGES


def test_the_index_prints_with_print_pdf_on_a4(rendered_demo, chromium, tmp_path):
    from quality_balance.report.browser import print_pdf

    pdf = print_pdf(rendered_demo / "index.html", tmp_path / "index.pdf", chromium=chromium)
    sizes = _pdf_pages(pdf)
    assert 1 <= len(sizes) <= 4 and all(w == pytest.approx(A4_POINTS[0], abs=1) for w, _ in sizes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.pdf"]      # no temporary left


@pytest.mark.parametrize("name", PAGES)
def test_visible_text_has_no_english_ids_or_paths(rendered_demo, tab, name):
    tab.open(_page(rendered_demo, name), width=WIDTH, height=HEIGHT)
    text = tab.evaluate("document.body.innerText")
    assert "县" in text
    assert english_leaks(text) == []


def test_the_index_in_a_browser_shows_counts_legend_and_working_links(rendered_demo, tab):
    tab.open(rendered_demo / "index.html", width=WIDTH, height=HEIGHT)
    text = tab.evaluate("document.body.innerText")
    assert "2025年：17 个县区中" in text and "图例" in text and "达标" in text and "未达标" in text
    links = tab.all("Array.from(document.querySelectorAll('a')).map(a => [a.href, a.innerText, a.download])")
    from pathlib import Path
    from urllib.parse import unquote, urlparse

    targets = {Path(unquote(urlparse(href).path)) for href, _, _ in links}
    for name in ("濮阳市/台前县", "濮阳市/清丰县", "濮阳市/城市概览"):
        for suffix in (".html", ".pdf", ".ipynb"):
            assert rendered_demo / f"{name}{suffix}" in targets, (name, suffix)
    assert rendered_demo / "tables" / "评估结果.xlsx" in targets
    assert len([p for p in targets if p.parent == rendered_demo / "ledger"]) == 17       # every 2025 ledger
    assert all(p.exists() for p in targets)
    notebooks = [(text, download) for href, text, download in links if href.endswith(".ipynb")]
    assert notebooks and all("JupyterLab" in t and d.endswith(".ipynb") for t, d in notebooks)
