"""The hostile-input suite: crafted files through the command line (tests/hostile/README.md lists the cases).

Every case asserts: the exit status (2 with a clear error naming the file and what
is wrong, or 0 for a documented acceptance), no traceback in the output, and
nothing written anywhere — not even a temporary file. The path, formula and
long-name cases also run ``assess`` and ``ledger`` and check that every file
written lies inside the output folder and that a failure leaves no temporary
file behind.
"""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.hostile.cases import (CASES, FORMULA, PATH_COUNTY, big_school_file, hostile_county_rows, nul_bytes,
                           truncated_workbook, valid_rows)
from tests.input_files import write_csv
from quality_balance.cli import main
from quality_balance.report.ledger import EXCEL_CELL_LIMIT, ledger_filename

README = Path(__file__).parent / "hostile" / "README.md"


def tree(folder: Path) -> dict[str, tuple[bool, int, int]]:
    """Every path under ``folder`` → (is a folder, size, modification time)."""
    return {str(p.relative_to(folder)): (p.is_dir(), p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*")}


def run(capsys, *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out + err


def no_traceback(text: str) -> None:
    assert "Traceback" not in text and not re.search(r'File ".*", line \d+', text)


# --- every crafted file through `check` ------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_check_on_hostile_file(case, tmp_path, capsys):
    folder = tmp_path / "input"
    folder.mkdir()
    paths = case.build(folder)
    before = tree(tmp_path)
    status, text = run(capsys, "check", *map(str, paths))
    assert status == case.status, text
    for expected in case.expect:
        assert expected in text, (expected, text[:2000])
    no_traceback(text)
    assert tree(tmp_path) == before                     # check writes nothing, not even a temporary file
    if case.status:
        assert "有错误" in text and any(line.startswith("错误 / error: ") for line in text.splitlines())


def test_at_least_25_cases_and_every_case_documented():
    documented = set(re.findall(r"^\| `(\w+)` \|", README.read_text(encoding="utf-8"), flags=re.M))
    names = {case.name for case in CASES}
    assert len(names) == len(CASES) >= 25
    assert names <= documented, names - documented


def test_check_in_a_fresh_process_prints_no_traceback(tmp_path):
    path = nul_bytes(tmp_path)[0]
    done = subprocess.run([sys.executable, "-m", "quality_balance.cli", "check", str(path)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 2
    assert "空字符" in done.stdout and "学校.csv" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


# --- the same files through assess and ledger ---------------------------------------------------------------

@pytest.mark.parametrize("build", [truncated_workbook, nul_bytes], ids=["truncated", "nul"])
@pytest.mark.parametrize("command", ["assess", "ledger"])
def test_bad_input_stops_before_writing(build, command, tmp_path, capsys):
    paths = build(tmp_path)
    out = tmp_path / "out"
    status, text = run(capsys, command, str(paths[0]), "--out", str(out))
    assert status == 2 and paths[0].name in text
    no_traceback(text)
    assert not out.exists()


def test_path_characters_in_a_county_never_leave_the_output_folder(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "学校.csv", hostile_county_rows(PATH_COUNTY, school_name="城关一小"))
    out = tmp_path / "a" / "b" / "c" / "out"                     # ../../../ from here is still inside tmp_path
    before = tree(tmp_path)
    for argv in (["check", str(data)], ["assess", str(data), "--out", str(out / "tables")],
                 ["ledger", str(data), "--out", str(out / "ledgers")]):
        status, text = run(capsys, *argv)
        assert status == 0, text
        no_traceback(text)
    new = [tmp_path / p for p in set(tree(tmp_path)) - set(before)]
    files = [p for p in new if p.is_file()]
    assert files and all(out in p.parents for p in files), files
    assert all(p == out or out in p.parents or p in out.parents for p in new)      # folders: out and its parents
    ledger = out / "ledgers" / ledger_filename(PATH_COUNTY, 2025, "测试市")
    assert ledger.is_file() and not any("逃逸" in p.name for p in new if p != ledger)
    assert openpyxl.load_workbook(ledger).active["A1"].value.startswith(f"测试市{PATH_COUNTY} 2025年")


def test_formula_in_a_cell_comes_out_neutralised(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "学校.csv", hostile_county_rows("甲县", school_name=FORMULA))
    status, text = run(capsys, "ledger", str(data), "--out", str(tmp_path / "out"))
    assert status == 0, text
    path = tmp_path / "out" / "测试市_甲县_2025_整改台账.xlsx"
    cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row if c.value == "'" + FORMULA]
    assert len(cells) >= 1 and all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(path) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()   # no formula anywhere


def test_control_characters_pass_check_assess_and_ledger_cleaned(tmp_path, capsys):
    """Vertical tab / escape in a school name used to pass check and crash assess (IllegalCharacterError)."""
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "学校.csv", hostile_county_rows("甲县", school_name="城关\x0b一小\x1b"))
    out = tmp_path / "out"
    for argv in (["check", str(data)], ["assess", str(data), "--out", str(out / "tables")],
                 ["ledger", str(data), "--out", str(out / "ledgers")]):
        status, text = run(capsys, *argv)
        assert status == 0, text
        no_traceback(text)
    units = (out / "tables" / "units.csv").read_text(encoding="utf-8-sig")
    assert "城关一小" in units and "\x0b" not in units and "\x1b" not in units
    ledger = next((out / "ledgers").iterdir())
    names = [c.value for row in openpyxl.load_workbook(ledger).active.iter_rows() for c in row]
    assert "城关一小" in names


@pytest.mark.parametrize("build", ["only_special_education", "zero_students"])
def test_degenerate_counties_get_a_result_not_a_traceback(build, tmp_path, capsys):
    from tests.hostile import cases

    data = tmp_path / "data"
    data.mkdir()
    getattr(cases, build)(data)
    out = tmp_path / "out"
    for argv in (["assess", str(data), "--out", str(out / "tables")], ["ledger", str(data), "--out", str(out / "l")]):
        status, text = run(capsys, *argv)
        assert status == 0, text
        no_traceback(text)
    counties = (out / "tables" / "counties.csv").read_text(encoding="utf-8-sig")
    assert "无纳入评估的学校单元" in counties and "inf" not in counties.lower()


def test_extremely_long_strings_in_the_ledger(tmp_path, capsys):
    path = write_csv(tmp_path / "学校.csv", hostile_county_rows("长" * 300, school_name="很长的学校名称" * 6000))
    out = tmp_path / "out"
    status, text = run(capsys, "ledger", str(path), "--out", str(out))
    assert status == 0, text
    [ledger] = list(out.iterdir())
    assert len(ledger.name.encode("utf-8")) <= 255 and ledger.name.startswith("测试市_" + "长" * 40 + "~")
    values = [c.value for row in openpyxl.load_workbook(ledger).active.iter_rows() for c in row
              if isinstance(c.value, str)]
    assert max(map(len, values)) == EXCEL_CELL_LIMIT
    assert any(v.endswith("（已截断）") for v in values)


def test_output_folder_that_is_a_file(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "学校.csv", hostile_county_rows("甲县"))
    target = tmp_path / "out"
    target.write_text("not a folder")
    status, text = run(capsys, "ledger", str(data), "--out", str(target))
    assert status == 2 and "无法写入输出文件夹" in text and str(target) in text
    no_traceback(text)
    assert target.read_text() == "not a folder"


def test_failure_while_moving_into_place_leaves_no_temporary_file(tmp_path, capsys):
    """A folder already occupies the name of one ledger: the move fails; no temporary folder or partial file remains."""
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "学校.csv", hostile_county_rows("甲县") + valid_rows(county="乙县", prefix="41092300"))
    out = tmp_path / "out"
    (out / "测试市_乙县_2025_整改台账.xlsx").mkdir(parents=True)
    status, text = run(capsys, "ledger", str(data), "--out", str(out))
    assert status == 2 and "无法写入输出文件夹" in text
    no_traceback(text)
    left = [p.name for p in out.iterdir()]
    assert not any(name.startswith(".qb-tmp") for name in left)
    assert (out / "测试市_乙县_2025_整改台账.xlsx").is_dir()


# --- 200 000 rows --------------------------------------------------------------------------------------------

def test_200_000_rows(tmp_path, capsys):
    path = big_school_file(tmp_path / "学校.csv", rows=200_000)
    status, text = run(capsys, "check", str(path))
    assert status == 2
    errors = [line for line in text.splitlines() if line.startswith("错误 / error: ")]
    assert errors == [f"错误 / error: {path} 第200000行 列「小学在校生数」: 数值为负（收到: '-5'）；"
                      "应为: 不小于 0 的数，单位：人；修改建议: 核对数值；没有时填 0"]
    assert "学校 200000 行" in text and "suspicious values: 0" in text
    no_traceback(text)


# --- what reaches HTML and the result CSVs (issue 10) --------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_render_keeps_hostile_names_inside_out_and_escaped(tmp_path, capsys):
    """A county named ../../../逃逸县 with a school named <script>…: the pages stay inside --out, no markup."""
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "学校.csv", hostile_county_rows(PATH_COUNTY, school_name=SCRIPT))
    out = tmp_path / "a" / "b" / "c" / "out"
    before = tree(tmp_path)
    status, text = run(capsys, "render", str(data), "--out", str(out), "--jobs", "1", "--no-progress")
    assert status == 0, text
    no_traceback(text)
    new = [tmp_path / p for p in set(tree(tmp_path)) - set(before)]
    assert all(p == out or out in p.parents or p in out.parents for p in new), new
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 3                                   # the county report, the city overview, the index
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert SCRIPT not in html and "<script>alert" not in html, page
    county_page = next(p for p in pages if "逃逸县" in p.name)
    assert county_page.parent.parent == out and "&lt;script&gt;alert(1)&lt;/script&gt;" in county_page.read_text(
        encoding="utf-8")


def test_result_csvs_neutralise_formula_text(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "学校.csv", hostile_county_rows("甲县", school_name=FORMULA))
    status, text = run(capsys, "assess", str(data), "--out", str(tmp_path / "out"))
    assert status == 0, text
    units = (tmp_path / "out" / "units.csv").read_text(encoding="utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in units
    assert "\n" + FORMULA not in units and "," + FORMULA not in units and ',"' + FORMULA not in units


def test_tables_escape_cells_labels_captions_and_tooltips():
    import pandas as pd

    from quality_balance.report import tables

    styler = tables.html_styler(pd.DataFrame({SCRIPT: [SCRIPT]}, index=[SCRIPT]))
    styler = tables.html_caption(styler, SCRIPT).set_tooltips(
        pd.DataFrame({SCRIPT: [tables.css_text(SCRIPT + '"}</style>')]}, index=[SCRIPT]))
    page = styler.to_html()
    assert "<script>" not in page and "</style><" not in page.replace("</style>\n<table", "")
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4   # cell, column label, row label, caption
