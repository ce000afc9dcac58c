"""Report tables: the assessment's result tables reshaped for people, with Chinese labels and colours.

Every function takes result tables of an assessment (``verdicts``, ``items``,
``cv``, ``units``, ``values``, ``shortfalls``; see spec §10 and
:mod:`quality_balance.method.resources`), selects one county or city, and returns a
DataFrame or a coloured pandas ``Styler`` ready to show in a notebook. Nothing
here reads files, draws charts or recomputes a verdict: the statuses, values,
thresholds and reasons are the assessment's own.

Status colours are :data:`quality_balance.report.style.STATUS_COLORS` (green 达标,
red 未达标, grey 无数据 / 不适用).

A county, city or year the table does not hold raises an
:class:`~quality_balance.errors.UnknownNameError` naming it, the known ones and the
closest (:func:`quality_balance.errors.require_place`). Tables that list only some
places (``shortfalls``: a county without a shortfall has no row; ``recognition``;
plan status) cannot tell a misspelt county from one without rows: their
keyword-only ``places`` (the assessment, or its ``verdicts``) gives the places to
check against; without it a name they lack gives an empty result, as before.
:func:`select_place` is the plain filter and checks nothing.
"""
from __future__ import annotations

import html

from typing import Mapping

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..errors import require_known, require_place
from ..method.rules import closeness, limit_text
from ..schema import (DIMENSION_LABELS, INDICATOR_LABELS, INDICATORS, STAGE_LABELS, STATUS_LABELS, VETO_LABELS,
                      indicator_names, status_label)
from .style import STATUS_COLORS

__all__ = [
    "interval_level",
    "select_place", "status_styler", "html_styler", "html_caption", "css_text",
    "verdict_table", "verdict_overview", "cv_table", "school_indicator_table", "failing_schools",
    "item_year_table", "item_reasons", "recognition_view", "verdict_reasons", "shortfall_table",
    "city_verdict_table", "city_dimension_table", "closeness_ranking", "certification_table", "school_detail",
    "school_influence", "progress_measures", "projection_table", "plan_status_table", "plan_actuals_table",
    "gap_view", "figures_styler", "verdict_comparison",
    "year_span", "plan_label_colours", "verdict_explained", "item_statuses", "item_problems", "shortfall_view",
]

#: Order of the verdict table's rows (dimension ids of the ``verdicts`` table).
VERDICT_ROWS = ("resources", "guarantee", "quality", "recognition", "veto", "overall")
_LABEL_COLORS = {**{VETO_LABELS[s]: c for s, c in STATUS_COLORS.items() if s in VETO_LABELS},
                 **{STATUS_LABELS[s]: c for s, c in STATUS_COLORS.items() if s in STATUS_LABELS}}
#: Cell colours of school × indicator views, by how far a value is from its threshold
#: (:func:`quality_balance.method.rules.closeness`): met, within the school rule's tolerance of a miss, below it.
RATIO_COLORS = {"met": STATUS_COLORS["met"], "near": "#ffeb9c", "far": STATUS_COLORS["not_met"]}


def _year_label(year: object) -> str:
    """"2025年", or "—" for a missing year (NaN or pd.NA).

    >>> _year_label(2025.0), _year_label(pd.NA)
    ('2025年', '—')
    """
    return "—" if pd.isna(year) else f"{int(year)}年"


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


# --- every text that reaches HTML is escaped, here ---------------------------------------------------

def html_styler(frame: pd.DataFrame) -> Styler:
    """``frame.style`` with every text escaped for HTML: cells, row and column labels.

    Names come from the data (a school named ``<script>…</script>``): every table of
    this module is styled through this one function, so a report page never carries
    markup from the data. Later ``format`` calls pass ``escape="html"`` too.

    >>> "<b>" in html_styler(pd.DataFrame({"<b>": ["<i>x</i>"]}, index=["<u>"])).to_html()
    False
    """
    with pd.option_context("styler.format.escape", "html"):
        styler = frame.style
    return styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)


def html_caption(styler: Styler, caption: str) -> Styler:
    """``styler.set_caption`` with the caption escaped (it holds county names)."""
    return styler.set_caption(html.escape(str(caption)))


def css_text(text: object) -> str:
    """Text safe inside a CSS string (pandas puts tooltips in ``content: "…"``): ``\\``, ``"``, ``<``, ``>``
    and line breaks as CSS escapes, so that no text can close the string or the ``<style>`` element.

    >>> print(css_text('</style><script>"x"') + "|")
    \\3C /style\\3E \\3C script\\3E \\22 x\\22 |
    """
    table = {"\\": "\\5C ", '"': "\\22 ", "'": "\\27 ", "<": "\\3C ", ">": "\\3E ", "\n": "\\A ", "\r": ""}
    return "".join(table.get(ch, ch) for ch in str(text))


def status_styler(frame: pd.DataFrame, caption: str | None = None) -> Styler:
    """Colour every cell holding a status label (达标, 未达标, 无数据, 不适用...) by its status.

    >>> status_styler(pd.DataFrame({"2025": ["达标"]})).to_html().count("#c6efce")
    1
    """
    styler = html_styler(frame).map(_status_css)
    if caption:
        styler = html_caption(styler, caption)
    return styler


def _dimension_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Statuses of a dimension × column table as words: the veto row reads 无/存在, the others 达标/未达标…"""
    words = table.apply(lambda row: status_label(row, dimension=row.name), axis=1)
    words.index = [DIMENSION_LABELS.get(d, d) for d in table.index]
    words.index.name = "维度"
    return words


def verdict_table(verdicts: pd.DataFrame, county: str, city: str | None = None) -> Styler:
    """The verdict by dimension (rows) and year (columns) of one county, coloured by status.

    ``verdicts`` is the assessment's verdict table: one row per county and year
    with a status in each of ``resources, guarantee, quality, recognition, veto,
    overall``. Rows are labelled in Chinese (资源配置 … 综合结论).
    """
    require_place(verdicts, city=city, county=county)
    rows = select_place(verdicts, county, city).sort_values("year")
    dims = [d for d in VERDICT_ROWS if d in rows.columns]
    table = _dimension_rows(rows.set_index("year")[dims].T)
    table.columns = [f"{y}年" for y in table.columns]
    return status_styler(table, caption=f"{county} 各年度评估结论（一票否决行：无 = 不存在否决事项）")


def cv_table(cv: pd.DataFrame, county: str, city: str | None = None) -> pd.DataFrame:
    """Student-weighted CV (差异系数) by stage, indicator (rows) and year (columns), three decimals.

    A cell above its limit (小学 0.50, 初中 0.45 in the national profile; the
    ``limit`` column of ``cv``) is marked with "↑"; not applicable stages are "—".
    """
    require_place(cv, city=city, county=county)
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


def _ratio_css(near: pd.DataFrame) -> pd.DataFrame:
    """CSS per cell from its closeness (``met``/``near``/``far``, :func:`quality_balance.method.rules.closeness`)."""
    css = near.apply(lambda col: col.map(lambda c: f"background-color: {RATIO_COLORS[c]}" if c in RATIO_COLORS
                                         else ""))
    return css.astype(object)


def school_indicator_table(values: pd.DataFrame, units: pd.DataFrame, county: str, year: int,
                           min_ratio: float, city: str | None = None,
                           only_missing: bool = False) -> Styler:
    """School unit × indicator view of one county-year: each value coloured against its threshold.

    ``values`` is the long unit × indicator table of the resource assessment
    (``value``, ``threshold``, ``ratio`` = value/threshold, ``met``) and
    ``units`` the unit table (``met_count``, ``passes_school_rule``). Green: the
    value reaches the threshold; amber: below it but at least ``min_ratio`` of
    it (the school rule's tolerance: pass the profile's
    ``resources.school_rule.min_ratio_of_miss``, 0.85 nationally); red: further below —
    as :func:`quality_balance.method.rules.closeness` decides, with the assessment's own
    tolerance (a value within 1e-9 of its threshold is green, as it is met). Units that
    fail the school rule come first. ``only_missing`` keeps units missing at least
    one indicator.
    """
    require_place(units, city=city, county=county, year=year)
    v = select_place(values, county, city, year)
    u = select_place(units, county, city, year)
    key = ["school_id", "stage"]
    wide = v.pivot_table(index=key, columns="indicator", values="value", aggfunc="first")
    limits = v.pivot_table(index=key, columns="indicator", values="threshold", aggfunc="first")
    info = u.set_index(key)[["school_name", "met_count", "passes_school_rule"]]
    order = info.sort_values(["passes_school_rule", "met_count", "school_name"]).index
    if only_missing:
        order = order[info.loc[order, "met_count"] < len(INDICATORS)]
    wide, limits, info = wide.reindex(order)[list(INDICATORS)], limits.reindex(order)[list(INDICATORS)], info.loc[order]
    index = pd.MultiIndex.from_arrays(
        [info["school_name"], info.index.get_level_values("stage").map(STAGE_LABELS)], names=["学校", "学段"])
    near = pd.DataFrame(closeness(wide.to_numpy(dtype=float), limits.to_numpy(dtype=float), min_ratio),
                        index=index, columns=list(INDICATORS))
    wide.index = index
    wide["达标项数"] = info["met_count"].to_numpy()
    wide["校际指标要求"] = np.where(info["passes_school_rule"], status_label("met"), status_label("not_met"))
    css = _ratio_css(near)
    css["达标项数"] = ""
    css["校际指标要求"] = wide["校际指标要求"].map(_status_css)
    formats = {i: ("{:.0f}" if i == "R6" else "{:.2f}") for i in INDICATORS}
    styler = html_styler(wide).apply(lambda _: css, axis=None).format(formats, na_rep="—", escape="html")
    return html_caption(styler, f"{county} {year}年 各学校单元资源配置指标（绿：达标；黄：未达标但不低于达标值的"
                                f" {limit_text(min_ratio * 100, '%')}；红：低于 {limit_text(min_ratio * 100, '%')}）")


def failing_schools(units: pd.DataFrame, county: str, year: int | None = None,
                    city: str | None = None) -> pd.DataFrame:
    """School units failing the school rule (≥ 6 of 7 met, the miss ≥ 85% of its threshold), with reasons.

    One row per unit and year, worst first (lowest value/threshold among misses),
    Chinese column names; empty when every unit passes.
    """
    require_place(units, city=city, county=county, year=year)
    u = select_place(units, county, city, year)
    u = u.loc[~u["passes_school_rule"].astype(bool)].sort_values(["year", "worst_ratio"])
    out = pd.DataFrame({
        "年份": u["year"], "学校标识码": u["school_id"], "学校": u["school_name"], "学段": u["stage"].map(STAGE_LABELS),
        "学生数": u["students"].round().astype("Int64"), "达标项数": u["met_count"],
        "未达标指标": indicator_names(u["misses"]), "原因": u["reason"]})
    return out.reset_index(drop=True)


def verdict_overview(verdicts: pd.DataFrame, city: str | None = None, first_year: int | None = None,
                     last_year: int | None = None) -> pd.DataFrame:
    """Overall verdict (status code) of every county by year, and the first year it was met.

    Returns a DataFrame indexed by (``city``, ``county``) with one column per year
    (integer names) holding the ``overall`` status, and ``first_met``: the first
    year whose overall status is ``met`` (NaN if none). Years outside
    ``first_year``…``last_year`` are left out.

    >>> v = pd.DataFrame({"city": "甲市", "county": ["A县", "A县", "B县"], "year": [2024, 2025, 2025],
    ...                   "overall": ["not_met", "met", "not_met"]})
    >>> verdict_overview(v)["first_met"].tolist()
    [2025.0, nan]
    """
    require_place(verdicts, city=city)
    rows = select_place(verdicts, city=city)
    if first_year is not None:
        rows = rows[rows["year"] >= first_year]
    if last_year is not None:
        rows = rows[rows["year"] <= last_year]
    table = rows.pivot_table(index=["city", "county"], columns="year", values="overall", aggfunc="first")
    table.columns = [int(c) for c in table.columns]
    met_years = rows.loc[rows["overall"] == "met"].groupby(["city", "county"])["year"].min()
    table["first_met"] = met_years.reindex(table.index).astype(float)
    table.columns.name = None
    return table




def _item_order(item: pd.Series) -> pd.Series:
    """Sort key: dimension letter, then the item number numerically (G2 before G10), local items last."""
    number = pd.to_numeric(item.str.extract(r"^[A-Z](\d+)$")[0], errors="coerce")
    return number.fillna(1000)


def item_year_table(items: pd.DataFrame, county: str, dimension: str, city: str | None = None) -> Styler:
    """Items of one dimension (rows) by year (columns): status labels, coloured; hover shows the reason.

    ``items`` is the assessment's items table (``dimension``, ``item``, ``label``,
    ``status``, ``reason``...). ``dimension`` is ``guarantee``, ``quality``,
    ``recognition`` or ``veto``; veto items read 无 / 存在（否决）. Items a local
    profile adds but does not count toward the verdict are marked （参考）.
    The reasons of one year are listed by :func:`item_reasons`.
    """
    rows = _dimension_items(items, county, dimension, city)
    status = rows.pivot_table(index="项目", columns="year", values="status", aggfunc="first", sort=False)
    reasons = rows.pivot_table(index="项目", columns="year", values="reason", aggfunc="first", sort=False)
    text = status_label(status, dimension=dimension)
    text.columns = reasons.columns = [f"{y}年" for y in status.columns]
    colors = status.apply(lambda col: col.map(lambda s: f"background-color: {STATUS_COLORS[s]}"
                                              if s in STATUS_COLORS else ""))
    colors.columns = text.columns
    styler = html_styler(text).apply(lambda _: colors, axis=None).set_tooltips(reasons.fillna("").map(css_text))
    return html_caption(styler, f"{county} {DIMENSION_LABELS.get(dimension, dimension)}（鼠标悬停可查看原因）")


def _dimension_items(items: pd.DataFrame, county: str, dimension: str, city: str | None) -> pd.DataFrame:
    """The items of one county and dimension in item order, with a 项目 column "G3 音乐、美术专用教室配备"."""
    require_place(items, city=city, county=county)
    require_known(dimension, items["dimension"].unique(), parameter="dimension", what="维度")
    rows = select_place(items, county, city)
    rows = rows[rows["dimension"] == dimension]
    rows = rows.assign(_o=_item_order(rows["item"])).sort_values(["_o", "item", "year"])
    counts = rows["counts"].astype(bool) if "counts" in rows else pd.Series(True, index=rows.index)
    return rows.assign(项目=rows["item"] + " " + rows["label"] + np.where(counts, "", "（参考）"))


def item_statuses(items: pd.DataFrame, county: str, dimension: str, city: str | None = None) -> pd.DataFrame:
    """Items of one dimension (rows, 项目) by year (columns): the status words (达标, 未达标 …; veto: 无 / 存在).

    The printable form of :func:`item_year_table`; the reasons of the years with a problem are
    :func:`item_problems`.
    """
    rows = _dimension_items(items, county, dimension, city)
    status = rows.pivot_table(index="项目", columns="year", values="status", aggfunc="first", sort=False)
    text = status_label(status, dimension=dimension)
    text.columns = [f"{y}年" for y in status.columns]
    return text


def year_span(years) -> str:
    """Years as text, runs joined: [2021, 2022, 2023, 2025] → "2021—2023年、2025年".

    >>> year_span([2021, 2022, 2023, 2025]), year_span([2024])
    ('2021—2023年、2025年', '2024年')
    """
    ys = sorted(int(y) for y in years)
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return "、".join(f"{r[0]}—{r[-1]}年" if len(r) > 1 else f"{r[0]}年" for r in runs)


#: Characters up to which an earlier year's reason is shown whole in :func:`item_problems`.
SHORT_REASON = 60


def item_problems(items: pd.DataFrame, county: str, dimension: str, city: str | None = None) -> pd.DataFrame:
    """Every year with a problem of each item of one dimension: 项目, 年份, 结论, 原因 — printable, not a tooltip.

    One row per item and year not met or without data, the latest year first; the item's name
    is given on its first row only (the rows below it are its earlier years). Consecutive years
    with the same reason share a row ("2021—2025年"). An earlier year's reason longer than
    :data:`SHORT_REASON` characters is given without its bracketed list of schools, which the
    latest year's reason carries.
    """
    rows = _dimension_items(items, county, dimension, city)
    rows = rows[rows["status"].isin(["not_met", "no_data"])].sort_values(["_o", "item", "year"],
                                                                         ascending=[True, True, False])
    latest = ~rows["项目"].duplicated()
    reason = rows["reason"].fillna("").astype(str)
    # earlier years: the finding without its list of schools (the latest year lists them)
    short = reason.str.split("（", n=1).str[0]
    reason = reason.where(latest | (reason.str.len() <= SHORT_REASON), short + "（学校名单略，见最近一年）")
    table = pd.DataFrame({"项目": rows["项目"], "year": rows["year"].astype(int),
                          "结论": status_label(rows["status"], dimension=dimension), "原因": reason})
    run = (table[["项目", "结论", "原因"]] != table[["项目", "结论", "原因"]].shift()).any(axis=1).cumsum()
    out = table.groupby(run, sort=False).agg({"项目": "first", "year": year_span, "结论": "first", "原因": "first"})
    out = out.rename(columns={"year": "年份"})
    out["项目"] = out["项目"].where(~out["项目"].duplicated(), "")
    return out.reset_index(drop=True)[["项目", "年份", "结论", "原因"]]


def verdict_explained(verdicts: pd.DataFrame, items: pd.DataFrame, county: str,
                      city: str | None = None) -> pd.DataFrame:
    """Why each year's overall verdict is what it is, years with the same explanation joined ("2021—2025年").

    Columns 年份, 综合结论, 未达标维度, 未达标项目 (by name: "G3 音乐、美术专用教室配备"), 一票否决.
    """
    require_place(verdicts, city=city, county=county)
    v = select_place(verdicts, county, city).sort_values("year")
    it = select_place(items, county, city)
    counted = it[it["counts"].astype(bool)] if "counts" in it else it
    bad = counted[counted["status"] == "not_met"]
    bad = bad.assign(_d=bad["dimension"].map({d: i for i, d in enumerate(VERDICT_ROWS)}),
                     _o=_item_order(bad["item"])).sort_values(["_d", "_o"])
    names = (bad["item"] + " " + bad["label"])
    by_year = names[bad["dimension"] != "veto"].groupby(bad["year"]).agg("、".join)
    veto = names[bad["dimension"] == "veto"].groupby(bad["year"]).agg("、".join)
    dims = [d for d in ("resources", "guarantee", "quality", "recognition") if d in v.columns]
    failing_dims = v.set_index("year")[dims].apply(
        lambda r: "、".join(DIMENSION_LABELS[d] for d in dims if r[d] == "not_met"), axis=1)
    text = pd.DataFrame({"year": v["year"].to_numpy(), "综合结论": status_label(v["overall"]).to_numpy(),
                         "未达标维度": failing_dims.reindex(v["year"]).fillna("").replace("", "—").to_numpy(),
                         "未达标项目": by_year.reindex(v["year"]).fillna("—").to_numpy(),
                         "一票否决": veto.reindex(v["year"]).fillna("无").to_numpy()})
    keys = ["综合结论", "未达标维度", "未达标项目", "一票否决"]
    group = (text[keys] != text[keys].shift()).any(axis=1).cumsum()
    out = text.groupby(group, sort=False).agg({"year": year_span, **{k: "first" for k in keys}})
    out = out.rename(columns={"year": "年份"})
    if (out["一票否决"] == "无").all():
        out = out.drop(columns="一票否决")
    return out.reset_index(drop=True)


def shortfall_view(shortfalls: pd.DataFrame, county: str, year: int, city: str | None = None,
                   top: int | None = 10, *, parts: pd.DataFrame | None = None, places=None) -> pd.DataFrame:
    """The ranked shortfalls of one county-year for a report page, each in words.

    Columns 排名, 维度, 项目, 短板 (:func:`quality_balance.report.summary.shortfall_text`: where,
    value, threshold, gap with units), 差距占标准 (the relative gap; 未做到 for a yes/no
    item, levels for a rating — method §10). ``parts`` (the assessment's ``parts``) gives the
    units of county items; ``top`` limits the rows (None: all).
    """
    from .summary import shortfall_text

    if places is not None:
        require_place(places, city=city, county=county, year=year)
    rows = select_place(shortfalls, county, city, year).sort_values("rank")
    if top is not None:
        rows = rows.head(top)
    share = pd.to_numeric(rows["relative_gap"], errors="coerce")
    out = pd.DataFrame({
        "排名": rows["rank"].astype(int), "维度": rows["dimension"].map(DIMENSION_LABELS),
        "项目": rows["label"].astype(str),
        "短板": [shortfall_text(r, parts, with_share=False) for _, r in rows.iterrows()],
        "差距占标准": np.where(share.isna(), "未做到", share.map(lambda x: f"{x * 100:.1f}%"))})
    return out.reset_index(drop=True)


def item_reasons(items: pd.DataFrame, county: str, year: int, dimension: str | None = None,
                 city: str | None = None, only_problems: bool = False) -> pd.DataFrame:
    """Every item of one county-year with its status, value, threshold and reason, in Chinese.

    ``only_problems`` keeps items not met or without data, the ones a county must act on.
    """
    require_place(items, city=city, county=county, year=year)
    if dimension is not None:
        require_known(dimension, items["dimension"].unique(), parameter="dimension", what="维度")
    rows = select_place(items, county, city, year)
    if dimension is not None:
        rows = rows[rows["dimension"] == dimension]
    if only_problems:
        rows = rows[rows["status"].isin(["not_met", "no_data"])]
    rows = rows.assign(_d=rows["dimension"].map({d: i for i, d in enumerate(VERDICT_ROWS)}),
                       _o=_item_order(rows["item"])).sort_values(["_d", "_o", "item"])
    labels = rows.apply(lambda r: status_label(r["status"], dimension=r["dimension"]), axis=1) if len(rows) \
        else pd.Series(dtype=str)
    out = pd.DataFrame({"维度": rows["dimension"].map(DIMENSION_LABELS), "项目": rows["item"],
                        "名称": rows["label"], "结论": labels, "原因": rows["reason"]})
    return out.reset_index(drop=True)


def interval_level(recognition: pd.DataFrame) -> str:
    """The Wilson interval's level of a recognition table as text ("95%"), from the profile's
    ``recognition.confidence`` carried in its ``confidence`` column.

    >>> interval_level(pd.DataFrame({"confidence": [0.95]}))
    '95%'
    """
    levels = sorted(set(recognition["confidence"].dropna().astype(float))) if "confidence" in recognition else []
    return "、".join(f"{level * 100:g}%" for level in levels) or "置信"


def recognition_view(recognition: pd.DataFrame, county: str, year: int | None = None,
                     city: str | None = None, *, places=None) -> pd.DataFrame:
    """Social recognition by surveyed group: sample, rate, Wilson interval, standard, verdict.

    ``recognition`` is the assessment's per-group table (``group``, ``respondents``,
    ``favourable``, ``rate``, ``ci_low``, ``ci_high`` in %, ``threshold``, ``passes``,
    ``fragile``); the 全体 row is the county's rate. A pass whose interval's lower
    bound is under the standard is flagged: the sample cannot rule out a rate below it.
    ``places`` (the assessment or its ``verdicts``) checks ``county``, ``city`` and
    ``year`` against every place assessed: a county without survey data has no row here.
    """
    if places is not None:
        require_place(places, city=city, county=county, year=year)
    rows = select_place(recognition, county, city, year)
    note = np.where(rows["fragile"].astype(bool), "样本偏小：区间下限低于标准", "")
    out = pd.DataFrame({
        "年份": rows["year"], "调查对象": rows["group"],
        "样本数": rows["respondents"].round().astype("Int64"), "认可人数": rows["favourable"].round().astype("Int64"),
        "认可度(%)": rows["rate"].round(1),
        f"{interval_level(rows)}区间(%)": rows["ci_low"].map("{:.1f}".format) + "–"
        + rows["ci_high"].map("{:.1f}".format),
        "标准(%)": rows["threshold"].map("{:g}".format),
        "结论": np.where(rows["passes"].astype(bool), status_label("met"), status_label("not_met")),
        "提示": note})
    return out.reset_index(drop=True)


def verdict_reasons(verdicts: pd.DataFrame, county: str, city: str | None = None) -> pd.DataFrame:
    """The overall verdict of each year with the assessment's reason (which dimensions and items fail)."""
    require_place(verdicts, city=city, county=county)
    rows = select_place(verdicts, county, city).sort_values("year")
    return pd.DataFrame({"年份": rows["year"], "综合结论": status_label(rows["overall"]),
                         "说明": rows["reason"]}).reset_index(drop=True)


def shortfall_table(shortfalls: pd.DataFrame, county: str, year: int, city: str | None = None,
                    top: int | None = 30, *, places=None) -> pd.DataFrame:
    """The ranked shortfall list of one county-year: veto items first, then by relative gap.

    ``shortfalls`` is the assessment's ranked list (``rank``, ``dimension``,
    ``item``, ``label``, ``school_name``, ``stage``, ``value``, ``threshold``,
    ``gap``, ``relative_gap``, ``reason``). ``relative_gap`` is shown as a
    percentage of the threshold ("差距占标准"); yes/no items count as 100%.
    ``top`` limits the rows shown (None: all; how many there are in all is the length of
    the ``top=None`` table). ``places`` (the assessment or its ``verdicts``)
    checks ``county``, ``city`` and ``year`` against every place assessed: a
    county-year without a shortfall has no row here, so the list alone cannot tell.
    """
    if places is not None:
        require_place(places, city=city, county=county, year=year)
    rows = select_place(shortfalls, county, city, year).sort_values("rank")
    if top is not None:
        rows = rows.head(top)
    out = pd.DataFrame({
        "排名": rows["rank"], "维度": rows["dimension"].map(DIMENSION_LABELS), "项目": rows["item"],
        "名称": rows["label"], "学校": rows["school_name"].fillna(""),
        "学段": rows["stage"].map(STAGE_LABELS).fillna(""),
        "差距占标准": (pd.to_numeric(rows["relative_gap"], errors="coerce") * 100).map(
            lambda x: "—" if x != x else f"{x:.1f}%"),
        "说明": rows["reason"]}).reset_index(drop=True)
    return out


def city_verdict_table(verdicts: pd.DataFrame, city: str | None = None, first_year: int | None = None,
                       last_year: int | None = None) -> Styler:
    """Every county of a city (rows) by year (columns): the overall verdict, coloured, and the first year met.

    ``city=None`` shows every county of every city (rows 市, 县区).
    """
    overview = verdict_overview(verdicts, city=city, first_year=first_year, last_year=last_year)
    if city is not None:
        overview = overview.droplevel("city")
    years = [c for c in overview.columns if c != "first_met"]
    table = status_label(overview[years]).fillna("—")
    table.columns = [f"{y}年" for y in years]
    table["首次达标年份"] = overview["first_met"].map(_year_label)
    table.index.names = ["县区"] if city is not None else ["市", "县区"]
    return status_styler(table, caption=f"{city or '全部'} 各县区各年度综合结论")


def city_dimension_table(verdicts: pd.DataFrame, city: str, year: int) -> Styler:
    """Every county of a city (rows) by dimension (columns) in one year, coloured by status."""
    require_place(verdicts, city=city, year=year)
    rows = select_place(verdicts, city=city, year=year).set_index("county")
    dims = [d for d in VERDICT_ROWS if d in rows.columns]
    table = status_label(rows[dims])
    table.columns = [DIMENSION_LABELS[d] for d in dims]
    table.index.name = "县区"
    return status_styler(table, caption=f"{city} {year}年 各县区分维度结论")


#: Columns of :func:`closeness_ranking`, in the order they rank counties (fewer is closer).
CLOSENESS_KEYS = ("未达标维度数", "一票否决项数", "未达标项目数", "资源配置未达标处数", "缺数据项目数")


def closeness_ranking(items: pd.DataFrame, verdicts: pd.DataFrame, resource_counties: pd.DataFrame,
                      city: str, year: int) -> pd.DataFrame:
    """Counties of a city ranked by how close they are to passing in ``year`` (rank 1 = closest).

    Counties are ordered by, in turn: overall verdict met first; then fewer
    dimensions not met (of the four); fewer veto items present; fewer counting
    items not met; fewer resource problems (school units failing the school rule
    plus CVs over their limit, from ``resources.counties``); fewer items
    without data. The counts are shown so the order can be checked by hand.
    """
    require_place(verdicts, city=city, year=year)
    v = select_place(verdicts, city=city, year=year).set_index("county")
    it = select_place(items, city=city, year=year)
    counted = it[it["counts"].astype(bool)]
    dims = [d for d in ("resources", "guarantee", "quality", "recognition") if d in v.columns]
    rc = select_place(resource_counties, city=city, year=year).set_index("county")
    out = pd.DataFrame(index=v.index)
    out["综合结论"] = status_label(v["overall"])
    out["未达标维度数"] = (v[dims] == "not_met").sum(axis=1)
    veto = counted[counted["dimension"] == "veto"]
    out["一票否决项数"] = (veto["status"] == "not_met").groupby(veto["county"]).sum().reindex(out.index, fill_value=0)
    others = counted[counted["dimension"] != "veto"]
    out["未达标项目数"] = (others["status"] == "not_met").groupby(others["county"]).sum().reindex(out.index,
                                                                                               fill_value=0)
    out["资源配置未达标处数"] = (rc["n_failing"] + rc["n_cv_failing"]).reindex(out.index).fillna(0).astype(int)
    out["缺数据项目数"] = (counted["status"] == "no_data").groupby(counted["county"]).sum().reindex(out.index,
                                                                                             fill_value=0)
    out["_met"] = v["overall"] != "met"
    out = out.sort_values(["_met", *CLOSENESS_KEYS], kind="stable").drop(columns="_met")
    out.insert(0, "名次", range(1, len(out) + 1))
    out.index.name = "县区"
    return out


def certification_table(verdicts: pd.DataFrame, city: str, counties: pd.DataFrame | None = None,
                        planned: Mapping[str, int] | None = None,
                        min_years_after_basic: int | Mapping[str, int] | None = None,
                        projected: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each county's planned certification year beside the first year its data pass.

    ``planned`` maps county → planned year of national certification (from plan
    data, :func:`quality_balance.report.notebook.planned_certification_years`; counties
    without one show "—"). From the county table, ``basic_balance_year``
    (basic-balance certification) is shown and, when ``min_years_after_basic`` is
    given (the profile's ``certification.min_years_after_basic``, 3 years
    nationally; one number, or a mapping county → years when the counties' profiles
    differ), the earliest year the county may apply. 对照 compares data and plan:
    已按期达标 (first pass ≤ planned year), 晚于计划达标 (passed, after the planned
    year), 逾期未达标 (the planned year is within the data and the county has not
    passed), 已达标 / 尚未达标 when there is no plan or the planned year is later.

    ``projected`` (:func:`quality_balance.projected_pass_year` output) adds the
    projected pass year, marked （预测）, and its note; a county already passing shows
    已达标（实际）.
    """
    require_place(verdicts, city=city)
    overview = verdict_overview(verdicts, city=city).droplevel("city")
    last_year = max(c for c in overview.columns if c != "first_met")
    out = pd.DataFrame(index=overview.index)
    first = overview["first_met"]
    plan = pd.Series(planned or {}, dtype=float).reindex(out.index)
    if counties is not None and "basic_balance_year" in counties:
        basic = select_place(counties, city=city).groupby("county")["basic_balance_year"].max().reindex(out.index)
        out["基本均衡认定年份"] = basic.map(_year_label)
        if min_years_after_basic is not None:
            wait = (pd.Series(min_years_after_basic, dtype=float).reindex(out.index)
                    if isinstance(min_years_after_basic, Mapping) else min_years_after_basic)
            out["最早可申报年份"] = (basic + wait).map(_year_label)
    out["计划认定年份"] = plan.map(_year_label)
    out["数据首次达标年份"] = first.map(_year_label)
    on_time = first.notna() & plan.notna() & (first <= plan)
    met_late = first.notna() & plan.notna() & (first > plan)
    overdue = first.isna() & plan.notna() & (plan <= last_year)
    out["对照"] = np.select([on_time, met_late, overdue, first.notna()],
                          ["已按期达标", "晚于计划达标", "逾期未达标", "已达标"], "尚未达标")
    if projected is not None:
        text = _pass_year_text(select_place(projected, city=city)).reindex(out.index)
        out = out.join(text.fillna("—"))
    out.index.name = "县区"
    return out


def school_detail(values: pd.DataFrame, school_id: str) -> pd.DataFrame:
    """One school's R1–R7 by stage, indicator (rows) and year (columns): "value / threshold", "✓" when met.

    For drilling into a school from the exploration notebook; ``values`` is the
    resource assessment's long unit × indicator table.
    """
    require_known(str(school_id), values["school_id"].astype(str).unique(), parameter="school_id",
                  what="学校标识码", where="资源配置明细")
    rows = values[values["school_id"].astype(str) == str(school_id)]
    decimals = np.where(rows["indicator"] == "R6", 0, 2)
    value = [f"{v:.{d}f}" for v, d in zip(rows["value"], decimals)]
    text = pd.Series(value, index=rows.index) + " / " + rows["threshold"].map("{:g}".format) \
        + np.where(rows["met"].astype(bool), " ✓", " ✗")
    rows = rows.assign(text=text, 学段=rows["stage"].map(STAGE_LABELS),
                       指标=rows["indicator"] + " " + rows["indicator"].map(INDICATOR_LABELS))
    table = rows.pivot_table(index=["学段", "指标"], columns="year", values="text", aggfunc="first")
    table.columns = [f"{y}年" for y in table.columns]
    return table


def school_influence(influence: pd.DataFrame, school_id: str, year: int) -> pd.DataFrame:
    """How much one school unit moves its county's CV in one year, per stage and indicator.

    ``influence`` is ``ResourceAssessment.influence``: ``cv`` (the county's),
    ``cv_at_mean`` (if this unit had the county mean value) and ``cv_without``
    (if it were left out). 贡献 = cv − cv_at_mean: positive when the unit widens
    the gap between schools.
    """
    require_known(str(school_id), influence["school_id"].astype(str).unique(), parameter="school_id",
                  what="学校标识码", where="差异系数影响表")
    require_known(year, influence["year"].unique(), parameter="year", what="年份", where="差异系数影响表")
    rows = influence[(influence["school_id"].astype(str) == str(school_id)) & (influence["year"] == year)]
    rows = rows.sort_values(["stage", "indicator"])
    return pd.DataFrame({
        "学段": rows["stage"].map(STAGE_LABELS),
        "指标": rows["indicator"] + " " + rows["indicator"].map(INDICATOR_LABELS),
        "本校数值": rows["value"].round(2), "县域差异系数": rows["cv"].round(3),
        "本校达到均值时": rows["cv_at_mean"].round(3), "不含本校时": rows["cv_without"].round(3),
        "贡献": rows["effect_at_mean"].round(3)}).reset_index(drop=True)


# --- progress, projections, plans and the gap to pass (issue 5) -------------------------------------

def _relative_gap(value: pd.Series, threshold: pd.Series) -> pd.Series:
    """|value − threshold| as a share of the threshold; 1.0 (100%) where the threshold is 0.

    The shortfall list's convention: a count of failing schools against 0 counts as 100%.

    >>> _relative_gap(pd.Series([0.6, 90.0, 3.0]), pd.Series([0.5, 100.0, 0.0])).round(2).tolist()
    [0.2, 0.1, 1.0]
    """
    gap = (value - threshold).abs() / threshold.abs()
    return gap.where(threshold != 0, 1.0)


def progress_measures(progress: pd.DataFrame, county: str, max_n: int | None = 6,
                      city: str | None = None) -> list[str]:
    """The measures of one county worth a progress chart: failing ones, then recently fixed ones.

    Only measures that count toward the verdict and are single numbers against a
    threshold (``counts`` and ``numeric`` in :func:`quality_balance.planning.progress`) can be
    drawn. First come those not met in the county's last year, the widest relative
    gap first (|value − threshold| ÷ threshold; a count of failing schools against
    0 counts as 100%, as in the shortfall list); then those met in the last year
    whose current run of met years began after the first observed year (fixed
    during the period), the most recently fixed first. ``max_n`` caps the list
    (None: all); measures without data in the last year are left out.

    >>> p = pd.DataFrame({"county": "甲县", "measure": ["A", "A", "B", "B", "C", "C"],
    ...                   "year": [2024, 2025] * 3, "counts": True, "numeric": True,
    ...                   "met": [False, False, False, True, True, True],
    ...                   "value": [1.0, 2.0, 0.4, 0.6, 9.0, 9.0], "threshold": [4.0, 4.0, 0.5, 0.5, 5.0, 5.0]})
    >>> progress_measures(p, "甲县")
    ['A', 'B']
    """
    from ..planning.progress import met_since

    require_place(progress, city=city, county=county)
    rows = select_place(progress, county, city)
    rows = rows[rows["counts"].astype(bool) & rows["numeric"].astype(bool)]
    if rows.empty:
        return []
    rows = rows.sort_values(["measure", "year"], kind="stable")
    last = rows.groupby("measure", sort=False).tail(1).set_index("measure")
    met = last["met"].astype("boolean")
    failing = last[met.eq(False).fillna(False).to_numpy()]
    failing = failing.assign(_gap=_relative_gap(failing["value"].astype(float), failing["threshold"].astype(float)))
    failing = failing.sort_values("_gap", ascending=False, kind="stable")
    since = met_since(rows, ["measure"])
    first_year = rows.groupby("measure")["year"].min()
    fixed = since[since.notna() & (since > first_year.reindex(since.index))]
    fixed = fixed.sort_values(ascending=False, kind="stable")
    chosen = list(failing.index) + [m for m in fixed.index if m not in set(failing.index)]
    return chosen if max_n is None else chosen[:max_n]


def _number(value: float, decimals: int = 1) -> str:
    """A figure for a table cell: whole numbers with thousands separators, else ``decimals`` places.

    >>> _number(12980.0), _number(1.6), _number(float("nan"))
    ('12,980', '1.6', '—')
    """
    if value != value:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.{decimals}f}"


def _year_or(year: object, beyond: str) -> str:
    return beyond if year is pd.NA or year != year else f"{int(year)}年"


def _texts(values: pd.Series, fmt) -> pd.Series:
    """``fmt`` applied to each value, as a text column (also when ``values`` is empty or nullable)."""
    return values.astype(object).map(fmt).astype(object)


#: Projection outcomes the projection table lists (a counting measure not met in the last year).
PROJECTION_TABLE_OUTCOMES = ("projected", "not_by_horizon", "insufficient_data", "not_numeric", "no_data")


def projection_table(projection, county: str, city: str | None = None) -> pd.DataFrame:
    """The projections (预测) of one county's counting measures not met in its last year.

    ``projection`` is :func:`quality_balance.project` output. One row per measure:
    its last observed value and year (实际), the threshold, then — in columns
    whose headers say 预测 — the outcome, the projected year and the interval years
    (the years the favourable and unfavourable bounds of the ``projection.level``
    prediction interval reach the threshold; "2030年后" beyond the horizon), and the
    method note. Projected measures come first, earliest year first; then those not
    reaching the threshold by the horizon; then those that cannot be projected
    (yes/no items, too few years). The ``R`` item itself is left out: its parts
    (CVs, school-rule shares) are listed.
    """
    require_place(projection.summary, city=city, county=county, where="预测结果")
    s = select_place(projection.summary, county, city)
    s = s[s["counts"].astype(bool) & s["outcome"].isin(PROJECTION_TABLE_OUTCOMES)]
    order = s["outcome"].map({o: i for i, o in enumerate(PROJECTION_TABLE_OUTCOMES)}).clip(upper=2)
    s = s.assign(_o=order, _y=s["projected_year"].astype("Float64")).sort_values(["_o", "_y", "measure"],
                                                                                  kind="stable")
    beyond = f"{projection.horizon}年后"
    cv = (s["source"] == "cv") if "source" in s else pd.Series(False, index=s.index)
    last_value = np.where(cv, _texts(s["last_value"], lambda v: "—" if v != v else f"{v:.3f}"),
                          _texts(s["last_value"], _number))
    sign = s["direction"].fillna("").astype(str).str.replace(">=", "≥").str.replace("<=", "≤")
    standard = np.where(s["threshold"].notna(), sign + " " + _texts(s["threshold"], lambda v: f"{v:g}"), "—")
    fitted = s["outcome"].isin(["projected", "not_by_horizon"])
    interval = np.where(fitted, _texts(s["optimistic_year"], lambda y: _year_or(y, beyond)) + "—"
                        + _texts(s["pessimistic_year"], lambda y: _year_or(y, beyond)), "—")
    out = pd.DataFrame({
        "项目": s["measure"], "名称": s["label"], "单位": s["unit"].fillna(""),
        "最近一年": _texts(s["last_year"], lambda y: f"{int(y)}年"), "最近一年实际值": last_value,
        "标准": standard, "预测结论": s["outcome_label"],
        "预测达标年份": np.where(s["outcome"] == "projected", _texts(s["projected_year"], lambda y: _year_or(y, "—")),
                           "—"),
        f"{projection.level:.0%}预测区间（年份）": interval,
        "预测方法与说明": s["note"]})
    return out.set_index("项目")


def _pass_year_text(projected: pd.DataFrame) -> pd.DataFrame:
    """Per county: the projected pass year labelled 预测 (or the observed pass), and the note."""
    p = projected.set_index("county")
    year = p["year"].map(lambda y: _year_or(y, ""))
    text = np.select([p["status"] == "met", p["status"] == "projected", p["status"] == "not_by_horizon"],
                     ["已达标（实际）", year + "（预测）", "按当前趋势难以达标（预测）"], "无法预测")
    return pd.DataFrame({"预测达标年份": text, "预测说明": p["note"]}, index=p.index)


#: Cell colours of plan statuses (:data:`quality_balance.planning.tracking.PLAN_STATUS_LABELS`): green met,
#: light blue on track, red behind, grey no data.
PLAN_STATUS_COLORS = {"met": STATUS_COLORS["met"], "on_track": "#ddebf7", "behind": STATUS_COLORS["not_met"],
                      "no_data": STATUS_COLORS["no_data"]}


def plan_label_colours() -> dict[str, str]:
    """The plan status words (已完成, 按计划推进, 滞后, 无数据) → their cell colours (:data:`PLAN_STATUS_COLORS`)."""
    from ..planning.tracking import PLAN_STATUS_LABELS

    return {PLAN_STATUS_LABELS[s]: c for s, c in PLAN_STATUS_COLORS.items()}


def _plan_figure(kind: pd.Series, value: pd.Series, unit: pd.Series, empty: str = "—") -> np.ndarray:
    """A target/actual figure as text: a year for certification, a share for certified_share, else amount+unit."""
    return np.select([value.isna(), kind == "certification", kind == "certified_share"],
                     [empty, _texts(value, lambda y: f"{y:.0f}年" if y == y else ""),
                      _texts(value, lambda v: f"{v:.1f}%" if v == v else "")],
                     _texts(value, _number) + unit.fillna("").astype(str))


def plan_status_table(status: pd.DataFrame, scope: str | None, city: str | None = None, *,
                      places=None) -> Styler:
    """Plan versus actual for one place: every plan target whose ``scope`` is ``scope``, coloured by status.

    ``status`` is :func:`quality_balance.plan_status` output; ``scope`` is a county
    name, ``全市`` (:data:`quality_balance.planning.tracking.CITY_SCOPE`) for the city-wide
    goals, or None for every county's own targets (a 县区 column is added).
    Columns: the plan, the target, its year, the whole target, what was planned
    by the judged year (amount targets; "—" for certification and share
    targets, whose reason says how many counties pass or are projected to), the
    actual figure (for a certification target: the year the data first pass), the
    status (已完成 / 按计划推进 / 滞后 / 无数据, the plan module's own words) and the
    reason. An empty result (no plan covers the place) has no rows. ``places`` (the
    assessment or its ``verdicts``) checks ``city`` and a county ``scope`` against
    every place assessed (the status table lists only places a plan covers).
    """
    from ..planning.tracking import CITY_SCOPE, PLAN_STATUS_LABELS

    if places is not None:
        require_place(places, city=city, county=scope if scope not in (None, CITY_SCOPE) else None)

    rows = status[status["scope"] == scope] if scope is not None else status[status["scope"] != CITY_SCOPE]
    if city is not None:
        rows = rows[rows["city"] == city]
    actual_empty = np.where(rows["kind"] == "certification", "尚未达标", "—")
    out = pd.DataFrame({
        "规划": rows["plan"], "目标": rows["label"], "目标年份": _texts(rows["deadline"], lambda y: _year_or(y, "—")),
        "目标值": _plan_figure(rows["kind"], rows["target"], rows["unit"]),
        "同期计划": np.where(rows["kind"].isin(["certification", "certified_share"]), "—",
                         _plan_figure(rows["kind"], rows["target_to_date"], rows["unit"])),
        "实际": np.where(rows["actual"].isna(), actual_empty, _plan_figure(rows["kind"], rows["actual"], rows["unit"])),
        "评估年份": _texts(rows["as_of"], lambda y: _year_or(y, "—")),
        "状态": rows["status_label"], "说明": rows["reason"]}).reset_index(drop=True)
    if scope is None:
        out.insert(0, "县区", rows["scope"].to_numpy())
    colors = {PLAN_STATUS_LABELS[s]: c for s, c in PLAN_STATUS_COLORS.items()}
    styler = html_styler(out).map(lambda v: f"background-color: {colors[v]}" if v in colors else "", subset=["状态"])
    return html_caption(styler.hide(axis="index"),
                        f"{scope or '各县区'} 规划目标完成情况（同期计划：截至评估年份应完成的数量）")


def plan_actuals_table(actuals: pd.DataFrame, scope: str, city: str | None = None, *,
                       places=None) -> pd.DataFrame:
    """Plan versus actual year by year for one place: rows (target, 计划/实际), columns years.

    ``actuals`` is :func:`quality_balance.plan_actuals` output. For amount targets
    (``yearly``, ``total``) the rows are the year's planned amount (a ``total``
    target spread evenly over its years) and the actual amount; for ``level``
    targets the level needed on the straight path to the target (按期所需水平) and
    the actual level. Years without an actual figure show 无数据. The last column is
    the whole target with its year. ``places`` (the assessment or its ``verdicts``)
    checks ``city`` and a county ``scope`` against every place assessed, as in
    :func:`plan_status_table`.
    """
    if places is not None:
        from ..planning.tracking import CITY_SCOPE

        require_place(places, city=city, county=scope if scope != CITY_SCOPE else None)
    rows = actuals[actuals["scope"] == scope]
    if city is not None:
        rows = rows[rows["city"] == city]
    if rows.empty:
        return pd.DataFrame()
    level = rows["kind"] == "level"
    unit = rows["unit"].fillna("")
    rows = rows.assign(目标=rows["label"] + np.where(unit != "", "（" + unit + "）", ""),
                       _order=rows.groupby(["plan", "target_id"], sort=False).ngroup())
    planned = rows.assign(项=np.where(level, "按期所需水平", "计划"), _row=0,
                          text=_texts(pd.Series(np.where(level, rows["planned_to_date"], rows["planned"]),
                                                index=rows.index, dtype=float), _number))
    actual = rows.assign(项=np.where(level, "实际水平", "实际"), _row=1,
                         text=_texts(rows["actual"], lambda v: "无数据" if v != v else _number(v)))
    long = pd.concat([planned, actual]).sort_values(["_order", "_row", "year"], kind="stable")
    table = long.pivot_table(index=["目标", "项"], columns="year", values="text", aggfunc="first", sort=False)
    table.columns = [f"{y}年" for y in table.columns]
    whole = rows.drop_duplicates("目标").set_index("目标")  # targets of the same label share a row
    sign = np.where((whole["kind"] == "level") & (whole["direction"] == "<="), "≤", "")
    goal = sign + _texts(whole["value"], _number) + "（" + whole["deadline"].astype(int).astype(str) + "年）"
    table["全期目标"] = goal.reindex(table.index.get_level_values("目标")).to_numpy()
    return table.fillna("—")


#: Cost columns of the gap tables, relabelled so nobody reads an estimate as a budget.
ESTIMATE_HEADERS = {"单位成本（元）": "单位成本（元，估算）", "成本（元）": "成本（元，估算）",
                    "方案成本（元）": "方案成本（元，估算）", "全部达标成本（元）": "全部达标成本（元，估算）"}


def figures_styler(frame: pd.DataFrame, caption: str | None = None, decimals: int = 2) -> Styler:
    """``frame`` as a Styler whose float columns read as figures, without the row numbers.

    Whole numbers get thousands separators and no decimals (17.0 → 17, 387272.0 →
    387,272), other values ``decimals`` places; missing values read "—".

    >>> figures_styler(pd.DataFrame({"a": [387272.0, 0.36]})).to_html().count("387,272")
    1
    """
    floats = list(frame.select_dtypes("float").columns)
    styler = html_styler(frame).format(lambda v: _number(v, decimals), subset=floats, escape="html").hide(axis="index")
    return html_caption(styler, caption) if caption else styler


def gap_view(gap, kind: str = "totals", top: int | None = None) -> pd.DataFrame:
    """A gap table (:func:`quality_balance.gap_table`) for one county-year report, costs marked 估算.

    The county and year columns are dropped (the section names them); cost columns
    read （元，估算）. The ``units`` view lists the misses the school rule requires
    first, worst (lowest share of the threshold) first; ``top`` keeps the first rows
    (None: all — its length is how many there are).
    """
    from ..planning.gap import gap_table

    table = gap_table(gap, kind)
    if kind == "units" and len(table):
        units = gap.units.loc[table.index]
        order = units.sort_values(["required_for_school_rule", "ratio"], ascending=[False, True], kind="stable").index
        table = table.loc[order]
    if top is not None:
        table = table.head(top)
    table = table.drop(columns=[c for c in ("县区", "年份") if c in table.columns]).rename(columns=ESTIMATE_HEADERS)
    return table.reset_index(drop=True)


def verdict_comparison(before: pd.DataFrame, after: pd.DataFrame, county: str, year: int,
                       city: str | None = None) -> Styler:
    """One county-year's verdict by dimension before and after a what-if, coloured by status.

    ``before`` and ``after`` are the ``verdicts`` of two assessments (e.g. of the
    data and of :func:`quality_balance.apply_additions` of it).
    """
    require_place(before, city=city, county=county, year=year)
    columns = {}
    for name, verdicts in (("补充前", before), ("补充后（假设情景）", after)):
        row = select_place(verdicts, county, city, year)
        dims = [d for d in VERDICT_ROWS if d in row.columns]
        columns[name] = pd.Series(row[dims].iloc[0].to_numpy() if len(row) else [None] * len(dims), index=dims)
    table = _dimension_rows(pd.DataFrame(columns))
    return status_styler(table.fillna("—"), caption=f"{county} {year}年 补充资源前后的评估结论")
