"""The 基础基 statistics importer (issue 14): generated workbooks in the documented layout → the school table.

Workbooks come from :mod:`quality_balance.demo.statistics_workbooks` (the generator ``make demo`` uses too);
a few are then edited with openpyxl to make each documented error happen.
"""
from __future__ import annotations

import shutil
import zipfile

import openpyxl
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.cli import main
from quality_balance.demo.statistics_workbooks import EDITIONS, school_workbook, write_workbooks
from quality_balance.errors import InputError
from quality_balance.inputs.statistics import MappingError, import_statistics, load_mapping
from quality_balance.inputs.statistics.mapping import MAPPING_DIR
from quality_balance.inputs.statistics.workbook import normalise_label
from quality_balance.schema import SCHOOLS

TYPES = ("小学", "初级中学", "九年一贯制学校", "十二年一贯制学校", "完全中学", "教学点")


@pytest.fixture(scope="module")
def schools(demo_data):
    """The demo's 2025 schools."""
    table = demo_data.schools
    return table[table["year"] == 2025].reset_index(drop=True)


@pytest.fixture(scope="module")
def one_of_each(schools):
    """One school of each type in scope of the issue, plus a special school."""
    picked = schools.groupby("school_type", sort=False).head(1)
    assert set(TYPES) <= set(picked["school_type"])
    return picked.reset_index(drop=True)


def _school(frame: pd.DataFrame, school_type: str) -> dict:
    return frame[frame["school_type"] == school_type].iloc[0].to_dict()


def _imported_columns() -> list[str]:
    return [c for c in load_mapping().targets if c in SCHOOLS.names and c != "school_id"]


def _compare(imported: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Imported (as load_schools reads it) == the demo's rows, exactly, for every imported column."""
    cols = _imported_columns()
    got = imported.set_index("school_id").sort_index()[cols]
    want = expected.set_index("school_id").sort_index()[cols]
    assert list(got.index) == list(want.index)
    for col in cols:
        mismatch = got[col].to_numpy() != want[col].to_numpy()
        assert not mismatch.any(), (col, got.loc[mismatch, col].head().tolist(),
                                    want.loc[mismatch, col].head().tolist())


# --- the documented layout ----------------------------------------------------------------------------

def test_generated_workbook_has_the_documented_layout(one_of_each, tmp_path):
    row = _school(one_of_each, "小学")
    path = school_workbook(row, tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == ["封面", "基础基111", "基础基112"]
    ws = book["基础基312"]
    assert ws.row_dimensions[1].hidden and ws.column_dimensions["A"].hidden
    assert [ws.cell(1, c).value for c in range(1, 5)] == ["A", "B", "C", "D"]          # hidden helper row
    assert [ws.cell(r, 1).value for r in range(2, 5)] == ["1", "2", "3"]               # hidden running numbers
    assert ws["B2"].value == "小学学生数" and ws["B3"].value.startswith("基础基312 ")
    assert ws["B3"].value.endswith("单位：人")
    assert "F4:M4" in {str(m) for m in ws.merged_cells.ranges}                        # 在校学生数 over 8 columns
    assert ws["F4"].value == "在校_x000D_\n学生数"
    assert [ws.cell(6, c).value for c in range(2, 7)] == ["甲", "乙", "1", "2", "3"]  # the code row
    assert ws["B7"].value == "总  计" and ws["F7"].data_type == "s" and ws["F7"].value == str(row["students_primary"])
    assert ws["G8"].value == "*"
    ws512 = book["基础基512"]
    assert "B10:C10" in {str(m) for m in ws512.merged_cells.ranges}                   # label over B:C, 编号 in D
    assert (ws512["B8"].value, ws512["C8"].value, ws512["D8"].value) == ("其中", "危房", "02")


def test_normalised_labels():
    assert normalise_label("总  计") == normalise_label("总　计") == "总计"               # full-width space too
    assert normalise_label(" 在校_x000D_\n学生数 ") == "在校学生数"
    assert normalise_label("固定资产总值（万元）") == "固定资产总值(万元)"
    assert normalise_label("其中：网络多媒体教室") == "网络多媒体教室"


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("school_type", TYPES + ("特殊教育学校",))
def test_each_school_type_and_edition_round_trips(one_of_each, school_type, edition, tmp_path):
    row = _school(one_of_each, school_type)
    (tmp_path / "in").mkdir()
    school_workbook(row, tmp_path / "in" / "x.xlsx", edition=edition)
    result = import_statistics(tmp_path / "in", mapping=f"jichuji-{edition}", out=tmp_path / "out")
    _compare(qb.load_schools(tmp_path / "out"), one_of_each[one_of_each["school_type"] == school_type])
    got = result.schools.iloc[0]
    assert got["school_type"] == school_type
    assert got["year"] == "2025" and got["county_code"] == row["county_code"]


def test_hand_checked_figures_and_their_cells(one_of_each, tmp_path):
    """A nine-year school: both stage tables read, 万元 → 元, each figure's sheet and cells recorded."""
    row = _school(one_of_each, "九年一贯制学校")
    (tmp_path / "in").mkdir()
    school_workbook(row, tmp_path / "in" / "nine.xlsx")
    result = import_statistics(tmp_path / "in")
    trail = result.provenance.set_index("column")
    assert trail.loc["students_primary", ["sheet", "cells"]].tolist() == ["基础基312", "F7"]
    assert trail.loc["students_junior", ["sheet", "cells"]].tolist() == ["基础基313", "F7"]
    # R1 primary: 研究生 + 本科 + 专科 rows of 423 (rows 9–11), the 合计 column D
    assert trail.loc["teachers_above_degree_primary", "cells"] == "D9+D10+D11"
    parts = [int(x) for x in trail.loc["teachers_above_degree_primary", "raw"].split("+")]
    assert sum(parts) == row["teachers_above_degree_primary"]
    # R1 junior: the 初中 block of 424 (its 研究生, 本科 rows 10–11), not the 高中 block
    assert trail.loc["teachers_above_degree_junior", "cells"] == "D10+D11"
    assert trail.loc["pe_art_teachers_junior", "cells"] == "N8+O8+P8+Q8"              # 体育与健康, 音乐, 美术, 艺术
    assert trail.loc["teaching_area_m2", ["sheet", "cells"]].tolist() == ["基础基512", "E10"]  # label B:C, 合计 in E
    # 522: three header levels, 总计 on row 8; the equipment value is written in 万元 and imported in 元
    equipment = trail.loc["equipment_value_yuan"]
    assert (equipment["cells"], equipment["unit"], equipment["factor"]) == ("M8", "万元", "10000")
    assert equipment["raw"] == str(row["equipment_value_yuan"] / 10000).rstrip("0").rstrip(".")
    assert equipment["value"] == str(int(row["equipment_value_yuan"]))
    assert trail.loc["multimedia_rooms", "cells"] == "K8" and trail.loc["sports_area_m2", "cells"] == "F8"
    assert list(trail.loc["classes_56_plus", "sheet"]) == ["基础基212", "基础基213"]  # both stages' bands added
    assert trail.loc["school_id", ["sheet", "cells"]].tolist() == ["基础基111", "B7"]
    assert trail.loc["county_code", "raw"] == f"{row['county_code']}000000"
    assert result.schools.loc[0, "city"] == row["city"] and result.schools.loc[0, "county"] == row["county"]


def test_a_primary_school_has_zero_for_the_stages_it_lacks(one_of_each, tmp_path):
    (tmp_path / "in").mkdir()
    school_workbook(_school(one_of_each, "小学"), tmp_path / "in" / "p.xlsx")
    got = import_statistics(tmp_path / "in").schools.iloc[0]
    assert got["students_junior"] == got["teachers_above_degree_junior"] == got["classes_junior"] == "0"
    assert got["max_class_size_junior"] == ""     # not in the base tables: left for the template


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_demo_round_trip_of_a_county(schools, edition, tmp_path):
    """Demo schools → workbooks → import == the demo's school table for the imported columns, exactly."""
    county = schools[schools["county"] == "清丰县"]
    write_workbooks(county, tmp_path / "wb", edition=edition)
    result = import_statistics(tmp_path / "wb", mapping=f"jichuji-{edition}", out=tmp_path / "out")
    assert len(result.schools) == len(county) and result.synthetic
    _compare(qb.load_schools(tmp_path / "out"), county)
    dataset = qb.load_dataset(tmp_path / "out")
    assert dataset.synthetic                                    # the covers say 演示数据: so does metadata.json
    assert set(result.missing["school_id"]) == set(county["school_id"])
    assert "音乐专用教室数" in result.missing["missing"].iloc[0]
    written = {p.relative_to(tmp_path / "out").as_posix() for p in result.written}
    assert written == {"schools.csv", "excel/学校.xlsx", "import-log/provenance.csv", "import-log/missing.csv",
                       "metadata.json"}
    book = openpyxl.load_workbook(tmp_path / "out" / "excel" / "学校.xlsx", read_only=True)
    assert book.sheetnames == ["学校", "数据来源", "缺失项"]


def test_a_zip_of_workbooks_is_read(one_of_each, tmp_path):
    write_workbooks(one_of_each, tmp_path / "wb")
    bundle = tmp_path / "county.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in sorted((tmp_path / "wb").glob("*.xlsx")):
            archive.write(path, f"报表/{path.name}")
    result = import_statistics(bundle)
    assert sorted(result.schools["school_id"]) == sorted(one_of_each["school_id"])
    assert result.provenance["file"].str.startswith(f"{bundle}/报表/").all()


def test_a_renamed_sheet_is_found_by_its_code_row(one_of_each, tmp_path):
    path = school_workbook(_school(one_of_each, "小学"), tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    book["基础基512"].title = "校舍"
    book.save(path)
    result = import_statistics(path)
    assert result.provenance.set_index("column").loc["teaching_area_m2", "sheet"] == "校舍"


# --- the mapping is data ---------------------------------------------------------------------------------

def test_shipped_mappings_load_and_say_what_is_confirmed():
    for name in ("jichuji-2018", "jichuji-2021"):
        mapping = load_mapping(name)
        assert {f.confirmed for f in mapping.fields} == {True, False}
        assert all(f.note for f in mapping.fields)
    later = load_mapping("jichuji-2021")
    assert [f.rows for f in later.fields if f.targets == ("gym_area_m2",)] == [("室内体育用房",)]


def test_an_edited_mapping_changes_where_a_figure_is_read(one_of_each, tmp_path):
    row = _school(one_of_each, "小学")
    (tmp_path / "in").mkdir()
    school_workbook(row, tmp_path / "in" / "p.xlsx")
    text = (MAPPING_DIR / "jichuji-2018.toml").read_text(encoding="utf-8")
    old = 'target = "students_primary"\ntable = "312"\nrows = ["总计"]\ncols = [["在校学生数", "合计"]]'
    assert old in text
    mine = tmp_path / "my.toml"
    mine.write_text(text.replace(old, old.replace('[["在校学生数", "合计"]]', '[["招生数"]]')), encoding="utf-8")
    result = import_statistics(tmp_path / "in", mapping=mine)
    trail = result.provenance.set_index("column")
    assert trail.loc["students_primary", "cells"] == "E7"                        # 招生数, not 在校学生数/合计 (F7)
    per_grade_first = -(-int(row["students_primary"]) // 6)                      # the generator's first grade
    assert result.schools.loc[0, "students_primary"] == str(per_grade_first)


def test_unit_read_from_the_header(one_of_each, tmp_path):
    """A 522 whose 固定资产总值 column says (元) is not multiplied; (万元) is, by the mapping's factor."""
    row = _school(one_of_each, "小学")
    path = school_workbook(row, tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    assert book["基础基522"]["L4"].value == "固定资产总值（万元）"
    book["基础基522"]["L4"] = "固定资产总值（元）"
    book.save(path)
    from decimal import Decimal

    got = import_statistics(path).schools.loc[0, "equipment_value_yuan"]
    assert got == f"{(Decimal(repr(float(row['equipment_value_yuan']))) / 10000).normalize():f}"  # read as written


@pytest.mark.parametrize("old, new, message", [
    ('name = "jichuji-2018"', 'name = "jichuji-2018"\nbogus = 1', "文件顶层 中有未知的键 'bogus'"),
    ('"万元" = { to = "元", factor = 10000 }', '"万元" = { to = "元", factor = -3 }',
     "[units] 的 '万元' 的 factor -3 不对"),
    ('"万元" = { to = "元", factor = 10000 }', '"万元" = { to = "斤", factor = 10000 }',
     "换算到的单位 '斤' 不是学校表的单位"),
    ('table = "522"', 'table = "999"', "table '999' 不在 [tables] 中；应为：111、112"),
    ('target = "students_primary"', 'target = "students_primay"', "是否指 'students_primary'"),
    ('unit = "人"\ntypes = ["小学"', 'unit = "斤"\ntypes = ["小学"', "unit '斤' 不在 [units] 中"),
    ('types = ["小学", "教学点"', 'types = ["大学", "教学点"', "'大学' 不是学校类型"),
    ('block = "初中"', 'block = "初三"', "block '初三' 不在 [tables.424] 的 blocks 中"),
    ('"121" = "镇区"', '"121" = "镇上"', "[codes.location] 的 '121' = '镇上' 不是允许的值"),
    ('title = "中小学校舍情况"\nconfirmed = true', 'title = "中小学校舍情况"\nconfirmd = true', "是否指 'confirmed'"),
])
def test_a_bad_mapping_names_file_key_value_and_what_is_allowed(old, new, message, tmp_path):
    text = (MAPPING_DIR / "jichuji-2018.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(MappingError) as error:
        load_mapping(path)
    assert message in str(error.value) and str(path) in str(error.value)


def test_an_unknown_mapping_name_is_a_clear_error():
    with pytest.raises(MappingError, match="jichuji-2018"):
        load_mapping("jichuji-2019")


# --- errors in the project's standard -------------------------------------------------------------------------

def test_a_missing_table_is_named(one_of_each, tmp_path):
    path = school_workbook(_school(one_of_each, "小学"), tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    del book["基础基522"]
    book.save(path)
    with pytest.raises(InputError) as error:
        import_statistics(path)
    text = str(error.value)
    assert "缺少报表 基础基522（中小学占地面积及其他办学条件）" in text and "in.xlsx" in text


def test_a_label_not_found_names_the_closest_labels(one_of_each, tmp_path):
    (tmp_path / "in").mkdir()
    school_workbook(_school(one_of_each, "小学"), tmp_path / "in" / "p.xlsx", edition="2021")
    with pytest.raises(InputError) as error:
        import_statistics(tmp_path / "in", mapping="jichuji-2018")
    problem, = error.value.problems
    assert problem.sheet == "基础基512" and "找不到行“体育馆”" in problem.message
    assert "室内体育用房" in problem.fix and "gym_area_m2" in problem.column


def test_a_column_label_not_found(one_of_each, tmp_path):
    path = school_workbook(_school(one_of_each, "小学"), tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    assert book["基础基522"]["K5"].value == "其中：网络多媒体教室"
    book["基础基522"]["K5"] = "其中：多媒体教室"
    book.save(path)
    with pytest.raises(InputError) as error:
        import_statistics(path)
    problem, = error.value.problems
    assert "找不到列“教室/网络多媒体教室”" in problem.message and "多媒体教室" in problem.fix


def test_a_cell_that_is_not_a_number_is_named_by_its_address(one_of_each, tmp_path):
    path = school_workbook(_school(one_of_each, "小学"), tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    book["基础基312"]["F7"] = "很多"
    book.save(path)
    with pytest.raises(InputError) as error:
        import_statistics(path)
    problem, = error.value.problems
    assert (problem.sheet, problem.row, problem.value) == ("基础基312", 7, "很多") and problem.column.startswith("F7")


def test_a_school_in_two_files(one_of_each, tmp_path):
    (tmp_path / "in").mkdir()
    first = school_workbook(_school(one_of_each, "小学"), tmp_path / "in" / "a.xlsx")
    shutil.copy(first, tmp_path / "in" / "b.xlsx")
    with pytest.raises(InputError) as error:
        import_statistics(tmp_path / "in")
    problem, = error.value.problems
    assert "已在另一个文件中出现" in problem.message and "a.xlsx" in problem.message and problem.file.endswith("b.xlsx")


def test_mixed_years(one_of_each, tmp_path):
    (tmp_path / "in").mkdir()
    school_workbook(_school(one_of_each, "小学"), tmp_path / "in" / "a.xlsx")
    school_workbook(dict(_school(one_of_each, "初级中学"), year=2024), tmp_path / "in" / "b.xlsx")
    with pytest.raises(InputError) as error:
        import_statistics(tmp_path / "in")
    problem, = error.value.problems
    assert "不同学年" in problem.message and "2024 年" in problem.message and "2025 年" in problem.message


def test_cli_errors_exit_2_without_traceback_and_write_nothing(one_of_each, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    school_workbook(_school(one_of_each, "小学"), tmp_path / "in" / "a.xlsx", edition="2021")
    out = tmp_path / "out"
    assert main(["import-stats", str(tmp_path / "in"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "找不到行“体育馆”" in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())
    assert main(["import-stats", str(tmp_path / "in"), "--out", str(tmp_path / "in" / "x")]) == 2  # inside the input
    assert "可能覆盖或删除输入文件" in capsys.readouterr().err


def test_cli_imports_and_prints_where(one_of_each, tmp_path, capsys):
    write_workbooks(one_of_each, tmp_path / "wb")
    assert main(["import-stats", str(tmp_path / "wb"), "--out", str(tmp_path / "out")]) == 0
    text = capsys.readouterr().out
    assert f"已导入 {len(one_of_each)} 所学校" in text and str((tmp_path / "out").resolve()) in text
    assert "演示数据" in text and "项未证实" in text


# --- what the base tables lack: the template --------------------------------------------------------------------

def test_the_template_fills_what_the_base_tables_lack(one_of_each, tmp_path):
    from tests.builders import COUNTY_OK

    write_workbooks(one_of_each, tmp_path / "wb")
    extra_cols = ["music_rooms", "art_rooms", "music_room_min_area_m2", "art_room_min_area_m2",
                  "max_class_size_primary", "max_class_size_junior", "public_funds_yuan", "training_funds_yuan"]
    rows = one_of_each[["school_id", *extra_cols]].copy()
    stranger = dict(rows.iloc[0], school_id="9999999999")
    table = pd.concat([rows, pd.DataFrame([stranger])], ignore_index=True)
    template = tmp_path / "模板.xlsx"
    with pd.ExcelWriter(template) as book:
        table.rename(columns={c.name: c.zh for c in SCHOOLS.columns}).to_excel(book, sheet_name="学校", index=False)
        county = dict(COUNTY_OK, city=one_of_each["city"][0], county=one_of_each["county"][0], year=2025)
        pd.DataFrame([county]).to_excel(book, sheet_name="县区", index=False)
    result = import_statistics(tmp_path / "wb", extra=template, out=tmp_path / "out")
    assert result.missing.empty, result.missing.to_dict("records")  # nothing left to fill
    assert any("9999999999" == n.value for n in result.notes)  # a template row for no imported school: a warning
    loaded = qb.load_schools(tmp_path / "out").set_index("school_id").sort_index()
    want = one_of_each.set_index("school_id").sort_index()
    for col in extra_cols:
        pd.testing.assert_series_equal(loaded[col].astype(float), want[col].astype(float), check_names=False)
    trail = result.provenance
    assert trail.loc[trail["column"] == "music_rooms", "source"].str.startswith("模板").all()
    assert (tmp_path / "out" / "counties.csv").exists()
    dataset = qb.load_dataset(tmp_path / "out")
    assert len(dataset.counties) == 1


# --- docs and the demo command ---------------------------------------------------------------------------------

def test_the_docs_list_every_mapping_entry_and_whether_it_is_confirmed():
    from quality_balance.paths import PACKAGE_DIR

    text = (PACKAGE_DIR.parent / "docs" / "import-stats.md").read_text(encoding="utf-8")
    for name in ("jichuji-2018", "jichuji-2021"):
        section = text.split(f"#### `{name}`", 1)[1].split("####", 1)[0]
        mapping = load_mapping(name)
        for f in mapping.fields:
            if name == "jichuji-2021" and f.table != "512":
                continue   # the later edition lists only what differs
            line = next((ln for ln in section.splitlines()
                         if ln.startswith(f"| `{'、'.join(f.targets)}` | 基础基{f.table} |")), None)
            assert line is not None, (name, f.where)
            assert line.split(" | ")[4] == ("是" if f.confirmed else "**否**"), (name, f.where)


def test_demo_workbooks_command_writes_one_workbook_per_school(one_of_each, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    one_of_each.rename(columns={c.name: c.zh for c in SCHOOLS.columns}).to_csv(data / "schools.csv", index=False)
    out = tmp_path / "wb"
    assert main(["demo-workbooks", str(data), "--out", str(out), "--edition", "2021"]) == 0
    assert len(list(out.glob("*.xlsx"))) == len(one_of_each)
    assert "2025 年" in capsys.readouterr().out
    assert main(["demo-workbooks", str(data), "--out", str(out), "--year", "2019"]) == 2
    assert "--year" in capsys.readouterr().err
    result = import_statistics(out, mapping="jichuji-2021")
    _compare(result.schools.assign(**{c: pd.to_numeric(result.schools[c]) for c in _imported_columns()
                                      if SCHOOLS.column(c).kind in ("count", "amount", "int")}), one_of_each)


def test_a_sheet_with_a_far_stray_cell_is_refused_quickly(one_of_each, tmp_path):
    path = school_workbook(_school(one_of_each, "小学"), tmp_path / "in.xlsx")
    book = openpyxl.load_workbook(path)
    book["基础基312"]["ZZ9000"] = "x"
    book.save(path)
    with pytest.raises(InputError) as error:
        import_statistics(path)
    problem, = error.value.problems
    assert problem.sheet == "基础基312" and "ZZ9000" in problem.message
