"""Progress 2021–2025: every measure of every county, year by year, against its threshold.

Method: docs/method.md §11.

:func:`progress` turns an :class:`~quality_balance.method.assessment.Assessment` into
one tidy table, one row per county, year and *measure*:

* every assessment item (``R``, ``G1``…``G15``, ``Q1``…``Q9``, ``S1``, ``V1``…``V6``,
  local ``L*``) with its status. What an item compared comes from the
  assessment's parts table: an item compared as one number against one threshold
  carries that number, the threshold and the comparison (``direction``); items
  checked school by school (G3–G6, Q4) carry the number of failing schools (to be
  0); items comparing several quantities (G2, G8, G11, G13, G14, Q9) are followed
  through one measure per part (``"G11.1"``, ``"G11.2"``), which count toward
  the verdict in the item's place; yes/no and rating items and the ``R`` item are
  followed by status only;
* for resource allocation, per stage and indicator, the student-weighted CV
  (measure ``"R4-CV-primary"``, threshold = the profile's CV limit, ``<=``) and
  the share of school units meeting the indicator (``"R4-share-primary"``, in %);
  and per stage the share of school units meeting the school rule
  (``"R-rule-primary"``, in %).

The two shares are compared with :data:`ALL_UNITS_PCT` (100 %): the standard asks
every unit to meet the school rule, so ``R-rule-*`` counts toward the verdict; a
unit may miss one indicator and still pass, so ``R*-share-*`` is shown for
information (``counts`` is False). Every other threshold is the assessment's
own (the county's profile), never a figure of this module.

For each county and measure, ``first_year_met`` is the first observed year it was
met and ``slipped_back`` is True when it was met in some year and not met in a
later one.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..method.rules import at_least
from ..schema import INDICATOR_LABELS, INDICATORS, STAGE_LABELS, PLACE_KEY as PLACE
from .._memory import reusing_freed_memory

__all__ = ["progress", "DIRECTIONS", "ALL_UNITS_PCT", "PROGRESS_COLUMNS", "met_since"]

SERIES = ["city", "county", "measure"]

#: The comparisons a numeric measure can have (value ``op`` threshold meets it).
DIRECTIONS = (">=", "<=", "<")

#: "Every school unit": the share (%) the school rule requires; not a profile setting.
ALL_UNITS_PCT = 100.0
#: Columns of the progress table, in order.
PROGRESS_COLUMNS = ["city", "county", "year", "measure", "label", "dimension", "source", "stage", "indicator",
                    "value", "threshold", "direction", "unit", "status", "met", "counts", "numeric",
                    "first_year_met", "slipped_back"]


def _item_rows(assessment) -> pd.DataFrame:
    """Item measures: one per item, plus one per part of the items that compare several quantities.

    What each item compared comes from ``assessment.parts`` (value, threshold, operator,
    unit). An item with one part carries that part's numbers. An item with several
    parts (G2, G8, G11, G13, G14, Q9) is followed through its parts, measures
    ``"G11.1"``, ``"G11.2"``…, which count toward the verdict in its place.
    """
    items, parts = assessment.items, assessment.parts
    item_key = PLACE + ["item"]
    n_parts = parts.groupby(item_key)["part_no"].transform("size")
    numeric = parts["op"].isin(list(DIRECTIONS))
    value = pd.to_numeric(parts["value"].where(numeric), errors="coerce").astype(float)
    threshold = pd.to_numeric(parts["threshold"].where(numeric), errors="coerce").astype(float)
    parts = parts.assign(value=value, threshold=threshold, direction=parts["op"].where(numeric),
                         unit=parts["unit"].where(numeric, ""))
    single = parts[n_parts == 1][item_key + ["value", "threshold", "direction", "unit"]]
    out = items[item_key + ["label", "dimension", "status", "counts"]].merge(single, on=item_key, how="left")
    multi_items = parts.loc[n_parts > 1, item_key].drop_duplicates()
    covered = out[item_key].merge(multi_items.assign(_m=True), on=item_key, how="left")["_m"].fillna(False)
    out["counts"] = out["counts"].astype(bool) & ~covered.astype(bool).to_numpy()  # its parts count instead
    out["measure"], out["source"], out["stage"], out["indicator"] = out["item"], "item", None, None
    sub = parts[n_parts > 1].merge(items[item_key + ["label", "counts"]], on=item_key, how="left")
    sub["measure"] = sub["item"] + "." + sub["part_no"].astype(str)
    sub["label"] = sub["item"] + " " + sub["part"]
    sub["source"], sub["stage"], sub["indicator"] = "item_part", None, None
    cols = PLACE + ["measure", "label", "dimension", "source", "stage", "indicator", "value", "threshold",
                    "direction", "unit", "status", "counts"]
    return pd.concat([out[cols], sub[cols]], ignore_index=True)


def _cv_rows(cv: pd.DataFrame) -> pd.DataFrame:
    cv = cv[cv["status"] != "not_applicable"]
    out = cv[PLACE].copy()
    out["measure"] = cv["indicator"] + "-CV-" + cv["stage"]
    out["label"] = (cv["stage"].map(STAGE_LABELS) + " " + cv["indicator"] + " "
                    + cv["indicator"].map(INDICATOR_LABELS) + " 差异系数")
    out["dimension"], out["source"] = "resources", "cv"
    out["stage"], out["indicator"] = cv["stage"], cv["indicator"]
    out["value"], out["threshold"] = cv["cv"].astype(float), cv["limit"].astype(float)
    out["direction"], out["unit"] = "<=", ""
    out["status"] = np.where(cv["status"] == "met", "met", "not_met")  # an undefined CV fails (resources)
    out["counts"] = True
    return out


def _share_rows(ra) -> pd.DataFrame:
    """Per county, year and stage: the share of school units meeting each indicator, and the school rule.

    Counted on the unit table with each unit's met flags (:attr:`ResourceAssessment.grid`): one grouping of
    the units, not of the 7.7 M-row long table at national scale. Shares are exact (whole counts divided).
    """
    units, k = ra.units, len(INDICATORS)
    met = ra.grid.met
    flags = {f"_met{j}": met[j].astype(float) for j in range(k)}
    means = (units[PLACE + ["stage"]].assign(ok=units["passes_school_rule"].astype(float), **flags)
             .groupby(PLACE + ["stage"], as_index=False).mean())
    # one row per group and indicator, in the order groupby(PLACE + stage + indicator) gives (R1 < … < R7)
    share = means[PLACE + ["stage"]].take(np.repeat(np.arange(len(means)), k)).reset_index(drop=True)
    share["indicator"] = pd.array(list(INDICATORS), dtype=units["city"].dtype).take(np.tile(np.arange(k), len(means)))
    share["met"] = means[list(flags)].to_numpy(dtype=float).reshape(-1)
    a = share[PLACE].copy()
    a["measure"] = share["indicator"] + "-share-" + share["stage"]
    a["label"] = (share["stage"].map(STAGE_LABELS) + " " + share["indicator"] + " "
                  + share["indicator"].map(INDICATOR_LABELS) + " 达标学校单元占比")
    a["stage"], a["indicator"], a["value"], a["counts"] = share["stage"], share["indicator"], share["met"] * 100, False
    rule = means[PLACE + ["stage", "ok"]]
    b = rule[PLACE].copy()
    b["measure"] = "R-rule-" + rule["stage"]
    b["label"] = rule["stage"].map(STAGE_LABELS) + " 达到校际指标要求的学校单元占比"
    b["stage"], b["indicator"], b["value"], b["counts"] = rule["stage"], None, rule["ok"] * 100, True
    out = pd.concat([a.assign(source="indicator_share"), b.assign(source="school_rule")], ignore_index=True)
    out["dimension"], out["threshold"], out["direction"], out["unit"] = "resources", ALL_UNITS_PCT, ">=", "%"
    out["status"] = np.where(at_least(out["value"], ALL_UNITS_PCT), "met", "not_met")
    return out


def _history(frame: pd.DataFrame) -> pd.DataFrame:
    """``first_year_met`` and ``slipped_back`` per county and measure (frame sorted by year)."""
    met = frame["met"].fillna(False).astype(bool)
    failed = frame["met"].eq(False).fillna(False).astype(bool)
    groups = [frame[c] for c in SERIES]
    seen_before = met.astype(int).groupby(groups).cummax().groupby(groups).shift(1, fill_value=0)
    slipped = (seen_before.astype(bool) & failed).groupby(groups).transform("any")
    first = frame["year"].where(met).groupby(groups).transform("min")
    return frame.assign(first_year_met=first.astype("Int64"), slipped_back=slipped.astype(bool))


def progress(assessment) -> pd.DataFrame:
    """The progress table of an assessment: one row per county, year and measure (module docstring).

    Parameters
    ----------
    assessment : Assessment
        From :func:`quality_balance.assess`.

    Returns
    -------
    DataFrame
        Columns :data:`PROGRESS_COLUMNS`: ``measure`` (``"G9"``, ``"R4-CV-primary"``,
        ``"R4-share-primary"``, ``"R-rule-junior"``...), Chinese ``label``, ``dimension``,
        ``source`` (``item``/``cv``/``indicator_share``/``school_rule``), ``stage`` and
        ``indicator`` for resource measures, ``value`` and ``threshold`` (floats; missing for
        status-only items), ``direction`` (``">="``, ``"<="`` or ``"<"``: value *direction*
        threshold meets it), ``unit``, ``status`` (``met``/``not_met``/``no_data``/
        ``not_applicable``), ``met`` (nullable boolean, missing without data), ``counts``
        (the measure is part of the pass rule), ``numeric`` (value, threshold and direction
        known: the series can be projected), ``first_year_met`` (Int64) and ``slipped_back``.

    Examples
    --------
    >>> import quality_balance as qb
    >>> p = qb.progress(qb.assess(qb.demo.generate(years=[2024, 2025])))
    >>> p.query("county == '蕉岭县' and measure == 'Q1'")[["year", "value", "met"]].values.tolist()
    [[2024, 95.7, False], [2025, 100.0, True]]
    """
    with reusing_freed_memory():  # freed memory reused during the call (quality_balance/_memory.py)
        return _progress(assessment)


def _progress(assessment):
    """:func:`progress` (its docstring), the allocator set by the caller."""
    ra = assessment.resources
    frame = pd.concat([_item_rows(assessment), _cv_rows(ra.cv), _share_rows(ra)],
                      ignore_index=True)
    frame["met"] = pd.array(np.where(frame["status"].isin(["met", "not_met"]), frame["status"] == "met", pd.NA),
                            dtype="boolean")
    frame["numeric"] = frame["direction"].notna() & frame["threshold"].notna()
    frame["year"] = frame["year"].astype(int)
    # one sort: a measure has one source, so each series (city, county, measure) is contiguous and in year order
    # in the table's final order, which is all _history needs (one copy of the long table fewer)
    order = {"item": 0, "cv": 1, "school_rule": 2, "indicator_share": 3}
    frame = frame.assign(_o=frame["source"].map(order)).sort_values(
        ["city", "county", "_o", "measure", "year"], kind="stable").drop(columns="_o").reset_index(drop=True)
    frame = _history(frame)
    return frame[PROGRESS_COLUMNS]


def met_since(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """First year of the unbroken run of met years that ends in each series' last year.

    ``frame`` has ``keys``, ``year`` and a boolean ``met``; the result is indexed by
    ``keys`` and missing where the last year is not met.

    >>> f = pd.DataFrame({"k": ["a"] * 4, "year": [2021, 2022, 2023, 2024],
    ...                   "met": [True, False, True, True]})
    >>> int(met_since(f, ["k"]).loc["a"])
    2023
    """
    f = frame[keys + ["year", "met"]].sort_values(keys + ["year"], kind="stable")  # sort only what is read
    met = f["met"].fillna(False).astype(bool)
    groups = [f[k] for k in keys]
    # a run id that grows at every year not met: the last run's met years share the last id
    run = (~met).astype(int).groupby(groups).cumsum()
    last_run = run.groupby(groups).transform("last")
    last_met = met.groupby(groups).transform("last")
    in_run = met & (run == last_run) & last_met
    return f["year"].where(in_run).groupby(groups).min().astype("Int64")
