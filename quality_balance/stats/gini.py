"""The Gini coefficient of per-student values, weighted by students.

Method: docs/method.md §4.6.

    G = Σ_i Σ_j P_i P_j |X_i − X_j| / (2 P² X̄)

computed in O(n log n) from the sorted values: with weights p_i = P_i / P
normalised to 1 and F_i the cumulative weight up to and including unit i,
G = Σ_i p_i X_i (2 F_i − p_i − 1) / X̄.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import as_arrays

__all__ = ["gini", "grouped_gini"]


def gini(values, weights=None) -> float:
    """Student-weighted Gini coefficient, 0 (equal) to →1 (concentrated).

    Parameters
    ----------
    values : array-like of float
        Each unit's per-student indicator value X_i (e.g. m² per student).
    weights : array-like of float, optional
        Each unit's students P_i (non-negative, positive total), one per value.
        Positional: the second data array, as in :func:`weighted_cv`. The default
        ``None`` weights every unit 1 (the unweighted Gini).

    Returns
    -------
    float
        G = Σ_i Σ_j P_i P_j |X_i − X_j| / (2 P² X̄), unitless: 0 when every unit has
        the same value, approaching 1 when one unit holds everything; ``nan`` when
        the weighted mean is 0.

    Raises
    ------
    CalculationError
        ``values`` is empty or not finite, or ``weights`` has another length, a
        negative or non-finite entry, or a total of 0.

    Examples
    --------
    >>> gini([1.0, 3.0])
    0.25
    >>> abs(gini([2.0, 2.0, 2.0], [10, 20, 30])) < 1e-12
    True
    """
    x, w = as_arrays(values, weights)
    order = np.argsort(x, kind="stable")
    x, p = x[order], w[order] / w.sum()
    mean = float(np.sum(p * x))
    if mean == 0:
        return float("nan")
    cum = np.cumsum(p)
    return float(np.sum(p * x * (2 * cum - p - 1)) / mean)


def grouped_gini(frame: pd.DataFrame, by: list[str], value: str = "value",
                 weight: str = "students") -> pd.Series:
    """Weighted Gini for every group of ``frame`` at once (a Series indexed by ``by``)."""
    data = frame.loc[frame[value].notna() & (frame[weight] > 0), by + [value, weight]]
    data = data.sort_values(by + [value], kind="stable")
    g = data.groupby(by, sort=True)
    p = data[weight] / g[weight].transform("sum")
    mean = (p * data[value]).groupby([data[c] for c in by]).transform("sum")
    cum = p.groupby([data[c] for c in by]).cumsum()
    term = p * data[value] * (2 * cum - p - 1)
    total = term.groupby([data[c] for c in by], sort=True).sum()
    means = mean.groupby([data[c] for c in by], sort=True).first()
    return (total / means.where(means != 0)).rename("gini")
