"""The quality-balance command line: demo → assess end to end, clear errors, no partial output."""

import openpyxl
import pandas as pd
import pytest

from quality_balance import demo
from quality_balance.cli import main
from quality_balance.schema import SCHOOLS
from tests.builders import COUNTY_OK, PRIMARY_OK, SCHOOL_GQ_OK, school


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "demo"
    demo.write(demo.generate(years=(2024, 2025)), out)
    return out


def test_assess_writes_csv_and_a_chinese_workbook(demo_folder, tmp_path, capsys):
    out = tmp_path / "tables"
    assert main(["assess", str(demo_folder), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "演示数据" in printed and "2025 年综合结论" in printed and "清丰县" in printed
    names = {p.name for p in out.iterdir()}
    assert {"verdicts.csv", "items.csv", "shortfalls.csv", "counties.csv", "cv.csv", "units.csv",
            "评估结果.xlsx"} <= names
    assert not [n for n in names if n.startswith(".qb-tmp")]
    verdicts = pd.read_csv(out / "verdicts.csv", encoding="utf-8-sig")
    assert len(verdicts) == 17 * 2 and set(verdicts["year"]) == {2024, 2025}
    assert verdicts["data"].str.contains("演示数据").all()  # synthetic label travels with the results
    book = openpyxl.load_workbook(out / "评估结果.xlsx", read_only=True)
    assert {"说明", "综合结论", "评估项目", "问题清单", "差异系数", "学校单元"} <= set(book.sheetnames)
    header = next(book["综合结论"].iter_rows(max_row=1, values_only=True))
    assert header[:3] == ("市", "县区", "年份") and "综合结论" in header
    assert "演示数据" in next(book["说明"].iter_rows(min_row=2, max_row=2, values_only=True))[0]


def test_assess_with_years_and_a_named_profile(demo_folder, tmp_path):
    out = tmp_path / "t"
    assert main(["assess", str(demo_folder), "--out", str(out), "--years", "2025", "--profile", "national"]) == 0
    verdicts = pd.read_csv(out / "verdicts.csv", encoding="utf-8-sig")
    assert set(verdicts["year"]) == {2025} and set(verdicts["profile"]) == {"national"}


def test_bad_input_exits_2_with_the_file_row_and_column_and_writes_nothing(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    row = {SCHOOLS.column(k).zh: v for k, v in school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A").items()
           if k in SCHOOLS.names}
    bad = dict(row, **{"小学在校生数": "很多"})
    pd.DataFrame([row, bad]).to_csv(data / "学校.csv", index=False, encoding="gbk")
    before = (data / "学校.csv").read_bytes()
    out = tmp_path / "out"
    assert main(["assess", str(data), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "学校.csv" in err and "第3行" in err and "小学在校生数" in err and "很多" in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())
    assert (data / "学校.csv").read_bytes() == before  # the user's file is never modified


def test_unknown_profile_is_a_clear_error(demo_folder, tmp_path, capsys):
    assert main(["assess", str(demo_folder), "--out", str(tmp_path / "o"), "--profile", "火星县"]) == 2
    assert "unknown profile '火星县'" in capsys.readouterr().err


def test_bad_years_argument(demo_folder, tmp_path, capsys):
    assert main(["assess", str(demo_folder), "--out", str(tmp_path / "o"), "--years", "二〇二五"]) == 2
    assert "--years" in capsys.readouterr().err


def test_help_is_bilingual(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "演示数据" in text and "demo data" in text and "assess" in text


def test_county_only_table_is_assessed_from_a_folder(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    row = {k: v for k, v in school(PRIMARY_OK, **SCHOOL_GQ_OK, school_id="A").items()}
    pd.DataFrame([row]).to_csv(data / "schools.csv", index=False)
    pd.DataFrame([COUNTY_OK]).to_csv(data / "counties.csv", index=False)
    assert main(["assess", str(data), "--out", str(tmp_path / "o")]) == 0
    items = pd.read_csv(tmp_path / "o" / "items.csv", encoding="utf-8-sig")
    assert items.set_index("item").loc["G1", "status"] == "met"
    assert items.set_index("item").loc["S1", "status"] == "no_data"


def test_workbook_veto_column_says_present_or_absent(demo_folder, tmp_path):
    out = tmp_path / "t"
    assert main(["assess", str(demo_folder), "--out", str(out)]) == 0
    sheet = pd.read_excel(out / "评估结果.xlsx", sheet_name="综合结论")
    assert set(sheet["一票否决"]) <= {"无", "存在（否决）", "无数据"}
    # the demo's veto-only year
    assert (sheet.set_index(["县区", "年份"]).loc[("华龙区", 2024), "一票否决"]) == "存在（否决）"


def test_assess_into_a_file_path_is_a_clear_error(demo_folder, tmp_path, capsys):
    target = tmp_path / "occupied"
    target.write_text("not a folder", encoding="utf-8")
    assert main(["assess", str(demo_folder), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "无法写入输出文件夹" in err and "occupied" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "not a folder"


# --- nothing of the user's is ever overwritten (issue 10) -------------------------------------------

def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", ["assess", "ledger", "render"])
@pytest.mark.parametrize("where", ["same", "inside", "contains"])
def test_output_overlapping_the_input_is_refused(command, where, demo_folder, tmp_path, capsys):
    import shutil

    data = tmp_path / "parent" / "data"
    shutil.copytree(demo_folder, data)
    out = {"same": data, "inside": data / "out", "contains": data.parent}[where]
    before = _snapshot(tmp_path)
    status = main([command, str(data), "--out", str(out)])
    text = capsys.readouterr().err
    assert status == 2
    assert "--out" in text and str(data) in text and "可能覆盖或删除输入文件" in text
    assert {"same": "就是输入数据所在的文件夹", "inside": "位于输入数据文件夹之内",
            "contains": "包含输入数据"}[where] in text
    assert _snapshot(tmp_path) == before                  # every input byte-for-byte unchanged, nothing added
    assert not (data / "out").exists()


def test_a_symlink_to_the_input_is_the_input(demo_folder, tmp_path, capsys):
    link = tmp_path / "link"
    link.symlink_to(demo_folder, target_is_directory=True)
    before = _snapshot(demo_folder)
    assert main(["assess", str(demo_folder), "--out", str(link)]) == 2
    assert "就是输入数据所在的文件夹" in capsys.readouterr().err
    assert _snapshot(demo_folder) == before


def test_commands_leave_their_input_byte_for_byte_unchanged(demo_folder, tmp_path, capsys):
    before = _snapshot(demo_folder)
    for argv in (["check", str(demo_folder)], ["assess", str(demo_folder), "--out", str(tmp_path / "t")],
                 ["ledger", str(demo_folder), "--out", str(tmp_path / "l"), "--year", "2025"]):
        assert main(argv) == 0, capsys.readouterr()
    assert _snapshot(demo_folder) == before


# --- output formats (issue 12) --------------------------------------------------------------------------

def test_assess_format_parquet_writes_only_parquet(demo_folder, tmp_path, capsys):
    out = tmp_path / "p"
    assert main(["assess", str(demo_folder), "--out", str(out), "--format", "parquet"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{t}.parquet" for t in ("verdicts", "items", "parts", "shortfalls", "counties", "cv",
                                                    "units", "recognition", "excluded"))
    verdicts = pd.read_parquet(out / "verdicts.parquet")
    assert len(verdicts) == 17 * 2 and verdicts["year"].dtype.kind == "i"
    assert "9 个文件" in capsys.readouterr().out


def test_assess_formats_combine_and_all_writes_every_one(demo_folder, tmp_path):
    out = tmp_path / "a"
    assert main(["assess", str(demo_folder), "--out", str(out), "--format", "parquet", "--format", "xlsx"]) == 0
    assert {p.suffix for p in out.iterdir()} == {".parquet", ".xlsx"}
    out = tmp_path / "b"
    assert main(["assess", str(demo_folder), "--out", str(out), "--format", "all"]) == 0
    assert len(list(out.glob("*.csv"))) == 9 and len(list(out.glob("*.parquet"))) == 9
    assert (out / "评估结果.xlsx").exists()


def test_assess_unknown_format_exits_2_before_loading_and_writes_nothing(demo_folder, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["assess", str(demo_folder), "--out", str(out), "--format", "csv,pdf"]) == 2
    err = capsys.readouterr().err
    assert "--format" in err and "pdf" in err and "parquet" in err and "Traceback" not in err
    assert not out.exists()
