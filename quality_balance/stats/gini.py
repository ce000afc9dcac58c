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

from ._groups import group_sums
from ._validate import as_arrays

__all__ = ["gini", "grouped_gini", "gini_by_code"]


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


def gini_by_code(values, weights, codes, n_groups: int) -> np.ndarray:
    """Student-weighted Gini (module docstring) of every group at once, from integer group codes.

    One sort of all rows by (group, value) — no per-group sort and no text keys — then one pass
    of sums: F_i is each row's cumulative weight within its group (a grouped cumulative sum, so
    it is exact per group, never a difference of a running total).

    Parameters
    ----------
    values : ndarray of float
        Each unit's per-student value X_i (finite; drop missing values first).
    weights : ndarray of float
        Each unit's students P_i (positive).
    codes : ndarray of int
        Each unit's group, ``0 … n_groups − 1`` (no negative codes).
    n_groups : int
        Number of groups; a group without units gets ``nan``.

    Returns
    -------
    ndarray of float, length ``n_groups``
        G per group, unitless (0 equal … →1 concentrated); ``nan`` where the weighted mean is
        0 or the group has no units.

    Examples
    --------
    >>> gini_by_code([1.0, 3.0, 2.0, 2.0], [1, 1, 10, 30], [0, 0, 1, 1], 3).round(12).tolist()
    [0.25, 0.0, nan]
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    codes = np.asarray(codes, dtype=np.int64)
    if x.size == 0:
        return np.full(n_groups, np.nan)
    # (group, value) order, ties in row order: the rank of each value (stable), then the group
    order = np.argsort(x, kind="stable")
    rank = np.empty(x.size, dtype=np.int64)
    rank[order] = np.arange(x.size, dtype=np.int64)
    del order
    rank += codes * x.size
    order = np.argsort(rank)
    del rank
    c, x, w = codes[order], x[order], w[order]
    del order
    total = group_sums({"w": w}, c, n_groups)["w"]
    keys = pd.Categorical.from_codes(c, categories=pd.RangeIndex(n_groups), validate=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = w / total[c]
        del w
        cum = pd.Series(p).groupby(keys, observed=False, sort=False).cumsum().to_numpy()
        px = p * x
        del x
        mean = group_sums({"mean": px}, c, n_groups)["mean"]
        factor = cum * 2  # 2 F_i − p_i − 1, in place
        del cum
        factor -= p
        factor -= 1
        term = group_sums({"term": px * factor}, c, n_groups)["term"]
        return np.where((mean != 0) & (total > 0), term / np.where(mean != 0, mean, 1.0), np.nan)


def grouped_gini(frame: pd.DataFrame, by: list[str], value: str = "value",
                 weight: str = "students") -> pd.Series:
    """Weighted Gini for every group of ``frame`` at once (a Series indexed by ``by``, sorted).

    Rows with a missing value or zero weight are ignored; the groups are factorised once and
    :func:`gini_by_code` does the rest.
    """
    data = frame.loc[frame[value].notna() & (frame[weight] > 0), by + [value, weight]]
    grouped = data.groupby(by, sort=True)
    codes = grouped.ngroup().to_numpy()
    keep = ~np.isnan(codes)  # rows whose key has a missing part belong to no group
    index = grouped.size().index
    out = gini_by_code(data[value].to_numpy(float)[keep], data[weight].to_numpy(float)[keep],
                       codes[keep].astype(np.int64), len(index))
    return pd.Series(out, index=index, name="gini")
