"""The gap to pass (达标差距测算): what each school must add, and what brings each CV within its limit.

Method: docs/method.md §14.

Three questions, answered for every county and year of an assessment:

1. **Unit gaps.** For every school unit that misses an R indicator: how many more
   teachers (R1–R3), m² of teaching rooms (R4) or sports area (R5), 元 of
   equipment (R6) or networked multimedia rooms (R7) reach the threshold::

       addition = ⌈ T · P / scale − r ⌉

   with T the threshold, P the unit's students, ``scale`` 100 for the "per 100
   students" indicators (R1–R3, R7) and 1 otherwise, r the unit's resource. Every
   addition is rounded up to a whole resource unit — whole teachers and rooms,
   1 m², 1 元 — and a value within 1e-9 (relative) of a whole number counts as
   that number: binary arithmetic gives (4.5 × 150 − 1000 × 150/260) ÷ (150/260)
   = 170.00000000000006 for a shared building that is exactly 170 m² short, and
   the gap is 170 m², not 171. A facility that the school reports for the whole school and that
   :mod:`quality_balance.method.split` shares among its stages reaches the unit only in
   proportion to its ``share``; what the school must build is then
   ``⌈ shortfall / share ⌉`` (the exact shortfall divided by the share, rounded
   up once, which is the least whole amount that closes it).
   ``required_for_school_rule`` marks the cheapest set of misses to fix for the
   unit to pass the school rule (``resources.school_rule``: meet ``min_met`` of
   the 7, each remaining miss at least ``min_ratio_of_miss`` of its threshold):
   every miss below the ratio, and, of the others, all but the
   ``7 − min_met`` most expensive ones (by the unit costs — a teacher's yearly
   cost weighed against a one-off cost, a rough comparison; by the relative
   shortfall when a cost is missing). The rule is each county's
   :class:`~quality_balance.method.rules.SchoolRule` (:meth:`~quality_balance.method.rules.SchoolRule.fixes`).

2. **CV additions** (water-filling). For every county, year, stage and indicator
   whose student-weighted CV is over its limit: raise every unit whose
   per-student value X_i is below a level L up to L (addition P_i·(L − X_i) in
   resource units), with the lowest L for which the CV (docs/method.md §4.5,
   :func:`quality_balance.weighted_cv`) is within the limit. Why this is the
   smallest total: a given total addition fixes the weighted mean, so the CV is
   smallest when the weighted variance is; minimising Σ p_i (y_i − m)² over
   y_i ≥ X_i with Σ p_i y_i fixed gives y_i = max(X_i, L) (its KKT conditions).
   And the CV of max(X, L) falls as L rises (d ln CV / dL =
   w_L·[(L − m)/Var − 1/m] < 0 while L < E[Y²]/m, which holds until all units
   are equal), so the least total is the lowest feasible L, found by bisection
   for all groups at once (numpy, :data:`BISECTION_STEPS` halvings). Equivalently,
   a unit of resource lowers the CV most at the school with the lowest value per
   student, whatever its size. Whole units: each school's need is rounded down,
   then one unit at a time goes to the school where it lowers the CV most (the
   CV after one more unit has a closed form, computed for every school of every
   group at once) until the CV is within the limit. Rounding every need up
   instead would overshoot where schools are small — one teacher more for 200
   students is 0.5 per 100 — and it remains the fallback for a group where the
   one-at-a-time additions stall. The CV is then recomputed with every addition
   in place; a group still over its limit (a shared facility added for one stage
   also lands in the other) is topped up by the same method (at most
   :data:`MAX_ROUNDS` rounds).

3. **The plan and the totals.** Passing needs both the school rule and the CV.
   The plan starts from the additions required for the school rule and
   water-fills on top of them until every CV is within its limit, so each
   school gets max(its school-rule addition, P_i·(L' − X_i)) — the per-school
   maximum of the two, with the CV level L' recomputed given the school-rule
   additions (it is no higher than L, and may be 0 when those additions already
   bring the CV within the limit). A whole-school facility needed by two stages
   is counted once, at the larger of the two whole-school amounts. Totals per
   county, year, indicator and stage (``shared`` for facilities shared by a
   school's stages) give the additions to fix every miss, those the school
   rule requires, the CV additions alone and the plan, with costs.

Costs come from the profile's ``[costs]`` table (rough planning defaults in
``national.toml``; edit them in a local profile) or from ``costs=`` (see
:mod:`quality_balance.planning.costs`). Teachers cost per year, the rest once.

This module only calculates: it never reads files (a cost-table path is read by
:func:`quality_balance.planning.costs.read_costs`) and never draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .costs import cost_table
from ..errors import CalculationError, require_known
from ..method.rules import FLOAT_TOLERANCE, SchoolRule, at_most
from ..schema import (INDICATOR_LABELS, INDICATOR_SCALE, INDICATOR_UNITS, RESULT_HEADERS, SCHOOLS,
                     STAGE_LABELS)
from ..method.split import FACILITIES, TEACHER_COLUMNS
from ..stats.cv import cv_from_moments, weighted_cv_by_code, weighted_moments_by_code
from ..schema import CV_GROUP_KEY as GROUP, PLACE_KEY as PLACE
from .whatif import addition_targets
from .._memory import reusing_freed_memory

__all__ = ["GapResult", "gap_to_pass", "gap_table", "round_up", "RESOURCE_UNITS", "ADDITION_LABELS",
           "GAP_HEADERS", "BISECTION_STEPS", "MAX_ROUNDS"]

#: halvings of the level interval in the water-filling bisection (2⁻⁵⁰ of the value range)
BISECTION_STEPS = 50
#: rounds of re-check and top-up after rounding additions to whole units
MAX_ROUNDS = 10
#: the resource unit of each indicator's numerator, from the data contract (人, 平方米, 元, 间)
RESOURCE_UNITS = {ind: SCHOOLS.column(col + "_primary" if ind in TEACHER_COLUMNS else col).unit
                  for ind, col in {**TEACHER_COLUMNS, **FACILITIES}.items()}
#: what is added, in words for people
ADDITION_LABELS = {"R1": "高于规定学历教师", "R2": "县级以上骨干教师", "R3": "体育艺术专任教师",
                   "R4": "教学及辅助用房面积", "R5": "体育运动场馆面积", "R6": "教学仪器设备值",
                   "R7": "网络多媒体教室"}
SHARED = "shared"
STAGE_GROUP_LABELS = {**STAGE_LABELS, SHARED: "全校共用"}


def round_up(amount, reference=1.0):
    """Round additions up to whole resource units, ignoring binary noise.

    A value within ``FLOAT_TOLERANCE`` (1e-9) × ``reference`` above a whole
    number counts as that number; negative results become 0.

    >>> share = 150 / 260
    >>> (4.5 * 150 - 1000 * share) / share                 # exactly 170 on paper
    170.00000000000006
    >>> round_up((4.5 * 150 - 1000 * share) / share, reference=4.5 * 150 / share).tolist()
    170.0
    >>> round_up([0.2, 2.0, -1.0]).tolist()
    [1.0, 2.0, 0.0]
    """
    amount = np.asarray(amount, dtype=float)
    slack = FLOAT_TOLERANCE * np.maximum(np.abs(np.asarray(reference, dtype=float)), 1.0)
    return np.maximum(np.ceil(amount - slack), 0.0)


@dataclass(frozen=True)
class GapResult:
    """What it takes to pass, for the counties and years of one assessment.

    All amounts are in the resource's own unit (``resource_unit``: 人, 平方米, 元, 间);
    ``amount`` is what the school adds — for a facility shared by a school's stages,
    the whole-school amount. Tables with ``school_id``, ``year``, ``indicator``,
    ``stage`` and ``amount`` can be passed to :func:`quality_balance.apply_additions`.

    Attributes
    ----------
    units : DataFrame
        One row per school unit and missed indicator: ``value``, ``threshold``,
        ``ratio``, ``students``, ``resource`` (the unit's numerator), ``shortfall``
        (exact), ``addition`` (the unit's, rounded up), ``share``, ``shared``,
        ``amount`` (what the school adds: ``⌈shortfall / share⌉`` for a shared
        facility, else ``addition``), ``column`` (the school-table column it
        changes), ``passes_school_rule``, ``required_for_school_rule``,
        ``unit_cost_yuan``, ``cost_yuan``, ``cost_period``, ``description``.
        A shared facility that two stages miss has a row for each.
    cv : DataFrame
        The CV additions alone: one row per school, year, indicator and column
        changed, for the groups whose CV is over its limit: ``stage`` (the stage
        whose need set the amount), ``value`` and ``value_after`` of that unit,
        ``amount``, ``cost_yuan``, ``description``.
    cv_summary : DataFrame
        One row per county, year, stage and indicator whose CV is over its limit
        (or went over through a shared facility): ``cv_before``, ``limit``,
        ``cv_after`` (all CV additions in place), ``within_limit``, ``level`` (the
        floor, in the indicator's unit), ``n_schools``, ``amount`` (sum of the
        group's own needs; a shared facility needed by both stages appears in
        both), ``cost_yuan``, ``description``.
    additions : DataFrame
        The plan: one row per school, year, indicator and column changed, meeting
        the school rule and every CV limit: ``amount``, ``for_school_rule``,
        ``for_cv`` (the rest), ``stage_group``, costs. Pass it (or the GapResult)
        to :func:`~quality_balance.apply_additions`.
    totals : DataFrame
        One row per county, year, indicator and ``stage_group`` (小学, 初中, 全校共用):
        ``n_units_missing``, ``n_units_required``, ``all_misses``, ``school_rule``,
        ``cv``, ``plan`` (amounts) and ``plan_cost_yuan``, ``all_misses_cost_yuan``.
    counties : DataFrame
        One row per county and year: failing units, CVs over the limit, the
        plan's one-off and yearly costs, ``cv_within_after_plan``.
    costs : DataFrame
        The unit costs used (see :func:`quality_balance.planning.costs.cost_table`).
    """

    units: pd.DataFrame
    cv: pd.DataFrame
    cv_summary: pd.DataFrame
    additions: pd.DataFrame
    totals: pd.DataFrame
    counties: pd.DataFrame
    costs: pd.DataFrame = field(repr=False)


# --- selecting and preparing the unit × indicator rows -------------------------------------------

def _as_list(value) -> list:
    return [value] if isinstance(value, (str, int, np.integer)) else list(value)


def _county_positions(owner, name: str) -> dict:
    """Row positions of each county in the table ``owner.<name>``, found once and kept on ``owner``.

    ``owner`` is an assessment's (frozen) result or data set; the positions are computed on the first
    selection of one county and reused, so that the gap for one county of the national set (1.1 M school
    units, 1 M school-years) costs what that county's rows cost, not a scan of the country.
    """
    frame = getattr(owner, name)
    cache = owner.__dict__.setdefault("_county_positions", {})
    hit = cache.get(name)
    if hit is None or hit[0] is not frame:
        codes, uniques = pd.factorize(frame["county"])
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        hit = (frame, {u: order[bounds[i]:bounds[i + 1]] for i, u in enumerate(uniques)})
        cache[name] = hit
    return hit[1]


def _select(frame: pd.DataFrame, known: pd.DataFrame, county, year, *, positions: dict | None = None
            ) -> pd.DataFrame:
    """The rows of ``county`` and ``year`` (``None``: all); ``positions`` (:func:`_county_positions`) spares a scan."""
    if county is not None:
        names = _as_list(county)  # "县区", or "市/县区" where two cities have a county of the same name
        known_counties = set(known["county"].unique())
        for name in names:  # UnknownNameError is a CalculationError, as this error was before
            if name not in known_counties and name not in set(known["city"] + "/" + known["county"]):
                require_known(name, known["county"].unique(), parameter="county", what="县区（或 市/县区）",
                              where="gap_to_pass：评估结果")
        tails = {name[i + 1:] for name in names if isinstance(name, str) for i, ch in enumerate(name) if ch == "/"}
        if positions is not None:  # only the rows of the counties named (or ending a "市/县区" name), in order
            empty = np.zeros(0, dtype=np.intp)
            frame = frame.take(np.sort(np.concatenate([empty] + [positions.get(n, empty) for n in {*names, *tails}
                                                                 if isinstance(n, str)])))
    mask = pd.Series(True, index=frame.index)
    if county is not None:
        mask &= frame["county"].isin(names)
        # "市/县区": only rows whose county ends such a name are joined to their city (not the whole long table)
        maybe = frame["county"].isin(tails).to_numpy() & ~mask.to_numpy()
        if maybe.any():
            rows = frame[maybe]
            mask[maybe] = (rows["city"] + "/" + rows["county"]).isin(names).to_numpy()
        frame, mask = frame[mask], mask[mask]  # one county: the rest costs what it costs on a county's data
    if year is not None:
        years = _as_list(year)
        years = [int(y) if isinstance(y, str) and y.strip().isdigit() else y for y in years]  # "2025" as before
        for y in years:
            require_known(y, known["year"].astype(int).unique(), parameter="year", what="年份",
                          where="gap_to_pass：评估结果")
        years = [int(y) for y in years]
        mask &= frame["year"].isin(years)
    return frame[mask]


#: The columns of the long unit × indicator table (``ResourceAssessment.values``) the gap reads.
UNIT_ROW_COLUMNS = ["city", "county", "year", "school_id", "school_name", "stage", "students", "share", "indicator",
                    "resource", "value", "threshold", "ratio", "met", "passes_school_rule"]


def _unit_rows(values: pd.DataFrame, schools: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Unit × indicator rows with the column each addition changes and how much of it reaches the unit."""
    u = values.loc[values["students"] > 0, UNIT_ROW_COLUMNS].reset_index(drop=True)
    u["passes_school_rule"] = u["passes_school_rule"].astype(bool)
    u["column"] = addition_targets(schools, u[["city", "county", "school_id", "year", "indicator", "stage"]]
                                   )["column"].to_numpy()
    whole = (u["column"] == u["indicator"].map(FACILITIES)).to_numpy()
    u["per_unit"] = np.where(whole, u["share"], 1.0)  # resource the unit receives per unit the school adds
    u["shared"] = whole & (u["share"] < 1).to_numpy()
    u["target"] = u.groupby(["city", "county", "year", "school_id", "column"], sort=True).ngroup()
    u["required"] = u["threshold"] * u["students"] / u["indicator"].map(INDICATOR_SCALE)
    u["x"] = u["resource"] / u["students"]
    # the unit costs of each row's county and indicator, looked up (a merge would copy every column of ``u``)
    price = prices.drop_duplicates(["city", "county", "indicator"]).set_index(["city", "county", "indicator"])
    key = pd.MultiIndex.from_arrays([u["city"], u["county"], u["indicator"]])
    u["unit_cost_yuan"] = price["unit_cost_yuan"].reindex(key).to_numpy()
    u["cost_period"] = price["cost_period"].reindex(key).to_numpy()
    return u


def _targets(u: pd.DataFrame) -> pd.DataFrame:
    """One row per target (school, year, column): identity, stage group and prices."""
    t = u.groupby("target", sort=True).agg(
        city=("city", "first"), county=("county", "first"), year=("year", "first"),
        school_id=("school_id", "first"), school_name=("school_name", "first"), indicator=("indicator", "first"),
        column=("column", "first"), stage=("stage", "first"), shared=("shared", "max"),
        unit_cost_yuan=("unit_cost_yuan", "first"), cost_period=("cost_period", "first"))
    t["stage_group"] = np.where(t["shared"], SHARED, t["stage"])
    return t


def _per_target(u: pd.DataFrame, amount: np.ndarray, n_targets: int) -> np.ndarray:
    """The amount each target needs: the largest of its rows' whole amounts (NaN rows ignored)."""
    out = np.zeros(n_targets)
    ok = np.isfinite(amount)
    np.maximum.at(out, u["target"].to_numpy()[ok], amount[ok])
    return out


# --- 1. unit gaps ----------------------------------------------------------------------------------

def _unit_gaps(u: pd.DataFrame, profiles: dict) -> pd.DataFrame:
    miss = u[~u["met"]].copy()
    miss["shortfall"] = miss["required"] - miss["resource"]
    miss["addition"] = round_up(miss["shortfall"], miss["required"])
    miss.loc[miss["shortfall"].isna(), "addition"] = np.nan
    miss["amount"] = np.where(miss["per_unit"] < 1,
                              round_up(miss["shortfall"] / miss["per_unit"], miss["required"] / miss["per_unit"]),
                              miss["addition"])
    miss.loc[miss["shortfall"].isna(), "amount"] = np.nan
    miss["cost_yuan"] = miss["amount"] * miss["unit_cost_yuan"]

    unit = ["city", "county", "year", "school_id", "stage"]
    costed = miss["cost_yuan"].notna().groupby([miss[c] for c in unit]).transform("all")
    # the misses left unfixed are the dearest of those the rule tolerates (by cost, else by relative shortfall)
    effort = np.where(costed, miss["cost_yuan"], 1 - miss["ratio"]) if len(miss) else np.array([])
    rule = SchoolRule.per_county(profiles, miss)
    miss["required_for_school_rule"] = rule.fixes(miss[unit], miss["ratio"].to_numpy(), effort,
                                                  miss["passes_school_rule"].to_numpy())
    miss["description"] = _unit_text(miss)
    return miss


def _amount_text(indicator: pd.Series, amount: pd.Series) -> pd.Series:
    return ("增加" + indicator.map(ADDITION_LABELS) + " " + amount.map("{:.0f}".format) + " "
            + indicator.map(RESOURCE_UNITS))


def _unit_text(miss: pd.DataFrame) -> pd.Series:
    stage = miss["stage"].map(STAGE_LABELS)
    own = _amount_text(miss["indicator"], miss["addition"])
    shared = ("全校" + _amount_text(miss["indicator"], miss["amount"]) + "（" + stage + "按 "
              + (miss["share"] * 100).map("{:.1f}%".format) + " 分摊，" + stage + "需 "
              + miss["addition"].map("{:.0f}".format) + " " + miss["indicator"].map(RESOURCE_UNITS) + "）")
    text = pd.Series(np.where(miss["per_unit"] < 1, shared, own), index=miss.index)
    return text.where(miss["shortfall"].notna(), miss["indicator"] + " 数据缺失，无法测算")


# --- 2. CV additions: water-filling ----------------------------------------------------------------

def _fill_levels(x: np.ndarray, w: np.ndarray, codes: np.ndarray, n: int, limit: np.ndarray,
                 active: np.ndarray) -> np.ndarray:
    """The lowest level L per active group with CV(max(X, L)) ≤ limit, by bisection over all groups at once."""
    keep = active[codes]
    x, w, codes = x[keep], w[keep], codes[keep]
    lo = pd.Series(x).groupby(codes).min().reindex(range(n)).to_numpy()
    hi = pd.Series(x).groupby(codes).max().reindex(range(n)).to_numpy()  # CV(max(X, max X)) = 0
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        ok = weighted_cv_by_code(np.maximum(x, mid[codes]), w, codes, n) <= limit
        hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
    return np.where(active, hi, np.nan)


def _cv_if_one_more(x: np.ndarray, w: np.ndarray, codes: np.ndarray, n: int, delta: np.ndarray) -> np.ndarray:
    """Each row's group CV if that row alone gained ``delta`` per student (closed form, centred)."""
    total, mean, var = (m[codes] for m in weighted_moments_by_code(x, w, codes, n))  # every group has students
    d = x - mean
    p = w / total
    new_var = var + p * ((d + delta) ** 2 - d ** 2) - (p * delta) ** 2
    return cv_from_moments(mean + p * delta, new_var)


@dataclass
class _Balance:
    amounts: np.ndarray   # per target, what the school adds
    demand: np.ndarray    # per unit row, what its own need asked of its target (cumulative)
    level: np.ndarray     # per group, the last floor used (NaN where none)
    cv_after: np.ndarray  # per group
    topped: np.ndarray    # per group: received CV additions


@dataclass
class _Units:
    """The unit rows of the CV groups as arrays."""

    target: np.ndarray
    resource: np.ndarray
    students: np.ndarray
    per_unit: np.ndarray
    gcode: np.ndarray
    n_groups: int
    n_targets: int

    def x(self, amounts: np.ndarray) -> np.ndarray:
        return (self.resource + amounts[self.target] * self.per_unit) / self.students

    def cv(self, amounts: np.ndarray) -> np.ndarray:
        return weighted_cv_by_code(self.x(amounts), self.students, self.gcode, self.n_groups)

    def per_target(self, amount: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n_targets)
        np.maximum.at(out, self.target, amount)
        return out


def _whole_units(a: _Units, amounts: np.ndarray, need: np.ndarray, over: np.ndarray,
                 limit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Turn continuous needs into whole units: round down, then add one unit at a time where it lowers
    the CV most (every group at once) until the group is within its limit; a group where that stalls
    takes every need rounded up. Returns the new target amounts and each row's own addition."""
    slack = FLOAT_TOLERANCE * np.maximum(need, 1.0)
    add = np.maximum(np.floor(need + slack), 0.0)
    amounts = amounts + a.per_target(add)
    rows = np.flatnonzero(over[a.gcode])
    steps = int(np.bincount(a.gcode[rows], minlength=a.n_groups).max(initial=0)) + 10
    for _ in range(steps):
        x, cv = a.x(amounts), a.cv(amounts)
        still = over & ~at_most(cv, limit)
        rows = rows[still[a.gcode[rows]]]
        if not len(rows):
            break
        codes = a.gcode[rows]
        trial = _cv_if_one_more(x[rows], a.students[rows], codes, a.n_groups, a.per_unit[rows] / a.students[rows])
        order = np.lexsort((trial, codes))
        best = order[np.r_[True, codes[order][1:] != codes[order][:-1]]]
        improving = trial[best] < cv[codes[best]]
        if not improving.any():
            break
        chosen = rows[best[improving]]
        one = np.zeros(len(add))
        one[chosen] = 1.0
        add += one
        amounts = amounts + a.per_target(one)
    stalled = over & ~at_most(a.cv(amounts), limit)
    if stalled.any():  # fall back to rounding every need up in those groups
        up = np.where(stalled[a.gcode], round_up(need, need + 1.0), 0.0)
        extra = np.maximum(up - add, 0.0)
        add += extra
        amounts = amounts + a.per_target(extra)
    return amounts, add


def _balance(u: pd.DataFrame, gcode: np.ndarray, limit: np.ndarray, candidate: np.ndarray,
             base: np.ndarray) -> _Balance:
    """Water-fill on top of ``base`` target amounts until every candidate group is within its limit."""
    a = _Units(target=u["target"].to_numpy(), resource=u["resource"].to_numpy(), students=u["students"].to_numpy(),
               per_unit=u["per_unit"].to_numpy(), gcode=gcode, n_groups=len(limit), n_targets=len(base))
    amounts, demand = base.astype(float).copy(), np.zeros(len(u))
    level, topped = np.full(a.n_groups, np.nan), np.zeros(a.n_groups, dtype=bool)
    for _ in range(MAX_ROUNDS):
        x = a.x(amounts)
        cv = weighted_cv_by_code(x, a.students, gcode, a.n_groups)
        over = candidate & np.isfinite(cv) & ~at_most(cv, limit)
        if not over.any():
            break
        new_level = _fill_levels(x, a.students, gcode, a.n_groups, limit, over)
        level = np.where(over, new_level, level)
        topped |= over
        floor = new_level[gcode]
        need = np.where(over[gcode], a.students * np.maximum(floor - x, 0.0), 0.0) / a.per_unit
        amounts, add = _whole_units(a, amounts, need, over, limit)
        demand += add
    return _Balance(amounts, demand, level, a.cv(amounts), topped)


# --- 3. assembling the tables ----------------------------------------------------------------------

def _cv_groups(u: pd.DataFrame, cv: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Group code of each defined row and the group table (with limit, status, CV before)."""
    valid = u["x"].notna().to_numpy()
    by = u.groupby(GROUP, sort=False)
    codes = by.ngroup().to_numpy()
    table = by.size().index.to_frame(index=False)
    table = table.merge(cv[GROUP + ["cv", "limit", "status"]], on=GROUP, how="left")
    return np.where(valid, codes, -1), table


def _summary(u, gcode, groups, result: _Balance) -> pd.DataFrame:
    ok = gcode >= 0
    g = groups.assign(cv_after=result.cv_after, level=result.level)
    g["level"] = g["level"] * g["indicator"].map(INDICATOR_SCALE)
    sel = ok & (result.demand > 0)  # only the columns the summary reads (not a copy of all of ``u``)
    rows = pd.DataFrame({"_g": gcode[sel], "school_id": u["school_id"].to_numpy()[sel],
                         "_demand": result.demand[sel], "unit_cost_yuan": u["unit_cost_yuan"].to_numpy()[sel]})
    per_group = rows.groupby("_g").agg(n_schools=("school_id", "nunique"), amount=("_demand", "sum"),
                                       unit_cost_yuan=("unit_cost_yuan", "first"))
    g = g.join(per_group)
    g = g[result.topped].copy()
    g["n_schools"] = g["n_schools"].fillna(0).astype(int)
    g["amount"] = g["amount"].fillna(0.0)
    g["cost_yuan"] = g["amount"] * g["unit_cost_yuan"]
    g = g.rename(columns={"cv": "cv_before"})
    g["within_limit"] = at_most(g["cv_after"], g["limit"])
    g["label"] = g["indicator"].map(INDICATOR_LABELS)
    g["resource_unit"] = g["indicator"].map(RESOURCE_UNITS)
    stage = g["stage"].map(STAGE_LABELS)
    g["description"] = (stage + " " + g["indicator"] + " 差异系数 " + g["cv_before"].map("{:.3f}".format) + " → "
                        + g["cv_after"].map("{:.3f}".format) + "（限值 " + g["limit"].map("{:g}".format)
                        + "）：在 " + g["n_schools"].astype(str) + " 所学校" + _amount_text(g["indicator"], g["amount"])
                        + "，使各校不低于 " + g["level"].map("{:.2f}".format) + " "
                        + g["indicator"].map(INDICATOR_UNITS))
    cols = GROUP + ["label", "cv_before", "limit", "cv_after", "within_limit", "level", "n_schools", "amount",
                    "resource_unit", "unit_cost_yuan", "cost_yuan", "description"]
    return g[cols].reset_index(drop=True)


def _driver_rows(u, demand: np.ndarray) -> pd.Series:
    """Per target, the position in ``u`` of its row with the largest demand (the first of equals).

    What ``sort_values(descending, stable).drop_duplicates("target")`` picks, without copying ``u``
    (1.5 M rows at national scale): the index is the target.
    """
    order = np.argsort(-np.asarray(demand, dtype=float), kind="stable")
    targets, first = np.unique(u["target"].to_numpy()[order], return_index=True)
    return pd.Series(order[first], index=targets)


def _target_table(u, targets: pd.DataFrame, amount: np.ndarray, demand: np.ndarray) -> pd.DataFrame:
    """Targets with a positive amount, the stage whose own need drove it and that unit's values."""
    t = targets.assign(amount=amount)
    t = t[t["amount"] > 0]
    driver = _driver_rows(u, demand).reindex(t.index)
    t["stage"] = pd.Series(u["stage"].to_numpy()[driver.to_numpy()], index=t.index).where(
        lambda s: s.notna(), t["stage"])
    t["cost_yuan"] = t["amount"] * t["unit_cost_yuan"]
    t["resource_unit"] = t["indicator"].map(RESOURCE_UNITS)
    return t


def _cv_table(u, targets, balance: _Balance) -> pd.DataFrame:
    t = _target_table(u, targets, balance.amounts, balance.demand)
    per_unit, target = u["per_unit"].to_numpy(), u["target"].to_numpy()
    scale = u["indicator"].map(INDICATOR_SCALE).to_numpy()
    after = (u["resource"].to_numpy() + balance.amounts[target] * per_unit) / u["students"].to_numpy() * scale
    driver = _driver_rows(u, balance.demand).reindex(t.index).to_numpy()
    t["value"] = u["value"].to_numpy()[driver]
    t["value_after"] = after[driver]
    prefix = np.where(t["shared"], "全校", "")
    t["description"] = (prefix + _amount_text(t["indicator"], t["amount"]) + "（" + t["stage"].map(STAGE_LABELS)
                        + " " + t["indicator"] + "：" + t["value"].map("{:.2f}".format) + " → "
                        + t["value_after"].map("{:.2f}".format) + "，缩小校际差异）")
    cols = ["city", "county", "year", "school_id", "school_name", "stage", "stage_group", "indicator", "column",
            "value", "value_after", "amount", "resource_unit", "unit_cost_yuan", "cost_yuan", "cost_period",
            "description"]
    return t[cols].reset_index(drop=True)


def _plan_table(u, targets, plan: _Balance, rule_amounts: np.ndarray) -> pd.DataFrame:
    demand = plan.demand + np.where(u["_required"].to_numpy(), u["_rule_amount"].to_numpy(), 0.0)
    t = _target_table(u, targets, plan.amounts, demand)
    t["for_school_rule"] = rule_amounts[t.index]
    t["for_cv"] = t["amount"] - t["for_school_rule"]
    prefix = np.where(t["shared"], "全校", "")
    t["description"] = prefix + _amount_text(t["indicator"], t["amount"])
    cols = ["city", "county", "year", "school_id", "school_name", "stage", "stage_group", "indicator", "column",
            "amount", "for_school_rule", "for_cv", "resource_unit", "unit_cost_yuan", "cost_yuan", "cost_period",
            "description"]
    return t[cols].reset_index(drop=True)


def _totals(targets: pd.DataFrame, parts: dict[str, np.ndarray], units: pd.DataFrame) -> pd.DataFrame:
    key = PLACE + ["indicator", "stage_group"]
    t = targets.assign(**parts)
    t = t[t[list(parts)].sum(axis=1) > 0]
    out = t.groupby(key, sort=True)[list(parts)].sum()
    stage_group = np.where(units["shared"], SHARED, units["stage"])
    counts = units.assign(stage_group=stage_group).groupby(key).agg(
        n_units_missing=("school_id", "size"), n_units_required=("required_for_school_rule", "sum"))
    out = out.join(counts, how="outer").fillna({p: 0.0 for p in parts}).reset_index()
    out[["n_units_missing", "n_units_required"]] = out[["n_units_missing", "n_units_required"]].fillna(0).astype(int)
    prices = targets.drop_duplicates(["city", "county", "indicator"])[
        ["city", "county", "indicator", "unit_cost_yuan", "cost_period"]]
    out = out.merge(prices, on=["city", "county", "indicator"], how="left")
    out["label"] = out["indicator"].map(ADDITION_LABELS)
    out["resource_unit"] = out["indicator"].map(RESOURCE_UNITS)
    out["plan_cost_yuan"] = out["plan"] * out["unit_cost_yuan"]
    out["all_misses_cost_yuan"] = out["all_misses"] * out["unit_cost_yuan"]
    cols = key + ["label", "resource_unit", "n_units_missing", "n_units_required", *parts, "unit_cost_yuan",
                  "cost_period", "plan_cost_yuan", "all_misses_cost_yuan"]
    return out[cols]


def _county_summary(ra, county, year, plan_table, plan_cv_ok: pd.Series) -> pd.DataFrame:
    base = _select(ra.counties, ra.counties, county, year)[
        ["city", "county", "year", "status", "n_units", "n_failing", "n_cv_failing"]].copy()
    cost = plan_table.assign(
        one_off=np.where(plan_table["cost_period"] == "每年", 0.0, plan_table["cost_yuan"]),
        yearly=np.where(plan_table["cost_period"] == "每年", plan_table["cost_yuan"], 0.0))
    money = cost.groupby(PLACE)[["one_off", "yearly"]].sum(min_count=1)
    out = base.merge(money.reset_index(), on=PLACE, how="left").rename(
        columns={"status": "resources_status", "one_off": "plan_cost_one_off_yuan",
                 "yearly": "plan_cost_per_year_yuan"})
    out[["plan_cost_one_off_yuan", "plan_cost_per_year_yuan"]] = out[
        ["plan_cost_one_off_yuan", "plan_cost_per_year_yuan"]].fillna(0.0)
    out["cv_within_after_plan"] = plan_cv_ok.reindex(pd.MultiIndex.from_frame(out[PLACE])).fillna(True).to_numpy()
    return out.reset_index(drop=True)


def gap_to_pass(assessment, county=None, year=None, *, costs=None) -> GapResult:
    """What each school must add to pass, and what brings each CV within its limit.

    Parameters
    ----------
    assessment : Assessment
        From :func:`quality_balance.assess` (its ``resources``, ``profiles`` and
        ``dataset`` are used).
    county : str or list of str, optional
        Restrict to these counties (default ``None``: all); ``"市/县区"`` picks one city's
        county where two cities have a county of the same name. Positional with ``year``:
        the selection is the main use (``gap_to_pass(a, "台前县", 2025)``).
    year : int or list of int, optional
        Restrict to these years (default ``None``: all). Positional, with ``county``.
    costs : DataFrame, mapping, path or None, keyword-only
        Unit costs in 元 per resource unit overriding the profiles' ``[costs]``
        (``indicator``, ``unit_cost_yuan``; see :mod:`quality_balance.planning.costs`).
        The default ``None`` uses each county's profile's costs.

    Returns
    -------
    GapResult
        ``.units``, ``.cv``, ``.cv_summary``, ``.additions`` (the plan), ``.totals``,
        ``.counties``, ``.costs``; the method is in the module docstring.

    Raises
    ------
    UnknownNameError
        For a county or year not in the assessment (a :class:`CalculationError`), naming
        the known ones and the closest.
    InputError
        ``costs`` cannot be read, lacks the columns ``indicator`` and ``unit_cost_yuan``,
        or names an unknown indicator or a negative cost.

    Examples
    --------
    >>> import quality_balance as qb
    >>> a = qb.assess(qb.demo.generate(years=[2025]))
    >>> gap = qb.gap_to_pass(a, county="台前县", year=2025)
    >>> gap.cv_summary[["stage", "indicator", "within_limit"]].values.tolist()
    [['junior', 'R2', True], ['primary', 'R5', True]]
    >>> qb.assess(qb.apply_additions(a.dataset, gap)).verdicts.query("county == '台前县'")["resources"].tolist()
    ['met']
    """
    with reusing_freed_memory():  # freed memory reused during the call (quality_balance/_memory.py)
        return _gap_to_pass(assessment, county, year, costs=costs)


def _gap_to_pass(assessment, county, year, *, costs):
    """:func:`gap_to_pass` (its docstring), the allocator set by the caller."""
    ra = assessment.resources
    profiles = ra.profiles or assessment.profiles
    one = county is not None  # one county (or a few): their rows found by position, not by scanning the country
    # the units of the counties and years asked for, then only their long rows (never the country's 7.7 M)
    chosen = _select(ra.units[["city", "county", "year"]], ra.counties, county, year,
                     positions=_county_positions(ra, "units") if one else None)
    values = ra.values_of(chosen.index.to_numpy(), columns=UNIT_ROW_COLUMNS)
    del chosen
    prices = cost_table(profiles, costs)
    schools = assessment.dataset.schools
    if one:  # only the selected counties' schools are looked up: one county costs what its data cost
        at = _county_positions(assessment.dataset, "schools")
        schools = schools.take(np.sort(np.concatenate(
            [np.zeros(0, dtype=np.intp)] + [at.get(c, np.zeros(0, dtype=np.intp)) for c in values["county"].unique()])))
    if year is not None:  # and only the selected years' (the whole country's five years would be keyed as text)
        schools = schools[schools["year"].isin(values["year"].unique()).to_numpy()]
    u = _unit_rows(values, schools, prices)
    del values, schools  # the selection's copies are not needed past here (≈0.3 GiB at national scale)
    targets = _targets(u)
    n_targets = len(targets)

    units = _unit_gaps(u, profiles)
    u["_required"] = False
    u["_rule_amount"] = 0.0
    u.loc[units.index[units["required_for_school_rule"].to_numpy()], "_required"] = True
    u.loc[units.index, "_rule_amount"] = units["amount"]
    rule_rows = u["_required"].to_numpy()
    rule_amounts = _per_target(u[rule_rows], u.loc[rule_rows, "_rule_amount"].to_numpy(), n_targets)
    all_amounts = _per_target(u.loc[units.index], units["amount"].to_numpy(), n_targets)

    gcode, groups = _cv_groups(u, _select(ra.cv, ra.counties, county, year,
                                          positions=_county_positions(ra, "cv") if one else None))
    defined = groups["status"].isin(["met", "not_met"]).to_numpy()
    limit = groups["limit"].to_numpy(dtype=float)
    ok = gcode >= 0
    uv = u.loc[ok, ["target", "resource", "students", "per_unit"]].reset_index(drop=True)  # what _balance reads
    cv_only = _balance(uv, gcode[ok], limit, defined, np.zeros(n_targets))
    plan = _balance(uv, gcode[ok], limit, defined, rule_amounts)
    # rows without data (no value) are not part of any CV but keep their school-rule amounts
    cv_only.demand = _expand(cv_only.demand, ok)
    plan.demand = _expand(plan.demand, ok)

    plan_table = _plan_table(u, targets, plan, rule_amounts)
    plan_ok = pd.Series(~defined | at_most(plan.cv_after, limit) | np.isnan(plan.cv_after),
                        index=pd.MultiIndex.from_frame(groups[PLACE])).groupby(level=PLACE).all()
    unit_cols = ["city", "county", "year", "school_id", "school_name", "stage", "students", "indicator", "value",
                 "threshold", "ratio", "resource", "shortfall", "addition", "share", "shared", "amount", "column",
                 "passes_school_rule", "required_for_school_rule", "unit_cost_yuan", "cost_yuan", "cost_period",
                 "description"]
    units = units.assign(label=units["indicator"].map(INDICATOR_LABELS),
                         resource_unit=units["indicator"].map(RESOURCE_UNITS))
    units = units[unit_cols[:8] + ["label"] + unit_cols[8:12] + ["resource_unit"] + unit_cols[12:]]
    totals = _totals(targets, {"all_misses": all_amounts, "school_rule": rule_amounts,
                               "cv": cv_only.amounts, "plan": plan.amounts}, units)
    cv_summary = _summary(u, gcode, groups, cv_only)
    return GapResult(
        units=units.reset_index(drop=True),
        cv=_cv_table(u, targets, cv_only),
        cv_summary=cv_summary,
        additions=plan_table,
        totals=totals,
        counties=_county_summary(ra, county, year, plan_table, plan_ok),
        costs=prices,
    )


def _expand(per_valid_row: np.ndarray, valid: np.ndarray) -> np.ndarray:
    out = np.zeros(len(valid))
    out[valid] = per_valid_row
    return out


#: Chinese headers of the gap tables (beside :data:`quality_balance.schema.RESULT_HEADERS`)
GAP_HEADERS = {
    **RESULT_HEADERS,
    "stage_group": "学段", "resource_unit": "单位", "shortfall": "缺口（精确值）", "addition": "本学段需增加",
    "shared": "全校共用设施", "amount": "需增加", "column": "对应数据列", "resource": "现有资源",
    "required_for_school_rule": "校际达标须补足", "unit_cost_yuan": "单位成本（元）", "cost_yuan": "成本（元）",
    "cost_period": "成本类型", "description": "措施", "value_after": "增加后", "cv_before": "差异系数（现状）",
    "cv_after": "差异系数（增加后）", "within_limit": "是否在限值内", "level": "各校最低水平",
    "n_schools": "涉及学校数", "for_school_rule": "其中：校际达标", "for_cv": "其中：差异系数",
    "n_units_missing": "未达标学校单元数", "n_units_required": "其中须补足数", "all_misses": "各校全部指标达标所需",
    "school_rule": "校际达标所需", "cv": "差异系数达标所需", "plan": "达标方案合计",
    "plan_cost_yuan": "方案成本（元）", "all_misses_cost_yuan": "全部达标成本（元）", "label": "需增加的资源",
}
_GAP_VIEWS = {
    "totals": ["county", "year", "indicator", "label", "stage_group", "n_units_missing", "n_units_required",
               "all_misses", "school_rule", "cv", "plan", "resource_unit", "unit_cost_yuan", "cost_period",
               "plan_cost_yuan"],
    "units": ["county", "year", "school_name", "stage", "indicator", "value", "threshold", "ratio", "amount",
              "resource_unit", "required_for_school_rule", "cost_yuan", "description"],
    "cv": ["county", "year", "stage", "indicator", "cv_before", "limit", "cv_after", "n_schools", "amount",
           "resource_unit", "cost_yuan", "description"],
    "additions": ["county", "year", "school_name", "stage_group", "indicator", "amount", "for_school_rule",
                  "for_cv", "resource_unit", "cost_yuan", "cost_period", "description"],
}


def gap_table(gap: GapResult, kind: str = "totals") -> pd.DataFrame:
    """A gap table for people: Chinese headers and labels, rounded figures.

    Parameters
    ----------
    gap : GapResult
        From :func:`gap_to_pass`.
    kind : {"totals", "units", "cv", "additions"}
        Which of the gap's tables (positional: it is the selection,
        ``gap_table(gap, "cv")``). ``totals`` (default): per county, year, indicator and
        stage — the additions every miss needs, those the school rule requires, those
        the CV needs and the plan, with costs; ``units``: each school unit's misses;
        ``cv``: the CV additions per county-stage-indicator (``gap.cv_summary``);
        ``additions``: the plan school by school.

    Returns
    -------
    DataFrame
        A copy with Chinese headers (:data:`GAP_HEADERS`), stages as 小学 / 初中,
        yes/no as 是 / 否, CVs to 3 decimals, values to 2 and ``ratio`` as a percentage
        (``达成比例(%)``, 1 decimal). Columns before renaming, by ``kind``:

        * ``totals``: county, year, indicator, label, stage_group, n_units_missing,
          n_units_required, all_misses, school_rule, cv, plan, resource_unit,
          unit_cost_yuan, cost_period, plan_cost_yuan;
        * ``units``: county, year, school_name, stage, indicator, value, threshold,
          ratio, amount, resource_unit, required_for_school_rule, cost_yuan, description;
        * ``cv``: county, year, stage, indicator, cv_before, limit, cv_after, n_schools,
          amount, resource_unit, cost_yuan, description;
        * ``additions``: county, year, school_name, stage_group, indicator, amount,
          for_school_rule, for_cv, resource_unit, cost_yuan, cost_period, description.

        Amounts are in ``resource_unit`` (m², 元, 间, 人), costs in 元.

    Raises
    ------
    CalculationError
        ``kind`` is not one of the four.
    """
    source = {"totals": gap.totals, "units": gap.units, "cv": gap.cv_summary, "additions": gap.additions}
    if kind not in source:
        raise CalculationError(f"gap_table: kind must be one of {', '.join(source)}, received {kind!r}")
    table = source[kind][_GAP_VIEWS[kind]].copy()
    for col in ("stage", "stage_group"):
        if col in table:
            table[col] = table[col].map(STAGE_GROUP_LABELS)
    for col in ("required_for_school_rule",):
        if col in table:
            table[col] = table[col].map({True: "是", False: "否"})
    for col in ("cv_before", "cv_after"):
        if col in table:
            table[col] = table[col].round(3)
    if "ratio" in table:
        table["ratio"] = (table["ratio"] * 100).round(1)
    if "value" in table:
        table["value"] = table["value"].round(2)
    return table.rename(columns={**GAP_HEADERS, "ratio": "达成比例(%)"})
