"""Resource allocation (资源配置): R1–R7 per school unit, the school rule, the weighted CV.

Method: docs/method.md §4.

The dimension passes for a county-year when

* every in-scope school unit meets the school rule: at least
  ``resources.school_rule.min_met`` (6) of the 7 indicators, and each indicator it
  misses reaches at least ``resources.school_rule.min_ratio_of_miss`` (85%) of its
  threshold; and
* for 小学 and 初中 separately, every indicator's student-weighted CV is within
  ``resources.cv_limit`` (0.50 / 0.45).

All thresholds come from the county's profile. Everything is computed for every
county, year, stage and indicator at once (no per-county loop in the hot path).

Values equal to a threshold meet it. Every comparison and the school rule itself are
:mod:`quality_balance.method.rules` (one tolerance, :data:`~quality_balance.method.rules.FLOAT_TOLERANCE`
= 1e-9 relative, so that binary rounding — 21 teachers ÷ 500 students × 100 = 4.2 —
never turns an exact hit into a miss).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import CalculationError
from ..standards.conditions import apply_variants
from ..standards.profile import Profile, profiles_by_county
from ..schema import (COUNTY_KEY as COUNTY, CV_GROUP_KEY as GROUP, PLACE_KEY as PLACE, INDICATOR_LABELS,
                      INDICATOR_SCALE, INDICATORS, STAGE_LABELS, STAGES)
from .rules import (FLOAT_TOLERANCE, SchoolRule, at_most, digits_needed_array, least_meeting, limit_text,
                    near_equal, number_text, number_texts)
from .split import place_sort_codes, split_coded
from .texts import filled, join_rows
from ..stats import grouped_cv_influence
from ..stats.cv import cv_from_moments, weighted_cv_by_code, weighted_moments_by_code
from ..stats.gini import gini_by_code
from ..stats.theil import theil_by_code
from .._memory import reusing_freed_memory
from ..inputs.runs import factorize_text

__all__ = ["ResourceAssessment", "assess_resources", "FLOAT_TOLERANCE", "format_value", "format_values"]

_DECIMALS = {"R6": 0}
#: Decimals of a CV in reason texts (more when needed against its limit).
CV_DECIMALS = 3


def format_value(indicator: str, value: float, limit: float | None = None) -> str:
    """Indicator value for reason texts: 元 without decimals, others with two — more when needed.

    With ``limit`` (the threshold it is compared with) the value gets as many more decimals as it
    needs never to read as equal to a threshold it misses
    (:func:`quality_balance.method.rules.number_text`).

    >>> format_value("R6", 1234.5), format_value("R4", 4.456), format_value("R6", 1999.6, 2000)
    ('1234', '4.46', '1999.6')
    """
    return number_text(value, limit, decimals=_DECIMALS.get(indicator, 2), thousands=False)


def format_values(indicators, values, limits=None) -> np.ndarray:
    """:func:`format_value` of every row at once (indicators, values and limits aligned; vectorised).

    >>> format_values(["R6", "R4", "R6"], [1234.5, 4.456, 1999.6], [None, None, 2000]).tolist()
    ['1234', '4.46', '1999.6']
    """
    ind = np.asarray(indicators, dtype=object)
    decimals = np.full(ind.shape, 2, dtype=np.int64)
    for indicator, d in _DECIMALS.items():
        decimals[ind == indicator] = d
    return number_texts(np.asarray(values, dtype=float), None if limits is None else np.asarray(limits, dtype=object),
                        decimals=decimals, thousands=False)


def county_settings(profiles: dict[tuple[str, str], Profile]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-county settings and thresholds, read from each county's profile.

    Returns ``settings`` indexed by (city, county) — split weights, teaching-point
    cut, school-rule parameters, CV limits, profile name — and ``thresholds``
    indexed by (city, county, stage, indicator).
    """
    columns = COUNTY + ["profile", "w_primary", "w_junior", "w_senior", "cm_junior", "cm_senior", "exclude_tp_below",
                        "min_met", "min_ratio"] + [f"cv_limit_{st}" for st in STAGES]
    read: dict[int, tuple] = {}  # each distinct profile object read once (many counties share one)
    rows, thresholds = [], []
    for (city, county), prof in profiles.items():
        if id(prof) not in read:
            res = prof.get("resources")
            rule = SchoolRule.from_profile(prof)
            read[id(prof)] = (
                (prof.name, res["stage_weights"]["primary"], res["stage_weights"]["junior"],
                 res["stage_weights"]["senior"], res["complete_middle_weights"]["junior"],
                 res["complete_middle_weights"]["senior"], res["exclude_teaching_points_below"],
                 rule.min_met, rule.min_ratio, *(res["cv_limit"][st] for st in STAGES)),
                [(stage, ind, float(res["thresholds"][stage][ind])) for stage in STAGES for ind in INDICATORS])
        row, limits = read[id(prof)]
        rows.append((city, county, *row))
        thresholds.extend((city, county, *limit) for limit in limits)
    # built column by column (a list per column: each column's dtype inferred as from the rows' values)
    settings = (pd.DataFrame({name: list(values) for name, values in zip(columns, zip(*rows))}, columns=columns)
                if rows else pd.DataFrame(rows, columns=columns)).set_index(COUNTY)  # the columns named: no county
    thr = pd.DataFrame(thresholds, columns=COUNTY + ["stage", "indicator", "threshold"])
    return settings, thr.set_index(COUNTY + ["stage", "indicator"])["threshold"]


#: The columns of :attr:`ResourceAssessment.values` after each unit's identity (``IndicatorGrid.id_columns``).
_LONG_COLUMNS = ("indicator", "resource", "value", "threshold", "ratio", "met", "passes_school_rule")


@dataclass(frozen=True)
class IndicatorGrid:
    """The unit × indicator figures of an assessment as arrays: what :attr:`ResourceAssessment.values` is built from.

    Indicator-major, like the long table: column ``u`` of each array is unit ``u`` (row ``u`` of
    :attr:`ResourceAssessment.units`), row ``j`` is ``INDICATORS[j]``. At national scale the long table
    is 7.7 M rows (≈1 GiB, its text columns copied seven times); the arrays are 0.13 GiB, and the long
    rows are made only for the units asked for (:meth:`ResourceAssessment.values_of`).

    Attributes
    ----------
    resource : ndarray of float, shape (indicators, units)
        Each indicator's numerator (teachers, m², 元… of the unit; spec §2.1).
    threshold : ndarray of float, shape (indicators, units)
        The unit's county's threshold (NaN for a unit of no known county).
    met : ndarray of bool, shape (indicators, units)
        The value reaches the threshold (:func:`~quality_balance.method.rules.at_least`).
    id_columns : tuple of str
        The columns of ``units`` that identify a unit and lead every long row (``city`` … ``split``).
    """

    resource: np.ndarray
    threshold: np.ndarray
    met: np.ndarray
    id_columns: tuple

    def take(self, units: np.ndarray) -> "IndicatorGrid":
        """The grid of the units at these positions (in this order), as their own assessment numbers them."""
        units = np.asarray(units, dtype=np.intp)
        return IndicatorGrid(resource=self.resource[:, units], threshold=self.threshold[:, units],
                             met=self.met[:, units], id_columns=self.id_columns)


@dataclass(frozen=True)
class ResourceAssessment:
    """The resource-allocation result for every county and year of a school table.

    Attributes
    ----------
    units : DataFrame
        One row per county, year, school unit and stage: ``students``, ``R1``…``R7``
        (indicator values in the units of spec §2.1), ``met_count``,
        ``passes_school_rule``, ``misses`` (e.g. ``"R4,R6"``), ``worst_ratio``
        (lowest value/threshold among misses), ``reason``.
    cv : DataFrame
        One row per county, year, stage and indicator: ``cv`` (student-weighted),
        ``limit``, ``passes`` (missing where not applicable or undefined),
        ``status`` (``met``/``not_met``/``undefined``/``not_applicable``), ``mean``
        (the county aggregate ratio), ``n_units``, ``cv_unweighted``, ``gini``,
        ``theil``, ``theil_between``, ``theil_within`` (over 城区/镇区/乡村), ``reason``.
    counties : DataFrame
        One row per county and year: ``status`` (``met``/``not_met``/``not_applicable``),
        unit and failure counts, the worst CV and its limit, ``reason``.
    excluded : DataFrame
        Schools left out of R (special-education schools, small teaching points) with reasons.
    grid : IndicatorGrid
        Each unit's resource, threshold and met flag per indicator, as arrays (:attr:`values` is made from it).
    profiles : dict
        (city, county) → :class:`~quality_balance.standards.profile.Profile` used.
    synthetic : bool
        True when the input was synthetic demo data.
    values : DataFrame
        Long table, one row per unit and indicator (indicator-major: every unit's R1, then R2…):
        the unit's identity, ``indicator``, ``resource`` (numerator), ``value``, ``threshold``,
        ``ratio`` (value/threshold), ``met``, ``passes_school_rule`` — what plots, influence and
        gap-to-pass work from. Made from :attr:`grid` on first access and kept; :meth:`values_of`
        makes the rows of some units only.
    """

    units: pd.DataFrame
    cv: pd.DataFrame
    counties: pd.DataFrame
    excluded: pd.DataFrame = field(repr=False)
    grid: IndicatorGrid = field(repr=False)
    profiles: dict = field(repr=False, default_factory=dict)
    synthetic: bool = False

    @cached_property
    def values(self) -> pd.DataFrame:
        """The long unit × indicator table (see the class), made once on first access."""
        return self.values_of(None)

    def values_of(self, units: np.ndarray | None, *, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of :attr:`values` of the units at these positions of :attr:`units` (``None``: every unit).

        The rows are those :attr:`values` holds, in its order (indicator-major, then unit), with its
        index (row ``j · len(units) + u`` is unit ``u``'s ``INDICATORS[j]``); a unit named twice is there
        once. ``columns`` (default all) keeps only these, in :attr:`values`' column order, so that a
        selection never copies the text columns it does not read. A national assessment's gap or
        shortfalls for a few units cost what those units cost.

        Raises
        ------
        CalculationError
            ``columns`` names a column :attr:`values` does not have.
        """
        grid = self.grid
        k, n = grid.met.shape
        every = units is None
        at = np.arange(n) if every else np.unique(np.asarray(units, dtype=np.intp))
        m = len(at)
        known = [*grid.id_columns, *_LONG_COLUMNS]
        unknown = [c for c in (columns or []) if c not in known]
        if unknown:
            raise CalculationError(f"values_of: columns {unknown} are not columns of ResourceAssessment.values "
                                   f"(expected some of {known})")
        wanted = (lambda c: True) if columns is None else set(columns).__contains__
        ids = [c for c in grid.id_columns if wanted(c)]
        head = self.units[ids].take(np.tile(at, k)).reset_index(drop=True)
        names = pd.array(list(INDICATORS), dtype=self.units["city"].dtype)  # k texts made once, then spread
        resource = grid.resource[:, at]
        students = self.units["students"].to_numpy(dtype=float)[at]
        threshold = grid.threshold[:, at].reshape(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = (resource * _scales()[:, None] / students[None, :]).reshape(-1)  # as _unit_values: the same bits
            ratio = value / threshold
        resource = resource.reshape(-1)
        numbers = {"indicator": names.take(np.repeat(np.arange(k), m)), "resource": resource, "value": value,
                   "threshold": threshold, "ratio": ratio, "met": grid.met[:, at].reshape(-1),
                   "passes_school_rule": np.tile(self.units["passes_school_rule"].to_numpy(dtype=bool)[at], k)}
        numbers = pd.DataFrame({c: numbers[c] for c in _LONG_COLUMNS if wanted(c)}, copy=False)
        out = pd.concat([head, numbers], axis=1)
        if not every:
            out.index = (np.arange(k)[:, None] * n + at[None, :]).reshape(-1)
        return out

    @cached_property
    def influence(self) -> pd.DataFrame:
        """Each unit's influence on its CV: ``cv_at_mean``, ``cv_without``, ``effect_at_mean``.

        See :mod:`quality_balance.stats.influence`. One row per unit and indicator.
        """
        cols = GROUP + ["school_id", "school_name", "location", "value", "students"]
        made = self.__dict__.get("values")  # the long table when it has been made already, else only these columns
        rows = made[cols] if made is not None else self.values_of(None, columns=cols)
        return grouped_cv_influence(rows, GROUP).reset_index(drop=True)


def _unit_values(units: pd.DataFrame, thresholds: np.ndarray, unit_county: np.ndarray,
                 unit_stage: np.ndarray) -> tuple[IndicatorGrid, np.ndarray, np.ndarray]:
    """Each unit's indicators as arrays: the grid (resource, threshold, met), and the values and ratios.

    Indicator-major (all units for R1, then R2…: row ``j·n + u`` of the flattened arrays is unit ``u``'s
    indicator ``j``), as ``melt`` would give the long table, without making it. ``thresholds`` is
    counties × stages × indicators (:func:`_threshold_array`), ``unit_county`` each unit's row in it
    (−1: none, thresholds missing) and ``unit_stage`` its stage (position in ``STAGES``): the thresholds
    are found by integer codes. ``value`` and ``ratio`` are flat (``k · n``).
    """
    n, k = len(units), len(INDICATORS)
    resource = np.empty((k, n))
    for j, i in enumerate(INDICATORS):
        resource[j] = units[f"res_{i}"].to_numpy(dtype=float)
    padded = np.concatenate([thresholds, np.full((1,) + thresholds.shape[1:], np.nan)])
    at = (np.where(unit_county >= 0, unit_county, len(thresholds)), unit_stage)
    by_indicator = np.moveaxis(padded, -1, 0)  # indicators × counties × stages: the gathers come out as k × n
    threshold = np.ascontiguousarray(by_indicator[(slice(None),) + at])
    least = least_meeting(by_indicator)[(slice(None),) + at]  # the bound of at_least, once per threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        # broadcast, not tiled: resource · scale / students element by element, as the long table has them
        value = resource * _scales()[:, None] / units["students"].to_numpy(dtype=float)[None, :]
        ratio = value / threshold
    id_cols = tuple(c for c in units.columns if not c.startswith("res_"))
    grid = IndicatorGrid(resource=resource, threshold=threshold, met=value >= least, id_columns=id_cols)
    return grid, value.reshape(-1), ratio.reshape(-1)


def _scales() -> np.ndarray:
    """Each indicator's scale (×100 for the per-hundred-students indicators), in ``INDICATORS`` order."""
    return np.array([INDICATOR_SCALE[i] for i in INDICATORS], dtype=float)


def _threshold_array(thresholds: pd.Series, n_counties: int) -> np.ndarray:
    """:func:`county_settings`' thresholds as an array, counties (its order) × ``STAGES`` × ``INDICATORS``."""
    return thresholds.to_numpy(dtype=float).reshape(n_counties, len(STAGES), len(INDICATORS))


def _miss_text(long: pd.DataFrame, rule: SchoolRule) -> pd.Series:
    """"R4 生均教学及辅助用房面积 3.90 < 4.5（86.7%）" per missed indicator row.

    The value gets the digits it needs not to read as its threshold, the share of the
    threshold those it needs not to read as 100% or as the rule's ratio (``rule`` aligned
    with ``long``).
    """
    ind = long["indicator"].to_numpy(dtype=object)
    value = format_values(ind, long["value"].to_numpy(dtype=float), long["threshold"].to_numpy(dtype=float))
    pct = long["ratio"].to_numpy(dtype=float) * 100
    floor = np.broadcast_to(np.asarray(rule.min_ratio, dtype=float) * 100, pct.shape)
    share = _share_texts(pct, floor)
    threshold = _mapped(long["threshold"], lambda t: limit_text(t, thousands=False)).to_numpy(dtype=object)
    labels = {i: f"{i} {INDICATOR_LABELS[i]} " for i in INDICATORS}
    prefix = np.array([labels[i] for i in ind], dtype=object)
    return pd.Series(join_rows(prefix, value, " < ", threshold, "（", share, "%）"), index=long.index, dtype=object)


def _share_texts(pct: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Shares of the threshold (%) with one decimal, more where needed not to read as 100% or as ``floor``.

    The same texts as ``number_texts(pct, None, decimals=max(digits_needed_array(pct, 100, 1),
    digits_needed_array(pct, floor, 1)))``, each share formatted once: only the few that would read as a
    limit they are not are formatted again with more decimals.
    """
    texts = number_texts(pct, None, decimals=1)
    with np.errstate(invalid="ignore"):
        shown = np.where(np.isnan(pct), np.nan, pd.to_numeric(pd.Series(texts), errors="coerce").to_numpy(float))
        wrong = np.zeros(pct.shape, dtype=bool)
        for limit in (np.full(pct.shape, 100.0), floor):
            check = np.isfinite(pct) & np.isfinite(limit) & ~near_equal(pct, limit)
            wrong |= check & (np.sign(shown - limit) != np.sign(pct - limit))
    rows = np.flatnonzero(wrong)
    if rows.size:
        more = np.maximum(digits_needed_array(pct[rows], 100.0, 1), digits_needed_array(pct[rows], floor[rows], 1))
        texts[rows] = number_texts(pct[rows], None, decimals=more)
    return texts


def _mapped(series: pd.Series, fn) -> pd.Series:
    """``series.map(fn)`` with ``fn`` called once per distinct value (thresholds: a handful per profile)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    texts = np.array([fn(u) for u in uniques], dtype=object)
    return pd.Series(texts[codes] if len(codes) else np.array([], dtype=object), index=series.index, dtype=object)


def _join_runs(texts: np.ndarray, owner: np.ndarray, n: int, sep: str) -> np.ndarray:
    """Per owner ``0 … n − 1``, its texts joined with ``sep`` in the order given; "" for an owner without any.

    ``owner`` is non-decreasing (each owner's texts together): the first text of every run is taken
    as it is and the r-th texts are appended for the runs that have them — one concatenation per text.
    """
    out = filled(n, "")
    if not len(texts):
        return out
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    lengths = np.diff(np.append(starts, len(texts)))
    joined = texts[starts].copy()
    for r in range(1, int(lengths.max())):
        more = lengths > r
        joined[more] = joined[more] + sep + texts[starts[more] + r]
    out[owner[starts]] = joined
    return out


def _school_rule(grid: IndicatorGrid, flat_value: np.ndarray, flat_ratio: np.ndarray, units: pd.DataFrame,
                 rule: SchoolRule) -> pd.DataFrame:
    """The unit table: R1–R7 values, met count, misses and the school rule's verdict and reason.

    ``rule`` gives each unit its county's rule (arrays aligned with ``units``). ``grid``, ``flat_value``
    and ``flat_ratio`` are :func:`_unit_values` of ``units`` (indicator-major, row ``j·n + u`` is unit
    ``u``'s indicator ``j``), so the per-unit figures are reshaped to units × indicators: no pivot, no merge.
    """
    n, k = len(units), len(INDICATORS)
    value = flat_value.reshape(k, n).T
    ratio = flat_ratio.reshape(k, n).T
    missed = np.flatnonzero(~grid.met.reshape(-1))  # indicator-major: row j·n + u
    unit = missed % n
    by_unit = np.argsort(unit, kind="stable")  # each unit's misses together, in indicator order
    missed, unit = missed[by_unit], unit[by_unit]
    at_miss = SchoolRule(min_met=np.asarray(rule.min_met)[unit], min_ratio=np.asarray(rule.min_ratio)[unit],
                         n_indicators=rule.n_indicators)
    rows = pd.DataFrame({"indicator": np.array(INDICATORS, dtype=object)[missed // n] if n else np.zeros(0, object),
                         "value": flat_value[missed], "threshold": grid.threshold.reshape(-1)[missed],
                         "ratio": flat_ratio[missed]})
    texts = _miss_text(rows, at_miss).to_numpy(object) if len(missed) else np.zeros(0, dtype=object)
    miss_text = _join_runs(texts, unit, n, "；")
    names = np.array(INDICATORS, dtype=object)[missed // n] if n else np.zeros(0, dtype=object)
    misses = _join_runs(names, unit, n, ",")
    miss = np.zeros(n * k, dtype=bool)
    miss[missed] = True
    miss = miss.reshape(k, n).T
    with np.errstate(invalid="ignore"):
        worst = np.where(miss & ~np.isnan(ratio), ratio, np.inf).min(axis=1) if k else np.full(n, np.inf)
    out = units.drop(columns=[c for c in units.columns if c.startswith("res_")]).reset_index(drop=True)
    for j, ind in enumerate(INDICATORS):
        out[ind] = value[:, j]
    out["met_count"] = (~miss).sum(axis=1).astype(np.int64)
    out["misses"] = pd.Series(misses, dtype=out["city"].dtype)
    out["worst_ratio"] = np.where(np.isinf(worst), np.nan, worst)  # no miss (or none with a ratio): NaN
    out["passes_school_rule"] = rule.passes(out["met_count"].to_numpy(), out["worst_ratio"].to_numpy())
    out["reason"] = rule.reasons(out["met_count"].to_numpy(), out["worst_ratio"].to_numpy(), miss_text)
    return out


def _cv_text(cv: pd.Series, limit: pd.Series) -> pd.Series:
    """CVs for reason texts: three decimals, more when needed not to read as the limit."""
    return pd.Series(number_texts(cv.to_numpy(dtype=float, na_value=np.nan),
                                  limit.to_numpy(dtype=float, na_value=np.nan), decimals=CV_DECIMALS),
                     index=cv.index, dtype=object)


#: Above this many unit × indicator rows the CV statistics are computed a block of places at a time
#: (:func:`_cv_stats`), each block about :data:`BLOCK_ROWS` rows: the kernels' unit-length arrays are then a
#: fraction as long (at national scale 8 MB instead of 62 MB: less fresh memory to fault in, better use of the
#: cache), and every group gets the same sums of the same rows in the same order as in one pass. Below it the
#: one pass costs less (each block's kernels have their fixed cost).
BLOCK_FROM_ROWS = 1_000_000
BLOCK_ROWS = 250_000

#: The statistics :func:`_cv_stats` computes per (place, stage, indicator), in its table's column order.
_STATS = ("cv", "mean", "cv_unweighted", "n_units", "students", "gini", "theil", "theil_between", "theil_within")


def _group_stats(x: np.ndarray, w: np.ndarray, c: np.ndarray, n_groups: int, loc: np.ndarray,
                 n_loc: int) -> dict[str, np.ndarray]:
    """The statistics of :data:`_STATS` of every group ``0 … n_groups − 1`` (:mod:`quality_balance.stats` kernels)."""
    students, mean, variance = weighted_moments_by_code(x, w, c, n_groups)
    out = {"cv": cv_from_moments(mean, variance), "mean": mean,
           "cv_unweighted": weighted_cv_by_code(x, None, c, n_groups),
           "n_units": np.bincount(c, minlength=n_groups).astype(int), "students": students}
    out["theil"], out["theil_between"], out["theil_within"] = theil_by_code(x, w, c, n_groups, loc, n_loc)
    out["gini"] = gini_by_code(x, w, c, n_groups)
    return out


def _long_stats(flat_value: np.ndarray, w_units: np.ndarray, unit_group: np.ndarray, loc: np.ndarray,
                n_groups: int, n_loc: int) -> dict[str, np.ndarray]:
    """:func:`_group_stats` of units laid out indicator-major (row ``j·n + u`` is unit ``u``'s indicator ``j``),
    unit ``u`` in group ``unit_group[u] · k + j`` (−1: none); rows without a value, students or group left out."""
    k = len(INDICATORS)
    code = (unit_group[None, :] * k + np.arange(k)[:, None]).reshape(-1)
    code[np.tile(unit_group < 0, k)] = -1
    w = np.tile(w_units, k)
    keep = ~np.isnan(flat_value) & (w > 0) & (code >= 0)
    if bool(keep.all()):  # the usual case: no copies of the long arrays
        return _group_stats(flat_value, w, code, n_groups, np.tile(loc, k), n_loc)
    return _group_stats(flat_value[keep], w[keep], code[keep], n_groups, np.tile(loc, k)[keep], n_loc)


def _place_blocks(unit_group: np.ndarray, k: int, block_from: int) -> np.ndarray | None:
    """Unit positions cutting the units into blocks of whole groups, about :data:`BLOCK_ROWS` long rows each;
    None for one pass: at most ``block_from`` long rows, or units not in group order (or outside every group)."""
    n = len(unit_group)
    if n * k <= block_from or not n or unit_group[0] < 0 or not bool(np.all(unit_group[1:] >= unit_group[:-1])):
        return None
    starts = np.flatnonzero(np.r_[True, unit_group[1:] != unit_group[:-1]])  # where each group's units begin
    if len(starts) < 2:
        return None
    wanted = np.arange(0, n, max(BLOCK_ROWS // k, 1))  # about every BLOCK_ROWS rows: the next group's start
    cuts = np.unique(np.append(starts, n)[np.searchsorted(starts, wanted)].tolist() + [n]).tolist()
    # every block holds two groups or more: the group codes of a block of one group would be in order, and
    # pandas sums codes in order otherwise than the others (``np.add.reduceat``, not compensated), so that
    # group's Theil would not be the one pass's to the last bit (stats/_groups.py)
    kept = [cuts[0]]
    for cut in cuts[1:]:
        if np.searchsorted(starts, cut) - np.searchsorted(starts, kept[-1]) >= 2:
            kept.append(cut)
    if kept[-1] != n:  # a last block of one group joins the one before it
        kept[-1:] = [n] if len(kept) > 1 else [0, n]
    return np.array(kept, dtype=np.int64)


def _cv_stats(flat_value: np.ndarray, units: pd.DataFrame, places: pd.DataFrame, unit_place: np.ndarray,
              unit_stage: np.ndarray, *, block_from: int | None = None) -> pd.DataFrame:
    """CV, mean, unweighted CV, units, students, Gini and Theil of every (place, stage, indicator) of the grid.

    The groups are integer codes, (place row · stages + stage) · indicators + indicator, the order of
    the grid itself: the place of each unit is found once (``unit_place``), never by hashing the
    text keys of the long table, and the kernels (:mod:`quality_balance.stats`) work on the codes.
    ``flat_value`` holds the units' values indicator-major (:func:`_unit_values`), ``unit_place`` is each
    unit's row in ``places`` (−1: none), ``unit_stage`` its position in ``STAGES``. Above ``block_from``
    rows (default :data:`BLOCK_FROM_ROWS`) a block of places at a time (:func:`_place_blocks`): the same figures.
    """
    k, n_st = len(INDICATORS), len(STAGES)
    n, n_places = len(units), len(places)
    unit_group = np.where(unit_place >= 0, unit_place * n_st + unit_stage, -1)
    n_groups = n_places * n_st * k
    w_raw = units["students"]
    w_units = w_raw.to_numpy(dtype=float)
    loc, loc_uniques = factorize_text(units["location"], use_na_sentinel=False)
    n_loc = max(len(loc_uniques), 1)
    bounds = _place_blocks(unit_group, k, BLOCK_FROM_ROWS if block_from is None else block_from)
    if bounds is not None:
        # each block: its units' rows of every indicator (indicator-major, as the whole long table), its groups
        # numbered from its first; the statistics of a group depend on its own rows only, in their order
        columns = {name: np.zeros(n_groups, dtype=int) if name == "n_units" else np.full(n_groups, np.nan)
                   for name in _STATS}
        for u0, u1 in zip(bounds[:-1], bounds[1:]):
            block = unit_group[u0:u1]
            g0, g1 = int(block[block >= 0].min()), int(block.max()) + 1
            rows = (np.arange(k)[:, None] * n + np.arange(u0, u1)[None, :]).reshape(-1)
            found = _long_stats(flat_value[rows], w_units[u0:u1], np.where(block >= 0, block - g0, -1),
                                loc[u0:u1], (g1 - g0) * k, n_loc)
            for name, values in found.items():
                columns[name][g0 * k:g1 * k] = values
        stats = pd.DataFrame(columns)
    else:
        stats = pd.DataFrame(_long_stats(flat_value, w_units, unit_group, loc, n_groups, n_loc))
    stats = stats[list(_STATS)]
    empty = stats["n_units"].to_numpy() == 0  # as a reindex of the groups found would leave them
    stats.loc[empty, ["cv", "mean", "cv_unweighted", "students", "gini", "theil", "theil_between",
                      "theil_within"]] = np.nan
    if not empty.any() and pd.api.types.is_integer_dtype(w_raw.dtype):  # whole students stay whole numbers
        stats["students"] = np.rint(stats["students"].to_numpy()).astype(w_raw.dtype)
    return stats


def _cv_table(flat_value: np.ndarray, units: pd.DataFrame, places: pd.DataFrame, settings: pd.DataFrame,
              unit_place: np.ndarray, unit_stage: np.ndarray, county_of_place: np.ndarray) -> pd.DataFrame:
    # place × stage × indicator, in that order (what two cross merges give), by repeating and tiling
    per_place, n_places = len(STAGES) * len(INDICATORS), len(places)
    grid = places[PLACE].take(np.repeat(np.arange(n_places), per_place)).reset_index(drop=True)
    grid["stage"] = pd.array(np.tile(np.repeat(np.array(STAGES, dtype=object), len(INDICATORS)), n_places), dtype="str")
    grid["indicator"] = pd.array(np.tile(np.array(INDICATORS, dtype=object), len(STAGES) * n_places), dtype="str")
    cv = pd.concat([grid[GROUP], _cv_stats(flat_value, units, places, unit_place, unit_stage)], axis=1)
    cv["n_units"] = cv["n_units"].fillna(0).astype(int)
    # each row's county: its place's (the grid is place × stage × indicator), −1 for none
    at = np.repeat(county_of_place, len(STAGES) * len(INDICATORS))
    limits = {st: settings[f"cv_limit_{st}"].to_numpy() for st in STAGES}
    if (at < 0).any():  # no settings: no limit
        limits = {st: np.append(lim.astype(float), np.nan) for st, lim in limits.items()}
        at = np.where(at >= 0, at, len(settings))
    limits = {st: lim[at] for st, lim in limits.items()}
    cv["limit"] = np.where(cv["stage"] == "primary", limits["primary"], limits["junior"])
    applicable = cv["n_units"] > 0
    undefined = applicable & cv["cv"].isna()
    ok = at_most(cv["cv"], cv["limit"])
    cv["status"] = np.select([~applicable, undefined, ok], ["not_applicable", "undefined", "met"], "not_met")
    cv["passes"] = pd.array(np.where(cv["status"].isin(["met", "not_met"]), cv["status"] == "met", pd.NA),
                            dtype="boolean")
    zero_mean = cv["mean"].fillna(0).eq(0).to_numpy()
    # the grid is place × stage × indicator: each row's (stage, indicator) pair is its position, and the
    # texts that depend on nothing else are made once per pair
    k, n_st = len(INDICATORS), len(STAGES)
    pair = np.arange(len(cv)) % (n_st * k)
    stage_zh = [STAGE_LABELS[st] for st in STAGES]
    head = np.array([f"{stage_zh[i // k]} {INDICATORS[i % k]}" for i in range(n_st * k)], dtype=object)
    none = np.array([stage_zh[i // k] + "：本县无该学段学校，不适用" for i in range(n_st * k)], dtype=object)
    zero = head + "：县域均值为 0，差异系数无定义（各校该项资源均为 0）"
    overflow = head + "：县域均值无法计算（数值超出可计算范围），差异系数无定义，请核对数据"
    ok = ok.to_numpy(dtype=bool)
    compared = join_rows(head[pair], " 差异系数 ", _cv_text(cv["cv"], cv["limit"]), np.where(ok, " ≤ ", " > "),
                         _mapped(cv["limit"], limit_text))
    cv["reason"] = np.select([~applicable.to_numpy(), (undefined & zero_mean).to_numpy(), undefined.to_numpy()],
                             [none[pair], zero[pair], overflow[pair]], compared)
    order = ["city", "county", "year", "stage", "indicator", "cv", "limit", "passes", "status", "mean",
             "n_units", "students", "cv_unweighted", "gini", "theil", "theil_between", "theil_within", "reason"]
    return cv[order]


#: How many failing school units a county's reason names (the worst first), then "等": a text length, not a rule
NAMED_FAILING_UNITS = 5


def _county_verdicts(units: pd.DataFrame, cv: pd.DataFrame, places: pd.DataFrame, unit_place: np.ndarray,
                     unit_stage: np.ndarray) -> pd.DataFrame:
    key = COUNTY + ["year"]
    at = unit_place  # each unit's row in ``places``: no hashing of their text keys
    n_places = len(places)
    found = at >= 0
    u = pd.DataFrame({"n_units": np.bincount(at[found], minlength=n_places),
                      "n_failing": np.bincount(at[found], weights=~units["passes_school_rule"].to_numpy(bool)[found],
                                               minlength=n_places).astype(np.int64)})
    # the five worst failing units of each place, by worst ratio (the order sort_values gives), then per place
    fails = np.flatnonzero(~units["passes_school_rule"].to_numpy(bool))
    # (a stable sort: units of equal worst ratio in table order on every machine; numpy's default sort may
    # order ties differently from one CPU to another)
    fails = fails[units["worst_ratio"].iloc[fails].reset_index(drop=True).sort_values(kind="stable").index.to_numpy()]
    fails = fails[found[fails]]  # a unit of no place (a missing key) is in no group
    by_place = np.argsort(at[fails], kind="stable")
    fails, place_of = fails[by_place], at[fails][by_place]
    starts = np.flatnonzero(np.r_[True, place_of[1:] != place_of[:-1]]) if len(fails) else np.zeros(0, dtype=int)
    rank = np.arange(len(fails)) - np.repeat(starts, np.diff(np.append(starts, len(fails))))
    shown, place_of = fails[rank < NAMED_FAILING_UNITS], place_of[rank < NAMED_FAILING_UNITS]
    stage_zh = np.array([STAGE_LABELS[st] for st in STAGES], dtype=object)
    names = units["school_name"].to_numpy(dtype=object)[shown] + "（" + stage_zh[unit_stage[shown]] + "）"
    fail_names = _join_runs(names, place_of, n_places, "、")
    # CV figures per place: the grid is place × stage × indicator, so a row's place is its position
    per_place = len(STAGES) * len(INDICATORS)
    status = cv["status"].to_numpy(dtype=object)
    applicable = np.flatnonzero(status != "not_applicable")
    cv_place = applicable // per_place
    not_met = status[applicable] != "met"
    rel = (cv["cv"] / cv["limit"]).iloc[applicable].reset_index(drop=True).sort_values(ascending=False, kind="stable")
    ranked = applicable[rel.index.to_numpy()]
    first = np.full(n_places, -1, dtype=np.int64)
    seen = np.unique(ranked // per_place, return_index=True)  # each place's first row in that order
    first[seen[0]] = ranked[seen[1]]
    worst = cv[["stage", "indicator", "cv", "limit"]].reindex(first).reset_index(drop=True)
    worst.columns = ["worst_cv_stage", "worst_cv_indicator", "worst_cv", "worst_cv_limit"]
    bad = applicable[not_met]
    bad_cv = _join_runs(cv["reason"].to_numpy(dtype=object)[bad], bad // per_place, n_places, "；")
    out = pd.concat([places[key].reset_index(drop=True), u,
                     pd.DataFrame({"n_cv": np.bincount(cv_place, minlength=n_places),
                                   "n_cv_failing": np.bincount(cv_place, weights=not_met, minlength=n_places)}),
                     worst, pd.DataFrame({"failing_schools": fail_names, "cv_reasons": bad_cv})], axis=1)
    for col in ("n_units", "n_failing", "n_cv", "n_cv_failing"):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype(int)  # empty groups come back as text
    no_units = out["n_units"] == 0
    met = ~no_units & (out["n_failing"] == 0) & (out["n_cv_failing"] == 0)
    out["status"] = np.select([no_units, met], ["not_applicable", "met"], "not_met")
    # the texts are joined row by row (one join per county-year, not one array per piece)
    stage_txt = out["worst_cv_stage"].map(STAGE_LABELS).fillna("").to_numpy(dtype=object)
    worst_txt = join_rows(stage_txt, " ", out["worst_cv_indicator"].fillna("").to_numpy(dtype=object), " ",
                          _cv_text(out["worst_cv"], out["worst_cv_limit"]), "/",
                          _mapped(out["worst_cv_limit"], limit_text))
    n_units, n_failing, n_cv = (out[c].to_numpy() for c in ("n_units", "n_failing", "n_cv"))
    as_text = np.vectorize(str, otypes=[object])
    fail_parts = np.where(n_failing > 0, join_rows(
        as_text(n_failing), " 个学校单元未达到校际指标要求（", out["failing_schools"].fillna("").to_numpy(dtype=object),
        np.where(n_failing > NAMED_FAILING_UNITS, "等", "").astype(object), "）"), "")
    cv_parts = np.where(out["n_cv_failing"].to_numpy() > 0,
                        join_rows("差异系数超限：", out["cv_reasons"].fillna("").to_numpy(dtype=object)), "")
    failing = np.array([f"未达标：{(f + '；' + c).strip('；')}"
                        for f, c in zip(fail_parts.tolist(), cv_parts.tolist())], dtype=object)
    passing = join_rows("全部 ", as_text(n_units), " 个学校单元达标，", as_text(n_cv), " 项差异系数均在限值内（最高：",
                        worst_txt, "）")
    out["reason"] = np.select([no_units.to_numpy(), met.to_numpy()], ["无纳入评估的学校单元", passing], failing)
    cols = key + ["status", "n_units", "n_failing", "n_cv", "n_cv_failing", "worst_cv_stage",
                  "worst_cv_indicator", "worst_cv", "worst_cv_limit", "reason"]
    return out[cols]


def assess_resources(schools: pd.DataFrame, *, profile: "str | Profile | None" = "national",
                     synthetic: bool = False) -> ResourceAssessment:
    """Assess resource allocation for every county and year in ``schools``.

    Parameters
    ----------
    schools : DataFrame
        Canonical school-year table (spec §10), e.g. from :func:`quality_balance.load_schools`
        or :func:`quality_balance.demo.generate`.
    profile : str, path, Profile or None, keyword-only
        The standards profile for every county (default ``"national"``); ``None`` uses each
        county's place profile (``濮阳市``, ``桓台县``...), falling back to national. The CV
        limits (``resources.cv_limit``: 小学 0.50, 初中 0.45 nationally) and the school rule
        come from it.
    synthetic : bool, keyword-only
        True when ``schools`` is synthetic demo data (carried to :attr:`ResourceAssessment.synthetic`).
        The default ``False`` marks the data as real.

    Returns
    -------
    ResourceAssessment
        ``.units`` (one row per school unit and stage: ``R1``…``R7``, ``met_count``,
        ``misses``, ``worst_ratio``, ``passes_school_rule``, ``reason``…), ``.cv`` (one row
        per county, year, stage and indicator: ``cv``, ``limit``, ``passes``, ``status``,
        ``mean``, ``gini``, ``theil``…), ``.counties`` (one row per county and year:
        ``status``, ``n_failing``, ``worst_cv``…), ``.values``, ``.excluded`` (see the class).

    Raises
    ------
    CalculationError
        ``schools`` lacks a required canonical column.
    ProfileError
        ``profile`` names no known profile, or a profile file is invalid.

    Examples
    --------
    >>> import quality_balance as qb
    >>> ra = qb.assess_resources(qb.demo.generate(years=[2025]).schools, profile=None)
    >>> ra.counties.query("county == '清丰县'")[["status", "worst_cv_indicator"]].values.tolist()
    [['met', 'R2']]
    """
    with reusing_freed_memory():  # freed memory reused during the call (quality_balance/_memory.py)
        return _assess_resources(schools, profile=profile, synthetic=synthetic)


def _assess_resources(schools: pd.DataFrame, *, profile, synthetic: bool,
                      place_codes: "tuple[np.ndarray, np.ndarray] | None" = None,
                      profiles: dict | None = None) -> ResourceAssessment:
    """:func:`assess_resources`, handed what the full assessment has found already (each is found when None).

    ``place_codes`` is :func:`~quality_balance.method.split.place_sort_codes` of ``schools`` (the codes and each
    place's first row), ``profiles`` what :func:`profiles_by_county` gives for its places and ``profile``: the
    school table's keys are then factorised once for the whole assessment.
    """
    required = ["city", "county", "year", "school_id", "school_name", "school_type", "location",
                "students_primary", "students_junior"]
    missing = [c for c in required if c not in schools.columns]
    if missing:
        raise CalculationError(f"schools: expected the canonical columns {missing} (load the table with "
                               f"qb.load_schools), received columns {list(schools.columns)[:12]}")
    schools = schools.copy(deep=False)  # copy-on-write: the columns added below never touch the caller's frame
    if "students_senior" not in schools:
        schools["students_senior"] = 0.0
    for col in ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_rooms"):
        for stage in STAGES:
            if f"{col}_{stage}" not in schools:
                schools[f"{col}_{stage}"] = np.nan
    schools = schools.reset_index(drop=True)
    # the keys are factorised once: every later step works on the place, county and stage codes
    place, first = place_sort_codes(schools) if place_codes is None else place_codes
    places = schools[PLACE].take(first).reset_index(drop=True)  # as drop_duplicates().sort_values(PLACE)
    profiles = profiles_by_county(places, profile) if profiles is None else profiles
    settings, thresholds = county_settings(profiles)
    row_of = {key: i for i, key in enumerate(settings.index)}
    county_of_place = np.array([row_of.get(key, -1) for key in zip(places["city"], places["county"])], dtype=np.int64)
    known = ~schools[PLACE].isna().any(axis=1).to_numpy()  # a missing key cell belongs to no place
    row_place = np.where(known, place, -1)
    county_row = np.where(known, np.append(county_of_place, -1)[row_place], -1)
    schools = apply_variants(schools, profiles)  # a profile's R3/R4/R5 computation variants (standards/conditions.py)
    units, excluded, unit_rows, unit_stage = split_coded(schools, settings, county_row, place)
    unit_place, unit_county = row_place[unit_rows], county_row[unit_rows]
    grid, flat_value, flat_ratio = _unit_values(units, _threshold_array(thresholds, len(settings)), unit_county,
                                                unit_stage)
    if (unit_county < 0).any():  # a unit of no known county: the rule says which (CalculationError)
        SchoolRule.per_county(profiles, units)
    at = np.where(unit_county >= 0, unit_county, 0)
    rule = SchoolRule(min_met=settings["min_met"].to_numpy(dtype=int)[at],
                      min_ratio=settings["min_ratio"].to_numpy(dtype=float)[at], n_indicators=len(INDICATORS))
    units_out = _school_rule(grid, flat_value, flat_ratio, units, rule)
    cv = _cv_table(flat_value, units, places, settings, unit_place, unit_stage, county_of_place)
    counties = _county_verdicts(units_out, cv, places, unit_place, unit_stage)
    profile_of = settings["profile"]  # each place's county's profile, by the settings row found above
    counties.insert(3, "profile", pd.array(np.append(profile_of.to_numpy(dtype=object), np.nan)[county_of_place],
                                           dtype=profile_of.dtype))
    return ResourceAssessment(units=units_out, cv=cv, counties=counties, excluded=excluded, grid=grid,
                              profiles=profiles, synthetic=bool(synthetic))
