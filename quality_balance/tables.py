"""Report tables: the assessment's result tables reshaped for people, with Chinese labels and colours.

Every function takes result tables of an assessment (``verdicts``, ``items``,
``cv``, ``units``, ``values``, ``shortfalls``; see spec §10 and
:mod:`quality_balance.resources`), selects one county or city, and returns a
DataFrame or a coloured pandas ``Styler`` ready to show in a notebook. Nothing
here reads files, draws charts or recomputes a verdict: the statuses, values,
thresholds and reasons are the assessment's own.

Status colours are :data:`quality_balance.style.STATUS_COLORS` (green 达标,
red 未达标, grey 无数据 / 不适用).
"""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from .schema import DIMENSION_LABELS, INDICATOR_LABELS, INDICATORS, STAGE_LABELS, STATUS_LABELS
from .style import STATUS_COLORS

__all__ = [
    "select_place", "status_styler",
    "verdict_table", "cv_table", "school_indicator_table", "failing_schools",
]

#: Order of the verdict table's rows (dimension ids of the ``verdicts`` table).
VERDICT_ROWS = ("resources", "guarantee", "quality", "recognition", "veto", "overall")
_LABEL_COLORS = {STATUS_LABELS[s]: c for s, c in STATUS_COLORS.items() if s in STATUS_LABELS}
#: Cell colours of school × indicator views, by value/threshold: met, within the school rule's
#: tolerance of a miss, below it.
RATIO_COLORS = {"met": STATUS_COLORS["met"], "near": "#ffeb9c", "far": STATUS_COLORS["not_met"]}


def select_place(table: pd.DataFrame, county: str | None = None, city: str | None = None,
                 year: int | None = None) -> pd.DataFrame:
    """Rows of ``table`` for one county (and/or city, year); every filter is optional.

    >>> t = pd.DataFrame({"city": ["甲市", "甲市"], "county": ["A县", "B县"], "year": [2024, 2025]})
    >>> select_place(t, county="B县")["year"].tolist()
    [2025]
    """
    mask = pd.Series(True, index=table.index)
    for column, wanted in (("county", county), ("city", city), ("year", year)):
        if wanted is not None and column in table.columns:
            mask &= table[column] == wanted
    return table.loc[mask]


def _status_css(label: object) -> str:
    color = _LABEL_COLORS.get(label) if isinstance(label, str) else None
    return f"background-color: {color}" if color else ""


def status_styler(frame: pd.DataFrame, caption: str | None = None) -> Styler:
    """Colour every cell holding a status label (达标, 未达标, 无数据, 不适用...) by its status.

    >>> status_styler(pd.DataFrame({"2025": ["达标"]})).to_html().count("#c6efce")
    1
    """
    styler = frame.style.map(_status_css)
    if caption:
        styler = styler.set_caption(caption)
    return styler


def _status_labels(values: pd.Series | pd.DataFrame):
    return values.replace(STATUS_LABELS)


def verdict_table(verdicts: pd.DataFrame, county: str, city: str | None = None) -> Styler:
    """The verdict by dimension (rows) and year (columns) of one county, coloured by status.

    ``verdicts`` is the assessment's verdict table: one row per county and year
    with a status in each of ``resources, guarantee, quality, recognition, veto,
    overall``. Rows are labelled in Chinese (资源配置 … 综合结论).
    """
    rows = select_place(verdicts, county, city).sort_values("year")
    dims = [d for d in VERDICT_ROWS if d in rows.columns]
    table = rows.set_index("year")[dims].T
    table.index = [DIMENSION_LABELS.get(d, d) for d in dims]
    table.index.name = "维度"
    table.columns = [f"{y}年" for y in table.columns]
    return status_styler(_status_labels(table), caption=f"{county} 各年度评估结论")


def cv_table(cv: pd.DataFrame, county: str, city: str | None = None) -> pd.DataFrame:
    """Student-weighted CV (差异系数) by stage, indicator (rows) and year (columns), three decimals.

    A cell above its limit (小学 0.50, 初中 0.45 in the national profile; the
    ``limit`` column of ``cv``) is marked with "↑"; not applicable stages are "—".
    """
    rows = select_place(cv, county, city)
    text = np.where(rows["cv"].isna(), "—", rows["cv"].map("{:.3f}".format)
                    + np.where(rows["status"] == "not_met", " ↑", ""))
    rows = rows.assign(text=text, 学段=rows["stage"].map(STAGE_LABELS),
                       指标=rows["indicator"] + " " + rows["indicator"].map(INDICATOR_LABELS),
                       限值=rows["limit"].map("{:g}".format))
    table = rows.pivot_table(index=["学段", "指标", "限值"], columns="year", values="text", aggfunc="first",
                             sort=False)
    table.columns = [f"{y}年" for y in table.columns]
    return table


def _ratio_css(ratio: pd.DataFrame, min_ratio: pd.Series) -> pd.DataFrame:
    """CSS per cell: green when value ≥ threshold, amber when within the school rule's tolerance, red below."""
    near = ratio.ge(min_ratio, axis=0)
    css = np.where(ratio.isna(), "", np.where(ratio >= 1, f"background-color: {RATIO_COLORS['met']}",
                   np.where(near, f"background-color: {RATIO_COLORS['near']}",
                            f"background-color: {RATIO_COLORS['far']}")))
    return pd.DataFrame(css, index=ratio.index, columns=ratio.columns)


def school_indicator_table(values: pd.DataFrame, units: pd.DataFrame, county: str, year: int,
                           min_ratio: float, city: str | None = None,
                           only_missing: bool = False) -> Styler:
    """School unit × indicator view of one county-year: each value coloured against its threshold.

    ``values`` is the long unit × indicator table of the resource assessment
    (``value``, ``threshold``, ``ratio`` = value/threshold, ``met``) and
    ``units`` the unit table (``met_count``, ``passes_school_rule``). Green: the
    value reaches the threshold; amber: below it but at least ``min_ratio`` of
    it (the school rule's tolerance: pass the profile's
    ``resources.school_rule.min_ratio_of_miss``, 0.85 nationally); red: further below. Units that
    fail the school rule come first. ``only_missing`` keeps units missing at least
    one indicator.
    """
    v = select_place(values, county, city, year)
    u = select_place(units, county, city, year)
    key = ["school_id", "stage"]
    wide = v.pivot_table(index=key, columns="indicator", values="value", aggfunc="first")
    ratio = v.pivot_table(index=key, columns="indicator", values="ratio", aggfunc="first")
    info = u.set_index(key)[["school_name", "met_count", "passes_school_rule"]]
    order = info.sort_values(["passes_school_rule", "met_count", "school_name"]).index
    if only_missing:
        order = order[info.loc[order, "met_count"] < len(INDICATORS)]
    wide, ratio, info = wide.reindex(order)[list(INDICATORS)], ratio.reindex(order)[list(INDICATORS)], info.loc[order]
    index = pd.MultiIndex.from_arrays(
        [info["school_name"], info.index.get_level_values("stage").map(STAGE_LABELS)], names=["学校", "学段"])
    wide.index = ratio.index = index
    wide["达标项数"] = info["met_count"].to_numpy()
    wide["校际指标要求"] = np.where(info["passes_school_rule"], "达标", "未达标")
    css = _ratio_css(ratio, pd.Series(min_ratio, index=index))
    css["达标项数"] = ""
    css["校际指标要求"] = wide["校际指标要求"].map(_status_css)
    formats = {i: ("{:.0f}" if i == "R6" else "{:.2f}") for i in INDICATORS}
    return (wide.style.apply(lambda _: css, axis=None).format(formats, na_rep="—")
            .set_caption(f"{county} {year}年 各学校单元资源配置指标（绿：达标；黄：未达标但不低于达标值的"
                         f" {min_ratio:.0%}；红：低于 {min_ratio:.0%}）"))


def failing_schools(units: pd.DataFrame, county: str, year: int | None = None,
                    city: str | None = None) -> pd.DataFrame:
    """School units failing the school rule (≥ 6 of 7 met, the miss ≥ 85% of its threshold), with reasons.

    One row per unit and year, worst first (lowest value/threshold among misses),
    Chinese column names; empty when every unit passes.
    """
    u = select_place(units, county, city, year)
    u = u.loc[~u["passes_school_rule"].astype(bool)].sort_values(["year", "worst_ratio"])
    out = pd.DataFrame({
        "年份": u["year"], "学校": u["school_name"], "学段": u["stage"].map(STAGE_LABELS),
        "学生数": u["students"].round().astype("Int64"), "达标项数": u["met_count"],
        "未达标指标": u["misses"], "原因": u["reason"]})
    return out.reset_index(drop=True)
