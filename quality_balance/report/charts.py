"""Report charts: matplotlib figures of an assessment's result tables, labelled in Chinese.

Each function takes result tables (``cv``, ``values``, ``units``, ``survey``
rates...), selects one county, and returns a :class:`matplotlib.figure.Figure`.
Figures are built without pyplot, so drawing one never opens a window or leaks
into another chart; a notebook displays the returned figure, a script calls
``fig.savefig(path)``. Every figure uses :func:`quality_balance.report.style.use_style`
(Noto Sans CJK SC, so Chinese labels render on a fresh machine).

Thresholds and limits drawn as lines come from the tables' ``threshold`` /
``limit`` columns, i.e. from the county's profile, never from this module.

Every figure fits the printed page (:mod:`quality_balance.report.style`: at most
``PRINT_WIDTH_IN`` wide, text ≥ ``MIN_FONT_PT``, heights within the budgets), and the
school-unit grid lists at most ``max_units`` units, the worst first, saying how many it leaves out.

A county, city, year or school the table does not hold raises an
:class:`~quality_balance.errors.UnknownNameError` (see :mod:`quality_balance.report.tables`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..errors import require_known, require_place
from ..method.rules import closeness, limit_text
from ..schema import INDICATORS, STAGE_LABELS, STAGES
from .style import (CHART_HEIGHT_IN, GRID_HEIGHT_IN, MIN_FONT_PT, MUTED_COLOR, OKABE_ITO, PRINT_WIDTH_IN,
                    STATUS_COLORS, use_style, year_ticks)
from .tables import RATIO_COLORS, interval_level, select_place

__all__ = ["plot_cv_by_year", "plot_school_misses", "plot_recognition", "plot_school_trend"]

#: One colour per indicator R1…R7: the Okabe–Ito colour-blind-safe palette (``style.OKABE_ITO``).
INDICATOR_COLORS = dict(zip(INDICATORS, OKABE_ITO))
#: One marker shape per indicator, so lines differ without colour too (in grey print, for colour-blind readers).
INDICATOR_MARKERS = dict(zip(INDICATORS, ("o", "s", "^", "D", "v", "P", "X")))
#: Colour of limit lines, of the over-limit marks and of the band above a limit.
LIMIT_COLOR = "#c00000"
#: School units listed at most in the school-misses grid (the worst first), so it fits one printed page.
MAX_UNITS = 20


#: Colour code of each closeness of a value to its threshold in the school-misses grid (missing: NaN).
CLOSENESS_CODES = {"met": 0.0, "near": 1.0, "far": 2.0, "no_data": np.nan}

#: Short indicator names for crowded axes (the full names are in ``schema.INDICATOR_LABELS``).
INDICATOR_SHORT_LABELS = {"R1": "高学历教师", "R2": "骨干教师", "R3": "体艺教师", "R4": "教学用房",
                          "R5": "运动场馆", "R6": "仪器设备", "R7": "多媒体教室"}


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])


def _spread(desired: np.ndarray, gap: float, low: float, high: float) -> np.ndarray:
    """Label positions near ``desired`` (data units), at least ``gap`` apart, within [``low``, ``high``].

    Labels that would overlap are grouped and each group is centred on the mean of its
    wishes (the classic one-dimensional label placement); a group running past an end
    of the axis is pushed back inside.
    """
    order = np.argsort(desired, kind="stable")
    groups = [[float(desired[i])] for i in order]          # wishes of each group, bottom up
    starts = [g[0] for g in groups]

    def start_of(g):
        return float(np.mean(g)) - gap * (len(g) - 1) / 2

    merged = True
    while merged:
        merged = False
        starts = [start_of(g) for g in groups]
        for k in range(len(groups) - 1):
            if starts[k] + gap * len(groups[k]) > starts[k + 1] + 1e-12:
                groups[k:k + 2] = [groups[k] + groups[k + 1]]
                merged = True
                break
    pos = np.concatenate([start_of(g) + gap * np.arange(len(g)) for g in groups]) if groups else np.array([])
    if len(pos):
        pos = pos + max(low - pos[0], 0.0)
        pos = pos - max(pos[-1] - high, 0.0)
    out = np.empty(len(desired))
    out[order] = pos
    return out


def plot_cv_by_year(cv: pd.DataFrame, county: str, city: str | None = None) -> Figure:
    """Each indicator's student-weighted CV by year against its limit, 小学 and 初中 side by side.

    ``cv`` is the resource assessment's CV table (``stage``, ``indicator``,
    ``year``, ``cv``, ``limit``, ``status``). In each stage the indicators over
    the limit in any year are drawn in their colour (Okabe–Ito, one marker shape
    each) and named in the panel title; the others are muted grey. Every line is
    labelled at its end with its short Chinese name (``INDICATOR_SHORT_LABELS``).
    The dashed line is the stage's limit from the profile (the ``limit`` column:
    0.50 小学 / 0.45 初中 nationally), labelled with its value, with the band above it
    lightly shaded; the years over the limit are circled red. A stage the county
    has no schools of says so. Figure: ``style.PRINT_WIDTH_IN`` × ``style.CHART_HEIGHT_IN``.
    """
    require_place(cv, city=city, county=county)
    use_style()
    rows = select_place(cv, county, city)
    fig = Figure(figsize=(PRINT_WIDTH_IN, CHART_HEIGHT_IN), layout="constrained")
    axes = fig.subplots(1, len(STAGES), sharey=True)
    top = max(float(rows["cv"].max(skipna=True) or 0), float(rows["limit"].max() or 0)) * 1.15 or 1.0
    years = sorted(rows["year"].unique())
    span = (years[-1] - years[0]) if years else 0
    room = 0.32 / 0.68 * (span + 0.9)       # right of the last year: about a third of the panel, for the labels
    ends = []                                 # (axis, x, y, text, colour, emphasised) of every line end
    for ax, stage in zip(axes, STAGES):
        part = rows[(rows["stage"] == stage) & rows["cv"].notna()]
        limits = sorted(rows.loc[rows["stage"] == stage, "limit"].dropna().unique())
        label = STAGE_LABELS[stage]
        if part.empty:
            _empty(ax, f"{label}：本县无该学段学校，不适用")
            ax.set_title(label)
            continue
        over_names = []
        for ind, line in part.sort_values("year").groupby("indicator", sort=True):
            over = line[line["status"] == "not_met"]
            hot = len(over) > 0
            color = INDICATOR_COLORS[ind] if hot else MUTED_COLOR
            ax.plot(line["year"], line["cv"], marker=INDICATOR_MARKERS[ind], markersize=5 if hot else 3.5,
                    color=color, linewidth=1.8 if hot else 1.0, zorder=3 if hot else 2, label=ind)
            if hot:
                ax.scatter(over["year"], over["cv"], s=70, facecolors="none", edgecolors=LIMIT_COLOR,
                           linewidths=1.2, zorder=4)
                over_names.append(f"{ind} {INDICATOR_SHORT_LABELS[ind]}")
            last = line.iloc[-1]
            ends.append((ax, float(last["year"]), float(last["cv"]), f"{ind} {INDICATOR_SHORT_LABELS[ind]}",
                         INDICATOR_COLORS[ind] if hot else "#707070", hot))
        for value in limits:
            ax.axhspan(value, top, color=LIMIT_COLOR, alpha=0.05, linewidth=0, zorder=0)
            ax.axhline(value, color=LIMIT_COLOR, linestyle="--", linewidth=1.2, label="限值", zorder=2.5)
            ax.annotate(f"限值 {limit_text(value)}", (years[0] - 0.4, value), xytext=(0, 2),
                        textcoords="offset points", color=LIMIT_COLOR, fontsize=MIN_FONT_PT, ha="left", va="bottom",
                        bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))
        status = (f"{'、'.join(over_names)} 超过限值" if len(over_names) <= 2
                  else f"{len(over_names)} 项指标超过限值") if over_names else "各项均未超过限值"
        ax.set_title(f"{label}（限值 {'/'.join(limit_text(x) for x in limits)}）：{status}", fontsize=9)
        ax.set_ylim(0, top)
    for ax in axes:
        if ax.has_data():
            year_ticks(ax, years, max_labels=6)
            ax.set_xlim(years[0] - 0.45, years[-1] + 0.45 + room)
            ax.set_xlabel("年份")
    axes[0].set_ylabel("差异系数（加权）")
    fig.suptitle(f"{county} 各指标校际差异系数（彩色：超过限值的指标；红圈：超过限值的年份）")
    fig.draw_without_rendering()               # lay out once: the axes' height in inches sets the label spacing
    for ax in axes:
        mine = [e for e in ends if e[0] is ax]
        if not mine:
            continue
        height_in = ax.get_position().height * fig.get_size_inches()[1]
        gap = (MIN_FONT_PT * 1.6 / 72) / max(height_in, 0.1) * top   # a line of 8 pt CJK text and a little air
        placed = _spread(np.array([e[2] for e in mine]), gap, gap / 2, top - gap / 2)
        for (_, x, y, text, color, hot), at in zip(mine, placed):
            ax.annotate(text, xy=(x, y), xytext=(x + 0.22, at), fontsize=MIN_FONT_PT, color=color,
                        ha="left", va="center",
                        arrowprops=dict(arrowstyle="-", color=color, linewidth=0.6, shrinkA=3, shrinkB=1))
    return fig


def plot_school_misses(values: pd.DataFrame, units: pd.DataFrame, county: str, year: int,
                       min_ratio: float, city: str | None = None, *, max_units: int | None = MAX_UNITS) -> Figure:
    """Which school units miss which indicator in one year: a unit × indicator grid.

    Only units missing at least one of R1–R7 are drawn (the title says how many
    meet all seven), the worst first: those failing the school rule, then by fewest
    indicators met; at most ``max_units`` of them (default :data:`MAX_UNITS`, 20,
    so the grid stays within ``style.GRID_HEIGHT_IN``; ``None``: all), the title
    saying how many more are not shown. Cells show the value; green = meets the threshold, amber =
    below it but at least ``min_ratio`` of it (the school rule's tolerance,
    ``resources.school_rule.min_ratio_of_miss`` of the profile), red = further
    below, as :func:`quality_balance.method.rules.closeness` decides (the assessment's
    own tolerance: a value within 1e-9 of its threshold is met, so green). Units failing
    the school rule are marked × beside their name.
    """
    require_place(units, city=city, county=county, year=year)
    use_style()
    v = select_place(values, county, city, year)
    u = select_place(units, county, city, year).set_index(["school_id", "stage"])
    key = ["school_id", "stage"]
    value = v.pivot_table(index=key, columns="indicator", values="value", aggfunc="first")
    limit = v.pivot_table(index=key, columns="indicator", values="threshold", aggfunc="first")
    missing = u.index[u["met_count"] < len(INDICATORS)]
    order = u.loc[missing].sort_values(["passes_school_rule", "met_count", "school_name"]).index
    n_all = len(u) - len(order)
    hidden = max(len(order) - max_units, 0) if max_units is not None else 0
    order = order[:len(order) - hidden]
    height = min(1.35 + 0.2 * len(order), GRID_HEIGHT_IN) if len(order) else 1.2
    fig = Figure(figsize=(PRINT_WIDTH_IN, height), layout="constrained")
    ax = fig.subplots()
    more = f"\n只列出最差的 {len(order)} 个，另有 {hidden} 个未全部达标的单元未显示" if hidden else ""
    fig.suptitle(f"{county} {year}年 未全部达标的学校单元（另有 {n_all} 个单元 7 项全部达标）{more}")
    if len(order) == 0:
        _empty(ax, "所有学校单元 7 项指标均达到标准")
        return fig
    near = closeness(value.reindex(order)[list(INDICATORS)].to_numpy(dtype=float),
                     limit.reindex(order)[list(INDICATORS)].to_numpy(dtype=float), min_ratio)
    codes = np.vectorize(CLOSENESS_CODES.get, otypes=[float])(near)
    cmap = ListedColormap([RATIO_COLORS["met"], RATIO_COLORS["near"], RATIO_COLORS["far"]]).with_extremes(
        bad=STATUS_COLORS["not_applicable"])
    ax.imshow(np.ma.masked_invalid(codes), cmap=cmap, vmin=0, vmax=2, aspect="auto")
    vals = value.reindex(order)[list(INDICATORS)].to_numpy(dtype=float)
    for (i, j), x in np.ndenumerate(vals):
        if not np.isnan(x):
            ax.text(j, i, f"{x:.0f}" if INDICATORS[j] == "R6" else f"{x:.2f}", ha="center", va="center",
                    fontsize=8)
    names = [f"{'× ' if not u.loc[k, 'passes_school_rule'] else ''}{u.loc[k, 'school_name']}"
             f"（{STAGE_LABELS[k[1]]}）" for k in order]
    ax.set_yticks(range(len(order)), names, fontsize=8)
    ax.set_xticks(range(len(INDICATORS)), [f"{i}\n{INDICATOR_SHORT_LABELS[i]}" for i in INDICATORS], fontsize=8)
    ax.xaxis.tick_top()
    ax.grid(False)
    pct = limit_text(min_ratio * 100, "%")
    ax.set_xlabel(f"绿：达标　黄：未达标但不低于达标值的 {pct}　红：低于 {pct}　×：未达到校际指标要求", fontsize=8)
    return fig


def plot_recognition(recognition: pd.DataFrame, county: str, year: int | None = None,
                     city: str | None = None, *, places=None) -> Figure:
    """Recognition rate of each surveyed group with its Wilson interval, against the standard.

    ``recognition`` is the assessment's per-group table (rates and ``ci_low`` /
    ``ci_high`` in %, ``threshold`` from the profile, 85% nationally). Default
    ``year``: the latest in the table. Green: the interval lies above the
    standard; amber: the rate passes but the interval reaches below it (a small
    sample); red: the rate is below the standard. The dashed line is the standard.
    ``places`` (the assessment or its ``verdicts``) checks ``county``, ``city`` and
    ``year`` against every place assessed: a county without survey data has no row
    here and is drawn as 无满意度调查数据.
    """
    if places is not None:
        require_place(places, city=city, county=county, year=year)
    use_style()
    rows = select_place(recognition, county, city)
    fig = Figure(figsize=(PRINT_WIDTH_IN, min(1.3 + 0.3 * max(rows["group"].nunique(), 3), CHART_HEIGHT_IN)),
                 layout="constrained")
    ax = fig.subplots()
    if rows.empty:
        _empty(ax, "无满意度调查数据")
        fig.suptitle(f"{county} 社会认可度")
        return fig
    year = int(rows["year"].max()) if year is None else year
    rows = rows[rows["year"] == year].iloc[::-1]            # 全体 on top
    passes, fragile = rows["passes"].astype(bool).to_numpy(), rows["fragile"].astype(bool).to_numpy()
    colors = np.where(~passes, RATIO_COLORS["far"], np.where(fragile, RATIO_COLORS["near"], RATIO_COLORS["met"]))
    edge = np.where(~passes, "#c00000", np.where(fragile, "#bf9000", "#2e7d32"))
    y = np.arange(len(rows))
    rate = rows["rate"].to_numpy(float)
    err = np.vstack([rate - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - rate])
    ax.errorbar(rate, y, xerr=err, fmt="none", ecolor="#555555", capsize=4, linewidth=1.2)
    ax.scatter(rate, y, s=80, c=list(colors), edgecolors=list(edge), zorder=3)
    for value in sorted(rows["threshold"].dropna().unique()):
        ax.axvline(value, color="#c00000", linestyle="--", linewidth=1.2, label=f"标准 {value:g}%")
    labels = [f"{g}（n={int(n)}）" for g, n in zip(rows["group"], rows["respondents"])]
    ax.set_yticks(y, labels)
    ax.set_xlabel(f"认可度（%），横线为 {interval_level(rows)} Wilson 区间")
    low = min(float(np.nanmin(rows["ci_low"])), float(rows["threshold"].min())) - 3
    ax.set_xlim(max(low, 0), 100)
    ax.legend(loc="best", fontsize=MIN_FONT_PT)
    fig.suptitle(f"{county} {year}年 社会认可度（绿：达标　黄：达标但样本偏小，区间下限低于标准　红：未达标）")
    return fig


def plot_school_trend(values: pd.DataFrame, school_id: str) -> Figure:
    """One school's R1–R7 over the years as a share of each threshold (100% = just meets it).

    One panel per stage the school teaches; the dashed line at 100% is the
    threshold (each indicator's own, from the profile), so indicators with
    different units share one axis.
    """
    require_known(str(school_id), values["school_id"].astype(str).unique(), parameter="school_id",
                  what="学校标识码", where="资源配置明细")
    use_style()
    rows = values[values["school_id"].astype(str) == str(school_id)]
    stages = [s for s in STAGES if s in set(rows["stage"])]
    fig = Figure(figsize=(PRINT_WIDTH_IN, CHART_HEIGHT_IN), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(stages), sharey=True))
    for ax, stage in zip(axes, stages):
        part = rows[rows["stage"] == stage].sort_values("year")
        for ind, line in part.groupby("indicator", sort=True):
            ax.plot(line["year"], line["ratio"] * 100, marker=INDICATOR_MARKERS[ind], color=INDICATOR_COLORS[ind],
                    markersize=4, label=f"{ind} {INDICATOR_SHORT_LABELS[ind]}")
        ax.axhline(100, color=LIMIT_COLOR, linestyle="--", linewidth=1.2, label="达标线")
        year_ticks(ax, part["year"].unique(), max_labels=6)
        ax.set_title(STAGE_LABELS[stage])
        ax.set_xlabel("年份")
    axes[0].set_ylabel("占达标值的百分比（%）")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=MIN_FONT_PT)
    fig.suptitle(f"{rows['school_name'].iloc[0]} 各指标相对达标值")
    return fig
