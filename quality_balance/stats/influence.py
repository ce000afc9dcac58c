"""Each unit's influence on the weighted CV.

Method: docs/method.md §4.6.

Two views, both holding the other units fixed:

* ``cv_at_mean`` — the county CV if this unit were brought to the county mean X̄
  (its students unchanged, its resource set to P_i·X̄);
* ``cv_without`` — the county CV if this unit were left out.

``effect_at_mean = cv − cv_at_mean``: how much of the CV this unit accounts for.
Computed from group sums (Σ P, Σ P·X, Σ P·X²), so every unit of every group at once.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import as_arrays
from .cv import cv_from_moments

__all__ = ["cv_influence", "grouped_cv_influence"]


def _cv_from_sums(s0, s1, s2):
    """The CV from Σ P, Σ P·X, Σ P·X² (one pass, for the what-if closed forms; the zero-mean rule of
    :func:`~quality_balance.stats.cv.cv_from_moments`)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / s0
        return cv_from_moments(mean, s2 / s0 - mean ** 2)


def cv_influence(values, weights) -> pd.DataFrame:
    """Per unit: ``cv_at_mean``, ``cv_without`` and ``effect_at_mean`` (see module docstring).

    Parameters
    ----------
    values : array-like of float
        Each unit's per-student indicator value X_i (e.g. m² per student).
    weights : array-like of float
        Each unit's students P_i (non-negative, positive total), one per value.

    Returns
    -------
    DataFrame
        One row per unit with a positive weight, in input order (index 0 … n−1),
        with columns ``value`` (X_i), ``students`` (P_i), ``cv`` (the CV of all units,
        the same on every row), ``cv_at_mean`` (the CV with this unit brought to X̄),
        ``cv_without`` (the CV without this unit; ``nan`` for a unit alone) and
        ``effect_at_mean`` (``cv − cv_at_mean``, the part of the CV this unit
        accounts for). CVs are unitless ratios; ``nan`` where the mean is 0.

    Raises
    ------
    CalculationError
        ``values`` is empty or not finite, or ``weights`` has another length, a
        negative or non-finite entry, or a total of 0.

    Examples
    --------
    >>> df = cv_influence([1.0, 3.0, 2.0], [1, 1, 2])
    >>> float(df["cv_at_mean"].iloc[2]) == float(df["cv_at_mean"].iloc[2])  # defined
    True
    >>> round(float(df["cv_without"].iloc[2]), 4)  # leaving out the mean unit raises the CV
    0.5
    """
    x, w = as_arrays(values, weights)
    frame = pd.DataFrame({"k": 0, "value": x, "students": w})
    return grouped_cv_influence(frame, ["k"]).drop(columns="k").reset_index(drop=True)


def grouped_cv_influence(frame: pd.DataFrame, by: list[str], value: str = "value",
                         weight: str = "students") -> pd.DataFrame:
    """``frame`` with ``cv``, ``cv_at_mean``, ``cv_without`` and ``effect_at_mean`` columns added."""
    data = frame.loc[frame[value].notna() & (frame[weight] > 0)].copy()
    keys = [data[c] for c in by]
    p, x = data[weight].to_numpy(float), data[value].to_numpy(float)
    s0 = data[weight].groupby(keys).transform("sum").to_numpy(float)
    s1 = pd.Series(p * x, index=data.index).groupby(keys).transform("sum").to_numpy(float)
    s2 = pd.Series(p * x * x, index=data.index).groupby(keys).transform("sum").to_numpy(float)
    mean = s1 / np.where(s0 > 0, s0, np.nan)
    data["cv"] = _cv_from_sums(s0, s1, s2)
    data["cv_at_mean"] = _cv_from_sums(s0, s1 - p * x + p * mean, s2 - p * x * x + p * mean * mean)
    rest = s0 - p
    data["cv_without"] = np.where(rest > 0, _cv_from_sums(np.where(rest > 0, rest, 1.0), s1 - p * x,
                                                            s2 - p * x * x), np.nan)
    data["effect_at_mean"] = data["cv"] - data["cv_at_mean"]
    return data
