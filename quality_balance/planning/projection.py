"""Projections (预测): when will a measure not yet met reach its threshold, if the trend holds?

Method: docs/method.md §12.

Method
------
For every county and numeric measure of the progress table
(:func:`quality_balance.planning.progress.progress`) that is not met in the county's last
observed year, an ordinary least-squares straight line ``value = a + b·year`` is
fitted to the measure's observed values (every observed year, equally weighted).
The *projected year* is the first year after the last observed year in which the
fitted line meets the threshold (the comparison of the measure: ``>=``, ``<=`` or
``<``, with the tolerance of :func:`quality_balance.method.rules.compare`). The
*interval years* come from the two-sided prediction interval of a new observation
at the ``level`` (default :data:`DEFAULT_LEVEL`, 90%) from Student's t
distribution with n − 2 degrees of freedom:
``ŷ ± t · s · sqrt(1 + 1/n + (year − mean year)² / Σ(year − mean year)²)``; the
*optimistic* year is the first year the favourable bound meets the threshold, the
*pessimistic* year the first year the unfavourable bound does.

* Already met in the last observed year: ``已达标``, and the projected year is the
  first year of the unbroken run of met years that ends in the last year.
* Fewer than :data:`MIN_POINTS` (3) observed values: ``数据不足，无法预测``.
* The line does not meet the threshold by :data:`HORIZON` (2030), or does not move
  toward it: ``按当前趋势 2030 年前无法达标`` (“not by 2030”).
* Yes/no, rating and several-part items cannot be extrapolated (``非单一数值项目
  （是/否、等级或多项组合），无法预测``); a measure without data in the last year
  cannot either.

Projected values (the line and both interval bounds) are clipped to the measure's
physical domain (:func:`unit_domain`), read from its ``unit`` and the column kinds of
:mod:`quality_balance.schema`: a count (a unit of ``count`` columns only: 所, 个, 人,
间, also "所（未达标学校数）") or any other quantity whose unit belongs only to
non-negative kinds (count, amount, rate, ratio), and a CV, is never projected below
0; a percentage (the unit of ``rate`` columns, ``%``, which inputs keep within 0–100,
and the shares of school units) never above 100. The projected and interval years are
read from the clipped values. Clipping changes no year where it does not bind, and
where it binds it changes none either unless the threshold lies at the domain's edge
with a strict comparison (a count ``< 0``, which no count can meet): a falling count
of failing schools 3, 2, 1 is 0 in the year the line reaches 0, never −1.

A projection is a statement about a trend, not a forecast of policy: a straight
line through three to five yearly values, bounded only by the measure's domain. Projected
values are kept apart from observed ones: in :attr:`Projection.paths` the column
``kind`` is ``实际`` (observed, in ``value``) or ``预测`` (projected, in
``projected``, ``low``, ``high``), never both in one row.

All series are fitted at once, in closed form from per-series sums
(``groupby`` + numpy), with no per-series Python loop.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import CalculationError
from .progress import SERIES, met_since, progress
from ..method.rules import compare
from ..schema import TABLES
from .._memory import reusing_freed_memory

__all__ = ["project", "projected_pass_year", "pass_projection", "Projection", "HORIZON", "DEFAULT_LEVEL", "MIN_POINTS",
           "ACTUAL", "PROJECTED", "OUTCOME_LABELS", "Domain", "unit_domain", "NON_NEGATIVE_KINDS"]

#: Last year projections look ahead to: the year by which 濮阳市 (seed 000: “力争到2030年…全部通过…
#: 提前5年完成全国、全省确定的目标任务”, i.e. five years before the national goal of
#: 《中国教育现代化2035》) and 呼和浩特市 (seed 002: “到2030年以前…100%”) plan every county certified.
HORIZON = 2030
#: Default coverage of the prediction interval.
DEFAULT_LEVEL = 0.90
#: Fewest observed values a straight line is fitted to (two leave no degree of freedom for the interval).
MIN_POINTS = 3
#: ``kind`` of an observed value / of a projected value in :attr:`Projection.paths`.
ACTUAL, PROJECTED = "实际", "预测"

#: Chinese labels of the projection outcomes.
OUTCOME_LABELS = {
    "met": "已达标",
    "projected": "预计达标",
    "not_by_horizon": f"按当前趋势{HORIZON}年前无法达标",
    "insufficient_data": "数据不足，无法预测",
    "not_numeric": "非单一数值项目（是/否、等级或多项组合），无法预测",
    "no_data": "最近一年无数据，无法预测",
    "not_applicable": "不适用",
    "by_parts": "见资源配置分项（差异系数、校际规则达标占比）的预测",
}


@dataclass(frozen=True)
class Projection:
    """Projections of every measure of a progress table.

    Attributes
    ----------
    summary : DataFrame
        One row per county and measure: ``last_year``, ``last_value``, ``threshold``,
        ``direction``, ``n_points``, ``slope`` (per year), ``outcome`` (a key of
        :data:`OUTCOME_LABELS`), ``outcome_label``, ``projected_year``,
        ``optimistic_year``, ``pessimistic_year`` (Int64; missing when beyond the
        horizon or not projected) and a Chinese ``note``.
    paths : DataFrame
        For plotting: observed values (``kind`` = ``实际``, ``value``) of every numeric
        series and, for projected series, one row per future year up to the horizon
        (``kind`` = ``预测``, ``projected``, ``low``, ``high``).
    level : float
        Coverage of the prediction interval.
    horizon : int
        Last year projected.
    """

    summary: pd.DataFrame
    paths: pd.DataFrame
    level: float = DEFAULT_LEVEL
    horizon: int = HORIZON


#: Column kinds of :mod:`quality_balance.schema` whose values are never negative (inputs refuse negatives).
NON_NEGATIVE_KINDS = frozenset({"count", "amount", "rate", "ratio"})


def _unit_kinds() -> dict[str, frozenset]:
    """Unit → the kinds of the schema columns measured in it."""
    kinds: dict[str, set] = {}
    for table in TABLES.values():
        for col in table.columns:
            kinds.setdefault(col.unit, set()).add(col.kind)
    return {unit: frozenset(k) for unit, k in kinds.items()}


_UNIT_KINDS = _unit_kinds()
#: Upper end of a ``rate`` column (percent), as input validation enforces it (:mod:`quality_balance.schema`).
_RATE_MAX = 100.0


@dataclass(frozen=True)
class Domain:
    """The physical range of a measure's values.

    Attributes
    ----------
    lower, upper : float
        Smallest and largest possible value (``-inf`` / ``inf`` when unbounded).
    count : bool
        The measure counts things (schools, classes, teachers, rooms): whole numbers,
        drawn with integer ticks.
    """

    lower: float = -np.inf
    upper: float = np.inf
    count: bool = False


def unit_domain(unit, source: str | None = None) -> Domain:
    """The physical domain of a measure, from its unit (and, for a CV, its source).

    The unit is looked up in the column units of :mod:`quality_balance.schema` after
    dropping a qualifier in full-width brackets ("所（未达标学校数）" → "所"):

    * only ``count`` columns use it (所, 个, 人, 间): a count, ≥ 0;
    * only columns of :data:`NON_NEGATIVE_KINDS` use it (元, 平方米…): ≥ 0;
    * only ``rate`` columns use it (``%``): a percentage between 0 and 100;
    * ``source == "cv"`` (a coefficient of variation, a standard deviation over a mean): ≥ 0;
    * anything else (no unit, 级, a unit the schema does not know): unbounded.

    Parameters
    ----------
    unit : str or None
        The measure's unit (the ``unit`` column of the progress table or of plan actuals).
    source : str, optional
        The progress table's ``source`` (``item``, ``cv``, ``school_rule``…).

    Returns
    -------
    Domain

    >>> unit_domain("所（未达标学校数）")
    Domain(lower=0.0, upper=inf, count=True)
    >>> unit_domain("%").upper, unit_domain("", "cv").lower, unit_domain("级").lower
    (100.0, 0.0, -inf)
    """
    base = unit.split("（")[0].split("(")[0].strip() if isinstance(unit, str) else ""
    kinds = _UNIT_KINDS.get(base, frozenset()) if base else frozenset()
    count = bool(kinds) and kinds == {"count"}
    lower = 0.0 if (kinds and kinds <= NON_NEGATIVE_KINDS) or source == "cv" else -np.inf
    upper = _RATE_MAX if kinds and kinds == {"rate"} else np.inf
    return Domain(lower, upper, count)


def _domains(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bound per row of a table with ``unit`` (and ``source``) columns."""
    pairs = pd.DataFrame({"unit": frame["unit"] if "unit" in frame else "",
                          "source": frame["source"] if "source" in frame else ""}, index=frame.index)
    pairs = pairs.fillna("").astype(str)
    known = pairs.drop_duplicates()   # a handful of units: one lookup each, not one per series
    bounds = pd.DataFrame([(unit_domain(u, s).lower, unit_domain(u, s).upper) for u, s in known.to_numpy()],
                          columns=["lower", "upper"], index=pd.MultiIndex.from_frame(known))
    rows = bounds.reindex(pd.MultiIndex.from_frame(pairs))
    return rows["lower"].to_numpy(float), rows["upper"].to_numpy(float)


def _meets(value, threshold, direction):
    """Elementwise ``value direction threshold`` for arrays of directions."""
    return compare(value, threshold, direction)


def _first_year(hit: np.ndarray, years: np.ndarray) -> pd.array:
    """First year (column) where ``hit`` is True, per row; missing where never."""
    out = pd.array(years[np.argmax(hit, axis=1)], dtype="Int64")
    out[~hit.any(axis=1)] = pd.NA
    return out


def _fit(obs: pd.DataFrame) -> pd.DataFrame:
    """Closed-form OLS per series from group sums: n, mean year, slope, intercept at the mean, s, Sxx."""
    g = obs.groupby(SERIES, sort=False)
    n, first = g["year"].size(), g["year"].min()
    xbar, ybar = g["year"].mean(), g["value"].mean()
    key = pd.MultiIndex.from_frame(obs[SERIES])
    dx = obs["year"].to_numpy(float) - xbar.reindex(key).to_numpy()
    dy = obs["value"].to_numpy(float) - ybar.reindex(key).to_numpy()
    sums = pd.DataFrame({"sxx": dx * dx, "sxy": dx * dy, "syy": dy * dy}, index=key).groupby(level=SERIES,
                                                                                             sort=False).sum()
    fit = pd.DataFrame({"n_points": n, "first_year": first, "xbar": xbar, "ybar": ybar}).join(sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        fit["slope"] = fit["sxy"] / fit["sxx"]
        sse = (fit["syy"] - fit["slope"] * fit["sxy"]).clip(lower=0)
        fit["s"] = np.sqrt(sse / (fit["n_points"] - 2))
    return fit


def _projection_grid(fit: pd.DataFrame, horizon: int, level: float):
    """Fitted values and interval bounds for the years after each series' last year up to ``horizon``."""
    from scipy.special import stdtrit  # Student's t quantile (= scipy.stats.t.ppf); scipy loads on first use

    years = np.arange(int(fit["last_year"].min()) + 1, horizon + 1)
    x = years[None, :].astype(float)
    xbar, n = fit["xbar"].to_numpy()[:, None], fit["n_points"].to_numpy(float)[:, None]
    centre = fit["ybar"].to_numpy()[:, None] + fit["slope"].to_numpy()[:, None] * (x - xbar)
    tq = stdtrit(np.maximum(n - 2, 1), (1 + level) / 2)
    half = tq * fit["s"].to_numpy()[:, None] * np.sqrt(1 + 1 / n + (x - xbar) ** 2 / fit["sxx"].to_numpy()[:, None])
    future = x > fit["last_year"].to_numpy()[:, None]
    return years, centre, centre - half, centre + half, future


def _year_text(series: pd.Series, beyond: str) -> pd.Series:
    return series.map(lambda y: beyond if y is pd.NA or y != y else f"{int(y)}年")


def project(data, *, horizon: int = HORIZON, level: float = DEFAULT_LEVEL) -> Projection:
    """Project every measure not met in its last observed year (method: module docstring).

    Parameters
    ----------
    data : Assessment or DataFrame
        An assessment, or its progress table (:func:`quality_balance.planning.progress`), possibly
        restricted to some counties or years.
    horizon : int, keyword-only
        Last year to look ahead to (default :data:`HORIZON`, 2030); must be after the
        last observed year.
    level : float, keyword-only
        Coverage of the prediction interval, strictly between 0 and 1 (default 0.90:
        a 90% interval).

    Returns
    -------
    Projection
        ``.summary`` (one row per county and measure) and ``.paths`` (observed and
        projected values, told apart by ``kind``).

    Raises
    ------
    CalculationError
        ``level`` is not strictly between 0 and 1, ``horizon`` is not after the last
        observed year, or ``data`` is a table without the progress columns.
    """
    with reusing_freed_memory():  # freed memory reused during the call (quality_balance/_memory.py)
        return _project(data, horizon=horizon, level=level)


def _project(data, *, horizon: int, level: float):
    """:func:`project` (its docstring), the allocator set by the caller."""
    if not 0 < level < 1:
        raise CalculationError(f"project: 'level' must be between 0 and 1 (e.g. 0.90), got {level!r}")
    table = data if isinstance(data, pd.DataFrame) else progress(data)
    missing = [c for c in ("city", "county", "year", "measure", "value", "threshold", "direction", "status",
                           "met", "numeric") if c not in table.columns]
    if missing:
        raise CalculationError(f"project: expected a progress table (qb.progress) or an Assessment; "
                               f"the table lacks columns {missing}")
    table = table.sort_values(SERIES + ["year"], kind="stable")
    last = table.groupby(SERIES, sort=False).tail(1).set_index(SERIES)
    if len(last) and horizon <= int(last["year"].max()):
        raise CalculationError(f"project: 'horizon' {horizon} must be after the last observed year "
                               f"{int(last['year'].max())}")
    keep = ["label", "dimension", "source", "stage", "indicator", "unit", "counts", "numeric", "direction",
            "threshold"]
    summary = last[[c for c in keep if c in last.columns]].copy()
    summary["last_year"], summary["last_value"], summary["last_status"] = last["year"], last["value"], last["status"]
    since = met_since(table, SERIES)
    obs = table[table["numeric"].astype(bool) & table["value"].notna()]
    fit = _fit(obs) if len(obs) else pd.DataFrame(columns=["n_points", "first_year", "xbar", "ybar", "sxx", "sxy",
                                                           "syy", "slope", "s"])
    summary = summary.join(fit[["n_points", "first_year", "slope", "xbar", "ybar", "sxx", "s"]])
    summary["n_points"] = summary["n_points"].fillna(0).astype(int)

    status = summary["last_status"]
    numeric = summary["numeric"].astype(bool)
    source = summary["source"] if "source" in summary else pd.Series("item", index=summary.index)
    resource_item = (summary.index.get_level_values("measure") == "R") & (source == "item")
    outcome = np.select(
        [status == "not_applicable", status == "met", resource_item, status == "no_data", ~numeric,
         summary["last_value"].isna(), summary["n_points"] < MIN_POINTS],
        ["not_applicable", "met", "by_parts", "no_data", "not_numeric", "no_data", "insufficient_data"], "fit")
    summary["outcome"] = outcome
    to_fit = summary[summary["outcome"] == "fit"]
    summary["projected_year"] = pd.array([pd.NA] * len(summary), dtype="Int64")
    summary["optimistic_year"] = summary["projected_year"].copy()
    summary["pessimistic_year"] = summary["projected_year"].copy()
    paths_future = []
    if len(to_fit):
        years, centre, low, high, future = _projection_grid(to_fit, horizon, level)
        floor, ceiling = (b[:, None] for b in _domains(to_fit))
        centre, low, high = (np.clip(v, floor, ceiling) for v in (centre, low, high))  # physical domain
        thr = to_fit["threshold"].to_numpy(float)[:, None]
        direction = to_fit["direction"].to_numpy(object)[:, None]
        up = direction == ">="
        best, worst = np.where(up, high, low), np.where(up, low, high)
        idx = to_fit.index
        summary.loc[idx, "projected_year"] = _first_year(_meets(centre, thr, direction) & future, years)
        summary.loc[idx, "optimistic_year"] = _first_year(_meets(best, thr, direction) & future, years)
        summary.loc[idx, "pessimistic_year"] = _first_year(_meets(worst, thr, direction) & future, years)
        rows, cols = np.nonzero(future)
        paths_future.append(pd.DataFrame({
            **{k: idx.get_level_values(k)[rows] for k in SERIES},
            "year": years[cols], "kind": PROJECTED, "value": np.nan, "projected": centre[rows, cols],
            "low": low[rows, cols], "high": high[rows, cols]}))
    fitted = summary["outcome"] == "fit"
    summary.loc[fitted, "outcome"] = np.where(summary.loc[fitted, "projected_year"].notna(), "projected",
                                              "not_by_horizon")
    is_met = summary["outcome"] == "met"
    summary.loc[is_met, "projected_year"] = since.reindex(summary.index[is_met]).to_numpy()
    summary["outcome_label"] = summary["outcome"].map(OUTCOME_LABELS).str.replace(str(HORIZON), str(horizon))
    summary["note"] = _notes(summary, level, horizon)
    summary = summary.drop(columns=["first_year", "xbar", "ybar", "sxx", "s", "last_status"]).reset_index()

    actual = obs[SERIES + ["year", "value"]].assign(kind=ACTUAL, projected=np.nan, low=np.nan, high=np.nan)
    paths = pd.concat([actual, *paths_future], ignore_index=True)
    paths = paths.merge(summary[SERIES + ["label", "threshold", "direction"]], on=SERIES, how="left")
    paths = paths.sort_values(SERIES + ["year"], kind="stable").reset_index(drop=True)
    paths = paths[SERIES + ["label", "year", "kind", "value", "projected", "low", "high", "threshold", "direction"]]
    return Projection(summary=summary, paths=paths, level=level, horizon=horizon)


def _notes(s: pd.DataFrame, level: float, horizon: int) -> pd.Series:
    """One Chinese sentence per series saying what the projection is and how sure."""
    first = s["first_year"].map(lambda y: "—" if y != y else f"{int(y)}")
    trend = ("按" + first + "—" + s["last_year"].astype(int).astype(str) + "年"
             + s["n_points"].astype(str) + "个观测值的线性趋势（每年" + s["slope"].map(
                 lambda v: "—" if v != v else f"{v:+.3g}") + "）")
    interval = (f"，{level:.0%}预测区间：" + _year_text(s["optimistic_year"], f"{horizon}年后") + "—"
                + _year_text(s["pessimistic_year"], f"{horizon}年后"))
    thr = s["direction"].fillna("").str.replace(">=", "≥").str.replace("<=", "≤") + s["threshold"].map(
        lambda v: "" if v != v else f"{v:g}")
    projected = trend + "，预计" + _year_text(s["projected_year"], "") + "达到" + thr + interval
    never = trend + f"，{horizon}年前达不到" + thr + interval
    met = "已达标（自" + _year_text(s["projected_year"], "—") + "起连续达标）"
    return pd.Series(np.select(
        [s["outcome"] == "projected", s["outcome"] == "not_by_horizon", s["outcome"] == "met"],
        [projected, never, met], s["outcome"].map(OUTCOME_LABELS)), index=s.index)


def projected_pass_year(data, *, horizon: int = HORIZON, level: float = DEFAULT_LEVEL,
                        progress_table: pd.DataFrame | None = None,
                        projection: Projection | None = None) -> pd.DataFrame:
    """Per county, the projected first year the whole county passes (达标), if the trends hold.

    A county that passes in its last observed year: ``status`` ``met`` and ``year`` =
    the first year of its current unbroken run of passing years. Otherwise every
    counting measure not met (or without data) in the last year decides (the ``R``
    item is represented by its parts: CVs and the school-rule shares):

    * any of them not a single number (yes/no...), without data or with too few points → ``unpredictable``
      (无法预测), naming them;
    * else any not reaching its threshold by the horizon → ``not_by_horizon``;
    * else ``projected``: ``year`` = the latest projected year among them, and the
      interval years the latest optimistic / pessimistic years (missing — beyond the
      horizon — when any of them is).

    Parameters
    ----------
    data : Assessment
        From :func:`quality_balance.assess` (its verdicts decide who passes already).
    horizon : int, keyword-only
        Last year to look ahead to (default :data:`HORIZON`, 2030), as in :func:`project`.
    level : float, keyword-only
        Coverage of the prediction interval behind the optimistic and pessimistic
        years (default 0.90), as in :func:`project`.
    progress_table : DataFrame, keyword-only
        ``progress(data)``, when the caller has it already (a report computes it once);
        default ``None``: computed here.
    projection : Projection, keyword-only
        ``project(progress_table)`` at this ``horizon`` and ``level``, when the caller has
        it already; default ``None``: computed here. The result is the same either way.

    Returns
    -------
    DataFrame
        One row per county: ``city``, ``county``, ``last_year``, ``status``
        (``met``/``projected``/``not_by_horizon``/``unpredictable``), ``year``,
        ``optimistic_year``, ``pessimistic_year`` (Int64), ``label`` (Chinese),
        ``deciding`` (the measures that set the year or block the projection), ``needs_data``
        (True when only missing data or too few years block the projection) and ``note``.

    Raises
    ------
    CalculationError
        ``level`` is not strictly between 0 and 1, ``horizon`` is not after the
        last observed year, or ``projection`` was made at another horizon or level.
    """
    table = progress(data) if progress_table is None else progress_table
    return pass_projection(data.verdicts, table, horizon, level, projection=projection)


def pass_projection(verdicts: pd.DataFrame, table: pd.DataFrame, horizon: int = HORIZON,
                    level: float = DEFAULT_LEVEL, *, projection: Projection | None = None) -> pd.DataFrame:
    """:func:`projected_pass_year` from an assessment's ``verdicts`` and progress ``table``.

    Both may be restricted to earlier years, to ask what the data said then. ``projection``
    (keyword-only) is ``project(table, horizon=horizon, level=level)`` when the caller has it
    already; one made at another horizon or level is a :class:`CalculationError`.
    """
    if projection is None:
        projection = project(table, horizon=horizon, level=level)
    elif (projection.horizon, projection.level) != (horizon, level):
        raise CalculationError(f"projected_pass_year: 'projection' was made with horizon {projection.horizon} "
                               f"and level {projection.level}, expected horizon {horizon} and level {level} "
                               f"(pass project(progress, horizon=..., level=...) with the same values)")
    summary = projection.summary
    last = verdicts.sort_values(["city", "county", "year"]).groupby(["city", "county"]).tail(1)
    out = last[["city", "county", "year", "overall"]].rename(columns={"year": "last_year"}).set_index(
        ["city", "county"])
    passing_since = met_since(verdicts.assign(met=verdicts["overall"] == "met"), ["city", "county"])

    blocking = summary[summary["counts"].astype(bool)
                       & summary["outcome"].isin(["projected", "not_by_horizon", "insufficient_data", "not_numeric",
                                                  "no_data"])]
    key = [blocking["city"], blocking["county"]]
    unknown = blocking["outcome"].isin(["insufficient_data", "not_numeric", "no_data"])
    late = blocking["outcome"] == "not_by_horizon"
    per = pd.DataFrame({
        "n_unknown": unknown.groupby(key).sum(),
        "n_late": late.groupby(key).sum(),
        "n_not_numeric": (blocking["outcome"] == "not_numeric").groupby(key).sum(),
        "year": blocking["projected_year"].groupby(key).max(),
        "optimistic_year": blocking["optimistic_year"].groupby(key).max(),
        "pessimistic_year": blocking["pessimistic_year"].groupby(key).max(),
        "opt_missing": blocking["optimistic_year"].isna().groupby(key).any(),
        "pes_missing": blocking["pessimistic_year"].isna().groupby(key).any(),
    })
    at_max = blocking["projected_year"].eq(per["year"].reindex(pd.MultiIndex.from_frame(
        blocking[["city", "county"]])).to_numpy()).fillna(False).astype(bool)
    # ``deciding`` names the measures by id (for scripts); the note, read by people, by their Chinese labels
    named = blocking["label"].fillna(blocking["measure"]).astype(str)
    for suffix, names in (("", blocking["measure"]), ("_text", named)):
        listed = (names + "（" + blocking["outcome_label"] + "）")[unknown]
        per["unknown_list" + suffix] = listed.groupby([k[unknown] for k in key]).agg("、".join)
        per["late_list" + suffix] = names[late].groupby([k[late] for k in key]).agg("、".join)
        per["latest_list" + suffix] = names[at_max].groupby([k[at_max] for k in key]).agg("、".join)
    out = out.join(per)
    met = out["overall"] == "met"
    n_unknown, n_late = out["n_unknown"].fillna(0), out["n_late"].fillna(0)
    out["status"] = np.select([met, n_unknown > 0, n_late > 0, out["year"].notna()],
                              ["met", "unpredictable", "not_by_horizon", "projected"], "unpredictable")
    out["year"] = out["year"].astype("Int64").where(out["status"] == "projected", pd.NA)
    out.loc[met, "year"] = passing_since.reindex(out.index[met]).to_numpy()
    projected = out["status"] == "projected"
    for col, flag in (("optimistic_year", "opt_missing"), ("pessimistic_year", "pes_missing")):
        out[col] = out[col].astype("Int64").where(projected & ~out[flag].fillna(True).astype(bool), pd.NA)
    out["deciding"] = np.select([out["status"] == "unpredictable", out["status"] == "not_by_horizon",
                                 projected], [out["unknown_list"], out["late_list"], out["latest_list"]], "")
    out["deciding"] = out["deciding"].fillna("")
    deciding_text = pd.Series(np.select([out["status"] == "unpredictable", out["status"] == "not_by_horizon",
                                         projected],
                                        [out["unknown_list_text"], out["late_list_text"], out["latest_list_text"]],
                                        ""), index=out.index).fillna("")
    out["needs_data"] = (out["status"] == "unpredictable") & (out["n_not_numeric"].fillna(0) == 0)
    labels = {"met": "已达标", "projected": "预计达标", "not_by_horizon": f"按当前趋势{horizon}年前无法达标",
              "unpredictable": "无法预测"}
    out["label"] = out["status"].map(labels)
    year_txt = _year_text(out["year"], "")
    out["note"] = np.select(
        [met, out["status"] == "projected", out["status"] == "not_by_horizon"],
        ["自" + year_txt + "起达标（" + out["last_year"].astype(str) + "年数据）",
         "预测" + year_txt + "达标（" + f"{level:.0%}" + "预测区间 "
         + _year_text(out["optimistic_year"], f"{horizon}年后")
         + "—" + _year_text(out["pessimistic_year"], f"{horizon}年后") + "），最晚达标的：" + deciding_text,
         "按当前趋势" + str(horizon) + "年前无法达标：" + deciding_text],
        "无法预测：" + deciding_text.where(deciding_text != "", "综合结论无数据"))
    cols = ["last_year", "status", "year", "optimistic_year", "pessimistic_year", "label", "deciding", "needs_data",
            "note"]
    return out[cols].reset_index()
