"""Charts of progress, projections and plan tracking, labelled in Chinese.

Each function takes the tables of :func:`quality_balance.planning.progress`,
:func:`quality_balance.project` (its ``paths`` and ``summary``) or
:func:`quality_balance.plan_actuals`, selects one county or plan target, and returns a
:class:`matplotlib.figure.Figure` built without pyplot (see :mod:`quality_balance.report.charts`).

Conventions: observed values are solid lines with filled markers (green met, red
not met); thresholds are dashed red lines whose value comes from the table (the
county's profile), never from this module; a projection is a dashed grey line with
its prediction interval as a light band, right of a dotted vertical line at the
last observed year, and labelled 预测 in the legend and on the chart. Counts (a unit
that only the schema's count columns use, :func:`quality_balance.planning.projection.unit_domain`)
have whole-number ticks and a y axis from 0, and projections never leave a measure's domain.

Sizes fit the printed page (:mod:`quality_balance.report.style`): at most
``PRINT_WIDTH_IN`` wide, text ≥ ``MIN_FONT_PT``, one chart ``CHART_HEIGHT_IN`` high, a grid
of panels at most ``GRID_HEIGHT_IN`` for up to three rows; year ticks are thinned on narrow panels.

A county, city, measure, plan target or kind the table does not hold raises an
:class:`~quality_balance.errors.UnknownNameError` naming it and the known ones.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import require_known, require_place
from ..planning.projection import unit_domain
from ..schema import INDICATOR_LABELS
from .charts import INDICATOR_SHORT_LABELS
from .style import CHART_HEIGHT_IN, GRID_HEIGHT_IN, MIN_FONT_PT, PRINT_WIDTH_IN, count_axis, use_style, year_ticks
from .tables import select_place

__all__ = ["plot_progress", "plot_county_progress", "plot_plan_vs_actual", "plot_plan_targets", "MET_COLOR",
           "NOT_MET_COLOR", "PROJECTION_COLOR"]

#: Marker colours of observed values (darker than the table fills of ``style.STATUS_COLORS``).
MET_COLOR, NOT_MET_COLOR = "#2e7d32", "#c00000"
#: Colour of projected lines and bands.
PROJECTION_COLOR = "#7f7f7f"
_LINE_COLOR = "#0173b2"


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])


def _year(value, horizon: int) -> str:
    return f"{horizon}年后" if value is pd.NA or value != value else f"{int(value)}年"


def _short_note(row: pd.Series, level: float, horizon: int) -> str:
    """"预计2027年达标（90%区间 2026年—2029年）", "已达标（自2023年起）"... for a panel title."""
    def year(value):
        return _year(value, horizon)
    if row["outcome"] == "met":
        return f"已达标（自{year(row['projected_year'])}起）"
    if row["outcome"] in ("projected", "not_by_horizon"):
        head = f"预计{year(row['projected_year'])}达标" if row["outcome"] == "projected" else row["outcome_label"]
        return f"{head}（{level:.0%}区间 {year(row['optimistic_year'])}—{year(row['pessimistic_year'])}）"
    return row["outcome_label"]


#: Height of one row of panels (inches) when there are few rows, and the least when there are many.
_ROW_HEIGHT_IN, _MIN_ROW_HEIGHT_IN = 2.6, 1.9
#: Height of a grid's title and bottom legend together (inches).
_GRID_FRAME_IN = 0.55


def _panel_label(rows: pd.DataFrame) -> str:
    """The measure's label, with a resource indicator's long name replaced by its short one."""
    label = str(rows["label"].iloc[0])
    indicator = rows["indicator"].dropna().iloc[0] if "indicator" in rows and rows["indicator"].notna().any() \
        else None
    if indicator in INDICATOR_LABELS:
        label = label.replace(INDICATOR_LABELS[indicator], INDICATOR_SHORT_LABELS[indicator])
    return label


def _unit(rows: pd.DataFrame) -> str:
    return rows["unit"].dropna().iloc[0] if "unit" in rows and rows["unit"].notna().any() else ""


def _draw_measure(ax, rows: pd.DataFrame, projection, paths: pd.DataFrame | None,
                  summary: pd.DataFrame | None) -> None:
    rows = rows.sort_values("year")
    label = _panel_label(rows)
    source = rows["source"].dropna().iloc[0] if "source" in rows and rows["source"].notna().any() else None
    domain = unit_domain(_unit(rows), source)
    observed = rows[rows["value"].notna()]
    ax.plot(observed["year"], observed["value"], color=_LINE_COLOR, marker="", linewidth=1.6, label="实际值")
    met = observed["met"].fillna(False).astype(bool).to_numpy()
    ax.scatter(observed["year"], observed["value"], s=36, zorder=3,
               c=np.where(met, MET_COLOR, NOT_MET_COLOR).tolist())
    if paths is not None and len(paths):
        future = paths[paths["kind"] == "预测"].sort_values("year")
        reached = summary["projected_year"].iloc[0] if summary is not None and len(summary) else pd.NA
        if reached is not pd.NA:  # draw up to the projected year, not beyond (values past it mean nothing)
            future = future[future["year"] <= reached]
        if len(future):
            last = observed.iloc[-1]
            xs = np.r_[last["year"], future["year"].to_numpy()]
            def inside(values):  # the projection's own clip, again for projections made elsewhere
                return np.clip(values, domain.lower, domain.upper)
            low = inside(np.r_[last["value"], future["low"].to_numpy()])
            ax.plot(xs, inside(np.r_[last["value"], future["projected"].to_numpy()]), color=PROJECTION_COLOR,
                    linestyle="--", linewidth=1.4, label="预测（线性趋势）")
            ax.fill_between(xs, low, inside(np.r_[last["value"], future["high"].to_numpy()]), color=PROJECTION_COLOR,
                            alpha=0.18, linewidth=0, label=f"预测区间（{projection.level:.0%}）")
            ax.axvline(last["year"], color="#999999", linestyle=":", linewidth=1)
            ax.text(last["year"] + 0.15, 0.97, "预测 →", transform=ax.get_xaxis_transform(), va="top",
                    fontsize=MIN_FONT_PT, color=PROJECTION_COLOR)
    for value in sorted(rows["threshold"].dropna().unique()):
        ax.axhline(value, color=NOT_MET_COLOR, linestyle="--", linewidth=1.1, clip_on=False, zorder=2.6,
                   label=f"标准 {rows['direction'].dropna().iloc[-1].replace('>=', '≥').replace('<=', '≤')} {value:g}")
    note = _short_note(summary.iloc[0], projection.level, projection.horizon) if summary is not None and len(summary) \
        else ""
    ax.set_title(label + ("\n" + note if note else ""), fontsize=MIN_FONT_PT)
    xs_all = sorted(set(rows["year"]) | (set(paths["year"]) if paths is not None and len(paths) else set()))
    year_ticks(ax, xs_all, max_labels=5)
    ax.set_ylabel(_unit(rows), fontsize=MIN_FONT_PT)
    if domain.count:
        count_axis(ax)


def plot_progress(progress: pd.DataFrame, county: str, measures: str | list[str], projection=None,
                  city: str | None = None, columns: int = 2) -> Figure:
    """One panel per measure: its values by year against its threshold, with the projection if given.

    Parameters
    ----------
    progress : DataFrame
        :func:`quality_balance.planning.progress` output (``measure``, ``year``, ``value``,
        ``threshold``, ``direction``, ``met``, ``label``, ``unit``).
    county : str
        The county to draw.
    measures : str or list of str
        Measure ids, e.g. ``["Q1", "R5-CV-primary", "R-rule-junior"]``. Status-only items
        (no numeric value), and a measure of the table that this county lacks (a local
        item of another county's profile), are drawn as an empty panel saying so; a
        measure of no county is an :class:`~quality_balance.errors.UnknownNameError`.
    projection : Projection, optional
        :func:`quality_balance.project` output; its ``paths`` add the dashed 预测 line
        and the interval band, its ``summary`` the one-line note under each title.
    city : str, optional
        To tell apart counties of the same name.
    columns : int
        Panels per row.
    """
    require_place(progress, city=city, county=county, where="进展表")
    measures = [measures] if isinstance(measures, str) else list(measures)
    known_measures = progress["measure"].unique()
    for measure in measures:
        require_known(measure, known_measures, parameter="measures", what="项目", where="进展表")
    use_style()
    rows = select_place(progress, county, city)
    n = max(len(measures), 1)
    ncols = min(columns, n)
    nrows = int(np.ceil(n / ncols))
    row = max(_MIN_ROW_HEIGHT_IN, min(_ROW_HEIGHT_IN, (GRID_HEIGHT_IN - _GRID_FRAME_IN) / nrows))
    fig = Figure(figsize=(PRINT_WIDTH_IN if ncols > 1 else PRINT_WIDTH_IN * 0.6, _GRID_FRAME_IN + row * nrows),
                 layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, measure in zip(axes, measures):
        part = rows[rows["measure"] == measure]
        if part.empty:
            _empty(ax, f"{measure}：无此项目")
            continue
        if not part["value"].notna().any():
            _empty(ax, f"{part['label'].iloc[0]}：非数值项目，见状态表")
            continue
        paths = summary = None
        if projection is not None:
            paths = select_place(projection.paths, county, city)
            paths = paths[paths["measure"] == measure]
            summary = select_place(projection.summary, county, city)
            summary = summary[summary["measure"] == measure]
        _draw_measure(ax, part, projection, paths, summary)
    for ax in axes[len(measures):]:
        ax.set_visible(False)
    handles, labels = {}, []
    for ax in axes[:len(measures)]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            key = lab.split(" ")[0]
            if key not in handles:
                handles[key] = h
                labels.append(key if not lab.startswith("标准") else "标准（虚线）")
    if handles:
        fig.legend(list(handles.values()), labels, loc="outside lower center", ncols=len(labels), fontsize=MIN_FONT_PT)
    fig.suptitle(f"{county} 逐年进展（绿点达标、红点未达标；灰色虚线为预测，非实际值）", fontsize=10)
    return fig


def plot_plan_vs_actual(actuals: pd.DataFrame, target_id: str, scope: str = "全市", plan: str | None = None) -> Figure:
    """Plan versus actual for one target and place, year by year.

    ``actuals`` is :func:`quality_balance.plan_actuals` output. For ``yearly`` and
    ``total`` targets: bars of the planned and actual amount per year (left) and
    the cumulative lines (right, over the years with an actual amount); for
    ``level`` targets: the observed level, the straight path to the target and the
    target at its year. Years without an actual amount are marked 无数据.
    """
    require_known(target_id, actuals["target_id"].unique(), parameter="target_id", what="规划目标",
                  where="规划逐年数据")
    target = actuals[actuals["target_id"] == target_id]
    if plan is not None:
        require_known(plan, target["plan"].unique(), parameter="plan", what="规划",
                      where=f"规划目标 {target_id} 的逐年数据")
        target = target[target["plan"] == plan]
    require_known(scope, target["scope"].unique(), parameter="scope", what="范围（县区或全市）",
                  where=f"规划目标 {target_id} 的逐年数据")
    use_style()
    rows = target[target["scope"] == scope]
    rows = rows.sort_values("year")
    first = rows.iloc[0]
    unit, years = first["unit"] or "", rows["year"].to_numpy()
    title = f"{first['plan']} {scope}：{first['label']}"
    count = unit_domain(unit).count
    if first["kind"] == "level":
        fig = Figure(figsize=(PRINT_WIDTH_IN, CHART_HEIGHT_IN), layout="constrained")
        ax = fig.subplots()
        known = rows[rows["actual"].notna()]
        ax.plot(known["year"], known["actual"], color=_LINE_COLOR, marker="o", label="实际")
        path = rows[rows["planned_to_date"].notna()]
        ax.plot(path["year"], path["planned_to_date"], color=PROJECTION_COLOR, linestyle=":",
                label="按期完成所需进度（直线）")
        sign = "≤" if first["direction"] == "<=" else "≥"
        ax.scatter([first["deadline"]], [first["value"]], marker="*", s=160, color=NOT_MET_COLOR, zorder=3,
                   label=f"目标 {sign}{first['value']:g}{unit}（{first['deadline']}年）")
        year_ticks(ax, years, max_labels=10)
        ax.set_ylabel(unit)
        if count:
            count_axis(ax)
        ax.legend(fontsize=MIN_FONT_PT)
        fig.suptitle(title, fontsize=10)
        return fig
    fig = Figure(figsize=(PRINT_WIDTH_IN, CHART_HEIGHT_IN), layout="constrained")
    bars, cum = fig.subplots(1, 2)
    width = 0.38
    bars.bar(years - width / 2, rows["planned"], width, color="#bdd7ee", label="计划")
    actual = rows["actual"].to_numpy(float)
    bars.bar(years + width / 2, np.nan_to_num(actual), width, color=_LINE_COLOR, label="实际")
    for y in years[np.isnan(actual)]:
        bars.text(y + width / 2, 0, "无数据", rotation=90, ha="center", va="bottom", fontsize=MIN_FONT_PT,
                  color="#666666")
    bars.set_ylabel(unit)
    bars.set_title("逐年：计划与实际", fontsize=9)
    bars.legend(fontsize=MIN_FONT_PT)
    known = rows[rows["actual"].notna()]
    cum.plot(known["year"], known["planned_to_date"], color="#9dc3e6", marker="s", label="累计计划（有数据的年份）")
    cum.plot(known["year"], known["actual_to_date"], color=_LINE_COLOR, marker="o", label="累计实际")
    cum.axhline(first["value"], color=NOT_MET_COLOR, linestyle="--", linewidth=1.1,
                label=f"全期目标 {first['value']:g}{unit}（{first['deadline']}年）")
    cum.set_title("累计：计划与实际", fontsize=9)
    cum.legend(fontsize=MIN_FONT_PT)
    fig.suptitle(title, fontsize=10)
    for ax in (bars, cum):
        year_ticks(ax, years, max_labels=5)
        ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
        if count:
            count_axis(ax)
    return fig


def plot_plan_targets(actuals: pd.DataFrame, scope: str = "全市", kinds: tuple[str, ...] = ("yearly",),
                      plan: str | None = None) -> list[Figure]:
    """Plan-versus-actual charts (:func:`plot_plan_vs_actual`) of every target of one place.

    ``actuals`` is :func:`quality_balance.plan_actuals` output; ``scope`` a county or
    ``全市``; ``kinds`` the target kinds to draw (default: the ``yearly`` targets, the
    ones a plan spells out year by year). Returns one figure per target, in the
    plan's order; an empty list when the place has no such target. A kind that is not a
    plan target kind (:data:`quality_balance.standards.plan.KINDS`) is an
    :class:`~quality_balance.errors.UnknownNameError`.
    """
    from ..standards.plan import KINDS

    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    for kind in kinds:
        require_known(kind, KINDS, parameter="kinds", what="目标类型", where="规划目标类型")
    rows = actuals[(actuals["scope"] == scope) & actuals["kind"].isin(list(kinds))]
    if plan is not None:
        rows = rows[rows["plan"] == plan]
    targets = rows[["plan", "target_id"]].drop_duplicates()
    return [plot_plan_vs_actual(rows, target, scope, name)
            for name, target in targets.itertuples(index=False, name=None)]


def plot_county_progress(progress: pd.DataFrame, county: str, projection=None, max_n: int | None = 6,
                         city: str | None = None) -> list[Figure]:
    """The progress chart of a county report: :func:`plot_progress` of the measures worth showing.

    The measures are :func:`quality_balance.report.tables.progress_measures` (counting numeric
    measures not met in the last year, widest gap first, then those fixed during the
    period; at most ``max_n``). Returns ``[figure]``, or ``[]`` when there is no such
    measure (every counting measure met in every year), so a report can say so.
    """
    from .tables import progress_measures

    require_place(progress, city=city, county=county, where="进展表")
    measures = progress_measures(progress, county, max_n=max_n, city=city)
    return [plot_progress(progress, county, measures, projection, city=city)] if measures else []
