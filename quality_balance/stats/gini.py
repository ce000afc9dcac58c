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

    One sort of all rows by (group, value) (:func:`_group_value_order`) — no per-group sort and no
    text keys — then one pass of sums: F_i is each row's cumulative weight within its group (a grouped
    cumulative sum, so it is exact per group, never a difference of a running total).

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
    order = _group_value_order(x, codes, n_groups)
    c, x, w = codes[order], x[order], w[order]
    del order
    total = group_sums({"w": w}, c, n_groups)["w"]
    keys = pd.Categorical.from_codes(c, categories=pd.RangeIndex(n_groups), validate=False)
    # the gathered rows are this function's own arrays: each step writes into one it no longer needs
    # (at national scale every new 62 MB array costs more than the arithmetic done in it)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = total[c]
        np.divide(w, p, out=p)
        del w
        cum = pd.Series(p).groupby(keys, observed=False, sort=False).cumsum().to_numpy()
        px = np.multiply(p, x, out=x)
        del x
        factor = cum * 2  # 2 F_i − p_i − 1, in place (pandas hands ``cum`` out read-only)
        del cum
        factor -= p
        factor -= 1
        # Σ p_i X_i and Σ p_i X_i (2 F_i − p_i − 1) in one grouped pass (each column summed as alone)
        sums = group_sums({"mean": px, "term": np.multiply(px, factor, out=factor)}, c, n_groups)
        mean, term = sums["mean"], sums["term"]
        return np.where((mean != 0) & (total > 0), term / np.where(mean != 0, mean, 1.0), np.nan)


def _group_value_order(x: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """The rows in (group, value) order, ties in row order — what a stable sort by value, then by group gives.

    Built from unstable sorts of unique integer keys, which are several times faster than a stable sort of
    the values: the rows are brought into group order (stably; free when the codes are already grouped),
    each value is replaced by its dense rank, and (group, rank, position within the group) is one integer.
    """
    n = x.size
    grouped = bool(np.all(codes[1:] >= codes[:-1]))
    first = np.arange(n, dtype=np.int64) if grouped else np.argsort(codes, kind="stable")
    c, v = codes[first], x[first]
    by_value = np.argsort(v)
    new_value = np.empty(n, dtype=bool)
    new_value[0] = True
    sorted_v = v[by_value]
    np.not_equal(sorted_v[1:], sorted_v[:-1], out=new_value[1:])
    del sorted_v
    dense = np.empty(n, dtype=np.int64)
    dense[by_value] = np.cumsum(new_value) - 1
    del by_value, new_value
    counts = np.bincount(c)  # groups up to the last one present
    width, depth = int(dense.max()) + 1, int(counts.max())
    if n_groups * width * depth >= 2 ** 62:  # the key would not fit in 64 bits: one stable sort by value instead
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(x, kind="stable")] = np.arange(n, dtype=np.int64)
        return np.argsort(rank + codes * n)
    position = np.arange(n, dtype=np.int64) - (np.cumsum(counts) - counts)[c]  # row order within the group
    key = (c * width + dense) * depth + position
    del dense, position
    return first[np.argsort(key)]


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
