"""Writing result tables: CSV and Parquet for machines, one .xlsx workbook for people (Method: docs/workbooks.md).

The CSV files keep the English column names and the raw values (``met``, ``primary``,
``True``, unrounded floats): scripts depend on them (spec §10). The workbook
``评估结果.xlsx`` is for people:

* a first sheet **说明** (:data:`NOTE_SHEET`): the 演示数据 label for synthetic data,
  the profiles used, what every status word means, how numbers are shown, and a
  table of every sheet and every column with its meaning and unit;
* one sheet per result table (:data:`RESULT_SHEETS`), Chinese headers and Chinese
  values only: statuses through :func:`quality_balance.schema.status_label`
  (veto items 无 / 存在（否决）), 学段 小学/初中, 是/否 for yes/no, 维度 and
  comparison words in Chinese, profile titles instead of profile keys, indicator
  codes (``R5``) kept beside their names; the item code column is 项目编号;
* number formats: coefficients of variation and inequality indices ``0.000``,
  every share or percentage as a percentage ``0.0%`` (rates of 0–100 in the CSV are
  divided by 100 in the workbook so that one convention holds), counts and money
  ``#,##0``, years ``0``; columns that mix items (实际值, 标准值, 差距) get a
  format per cell from the size of the value;
* column widths fitted to the content (a CJK character counts 2), the header row
  frozen and repeated on every printed page, an autofilter on every sheet,
  landscape pages fitted to the page width.

The workbook is written by :class:`~quality_balance.report.xlsx_stream.StreamingWorkbook`:
its XML is built column-wise with Arrow's string kernels and streamed into the zip, so that
a national table of about a million rows is written in seconds (openpyxl's write-only mode
took minutes); text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@``) get a leading ``'`` (:func:`quality_balance.output.neutralise_formulas`, vectorised
per column). ``formats=`` chooses the files (:data:`FORMATS`: CSV, Parquet, the workbook).
Outputs are written to a temporary folder beside the target and moved into
place only when every file is complete (:func:`quality_balance.output.atomic_folder`);
``atomic_folder``, ``unwritable_output`` and ``neutralise_formulas`` are still
importable from here.

A table longer than one Excel sheet holds (:data:`EXCEL_MAX_ROWS`, header
included) is split across sheets ``学校单元``, ``学校单元（2）``, … with the header
repeated on each (:func:`sheet_parts`) and 说明 says so; the CSV file keeps it whole.
"""
from __future__ import annotations

from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from ..inputs.dataset import SYNTHETIC_LABEL
from ..output import atomic_folder, neutralise_formulas, unwritable_output  # re-exported (__all__): old import path
from ..schema import (DIMENSION_LABELS, INDICATOR_LABELS, INDICATOR_UNITS, RESULT_HEADERS, STAGE_LABELS,
                      indicator_names, status_label)

__all__ = ["write_results", "atomic_folder", "unwritable_output", "neutralise_formulas", "for_people", "RESULT_SHEETS",
           "EXCEL_MAX_ROWS", "sheet_parts", "NOTE_SHEET", "WORKBOOK_HEADERS", "COLUMN_NOTES", "NUMBER_FORMATS",
           "display_width", "FORMATS", "DEFAULT_FORMATS", "output_formats", "WORKBOOK_NAME"]

#: Rows one Excel sheet holds, its header row included (Excel's and openpyxl's limit: 1 048 576).
EXCEL_MAX_ROWS = 1_048_576
#: The output formats of :func:`write_results`, in writing order, and the default (today's outputs).
FORMATS = ("csv", "parquet", "xlsx")
DEFAULT_FORMATS = ("csv", "xlsx")
_FORMAT_FILES = {"csv": "CSV", "parquet": "Parquet"}
#: The workbook's file name.
WORKBOOK_NAME = "评估结果.xlsx"
#: The first sheet of the workbook: what every sheet and column means.
NOTE_SHEET = "说明"

#: result table → Chinese sheet name
RESULT_SHEETS = {"verdicts": "综合结论", "items": "评估项目", "parts": "项目分项", "shortfalls": "问题清单",
                 "counties": "资源配置结论",
                 "cv": "差异系数", "units": "学校单元", "recognition": "社会认可度", "excluded": "未纳入学校"}

#: What each sheet holds (one row per …), for the 说明 sheet.
SHEET_NOTES = {
    "verdicts": "每县每年一行：四个维度、一票否决项与综合结论。",
    "items": "每县每年每个评估项目一行：状态、实际值与标准。",
    "parts": "每个评估项目的分项（一个项目可有几项要求）：比较方式、实际值、标准值与单位。",
    "shortfalls": "未达标的问题清单，按县、年排序：一票否决项在前，其余按相对差距从大到小。",
    "counties": "每县每年一行的资源配置结论：学校单元与差异系数的汇总。",
    "cv": "每县每年每个学段每项指标一行：学生加权差异系数与不均衡指标。",
    "units": "每个学校单元（一所学校的一个学段）一行：七项指标的值与校际指标结论。",
    "recognition": "社会认可度：全体与各类调查对象的认可度及其置信区间。",
    "excluded": "未纳入资源配置评估的学校及原因。",
}

#: Headers of the workbook that differ from :data:`quality_balance.schema.RESULT_HEADERS` (more precise for
#: people: the item code column is 项目编号, units in the header where one unit holds for the whole column).
WORKBOOK_HEADERS = {
    **RESULT_HEADERS,
    **{k: f"{k} {v}({INDICATOR_UNITS[k]})" for k, v in INDICATOR_LABELS.items()},
    "item": "项目编号", "indicator": "指标编号", "indicator_name": "指标名称", "label": "项目名称",
    "threshold": "标准值", "limit": "限值", "rate": "认可度", "ci_low": "置信区间下限", "ci_high": "置信区间上限",
    "students": "在校生数(人)", "respondents": "有效样本数(人)", "favourable": "认可人数(人)",
    "rank": "排序", "profile": "评估标准", "op": "比较方式", "mean": "县域均值",
}

#: Column (English name) → what it means, with its unit, for the 说明 sheet.
COLUMN_NOTES = {
    "city": "地级市", "county": "县（市、区、旗）", "year": "学年（2021 表示 2021—2022 学年）",
    "profile": "评估所用的标准（国家标准或地方方案）", "school_id": "学校标识码", "school_name": "学校名称",
    "school_type": "办学类型", "location": "城乡类型（城区、镇区、乡村）", "stage": "学段：小学或初中",
    "students": "该学段在校生数，人", "share": "全校设施分摊到该学段的比例，百分数",
    "split": "设施按学段分摊的方式：单学段学校不分摊；一贯制学校按学段加权分摊，或按填报的分学段数值",
    **{k: f"{v}，{INDICATOR_UNITS[k]}" for k, v in INDICATOR_LABELS.items()},
    "met_count": "七项指标中达标的项数",
    "passes_school_rule": "是否达到校际指标要求（至少几项达标且未达标项不低于标准的一定比例）",
    "misses": "未达标的指标", "worst_ratio": "未达标指标中最低的达成比例（实际值 ÷ 标准值），百分数",
    "reason": "结论或问题的文字说明", "indicator": "指标编号（R1–R7）", "indicator_name": "指标名称",
    "cv": "学生加权差异系数（无单位，保留 3 位小数）", "limit": "差异系数限值（无单位）",
    "passes": "是否达标", "status": "状态（见上文“状态”）", "mean": "县域学生加权均值，单位同该指标",
    "n_units": "学校单元数，个", "cv_unweighted": "未加权差异系数（参考，无单位）",
    "gini": "基尼系数（参考，0–1）", "theil": "泰尔指数（参考）", "theil_between": "泰尔指数中城乡之间的部分",
    "theil_within": "泰尔指数中城乡内部的部分", "n_failing": "未达到校际指标要求的学校单元数，个",
    "n_cv": "差异系数项数", "n_cv_failing": "超过限值的差异系数项数",
    "worst_cv_stage": "差异系数最高（相对限值）的学段", "worst_cv_indicator": "差异系数最高（相对限值）的指标",
    "worst_cv_limit": "该差异系数的限值（无单位）", "worst_cv": "该差异系数（无单位）",
    "dimension": "维度：资源配置、政府保障程度、教育质量、社会认可度、一票否决",
    "item": "项目编号（R 资源配置，G 政府保障程度，Q 教育质量，S 社会认可度，V 一票否决，L 地方指标）",
    "label": "项目名称", "value": "实际值（单位见“项目分项”表的单位列；是/否项目为是或否）",
    "threshold": "标准值（文字或数值，单位同实际值）", "counts": "是否计入维度结论（地方指标可以只作参考）",
    "resources": "资源配置维度", "guarantee": "政府保障程度维度", "quality": "教育质量维度",
    "recognition": "社会认可度维度", "veto": "一票否决项：无，或存在（否决）", "overall": "综合结论",
    "data": "数据性质（演示数据为合成数据，非真实统计）", "rank": "在该县该年问题清单中的顺序",
    "gap": "差距：距标准值还差多少，单位同实际值", "relative_gap": "相对差距：差距 ÷ 标准值，百分数",
    "group": "调查对象（全体为各类合计）", "respondents": "有效样本数，人",
    "favourable": "认可人数（满意与比较满意），人",
    "rate": "认可度：认可人数 ÷ 有效样本数，百分数", "ci_low": "认可度置信区间下限（Wilson 区间），百分数",
    "ci_high": "认可度置信区间上限，百分数", "confidence": "置信水平，百分数",
    "fragile": "样本偏小：置信区间跨过标准值，结论可能因抽样而改变",
    "detail": "详情", "part_no": "分项序号", "part": "分项名称", "op": "比较方式（≥、≤、＜、等于、等级不低于）",
    "unit": "实际值与标准值的单位",
}

#: Number formats by column (English name), as Excel codes: CVs 3 decimals, shares as percentages,
#: counts and money with thousands separators. Columns not listed are text or mixed (a format per cell).
NUMBER_FORMATS = {
    **dict.fromkeys(("cv", "limit", "cv_unweighted", "gini", "theil", "theil_between", "theil_within", "worst_cv",
                     "worst_cv_limit"), "0.000"),
    **dict.fromkeys(("share", "worst_ratio", "relative_gap", "rate", "ci_low", "ci_high", "confidence"), "0.0%"),
    **dict.fromkeys(("students", "n_units", "n_failing", "n_cv", "n_cv_failing", "met_count", "respondents",
                     "favourable", "rank", "part_no"), "#,##0"),
    **{k: "#,##0.00" for k in INDICATOR_LABELS}, "R6": "#,##0",   # R6 is money (元/生)
    "year": "0", "mean": "#,##0.00",
}
#: Columns holding 0–100 percentages in the CSV; the workbook divides them by 100 (shown ``0.0%``).
_PERCENT_0_100 = {"recognition": ("rate", "ci_low", "ci_high", "threshold")}
#: Columns that mix items of different units: a number format per cell (:func:`_mixed_formats`).
_MIXED = ("value", "threshold", "gap")
_BOOL_WORDS = {True: "是", False: "否"}
_OP_WORDS = {"==": "等于", ">=": "≥", "<=": "≤", "<": "＜", ">": "＞", "rating": "等级不低于"}
_SPLIT_WORDS = {"none": "不分摊（单学段）", "weighted": "按学段加权分摊", "reported": "按填报的分学段数值"}
_WRAP_WIDTH = 60          # wider text columns wrap at this width (characters, a CJK character counts 2)
_MIN_WIDTH = 6
_HEADER_WIDTH = 16       # a header wider than this wraps instead of widening its column
_WIDTH_SAMPLE = 20_000    # rows looked at to fit a column's width
_HEADER_FILL = "DDEBF7"


def display_width(texts: pd.Series) -> pd.Series:
    """Width of each text in Excel character units: a CJK (wide) character counts 2, others 1.

    Parameters
    ----------
    texts : Series of str

    Returns
    -------
    Series of int

    >>> display_width(pd.Series(["abc", "学段", "R5 差异"])).tolist()
    [3, 4, 7]
    """
    t = texts.astype(str)
    return t.str.len() + t.str.count(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
                                     r"\uff00-\uff60\uffe0-\uffe6]")


def _is_bool(column: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(column):
        return column.notna().to_numpy()
    if column.dtype != object:
        return np.zeros(len(column), bool)
    return column.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(dtype=bool)


def _yes_no(column: pd.Series) -> pd.Series:
    """是/否 for the yes/no cells of a column; other cells unchanged."""
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return column                                   # all text: nothing to test cell by cell
    flags = _is_bool(column)
    if not flags.any():
        return column
    out = column.astype(object).copy()
    out[flags] = np.where(column[flags].astype(bool), "是", "否")
    return out


def _indicator_names(codes: pd.Series) -> pd.Series:
    """``"R4,R5"`` → ``"R4 生均…、R5 生均…"`` (:func:`quality_balance.schema.indicator_names`)."""
    return indicator_names(codes)


def for_people(frame: pd.DataFrame, *, profiles: dict[str, str] | None = None,
               table: str | None = None) -> pd.DataFrame:
    """Chinese headers and Chinese values, for sheets meant for people.

    Parameters
    ----------
    frame : DataFrame
        A result table with English column names (as in the CSV files).
    profiles : dict, optional, keyword-only
        Profile key (``national``) → its title (国家标准…), for the 评估标准 column.
    table : str, optional, keyword-only
        The result table's name (``recognition``...): its 0–100 percentage columns are
        divided by 100 so that every share reads as a percentage format.

    Returns
    -------
    DataFrame
        Headers of :data:`WORKBOOK_HEADERS`; statuses in words (veto rows 无 / 存在（否决）),
        stages 小学/初中, yes/no 是/否, dimensions, comparisons and split methods in words,
        indicator codes beside their names. Numbers are not rounded (the workbook's number
        formats round what is shown).
    """
    out = frame.copy()
    veto_rows = out["dimension"].eq("veto").to_numpy() if "dimension" in out else None
    for col in ("status", *DIMENSION_LABELS):
        if col in out:
            words = status_label(out[col], dimension=col)
            if col == "status" and veto_rows is not None and veto_rows.any():
                words = words.where(~veto_rows, status_label(out[col], dimension="veto"))
            out[col] = words
    if "dimension" in out:
        out["dimension"] = out["dimension"].map(lambda v: DIMENSION_LABELS.get(v, v))
    for col in ("stage", "worst_cv_stage"):
        if col in out:
            out[col] = out[col].replace(STAGE_LABELS)
    if "op" in out:
        out["op"] = out["op"].replace(_OP_WORDS)
    if "split" in out:
        out["split"] = out["split"].replace(_SPLIT_WORDS)
    if "profile" in out and profiles:
        out["profile"] = out["profile"].replace(profiles)
    for col in ("misses", "worst_cv_indicator"):
        if col in out:
            out[col] = _indicator_names(out[col])
    if "indicator" in out and "indicator_name" not in out:
        out.insert(out.columns.get_loc("indicator") + 1, "indicator_name", out["indicator"].map(INDICATOR_LABELS))
    for col in _PERCENT_0_100.get(table, ()):
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce") / 100
    for col in out.columns:
        out[col] = _yes_no(out[col])
    return out.rename(columns=WORKBOOK_HEADERS)


def sheet_parts(sheet: str, frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Split ``frame`` into the sheets it needs: ``sheet``, ``sheet（2）``, … each within :data:`EXCEL_MAX_ROWS`.

    Parameters
    ----------
    sheet : str
        The sheet name of the table (``学校单元``).
    frame : DataFrame
        The table; each part keeps its columns, so the header repeats on every sheet.

    Returns
    -------
    list of (str, DataFrame)
        One pair for a table that fits (also an empty one), else one per
        ``EXCEL_MAX_ROWS − 1`` data rows, in order.

    >>> [(name, len(part)) for name, part in sheet_parts("学校单元", pd.DataFrame({"a": range(3)}))]
    [('学校单元', 3)]
    """
    per = EXCEL_MAX_ROWS - 1
    if len(frame) <= per:
        return [(sheet, frame)]
    return [(sheet if k == 0 else f"{sheet}（{k + 1}）", frame.iloc[start:start + per])
            for k, start in enumerate(range(0, len(frame), per))]


# --- writing one sheet -------------------------------------------------------------------------------

def _mixed_decimals(x: np.ndarray) -> np.ndarray:
    """Decimals shown for numbers of columns mixing units (0–3, :func:`_mixed_formats`)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        most = np.where(np.abs(x) >= 1000, 0, np.where(np.abs(x) >= 1, 2, 3))
    shown = np.full(len(x), 3)
    for d in (2, 1, 0):                                     # the fewest decimals that show the same number
        same = np.isclose(np.round(x, d), np.round(x, 3), rtol=0, atol=1e-9)
        shown = np.where(same, d, shown)
    return np.minimum(shown, most)


#: Number formats of :func:`_mixed_decimals`' 0–3 decimals.
_MIXED_FORMATS = ("#,##0", "#,##0.0", "#,##0.00", "#,##0.000")


def _mixed_formats(column: pd.Series) -> np.ndarray:
    """A number format per cell for columns mixing units: ``#,##0`` from 1 000, up to 2 decimals from 1,
    up to 3 below 1 (trailing zeros not shown); ``None`` for text cells."""
    numeric = column.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)))
    numeric = numeric.to_numpy(dtype=bool)
    x = pd.to_numeric(column.where(numeric), errors="coerce").to_numpy(dtype=float)
    fmts = np.array(_MIXED_FORMATS, dtype=object)[_mixed_decimals(x)]
    return np.where(numeric & np.isfinite(x), fmts, None)


def _column_widths(frame: pd.DataFrame, formats: dict[str, str]) -> list[float]:
    """Widths fitted to header and content (CJK counts 2), between :data:`_MIN_WIDTH` and :data:`_WRAP_WIDTH`."""
    widths = []
    sample = frame.iloc[:_WIDTH_SAMPLE]
    for j, col in enumerate(frame.columns):
        header = int(display_width(pd.Series([str(col)])).iloc[0])
        values = sample.iloc[:, j]
        fmt = formats.get(col)
        if fmt and values.notna().any() and pd.api.types.is_numeric_dtype(values):
            top = float(np.nanmax(np.abs(values.to_numpy(dtype=float)))) if len(values) else 0.0
            decimals = fmt.split(".")[1].count("0") if "." in fmt else 0
            content = len(f"{top * (100 if fmt.endswith('%') else 1):,.{decimals}f}") + 2
        else:
            texts = values.dropna().astype(str)
            content = int(display_width(pd.Series(texts.unique())).max()) if len(texts) else 0
        # a long header wraps (its row grows) rather than widening a column of short numbers
        widths.append(float(min(_WRAP_WIDTH, max(_MIN_WIDTH, min(header + 2, _HEADER_WIDTH), content + 1))))
    return widths


def _column_cells(book, column: pd.Series, *, fmt: str | None, mixed: bool, wrapped: bool):
    """``cells(start, stop)`` for :meth:`~quality_balance.report.xlsx_stream.StreamingWorkbook.add_sheet`.

    Numbers (finite) get the column's format ``fmt``, or in a column mixing units (``mixed``)
    a format per cell from its size (:func:`_mixed_decimals`); text cells no number format;
    every cell of a ``wrapped`` column wraps. Missing values (None, NaN, NA) are empty cells;
    other objects are written as their text. Everything is decided per column, with NumPy.
    """
    plain = book.style(fmt=fmt, wrap=wrapped, vertical="top" if wrapped else None)
    text_style = book.style(wrap=wrapped, vertical="top" if wrapped else None)
    by_decimals = np.array([book.style(fmt=f, wrap=wrapped, vertical="top" if wrapped else None)
                            for f in _MIXED_FORMATS])
    numeric_dtype = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)

    def cells(start: int, stop: int):
        part = column.iloc[start:stop]
        n = len(part)
        text_id = np.zeros(n, np.int64)
        if numeric_dtype:
            x = part.to_numpy(dtype=float, na_value=np.nan)
            is_text = np.zeros(n, bool)
        else:
            values = part.to_numpy(dtype=object)
            missing = pd.isna(values)
            kind_of = pd.api.types.infer_dtype(values, skipna=True)
            if kind_of in ("string", "empty"):
                is_text, x = ~missing, np.full(n, np.nan)
            else:
                is_text = np.fromiter(map(isinstance, values, repeat(str)), dtype=bool, count=n)
                others = ~is_text & ~missing
                x = np.full(n, np.nan)
                if others.any():
                    x[others] = pd.to_numeric(pd.Series(values[others]), errors="coerce").to_numpy(dtype=float)
                    unreadable = others & ~np.isfinite(x)      # objects that are no number: their text
                    if unreadable.any():
                        values = values.copy()
                        values[unreadable] = [str(v) for v in values[unreadable]]
                        is_text = is_text | unreadable
            if is_text.any():
                codes, uniques = pd.factorize(values[is_text])
                text_id[is_text] = book.string_ids(uniques.tolist() if hasattr(uniques, "tolist")
                                                   else list(uniques))[codes]
        is_number = np.isfinite(x) & ~is_text
        kind = np.where(is_text, 2, np.where(is_number, 1, 0)).astype(np.int8)
        if mixed:
            style = by_decimals[_mixed_decimals(np.where(is_number, x, 0.0))]
        else:
            style = np.full(n, plain)
        style = np.where(is_text, text_style, style)
        return kind, x, text_id, style

    return cells


def _write_table(book, sheet: str, frame: pd.DataFrame, english: list[str], *, title: str | None = None,
                 percent: tuple[str, ...] = ()) -> None:
    """One sheet: styled header, widths, frozen header, filter, number formats, print setup.

    ``book`` is a :class:`~quality_balance.report.xlsx_stream.StreamingWorkbook`; ``english``
    names the columns of ``frame`` (Chinese headers) as in the CSV, to look up their formats;
    ``percent`` lists columns shown as percentages whatever :data:`NUMBER_FORMATS` says.
    """
    formats = {zh: "0.0%" if en in percent else NUMBER_FORMATS.get(en) for zh, en in zip(frame.columns, english)}
    widths = _column_widths(frame, formats)
    headers = display_width(pd.Series([str(c) for c in frame.columns], dtype=object)).to_numpy()
    lines = max([int(np.ceil(w / max(width - 1, 1))) for w, width in zip(headers, widths)] or [1])
    header_style = book.style(bold=True, fill=_HEADER_FILL, wrap=True, horizontal="center", vertical="center")
    columns = []
    for j, (zh, en) in enumerate(zip(frame.columns, english)):
        column = frame.iloc[:, j]
        # per column: a fixed format, a format per cell (mixed units) or none; long text wraps
        wrapped = widths[j] >= _WRAP_WIDTH and not pd.api.types.is_numeric_dtype(column)
        mixed = en in _MIXED and en not in percent
        columns.append({"header": str(zh), "header_style": header_style,
                        "cells": _column_cells(book, column, fmt=formats[zh], mixed=mixed, wrapped=wrapped)})
    book.add_sheet(sheet, columns, len(frame), widths=widths, header_height=15 * max(lines, 1), title=title)


def _note_rows(assessment, tables: dict[str, pd.DataFrame], sheets: dict[str, list], profiles: dict[str, str],
               split: list[str], *, machine: tuple[str, ...] = ("csv",)) -> list[list[str]]:
    """The rows of the 说明 sheet: general notes, then every sheet and its columns."""
    used = sorted({profiles.get(p, p) for frame in (assessment.verdicts,) if "profile" in frame
                   for p in frame["profile"].dropna().unique()})
    status_words = "；".join(f"{status_label(k)}：{v}" for k, v in (
        ("met", "达到标准"), ("not_met", "未达到标准（原因见“说明”列与问题清单）"),
        ("no_data", "缺少评估所需的数据，不能判断"), ("not_applicable", "该县没有适用的对象（如没有纳入评估的学校）")))
    rows = [
        [assessment.label, "", "", ""],
        [f"评估标准：{'；'.join(used) if used else '—'}（每县按所在地的标准评估，见“综合结论”表的评估标准列）",
         "", "", ""],
        [f"状态：{status_words}。一票否决项：无 = 不存在该情形；存在（否决）= 存在，综合结论为未达标。", "", "", ""],
        ["是/否：是否达标、是否计入结论等列写“是”或“否”。", "", "", ""],
        ["数字：差异系数与基尼、泰尔指数保留 3 位小数；比例、认可度等一律显示为百分数（如 85.0%）；"
         "人数、个数与金额（元）取整并带千位分隔符；实际值、标准值、差距各行单位不同，按数值大小显示。"
         "单元格中保存的是未经舍入的数值。", "", "", ""],
        *([[f"各表的英文列名与原始取值（met、primary、True 等）见同目录的 "
             f"{'、'.join(_FORMAT_FILES[f] for f in machine)} 文件，供程序读取。", "", "", ""]] if machine else []),
        [f"每张工作表最多 {EXCEL_MAX_ROWS:,} 行（含表头）；更长的表接着写在名为“表名（2）”“表名（3）”…的工作表中，"
         "每张都有表头。", "", "", ""],
        *[[text, "", "", ""] for text in split],
        ["", "", "", ""],
        ["以下逐表说明各列：", "工作表", "列", "含义与单位"],
    ]
    for name, frame in tables.items():
        names = [s for s, _ in sheets[name]]
        rows.append([f"{'、'.join(names)}：{SHEET_NOTES[name]}（共 {len(frame):,} 行）", names[0], "", ""])
        order = _english_columns(frame)
        for en, zh in zip(order, for_people(frame.iloc[:0], table=name).columns):
            rows.append(["", names[0], zh, COLUMN_NOTES.get(en, "")])
    return rows


def _write_notes(book, rows: list[list[str]]) -> None:
    """The 说明 sheet: four wrapped text columns; the 演示数据 label bold red, the column list's title bold."""
    header_style = book.style(bold=True, fill=_HEADER_FILL)
    wrap = book.style(wrap=True, vertical="top")
    bold = book.style(wrap=True, vertical="top", bold=True)
    red = book.style(wrap=True, vertical="top", bold=True, colour="C00000")
    columns = []
    for j, name in enumerate(("说明", "工作表", "列", "含义与单位")):
        texts = [row[j] if j < len(row) else "" for row in rows]
        kind = np.array([2 if t else 0 for t in texts], dtype=np.int8)
        ids = np.zeros(len(texts), np.int64)
        present = [t for t in texts if t]
        if present:
            ids[kind == 2] = book.string_ids(present)
        style = np.array([red if t.startswith("【演示数据") else bold if t == "以下逐表说明各列：" else wrap
                          for t in texts], dtype=np.int64)

        def cells(start, stop, kind=kind, ids=ids, style=style):
            return kind[start:stop], np.zeros(stop - start), ids[start:stop], style[start:stop]

        columns.append({"header": name, "header_style": header_style, "cells": cells})
    book.add_sheet(NOTE_SHEET, columns, len(rows), widths=[90, 14, 26, 70])


def _english_columns(frame: pd.DataFrame) -> list[str]:
    """The English names of the workbook's columns of a table (:func:`for_people` adds ``indicator_name``)."""
    names = list(frame.columns)
    if "indicator" in names and "indicator_name" not in names:
        names.insert(names.index("indicator") + 1, "indicator_name")
    return names


def _profile_titles(assessment) -> dict[str, str]:
    """Profile key → title, from the profiles the assessment used."""
    titles = {}
    for profile in getattr(assessment, "profiles", {}).values():
        name, title = getattr(profile, "name", None), getattr(profile, "title", None)
        if name and title:
            titles[name] = title
    return titles


def output_formats(formats, *, name: str = "formats") -> tuple[str, ...]:
    """The output formats asked for, checked and in writing order (csv, parquet, xlsx).

    Parameters
    ----------
    formats : str or iterable of str
        Names among :data:`FORMATS` and ``"all"`` (every one); a text may list several
        separated by commas (``"parquet,xlsx"``). Case and spaces are ignored.
    name : str, keyword-only
        The parameter named in the error (``--format`` on the command line).

    Returns
    -------
    tuple of str
        Each format once, in the order of :data:`FORMATS`.

    Raises
    ------
    InputError
        An unknown name, or none at all.

    >>> output_formats("xlsx,CSV"), output_formats(["all"])
    (('csv', 'xlsx'), ('csv', 'parquet', 'xlsx'))
    """
    items = [formats] if isinstance(formats, str) else list(formats)
    asked = [part.strip().lower() for item in items for part in str(item).split(",") if part.strip()]
    unknown = [a for a in asked if a not in FORMATS and a != "all"]
    if unknown or not asked:
        raise InputError([Problem(name, "不认识的输出格式" if unknown else "没有指定输出格式",
                                  value="、".join(unknown) if unknown else repr(formats),
                                  expected="、".join(FORMATS) + " 或 all（可用逗号分隔几种，如 parquet,xlsx）")])
    return tuple(f for f in FORMATS if f in asked or "all" in asked)


def _for_parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as Parquet stores it: columns mixing text and numbers (实际值, 标准值…) become text.

    Such a cell is written as the CSV writes it (``0.85``, ``True``, ``达标``; missing stays missing),
    so that the Parquet file reads back as the CSV does; every other column keeps its dtype.
    """
    out = frame
    for col in frame.columns:
        column = frame[col]
        if column.dtype != object:
            continue
        if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty", "boolean", "integer", "floating"):
            continue
        if out is frame:
            out = frame.copy()
        out[col] = column.map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v) else str(v)).astype(object)
        out[col] = out[col].where(out[col].notna(), None)
    return out


def write_results(assessment, folder: str | Path, *, formats=DEFAULT_FORMATS) -> list[Path]:
    """Write every result table of an :class:`~quality_balance.Assessment` into ``folder``.

    Files, by format (``formats``):

    * ``csv``: ``<table>.csv`` (UTF-8 with BOM, English column names and raw values — stable
      for scripts) for verdicts, items, parts, shortfalls, counties, cv, units, recognition,
      excluded; text cells a spreadsheet would run as a formula get a leading ``'``;
    * ``parquet``: ``<table>.parquet`` for the same tables, the same English column names
      and raw values with their dtypes (numbers, booleans, text; a column mixing text and
      numbers is text, as in the CSV); no formula guard (Parquet is not opened by spreadsheets);
    * ``xlsx``: ``评估结果.xlsx`` for people: a 说明 sheet, then one sheet per table
      with Chinese headers and values, number formats, fitted widths, frozen header,
      filters and print setup (module docstring; layout in ``docs/workbooks.md``).
      A table longer than one sheet holds is split across sheets (:func:`sheet_parts`),
      and the 说明 sheet says so.

    Synthetic data get a ``data`` column saying so in every table and the label on 说明.
    Every file appears, or none does; any failure of a writer is an
    :class:`~quality_balance.errors.OutputError` (:func:`quality_balance.output.atomic_folder`).

    Parameters
    ----------
    assessment : Assessment
        From :func:`quality_balance.assess`.
    folder : str or Path
        The output folder (created if needed); other files there are kept (also those of
        formats not written this time).
    formats : str or iterable of str, keyword-only
        Among ``csv``, ``parquet``, ``xlsx`` or ``all`` (:func:`output_formats`); default
        ``("csv", "xlsx")`` as before.

    Returns
    -------
    list of Path
        The paths written: the nine CSV files in the order above, then the nine Parquet
        files, then ``评估结果.xlsx`` (each group only when asked for).

    Raises
    ------
    InputError
        ``formats`` names an unknown format.
    OutputError
        ``folder`` cannot be written (a file, no permission, disk full) or a writer
        failed; nothing half-written is left and earlier files stay as they were.
    """
    from .xlsx_stream import StreamingWorkbook

    formats = output_formats(formats)
    ra = assessment.resources
    tables = {"verdicts": assessment.verdicts, "items": assessment.items, "parts": assessment.parts,
              "shortfalls": assessment.shortfalls,
              "counties": ra.counties, "cv": ra.cv, "units": ra.units, "recognition": assessment.recognition,
              "excluded": ra.excluded}
    if assessment.synthetic:
        tables = {k: v.assign(data=SYNTHETIC_LABEL) if "data" not in v else v for k, v in tables.items()}
    profiles = _profile_titles(assessment)
    names = []
    with atomic_folder(folder) as tmp:
        if "csv" in formats:
            for name, frame in tables.items():
                neutralise_formulas(frame).to_csv(tmp / f"{name}.csv", index=False, encoding="utf-8-sig")
                names.append(f"{name}.csv")
        if "parquet" in formats:
            for name, frame in tables.items():
                _for_parquet(frame).to_parquet(tmp / f"{name}.parquet", index=False, engine="pyarrow")
                names.append(f"{name}.parquet")
        if "xlsx" in formats:
            sheets = {name: sheet_parts(RESULT_SHEETS[name], frame) for name, frame in tables.items()}
            split = [f"{RESULT_SHEETS[name]}共 {sum(len(p) for _, p in parts)} 行，超过 Excel 每张工作表 "
                     f"{EXCEL_MAX_ROWS} 行（含表头）的上限，分在工作表 {'、'.join(s for s, _ in parts)} 中"
                     "（每张都有表头）" for name, parts in sheets.items() if len(parts) > 1]
            book = StreamingWorkbook(tmp / WORKBOOK_NAME)
            try:
                _write_notes(book, _note_rows(assessment, tables, sheets, profiles, split,
                                              machine=tuple(f for f in formats if f != "xlsx")))
                title = SYNTHETIC_LABEL if assessment.synthetic else None
                for name, parts in sheets.items():
                    for sheet, part in parts:
                        people = neutralise_formulas(for_people(part, profiles=profiles, table=name))
                        _write_table(book, sheet, people, _english_columns(part), title=title,
                                     percent=_PERCENT_0_100.get(name, ()))
                if assessment.synthetic:
                    book.title = SYNTHETIC_LABEL
                    book.description = "synthetic demo data — not real statistics"
                book.close()
            except BaseException:
                book.discard()
                raise
            names.append(WORKBOOK_NAME)
    return [Path(folder) / n for n in names]
