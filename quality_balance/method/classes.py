"""The class table (班级表) in the assessment: per-class sizes behind G5 and the 56+ count.

Method: docs/method.md §5.2.

For every school-year that the class table lists, the figures the school table would otherwise
give are derived from its classes, stage by stage (``primary`` 小学, ``junior`` 初中, ``senior``
高中): ``classes_<stage>`` (the number of classes), ``max_class_size_<stage>`` (the largest class)
and ``classes_56_plus`` (the compulsory-stage classes of at least ``guarantee.G5.large_class_from``
students, 56 in the national profile: 大班额). A school-year or stage the class table does not
list keeps the school table's own figures, so a data set without a class table is assessed as before.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import STAGE_LABELS, STAGES
from .rules import at_most

__all__ = ["class_rows", "with_class_figures", "oversize_classes", "COMPULSORY"]

#: The stages whose classes G5 limits and the 56+ count covers.
COMPULSORY = STAGES
_STAGE_OF_LABEL = {v: k for k, v in STAGE_LABELS.items()}


def class_rows(classes: pd.DataFrame | None, schools: pd.DataFrame) -> pd.DataFrame:
    """The classes of the schools assessed, with their school's place and name.

    Parameters
    ----------
    classes : DataFrame or None
        The class table (``year``, ``school_id``, ``stage`` 小学/初中/高中, ``class_name``, ``students``).
    schools : DataFrame
        The school table (one row per school and year).

    Returns
    -------
    DataFrame
        One row per class of a school-year in ``schools``: ``city``, ``county``, ``year``,
        ``school_id``, ``school_name``, ``stage`` (``primary``/``junior``/``senior``),
        ``class_name``, ``students`` (人); the index is the school row's index in ``schools``
        (a school with several classes repeats it). Empty without a class table.
    """
    columns = ["city", "county", "year", "school_id", "school_name", "stage", "class_name", "students"]
    if classes is None or classes.empty or schools.empty:
        return pd.DataFrame(columns=columns)
    keys = schools[["school_id", "year"]].astype({"school_id": str}).assign(_row=schools.index)
    keys = keys.drop_duplicates(["school_id", "year"])
    c = classes.assign(school_id=classes["school_id"].astype(str), stage=classes["stage"].map(_STAGE_OF_LABEL))
    c = c.dropna(subset=["stage", "students"]).merge(keys, on=["school_id", "year"], how="inner")
    info = schools.loc[c["_row"], ["city", "county", "school_name"]].reset_index(drop=True)
    out = pd.concat([c.drop(columns="_row").reset_index(drop=True), info], axis=1)
    out.index = pd.Index(c["_row"].to_numpy())
    return out[columns]


def with_class_figures(schools: pd.DataFrame, classes: pd.DataFrame | None, large_from: pd.Series) -> pd.DataFrame:
    """``schools`` with the class figures of every school-year the class table lists derived from it.

    Parameters
    ----------
    schools : DataFrame
        The school table.
    classes : DataFrame or None
        The class table; ``None`` or empty returns ``schools`` unchanged.
    large_from : Series
        Per school row (aligned with ``schools``), the size from which a class is a 大班额
        (``guarantee.G5.large_class_from`` of the county's profile, 人).

    Returns
    -------
    DataFrame
        A copy with ``classes_<stage>`` and ``max_class_size_<stage>`` replaced for each stage the
        class table lists for a school-year, and ``classes_56_plus`` for each school-year it lists
        (compulsory stages only). Other cells are the school table's.
    """
    rows = class_rows(classes, schools)
    if rows.empty:
        return schools
    out = schools.copy()
    for stage in ("primary", "junior", "senior"):
        of = rows[rows["stage"] == stage]
        if of.empty:
            continue
        by = of.groupby(level=0)["students"]
        for name, values in ((f"classes_{stage}", by.size().astype(float)), (f"max_class_size_{stage}", by.max())):
            if name != "max_class_size_senior":  # G5 limits compulsory classes only
                current = out[name].astype(float) if name in out else pd.Series(np.nan, index=out.index)
                out[name] = current.where(~out.index.isin(values.index), values.reindex(out.index))
    compulsory = rows[rows["stage"].isin(COMPULSORY)]
    if len(compulsory):
        limit = large_from.reindex(compulsory.index).to_numpy(dtype=float)
        large = pd.Series(compulsory["students"].to_numpy() >= limit, index=compulsory.index).groupby(level=0).sum()
        current = out["classes_56_plus"].astype(float) if "classes_56_plus" in out else np.nan
        out["classes_56_plus"] = pd.Series(current, index=out.index).where(
            ~out.index.isin(large.index), large.astype(float).reindex(out.index))
    return out


def oversize_classes(rows: pd.DataFrame, limits: dict[str, pd.Series]) -> pd.DataFrame:
    """The classes over their stage's G5 limit.

    Parameters
    ----------
    rows : DataFrame
        From :func:`class_rows`.
    limits : dict of str to Series
        Per stage (``primary``, ``junior``), the limit per school row (人; index of ``schools``):
        ``guarantee.G5.max_class_primary`` / ``.max_class_junior`` of the county's profile.

    Returns
    -------
    DataFrame
        The rows of ``rows`` whose ``students`` exceed their limit (a class *at* the limit passes,
        :func:`quality_balance.method.rules.at_most`), with a ``limit`` column; school row index kept,
        ordered by school, stage and then most students first.
    """
    blocks = []
    for stage, limit in limits.items():
        of = rows[rows["stage"] == stage]
        if of.empty:
            continue
        lim = limit.reindex(of.index).astype(float)
        over = of.assign(limit=lim.to_numpy())[~at_most(of["students"].astype(float), lim).to_numpy()]
        blocks.append(over)
    if not blocks:
        return rows.iloc[:0].assign(limit=pd.Series(dtype=float))
    out = pd.concat(blocks)
    order = {s: i for i, s in enumerate(limits)}
    out = out.assign(_row=out.index, _s=out["stage"].map(order))
    out = out.sort_values(["_row", "_s", "students"], ascending=[True, True, False], kind="stable")
    return out.drop(columns=["_row", "_s"])
