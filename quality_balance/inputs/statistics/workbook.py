"""One school's 基础基 workbook as label-addressed tables: no fixed cell address anywhere.

A sheet is read (its XML, with the standard library) into a grid of texts; its merged ranges are
filled with their top-left text, so that a header merged
over several columns or rows names every cell it covers. Then, per table:

* the table is the sheet named ``基础基NNN``, or any sheet whose first rows hold a cell starting
  with ``基础基NNN`` (the code-and-unit row, ``基础基312 … 单位：人``), so a renamed sheet still works;
  the unit after ``单位`` is kept;
* the **code row** is the row whose cells read ``甲``, ``乙``, ``1``, ``2``, …: the 甲 column holds the
  row labels (with the columns up to 乙 when the label is merged over two), the 乙 column the 编号,
  and each numbered cell a data column; the header rows are those between the code-and-unit row
  and the code row, and a data column's header path is its header cells from top to bottom
  (consecutive repeats, from merges, dropped). An item table without a code row (基础基112:
  ``项目 | 编号 | 内容 | 单位 | 备注``) uses its 项目/编号 header row instead;
* labels are normalised (:func:`normalise_label`) before they are compared.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..readers import _cell_text, _excel_column, inspect_workbook

__all__ = ["normalise_label", "Sheet", "Grid", "read_workbook", "split_unit", "cell_name"]

_NOISE = re.compile(r"_x000[dDaA]_|\s+")
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")"})
_OF_WHICH = re.compile(r"^其中[:：]?")
_TABLE_CODE = re.compile(r"^基础基(\d{3,4})(续表\d*)?")
_UNIT = re.compile(r"单位[:：]?(.*)$")
_TRAILING_UNIT = re.compile(r"^(.*)\(([^()]+)\)$")
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
#: The code-and-unit row is looked for among this many rows at the top of a sheet.
CODE_SEARCH_ROWS = 8


def normalise_label(text: object) -> str:
    """A label reduced to what matters: no spaces (full-width too), ``_x000D_`` or line breaks, NFKC
    (full-width → half-width), brackets unified to ``()``, a leading ``其中：`` dropped.

    >>> normalise_label("总  计"), normalise_label("在校_x000D_\\n学生数"), normalise_label("其中：网络多媒体教室")
    ('总计', '在校学生数', '网络多媒体教室')
    >>> normalise_label("固定资产总值（万元）")
    '固定资产总值(万元)'
    """
    return _normalised(str(text or ""))


@lru_cache(maxsize=65536)
def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", _NOISE.sub("", text)).translate(_BRACKETS)
    return _OF_WHICH.sub("", _NOISE.sub("", text))


def split_unit(label: str) -> tuple[str, str]:
    """A normalised header without its trailing ``(unit)``, and the unit (``""`` for none).

    >>> split_unit("固定资产总值(万元)"), split_unit("合计")
    (('固定资产总值', '万元'), ('合计', ''))
    """
    found = _TRAILING_UNIT.match(label)
    return (found.group(1), found.group(2)) if found else (label, "")


def cell_name(row: int, col: int) -> str:
    """The Excel address of a 0-based grid cell: ``cell_name(6, 7)`` → ``"H7"``."""
    return f"{_excel_column(col)}{row + 1}"


@dataclass
class Grid:
    """A table of one sheet, addressed by labels.

    Attributes
    ----------
    code : str
        The table code, ``"512"``.
    sheet : str
        The sheet's name.
    cells : list of list of str
        The sheet's texts, merged ranges filled (0-based rows and columns; row 0 is Excel row 1).
    raw : list of list of str
        The texts as stored (only a merged range's top-left cell holds its text).
    unit : str
        The unit of the code-and-unit row (``"人"``; ``""`` when the row says ``单位:`` alone).
    code_row : int or None
        The grid row of the 甲乙 code row (or of the 项目/编号 header of an item table).
    label_cols : tuple of int
        The columns holding a row's label.
    number_col : int or None
        The 编号 column.
    columns : dict
        Data column index → its header path (normalised labels, top to bottom).
    rows : list of tuple
        ``(grid row, normalised label, 编号)`` of every data row.
    """

    code: str
    sheet: str
    cells: list[list[str]]
    raw: list[list[str]]
    unit: str = ""
    code_row: int | None = None
    label_cols: tuple[int, ...] = ()
    number_col: int | None = None
    columns: dict[int, tuple[str, ...]] = field(default_factory=dict)
    rows: list[tuple[int, str, str]] = field(default_factory=list)

    def text(self, row: int, col: int) -> str:
        """The stored text of a cell (``""`` outside the sheet)."""
        line = self.raw[row] if row < len(self.raw) else []
        return line[col] if col < len(line) else ""


@dataclass
class Sheet:
    """One workbook: its tables by code, the sheets that are not tables, and the texts of its cover."""

    file: str
    tables: dict[str, Grid]
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    cover: list[str] = field(default_factory=list)


def _filled(raw: list[list[str]], merges) -> list[list[str]]:
    cells = [list(r) for r in raw]
    for r1, c1, r2, c2 in merges:
        value = raw[r1][c1] if r1 < len(raw) and c1 < len(raw[r1]) else ""
        for r in range(r1, min(r2, len(cells) - 1) + 1):
            if len(cells[r]) <= c2:
                cells[r].extend([""] * (c2 + 1 - len(cells[r])))
            for c in range(c1, c2 + 1):
                cells[r][c] = value
    return cells


def _table_code(title: str, cells: list[list[str]]) -> tuple[str | None, str]:
    """(code, unit) of a sheet: from its name, else from a ``基础基NNN`` cell among the first rows."""
    code = unit = None
    found = _TABLE_CODE.match(normalise_label(title))
    if found and not found.group(2):
        code = found.group(1)
    for line in cells[:CODE_SEARCH_ROWS]:
        for text in line:
            norm = normalise_label(text)
            hit = _TABLE_CODE.match(norm)
            if hit and not hit.group(2):
                code = code or hit.group(1)
                u = _UNIT.search(norm)
                unit = u.group(1) if u else ""
                return code, unit
    return code, unit or ""


def _layout(grid: Grid) -> None:
    """Find the code row, label and 编号 columns, the header paths and the data rows (see the module)."""
    cells = grid.cells
    top = 0
    for r, line in enumerate(cells[:CODE_SEARCH_ROWS]):
        if any(_TABLE_CODE.match(normalise_label(t)) for t in line):
            top = r + 1
            break
    for r in range(top, len(cells)):
        norm = [normalise_label(t) for t in cells[r]]
        if "甲" in norm and "乙" in norm:
            first, number = norm.index("甲"), norm.index("乙")
            labels = tuple(range(first, number))
            data = {c: n for c, n in enumerate(norm) if c > number and n.isdigit()}
            header_rows = range(top, r)
            break
        if "项目" in norm and "编号" in norm:
            first, number = norm.index("项目"), norm.index("编号")
            labels = tuple(range(first, number))
            data = {c: n for c, n in enumerate(norm) if c > number and n}
            header_rows = range(r, r + 1)
            break
    else:
        return
    grid.code_row, grid.label_cols, grid.number_col = r, labels, number
    for c in data:
        path: list[str] = []
        for h in header_rows:
            text = normalise_label(cells[h][c]) if c < len(cells[h]) else ""
            if text and (not path or path[-1] != text):
                path.append(text)
        grid.columns[c] = tuple(path)
    for row in range(r + 1, len(cells)):
        line = cells[row]
        parts: list[str] = []
        for c in labels:
            text = normalise_label(line[c]) if c < len(line) else ""
            if text and text not in parts:
                parts.append(text)
        number_text = normalise_label(line[number]) if number < len(line) else ""
        if parts or number_text:
            grid.rows.append((row, "".join(parts), number_text))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


_ADDRESS = re.compile(r"([A-Z]+)(\d+)")


def _texts(element) -> str:
    """The text of a shared string or inline string: its ``<t>`` parts joined (rich text too)."""
    return "".join(t.text or "" for t in element.iter() if _local(t.tag) == "t")


def _sheet_parts(archive) -> list[tuple[str, str]]:
    """(sheet name, part path) of every worksheet, in the workbook's order."""
    from xml.etree import ElementTree as ET

    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter() if _local(r.tag) == "Relationship"}
    found = []
    for sheet in book.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        found.append((sheet.get("name", ""), part))
    return found


def _read_sheet(xml: bytes, strings: list[str]) -> tuple[list[list[str]], list[tuple[int, int, int, int]], list[str]]:
    """A worksheet part's texts (0-based grid), merged ranges and the cells holding a formula without a value."""
    from xml.etree import ElementTree as ET

    root = ET.fromstring(xml)
    cells: dict[tuple[int, int], str] = {}
    merges, uncached = [], []
    for element in root.iter():
        tag = _local(element.tag)
        if tag == "c":
            address = _ADDRESS.match(element.get("r", ""))
            if not address:
                continue
            row, col = int(address.group(2)) - 1, _column_number(address.group(1)) - 1
            kind = element.get("t", "n")
            value = formula = None
            for child in element:
                name = _local(child.tag)
                if name == "v":
                    value = child.text
                elif name == "is":
                    value = _texts(child)
                elif name == "f":
                    formula = True
            if value is None:
                if formula:
                    uncached.append(cell_name(row, col))
                continue
            if kind == "s":
                text = strings[int(value)]
            elif kind == "b":
                text = _cell_text(value == "1")
            elif kind in ("str", "inlineStr", "e"):
                text = value
            else:
                try:
                    text = _cell_text(float(value))
                except ValueError:
                    text = value
            cells[(row, col)] = text
        elif tag == "mergeCell":
            found = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", element.get("ref", ""))
            if found:
                c1, r1, c2, r2 = found.groups()
                merges.append((int(r1) - 1, _column_number(c1) - 1, int(r2) - 1, _column_number(c2) - 1))
    if len(cells) > MAX_TABLE_CELLS:
        raise ValueError(f"more than {MAX_TABLE_CELLS} cells")
    height = max((r for r, _ in cells), default=-1) + 1
    width = max((c for _, c in cells), default=-1) + 1
    grid = [[""] * width for _ in range(height)]
    for (r, c), text in cells.items():
        grid[r][c] = text
    return grid, merges, uncached


#: A base table has at most a few hundred cells; a sheet with more is not one (refused, not parsed further).
MAX_TABLE_CELLS = 200_000


def read_workbook(path: str | Path, *, name: str | None = None, tables: Iterable[str] | None = None) -> Sheet:
    """Read one school's workbook: every sheet holding a ``基础基`` table, laid out by :func:`_layout`.

    The parts are read with the standard library's XML parser (the base tables are small; openpyxl
    would take most of an import's time), after :func:`quality_balance.inputs.readers.inspect_workbook`
    has refused encrypted or oversized files.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` file.
    name : str, optional, keyword-only
        How messages name the file (a zip member: ``county.zip/school.xlsx``); default ``path``.
    tables : iterable of str, optional, keyword-only
        The table codes wanted (``"512"``): a sheet named ``基础基NNN`` for another code is not parsed.
        Default: every sheet.

    Returns
    -------
    Sheet
        Tables by code; a code found on two sheets is kept once and listed in ``duplicates``.

    Raises
    ------
    InputError
        The workbook is encrypted, too large once inflated, not a workbook, damaged, or holds formulas
        without their computed values.
    """
    import zipfile

    from ...errors import InputError, Problem
    from ..readers import _formula_problem

    path = Path(path)
    file = name or str(path)
    try:
        inspect_workbook(path)
    except InputError as exc:
        raise InputError([Problem(file, p.message, expected=p.expected, fix=p.fix) for p in exc.problems]) from None
    found = Sheet(file, {})
    wanted = None if tables is None else set(tables)
    uncached: list[Problem] = []
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            strings = []
            if "xl/sharedStrings.xml" in names:
                from xml.etree import ElementTree as ET

                root = ET.fromstring(archive.read("xl/sharedStrings.xml"))
                strings = [_texts(si) for si in root if _local(si.tag) == "si"]
            for title, part in _sheet_parts(archive):
                named = _TABLE_CODE.match(normalise_label(title))
                if wanted is not None and named and not named.group(2) and named.group(1) not in wanted:
                    continue
                raw, merges, formulas = _read_sheet(archive.read(part), strings)
                if formulas:
                    uncached.append(_formula_problem(file, title, formulas))
                if title == "封面":
                    found.cover = [t for line in raw for t in line if t]
                    continue
                code, unit = _table_code(title, raw)
                if code is None:
                    continue
                if code in found.tables:
                    found.duplicates.setdefault(code, [found.tables[code].sheet]).append(title)
                    continue
                grid = Grid(code, title, _filled(raw, merges), raw, unit=unit)
                _layout(grid)
                found.tables[code] = grid
    except Exception as exc:  # noqa: BLE001 - zip, XML, KeyError... for a damaged or foreign file
        raise InputError([Problem(file, f"无法作为 Excel 工作簿读取（{type(exc).__name__}: {exc}）",
                                  expected="完整的 .xlsx 文件（基础基统计报表导出）",
                                  fix="用 Excel 或 WPS 打开后重新保存为 .xlsx")]) from None
    if uncached:
        raise InputError(uncached)
    return found
