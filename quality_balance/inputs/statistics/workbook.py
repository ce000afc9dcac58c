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

import html
import io
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
    """The text of a shared string or inline string: its ``<t>``, or its rich-text runs' ``<t>`` joined
    (phonetic guides, ``<rPh>``, are not part of the text)."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


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


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_CELL_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_INLINE = re.compile(rb"<(?:\w+:)?is>(.*?)</(?:\w+:)?is>", re.S)
_PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _unescape(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8"))


def _read_sheet(xml: bytes, strings: list[str]) -> tuple[list[list[str]], list[tuple[int, int, int, int]], list[str]]:
    """A worksheet part's texts (0-based grid), merged ranges and the cells holding a formula without a value.

    The cells are found with regular expressions over the part (SpreadsheetML cells are flat elements), which
    is several times faster than building the XML tree for the few hundred cells of a base table.
    """
    cells: dict[tuple[int, int], str] = {}
    uncached: list[str] = []
    for match in _CELL.finditer(xml):
        attrs, body = match.group(1), match.group(2) or b""
        address = _CELL_REF.search(attrs)
        if not address:
            continue
        row, col = int(address.group(2)) - 1, _column_number(address.group(1).decode()) - 1
        kind = _CELL_TYPE.search(attrs)
        kind = kind.group(1) if kind else b"n"
        if kind == b"inlineStr":
            inline = _INLINE.search(body)
            if inline is None:
                continue
            cells[(row, col)] = "".join(_unescape(t) for t in _TEXT.findall(_PHONETIC.sub(b"", inline.group(1))))
            continue
        value = _VALUE.search(body)
        if value is None:
            if _FORMULA.search(body):
                uncached.append(cell_name(row, col))
            continue
        raw = value.group(1)
        if kind == b"s":
            text = strings[int(raw)]
        elif kind == b"b":
            text = _cell_text(raw.strip() == b"1")
        elif kind in (b"str", b"e"):
            text = _unescape(raw)
        else:
            try:
                text = _cell_text(float(raw))
            except ValueError:
                text = _unescape(raw)
        cells[(row, col)] = text
    merges = [(int(r1) - 1, _column_number(c1.decode()) - 1, int(r2) - 1, _column_number(c2.decode()) - 1)
              for c1, r1, c2, r2 in _MERGE_REF.findall(xml)]
    height = max((r for r, _ in cells), default=-1) + 1
    width = max((c for _, c in cells), default=-1) + 1
    if height * width > MAX_TABLE_CELLS:
        raise _TooLarge(cell_name(height - 1, width - 1))
    merges = [(r1, c1, min(r2, height - 1), min(c2, width - 1)) for r1, c1, r2, c2 in merges
              if r1 < height and c1 < width]
    grid = [[""] * width for _ in range(height)]
    for (r, c), text in cells.items():
        grid[r][c] = text
    return grid, merges, uncached


#: A base table's used range is a few hundred cells; a sheet whose used range (up to its last cell) is
#: larger is refused, so that a stray far cell cannot make the grid huge.
MAX_TABLE_CELLS = 200_000


class _TooLarge(Exception):
    """A sheet whose used range exceeds :data:`MAX_TABLE_CELLS` (the far cell's address)."""


def _inspect_bytes(data: bytes, file: str) -> None:
    """:func:`~quality_balance.inputs.readers.inspect_workbook` for a workbook held in memory."""
    import zipfile

    from ...errors import InputError, Problem
    from ..readers import _OLE_MAGIC, MAX_WORKBOOK_BYTES

    if data[:8] == _OLE_MAGIC:
        raise InputError([Problem(file, "工作簿受密码保护（已加密）或是 .xls 文件，无法读取",
                                  expected="未加密的 .xlsx 文件")])
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_WORKBOOK_BYTES:
                raise InputError([Problem(file, "工作簿解压后过大，未读取",
                                          expected=f"解压后不超过 {MAX_WORKBOOK_BYTES // 2**20} MB")])


def read_workbook(path: str | Path, *, name: str | None = None, tables: Iterable[str] | None = None,
                  data: bytes | None = None) -> Sheet:
    """Read one school's workbook: every sheet holding a ``基础基`` table, laid out by :func:`_layout`.

    The parts are read directly (the workbook's structure and shared strings with the standard library's
    XML parser, the cells with regular expressions; openpyxl would take most of an import's time), after
    :func:`quality_balance.inputs.readers.inspect_workbook`
    has refused encrypted or oversized files.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` file.
    name : str, optional, keyword-only
        How messages name the file (a zip member: ``county.zip/school.xlsx``); default ``path``.
    data : bytes, optional, keyword-only
        The workbook's bytes (a zip member read into memory); ``path`` then only names it.
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
        if data is None:
            inspect_workbook(path)
        else:
            _inspect_bytes(data, file)
    except InputError as exc:
        raise InputError([Problem(file, p.message, expected=p.expected, fix=p.fix) for p in exc.problems]) from None
    found = Sheet(file, {})
    title = None
    wanted = None if tables is None else set(tables)
    uncached: list[Problem] = []
    try:
        with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as archive:
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
    except _TooLarge as far:
        raise InputError([Problem(file, f"工作表的使用范围过大（到 {far} 单元格），不像基础基报表，未读取",
                                  sheet=title, expected=f"不超过 {MAX_TABLE_CELLS:,} 个单元格的报表",
                                  fix="删除表格右侧和下方多余的内容后另存")]) from None
    except Exception as exc:  # noqa: BLE001 - zip, XML, KeyError... for a damaged or foreign file
        raise InputError([Problem(file, f"无法作为 Excel 工作簿读取（{type(exc).__name__}: {exc}）",
                                  expected="完整的 .xlsx 文件（基础基统计报表导出）",
                                  fix="用 Excel 或 WPS 打开后重新保存为 .xlsx")]) from None
    if uncached:
        raise InputError(uncached)
    return found
