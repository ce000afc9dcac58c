"""Result tables as Parquet, the output formats, the workbook's XML writer: real files read back."""
from __future__ import annotations

import dataclasses
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from quality_balance.errors import InputError, OutputError
from quality_balance.output import neutralise_formulas
from quality_balance.report import export, xlsx_stream
from quality_balance.report.export import output_formats, write_results

TABLES = ("verdicts", "items", "parts", "shortfalls", "counties", "cv", "units", "recognition", "excluded")


@pytest.fixture(scope="module")
def both(demo_assessment, tmp_path_factory):
    folder = tmp_path_factory.mktemp("both")
    written = write_results(demo_assessment, folder, formats=("csv", "parquet", "xlsx"))
    return folder, written


def _frames(demo_assessment):
    ra = demo_assessment.resources
    return {"verdicts": demo_assessment.verdicts, "items": demo_assessment.items, "parts": demo_assessment.parts,
            "shortfalls": demo_assessment.shortfalls, "counties": ra.counties, "cv": ra.cv, "units": ra.units,
            "recognition": demo_assessment.recognition, "excluded": ra.excluded}


def test_written_files_in_order_csv_then_parquet_then_the_workbook(both):
    folder, written = both
    assert [p.name for p in written] == ([f"{t}.csv" for t in TABLES] + [f"{t}.parquet" for t in TABLES]
                                         + ["评估结果.xlsx"])
    assert all(p.exists() for p in written) and not [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("table", TABLES)
def test_parquet_reads_back_as_the_csv_with_the_dtypes_kept(both, demo_assessment, table):
    folder, _ = both
    parquet = pd.read_parquet(folder / f"{table}.parquet")
    csv = pd.read_csv(folder / f"{table}.csv", encoding="utf-8-sig")
    original = _frames(demo_assessment)[table]
    expected = [*original.columns] + ([] if "data" in original else ["data"])      # + the 演示数据 column
    assert list(parquet.columns) == list(csv.columns) == expected
    assert len(parquet) == len(original)
    # same values as the CSV: the Parquet table written as CSV text (with the CSV's formula guard, which
    # also turns the comparison ``==`` into ``'==``) reads back equal to the CSV file
    again = pd.read_csv(io.StringIO(neutralise_formulas(parquet).to_csv(index=False)))
    pd.testing.assert_frame_equal(again, csv, check_dtype=False)
    for col in original.columns:                       # numbers, integers and booleans keep their dtype
        if original[col].dtype != object and not pd.api.types.is_string_dtype(original[col]):
            assert parquet[col].dtype == original[col].dtype, (table, col)
            np.testing.assert_array_equal(parquet[col].to_numpy(), original[col].to_numpy())


def test_parquet_pins_hand_checked_values(both, demo_assessment):
    folder, _ = both
    units = pd.read_parquet(folder / "units.parquet")
    assert units["R6"].dtype == np.float64 and units["students"].dtype == demo_assessment.resources.units[
        "students"].dtype
    assert units["data"].str.contains("演示数据").all()
    parts = pd.read_parquet(folder / "parts.parquet")
    original = demo_assessment.parts
    mixed = original["value"].map(type).nunique() > 1           # 实际值 mixes numbers, yes/no and text
    # text, or missing (a part that does not apply, e.g. Q9's level-Ⅲ share without per-subject levels)
    assert mixed and parts["value"].map(lambda v: isinstance(v, str) or pd.isna(v)).all()
    assert parts["value"].isna().sum() == original["value"].isna().sum()
    number = original["value"].map(lambda v: isinstance(v, float) and v == v)
    first = original.index[number.to_numpy()][0]
    assert parts.loc[first, "value"] == str(original.loc[first, "value"])      # the text the CSV holds
    verdicts = pd.read_parquet(folder / "verdicts.parquet")
    assert len(verdicts) == 17 * 5 and set(verdicts["year"]) == {2021, 2022, 2023, 2024, 2025}


def test_parquet_keeps_formula_like_text_raw_while_csv_and_workbook_guard_it(demo_assessment, tmp_path):
    changed = dataclasses.replace(demo_assessment, verdicts=demo_assessment.verdicts.assign(county="=1+1"))
    write_results(changed, tmp_path, formats="all")
    assert pd.read_parquet(tmp_path / "verdicts.parquet")["county"].iloc[0] == "=1+1"
    assert pd.read_csv(tmp_path / "verdicts.csv", encoding="utf-8-sig")["county"].iloc[0] == "'=1+1"
    cell = openpyxl.load_workbook(tmp_path / "评估结果.xlsx")["综合结论"]["B2"]
    assert cell.value == "'=1+1" and cell.data_type == "s"


def test_one_format_alone_and_the_note_names_the_machine_files(demo_assessment, tmp_path):
    only = write_results(demo_assessment, tmp_path / "p", formats=("parquet",))
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    assert [p.name for p in only] == [f"{t}.parquet" for t in TABLES]
    write_results(demo_assessment, tmp_path / "x", formats="parquet,xlsx")
    notes = pd.read_excel(tmp_path / "x" / "评估结果.xlsx", sheet_name="说明")["说明"].dropna().tolist()
    assert any("见同目录的 Parquet 文件" in t for t in notes) and not any("CSV 文件" in t for t in notes)
    write_results(demo_assessment, tmp_path / "w", formats="xlsx")
    notes = pd.read_excel(tmp_path / "w" / "评估结果.xlsx", sheet_name="说明")["说明"].dropna().tolist()
    assert not any("见同目录的" in t for t in notes)


def test_output_formats_are_checked():
    assert output_formats(["csv", "XLSX"]) == ("csv", "xlsx")
    assert output_formats("all") == ("csv", "parquet", "xlsx")
    assert output_formats("parquet, csv") == ("csv", "parquet")
    with pytest.raises(InputError) as err:
        output_formats(["csv", "pdf"])
    assert "formats" in str(err.value) and "pdf" in str(err.value) and "parquet" in str(err.value)
    with pytest.raises(InputError, match="--format"):
        output_formats([], name="--format")


def test_an_unknown_format_writes_nothing(demo_assessment, tmp_path):
    with pytest.raises(InputError, match="pdf"):
        write_results(demo_assessment, tmp_path / "o", formats=("csv", "pdf"))
    assert not (tmp_path / "o").exists()


# --- the workbook's cells read back -------------------------------------------------------------------

def test_every_number_and_text_reads_back_exactly(both, demo_assessment):
    folder, _ = both
    sheet = pd.read_excel(folder / "评估结果.xlsx", sheet_name="学校单元")
    units = demo_assessment.resources.units
    for code in ("R1", "R2", "R3", "R4", "R5", "R6", "R7"):
        header = export.WORKBOOK_HEADERS[code]
        np.testing.assert_array_equal(sheet[header].to_numpy(dtype=float), units[code].to_numpy(dtype=float))
    assert sheet["学校名称"].tolist() == units["school_name"].tolist()
    assert sheet["在校生数(人)"].tolist() == units["students"].tolist()


def test_texts_are_escaped_kept_whole_and_cleaned_of_what_xml_forbids(demo_assessment, tmp_path):
    names = [" <b>&amp; \"引号\" 'x' ", "行一\n行二", "控制\x1b字符", "长" * 40_000]
    verdicts = demo_assessment.verdicts.iloc[:4].assign(county=names)
    write_results(dataclasses.replace(demo_assessment, verdicts=verdicts), tmp_path, formats="xlsx")
    ws = openpyxl.load_workbook(tmp_path / "评估结果.xlsx")["综合结论"]
    got = [ws.cell(i, 2).value for i in range(2, 6)]
    assert got[:3] == [" <b>&amp; \"引号\" 'x' ", "行一\n行二", "控制字符"]
    assert got[3] == "长" * xlsx_stream.MAX_CELL_CHARS                   # Excel's cell limit: 32 767 characters


def test_a_small_patched_row_limit_splits_every_table_that_exceeds_it(demo_assessment, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 101)                  # 100 data rows a sheet
    monkeypatch.setattr(xlsx_stream, "ROWS_PER_BLOCK", 7)               # and blocks that do not divide it
    write_results(demo_assessment, tmp_path, formats="xlsx")
    book = openpyxl.load_workbook(tmp_path / "评估结果.xlsx")
    units = demo_assessment.resources.units
    parts = [n for n in book.sheetnames if n.startswith("学校单元")]
    assert len(parts) == -(-len(units) // 100) and parts[1] == "学校单元（2）"
    assert [book[n].max_row for n in parts[:-1]] == [101] * (len(parts) - 1)
    assert book[parts[-1]].max_row == len(units) - 100 * (len(parts) - 1) + 1
    second = book["学校单元（2）"]
    assert [c.value for c in second[1]] == [c.value for c in book["学校单元"][1]]      # the header repeated
    assert second.freeze_panes == "A2" and second.auto_filter.ref.endswith("101")
    col = [c.value for c in second[1]].index("设施分摊比例") + 1
    assert second.cell(2, col).number_format == "0.0%"                 # formats hold on every part
    assert second.cell(2, 4).value == units["school_id"].iloc[100]       # row 101 of the table, in order


def test_a_failure_half_way_through_a_sheet_leaves_nothing_half_written(demo_assessment, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_results(demo_assessment, out, formats="all")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real, blocks = xlsx_stream._cell_xml, []

    def failing(*args):                                                # a block in the middle of a sheet
        blocks.append(1)
        if len(blocks) == 40:
            raise MemoryError("no more memory")
        return real(*args)

    monkeypatch.setattr(xlsx_stream, "ROWS_PER_BLOCK", 500)
    monkeypatch.setattr(xlsx_stream, "_cell_xml", failing)
    with pytest.raises(OutputError) as err:
        write_results(demo_assessment, out, formats="all")
    assert "写出结果时出错（MemoryError" in str(err.value) and str(out) in str(err.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before     # earlier files as they were, no temp
