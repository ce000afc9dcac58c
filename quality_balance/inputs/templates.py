"""Input templates: an .xlsx workbook and CSV files that county bureaus fill in.

Everything comes from the data contract (:mod:`quality_balance.schema`): one
sheet per input table (sheet name ``Table.zh``), whose header row gives each
column with its unit (``Column.header``: ``教学仪器设备值(元)``, ``专任教师持证上岗率(%)``)
and a comment in words (:func:`column_help`: what the figure is, its unit and
range, never an item code); row 2 is one example row, in grey italics, whose
first cell (年份) reads :data:`~quality_balance.schema.EXAMPLE_MARKER` — the
loaders skip it with a note, and without the marker it is data. A 说明 sheet
describes every column (kind, unit, required, description, example, allowed values).

Data validation, with a Chinese error message: drop-down lists for the columns
with a fixed vocabulary (school type, location, 是/否, ratings, survey groups
and answers); years are whole numbers in
:data:`quality_balance.inputs.validate.YEAR_RANGE`; every other numeric column
is ``≥ 0`` (a whole number for counts and integers, a decimal for amounts) and
every percent column (kinds :data:`~quality_balance.schema.PERCENT_KINDS`,
header "(%)") a decimal 0–100 — one percent convention, the 校际差异率 (a 0–1
ratio elsewhere) included. Stage columns also accept the not-applicable marks
(—, -, /). Text columns (codes, names) are formatted as text so that Excel keeps
``2141000123`` and leading zeros as typed. The matching CSV files (UTF-8 with
BOM, so Excel opens them with the right encoding) hold the header row and the
example row. docs/template.md describes the template for users.

A filled template loads with :func:`quality_balance.load_dataset` without any
renaming: the headers, sheet names and file names are the ones the readers look
for, and the 说明 sheet is skipped.
"""
from __future__ import annotations

import csv
from pathlib import Path

from ..output import atomic_folder
from ..schema import EXAMPLE_MARKER, PERCENT_KINDS, TABLES, Column, Table
from .validate import NOT_APPLICABLE_MARKS, YEAR_RANGE

__all__ = ["write_template", "column_help", "example_value", "TEMPLATE_WORKBOOK", "CSV_FOLDER",
           "INSTRUCTIONS_SHEET", "KIND_LABELS", "EXAMPLE_ROW"]

#: File name of the template workbook.
TEMPLATE_WORKBOOK = "数据模板.xlsx"
#: Sub-folder holding the CSV templates (not read when the workbook's folder is loaded).
CSV_FOLDER = "CSV模板"
#: Name of the instructions sheet (skipped by the readers).
INSTRUCTIONS_SHEET = "说明"
#: Column kinds in words, for the 说明 sheet.
KIND_LABELS = {
    "int": "整数", "count": "人数或个数（不小于 0）", "amount": "数量（不小于 0）",
    "rate": "百分数（0–100，可带 %）", "ratio": "百分数（0–100，可带 %；读入后为 0–1 的比例）", "bool": "是/否",
    "text": "文本", "category": "从下拉列表中选择", "level": "等级（从下拉列表中选择）",
}
#: Excel row of the example row on every data sheet (row 1 is the header).
EXAMPLE_ROW = 2
#: Rows of a data sheet that get drop-down lists and formats (Excel's last row).
_LAST_ROW = 1_048_576
_YES_NO = ("是", "否")
_HEADER_FILL = "DDEBF7"
_REQUIRED_FILL = "FCE4D6"
_EXAMPLE_FILL = "F2F2F2"
_EXAMPLE_FONT = "7F7F7F"
#: Excel's limits on a data validation's error title and message (characters).
_ERROR_TITLE_MAX, _ERROR_MAX = 32, 255
#: The not-applicable marks a stage column accepts, in a fixed order for the validation formula.
_MARKS = tuple(sorted(NOT_APPLICABLE_MARKS))


def _ratio_columns() -> str:
    return "、".join(dict.fromkeys(c.zh for t in TABLES.values() for c in t.columns if c.kind == "ratio"))


def _intro() -> tuple[str, ...]:
    return (
        "县域义务教育优质均衡发展评估 — 数据填报模板",
        "1. 每个工作表是一张表：学校（必填）、县区、满意度调查或调查答卷（二选一）、学业成绩（可选）、"
        "班级（可选，一个班一行）。不需要的表可以留空。",
        "2. 第一行是表头，括号内是单位，请勿修改表头文字；列的顺序可以调整，可以增加备注列（不参与评估）。"
        "把鼠标移到表头上可以看到这一列填什么、单位和取值范围。",
        f"3. 第{EXAMPLE_ROW}行是示例行（灰色斜体，第一格为“{EXAMPLE_MARKER}”），导入时自动忽略，可以保留也可以删除；"
        f"从第{EXAMPLE_ROW + 1}行起每行一条记录。注意：删掉“{EXAMPLE_MARKER}”而保留其余数值，这一行就会作为数据导入。",
        "4. 橙色表头为必填列。学段列（小学、初中、高中）在学校没有该学段时可填 0、“—”或留空。",
        "5. 数值只填数字，不带单位，单位以表头括号为准：面积以平方米、金额以元为单位（不要用万元、亩）。"
        "数值列不能为负数，填写超出范围的数值时 Excel 会提示。",
        "6. 百分数：所有表头带“(%)”的列都按百分数填写 0–100，例如 95.5% 填 95.5（也可填 95.5%），"
        f"{_ratio_columns()}也一样（0.12 填 12）。",
        "7. 也可以使用同目录“CSV模板”文件夹中的 CSV 文件（UTF-8 编码），每张表一个文件，表头和示例行与本工作簿相同。",
        "8. 填好后先运行 quality-balance check <文件> 检查，再运行 quality-balance assess 评估。",
    )


_INSTRUCTION_HEADERS = ("表（工作表）", "表头", "英文列名", "类型", "单位", "是否必填", "说明", "示例", "可选值")


def _choices(col: Column) -> tuple[str, ...]:
    """The values a drop-down list offers for a column (empty for free columns)."""
    if col.kind == "bool":
        return _YES_NO
    return col.choices if col.kind in ("category", "level") else ()


def _tidy(value: float) -> int | float:
    """2025.0 → 2025 (a whole number shows without ``.0``); other numbers unchanged."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def example_value(col: Column) -> object:
    """The column's example (``Column.example``) as a user types it into the template.

    Yes/no as 是/否; a percent column (kinds :data:`~quality_balance.schema.PERCENT_KINDS`)
    as a percentage 0–100 — a ``ratio`` example 0.12 is written 12, since the template's
    header reads "(%)"; whole numbers without ``.0``.

    Parameters
    ----------
    col : Column
        A column of :data:`~quality_balance.schema.TABLES`.

    Returns
    -------
    str, int, float or None
        ``None`` when the column has no example (its cell stays blank).

    >>> from quality_balance.schema import COUNTIES, SCHOOLS
    >>> example_value(COUNTIES.column("difference_rate")), example_value(SCHOOLS.column("teaching_area_m2"))
    (12, 4100)
    """
    value = col.example
    if isinstance(value, bool):
        return _YES_NO[0] if value else _YES_NO[1]
    if col.kind == "ratio" and isinstance(value, (int, float)):
        value = round(value * 100, 10)
    return _tidy(value) if isinstance(value, float) else value


def _range_text(col: Column) -> str:
    """The values a column takes, in words: 整数，≥ 0; 百分数 0–100…"""
    if col.kind == "int" and (col.name == "year" or col.name.endswith("_year")):
        return f"四位数年份，{YEAR_RANGE[0]}–{YEAR_RANGE[1]}"
    if col.kind in ("int", "count"):
        text = "整数，≥ 0"
    elif col.kind == "amount":
        text = "数值（可有小数），≥ 0"
    elif col.kind in PERCENT_KINDS:
        text = "百分数，0–100（95.5% 填 95.5 或 95.5%）"
    elif col.kind in ("bool", "category", "level"):
        return "从下拉列表中选择：" + "、".join(_choices(col))
    else:
        return "文本，按原样保留（编号的前导 0 不会丢失）" if col.name.endswith(("_id", "_code")) else "文本"
    if col.stage:
        text += "；学校没有该学段学生时填 0、“—”或留空"
    return text


def column_help(col: Column) -> str:
    """The words of a header's comment: what the figure is, its unit, its range, required or not.

    Built from the schema (``Column.zh``, ``description``, ``header_unit``, ``kind``) —
    no item codes (G3, Q9…), which a bureau does not know.

    Parameters
    ----------
    col : Column
        A column of :data:`~quality_balance.schema.TABLES`.

    Returns
    -------
    str
        For example ``音乐专用教室数：音乐专用教室的间数。单位：间；整数，≥ 0；选填。``

    >>> from quality_balance.schema import SCHOOLS
    >>> column_help(SCHOOLS.column("music_rooms"))
    '音乐专用教室数：音乐专用教室的间数。单位：间；整数，≥ 0；选填。'
    """
    what = f"{col.zh}：{col.description}" if col.description else col.zh
    parts = [f"单位：{col.header_unit}" if col.header_unit else "", _range_text(col),
             "必填" if col.required else "选填"]
    return f"{what}。" + "；".join(p for p in parts if p) + "。"


def _instruction_rows() -> list[list[object]]:
    rows = []
    for table in TABLES.values():
        for col in table.columns:
            rows.append([f"{table.zh}（{table.name}）", col.header, col.name, KIND_LABELS[col.kind],
                         col.header_unit, "必填" if col.required else "选填", col.description, example_value(col),
                         "、".join(_choices(col))])
    return rows


def _write_instructions(book) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = book.create_sheet(INSTRUCTIONS_SHEET, 0)
    for line in _intro():
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


def _number_rule(col: Column) -> tuple[str, str, str, str | None, str] | None:
    """(type, operator, formula1, formula2, words) of a numeric column's validation, or ``None``."""
    if col.kind == "int" and (col.name == "year" or col.name.endswith("_year")):
        return ("whole", "between", str(YEAR_RANGE[0]), str(YEAR_RANGE[1]),
                f"四位数年份（{YEAR_RANGE[0]}–{YEAR_RANGE[1]}）")
    if col.kind in ("int", "count"):
        return "whole", "greaterThanOrEqual", "0", None, "不小于 0 的整数"
    if col.kind == "amount":
        return "decimal", "greaterThanOrEqual", "0", None, "不小于 0 的数"
    if col.kind in PERCENT_KINDS:
        return "decimal", "between", "0", "100", "0–100 之间的百分数（95.5% 填 95.5）"
    return None


def _validation(col: Column, letter: str):
    """The data validation of a column whose cells start in row :data:`EXAMPLE_ROW`, or ``None`` for text."""
    from openpyxl.worksheet.datavalidation import DataValidation

    title = col.zh[:_ERROR_TITLE_MAX]
    choices = _choices(col)
    if choices:
        return DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle=title,
                              error=("请从下拉列表中选择：" + "、".join(choices))[:_ERROR_MAX])
    rule = _number_rule(col)
    if rule is None:
        return None
    kind, operator, low, high, words = rule
    unit = f"（单位：{col.header_unit}）" if col.header_unit else ""
    if col.stage:  # a stage column also takes the not-applicable marks: a formula, not a number rule
        cell = f"{letter}{EXAMPLE_ROW}"
        number = [f"ISNUMBER({cell})", f"{cell}>={low}"] + ([f"{cell}=INT({cell})"] if kind == "whole" else [])
        marks = [f'{cell}="{m}"' for m in _MARKS]
        formula = f"OR(AND({','.join(number)}),{','.join(marks)})"
        message = f"请填写{words}{unit}；学校没有该学段学生时可填 0、“—”或留空"
        return DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True,
                              errorTitle=title, error=message[:_ERROR_MAX])
    return DataValidation(type=kind, operator=operator, formula1=low, formula2=high, allow_blank=True,
                          showErrorMessage=True, errorTitle=title, error=f"请填写{words}{unit}"[:_ERROR_MAX])


def _example_row(table: Table) -> list[object]:
    """Row :data:`EXAMPLE_ROW`: the marker in the first column (年份), then each column's example."""
    return [EXAMPLE_MARKER] + [example_value(col) for col in table.columns[1:]]


def _write_table_sheet(book, table: Table) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(table.zh)
    ws.append([col.header for col in table.columns])
    ws.append(_example_row(table))
    ws.freeze_panes = "A2"
    for i, col in enumerate(table.columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(1, i)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if col.required else _HEADER_FILL)
        note = column_help(col)
        if i == 1:
            note += f"第{EXAMPLE_ROW}行是示例行（本格为“{EXAMPLE_MARKER}”），导入时忽略。"
        cell.comment = Comment(note, "填报说明", width=280, height=max(80, 20 + len(note) // 16 * 18))
        example = ws.cell(EXAMPLE_ROW, i)
        example.font = Font(italic=True, color=_EXAMPLE_FONT, bold=i == 1)
        example.fill = PatternFill("solid", fgColor=_EXAMPLE_FILL)
        ws.column_dimensions[letter].width = max(10, min(30, 2 * len(col.header) + 2))
        if col.kind == "text":
            ws.column_dimensions[letter].number_format = "@"  # keep codes as typed (no 2.14E+09)
        dv = _validation(col, letter)
        if dv is not None:
            dv.add(f"{letter}{EXAMPLE_ROW}:{letter}{_LAST_ROW}")
            ws.add_data_validation(dv)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width, 2 * len(EXAMPLE_MARKER) + 2)


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
        csv.writer(fh).writerows([[col.header for col in table.columns],
                                  ["" if v is None else v for v in _example_row(table)]])


def write_template(folder: str | Path) -> list[Path]:
    """Write the input templates into ``folder`` (created if needed); return the paths written.

    Files: ``数据模板.xlsx`` (one sheet per table of
    :data:`~quality_balance.schema.TABLES`, plus 说明) and ``CSV模板/<表名>.csv``
    (学校.csv, 县区.csv, 满意度调查.csv, 调查答卷.csv, 学业成绩.csv: the header row and
    the example row, UTF-8 with BOM). Headers carry units (``Column.header``) and
    row 2 is the example row, skipped on load (see the module docstring). Files
    are written under a temporary name and moved into place when all are
    complete (the workbook and the CSV files together, or none); existing
    templates of the same name are replaced.

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
