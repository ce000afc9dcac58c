"""Tables as documents: how every table of a report page looks, decided once.

A report table is read and printed by people, not by pandas: :func:`document_table` turns a
DataFrame into a pandas ``Styler`` that

* has no 0..n row numbers (a meaningful index — 学校, 县区 — becomes the first columns);
* aligns text left and numbers right (a cell reads as a number when it is one, or text such
  as ``1,234``, ``96.0%``, ``0.595 ↑``, ``2,000 元``, ``—``);
* prints whole numbers with thousands separators and other figures with the column's
  decimals (``decimals``: one number or a mapping column → decimals; default 1);
* colours cells holding a status word (达标, 未达标, 无数据, 不适用, 无, 存在（否决）) by
  :data:`quality_balance.report.style.STATUS_COLORS`;
* escapes every text for HTML (:func:`quality_balance.report.tables.html_styler`);
* carries the CSS class ``qb-table`` (and ``qb-wide`` for tables of long texts), which the
  report stylesheet (``report/page.css``) lays out for the screen and for A4 print.

Layout of the report pages: docs/reports.md.
"""
from __future__ import annotations

import re
from typing import Mapping

import pandas as pd
from pandas.io.formats.style import Styler

__all__ = ["document_table", "looks_numeric", "TABLE_CLASS", "WIDE_CLASS"]

#: CSS class of every report table (``report/page.css``).
TABLE_CLASS = "qb-table"
#: Extra class of tables holding long texts (reasons): they take the page's full width.
WIDE_CLASS = "qb-wide"
#: Characters of text up to which a column is kept on one line (class ``short``: names, years, statuses).
SHORT_TEXT = 10
#: Characters of text from which a column counts as long text (its table is :data:`WIDE_CLASS`).
LONG_TEXT = 40

_NUMBER_TEXT = re.compile(r"^[\s≥≤<>+\-−]*[\d,]+(\.\d+)?\s*(%|元|万元|人|所|间|个|项|年|m²|人/百生|m²/生|元/生|间/百生|"
                          r"级|分)?\s*(↑|（预测）)?\s*$|^—$")


def looks_numeric(values: pd.Series) -> bool:
    """Whether a column reads as figures (right-aligned): numbers, or texts that are a number with a unit.

    >>> looks_numeric(pd.Series(["1,234", "96.0%", "0.595 ↑", "—"])), looks_numeric(pd.Series(["达标", "1"]))
    (True, False)
    """
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    text = values.dropna().astype(str)
    text = text[text != ""]
    return bool(len(text)) and bool(text.map(lambda t: bool(_NUMBER_TEXT.match(t))).all())


def _figure(value: object, decimals: int) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return f"{value:,d}"
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.{decimals}f}"


def document_table(frame: pd.DataFrame, *, caption: str | None = None,
                   decimals: int | Mapping[str, int] = 1, keep_index: bool | None = None,
                   drop_constant: tuple[str, ...] = (), colours: Mapping[str, str] | None = None) -> Styler:
    """``frame`` as a document table: no row numbers, text left, figures right, statuses coloured.

    Parameters
    ----------
    frame : DataFrame
        The table, Chinese headers. A RangeIndex is dropped; any other index becomes the
        first columns (its names as headers).
    caption : str, keyword-only
        Caption above the table (escaped).
    decimals : int or mapping, keyword-only
        Decimals of non-whole figures in numeric columns: one for all (default 1), or
        column → decimals. Whole numbers have none and take thousands separators.
    keep_index : bool, keyword-only
        Force keeping (True) or dropping (False) the index; default: keep unless a RangeIndex.
    drop_constant : tuple of str, keyword-only
        Columns left out when they hold one value in every row (a 年份 column in a one-year
        table: the caption says the year).
    colours : mapping, keyword-only
        More cell words to colour (word → CSS colour), e.g. plan statuses.

    Returns
    -------
    pandas.io.formats.style.Styler
        With the table classes :data:`TABLE_CLASS` (and :data:`WIDE_CLASS` when a column holds
        text longer than :data:`LONG_TEXT` characters).
    """
    from .tables import _LABEL_COLORS, html_caption, html_styler

    table = frame
    if keep_index is None:
        keep_index = not isinstance(frame.index, pd.RangeIndex)
    table = table.reset_index() if keep_index else table.reset_index(drop=True)
    table.columns = [str(c) for c in table.columns]
    constant = [c for c in drop_constant if c in table.columns and len(table) and table[c].nunique(dropna=False) == 1]
    table = table.drop(columns=constant)
    numeric = [c for c in table.columns if looks_numeric(table[c])]
    styler = html_styler(table).hide(axis="index")
    for column in numeric:
        if pd.api.types.is_numeric_dtype(table[column]):
            places = decimals.get(column, 1) if isinstance(decimals, Mapping) else decimals
            styler = styler.format(lambda v, p=places: _figure(v, p), subset=[column], escape="html")
    styler = styler.format(lambda v: "" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v,
                           subset=[c for c in table.columns if c not in numeric], escape="html")
    classes = pd.DataFrame("", index=table.index, columns=table.columns)
    for column in table.columns:
        longest = table[column].astype(str).str.len().max() if len(table) else 0
        classes[column] = "num" if column in numeric else "short" if longest <= SHORT_TEXT else ""
    colours = {**_LABEL_COLORS, **(colours or {})}
    status = table.apply(lambda col: col.map(lambda v: "status" if isinstance(v, str) and v in colours else ""))
    classes = (classes + " " + status).apply(lambda col: col.str.strip())
    styler = styler.set_td_classes(classes)
    styler = styler.map(lambda v: f"background-color: {colours[v]}" if isinstance(v, str) and v in colours else "")
    wide = any(table[c].astype(str).str.len().max() > LONG_TEXT for c in table.columns if c not in numeric
               and len(table))
    styler = styler.set_table_attributes(f'class="{TABLE_CLASS}{" " + WIDE_CLASS if wide else ""}"')
    number_heads = [i for i, c in enumerate(table.columns) if c in numeric]
    if number_heads:
        styler = styler.set_table_styles([{"selector": f"th.col{i}", "props": "text-align: right;"}
                                          for i in number_heads], overwrite=False)
    return html_caption(styler, caption) if caption else styler
