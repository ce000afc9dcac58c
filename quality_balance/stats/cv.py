"""The coefficient of variation (差异系数), student-weighted as in the official method.

Method: docs/method.md §4.5.

For one indicator and stage over the in-scope units of a county::

    X_i = the unit's per-student value        P_i = the unit's students, P = Σ P_i
    X̄   = Σ P_i·X_i / P                       (the county aggregate ratio, not the mean of the X_i)
    S   = sqrt( Σ (P_i / P) · (X_i − X̄)² )
    CV  = S / X̄

The CV is scale-free, so R1's "per 100 students" scaling does not change it.
Limits (from the profile, not here): 小学 ≤ 0.50, 初中 ≤ 0.45.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import as_arrays

__all__ = ["weighted_cv", "unweighted_cv", "grouped_weighted_cv"]


def weighted_cv(values, weights) -> float:
    """Student-weighted coefficient of variation of per-student values.

    Parameters
    ----------
    values : array-like of float
        Each unit's per-student indicator value X_i (e.g. m² per student).
    weights : array-like of float
        Each unit's students P_i (non-negative, positive total).

    Returns
    -------
    float
        S / X̄ as defined in the module docstring; 0.0 for a single unit; ``nan``
        when the weighted mean is 0 (the CV is undefined).

    Examples
    --------
    Two schools of equal size, 1 and 3 m² per student: mean 2, S = 1.

    >>> weighted_cv([1.0, 3.0], [100, 100])
    0.5

    The same values when the larger school has the smaller value — the weighted
    CV differs from the unweighted one (0.5):

    >>> round(weighted_cv([1.0, 3.0], [300, 100]), 4)
    0.5774
    """
    x, w = as_arrays(values, weights)
    p = w / w.sum()
    mean = float(np.sum(p * x))
    if mean == 0:
        return float("nan")
    return float(np.sqrt(np.sum(p * (x - mean) ** 2)) / mean)


def unweighted_cv(values) -> float:
    """Plain population CV, ``std(x) / mean(x)``: every unit counts the same.

    >>> unweighted_cv([1.0, 3.0])
    0.5
    """
    x, _ = as_arrays(values)
    mean = float(x.mean())
    return float("nan") if mean == 0 else float(x.std() / mean)


def grouped_weighted_cv(frame: pd.DataFrame, by: list[str], value: str = "value",
                        weight: str = "students") -> pd.DataFrame:
    """Weighted CV, mean and unit count for every group of ``frame`` at once.

    Returns a DataFrame indexed by ``by`` with columns ``cv`` (nan where the mean
    is 0), ``mean`` (Σ P·X / Σ P), ``cv_unweighted``, ``n_units`` and ``students``.
    Rows with a missing value or zero weight are ignored.
    """
    data = frame.loc[frame[value].notna() & (frame[weight] > 0), by + [value, weight]]
    keys = [data[c] for c in by]
    weighted = data[weight] * data[value]
    students = data[weight].groupby(keys, sort=True).sum()
    mean = weighted.groupby(keys, sort=True).sum() / students
    unit_mean = weighted.groupby(keys).transform("sum") / data[weight].groupby(keys).transform("sum")
    variance = (data[weight] * (data[value] - unit_mean) ** 2).groupby(keys, sort=True).sum() / students
    plain = data[value].groupby(keys, sort=True).agg(["mean", "count"])
    plain_std = data[value].groupby(keys, sort=True).std(ddof=0)
    return pd.DataFrame({
        "cv": np.sqrt(variance) / mean.where(mean != 0),
        "mean": mean,
        "cv_unweighted": plain_std / plain["mean"].where(plain["mean"] != 0),
        "n_units": plain["count"].astype(int),
        "students": students,
    })
