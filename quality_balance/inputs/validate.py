"""Validation: raw text tables → typed canonical frames, with every problem collected.

Each check is vectorised over a whole column; a problem is one
:class:`~quality_balance.errors.Problem` naming the file, sheet, the row number
as the user sees it in Excel, the column as the user wrote its header, the
value, what is expected and how to fix it. Errors (``severity="error"``) stop a
loader; warnings (``severity="warning"``) are suspicious but legal values.

Values accepted (after NFKC, so full-width digits, brackets and spaces are fine):

* numbers: ``1234``, ``1,234.5`` (thousands separators), ``95%`` in a rate
  column (rates are percentages 0–100; ``12%`` in a ratio column is 0.12);
  ``2025年`` or ``2025-2026学年`` in a year column;
* yes/no: see :data:`BOOL_VALUES`;
* categories: exactly one of the column's choices (a close match is suggested);
* not-applicable marks (:data:`NOT_APPLICABLE_MARKS`) and blanks in a *stage*
  column (``Column.stage``): they mean 0 only where the school has no students
  of that stage — for the ``students_*`` columns themselves, where the school
  type has no such stage (:data:`~quality_balance.schema.SCHOOL_TYPE_STAGES`).
  Anywhere else a mark is an error. A blank in an optional column means
  "missing" (NaN); in a required one it is an error.

Checks (errors): missing required columns, values that are not numbers or not
finite, negative counts and amounts, rates outside 0–100 and ratios outside
0–1, unknown categories, bad yes/no values, years outside :data:`YEAR_RANGE`,
duplicate keys (both rows named), teachers of a stage without students of it,
students of a stage the school type cannot have, identifiers that Excel turned
into scientific notation, more favourable answers than respondents in a
survey. Warnings: classes, rooms or areas of a stage without students of it,
non-integer counts, rate columns that look like fractions, county codes that
are not 6 digits, ignored columns and skipped sheets (from
:mod:`quality_balance.inputs.readers`).

Input-template conventions (:mod:`quality_balance.inputs.templates`): a row whose first
column (年份) reads :data:`~quality_balance.schema.EXAMPLE_MARKER` is the template's example row,
skipped with a warning that names it (it never stops a loader nor fails ``check``); a ratio column
(0–1) whose header carries the unit "(%)" holds percentages (0–100, as the template asks for every
percent column) and is divided by 100.

Result dtypes: ``year`` int64; other integer columns nullable Int64;
counts, amounts, rates and ratios float64; yes/no nullable ``boolean``; text
and categories ``str``.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import CalculationError, Problem, ProblemList
from .consistency import cross_table_problems, school_row_problems
from .readers import (RawSheet, collect_files, normalise_header, read_file, related_tables, table_for_name,
                      wanted)
from .runs import factorize_runs, row_codes
from ..schema import EXAMPLE_MARKER, MAX_MAGNITUDE, SCHOOL_TYPE_STAGES, STAGE_LABELS, TABLES, Column, Table

__all__ = [
    "YEAR_RANGE",
    "NOT_APPLICABLE_MARKS",
    "BOOL_VALUES",
    "Validation",
    "validate_sheets",
    "validate_files",
    "check_files",
]

#: Years accepted in year columns (inclusive). Anything outside is a typo (``2205``, ``25``).
YEAR_RANGE = (2000, 2100)
#: Cell contents meaning "not applicable" (compared after NFKC, so ／ and － are included).
NOT_APPLICABLE_MARKS = frozenset({"—", "——", "-", "--", "–", "/"})
#: Accepted yes/no spellings (compared in lower case after NFKC).
BOOL_VALUES = {"是": True, "否": False, "yes": True, "no": False, "true": True, "false": False,
               "y": True, "n": False, "1": True, "0": False, "1.0": True, "0.0": False,
               "√": True, "×": False, "✓": True, "✔": True, "✗": False, "✘": False}

_NUMERIC_KINDS = ("int", "count", "amount", "rate", "ratio")
_PLAIN_NOT_NUMBERS = ["", *NOT_APPLICABLE_MARKS]
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_ACADEMIC_YEAR = r"(\d{4})\s*(?:年|学年|年度|(?:[-—–~/至]\s*\d{2,4}\s*(?:学年|年度|年)?))"
_SCIENTIFIC = r"\d(?:\.\d+)?[eE][+]?\d+"
#: Control characters that text pasted from Word or a web page carries (vertical tab, escape, DEL,
#: C1 controls...): removed from text cells with a warning. Tabs and line breaks become a space.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_LINE_BREAKS = r"[\t\r\n]+"


@dataclass
class Validation(ProblemList):
    """Typed frames by table name, and every problem found (errors and warnings)."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


# --- cell-level helpers ----------------------------------------------------------------

def _normalised(text: pd.Series, compact: bool = False) -> pd.Series:
    """Stripped text, NFKC-normalised (full-width → half-width) where a cell is not ASCII.

    ``compact`` also removes inner spaces (for categories: "城 区" is 城区).
    Each distinct value is normalised once (a column of 200 000 cells usually
    holds far fewer distinct values).
    """
    codes, distinct = _distinct(text, compact)
    return pd.Series(distinct[codes], index=text.index, dtype=object, copy=False)


def _distinct(text: pd.Series, compact: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The cells of ``text`` as codes into their distinct values, normalised as :func:`_normalised` says
    (``distinct[codes]`` is the normalised column; checks done on ``distinct`` are done once per value).

    A missing cell is coded -1, as ``pd.factorize`` codes it (:func:`~quality_balance.inputs.runs.factorize_runs`
    codes the column only where it has none)."""
    # the CSV reader's text cells are objects, all texts: coded as they are; any other column (or a cell that is
    # not a text) as its ``astype(str)``, an object array (hashed faster)
    codes, uniques = _coded_texts(text.to_numpy(dtype=object)) if text.dtype == object else (None, None)
    if uniques is None or not all(type(v) is str for v in uniques):
        codes, uniques = _coded_texts(text.astype(str).to_numpy(dtype=object))
    try:  # plain Python on the distinct values is faster than pandas' string methods (their overhead per call)
        found = [v.strip() for v in uniques]
        if compact or not "".join(found).isascii():  # an ASCII column (identifiers, codes) is only stripped
            found = [_normal_text(v, compact) for v in found]  # (stripping twice is stripping once)
    except (AttributeError, TypeError):  # a value that is not text: pandas' string methods, as before
        distinct = pd.Series(uniques, dtype=object).str.strip()
        wide = ~distinct.str.isascii()
        if wide.any():
            distinct[wide] = distinct[wide].str.normalize("NFKC").str.strip()
        if compact:
            distinct = distinct.str.replace(r"\s+", "", regex=True)
        return codes, distinct.to_numpy(dtype=object)
    distinct = np.empty(len(found), dtype=object)
    distinct[:] = found
    return codes, distinct


def _coded_texts(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``cells`` (object) as codes into their distinct values, as ``pd.factorize`` codes them (missing: −1).

    A column sorted in runs (county, school) is hashed once per run
    (:func:`~quality_balance.inputs.runs.factorize_runs`).
    """
    coded = factorize_runs(cells)
    return coded if coded is not None and not pd.isna(coded[1]).any() else pd.factorize(cells)


def _among(distinct: np.ndarray, texts: frozenset) -> np.ndarray:
    """Which of a column's distinct values are one of ``texts``: ``pd.Series(distinct).isin(texts)`` for the few
    distinct values of a column, in plain Python (pandas' ``isin`` costs ~0.3 ms a call on a handful of values).

    Parameters
    ----------
    distinct : ndarray of object
        The distinct values (texts; a missing value, NaN, is none of them).
    texts : frozenset of str
        The texts looked for.

    Returns
    -------
    ndarray of bool
        One flag per distinct value.

    >>> _among(np.array(["城区", "—", float("nan")], dtype=object), frozenset({"—"})).tolist()
    [False, True, False]
    """
    return np.fromiter((v in texts for v in distinct), dtype=bool, count=len(distinct))


_SPACES = re.compile(r"\s+")


def _normal_text(value: str, compact: bool) -> str:
    """One cell as :func:`_normalised` makes it: stripped, NFKC (and stripped again) when not ASCII,
    without inner spaces with ``compact``."""
    value = value.strip()
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value).strip()
    return _SPACES.sub("", value) if compact else value


def _is_year_column(col: Column) -> bool:
    return col.kind == "int" and (col.name == "year" or col.name.endswith("_year"))


def _is_identifier(col: Column) -> bool:
    return col.kind == "text" and col.name.endswith(("_id", "_code"))


def _expected(col: Column) -> str:
    """What a column holds, in words, for messages."""
    unit = f"，单位：{col.unit}" if col.unit else ""
    if col.kind == "int":
        if _is_year_column(col):
            return f"{YEAR_RANGE[0]}–{YEAR_RANGE[1]} 之间的年份（整数）"
        return f"整数{unit}"
    if col.kind in ("count", "amount"):
        return f"不小于 0 的数{unit}"
    if col.kind == "rate":
        return "0–100 之间的百分数（95% 填 95 或 95%）"
    if col.kind == "ratio":
        return "0–1 之间的比例（如 0.12 或 12%）"
    if col.kind == "bool":
        return "是 或 否"
    if col.kind in ("category", "level"):
        return "以下之一：" + "、".join(col.choices)
    return "非空文本"


def _pick(per_row, idx: np.ndarray) -> list:
    """``per_row[idx]`` for an array, or the single value repeated."""
    if per_row is None or isinstance(per_row, str):
        return [per_row] * len(idx)
    return list(np.asarray(per_row, dtype=object)[idx])


class _Sheet:
    """Validation state of one sheet: its raw cells, the typed columns and problems so far."""

    def __init__(self, raw: RawSheet):
        self.raw = raw
        self.n = len(raw.frame)
        self.typed: dict[str, pd.Series] = {}
        self.problems: list[Problem] = []
        self._school_types: tuple[pd.Series, tuple[np.ndarray, np.ndarray]] | None = None
        self._stage_rows: dict[str, tuple[pd.Series | None, tuple[np.ndarray, np.ndarray]]] = {}

    def stage_students(self, stage: str) -> tuple[np.ndarray, np.ndarray]:
        """Rows without students of ``stage`` (0) and rows with some (> 0), from the typed students
        column (a blank is neither), found once per stage."""
        students = self.typed.get(f"students_{stage}")
        found = self._stage_rows.get(stage)
        if found is None or found[0] is not students:
            n = students.to_numpy() if students is not None else np.full(self.n, np.nan)
            found = self._stage_rows[stage] = (students, (n == 0, n > 0))
        return found[1]

    def school_types(self, types: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """``types`` (the typed school types) as codes into its distinct values (-1: missing), found once."""
        if self._school_types is None or self._school_types[0] is not types:
            codes, uniques = pd.factorize(types)
            self._school_types = (types, (codes, np.asarray(uniques, dtype=object)))
        return self._school_types[1]

    def report(self, column: str, mask, message, expected: str | None = None, fix=None,
               severity: str = "error", values=None) -> None:
        """One problem per flagged row of ``column``.

        ``message`` and ``fix`` are one text, or one text per row; ``values``
        (default: the cells as the user wrote them) one value per row.
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        raw = self.raw
        shown = None
        if values is None and column in raw.frame:
            if raw.text_of is not None and raw.frame[column].dtype.kind == "f":
                shown = list(raw.text_of(column, raw.rows[idx]))  # parsed as numbers: the cells as written
            else:
                values = raw.frame[column].to_numpy()
        header = raw.header(column)
        self.problems.extend(
            Problem(raw.file, msg, int(row), header, value, expected, hint, raw.sheet, severity)
            for row, value, msg, hint in zip(raw.rows[idx], shown if shown is not None else _pick(values, idx),
                                             _pick(message, idx), _pick(fix, idx)))

    def report_column(self, column: str, message: str, expected: str | None = None,
                      fix: str | None = None, severity: str = "error") -> None:
        raw = self.raw
        self.problems.append(Problem(raw.file, message, None, raw.header(column), None, expected, fix,
                                     raw.sheet, severity))


# --- typing one column ------------------------------------------------------------------------

def _parse_numbers(sheet: _Sheet, col: Column, cells: _Cells, usable: np.ndarray) -> pd.Series:
    """Numbers of a numeric column; cells not ``usable`` (blank, marks) stay NaN.

    Every check is one numpy pass over the column; the values a check refuses become NaN at the
    end (each check looks at the values as parsed, not as an earlier check left them).
    """
    number = np.asarray(cells.number, dtype="float64")
    values = number  # copied before its first change (:func:`_own`): the cells stay as they are
    retry = usable & np.isnan(values)
    if retry.any():
        values = _own(values, number)
        t = cells.text[retry].astype(str)
        percent = t.str.endswith("%").to_numpy()
        if col.kind in ("rate", "ratio"):
            t = t.str.removesuffix("%").str.strip()
        t = t.where(~t.str.fullmatch(_THOUSANDS), t.str.replace(",", "", regex=False))
        if _is_year_column(col):
            t = t.str.replace(f"^{_ACADEMIC_YEAR}$", r"\1", regex=True)
        again = pd.to_numeric(t, errors="coerce").astype("float64")
        if col.kind == "ratio":
            again = again.where(~percent, again / 100)
        values[retry] = again.to_numpy()
    name = col.name
    bad = usable & np.isnan(values)
    sheet.report(name, bad, "不是数字", _expected(col), "只填数字，不要带单位或文字")
    infinite = np.isinf(values)
    if infinite.any():
        sheet.report(name, infinite, "数值不是有限数", _expected(col), "填写实际数值")
        values = _own(values, number)
        values[infinite] = np.nan
    v = values
    refused = None  # the values a check refuses: NaN once every check has looked at ``v``
    # (a comparison with NaN is False: the checks below need no "not blank" mask of their own)
    if col.kind in ("count", "amount"):
        negative = v < 0
        sheet.report(name, negative, "数值为负", _expected(col), "核对数值；没有时填 0")
        huge = v > MAX_MAGNITUDE
        sheet.report(name, huge, f"数值大得不合理（超过 {MAX_MAGNITUDE:.0e}）", _expected(col),
                     "核对单位和数值（是否多打了数字）")
        if col.kind == "count":
            sheet.report(name, (v >= 0) & (np.floor(v) != v), "人数、个数不是整数", "整数",
                         "核对是否填错了列", severity="error" if col.whole else "warning")
        refused = negative | huge
    elif col.kind == "rate":
        ok = ~np.isnan(v)
        outside = (v < 0) | (v > 100)
        sheet.report(name, outside, "比例超出 0–100", _expected(col), "按百分数填写，例如 95.5")
        refused = outside
        inside = v[ok & ~outside]
        if len(inside) and inside.max() <= 1 and inside.max() > 0:
            sheet.report_column(name, "本列所有数值都不超过 1，可能把百分数写成了小数", _expected(col),
                                "如 0.95 表示 95%，请填 95", severity="warning")
    elif col.kind == "ratio":
        outside = (v < 0) | (v > 1)
        sheet.report(name, outside, "比例超出 0–1", _expected(col), "按小数填写，例如 0.12")
        refused = outside
    elif col.kind == "int":
        ok = ~np.isnan(v)
        fractional = ok & (np.floor(v) != v)
        sheet.report(name, fractional, "不是整数", _expected(col), "填写整数")
        refused = fractional
        if _is_year_column(col):
            outside = ok & ~fractional & ((v < YEAR_RANGE[0]) | (v > YEAR_RANGE[1]))
            sheet.report(name, outside, "年份超出范围", _expected(col), "用四位数年份，例如 2025")
            refused = fractional | outside
    if refused is not None and refused.any():
        values = _own(values, number)
        values[refused] = np.nan
    return pd.Series(values, index=cells.text.index, copy=False)  # nothing refused: the parsed cells, not copied


def _own(values: np.ndarray, number: np.ndarray) -> np.ndarray:
    """``values`` to change in place: a copy while it is still the column's parsed ``number`` (a column
    whose values are all accepted, the usual one, is never copied)."""
    return number.copy() if values is number else values


def _parse_bools(sheet: _Sheet, col: Column, cells: _Cells, usable: np.ndarray) -> pd.Series:
    # each distinct value read once, in plain Python (a pandas string method costs ~1 ms a call on a handful
    # of values): what ``.str.lower().map(BOOL_VALUES)`` gives, a cell that is not text being no known word
    words = [BOOL_VALUES.get(v.lower()) if isinstance(v, str) else None for v in cells.distinct]
    known = np.array([w is not None for w in words], dtype=bool)[cells.codes]
    truth = np.array([w is True for w in words], dtype=bool)[cells.codes]
    bad = usable & ~known
    sheet.report(col.name, bad, "不是“是/否”", _expected(col), "填写“是”或“否”")
    return pd.Series(pd.arrays.BooleanArray(truth, ~(usable & known)), index=cells.text.index)


def _parse_choices(sheet: _Sheet, col: Column, cells: _Cells, usable: np.ndarray) -> pd.Series:
    text = cells.text
    known = _among(cells.distinct, frozenset(col.choices))[cells.codes]
    bad = usable & ~known
    if bad.any():
        suggestions = {}
        for value in text[bad].unique():  # one loop per distinct wrong value, not per row
            close = difflib.get_close_matches(value, col.choices, n=1, cutoff=0.4)
            suggestions[value] = f"改为“{close[0]}”" if close else "从允许的值中选一个"
        sheet.report(col.name, bad, f"不是允许的{col.zh}", _expected(col), text.map(suggestions))
    return cells.kept(text, usable & known)


def _clean_text(sheet: _Sheet, col: Column, text: pd.Series, usable: np.ndarray,
                distinct: np.ndarray | None = None) -> pd.Series:
    """Text without control characters; each cleaned cell is reported as a warning naming it.

    ``distinct``: the distinct values of ``text`` when known (searched instead of every cell)."""
    if not _may_hold(text if distinct is None else distinct, _DIRTY):
        return text  # the usual case, found by one search of the whole column
    dirty = usable & text.str.contains(CONTROL_CHARACTERS + "|" + _LINE_BREAKS, regex=True).fillna(False).to_numpy()
    if not dirty.any():
        return text
    cleaned = text.copy()
    cleaned[dirty] = (text[dirty].str.replace(CONTROL_CHARACTERS, "", regex=True)
                      .str.replace(_LINE_BREAKS, " ", regex=True).str.strip())
    fixes = np.array([f"已读作“{v}”，请在文件中改正" for v in cleaned], dtype=object)
    sheet.report(col.name, dirty, "文本中含有控制字符或换行（常见于从 Word 或网页粘贴），已删除",
                 "不含控制字符的文本", fix=fixes, severity="warning")
    return cleaned


def _may_hold(text: pd.Series | np.ndarray, pattern: str) -> bool:
    """Whether any cell of ``text`` may match ``pattern``: one regular-expression search of the cells
    joined with a space (False only when no cell can match; non-text cells: True, to look cell by cell)."""
    cells = text.to_numpy(dtype=object) if isinstance(text, pd.Series) else text
    try:
        return re.search(pattern, " ".join(cells)) is not None
    except TypeError:
        return True


#: Any character that :data:`CONTROL_CHARACTERS` or :data:`_LINE_BREAKS` matches, as one character class
#: (one class is searched several times faster than the alternation).
_DIRTY = r"[\x00-\x1f\x7f-\x9f]"


def _fullmatch(text: pd.Series, pattern: str, cells: _Cells | None = None) -> np.ndarray:
    """``text.str.fullmatch(pattern)`` as a boolean array, each distinct value matched once (those of
    ``cells`` when ``text`` is their text)."""
    if cells is not None and text is cells.text:
        codes, uniques = cells.codes, cells.distinct
    else:
        codes, uniques = pd.factorize(text, use_na_sentinel=False)
    matched = pd.Series(uniques, dtype=object).str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    return matched[codes] if len(codes) else np.zeros(0, dtype=bool)


def _parse_text(sheet: _Sheet, col: Column, cells: _Cells, usable: np.ndarray) -> pd.Series:
    text = _clean_text(sheet, col, cells.text, usable, cells.distinct)
    if _is_identifier(col):
        # one search of the whole column for an e first: the usual column holds no scientific notation
        scientific = (usable & _fullmatch(text, _SCIENTIFIC, cells)
                      if _may_hold(cells.distinct if text is cells.text else text, "[eE]")
                      else np.zeros(len(text), dtype=bool))
        sheet.report(col.name, scientific, "编号被 Excel 转成了科学计数法，原编号已丢失", "完整的编号（文本）",
                     "在 Excel 中把该列设为“文本”格式后重新输入编号，或直接提供 .xlsx 文件")
        if col.name == "county_code":
            odd = usable & ~scientific & ~_fullmatch(text, r"\d{6}", cells)
            sheet.report(col.name, odd, "县区代码不是 6 位数字", "6 位行政区划代码，例如 410922",
                         "核对代码", severity="warning")
        usable = usable & ~scientific
    return cells.kept(text, usable)


_PARSERS = {"bool": _parse_bools, "category": _parse_choices, "level": _parse_choices,
            "text": _parse_text, **{k: _parse_numbers for k in _NUMERIC_KINDS}}


@dataclass(frozen=True)
class _Cells:
    """A present column's normalised text, and where it is blank or a not-applicable mark.

    For a numeric column ``number`` holds the values that parse as they are
    (the fast path); ``text`` is normalised only where they do not. For any other
    column ``text`` is ``distinct[codes]``: checks look at each distinct value once.
    """

    text: pd.Series
    blank: np.ndarray
    mark: np.ndarray
    number: np.ndarray | pd.Series | None = None
    codes: np.ndarray | None = None
    distinct: np.ndarray | None = None

    def kept(self, text: pd.Series, keep: np.ndarray) -> pd.Series:
        """``text.where(keep)`` (missing where ``keep`` is False) in the result dtype ``str``.

        Where ``text`` is this column's ``distinct[codes]`` the distinct values are converted once and
        taken by code, instead of converting every cell (:func:`_final_dtypes`); other text is left
        as ``text.where(keep)``, converted there."""
        codes = self.codes
        if text is not self.text or codes is None or (len(codes) and codes.min() < 0):
            return text.where(keep)
        values = pd.array(self.distinct, dtype="str").take(np.where(keep, codes, -1), allow_fill=True)
        return pd.Series(values, index=text.index, copy=False)


_PLAIN_DECIMALS = re.compile(r"[^0-9eE.+\-|]")


def _plain_numbers(values: np.ndarray) -> np.ndarray | None:
    """``values`` (object array of text) as float64 when every cell is a plain decimal number, else None.

    Plain: ASCII digits, sign, point, exponent only (what almost every cell is), checked by one
    regular-expression search of the cells joined, then converted by numpy in one pass. A blank cell,
    a mark such as "-" or any other text makes numpy refuse the column: None, for the cell-by-cell path.
    """
    if not values.size:
        return None
    try:
        joined = "|".join(values)
    except TypeError:  # a cell that is not text
        return None
    if _PLAIN_DECIMALS.search(joined) is not None:
        return None
    try:
        return values.astype("float64")
    except ValueError:
        return None


def _to_numbers(cells: pd.Series) -> np.ndarray:
    """The cells as float64, NaN where a cell is not a number (``pd.to_numeric(errors="coerce")``).

    A column of plain decimal numbers (:func:`_plain_numbers`) is converted by numpy in one pass,
    which is several times faster; any other column, or one with a cell numpy cannot read, goes
    through ``pd.to_numeric`` as before.
    """
    plain = _plain_numbers(cells.to_numpy(dtype=object))
    if plain is not None:
        return plain
    return pd.to_numeric(cells, errors="coerce").astype("float64").to_numpy()


def _cells(sheet: _Sheet, col: Column) -> _Cells:
    raw = sheet.raw.frame[col.name]
    number = None
    if raw.dtype.kind == "f":  # parsed as numbers by the reader: every cell a plain number or empty
        number = raw.to_numpy()
        return _Cells(raw, np.isnan(number), np.zeros(len(raw), dtype=bool), number)
    if col.kind in _NUMERIC_KINDS:
        cells = raw.to_numpy(dtype=object)
        whole = _plain_numbers(cells)  # the usual column: every cell a plain number, no blank nor mark
        if whole is not None:
            number = whole
            slow = np.isnan(whole)
        else:
            plain = ~raw.isin(_PLAIN_NOT_NUMBERS).to_numpy()  # cheap: skip "" and "—" before parsing
            whole = np.full(len(raw), np.nan)
            whole[plain] = _to_numbers(raw[plain])
            number = whole
            slow = np.isnan(whole)
        text = pd.Series(cells, index=raw.index, dtype=object, copy=True)
        blank = np.zeros(len(raw), dtype=bool)
        mark = np.zeros(len(raw), dtype=bool)
        if slow.any():  # only cells that are not plain numbers are normalised, and can be blank or a mark
            normal = _normalised(raw[slow]).to_numpy()
            text[slow] = normal
            blank[slow] = normal == ""
            mark[slow] = pd.Series(normal, dtype=object).isin(NOT_APPLICABLE_MARKS).to_numpy()
        return _Cells(text, blank, mark, number)
    codes, distinct = _distinct(raw, compact=col.kind in ("category", "level"))
    text = pd.Series(distinct[codes], index=raw.index, dtype=object, copy=False)  # a new array: not copied again
    blank = (distinct == "")[codes] if len(distinct) else np.zeros(len(raw), dtype=bool)
    mark = (_among(distinct, NOT_APPLICABLE_MARKS)[codes] if col.kind != "text"
            else np.zeros(sheet.n, bool))
    return _Cells(text, blank, mark, codes=codes, distinct=distinct)


def _type_column(sheet: _Sheet, col: Column, cells: _Cells, blank_ok: np.ndarray | None = None,
                 mark_ok: np.ndarray | None = None, fill: float | None = None) -> pd.Series:
    """Type one present column.

    For a stage column the caller says where a blank (``blank_ok``) or a mark
    (``mark_ok``) stands for ``fill``; elsewhere they are left missing and the
    caller reports what it must. Without them (a non-stage column) blanks are
    errors in required columns and missing values in optional ones, and marks
    are errors.
    """
    blank, mark = cells.blank, cells.mark
    values = _PARSERS[col.kind](sheet, col, cells, ~blank & ~mark)
    if blank_ok is None:
        if col.required:
            sheet.report(col.name, blank, "缺少数据", _expected(col), "填写这一格")
        sheet.report(col.name, mark, "“—”“/”等不适用标记只能用于没有该学段学生的学段列", _expected(col),
                     "不适用时留空" if not col.required else "填写实际数值")
        return values
    filled = (blank & blank_ok) | (mark & mark_ok)
    if filled.any():
        if values.dtype == np.float64:
            values = pd.Series(np.where(filled, fill, values.to_numpy()), index=values.index, copy=False)
        else:
            values = values.copy()
            values[filled] = fill
    return values


# --- stage rules ---------------------------------------------------------------------------------

def _types_with(stage: str, present: bool) -> list[str]:
    return [t for t, stages in SCHOOL_TYPE_STAGES.items() if (stage in stages) == present]


def _type_students(sheet: _Sheet, col: Column) -> pd.Series:
    """A ``students_<stage>`` column: blank/— is 0 where the school type lacks the stage."""
    stage, name = col.stage, col.name
    label = STAGE_LABELS[stage]
    types = sheet.typed.get("school_type", pd.Series(np.nan, index=range(sheet.n), dtype=object))
    codes, uniques = sheet.school_types(types)
    # one membership test per distinct type; a missing type (code -1) picks the False appended
    lacks = np.append(pd.Series(uniques, dtype=object).isin(_types_with(stage, False)).to_numpy(), False)[codes]
    has = np.append(pd.Series(uniques, dtype=object).isin(_types_with(stage, True)).to_numpy(), False)[codes]
    if name not in sheet.raw.frame:
        if lacks.all() or not col.required:
            return pd.Series(np.where(lacks, 0.0, np.nan), dtype="float64")
        sheet.report_column(name, "缺少必需的列", f"表头“{col.zh}”", f"添加“{col.zh}”列（没有{label}学生填 0）")
        return pd.Series(np.nan, index=range(sheet.n), dtype="float64")
    cells = _cells(sheet, col)
    blank, mark = cells.blank, cells.mark
    values = _type_column(sheet, col, cells, blank_ok=lacks, mark_ok=lacks, fill=0.0)
    if col.required:
        sheet.report(name, blank & has, f"本校学校类型有{label}学段，缺少{label}在校生数",
                     "在校生人数（没有学生填 0）", "填写人数")
    sheet.report(name, mark & has, "学校类型有该学段，不能填“—”等不适用标记", "在校生人数（没有学生填 0）",
                 "填写人数；如确实没有学生填 0")
    wrong = lacks & (values.to_numpy() > 0)  # NaN is not > 0
    if wrong.any():
        sheet.report(name, wrong, ("学校类型为“" + types.fillna("").astype(str) + f"”，不应有{label}在校生").to_numpy(),
                     f"{label}在校生数为 0 或“—”", "核对学校类型，或把学生填到正确的学段列")
    return values


def _type_stage_column(sheet: _Sheet, col: Column) -> pd.Series:
    """A stage column other than students: blank/— is 0 where the school has no students of it."""
    stage, name = col.stage, col.name
    label = STAGE_LABELS[stage]
    absent, present = sheet.stage_students(stage)
    if name not in sheet.raw.frame:
        if col.required and not absent.all():
            sheet.report_column(name, "缺少必需的列", f"表头“{col.zh}”", f"添加“{col.zh}”列")
        return pd.Series(np.where(absent & col.required, 0.0, np.nan), dtype="float64")
    cells = _cells(sheet, col)
    blank, mark = cells.blank, cells.mark
    values = _type_column(sheet, col, cells, blank_ok=absent & col.required, mark_ok=absent, fill=0.0)
    if col.required:
        sheet.report(name, blank & present, f"缺少数据（本校有{label}学生）", _expected(col), "填写这一格")
    sheet.report(name, mark & present, f"本校有{label}学生，不能填“—”等不适用标记", _expected(col),
                 "填写实际数值；没有时填 0")
    positive = absent & (values.to_numpy() > 0)  # NaN is not > 0
    # teachers of a stage without students distort R1–R3: an error; classes, rooms or areas: a warning
    sheet.report(name, positive, f"{label}在校生数为 0，本列却大于 0", f"{label}没有学生时为 0 或“—”",
                 f"核对{label}在校生数，或把数值填到正确的学段列",
                 severity="error" if "teachers" in name else "warning")
    return values


# --- template conventions ------------------------------------------------------------------------

_MARKER = unicodedata.normalize("NFKC", EXAMPLE_MARKER)
#: Header unit suffixes that mark a column typed as percentages (after :func:`normalise_header`).
_PERCENT_SUFFIXES = ("(%)", "(百分比)")


def _without_example_rows(raw: RawSheet) -> tuple[RawSheet, list[Problem]]:
    """The sheet without the input template's example rows, and a warning naming each one.

    An example row is one whose cell in the table's first column (年份 in every table) reads
    :data:`~quality_balance.schema.EXAMPLE_MARKER` (full- or half-width brackets, spaces around
    ignored). The same values without the marker are data.
    """
    first = raw.table.columns[0].name
    if first not in raw.frame or not len(raw.frame):
        return raw, []
    cells = raw.frame[first]
    # each distinct value is looked at once: a year column holds a handful of them
    markers = [v for v in pd.unique(cells.to_numpy()) if isinstance(v, str) and _MARKER[:2] in v
               and unicodedata.normalize("NFKC", v).strip() == _MARKER]
    if not markers:
        return raw, []
    marked = cells.isin(markers).to_numpy()
    problems = [Problem(raw.file, "模板的示例行，导入时已忽略", int(row), raw.header(first), EXAMPLE_MARKER,
                        None, f"可以删除这一行；要作为数据导入，请把“{EXAMPLE_MARKER}”改为年份", raw.sheet,
                        "warning") for row in raw.rows[marked]]
    kept = replace(raw, frame=raw.frame.loc[~marked].reset_index(drop=True), rows=raw.rows[~marked])
    return kept, problems


def _as_written(raw: RawSheet, col: Column) -> Column:
    """The column as its header says it is typed: a ratio headed "…(%)" holds percentages (kind rate)."""
    if col.kind == "ratio" and normalise_header(raw.header(col.name)).endswith(_PERCENT_SUFFIXES):
        return replace(col, kind="rate")
    return col


# --- one sheet, one table ------------------------------------------------------------------------

def _validate_sheet(raw: RawSheet) -> tuple[pd.DataFrame, list[Problem]]:
    columns, n, problems = _typed_sheet(raw)
    frame = pd.DataFrame({c.name: columns[c.name] for c in raw.table.columns}, index=range(n))
    for extra in [name for name in columns if name not in frame]:
        frame[extra] = columns[extra]
    return frame, problems


def _typed_sheet(raw: RawSheet) -> tuple[dict[str, pd.Series | np.ndarray], int, list[Problem]]:
    """The typed columns of one sheet (the table's, then the ignored columns' cells), its number of
    rows (the template's example rows left out) and its problems."""
    raw, skipped = _without_example_rows(raw)
    sheet = _Sheet(raw)
    sheet.problems.extend(skipped)
    table = raw.table
    students = [c for c in table.columns if c.stage and c.name.startswith("students_")]
    staged = [c for c in table.columns if c.stage and c not in students]
    plain = [c for c in table.columns if not c.stage]
    for col in plain:
        if col.name in raw.frame:
            written = _as_written(raw, col)
            values = _type_column(sheet, written, _cells(sheet, written))
            sheet.typed[col.name] = values / 100 if written is not col else values
        elif col.name == "year" and raw.year_hint is not None:
            sheet.typed["year"] = pd.Series(float(raw.year_hint), index=range(sheet.n))
            sheet.problems.append(Problem(raw.file, f"没有“年份”列，年份按名称取为 {raw.year_hint}",
                                          sheet=raw.sheet, column=col.zh, severity="warning",
                                          fix="如不正确，请添加“年份”列"))
        else:
            if col.required:
                aliases = "、".join((col.zh, col.name, *col.aliases))
                sheet.report_column(col.name, "缺少必需的列", f"表头为以下之一：{aliases}",
                                    f"添加“{col.zh}”列")
            sheet.typed[col.name] = pd.Series(np.nan, index=range(sheet.n),
                                              dtype="float64" if col.kind in _NUMERIC_KINDS else object)
    for col in students:
        sheet.typed[col.name] = _type_students(sheet, col)
    for col in staged:
        sheet.typed[col.name] = _type_stage_column(sheet, col)
    if table.name == "survey":
        _check_survey(sheet)
    if table.name == "schools":
        school_row_problems(sheet)  # figures of one row that cannot all be true (inputs/consistency.py)
    columns: dict[str, pd.Series | np.ndarray] = {c.name: sheet.typed[c.name] for c in table.columns}
    for extra in raw.ignored:
        columns[extra] = raw.frame[extra].to_numpy()
    return columns, sheet.n, sheet.problems


def _check_survey(sheet: _Sheet) -> None:
    favourable = sheet.typed["favourable"].to_numpy()
    respondents = sheet.typed["respondents"].to_numpy()
    too_many = favourable > respondents
    shown = np.full(sheet.n, None, dtype=object)
    shown[too_many] = [f"认可 {f:g} > 样本 {r:g}" for f, r in zip(favourable[too_many], respondents[too_many])]
    sheet.report("favourable", too_many, "认可人数多于有效样本数", "认可人数 ≤ 有效样本数",
                 "核对两列是否填反，或样本是否漏计", values=shown)


def _duplicates(frame: pd.DataFrame, where: pd.DataFrame, table: Table, headers: dict[str, str]
                ) -> list[Problem]:
    """One problem per repeated key, naming the row it repeats."""
    key = list(table.key)
    complete = frame[key].notna().all(axis=1).to_numpy()
    codes = row_codes(frame[key])  # the school identifiers come in runs: hashed once per run
    repeats = pd.Series(codes).duplicated(keep=False) if codes is not None else frame.duplicated(key, keep=False)
    dup = repeats.to_numpy() & complete
    if not dup.any():
        return []
    pos = np.flatnonzero(dup)
    sub = frame.iloc[pos][key].assign(_pos=pos)
    first = sub.groupby(key, sort=False)["_pos"].transform("first").to_numpy()
    later = pos != first
    column = "、".join(headers.get(k, table.column(k).zh) for k in key)
    files, sheets, rows = (where[c].to_numpy(dtype=object) for c in ("file", "sheet", "row"))
    repeated, originals = pos[later], first[later]
    shown = frame.iloc[repeated][key].astype(str)
    keys = shown[key[0]]
    for k in key[1:]:
        keys = keys + "、" + shown[k]
    problems = []
    for p, f, value in zip(repeated, originals, keys.to_numpy()):
        place = [f"文件 {files[f]}"] if files[f] != files[p] else []
        if sheets[f] and (sheets[f] != sheets[p] or place):
            place.append(f"工作表 {sheets[f]}")
        place_text = f"（{'，'.join(place)}）" if place else ""
        problems.append(Problem(files[p], f"与第{rows[f]}行{place_text}重复（{column}相同）", int(rows[p]),
                                column, value, f"每个（{column}）只出现一次",
                                "删除重复的一行，或改正编号、年份", sheets[p]))
    return problems


def _final_dtypes(frame: pd.DataFrame | dict, table: Table, n: int | None = None) -> pd.DataFrame:
    """The table's columns in their result dtypes (module docstring), then the extra columns.

    ``frame`` is a DataFrame, or the columns of one sheet (:func:`_typed_sheet`) with its ``n`` rows."""
    out = {}
    for col in table.columns:
        s = frame[col.name]
        if col.kind == "int":
            s = s.astype("int64") if col.name == "year" and s.notna().all() else s.astype("Int64")
        elif col.kind in _NUMERIC_KINDS:  # (a column already of its dtype as it is: astype costs 0.1 ms a column)
            s = s if s.dtype == np.float64 else s.astype("float64")
        elif col.kind == "bool":
            s = s if isinstance(s.dtype, pd.BooleanDtype) else s.astype("boolean")
        else:
            text = s.astype("str")
            # pandas' string dtype keeps a missing value missing; as plain str (pandas 2) it would read "nan"
            s = text if not len(s) or isinstance(text.dtype, pd.StringDtype) else text.where(s.notna())
        out[col.name] = s
    index = frame.index if isinstance(frame, pd.DataFrame) else pd.RangeIndex(n)
    typed = pd.DataFrame(out, index=index, copy=False)  # every column is new: no need to copy it again
    if isinstance(frame, pd.DataFrame):
        extras = frame.drop(columns=table.names)
    else:
        extras = pd.DataFrame(index=index)
        for name in [name for name in frame if name not in table.names]:
            extras[name] = frame[name]
    return pd.concat([typed, extras], axis=1) if len(extras.columns) else typed


def validate_sheets(sheets: list[RawSheet]) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate and concatenate the sheets of one table (several years, several files).

    Returns the typed frame (canonical columns in schema order, then extra
    columns) and every problem found, duplicate keys across sheets included.
    """
    if not sheets:
        raise CalculationError("validate_sheets: no sheets given; pass at least one RawSheet")
    table = sheets[0].table
    frames, problems, wheres, headers = [], [], [], {}
    for raw in sheets:
        if len(sheets) == 1:  # one sheet: its typed columns become the result frame directly
            columns, n, found = _typed_sheet(raw)
        else:
            frame, found = _validate_sheet(raw)
            frames.append(frame)
        problems.extend(found)
        wheres.append(_positions([raw], headers=False))  # the rows kept: example rows left out
        headers = {**raw.headers, **headers}
    where = pd.concat(wheres, ignore_index=True)
    if frames:
        frame = _final_dtypes(pd.concat(frames, ignore_index=True), table)
    else:
        frame = _final_dtypes(columns, table, n)
    problems.extend(_duplicates(frame, where, table, headers))
    return frame, problems


def _positions(sheets: list[RawSheet], headers: bool = True) -> pd.DataFrame:
    """File, sheet and Excel row (and with ``headers`` the sheet's headers) of each row of the frame
    :func:`validate_sheets` makes of ``sheets`` (the template's example rows left out, as there)."""
    kept = [_without_example_rows(raw)[0] for raw in sheets]
    return pd.concat([pd.DataFrame({"file": raw.file, "sheet": raw.sheet, "row": raw.rows,
                                    **({"header": [raw.headers] * len(raw.rows)} if headers else {})})
                      for raw in kept], ignore_index=True)


def _data_files(source: str | Path | Iterable[str | Path], tables: list[Table]
                ) -> tuple[list[Path], list[Path]]:
    """The files that must hold a table, and the other files found in folders.

    Files named by the user, and files of a folder named after a table (学校.csv),
    must hold a table. Other files of a folder (a workbook such as demo.xlsx)
    only supply tables that no such file supplies. Files of a folder named
    after a table not wanted (县区.csv when loading 学校) are left out.
    """
    items = [source] if isinstance(source, (str, Path)) else list(source)
    named, others = [], []
    for item in map(Path, items):
        if not item.is_dir():
            named.append(item)
            continue
        for path in collect_files(item):
            if wanted(path, tables):
                (named if table_for_name(path.stem) else others).append(path)
    return named, others


def validate_files(source: str | Path | Iterable[str | Path], tables: Iterable[Table] | None = None, *,
                   include_hidden: bool = False) -> Validation:
    """Read and validate every table found in files or folders.

    Parameters
    ----------
    source : path, or list of paths
        Files (``.csv``, ``.xlsx``, ``.xls``) or folders of them.
    tables : tables to look for (default: all of :data:`~quality_balance.schema.TABLES`).
    include_hidden : bool
        Read hidden workbook sheets too (default: skipped, with a warning naming them).

    Returns a :class:`Validation`: one typed frame per table found (sheets and
    files of the same table concatenated) and every problem. Nothing is raised
    for bad input and nothing is written.
    """
    tables = list(tables) if tables is not None else list(TABLES.values())
    result = Validation()
    by_table: dict[str, list[RawSheet]] = {}

    def add(read) -> None:
        result.problems.extend(read.problems)
        for raw in read.sheets:
            by_table.setdefault(raw.table.name, []).append(raw)

    named, others = _data_files(source, tables)
    for path in named:
        add(read_file(path, tables, include_hidden=include_hidden, numbers=True))
    for path in others:
        provided = {n for name in by_table for n in related_tables(name)}
        remaining = [t for t in tables if t.name not in provided]
        if remaining:
            add(read_file(path, remaining, strict=False, include_hidden=include_hidden, numbers=True))
        else:
            result.problems.append(Problem(str(path), "每个表都已有按表名命名的文件（如 学校.csv），此文件未读取",
                                           severity="warning", fix="如需使用此文件，请移走同名的表文件"))
    for name, sheets in by_table.items():
        frame, problems = validate_sheets(sheets)
        result.frames[name] = frame
        result.problems.extend(problems)
    if "classes" in result.frames and "schools" in result.frames:  # each class row against its school
        from .classes import class_problems

        result.problems.extend(class_problems(result.frames["classes"], result.frames["schools"],
                                              _positions(by_table["classes"])))
    if not result.errors:
        result.problems.extend(cross_table_problems(result.frames))
    return result


def check_files(source: str | Path | Iterable[str | Path], *, include_hidden: bool = False) -> list[Problem]:
    """Every problem in the given files or folders, errors and warnings, without assessing.

    This is what ``quality-balance check`` prints. Errors have
    ``severity="error"``; a data set with errors cannot be loaded.

    Parameters
    ----------
    source : str, Path or iterable of them
        Files (``.csv``, ``.xlsx``, ``.xls``) or folders of them.
    include_hidden : bool, keyword-only
        Read hidden workbook sheets too. The default ``False`` skips them, with a
        warning naming them.

    Returns
    -------
    list of Problem
        Every error and warning in file order: ``file``, ``sheet``, ``row`` (as seen
        in Excel), ``column``, ``value``, ``expected``, ``fix`` and ``severity``
        (``"error"`` or ``"warning"``). Empty when nothing is wrong. Nothing is
        raised for bad input (a missing file is a problem in the list) and nothing
        is written.

    Examples
    --------
    >>> check_files([])
    []
    """
    return validate_files(source, include_hidden=include_hidden).problems
