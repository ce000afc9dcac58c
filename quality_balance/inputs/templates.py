"""Input templates: an .xlsx workbook and CSV files that county bureaus fill in.

Everything comes from the data contract (:mod:`quality_balance.schema`): one
sheet per input table (sheet name ``Table.zh``, headers ``Column.zh``), a 说明
sheet describing every column (kind, unit, required, description, example,
allowed values), drop-down lists for the columns with a fixed vocabulary
(school type, location, 是/否, ratings, survey groups and answers) and a
whole-number check for years (:data:`quality_balance.inputs.validate.YEAR_RANGE`).
Text columns (codes, names) are formatted as text so that Excel keeps
``2141000123`` and leading zeros as typed. The matching CSV files (UTF-8 with
BOM, so Excel opens them with the right encoding) hold the header row only.

A filled template loads with :func:`quality_balance.load_dataset` without any
renaming: the headers, sheet names and file names are the ones the readers look
for, and the 说明 sheet is skipped.
"""
from __future__ import annotations

import csv
from pathlib import Path

from ..output import atomic_folder
from ..schema import TABLES, Column, Table
from .validate import YEAR_RANGE

__all__ = ["write_template", "TEMPLATE_WORKBOOK", "CSV_FOLDER", "INSTRUCTIONS_SHEET",
           "KIND_LABELS"]

#: File name of the template workbook.
TEMPLATE_WORKBOOK = "数据模板.xlsx"
#: Sub-folder holding the CSV templates (not read when the workbook's folder is loaded).
CSV_FOLDER = "CSV模板"
#: Name of the instructions sheet (skipped by the readers).
INSTRUCTIONS_SHEET = "说明"
#: Column kinds in words, for the 说明 sheet.
KIND_LABELS = {
    "int": "整数", "count": "人数或个数（不小于 0）", "amount": "数量（不小于 0）",
    "rate": "百分数（0–100，可带 %）", "ratio": "比例（0–1 的小数，或带 %）", "bool": "是/否",
    "text": "文本", "category": "从下拉列表中选择", "level": "等级（从下拉列表中选择）",
}
#: Rows of a data sheet that get drop-down lists and formats (Excel's last row).
_LAST_ROW = 1_048_576
_YES_NO = ("是", "否")
_HEADER_FILL = "DDEBF7"
_REQUIRED_FILL = "FCE4D6"
_INTRO = (
    "县域义务教育优质均衡发展评估 — 数据填报模板",
    "1. 每个工作表是一张表：学校（必填）、县区、满意度调查或调查答卷（二选一）、学业成绩（可选）。不需要的表可以留空。",
    "2. 第一行是表头，请勿修改表头文字；从第二行起每行一条记录。列的顺序可以调整，可以增加备注列（不参与评估）。",
    "3. 橙色表头为必填列。学段列（小学、初中、高中）在学校没有该学段时可填 0、“—”或留空。",
    "4. 数值只填数字，不带单位；面积以平方米、金额以元为单位（不要用万元、亩）。百分数填 95 或 95%。",
    "5. 也可以使用同目录“CSV模板”文件夹中的 CSV 文件（UTF-8 编码），每张表一个文件。",
    "6. 填好后先运行 quality-balance check <文件> 检查，再运行 quality-balance assess 评估。",
)
_INSTRUCTION_HEADERS = ("表（工作表）", "表头", "英文列名", "类型", "单位", "是否必填", "说明", "示例", "可选值")


def _choices(col: Column) -> tuple[str, ...]:
    """The values a drop-down list offers for a column (empty for free columns)."""
    if col.kind == "bool":
        return _YES_NO
    return col.choices if col.kind in ("category", "level") else ()


def _example(col: Column) -> object:
    """The example value as a user would type it (是/否 for yes/no columns)."""
    if isinstance(col.example, bool):
        return _YES_NO[0] if col.example else _YES_NO[1]
    return col.example


def _instruction_rows() -> list[list[object]]:
    rows = []
    for table in TABLES.values():
        for col in table.columns:
            rows.append([f"{table.zh}（{table.name}）", col.zh, col.name, KIND_LABELS[col.kind], col.unit,
                         "必填" if col.required else "选填", col.description, _example(col),
                         "、".join(_choices(col))])
    return rows


def _write_instructions(book) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = book.create_sheet(INSTRUCTIONS_SHEET, 0)
    for line in _INTRO:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(list(_INSTRUCTION_HEADERS))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for row in _instruction_rows():
        ws.append(row)
        if row[5] == "必填":
            ws.cell(ws.max_row, 2).fill = PatternFill("solid", fgColor=_REQUIRED_FILL)
    for letter, width in zip("ABCDEFGHI", (22, 30, 30, 22, 8, 9, 50, 16, 40)):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    for table in TABLES.values():
        ws_table = book[table.zh]
        ws_table.sheet_properties.tabColor = _REQUIRED_FILL if table.name == "schools" else _HEADER_FILL


def _write_table_sheet(book, table: Table) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = book.create_sheet(table.zh)
    ws.append([col.zh for col in table.columns])
    ws.freeze_panes = "A2"
    for i, col in enumerate(table.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(1, i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if col.required else _HEADER_FILL)
        note = "；".join(t for t in (col.description, f"单位：{col.unit}" if col.unit else "",
                                    "必填" if col.required else "选填") if t)
        cell.comment = Comment(note, "quality-balance")
        ws.column_dimensions[letter].width = max(10, min(30, 2 * len(col.zh) + 2))
        cells = f"{letter}2:{letter}{_LAST_ROW}"
        if col.kind == "text":
            ws.column_dimensions[letter].number_format = "@"  # keep codes as typed (no 2.14E+09)
        choices = _choices(col)
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle=col.zh,
                                error="请从下拉列表中选择：" + "、".join(choices))
        elif col.kind == "int" and col.name.endswith("year"):
            dv = DataValidation(type="whole", operator="between", formula1=str(YEAR_RANGE[0]),
                                formula2=str(YEAR_RANGE[1]), allow_blank=True, showErrorMessage=True,
                                errorTitle=col.zh, error=f"请填写 {YEAR_RANGE[0]}–{YEAR_RANGE[1]} 之间的四位年份")
        else:
            continue
        dv.add(cells)
        ws.add_data_validation(dv)


def _write_workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for table in TABLES.values():
        _write_table_sheet(book, table)
    _write_instructions(book)
    book.active = 1  # open on the 学校 sheet
    book.properties.title = "县域义务教育优质均衡发展评估 数据填报模板"
    book.save(path)


def _write_csv(path: Path, table: Table) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerow([col.zh for col in table.columns])


def write_template(folder: str | Path) -> list[Path]:
    """Write the input templates into ``folder`` (created if needed); return the paths written.

    Files: ``数据模板.xlsx`` (one sheet per table of
    :data:`~quality_balance.schema.TABLES`, plus 说明) and ``CSV模板/<表名>.csv``
    (学校.csv, 县区.csv, 满意度调查.csv, 调查答卷.csv, 学业成绩.csv: header row only,
    UTF-8 with BOM). Files are written under a temporary name and moved into
    place when all are complete (the workbook and the CSV files together, or
    none); existing templates of the same name are replaced.

    Parameters
    ----------
    folder : str or Path
        The output folder, created if needed. Other files already in it are kept.

    Returns
    -------
    list of Path
        The files written: ``folder / "数据模板.xlsx"`` first, then
        ``folder / "CSV模板" / "<表名>.csv"`` for each table in the order of
        :data:`~quality_balance.schema.TABLES`.

    Raises
    ------
    OutputError
        An :class:`InputError`: ``folder`` cannot be written (it is a file, no
        permission, disk full) or a writer failed; nothing half-written is left behind.
    """
    folder = Path(folder)
    csv_names = [f"{table.zh}.csv" for table in TABLES.values()]
    with atomic_folder(folder) as tmp:
        _write_workbook(tmp / TEMPLATE_WORKBOOK)
        (tmp / CSV_FOLDER).mkdir()
        for table, name in zip(TABLES.values(), csv_names):
            _write_csv(tmp / CSV_FOLDER / name, table)
    return [folder / TEMPLATE_WORKBOOK] + [folder / CSV_FOLDER / name for name in csv_names]
