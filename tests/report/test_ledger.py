"""The rectification ledger: rows, actions, responsible units, planned years, layout, names and safety."""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.builders import COUNTY_OK, JUNIOR_OK, PRIMARY_OK, dataset, school, survey_rows
from tests.input_files import write_csv
from quality_balance.method.assessment import assess
from quality_balance.cli import main
from quality_balance.errors import InputError
from quality_balance.report.ledger import (LEDGER_HEADERS, ledger_filename, ledger_table, responsible_unit,
                                    write_ledger)
from quality_balance.planning.tracking import planned_certification_year
from quality_balance.standards.profile import Profile
from quality_balance.schema import COUNTIES, SURVEY


def county_rows(city="测试市", county="甲县", backbone=2.0, name="城关一小", **county_changes):
    """A primary school missing R2 badly (2 backbone teachers for 1000 students: 0.2 per 100), a junior
    school meeting everything, and a county row with the given changes."""
    schools = [school(PRIMARY_OK, city=city, county=county, school_id=f"{county}P", school_name=name,
                      backbone_teachers_primary=backbone),
               school(JUNIOR_OK, city=city, county=county, school_id=f"{county}J", school_name="城关一中")]
    counties = [dict(COUNTY_OK, city=city, county=county, **county_changes)]
    return schools, counties, survey_rows(city=city, county=county)


@pytest.fixture(scope="module")
def failing():
    """甲县 2025: R2 missed at one school, rotation 8.5% (G11 < 10%), a veto item present (V2)."""
    schools, counties, survey = county_rows(rotation_rate=8.5, v2_school_choice=True)
    ok_schools, ok_counties, ok_survey = county_rows(county="乙县", backbone=12.0)
    return assess(dataset(schools + ok_schools, counties + ok_counties, survey + ok_survey, synthetic=True))


# --- the table -------------------------------------------------------------------------------------------

def test_one_row_per_shortfall_with_what_to_do(failing):
    table = ledger_table(failing, counties="甲县")
    assert table["item"].tolist() == ["V2", "R2", "G11"]             # veto first, then by relative gap
    veto, r2, g11 = (table.iloc[i] for i in range(3))
    assert (veto["value"], veto["threshold"], veto["dimension"]) == ("存在", "否", "一票否决")
    assert veto["action"].startswith("消除“违规择校行为突出”情形")
    assert (r2["school_name"], r2["stage"], r2["value"], r2["threshold"]) == ("城关一小", "小学", 0.2, 1.0)
    assert r2["gap"] == pytest.approx(0.8) and r2["relative_gap"] == pytest.approx(0.8)
    assert r2["action"] == "增加县级以上骨干教师 8 人"                 # ⌈1.0 × 1000 / 100 − 2⌉ (gap_to_pass)
    assert r2["responsible"] == "县教育局（计财股、人事股）"             # national [responsible] R
    assert (g11["value"], g11["threshold"], g11["gap"]) == (8.5, 10.0, 1.5)
    assert g11["action"] == "提高至 10（现 8.5，差 1.5）" and g11["responsible"] == "县人民政府"
    assert table["planned_year"].isna().all()                        # 测试市 has no plan
    assert (table["progress"] == "").all()
    assert list(table.columns) == ["city", "county", "year", *LEDGER_HEADERS]


def test_cv_rows_get_the_water_filling_additions():
    # three primary schools of 1000 students with 2, 8 and 12 m² of sports area each: mean 7.33,
    # standard deviation √(50.67 / 3) = 4.11, CV 0.560 > 0.50
    schools = [school(school_id=f"S{i}", sports_area_m2=a) for i, a in enumerate((2000.0, 8000.0, 12000.0))]
    table = ledger_table(assess(dataset(schools)))
    cv = table[table["item"] == "R5-CV"].iloc[0]
    assert cv["stage"] == "小学" and cv["value"] == 0.56 and cv["threshold"] == 0.5
    assert cv["action"].startswith("小学 R5 差异系数 0.560 → ") and "增加体育运动场馆面积" in cv["action"]


def test_planned_year_from_the_county_plan():
    schools, counties, survey = county_rows(city="濮阳市", county="清丰县")
    table = ledger_table(assess(dataset(schools, counties, survey)))
    assert len(table) and (table["planned_year"] == planned_certification_year("濮阳市", "清丰县")).all()


def test_responsible_unit_item_before_prefix():
    profile = Profile("t", "t", {"responsible": {"G": "县人民政府", "G5": "县教育局（基础教育股）", "R": "计财股"}})
    assert responsible_unit(profile, "G5") == "县教育局（基础教育股）"
    assert responsible_unit(profile, "G15") == "县人民政府"
    assert responsible_unit(profile, "R4-CV") == "计财股"
    assert responsible_unit(profile, "L2") == ""
    assert responsible_unit(Profile("t", "t", {}), "G5") == ""


def test_unknown_county_or_year_is_an_input_error(failing):
    with pytest.raises(InputError) as err:
        ledger_table(failing, counties=["甲县", "丙县"], years=[2025, 2019])
    text = str(err.value)
    assert "'丙县'" in text and "以下之一：乙县、甲县" in text and "2019" in text and "2025" in text


# --- the workbook ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def written(failing, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ledgers")
    return folder, write_ledger(failing, folder)


def test_one_file_per_county_and_year_and_nothing_else(written):
    folder, paths = written
    assert [p.name for p in paths] == ["测试市_乙县_2025_整改台账.xlsx", "测试市_甲县_2025_整改台账.xlsx"]
    assert sorted(p.name for p in folder.iterdir()) == [p.name for p in paths]     # no temporary files


def test_layout_for_printing(written):
    ws = openpyxl.load_workbook(written[1][1]).active
    title = ws["A1"].value
    assert "测试市甲县 2025年" in title and "整改台账" in title and "演示数据" in title
    assert "国家标准" in ws["A2"].value and "合成" in ws["A2"].value
    assert "需整改 3 项" in ws["A3"].value
    assert [c.value for c in ws[4]] == list(LEDGER_HEADERS.values())
    assert [ws.cell(r, 3).value for r in (5, 6, 7)] == ["V2", "R2", "G11"]
    assert ws.freeze_panes == "A5" and ws.print_title_rows == "$4:$4"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.cell(6, 12).number_format == "0.0%" and ws.cell(6, 12).value == pytest.approx(0.8)
    assert ws.cell(6, 12).alignment.wrap_text
    formulas = [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules]
    assert formulas[0] == '$B5="一票否决"'
    assert formulas[1] == "AND(ISNUMBER($L5),$L5>=0.15)"       # 1 − school_rule.min_ratio_of_miss (0.85)


def test_county_without_shortfalls_says_so(written):
    ws = openpyxl.load_workbook(written[1][0]).active
    assert "本年度没有未达标项目" in ws["A3"].value
    assert ws.max_row == 5 and all(c.value is None for c in ws[5])


def test_formula_like_text_is_never_a_formula(tmp_path):
    schools, counties, survey = county_rows(city="+市", county="=1+2", name='=HYPERLINK("http://x","点")')
    paths = write_ledger(assess(dataset(schools, counties, survey)), tmp_path)
    assert [p.name for p in paths] == ["+市_=1+2_2025_整改台账.xlsx"]
    ws = openpyxl.load_workbook(paths[0]).active
    assert ws["A1"].value.startswith("'") and ws["A1"].data_type == "s"
    names = [ws.cell(r, 6) for r in range(5, ws.max_row + 1) if ws.cell(r, 6).value]
    assert [(c.value, c.data_type) for c in names] == [("'=HYPERLINK(\"http://x\",\"点\")", "s")]
    with zipfile.ZipFile(paths[0]) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()


def test_same_county_name_in_two_cities_gets_the_city_in_the_name(tmp_path):
    a = county_rows(city="甲市", county="新华区")
    b = county_rows(city="乙市", county="新华区")
    b[0][0]["school_id"], b[0][1]["school_id"] = "B1", "B2"
    paths = write_ledger(assess(dataset(a[0] + b[0], a[1] + b[1], a[2] + b[2])), tmp_path)
    assert sorted(p.name for p in paths) == ["乙市_新华区_2025_整改台账.xlsx", "甲市_新华区_2025_整改台账.xlsx"]


@pytest.mark.parametrize("name", ["../x", "../../..", "a/b\\c", "C:\\Windows", "..", "", " . ", "CON", "nul.txt",
                                  "县\x00区", "长" * 500, "a:b*c?d\"e<f>g|h"])
def test_file_names_stay_inside_the_folder(tmp_path, name):
    file = ledger_filename(name, 2025, city="../市")
    assert "/" not in file and "\\" not in file and "\x00" not in file
    assert (tmp_path / file).resolve().parent == tmp_path.resolve()
    assert len(file.encode("utf-8")) <= 255 and file.endswith("_2025_整改台账.xlsx")
    assert not file.upper().startswith(("CON.", "CON_", "NUL."))


def test_long_names_are_cut_but_stay_distinct():
    first, second = ledger_filename("长" * 100 + "甲", 2025), ledger_filename("长" * 100 + "乙", 2025)
    assert first != second and len(first) < 80


# --- command line -------------------------------------------------------------------------------------------

def data_folder(folder: Path) -> Path:
    folder.mkdir()
    schools, counties, survey = county_rows(rotation_rate=8.5)
    write_csv(folder / "学校.csv", schools)
    write_csv(folder / "县区.csv", counties, table=COUNTIES)
    write_csv(folder / "满意度调查.csv", survey, table=SURVEY)
    return folder


def test_ledger_command(tmp_path, capsys):
    data = data_folder(tmp_path / "data")
    out = tmp_path / "台账"
    assert main(["ledger", str(data), "--out", str(out), "--county", "甲县", "--year", "2025"]) == 0
    assert [p.name for p in out.iterdir()] == ["测试市_甲县_2025_整改台账.xlsx"]
    assert "测试市_甲县_2025_整改台账.xlsx" in capsys.readouterr().out
    table = pd.read_excel(out / "测试市_甲县_2025_整改台账.xlsx", header=3)
    assert table["项目"].tolist() == ["R2", "G11"]


def test_ledger_command_refuses_unknown_year_and_county(tmp_path, capsys):
    data = data_folder(tmp_path / "data")
    out = tmp_path / "out"
    assert main(["ledger", str(data), "--out", str(out), "--year", "2030"]) == 2
    assert "数据中没有这一年" in capsys.readouterr().err
    assert main(["ledger", str(data), "--out", str(out), "--county", "丙县"]) == 2
    err = capsys.readouterr().err
    assert "评估结果中没有这个县区" in err and "Traceback" not in err
    assert not out.exists()


def test_g3_rows_say_what_to_do_not_a_fraction_to_add():
    import quality_balance as qb
    from tests.builders import COUNTY_OK, PRIMARY_OK, SCHOOL_GQ_OK, dataset, school, survey_rows
    base = dict(SCHOOL_GQ_OK, classes_primary=25.0, music_rooms=2.0, art_rooms=3.0)
    a = qb.assess(dataset([school(PRIMARY_OK, **base)], [COUNTY_OK], survey_rows()))
    from quality_balance.report.ledger import ledger_table
    row = ledger_table(a).set_index("item").loc["G3"]
    assert row["action"].startswith("配齐或改扩建音乐、美术专用教室") and "67%" in row["action"]
