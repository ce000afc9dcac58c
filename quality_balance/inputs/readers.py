"""Reading user files into raw text tables: encodings, workbooks, header rows.

This module only *reads*; it never writes and never interprets cell values
(that is :mod:`quality_balance.inputs.validate`). It turns a ``.csv``, ``.tsv``,
``.xlsx``/``.xlsm``, ``.xls`` or ``.parquet`` file into :class:`RawSheet` objects: one per
sheet holding an input table of :mod:`quality_balance.schema`, with

* every cell as text (blank cells as ``""``), columns renamed to the canonical
  English names, unknown columns kept under the header the user wrote;
* the row number of every data row *as the user sees it in Excel* (title rows,
  the header row and a units row counted), for error messages.

Files as county bureaus send them are accepted:

* CSV encodings are tried in the fixed order of :data:`ENCODINGS` (UTF-8 with or
  without BOM, then GB18030, a superset of GBK and GB2312) — deterministic, no
  guessing library. A file that decodes in none of them is a clear problem.
* The header row is the row, among the first :data:`HEADER_SEARCH_ROWS`, that
  matches the most known headers, so title rows above it are skipped; a units
  row right below it (人, 平方米, 元, %...) is skipped too.
* A header matches a column by its English name, its Chinese header or an alias
  (:class:`~quality_balance.schema.Column`), ignoring spaces, ``_``/``-``,
  case, full-width vs half-width characters (（小学） = (小学)), a leading or
  trailing ``*`` and a unit suffix such as (平方米), (元), (人) or (%). A scaled
  unit — 万元, 亩... — is *not* accepted, since the values would be off by a
  factor: it is reported as a problem.
* Workbook cells are read as the user sees them: ``2025`` not ``2025.0``, a
  cell formatted as a percentage as ``95.5%`` (formats of ``.xls`` files are
  not read: there the stored value is used).
* Which table a sheet holds comes from its sheet name, else the file name
  (English table name or Chinese title, a year allowed: ``学校2023.xlsx``,
  ``schools_2021.csv``), else the best header match.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..schema import TABLES, Table

# pyarrow is installed for Parquet input; pandas would then back every text column with Arrow, which
# behaves differently (text + an empty float column raises) — the package keeps pandas' Python-backed text.
pd.set_option("mode.string_storage", "python")

__all__ = [
    "ENCODINGS",
    "HEADER_SEARCH_ROWS",
    "SUPPORTED_SUFFIXES",
    "RawSheet",
    "ReadResult",
    "normalise_header",
    "match_header",
    "table_for_name",
    "wanted",
    "related_tables",
    "collect_files",
    "read_file",
    "read_table",
]

#: CSV encodings, tried in this order. "utf-8-sig" reads UTF-8 with *and* without
#: a byte-order mark; GB18030 is a superset of GBK/GB2312 (Chinese Excel's "CSV").
ENCODINGS = ("utf-8-sig", "gb18030")
#: The header row is looked for among this many rows at the top of a sheet.
HEADER_SEARCH_ROWS = 10
#: A row is a header row only if it matches at least this many known columns.
MIN_HEADER_MATCHES = 2
#: File types read, by suffix (lower case).
CSV_SEPARATORS = {".csv": ",", ".tsv": "\t"}
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: Apache Parquet files (read with pyarrow): one table per file, read like a CSV file.
PARQUET_SUFFIXES = (".parquet",)
SUPPORTED_SUFFIXES = tuple(CSV_SEPARATORS) + WORKBOOK_SUFFIXES + PARQUET_SUFFIXES
#: Limits a workbook must keep before it is parsed (:func:`inspect_workbook`): a file whose parts
#: would inflate past them is refused in seconds with a message, instead of exhausting memory.
#: The shared-strings part is held in memory whole; sheets are streamed.
MAX_SHARED_STRINGS_BYTES = 64 * 2**20
MAX_PART_BYTES = 512 * 2**20
MAX_WORKBOOK_BYTES = 1024 * 2**20
#: The largest used range of one sheet (rows × columns up to the last non-empty cell) that is read.
#: The input tables have at most a few dozen columns; 200 000 schools × 50 columns fit.
MAX_SHEET_CELLS = 12_000_000
#: At most this many cells are named in a message listing cells.
CELLS_NAMED = 10
#: The first bytes of an OLE compound file: an encrypted .xlsx, or an old .xls.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PASSWORD_FIX = "在 Excel 或 WPS 中打开（输入密码），取消“用密码进行加密”后另存，再重新运行"

#: Sheets that explain a workbook (as in the input template) and hold no data.
INSTRUCTION_SHEETS = ("说明", "填表说明", "readme", "instructions")

#: Unit suffixes accepted after a header, e.g. 教学及辅助用房面积(平方米). Compared after
#: :func:`normalise_header` (so ㎡ and m² are "m2").
UNIT_SUFFIXES = frozenset({"人", "名", "个", "间", "所", "级", "分", "元", "平方米", "m2", "米2",
                           "%", "百分比", "元/生", "元/人", "元/年", "元/人年", "人/百生", "间/百生",
                           "m2/生"})
#: Unit suffixes that change the scale of the values: refused with a fix.
SCALED_UNITS = {"万元": "元", "千元": "元", "亿元": "元", "亩": "平方米", "公顷": "平方米",
                "万平方米": "平方米", "千平方米": "平方米", "万人": "人", "‰": "%"}

_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")",
                           "{": "(", "}": ")"})
_HEADER_NOISE = re.compile(r"[\s_\-*:：]+")
_TRAILING_GROUP = re.compile(r"(.+)\(([^()]*)\)")
_UNIT_PREFIX = re.compile(r"^单位[:：]?")
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_TABLE_FAMILIES = {"survey": ("survey", "survey_answers"), "survey_answers": ("survey", "survey_answers")}


@dataclass(frozen=True)
class RawSheet:
    """One sheet (or CSV file) holding one input table, cells still as text.

    Attributes
    ----------
    table : Table
        The schema table the sheet holds.
    file, sheet : str
        Where it came from (``sheet`` is ``None`` for CSV).
    frame : DataFrame
        Data rows as text (blank = ``""``); canonical column names for known
        columns, the user's header for the others. Read with ``numbers=True``
        (:func:`read_file`), a CSV or Parquet file's numeric columns may be float64
        instead (blank = NaN); :attr:`text_of` then gives their cells as written.
    rows : ndarray of int
        Excel row number of each frame row (1 = first row of the sheet).
    header_row : int
        Excel row number of the header row.
    headers : dict
        Canonical column name → the header as the user wrote it.
    ignored : tuple of str
        Headers of columns that match no known column (kept in ``frame``).
    encoding : str or None
        The encoding a CSV file was read with.
    year_hint : int or None
        A single year named by the sheet or file name (``2023``, ``学校2023``),
        used when the table has no 年份 column.
    """

    table: Table
    file: str
    sheet: str | None
    frame: pd.DataFrame
    rows: np.ndarray
    header_row: int
    headers: dict[str, str]
    ignored: tuple[str, ...] = ()
    encoding: str | None = None
    year_hint: int | None = None
    #: For a CSV file whose numeric columns were parsed as numbers (float64 in ``frame``): the cells
    #: of a canonical column as the user wrote them, at given Excel rows (read again only when asked,
    #: for a message). ``None`` where ``frame`` holds text.
    text_of: Callable[[str, np.ndarray], np.ndarray] | None = field(default=None, repr=False, compare=False)

    def header(self, column: str) -> str:
        """The header the user wrote for a canonical column (its Chinese header if absent)."""
        return self.headers.get(column) or self.table.column(column).zh


@dataclass
class ReadResult:
    """What :func:`read_file` found: sheets, problems (errors and warnings) and skipped sheets."""

    sheets: list[RawSheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass(frozen=True)
class _Grid:
    """A sheet as a rectangle of text cells, before the header is found."""

    file: str
    sheet: str | None
    cells: pd.DataFrame          # positional integer columns, text values
    rows: np.ndarray             # Excel row number of each grid row
    encoding: str | None = None
    hidden: bool = False         # a hidden or "very hidden" workbook sheet
    source: "_CsvSource | _ParquetSource | None" = None  # read lazily: ``cells`` holds only the top rows


# --- header matching ------------------------------------------------------------

def normalise_header(text: object) -> str:
    """A header reduced to what matters for matching.

    NFKC (full-width → half-width), brackets unified to ``()``, spaces, ``_``,
    ``-``, ``*`` and colons removed, lower case.

    >>> normalise_header(" 高于规定学历教师数（小学） ")
    '高于规定学历教师数(小学)'
    >>> normalise_header("School_ID")
    'schoolid'
    """
    return _normalised_header(str(text))


@lru_cache(maxsize=8192)
def _normalised_header(text: str) -> str:
    """:func:`normalise_header` of a text, each text worked out once (a header is matched against
    every table, and the top rows of every file are looked at for a header row)."""
    text = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    return _HEADER_NOISE.sub("", text).lower()


@cache
def _lookup(table_name: str) -> dict[str, str]:
    """Normalised header → canonical column name, for one table."""
    table = TABLES[table_name]
    found: dict[str, str] = {}
    for col in table.columns:
        for label in (col.name, col.zh, *col.aliases):
            found.setdefault(normalise_header(label), col.name)
    return found


def _split_unit(key: str) -> tuple[str, str] | None:
    """``'教学仪器设备值(元)'`` → ``('教学仪器设备值', '元')``; ``None`` without a trailing group."""
    m = _TRAILING_GROUP.fullmatch(key)
    if m is None:
        return None
    return m[1], _UNIT_PREFIX.sub("", m[2])


def match_header(text: object, table: Table) -> str | None:
    """The canonical column a header names in ``table``, or ``None``.

    >>> from quality_balance.schema import SCHOOLS
    >>> match_header("教学及辅助用房面积（平方米）", SCHOOLS)
    'teaching_area_m2'
    >>> match_header("Students_Primary", SCHOOLS)
    'students_primary'
    >>> match_header("教学仪器设备值(万元)", SCHOOLS) is None
    True
    """
    key = normalise_header(text)
    if not key:
        return None
    lookup = _lookup(table.name)
    if key in lookup:
        return lookup[key]
    split = _split_unit(key)
    if split is not None and split[1] in UNIT_SUFFIXES and split[0] in lookup:
        return lookup[split[0]]
    return None


def _scaled_unit(text: object, table: Table) -> tuple[str, str, str] | None:
    """For a header like 教学仪器设备值(万元): (column, unit written, unit expected)."""
    split = _split_unit(normalise_header(text))
    if split is None or split[1] not in SCALED_UNITS:
        return None
    name = _lookup(table.name).get(split[0])
    return (name, split[1], SCALED_UNITS[split[1]]) if name else None


def _name_key(name: str) -> str:
    """A file or sheet name without years, separators and 年/表: ``学校_2023年`` → ``学校``."""
    key = normalise_header(name)
    key = re.sub(r"\d+|年|\(|\)|\.", "", key)
    return key.removesuffix("表") if len(key) > 1 else key


def table_for_name(name: str) -> Table | None:
    """The table a file or sheet name refers to (English name or Chinese title), if any.

    >>> table_for_name("学校2023").name
    'schools'
    >>> table_for_name("survey_answers_2021").name
    'survey_answers'
    >>> table_for_name("Sheet1") is None
    True
    """
    key = _name_key(name)
    for table in TABLES.values():
        if key in (_name_key(table.name), _name_key(table.zh)):
            return table
    return None


def _year_hint(*names: str | None) -> int | None:
    """The one year (20xx) named by a sheet name or else a file name, if exactly one."""
    for name in names:
        years = set(_YEAR_IN_NAME.findall(name or ""))
        if len(years) == 1:
            return int(years.pop())
    return None


# --- reading grids ----------------------------------------------------------------

def _decode(data: bytes, file: str) -> tuple[str, str]:
    """Decode CSV bytes with the first encoding of :data:`ENCODINGS` that works."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError([Problem(file, "文件是 UTF-16（Unicode 文本）格式，不是 CSV",
                                  expected="UTF-8 或 GBK 编码的 CSV 文件",
                                  fix="在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或直接提供 .xlsx 文件")])
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError([Problem(file, "无法识别文件编码", expected="UTF-8、UTF-8 BOM、GBK 或 GB18030 编码",
                              fix="在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或直接提供 .xlsx 文件")])


def _read_csv(path: Path, file: str, lazy: bool = False) -> list[_Grid]:
    """A CSV file as one grid; with ``lazy``, only its top rows are parsed now (see :class:`_CsvSource`)."""
    data = path.read_bytes()
    if not data or data.isspace():  # as ``not data.strip()``, without copying the file
        raise InputError([Problem(file, "文件是空的", expected="带表头的数据表", fix="检查是否选错了文件")])
    if _valid_utf8(data):  # the usual file: checked without decoding it (the text is decoded only if needed)
        text, encoding = None, ENCODINGS[0]
    else:
        text, encoding = _decode(data, file)
    if b"\x00" in data:  # a NUL character is a 0 byte in UTF-8 and GB18030 alike (no multi-byte code has one)
        raise InputError([Problem(file, "文件含有空字符（NUL），可能不是文本文件或已损坏",
                                  expected="CSV 文本文件", fix="从原表格重新导出 CSV，或提供 .xlsx 文件")])
    sep = CSV_SEPARATORS[path.suffix.lower()]
    # the C parser reads UTF-8 bytes: a UTF-8 file is passed as it is (without its BOM), others re-encoded
    utf8 = data.removeprefix(b"\xef\xbb\xbf") if encoding == "utf-8-sig" else text.encode("utf-8")
    try:
        top = islice(csv.reader(_lines(text) if text is not None else _utf8_lines(utf8), delimiter=sep),
                     HEADER_SEARCH_ROWS * 2)
        width = max((len(r) for r in top), default=0)
    except csv.Error as exc:
        raise _csv_error(file, exc) from None
    source = _CsvSource(file, text, utf8, sep, width)
    if lazy:
        try:
            cells = _parse_csv(utf8, sep, width, nrows=HEADER_SEARCH_ROWS + 1)
        except pd.errors.ParserError:  # found again, and reported, when the whole file is parsed
            cells = source.text_cells()
        return [_Grid(file, None, cells, np.arange(1, len(cells) + 1), encoding, source=source)]
    cells = source.text_cells()
    return [_Grid(file, None, cells, np.arange(1, len(cells) + 1), encoding)]


def _valid_utf8(data: bytes) -> bool:
    """Whether ``data`` decodes as UTF-8 (``data.decode("utf-8")`` raises nothing), checked by pyarrow's
    validator without building the text (several times faster); ``False`` without pyarrow, to decode."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return False
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _utf8_lines(utf8: bytes) -> Iterable[str]:
    """The lines of valid UTF-8 bytes, decoded one at a time, as :func:`_lines` yields those of the
    decoded text (a line feed byte is never part of a multi-byte character)."""
    start, end = 0, len(utf8)
    while start < end:
        stop = utf8.find(b"\n", start)
        stop = end if stop < 0 else stop + 1
        yield utf8[start:stop].decode("utf-8")
        start = stop


def _lines(text: str) -> Iterable[str]:
    """The lines of ``text`` as ``io.StringIO(text)`` yields them (split after each "\\n" only), one at a
    time: the top rows are read without copying the whole file into a buffer."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


def _csv_error(file: str, exc: Exception) -> InputError:
    return InputError([Problem(file, f"CSV 格式错误（{exc}）", expected="逗号分隔的表格",
                               fix="从 Excel 重新另存为 CSV，或提供 .xlsx 文件")])


def _parse_csv(utf8: bytes, sep: str, width: int, nrows: int | None = None) -> pd.DataFrame:
    """Every record (or the first ``nrows``) as ``width`` text cells (short rows padded with "").

    The parser reads UTF-8 bytes: from a text buffer pandas' C parser is several times
    slower, and more so the larger the file (25 s instead of 7 s for a 200 MB school table).
    """
    return pd.read_csv(_io.BytesIO(utf8), sep=sep, header=None, names=range(width), dtype=str,
                       na_filter=False, skip_blank_lines=False, engine="c", encoding="utf-8", nrows=nrows)


class _CsvSource:
    """A decoded CSV file, parsed when its table and header row are known.

    :meth:`typed_cells` parses the data rows with the numeric columns as float64 by the C parser
    (no Python string per cell); a numeric column with a cell it cannot read as a plain number — a
    blank of spaces, a mark, ``1,234``, ``95%``, text — or with an infinite value is read again as
    text (every cell a string, as validation has always seen it), the other columns staying numbers,
    so every problem and its position stay as they are. A file the typed parse cannot read at all
    is read as text whole (:meth:`text_cells`). The text is parsed at most once, when a message
    needs the cells as written (:meth:`text_at`).
    """

    def __init__(self, file: str, text: str | None, utf8: bytes, sep: str, width: int):
        self.file, self._text, self.utf8, self.sep, self.width = file, text, utf8, sep, width
        self._cells: pd.DataFrame | None = None
        self._columns: dict[int, np.ndarray] = {}
        self._line_starts: np.ndarray | None = None  # byte offset of each line (see :meth:`_cut`)
        self._one_per_line = False

    @property
    def text(self) -> str:
        """The file's text (decoded when first needed: a UTF-8 file is kept as bytes only)."""
        if self._text is None:
            self._text = self.utf8.decode("utf-8")
        return self._text

    def text_cells(self) -> pd.DataFrame:
        """Every record as text cells (positional columns); a malformed file raises InputError."""
        if self._cells is None:
            try:
                try:
                    self._cells = _parse_csv(self.utf8, self.sep, self.width)
                except pd.errors.ParserError:
                    # a row further down is wider than the top rows: scan every row for the width (slower);
                    # the cells beyond the header become unnamed columns, reported as ignored
                    self.width = max(len(r) for r in csv.reader(_io.StringIO(self.text), delimiter=self.sep))
                    self._cells = _parse_csv(self.utf8, self.sep, self.width)
            except (csv.Error, pd.errors.ParserError) as exc:
                raise _csv_error(self.file, exc) from None
        return self._cells

    def typed_cells(self, skip: int, numeric: list[int]) -> pd.DataFrame | None:
        """The records after the first ``skip``, columns ``numeric`` as float64 (NaN = empty cell)
        where every cell is a plain finite number, the others as text; ``None`` when the file cannot be
        parsed so (then it is read as text whole).

        The parser infers each numeric column's type, integers (parsed several times faster than
        as floats) then floats, and integer columns become float64: the same values as parsing
        them as floats. Not where a cell may be a negative zero ("-0": an integer 0, a float -0.0)
        or an integer beyond 2**53 (where float64 rounds): those files are parsed as floats.
        """
        if self._cells is not None:
            return None  # parsed as text already: nothing to gain
        # (a one-byte search first: searching two bytes is ten times slower where "0" is frequent)
        return self._typed(skip, numeric, infer=b"-" not in self.utf8 or b"-0" not in self.utf8)

    def _typed(self, skip: int, numeric: list[int], infer: bool) -> pd.DataFrame | None:
        """:meth:`typed_cells`, the numeric columns' types inferred (``infer``) or parsed as floats."""
        try:
            with warnings.catch_warnings():  # a column typed differently in two chunks is text: refused below
                warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                cells = pd.read_csv(_io.BytesIO(self.utf8), sep=self.sep, header=None, names=range(self.width),
                                    skiprows=skip,
                                    dtype={p: object for p in range(self.width) if p not in numeric} if infer
                                    else {p: ("float64" if p in numeric else object) for p in range(self.width)},
                                    na_values={p: [""] for p in numeric}, keep_default_na=False,
                                    skip_blank_lines=False, engine="c", encoding="utf-8")
        except (ValueError, OverflowError, csv.Error):  # ParserError is a ValueError
            return None
        text = []  # numeric columns with a cell that is not a plain finite number: read again as text
        if infer:
            for p in numeric:
                column = cells[p].to_numpy()
                if column.dtype.kind in "iu":
                    if len(column) and (column.max() > 2**53 or column.min() < -2**53):
                        return self._typed(skip, numeric, infer=False)
                    cells.isetitem(p, column.astype("float64"))  # the column's block replaced: no copy of the others
                elif column.dtype.kind != "f":  # text, yes/no... in a numeric column
                    text.append(p)
        text += [p for p in numeric if p not in text and np.isinf(cells[p].to_numpy(dtype=float)).any()]
        if text:
            written = pd.read_csv(_io.BytesIO(self.utf8), sep=self.sep, header=None, names=range(self.width),
                                  usecols=text, skiprows=skip, dtype=object, na_filter=False, skip_blank_lines=False,
                                  engine="c", encoding="utf-8")
            for p in text:
                cells.isetitem(p, written[p])
        return cells

    def text_at(self, position: int, rows: np.ndarray) -> np.ndarray:
        """The cells of column ``position`` as written, at Excel rows ``rows`` (1 = first record).

        Only that column is converted to text (once), not the whole file; in a file without quotes
        (every record one line) only the lines asked for are split, without parsing the file again.
        """
        if position not in self._columns and self._cells is None:
            found = self._cut(position, np.asarray(rows, dtype=np.int64))
            if found is not None:
                return found
        if position not in self._columns:
            if self._cells is not None:
                self._columns[position] = self._cells[position].to_numpy(dtype=object)
            else:
                self._columns[position] = pd.read_csv(
                    _io.BytesIO(self.utf8), sep=self.sep, header=None, names=range(self.width), usecols=[position],
                    dtype=str, na_filter=False, skip_blank_lines=False, engine="c",
                    encoding="utf-8")[position].to_numpy(dtype=object)
        return self._columns[position][np.asarray(rows, dtype=np.int64) - 1]

    def _cut(self, position: int, rows: np.ndarray) -> np.ndarray | None:
        """The cells of column ``position`` at records ``rows`` cut out of their lines, or ``None`` where
        a record may not be one line (a quote, a carriage return not followed by a line feed) or a
        line is too short (the parser would pad it), or for more than a quarter of the lines (cut one
        by one in Python, they would cost more than the parse): then the column is parsed."""
        if self._line_starts is None:
            data = self.utf8
            one_per_line = b'"' not in data and (b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"))
            self._line_starts = (np.concatenate([[0], _line_breaks(data) + 1]) if one_per_line
                                 else np.zeros(0, dtype=np.int64))
            self._one_per_line = one_per_line
        if (not self._one_per_line or len(rows) > len(self._line_starts) // 4  # many cells: parsing is faster
                or (len(rows) and (rows.min() < 1 or rows.max() > len(self._line_starts)))):
            return None
        data, sep, starts = self.utf8, self.sep.encode("utf-8"), self._line_starts
        cells = np.empty(len(rows), dtype=object)
        for i, row in enumerate(rows):
            start = starts[row - 1]
            stop = starts[row] - 1 if row < len(starts) else len(data)
            fields = data[start:stop].removesuffix(b"\r").split(sep)
            if position >= len(fields):
                return None
            cells[i] = fields[position].decode("utf-8")
        return cells


#: Bytes compared at a time when line breaks are looked for (:func:`_line_breaks`): one reused buffer of
#: this size instead of a mask as large as the file, whose first touch costs more than the search.
LINE_SCAN_BYTES = 1 << 20


def _line_breaks(data: bytes) -> np.ndarray:
    """The byte offset of every line feed in ``data``, in order (int64).

    The bytes are compared block by block (:data:`LINE_SCAN_BYTES`) into one reused mask: a 240 MB
    file is searched in 0.14 s of CPU instead of 0.25–1.2 s for a file-sized mask (fresh memory).

    >>> _line_breaks(b"a,b\\nc\\n\\n").tolist(), _line_breaks(b"").tolist()
    ([3, 5, 6], [])
    """
    codes = np.frombuffer(data, dtype=np.uint8)
    mask = np.empty(min(len(codes), LINE_SCAN_BYTES), dtype=bool)
    found = [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(codes), LINE_SCAN_BYTES):
        block = codes[start:start + LINE_SCAN_BYTES]
        found.append(np.flatnonzero(np.equal(block, 10, out=mask[:len(block)])) + start)
    return np.concatenate(found)


def _cell_text(value: object, number_format: str | None = None) -> str:
    """A workbook cell as the text the user sees (integral numbers without ``.0``).

    A number shown as a percentage (format ``0.0%``) reads as the user sees it:

    >>> _cell_text(0.955, "0.0%"), _cell_text(2025.0), _cell_text(True)
    ('95.5%', '2025', '是')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if number_format and "%" in number_format and isinstance(value, (int, float)):
        return f"{value * 100:.10g}%"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    return str(value)


def _grid_from_rows(file: str, sheet: str, rows: Iterable[Iterable[object]], hidden: bool = False) -> _Grid:
    """A grid from rows of values, or of openpyxl cells (whose number formats are honoured).

    Trailing blank cells and rows are dropped, so a stray cell far to the right or
    below costs nothing; a sheet whose used range exceeds :data:`MAX_SHEET_CELLS`
    is refused with the cell that makes it so.
    """
    texts: list[list[str]] = []
    width = used_rows = 0
    for row in rows:
        cells = [_cell_text(getattr(v, "value", v), getattr(v, "number_format", None)) for v in row]
        while cells and cells[-1] == "":
            cells.pop()
        texts.append(cells)
        if cells:
            used_rows = len(texts)
            width = max(width, len(cells))
            if used_rows * width > MAX_SHEET_CELLS:
                far = f"{_excel_column(width - 1)}{used_rows}"
                raise InputError([Problem(file, f"工作表的使用范围过大（到 {far} 单元格，超过 "
                                                f"{MAX_SHEET_CELLS:,} 个单元格），未读取", sheet=sheet,
                                          expected=f"不超过 {MAX_SHEET_CELLS:,} 个单元格的数据表",
                                          fix="删除表格右侧和下方多余的内容（或空白格式）后另存，"
                                              "或把数据分成几个文件")])
    texts = texts[:used_rows]
    cells = pd.DataFrame([r + [""] * (width - len(r)) for r in texts], columns=range(width), dtype=str)
    return _Grid(file, sheet, cells, np.arange(1, len(cells) + 1), hidden=hidden)


# --- workbook safety ---------------------------------------------------------------

def _too_large(file: str, what: str, size: int, limit: int) -> InputError:
    return InputError([Problem(file, f"工作簿中的{what}解压后为 {size / 2**20:,.0f} MB，超过 {limit / 2**20:,.0f} MB"
                                     "（文件可能被构造为“压缩炸弹”或已损坏），未读取",
                               expected=f"解压后不超过 {limit / 2**20:,.0f} MB",
                               fix="用 Excel 或 WPS 打开后删除多余内容再另存，或把数据分成几个文件")])


def inspect_workbook(path: str | Path) -> dict[str, str]:
    """Check an .xlsx/.xlsm file before parsing it; return ``{sheet part: "formulas"}`` hints.

    Refuses, with an :class:`~quality_balance.errors.InputError` naming the file:
    a password-protected (encrypted) workbook; a shared-strings part over
    :data:`MAX_SHARED_STRINGS_BYTES`, any part over :data:`MAX_PART_BYTES` or a
    workbook over :data:`MAX_WORKBOOK_BYTES` once inflated (sizes as the archive
    declares them; the archive checks them again while reading). Only the
    archive's directory is read, so a bomb is refused in milliseconds.

    Returns the worksheet parts that contain formulas (to look for missing
    cached values), by part name.
    """
    import zipfile

    path = Path(path)
    file = str(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _OLE_MAGIC:
        raise InputError([Problem(file, "工作簿受密码保护（已加密），无法读取", expected="未加密的 .xlsx 文件",
                                  fix=_PASSWORD_FIX)])
    if not zipfile.is_zipfile(path):
        return {}  # openpyxl reports a file that is not a workbook
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "EncryptionInfo" in names or "EncryptedPackage" in names:
            raise InputError([Problem(file, "工作簿受密码保护（已加密），无法读取", expected="未加密的 .xlsx 文件",
                                      fix=_PASSWORD_FIX)])
        total = 0
        formulas: dict[str, str] = {}
        for info in infos:
            total += info.file_size
            if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > MAX_SHARED_STRINGS_BYTES:
                raise _too_large(file, "共享字符串表（sharedStrings.xml）", info.file_size, MAX_SHARED_STRINGS_BYTES)
            if info.file_size > MAX_PART_BYTES:
                raise _too_large(file, f"部件 {info.filename}", info.file_size, MAX_PART_BYTES)
        if total > MAX_WORKBOOK_BYTES:
            raise _too_large(file, "全部内容", total, MAX_WORKBOOK_BYTES)
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(1 << 20):
                        if b"<f>" in tail + chunk or b"<f " in tail + chunk:
                            formulas[info.filename] = "formulas"
                            break
                        tail = chunk[-3:]
    return formulas


def _uncached_formulas(path: Path, sheet_titles: list[str]) -> dict[str, list[str]]:
    """Per sheet, the cells holding a formula without a cached value (written by a script, never opened)."""
    import openpyxl

    found: dict[str, list[str]] = {}
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for title in sheet_titles:
            fs, vs = formulas[title], values[title]
            fs.reset_dimensions()
            vs.reset_dimensions()
            cells: list[str] = []
            for frow, vrow in zip(fs.iter_rows(), vs.iter_rows()):
                for fcell, vcell in zip(frow, vrow):
                    if (isinstance(fcell.value, str) and fcell.value.startswith("=")
                            and getattr(vcell, "value", None) is None):
                        cells.append(fcell.coordinate)
            if cells:
                found[title] = cells
    finally:
        formulas.close()
        values.close()
    return found


def _formula_problem(file: str, sheet: str, cells: list[str]) -> Problem:
    named = "、".join(cells[:CELLS_NAMED]) + (f" 等 {len(cells)} 个单元格" if len(cells) > CELLS_NAMED else "")
    return Problem(file, f"公式没有保存计算结果（{named}），这些单元格读作空白会使结果失真", sheet=sheet,
                   column=None, expected="公式单元格带有计算结果（文件在 Excel 或 WPS 中保存过）",
                   fix="用 Excel 或 WPS 打开该文件并保存一次（会写入公式的计算结果），或把公式替换为数值")


def _read_xlsx(path: Path, file: str, include_hidden: bool = False) -> list[_Grid]:
    import openpyxl

    formula_parts = inspect_workbook(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors... for damaged files
        raise InputError([Problem(file, f"无法作为 Excel 工作簿读取（{type(exc).__name__}: {exc}）",
                                  expected="完整的 .xlsx 文件",
                                  fix="用 Excel 打开后重新保存；文件可能被截断或不是 .xlsx 格式")]) from None
    try:
        grids = []
        for ws in book.worksheets:
            ws.reset_dimensions()  # some writers store wrong dimensions: read every row from row 1
            hidden = getattr(ws, "sheet_state", "visible") != "visible"
            grids.append(_grid_from_rows(file, ws.title, ws.iter_rows(), hidden=hidden))
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet part inside a readable archive
        raise InputError([Problem(file, f"工作簿内容损坏（{type(exc).__name__}: {exc}）",
                                  expected="完整的 .xlsx 文件", fix="用 Excel 打开后重新保存")]) from None
    finally:
        book.close()
    if formula_parts:
        uncached = _uncached_formulas(path, [g.sheet for g in grids if include_hidden or not g.hidden])
        if uncached:
            raise InputError([_formula_problem(file, sheet, cells) for sheet, cells in uncached.items()])
    return grids


def _read_xls(path: Path, file: str) -> list[_Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(path, on_demand=True)
    except Exception as exc:  # xlrd.XLRDError, struct errors... for damaged or mislabelled files
        if "encrypted" in str(exc).lower():
            raise InputError([Problem(file, "工作簿受密码保护（已加密），无法读取", expected="未加密的 .xls 文件",
                                      fix=_PASSWORD_FIX)]) from None
        raise InputError([Problem(file, f"无法作为 .xls 工作簿读取（{type(exc).__name__}: {exc}）",
                                  expected="Excel 97–2003 .xls 文件",
                                  fix="用 Excel 打开后另存为 .xlsx")]) from None
    try:
        return [_grid_from_rows(file, ws.name, (ws.row_values(i) for i in range(ws.nrows)),
                                hidden=ws.visibility != 0)
                for ws in book.sheets()]
    finally:
        book.release_resources()


def _parquet_texts(column: pd.Series) -> np.ndarray:
    """A Parquet column as the text a CSV export of it would hold (as :func:`_cell_text` writes cells).

    Integral numbers without ``.0`` (``2025``), other numbers in their shortest exact form, yes/no
    as 是/否, missing values as ``""``; vectorised per column.
    """
    missing = column.isna().to_numpy()
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        texts = np.where(column.fillna(False).to_numpy(dtype=bool), "是", "否").astype(object)
    elif pd.api.types.is_integer_dtype(dtype):
        texts = column.astype("Int64").astype(str).to_numpy(dtype=object)
    elif pd.api.types.is_float_dtype(dtype):
        x = column.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(x) & (np.floor(x) == x) & (np.abs(x) < 1e15)
        texts = np.empty(len(x), dtype=object)
        texts[whole] = x[whole].astype(np.int64).astype(str)
        texts[~whole] = [repr(float(v)) for v in x[~whole]]
    elif pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        texts = column.to_numpy(dtype=object, na_value="")
    else:  # dates, categoricals, anything else: cell by cell, as a workbook cell
        texts = np.array([_cell_text(v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
                          for v in column.astype(object)], dtype=object)
    texts[missing] = ""
    return texts


def _read_parquet(path: Path, file: str, lazy: bool = False) -> list[_Grid]:
    """A Parquet file as one grid: its column names as the header row, every value as text.

    The values go through the same validation as a CSV file's (row 1 is the header, the first data
    row is row 2); a file pyarrow cannot read is a problem naming the file. With ``lazy``, only the
    top rows are turned into text now (see :class:`_ParquetSource`).
    """
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise InputError([Problem(file, "读取 Parquet 文件需要 pyarrow", expected="已安装 pyarrow",
                                  fix="pip install pyarrow，或提供 .csv/.xlsx 文件")]) from None
    try:
        frame = pq.read_table(path).to_pandas()
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError... for damaged or mislabelled files
        raise InputError([Problem(file, f"无法作为 Parquet 文件读取（{type(exc).__name__}: {exc}）",
                                  expected="完整的 .parquet 文件",
                                  fix="重新导出 Parquet 文件（文件可能被截断或不是 Parquet 格式），"
                                      "或提供 .csv/.xlsx 文件")]) from None
    source = _ParquetSource(frame)
    if lazy:
        cells = source.text_cells(HEADER_SEARCH_ROWS)
        return [_Grid(file, None, cells, np.arange(1, len(cells) + 1), source=source)]
    cells = source.text_cells()
    return [_Grid(file, None, cells, np.arange(1, len(cells) + 1))]


class _ParquetSource:
    """A Parquet table, turned into text cells only where validation needs text.

    :meth:`typed_cells` keeps the integer and float columns under a numeric header as float64 (NaN =
    missing), the values :func:`_parquet_texts` would write and validation parse back; every other
    column, and a numeric one holding an infinite value, becomes text as before.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self._columns: dict[int, np.ndarray] = {}

    def _texts(self, position: int) -> np.ndarray:
        """Column ``position`` as text cells, its name first (the header row)."""
        if position not in self._columns:
            self._columns[position] = np.concatenate([np.array([str(self.frame.columns[position])], dtype=object),
                                                      _parquet_texts(self.frame.iloc[:, position])])
        return self._columns[position]

    def text_cells(self, data_rows: int | None = None) -> pd.DataFrame:
        """The header row and the data rows (the first ``data_rows`` of them) as text cells."""
        if data_rows is None:
            columns = {i: self._texts(i) for i in range(len(self.frame.columns))}
        else:
            head = self.frame.iloc[:data_rows]
            columns = {i: np.concatenate([np.array([str(name)], dtype=object), _parquet_texts(head.iloc[:, i])])
                       for i, name in enumerate(head.columns)}
        return pd.DataFrame(columns, columns=range(len(columns)), dtype=str)

    def typed_cells(self, skip: int, numeric: list[int]) -> pd.DataFrame | None:
        """The data rows, ``numeric`` columns of a number dtype as float64; ``None`` unless the header
        is the first row (``skip`` = 1)."""
        if skip != 1:
            return None
        columns = {}
        for i in range(len(self.frame.columns)):
            column = self.frame.iloc[:, i]
            dtype = column.dtype
            if (i in numeric and not pd.api.types.is_bool_dtype(dtype)
                    and (pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype))):
                x = column.to_numpy(dtype=float, na_value=np.nan) + 0.0  # -0.0 reads as 0, as its text "0"
                if not np.isinf(x).any():
                    columns[i] = x
                    continue
            columns[i] = self._texts(i)[1:]
        return pd.DataFrame(columns, columns=range(len(columns)))

    def text_at(self, position: int, rows: np.ndarray) -> np.ndarray:
        """The cells of column ``position`` as text, at Excel rows ``rows`` (1 = the header row)."""
        return self._texts(position)[np.asarray(rows, dtype=np.int64) - 1]


def _read_grids(path: Path, file: str, include_hidden: bool = False, lazy: bool = False) -> list[_Grid]:
    if not path.is_file():
        raise InputError([Problem(file, "找不到文件", expected="存在的 .csv、.xlsx 或 .xls 文件",
                                  fix="检查路径和文件名")])
    suffix = path.suffix.lower()
    if suffix in CSV_SEPARATORS:
        return _read_csv(path, file, lazy)
    if suffix == ".xls":
        return _read_xls(path, file)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path, file, lazy)
    if suffix in WORKBOOK_SUFFIXES:
        return _read_xlsx(path, file, include_hidden)
    raise InputError([Problem(file, f"不支持的文件类型“{path.suffix}”",
                              expected="、".join(SUPPORTED_SUFFIXES), fix="另存为 .xlsx 或 .csv")])


# --- finding the header and the table ------------------------------------------------

def _header_matches(cells: pd.DataFrame, table: Table) -> list[set[str]]:
    """For each of the top rows, the set of canonical columns its cells name (the rows as lists of cells:
    ``itertuples`` costs twice as much on a wide sheet)."""
    return [{name for v in row if (name := match_header(v, table))}
            for row in cells.head(HEADER_SEARCH_ROWS).to_numpy(dtype=object).tolist()]


def _locate_header(cells: pd.DataFrame, table: Table) -> tuple[int, set[str]] | None:
    """Index of the header row (most matches, earliest on ties) and its matches."""
    matches = _header_matches(cells, table)
    if not matches:
        return None
    best = max(range(len(matches)), key=lambda i: (len(matches[i]), -i))
    return (best, matches[best]) if len(matches[best]) >= MIN_HEADER_MATCHES else None


@cache
def _distinctive(table_name: str) -> frozenset[str]:
    """Columns of a table that no other table has: they tell the tables apart."""
    others = {c for t in TABLES.values() if t.name != table_name for c in t.names}
    return frozenset(set(TABLES[table_name].names) - others)


def _identify(cells: pd.DataFrame, candidates: Iterable[Table]) -> tuple[Table, int] | None:
    """The candidate table whose headers the sheet matches best, with its header row index."""
    scored = []
    for table in candidates:
        found = _locate_header(cells, table)
        if found is not None:
            row, matched = found
            scored.append((len(matched & _distinctive(table.name)), len(matched), table, row))
    scored = [s for s in scored if s[0] > 0]  # shared columns alone (年份, 县区) do not identify a table
    if not scored:
        return None
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        return None  # ambiguous
    return scored[0][2], scored[0][3]


def _is_units_row(values: list[str]) -> bool:
    """True for a row like ``["", "", "人", "平方米", "元"]`` below the header (NaN, a blank cell of a
    column parsed as numbers, is blank)."""
    texts = [normalise_header(v) for v in values if str(v).strip() and not (isinstance(v, float) and np.isnan(v))]
    texts = [t[1:-1] if t.startswith("(") and t.endswith(")") else t for t in texts]
    texts = [_UNIT_PREFIX.sub("", t) for t in texts]
    return bool(texts) and all(t in UNIT_SUFFIXES or t in ("单位", "") for t in texts)


def _blank(column: pd.Series) -> np.ndarray:
    """Where cells are empty or only spaces (each distinct value is stripped once); NaN in a column
    parsed as numbers."""
    if column.dtype.kind == "f":
        return column.isna().to_numpy()
    codes, uniques = pd.factorize(column)
    return (pd.Series(uniques, dtype=object).str.strip() == "").to_numpy()[codes]


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty or only spaces.

    Column by column, only the rows still blank so far are looked at: after the first column
    (the year, the county...) hardly any row is left to check, so the cost is about one column's.
    """
    blank = np.ones(len(frame), dtype=bool)
    for c in frame.columns:
        rows = np.flatnonzero(blank)
        if not rows.size:
            break
        blank[rows] = _blank(frame[c].iloc[rows])
    return blank


def _excel_column(index: int) -> str:
    """0 → 'A', 27 → 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_from_grid(grid: _Grid, table: Table, header_index: int) -> tuple[RawSheet, list[Problem]]:
    """Cut the data rows below the header, name the columns, skip a units row and blank rows."""
    problems: list[Problem] = []
    header_row = int(grid.rows[header_index])
    where = {"file": grid.file, "sheet": grid.sheet, "row": header_row}
    text_of = None
    body = None
    if grid.source is not None:  # a CSV file read lazily: the data rows with numeric columns as numbers
        body = grid.source.typed_cells(header_index + 1, _numeric_positions(grid.cells.iloc[header_index], table))
        if body is None:
            grid = replace(grid, cells=grid.source.text_cells())
            grid = replace(grid, rows=np.arange(1, len(grid.cells) + 1))
        else:
            rows = np.arange(header_index + 2, header_index + 2 + len(body))
    if body is None:
        body = grid.cells.iloc[header_index + 1:]
        rows = grid.rows[header_index + 1:]
    names: dict[int, str] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for pos, raw in zip(grid.cells.columns, grid.cells.iloc[header_index]):
        text = str(raw).strip()
        name = match_header(text, table)
        if name is not None and name in headers:
            problems.append(Problem(**where, column=text, value=text,
                                    message=f"与列「{headers[name]}」重复，都表示“{table.column(name).zh}”",
                                    expected="每一项只有一列", fix="删除或改名其中一列"))
            name = None
            text = text + f"（第{_excel_column(pos)}列）"
        elif name is None and (scaled := _scaled_unit(text, table)):
            col, unit, want = scaled
            problems.append(Problem(**where, column=text, value=unit,
                                    message=f"单位“{unit}”与“{table.column(col).zh}”的单位不符",
                                    expected=f"以“{want}”为单位",
                                    fix=f"把数值换算为{want}并把表头改为“{table.column(col).zh}”"))
        if name is not None:
            headers[name] = text
            names[pos] = name
            continue
        if not text:
            if not (body[pos].str.strip() != "").any():
                continue  # an empty column without header: nothing to keep
            text = f"（未命名列 {_excel_column(pos)}）"
        while text in names.values():
            text += "'"
        names[pos] = text
        ignored.append(text)
    frame = body[list(names)].rename(columns=names)
    if len(frame) and _is_units_row([frame[n].iat[0] for n in headers]):
        frame, rows = frame.iloc[1:], rows[1:]
    keep = ~_blank_rows(frame) if len(frame.columns) else np.zeros(len(frame), bool)
    frame = frame.loc[keep].reset_index(drop=True)
    if grid.source is not None and any(frame[n].dtype.kind == "f" for n in headers):
        source, position = grid.source, {name: pos for pos, name in names.items()}
        text_of = lambda column, at: source.text_at(position[column], at)  # noqa: E731
    sheet = RawSheet(table, grid.file, grid.sheet, frame, rows[keep], header_row, headers,
                     tuple(ignored), grid.encoding, _year_hint(grid.sheet, Path(grid.file).stem), text_of)
    return sheet, problems


_NUMERIC_KINDS = ("int", "count", "amount", "rate", "ratio")


def _numeric_positions(header: pd.Series, table: Table) -> list[int]:
    """Positions of the header cells naming a numeric column of ``table`` (first of duplicates only)."""
    seen: set[str] = set()
    positions = []
    for pos, raw in header.items():
        name = match_header(str(raw).strip(), table)
        if name is not None and name not in seen:
            seen.add(name)
            if table.column(name).kind in _NUMERIC_KINDS:
                positions.append(pos)
    return positions


# --- public reading ----------------------------------------------------------------------

def _expected_headers(tables: Iterable[Table]) -> str:
    return "；".join(f"{t.zh}表: " + "、".join(t.column(c).zh for c in t.required[:6]) + "…"
                    for t in tables)


def related_tables(name: str) -> tuple[str, ...]:
    """Tables that hold the same data in another form: survey counts and raw survey answers.

    >>> related_tables("survey"), related_tables("schools")
    (('survey', 'survey_answers'), ('schools',))
    """
    return _TABLE_FAMILIES.get(name, (name,))


def _pool(hint: Table | None, candidates: list[Table]) -> list[Table]:
    """The candidate tables a file or sheet name allows (all of them without a name)."""
    if hint is None:
        return candidates
    return [t for t in candidates if t.name in related_tables(hint.name)]


def wanted(path: str | Path, tables: Iterable[Table]) -> bool:
    """False for a file named after a table that is not among ``tables`` (县区.csv when loading 学校)."""
    hint = table_for_name(Path(path).stem)
    return hint is None or bool(_pool(hint, list(tables)))


def read_file(path: str | Path, tables: Iterable[Table] | None = None,
              sheet: str | None = None, strict: bool = True, *, include_hidden: bool = False,
              numbers: bool = False) -> ReadResult:
    """Read every sheet of a file that holds one of ``tables`` (default: all tables).

    Never raises for a bad file: unreadable files, missing headers and the like
    are returned as problems (``severity="error"``); skipped sheets and ignored
    columns as warnings. ``sheet`` restricts a workbook to one sheet. With
    ``strict=False`` (a file found in a folder, not named by the user) a file
    holding no known table is skipped with a warning instead of an error.

    Workbooks as they really are (checked before and while parsing): an
    encrypted workbook, one that would inflate past the limits of
    :func:`inspect_workbook`, or a sheet whose used range exceeds
    :data:`MAX_SHEET_CELLS` is an error naming the file; formula cells without
    a cached value (a workbook written by a script and never opened in Excel)
    are an error naming the cells, since they would read as blanks. Hidden
    sheets are not read unless ``include_hidden`` is true (or the sheet is
    named by ``sheet``); a warning names them.

    With ``numbers`` (keyword-only, default ``False``), the numeric columns of a CSV file are parsed
    as float64 (blank = NaN) when every cell is a plain finite number (a column with any other cell
    stays text), those of a Parquet file when they have a number dtype, and
    :attr:`RawSheet.text_of` gives their cells as written; workbooks are read as text. Problems are
    the same either way.
    """
    path = Path(path)
    file = str(path)
    candidates = list(tables) if tables is not None else list(TABLES.values())
    result = ReadResult()
    try:
        grids = _read_grids(path, file, include_hidden or sheet is not None, lazy=numbers)
    except InputError as exc:
        result.problems.extend(exc.problems)
        return result
    if sheet is not None:
        grids = [g for g in grids if g.sheet == sheet]
        if not grids:
            result.problems.append(Problem(file, f"工作簿中没有名为“{sheet}”的工作表", value=sheet,
                                           expected="已有的工作表名", fix="检查工作表名称"))
            return result
    elif not include_hidden:
        hidden = [g.sheet for g in grids if g.hidden]
        if hidden:
            result.problems.append(Problem(file, "隐藏的工作表未读取：" + "、".join(f"“{s}”" for s in hidden),
                                           severity="warning", expected="只读取可见的工作表",
                                           fix="如需读取隐藏的工作表，请在 Excel 中取消隐藏，或使用 --include-hidden"))
            grids = [g for g in grids if not g.hidden]
    file_hint = table_for_name(path.stem)
    for grid in grids:
        sheet_hint = table_for_name(grid.sheet) if grid.sheet else None
        pool = _pool(sheet_hint or file_hint, candidates)
        if not pool:
            if sheet_hint is not None:
                continue  # a sheet of another table (the 县区 sheet when only 学校 is wanted)
            pool = candidates  # a file named after another table: let its headers decide
        found = _identify(grid.cells, pool)
        if found is None and grid.source is not None:
            try:  # as a file read whole: a malformed CSV file is that problem, not a missing header
                grid.source.text_cells()
            except InputError as exc:
                result.problems.extend(exc.problems)
                return result
        if found is None:
            if grid.sheet is not None and normalise_header(grid.sheet) in INSTRUCTION_SHEETS:
                continue
            if grid.sheet is not None and len(grids) > 1 and sheet_hint is None:
                result.problems.append(Problem(file, "工作表中没有找到可识别的表头，已跳过", sheet=grid.sheet,
                                               severity="warning", expected=_expected_headers(pool),
                                               fix=f"如果这是数据表，请把表头写在前 {HEADER_SEARCH_ROWS} 行内"))
                continue
            result.problems.append(Problem(file, "没有找到可识别的表头", sheet=grid.sheet,
                                           severity="error" if strict else "warning",
                                           expected=f"前 {HEADER_SEARCH_ROWS} 行内有一行表头，例如 "
                                                    + _expected_headers(pool),
                                           fix="使用模板中的中文表头或英文列名"))
            continue
        table, header_index = found
        try:
            raw, problems = _sheet_from_grid(grid, table, header_index)
        except InputError as exc:  # a malformed CSV file, found when parsed whole
            result.problems.extend(exc.problems)
            return result
        result.problems.extend(problems)
        if raw.ignored:
            result.problems.append(Problem(file, "未识别的列已保留但不参与评估", sheet=grid.sheet,
                                           row=raw.header_row, column="、".join(raw.ignored),
                                           severity="warning",
                                           fix="如果是必需的列，请按模板改写表头"))
        if raw.frame.empty:
            result.problems.append(Problem(file, "表头下没有数据行", sheet=grid.sheet, row=raw.header_row,
                                           severity="warning", expected="至少一行数据"))
        result.sheets.append(raw)
    if not result.sheets and not result.errors:
        result.problems.append(Problem(file,
                                       "文件中没有可识别的数据表" if strict else "文件中没有可识别的数据表，已跳过",
                                       severity="error" if strict else "warning",
                                       expected=_expected_headers(candidates),
                                       fix="使用模板中的中文表头或英文列名"))
    return result


def read_table(path: str | Path, table: Table, sheet: str | None = None) -> list[RawSheet]:
    """The sheets of one file that hold ``table``, cells as text.

    Raises :class:`~quality_balance.errors.InputError` listing every error found
    (an unreadable file, no header, duplicate or mis-scaled headers).
    """
    result = read_file(path, [table], sheet)
    if result.errors:
        raise InputError(result.errors)
    return result.sheets


def collect_files(source: str | Path | Iterable[str | Path]) -> list[Path]:
    """The data files of a folder (sorted), or the given file(s), in order.

    A folder contributes its files of :data:`SUPPORTED_SUFFIXES`, skipping hidden
    files and Excel's ``~$`` lock files; other files (metadata.json, README) are
    not data. Sub-folders are not searched.
    """
    if isinstance(source, (str, Path)):
        source = [source]
    files: list[Path] = []
    for item in map(Path, source):
        if item.is_dir():
            files.extend(sorted(p for p in item.iterdir() if p.is_file()
                                and p.suffix.lower() in SUPPORTED_SUFFIXES
                                and not p.name.startswith((".", "~$"))))
        else:
            files.append(item)
    return files
