"""How the data track plan targets (规划目标跟踪).

Method: docs/method.md §13.

Plans are loaded and validated by :mod:`quality_balance.standards.plan`.

Measures (the *actual* side) come from the data wherever they can
(:data:`DERIVED_MEASURES`): large schools = schools over the G4 size limit of the
county's profile (the G4 item's count), large classes = the sum of
``classes_56_plus``, boarding schools = schools with boarders > 0 (rural: in 镇区
or 乡村), certification readiness = the assessment's overall verdict. Figures
the school table cannot give (new places, teachers recruited, backbone teachers
by level, schools built or expanded) are county-table columns; any numeric
county-table column may be named. A city figure is the sum over the city's
counties in the data, and is missing when any of them lacks it.

Status of a target as of a year (the last year of data, or the ``year`` asked for):

``met``
    reached: the cumulative amount reaches the whole target, the level is reached,
    the county passed by its year, the share of counties is reached;
``on_track``
    not reached yet, the target year still ahead, and progress at least as planned
    to date: cumulative actual ≥ cumulative target of the years with data (a
    ``total`` target pro rata over its years; a ``level`` target along the straight
    line from the first observed value to the target); a county not yet passing
    whose projected pass year (:func:`quality_balance.projected_pass_year`) is no
    later than its planned year; enough counties passing or projected to pass;
``behind``
    otherwise (including a target year passed without the target reached, or a
    county whose pass cannot be projected because a yes/no item fails);
``no_data``
    the data hold nothing to judge by (a county not in the data, a column left blank).

A ``fall``/``rise`` amount needs the previous year, so the first year of data has
none: cumulative comparisons cover the years with an amount, and the reason says so."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import require_known
from ..method.rules import at_least, at_most
from ..standards.plan import COLUMN_KINDS, LEVEL_LABELS, Plan, load_plans
from ..schema import PLACE_KEY as PLACE
from .progress import progress
from .projection import DEFAULT_LEVEL, HORIZON, pass_projection

__all__ = ["plan_status", "plan_actuals", "planned_certification_year", "measure_values",
           "PLAN_STATUS_LABELS", "CITY_SCOPE"]

#: ``scope`` of a target for the whole city.
CITY_SCOPE = "全市"
PLAN_STATUS_LABELS = {"met": "已完成", "on_track": "按计划推进", "behind": "滞后", "no_data": "无数据"}


# --- the actual side -----------------------------------------------------------------------------

def _strict_sum(values: pd.Series, keys: list[pd.Series]) -> pd.Series:
    """Group sums that are missing when any member is missing."""
    g = values.groupby(keys)
    return g.sum(min_count=1).where(g.count() == g.size())


def measure_values(assessment) -> pd.DataFrame:
    """Every plan measure per county and year: one row per (city, county, year), one column per measure.

    Derived measures (:data:`DERIVED_MEASURES`) are computed from the assessment;
    the numeric county-table columns are copied. A county figure built from the
    school table is missing when any school of the county lacks the column.
    """
    verdicts = assessment.verdicts
    index = pd.MultiIndex.from_frame(verdicts[PLACE])
    out = pd.DataFrame(index=index)
    schools = assessment.dataset.schools
    schools = schools[schools["year"].isin(verdicts["year"].unique())]
    keys = [schools[c] for c in PLACE]

    def col(name: str) -> pd.Series:
        return schools[name].astype(float) if name in schools else pd.Series(np.nan, index=schools.index)
    boarders = col("boarders")
    boarding = (boarders > 0).astype(float).where(boarders.notna())
    rural = schools["location"].isin(["镇区", "乡村"]).astype(float)
    out["classes_56_plus"] = _strict_sum(col("classes_56_plus"), keys).reindex(index)
    out["boarding_schools"] = _strict_sum(boarding, keys).reindex(index)
    out["rural_boarding_schools"] = _strict_sum(boarding * rural, keys).reindex(index)
    items = assessment.items
    g4 = items[items["item"] == "G4"].set_index(PLACE)
    large = pd.to_numeric(g4["value"], errors="coerce").where(g4["status"].isin(["met", "not_met"]))
    out["large_schools"] = large.mask(g4["status"] == "not_applicable", 0.0).reindex(index)
    counties = assessment.dataset.counties
    if counties is not None and len(counties):
        c = counties.drop_duplicates(PLACE).set_index(PLACE).reindex(index)
        for name in COLUMN_KINDS:
            out[name] = pd.to_numeric(c[name], errors="coerce") if name in c else np.nan
    else:
        for name in COLUMN_KINDS:
            out[name] = np.nan
    out["schools_built_expanded"] = out["schools_built"] + out["schools_expanded"]
    return out


def _scoped(plans: list[Plan]) -> pd.DataFrame:
    """One row per target and place it applies to (a county, or the whole city)."""
    rows = []
    for plan in plans:
        for t in plan.targets:
            base = dict(plan=plan.name, city=plan.city, start=plan.start, target_id=t.id, kind=t.kind,
                        label=t.label, unit=t.unit, measure=t.measure, actual=t.actual, direction=t.direction,
                        level=t.level, share=float(t.share) if t.share is not None else np.nan,
                        yearly=t.yearly, deadline=t.deadline if (t.year or t.yearly) else None)
            if t.kind == "certification" and t.by_county:
                rows += [dict(base, scope=c, deadline=int(y), value=float(y)) for c, y in t.by_county.items()]
            elif t.by_county:
                rows += [dict(base, scope=c, value=float(v)) for c, v in t.by_county.items()]
                if t.value is not None:
                    rows.append(dict(base, scope=CITY_SCOPE, value=t.value))
            else:
                value = float(sum(t.yearly.values())) if t.kind == "yearly" else (
                    float(t.year) if t.kind == "certification" else t.value)
                rows.append(dict(base, scope=t.county or CITY_SCOPE, value=value))
    frame = pd.DataFrame(rows)
    frame["deadline"] = frame["deadline"].astype(int)
    return frame


def _scope_values(values: pd.DataFrame, cities: Iterable[str]) -> pd.DataFrame:
    """Long table (city, scope, year, measure, amount, missing): counties and city sums."""
    long = values.stack(future_stack=True).rename("amount").reset_index()
    long.columns = ["city", "county", "year", "measure", "amount"]
    long = long[long["city"].isin(list(cities))]
    keys = [long["city"], long["year"], long["measure"]]
    city = _strict_sum(long["amount"], keys).rename("amount").reset_index()
    lacking = long.loc[long["amount"].isna()].groupby(["city", "year", "measure"])["county"].agg("、".join)
    city["missing"] = lacking.reindex(pd.MultiIndex.from_frame(city[["city", "year", "measure"]])).to_numpy()
    county = long.assign(missing=np.where(long["amount"].isna(), long["county"], None))
    return pd.concat([county.rename(columns={"county": "scope"}), city.assign(scope=CITY_SCOPE)],
                     ignore_index=True)


def _fmt_amount(value: float) -> str:
    """Amounts in reason texts: whole numbers with thousands separators, else two decimals."""
    if value != value:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}"


def _names(lists: pd.Series) -> str:
    """The distinct county names of "、"-joined lists."""
    return "、".join(sorted({name for joined in lists.dropna() for name in joined.split("、")}))


def _meets(value, target, direction):
    value, target = np.asarray(value, float), np.asarray(target, float)
    return np.where(np.asarray(direction) == "<=", at_most(value, target), at_least(value, target))


def plan_actuals(assessment, plans=None) -> pd.DataFrame:
    """Plan versus actual, year by year, for ``yearly``, ``total`` and ``level`` targets.

    One row per target, place (``scope``: a county or ``全市``) and year from the
    plan's ``start`` to the target year: ``planned`` (the year's planned amount; a
    ``total`` target spread evenly over its years; missing for ``level``),
    ``actual`` (the year's amount, or the level), ``planned_to_date`` (cumulative
    planned over the years with an actual amount; for ``level`` the straight line
    from the first observed level to the target), ``actual_to_date`` (cumulative
    actual; the level), ``missing`` (counties lacking the figure).

    Parameters
    ----------
    assessment : Assessment
        From :func:`quality_balance.assess`; its data give the actual side.
    plans : str, Path, Plan, list of them, or None
        The plans to compare with: a plan name, a ``.toml`` path, a :class:`Plan`, or a
        list of them. Positional, as in :func:`plan_status`: it is the selection. The
        default ``None`` takes the shipped plans of the cities in the data.

    Returns
    -------
    DataFrame
        One row per ``yearly``, ``total`` or ``level`` target, place and year, with
        columns ``plan``, ``city``, ``scope`` (the county, or ``全市``), ``target_id``,
        ``kind``, ``label``, ``unit`` (the target's unit: 所, 个, 人, %…), ``measure``,
        ``direction`` (``>=`` or ``<=``), ``deadline``, ``value`` (the whole target),
        ``year``, ``planned``, ``actual``, ``planned_to_date``, ``actual_to_date`` and
        ``missing`` (as above; amounts in the target's unit). Empty, with these
        columns, when no plan or no such target applies.

    Raises
    ------
    ProfileError
        ``plans`` names no known plan, or a plan file is invalid.
    """
    values = measure_values(assessment)
    chosen = load_plans(plans, assessment.verdicts["city"].unique())
    cols = ["plan", "city", "scope", "target_id", "kind", "label", "unit", "measure", "direction", "deadline",
            "value", "year", "planned", "actual", "planned_to_date", "actual_to_date", "missing"]
    if not chosen:
        return pd.DataFrame(columns=cols)
    scoped = _scoped(chosen)
    scoped = scoped[scoped["kind"].isin(["yearly", "total", "level"])].reset_index(drop=True)
    if scoped.empty:
        return pd.DataFrame(columns=cols)
    scoped["row"] = np.arange(len(scoped))
    first_year = int(min(scoped["start"].min(), values.index.get_level_values("year").min()))
    years = pd.DataFrame({"year": np.arange(first_year, int(scoped["deadline"].max()) + 1)})
    grid = scoped.merge(years, how="cross")
    grid = grid[(grid["year"] >= grid["start"]) & (grid["year"] <= grid["deadline"])]
    longv = _scope_values(values, scoped["city"].unique())
    levels = longv.set_index(["city", "scope", "measure", "year"])
    key = pd.MultiIndex.from_arrays([grid["city"], grid["scope"], grid["measure"], grid["year"]])
    prev = pd.MultiIndex.from_arrays([grid["city"], grid["scope"], grid["measure"], grid["year"] - 1])
    level = levels["amount"].reindex(key).to_numpy(float)
    before = levels["amount"].reindex(prev).to_numpy(float)
    grid["missing"] = levels["missing"].reindex(key).to_numpy()
    grid["actual"] = np.select([grid["actual"] == "fall", grid["actual"] == "rise"],
                               [before - level, level - before], level)
    n_years = grid["deadline"] - grid["start"] + 1
    grid["planned"] = np.select(
        [grid["kind"] == "yearly", grid["kind"] == "total"],
        [[y.get(yr, 0.0) for y, yr in zip(grid["yearly"], grid["year"])], grid["value"] / n_years], np.nan)
    known = grid["actual"].notna()
    grid["planned_to_date"] = grid["planned"].where(known, 0.0).groupby(grid["row"]).cumsum()
    grid["actual_to_date"] = grid["actual"].fillna(0.0).groupby(grid["row"]).cumsum()
    any_known = known.groupby(grid["row"]).cummax()
    grid.loc[~any_known, ["planned_to_date", "actual_to_date"]] = np.nan
    # level targets: the level itself, against the straight line from the first observed level
    is_level = grid["kind"] == "level"
    lv = grid[is_level & known]
    base = lv.groupby("row")[["year", "actual"]].first().rename(columns={"year": "y0", "actual": "v0"})
    b = base.reindex(grid["row"])
    span = (grid["deadline"].to_numpy() - b["y0"].to_numpy()).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        path = b["v0"].to_numpy() + (grid["value"].to_numpy() - b["v0"].to_numpy()) * np.where(
            span > 0, (grid["year"].to_numpy() - b["y0"].to_numpy()) / span, 1.0)
    grid.loc[is_level, "planned_to_date"] = np.where(grid["year"].to_numpy() >= b["y0"].to_numpy(), path,
                                                     np.nan)[is_level.to_numpy()]
    grid.loc[is_level, "actual_to_date"] = grid.loc[is_level, "actual"]
    return grid[cols].reset_index(drop=True)


# --- status --------------------------------------------------------------------------------------

def _as_of(scoped: pd.DataFrame, verdicts: pd.DataFrame, year: int | None) -> pd.Series:
    """The year each target is judged in: the last data year of its place (or ``year``, if earlier)."""
    last_city = verdicts.groupby("city")["year"].max()
    last_county = verdicts.groupby(["city", "county"])["year"].max()
    county_key = pd.MultiIndex.from_arrays([scoped["city"], scoped["scope"]])
    last = pd.Series(last_county.reindex(county_key).to_numpy(), index=scoped.index)
    last = last.fillna(scoped["city"].map(last_city))
    return last.clip(upper=year) if year is not None else last


def _flow_level_status(scoped: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Status of yearly/total/level targets at their as-of year (module docstring)."""
    a = actuals.merge(scoped[["row", "as_of"]], on="row")
    a = a[a["year"] <= a["as_of"]]
    at = a.groupby("row").tail(1).set_index("row")
    s = scoped.set_index("row")
    at = at.reindex(s.index)
    flows = s["kind"].isin(["yearly", "total"])
    actual, planned = at["actual_to_date"], at["planned_to_date"]
    whole = s["value"]
    due = s["as_of"] >= s["deadline"]
    reached = pd.Series(_meets(actual, whole, s["direction"]), index=s.index)
    on_pace = pd.Series(_meets(actual, planned, s["direction"]), index=s.index)
    # a flow that is due is judged over the years with an amount (the first year may have none)
    met = actual.notna() & (reached | (flows & due & on_pace))
    status = np.select([actual.isna(), met, ~due & on_pace], ["no_data", "met", "on_track"], "behind")
    unknown_years = a[a["actual"].isna()].groupby("row")["year"].agg(lambda y: "、".join(map(str, y)))
    unknown_years = unknown_years.reindex(s.index).astype(object)  # empty: float NaNs; text either way
    missing = a.groupby("row")["missing"].agg(_names).reindex(s.index).fillna("")
    fmt = _fmt_amount
    unit = s["unit"].fillna("")
    yr = s["as_of"].map(lambda y: "—" if y != y else f"{int(y)}")
    sign = np.where(s["direction"] == "<=", "≤", "≥")
    flow_text = ("截至" + yr + "年累计" + actual.map(fmt) + unit + "，同期计划" + planned.map(fmt) + unit
                 + "；全期目标" + whole.map(fmt) + unit + "（" + s["deadline"].astype(str) + "年）")
    level_text = (yr + "年为" + actual.map(fmt) + unit + "，目标" + s["deadline"].astype(str) + "年" + sign
                  + whole.map(fmt) + unit
                  + np.where(~due & actual.notna(), "，按进度应" + sign + planned.map(fmt) + unit, ""))
    reason = pd.Series(np.where(flows, flow_text, level_text), index=s.index)
    reason = (reason
              + np.where(unknown_years.notna() & flows, "；" + unknown_years.fillna("") + "年无可比数据，未计入", "")
              + np.where(missing != "", "；缺少数据：" + missing, ""))
    reason = reason.where(status != "no_data", "无数据：" + s["scope"] + np.where(
        missing != "", "缺少" + missing, "不在数据中或该列未填写"))
    return pd.DataFrame({"target": whole, "target_to_date": planned, "actual": actual, "status": status,
                         "reason": reason}, index=s.index)


def _certification_status(scoped: pd.DataFrame, verdicts: pd.DataFrame, table: pd.DataFrame, horizon: int,
                          level: float, projection=None) -> pd.DataFrame:
    """Status of certification and certified-share targets, from the verdicts and the pass projection.

    ``projection`` is ``project(table)`` at ``horizon`` and ``level`` when the caller has it: it serves
    an as-of year that keeps every year of the data (the usual case), instead of projecting again.
    """
    s = scoped.set_index("row")
    out = pd.DataFrame(index=s.index, columns=["target", "target_to_date", "actual", "status", "reason"], dtype=object)
    # one pass projection per distinct as-of year (usually one: the last year of the data, which keeps them all)
    proj = []
    last = max(verdicts["year"].max(), table["year"].max()) if len(verdicts) and len(table) else None
    for as_of in sorted(s["as_of"].dropna().unique()):
        if last is not None and as_of >= last:
            p = pass_projection(verdicts, table, horizon, level, projection=projection)
        else:
            p = pass_projection(verdicts[verdicts["year"] <= as_of], table[table["year"] <= as_of], horizon, level)
        proj.append(p.assign(as_of=as_of))
    proj = pd.concat(proj, ignore_index=True).set_index(["as_of", "city", "county"]) if proj else None
    ready = verdicts[verdicts["overall"] == "met"]

    cert = s[s["kind"] == "certification"]
    if len(cert):
        key = pd.MultiIndex.from_arrays([cert["city"], cert["scope"]])
        in_data = pd.Series(key.isin(pd.MultiIndex.from_frame(verdicts[["city", "county"]])), index=cert.index)
        r = ready.merge(cert.reset_index()[["row", "city", "scope", "as_of"]],
                        left_on=["city", "county"], right_on=["city", "scope"])
        first = r[r["year"] <= r["as_of"]].groupby("row")["year"].min().reindex(cert.index)
        pkey = pd.MultiIndex.from_arrays([cert["as_of"], cert["city"], cert["scope"]])
        p = proj.reindex(pkey) if proj is not None else pd.DataFrame(
            index=pkey, columns=["status", "year", "note", "needs_data"])
        pstatus, pyear, pnote, pneeds = (pd.Series(p[c].to_numpy(), index=cert.index)
                                         for c in ("status", "year", "note", "needs_data"))
        due = cert["as_of"] >= cert["deadline"]
        met = first.notna() & (first <= cert["deadline"])
        on_track = ~due & (pstatus == "projected") & (pd.to_numeric(pyear, errors="coerce") <= cert["deadline"])
        unpredictable_nodata = ~due & (pstatus == "unpredictable") & pneeds.fillna(False).astype(bool)
        status = np.select([~in_data, met, on_track, unpredictable_nodata], ["no_data", "met", "on_track", "no_data"],
                           "behind")
        what = cert["level"].map(LEVEL_LABELS)
        fy = first.map(lambda y: "" if y != y else f"{int(y)}")
        reason = np.select(
            [~in_data, met, due & first.notna()],
            ["数据中没有" + cert["scope"],
             fy + "年数据首次达标，不晚于计划的" + cert["deadline"].astype(str) + "年（" + what + "）",
             fy + "年数据首次达标，晚于计划的" + cert["deadline"].astype(str) + "年"],
            np.where(due, "截至" + cert["as_of"].astype(int).astype(str) + "年数据仍未达标，计划"
                     + cert["deadline"].astype(str) + "年" + what,
                     "尚未达标；" + pnote.fillna("") + "；计划" + cert["deadline"].astype(str) + "年" + what))
        out.loc[cert.index, "target"] = cert["deadline"].astype(float)
        out.loc[cert.index, "actual"] = first.astype(float)
        out.loc[cert.index, "status"] = status
        out.loc[cert.index, "reason"] = reason

    share = s[s["kind"] == "certified_share"]
    if len(share):
        counties = verdicts.groupby("city")["county"].agg(lambda c: sorted(set(c)))
        n_all = share["city"].map(counties.map(len)).fillna(0)
        r = ready.merge(share.reset_index()[["row", "city", "as_of", "deadline"]], on="city")
        r = r[(r["year"] <= r["as_of"]) & (r["year"] <= r["deadline"])]
        done = r.groupby("row")["county"].agg(lambda c: sorted(set(c))).reindex(share.index)
        n_done = done.map(lambda c: len(c) if isinstance(c, list) else 0)
        if proj is not None:
            pr = proj.reset_index()
            pr = pr[(pr["status"] == "projected")].merge(share.reset_index()[["row", "city", "as_of", "deadline"]],
                                                         on=["city", "as_of"])
            pr = pr[pr["year"].astype(float) <= pr["deadline"]]
            will = pr.groupby("row")["county"].agg(lambda c: sorted(set(c))).reindex(share.index)
        else:
            will = pd.Series(np.nan, index=share.index, dtype=object)
        n_will = will.map(lambda c: len(c) if isinstance(c, list) else 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = n_done / n_all
            rate_will = (n_done + n_will) / n_all
        due = share["as_of"] >= share["deadline"]
        met = at_least(rate, share["share"])
        on_track = ~due & at_least(rate_will, share["share"])
        status = np.select([n_all == 0, met, on_track], ["no_data", "met", "on_track"], "behind")
        names = done.map(lambda c: "、".join(c) if isinstance(c, list) else "无")
        will_names = will.map(lambda c: "、".join(c) if isinstance(c, list) else "无")
        reason = ("截至" + share["as_of"].astype(int).astype(str) + "年，" + n_all.astype(int).astype(str) + "个县区中"
                  + n_done.astype(str) + "个达标（" + names + "），占" + (rate * 100).map("{:.0f}%".format)
                  + "；目标" + share["deadline"].astype(str) + "年≥" + (share["share"] * 100).map("{:.1f}%".format)
                  + np.where(~due & ~met, "；按趋势预计" + share["deadline"].astype(str) + "年前另有"
                             + n_will.astype(str) + "个达标（" + will_names + "）", ""))
        out.loc[share.index, "target"] = share["share"] * 100
        out.loc[share.index, "actual"] = rate * 100
        out.loc[share.index, "target_to_date"] = rate_will * 100
        out.loc[share.index, "status"] = status
        out.loc[share.index, "reason"] = reason.where(n_all > 0, "数据中没有" + share["city"] + "的县区")
    return out


def plan_status(assessment, plans=None, *, year: int | None = None, horizon: int = HORIZON,
                level: float = DEFAULT_LEVEL, progress_table: pd.DataFrame | None = None,
                projection=None) -> pd.DataFrame:
    """Each plan target's status: target, actual, ``met``/``on_track``/``behind``/``no_data`` and why.

    Parameters
    ----------
    assessment : Assessment
        From :func:`quality_balance.assess`.
    plans : str, Path, Plan, list of them, or None
        The plans to judge: a plan name, a ``.toml`` path, a :class:`Plan`, or a list of
        them. Positional: it is the selection (``plan_status(a, "濮阳市")``). ``None``
        (default): the shipped plans of the cities in the data.
    year : int, optional, keyword-only
        Judge as of this year (default ``None``: the last year of data of each place); a
        year the assessment does not hold is an :class:`~quality_balance.errors.UnknownNameError`.
    horizon : int, keyword-only
        Last year the pass projections used for certification targets look ahead to
        (default 2030; :func:`quality_balance.projected_pass_year`).
    level : float, keyword-only
        Coverage of those projections' prediction interval, strictly between 0 and 1
        (default 0.90).
    progress_table : DataFrame, keyword-only
        ``progress(assessment)``, when the caller has it already (a report computes it once);
        default ``None``: computed here when a certification target needs it.
    projection : Projection, keyword-only
        ``project(progress_table, horizon=horizon, level=level)``, when the caller has it
        already; it serves the targets judged as of the last year of the data. The result is
        the same either way.

    Returns
    -------
    DataFrame
        One row per target and place: ``plan``, ``city``, ``county`` (missing for a
        city-wide target), ``scope`` (the county, or ``全市``), ``target_id``, ``kind``,
        ``label``, ``unit``, ``deadline``, ``as_of``, ``target`` (the whole target: an
        amount, a level, a planned year, or a share in %), ``target_to_date`` (the
        amount planned by ``as_of``; for a share, the share passing or projected to
        pass by the deadline), ``actual`` (cumulative amount, level, first passing
        year, or share in %), ``status``, ``status_label`` (Chinese) and ``reason``.
        The status definitions are in the module docstring.

    Raises
    ------
    UnknownNameError
        ``year`` is not a year of the assessment.
    ProfileError
        ``plans`` names no known plan, or a plan file is invalid.
    CalculationError
        ``projection`` was made at another horizon or level.
    """
    verdicts = assessment.verdicts
    if year is not None:
        require_known(year, verdicts["year"].unique(), parameter="year", what="年份")
    chosen = load_plans(plans, verdicts["city"].unique())
    cols = ["plan", "city", "county", "scope", "target_id", "kind", "label", "unit", "deadline", "as_of", "target",
            "target_to_date", "actual", "status", "status_label", "reason"]
    if not chosen:
        return pd.DataFrame(columns=cols)
    scoped = _scoped(chosen)
    scoped["row"] = np.arange(len(scoped))
    scoped["as_of"] = _as_of(scoped, verdicts, year)
    parts = [pd.DataFrame(columns=["target", "target_to_date", "actual", "status", "reason"], dtype=object)]
    in_data = scoped["as_of"].notna()            # a plan of a city the data do not cover: no data
    flows = scoped["kind"].isin(["yearly", "total", "level"]) & in_data
    if flows.any():
        actuals = plan_actuals(assessment, chosen)
        actuals = actuals.merge(scoped[["plan", "target_id", "scope", "row"]], on=["plan", "target_id", "scope"])
        parts.append(_flow_level_status(scoped[flows], actuals))
    others = ~scoped["kind"].isin(["yearly", "total", "level"]) & in_data
    if others.any():
        table = progress(assessment) if progress_table is None else progress_table
        parts.append(_certification_status(scoped[others], verdicts, table, horizon, level, projection))
    result = pd.concat(parts).reindex(scoped["row"])
    result["reason"] = result["reason"].fillna(pd.Series("数据中没有" + scoped["city"] + "的县区",
                                                         index=scoped["row"].to_numpy()))
    out = scoped.set_index("row")[["plan", "city", "scope", "target_id", "kind", "label", "unit", "deadline",
                                   "as_of"]].join(result)
    out["county"] = out["scope"].where(out["scope"] != CITY_SCOPE)
    out["as_of"] = out["as_of"].astype("Int64")
    out["status"] = out["status"].fillna("no_data")
    out["status_label"] = out["status"].map(PLAN_STATUS_LABELS)
    for c in ("target", "target_to_date", "actual"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out[cols].reset_index(drop=True)


def planned_certification_year(city: str, county: str, *, level: str = "national",
                               plans=None) -> int | None:
    """The year a plan sets for ``county`` (of ``city``) to be certified, or None.

    A ``certification`` target naming the county wins; otherwise a
    ``certified_share`` target of the city with share 1 ("all counties by …") gives
    its year, since it binds every county.

    Parameters
    ----------
    city, county : str
        The county's city and name (the selection, positional).
    level : str, keyword-only
        The assessment asked about: ``"national"`` (default, 国家督导评估认定) or
        ``"provincial"`` (省级评估; a ``certified_share`` target does not count for it).
    plans : str, Path, Plan, list of them, or None, keyword-only
        The plans to look in. The default ``None`` takes every shipped plan.

    Returns
    -------
    int or None
        The earliest planned year among the matching targets; ``None`` for a place
        no plan names.

    Raises
    ------
    UnknownNameError
        ``level`` is neither ``"national"`` nor ``"provincial"``.
    ProfileError
        ``plans`` names no known plan, or a plan file is invalid.

    Examples
    --------
    >>> planned_certification_year("呼和浩特市", "赛罕区")
    2024
    >>> planned_certification_year("濮阳市", "范县")
    2030
    >>> planned_certification_year("淄博市", "桓台县", level="provincial")
    2024
    """
    require_known(level, LEVEL_LABELS, parameter="level", what="评估级别", where="规划目标")
    years, all_by = [], []
    for plan in load_plans(plans):
        if plan.city != city:
            continue
        for t in plan.targets:
            if t.kind == "certification" and t.level == level:
                if t.county == county:
                    years.append(int(t.year))
                elif county in t.by_county:
                    years.append(int(t.by_county[county]))
            elif t.kind == "certified_share" and level == "national" and t.share == 1:
                all_by.append(int(t.year))
    if years:
        return min(years)
    return min(all_by) if all_by else None
