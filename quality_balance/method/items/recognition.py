"""Social recognition (社会认可度), item S1, with Wilson intervals.

Method: docs/method.md §7.

The recognition rate is favourable answers ÷ respondents, overall and for each
surveyed group; it must reach ``recognition.min_rate`` (85%). Beside each rate
the Wilson score interval at ``recognition.confidence`` (95%) is reported; a
pass whose interval's lower bound is under the threshold is flagged
``fragile``: the sample is too small to rule out a rate below the standard.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import PLACE, ItemBlock, check, fmt_limit, fmt_number, joined_by_code, param
from ...stats._groups import rows_in
from ..rules import at_least, below

__all__ = ["wilson_interval", "recognition_table", "recognition_items"]

LABEL = "社会认可度"


def wilson_interval(favourable, respondents, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion; arrays of lower and upper bounds (0–1).

    Parameters
    ----------
    favourable : int or array-like of int
        Favourable answers k (count, 0 ≤ k ≤ n).
    respondents : int or array-like of int
        Respondents n (count), broadcast against ``favourable``.
    confidence : float or array-like of float, keyword-only
        The interval's level, a fraction in (0, 1), broadcast against the counts.
        The default 0.95 is a plain statistical default; the assessment passes the
        profile's ``recognition.confidence`` (0.95 in the national profile).

    Returns
    -------
    lower, upper : ndarray of float
        The bounds as fractions of 1 (not percent), with z the normal quantile at
        ``0.5 + confidence / 2``; ``nan`` where ``respondents`` is 0.

    Examples
    --------
    >>> lo, hi = wilson_interval(85, 100)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.7672, 0.9069)
    """
    k, n = np.asarray(favourable, float), np.asarray(respondents, float)
    z = _normal_quantile(0.5 + np.asarray(confidence, dtype=float) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.where(n > 0, centre - half, np.nan), np.where(n > 0, centre + half, np.nan)


def _normal_quantile(p: np.ndarray) -> np.ndarray:
    """The standard normal quantile of each probability (``scipy.stats.norm.ppf``), once per distinct value.

    :meth:`statistics.NormalDist.inv_cdf` (Wichura's AS241, accurate to about 1e-16 relative): the
    standard library's, so that no assessment waits ≈0.3 s for scipy to load for one number per
    confidence level. ``p`` of 0 or 1 gives ∓∞ or +∞, outside [0, 1] or NaN gives NaN (as ``ndtri``).

    Parameters
    ----------
    p : ndarray of float
        Probabilities (fractions of 1).

    Returns
    -------
    ndarray of float
        z with Φ(z) = p, of the shape of ``p`` (a 0-d array for a scalar).
    """
    from statistics import NormalDist

    p = np.asarray(p, dtype=float)
    distinct, where = np.unique(p, return_inverse=True)
    normal = NormalDist()

    def quantile(x: float) -> float:
        if not 0.0 <= x <= 1.0:  # (NaN too)
            return np.nan
        return -np.inf if x == 0.0 else np.inf if x == 1.0 else normal.inv_cdf(x)
    return np.array([quantile(float(x)) for x in distinct], dtype=float)[where].reshape(p.shape)


def recognition_table(survey: pd.DataFrame, places: pd.DataFrame, profiles: dict) -> pd.DataFrame:
    """Rates per county, year and group, plus an ``全体`` (overall) row per county-year.

    Columns: city, county, year, group, respondents, favourable, rate (%), ci_low,
    ci_high (%), confidence (the interval's level, e.g. 0.95), threshold (%), passes, fragile.
    """
    by_group = survey.groupby(PLACE + ["group"], as_index=False)[["respondents", "favourable"]].sum()
    overall = by_group.groupby(PLACE, as_index=False)[["respondents", "favourable"]].sum().assign(group="全体")
    table = pd.concat([overall, by_group], ignore_index=True)
    table = table.merge(places[PLACE], on=PLACE, how="inner")
    conf = param(table, profiles, "recognition.confidence").astype(float)
    lo, hi = wilson_interval(table["favourable"], table["respondents"], confidence=conf.to_numpy())
    table["rate"] = table["favourable"] / table["respondents"].where(table["respondents"] > 0) * 100
    table["ci_low"], table["ci_high"], table["confidence"] = lo * 100, hi * 100, conf
    table["threshold"] = param(table, profiles, "recognition.min_rate").astype(float)
    table["passes"] = at_least(table["rate"], table["threshold"])
    table["fragile"] = table["passes"] & below(table["ci_low"], table["threshold"])
    order = pd.Categorical(table["group"], ["全体", *sorted(set(table["group"].unique().tolist()) - {"全体"})])
    return table.assign(_o=order).sort_values(PLACE + ["_o"]).drop(columns="_o").reset_index(drop=True)


def recognition_items(places: pd.DataFrame, survey: pd.DataFrame | None,
                      profiles: dict) -> tuple[ItemBlock, pd.DataFrame]:
    """Item S1 for every county-year and the per-group table behind it."""
    threshold = param(places, profiles, "recognition.min_rate").astype(float)
    if survey is None or survey.empty:
        table = pd.DataFrame(columns=PLACE + ["group", "respondents", "favourable", "rate", "ci_low", "ci_high",
                                              "confidence", "threshold", "passes", "fragile"])
        result = check("no_data", np.nan, threshold, "无满意度调查数据", places.index, op=">=", part=LABEL, unit="%")
        return ItemBlock.build(places, "recognition", {"S1": LABEL}, {"S1": result}), table
    table = recognition_table(survey, places, profiles)
    overall = places[PLACE].merge(table[table["group"] == "全体"], on=PLACE, how="left")
    overall.index = places.index
    low = _low_groups(table, places)
    rate = overall["rate"]
    ok = at_least(rate, threshold)
    status = np.select([rate.isna(), ok], ["no_data", "met"], "not_met")
    level = (overall["confidence"].astype(float) * 100).map("{:g}%".format)
    text = ("认可度 " + fmt_number(rate, "%", limit=threshold) + "（" + level + "区间 "
            + fmt_number(overall["ci_low"], "", limit=threshold) + "–" + fmt_number(overall["ci_high"], "%")
            + "，样本 " + fmt_number(overall["respondents"], "", 0) + "）"
            + np.where(ok, " ≥ ", " < ") + fmt_limit(threshold, "%"))
    text = text.where(~overall["fragile"].fillna(False).astype(bool),
                      text + "；注意：区间下限低于标准，样本偏小，达标可能出于偶然")
    text = text.where(low == "", text + "；低于标准的群体：" + low)
    text = text.where(rate.notna(), "无满意度调查数据")
    result = check(status, rate, threshold, text, places.index, op=">=", part=LABEL, unit="%")
    return ItemBlock.build(places, "recognition", {"S1": LABEL}, {"S1": result}), table


def _low_groups(table: pd.DataFrame, places: pd.DataFrame) -> np.ndarray:
    """Per county-year, the surveyed groups below the standard, joined with "、" in the table's order.

    Parameters
    ----------
    table : DataFrame
        :func:`recognition_table` (city, county, year, group, passes).
    places : DataFrame
        The county-years.

    Returns
    -------
    ndarray of object (str)
        Aligned with ``places``; "" where no group fails (by integer codes: no groupby on the text keys).
    """
    low = table[(table["group"] != "全体").to_numpy() & ~table["passes"].to_numpy(dtype=bool)]
    return joined_by_code(rows_in(low, places, PLACE), low["group"].to_numpy(dtype=object), len(places), "、")
