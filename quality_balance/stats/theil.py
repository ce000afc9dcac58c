"""The Theil T index of per-student values, weighted by students, and its decomposition.

Method: docs/method.md §4.6.

With p_i = P_i / P, X̄ = Σ p_i X_i and r_i = X_i / X̄::

    T = Σ_i p_i · r_i · ln r_i            (units with X_i = 0 contribute 0)

For groups g (城区 / 镇区 / 乡村) with resource shares s_g = P_g X̄_g / (P X̄)::

    T = Σ_g s_g · T_g  +  Σ_g s_g · ln(X̄_g / X̄)
        └── within ──┘    └──── between ────┘
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._groups import group_sums
from ._validate import as_arrays

__all__ = ["theil", "theil_decomposition", "grouped_theil", "theil_by_code"]


def _xlogx(r: np.ndarray) -> np.ndarray:
    """r · ln r, 0 where r is not positive (or missing); one new array, the rest in place (7.7 M rows nationally)."""
    r = np.asarray(r, dtype=float)
    positive = r > 0
    out = np.where(positive, r, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log(out, out=out)
        out *= r
    out[~positive] = 0.0
    return out


def theil(values, weights=None) -> float:
    """Student-weighted Theil T index (0 = equal; ln N at most).

    Parameters
    ----------
    values : array-like of float
        Each unit's per-student indicator value X_i (non-negative; units at 0
        contribute 0).
    weights : array-like of float, optional
        Each unit's students P_i (non-negative, positive total), one per value.
        Positional: the second data array, as in :func:`weighted_cv`. The default
        ``None`` weights every unit 1.

    Returns
    -------
    float
        T = Σ p_i · r_i · ln r_i with p_i = P_i / P and r_i = X_i / X̄, unitless:
        0 when every unit has the same value, at most ln N; ``nan`` when the weighted
        mean is 0.

    Raises
    ------
    CalculationError
        ``values`` is empty or not finite, or ``weights`` has another length, a
        negative or non-finite entry, or a total of 0.

    Examples
    --------
    >>> round(theil([1.0, 3.0]), 6)  # 0.5·0.5·ln 0.5 + 0.5·1.5·ln 1.5
    0.130812
    """
    x, w = as_arrays(values, weights)
    p = w / w.sum()
    mean = float(np.sum(p * x))
    if mean == 0:
        return float("nan")
    return float(np.sum(p * _xlogx(x / mean)))


def theil_decomposition(values, weights, groups) -> dict[str, float]:
    """Split the Theil index into between-group and within-group parts.

    Parameters
    ----------
    values : array-like of float
        Each unit's per-student indicator value X_i (non-negative).
    weights : array-like of float
        Each unit's students P_i (non-negative, positive total), one per value.
    groups : array-like
        Each unit's group label, one per value (e.g. the location 城区 / 镇区 / 乡村).

    Returns
    -------
    dict of str to float
        ``{"total", "between", "within"}`` with total = between + within (module
        docstring): ``between`` = Σ_g s_g · ln(X̄_g / X̄) and ``within`` = Σ_g s_g · T_g,
        s_g being group g's share of the resource. All three are ``nan`` when the
        weighted mean is 0.

    Raises
    ------
    CalculationError
        ``values`` is empty or not finite, or ``weights`` has another length, a
        negative or non-finite entry, or a total of 0.

    Examples
    --------
    >>> d = theil_decomposition([1.0, 1.0, 3.0, 3.0], [1, 1, 1, 1], ["乡村", "乡村", "城区", "城区"])
    >>> round(d["within"], 12), round(d["between"], 6) == round(d["total"], 6)
    (0.0, True)
    """
    x, w = as_arrays(values, weights)
    frame = pd.DataFrame({"g": np.asarray(groups).ravel(), "x": x, "w": w, "k": 0})
    row = grouped_theil(frame, ["k"], value="x", weight="w", group="g").iloc[0]
    return {"total": float(row["theil"]), "between": float(row["theil_between"]),
            "within": float(row["theil_within"])}


def theil_by_code(values, weights, codes, n_groups: int, subgroups, n_subgroups: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Theil T with its between/within decomposition (module docstring) of every group, from integer codes.

    Sums over the group codes and over (group, subgroup) codes (:func:`~quality_balance.stats._groups.group_sums`:
    compensated, as a pandas groupby sums): no text keys, no sort.

    Parameters
    ----------
    values : ndarray of float
        Each unit's per-student value X_i (non-negative, finite; drop missing values first).
    weights : ndarray of float
        Each unit's students P_i (positive).
    codes : ndarray of int
        Each unit's group, ``0 … n_groups − 1``.
    n_groups : int
        Number of groups; a group without units gets ``nan``.
    subgroups : ndarray of int
        Each unit's subgroup within its group (the location 城区/镇区/乡村), ``0 … n_subgroups − 1``.
    n_subgroups : int
        Number of distinct subgroups.

    Returns
    -------
    theil, between, within : ndarray of float, each of length ``n_groups``
        T, Σ_g s_g ln(X̄_g / X̄) and Σ_g s_g T_g (unitless); all ``nan`` where the weighted mean
        is 0 or the group has no units.

    Examples
    --------
    >>> t, b, w = theil_by_code([1.0, 1.0, 3.0, 3.0], [1, 1, 1, 1], [0, 0, 0, 0], 1, [0, 0, 1, 1], 2)
    >>> round(float(w[0]), 12), round(float(b[0]), 6) == round(float(t[0]), 6)
    (0.0, True)
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    c = np.asarray(codes, dtype=np.int64)
    sub = c * int(n_subgroups)
    sub += np.asarray(subgroups, dtype=np.int64)
    n_sub = n_groups * int(n_subgroups)
    # the per-unit terms are built one at a time, then summed in one grouped pass, so that no more than a
    # few unit-length arrays live at once (the long table of 1 M school-years has 7.7 M rows); each is
    # computed into an array already made where it can (a new 62 MB array costs more than the arithmetic)
    res = w * x
    sums = group_sums({"p": w, "r": res}, c, n_groups)
    total_p, total_r = sums["p"], sums["r"]
    sums = group_sums({"p": w, "r": res}, sub, n_sub)
    del res
    g_p, g_r = sums["p"][sub], sums["r"][sub]
    del sub
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_g = total_r / total_p
        safe_mean = mean_g[c]
        safe_mean[safe_mean == 0] = np.nan
        term = total_p[c]
        np.divide(w, term, out=term)  # P_i / P
        term *= _xlogx(x / safe_mean)
        g_mean = g_r / g_p
        share = total_r[c]
        share[share == 0] = np.nan
        np.divide(g_r, share, out=share)  # resource share of the unit's group
        del g_r
        # within = Σ_g s_g T_g, written per unit: s_g · (P_i / P_g) · r_ig ln r_ig
        weight_in_group = w / g_p  # P_i / P_g
        ratio = np.where(g_mean != 0, g_mean, np.nan)
        ratio = _xlogx(np.divide(x, ratio, out=ratio))
        ratio *= weight_in_group
        ratio *= share  # share · ((P_i / P_g) · r ln r): the product in the order it was written
        del weight_in_group
        # between = Σ_g s_g ln(X̄_g / X̄), counted once per group: weight each unit by P_i / P_g
        np.divide(g_mean, safe_mean, out=g_mean)  # X̄_g / X̄
        del safe_mean
        positive = g_mean > 0
        np.copyto(g_mean, 1.0, where=~positive)
        np.log(g_mean, out=g_mean)
        g_mean[~positive] = 0.0
        np.multiply(share, g_mean, out=g_mean)
        g_mean *= w
        g_mean /= g_p
        del share, g_p, positive
        # the three terms summed in one grouped pass (each column summed as alone: the same sums)
        sums = group_sums({"t": term, "within": ratio, "between": g_mean}, c, n_groups)
        t_total, within, between = sums["t"], sums["within"], sums["between"]
        del g_mean, term, ratio, sums
    undefined = ~(mean_g != 0) | (total_p <= 0)  # zero mean, or no units
    return tuple(np.where(undefined, np.nan, a) for a in (t_total, between, within))


def grouped_theil(frame: pd.DataFrame, by: list[str], value: str = "value", weight: str = "students",
                  group: str = "location") -> pd.DataFrame:
    """Theil index with its between/within decomposition over ``group`` for every group of ``by``.

    Returns a DataFrame indexed by ``by`` (sorted) with ``theil``, ``theil_between`` and
    ``theil_within`` (:func:`theil_by_code`; the groups and subgroups factorised once).
    """
    data = frame.loc[frame[value].notna() & (frame[weight] > 0), by + [group, value, weight]]
    grouped = data.groupby(by, sort=True)
    codes = grouped.ngroup().to_numpy()
    sub, sub_uniques = pd.factorize(data[group], use_na_sentinel=False)
    keep = ~np.isnan(codes)  # rows whose key has a missing part belong to no group
    index = grouped.size().index
    t, b, w = theil_by_code(data[value].to_numpy(float)[keep], data[weight].to_numpy(float)[keep],
                            codes[keep].astype(np.int64), len(index), sub[keep], max(len(sub_uniques), 1))
    return pd.DataFrame({"theil": t, "theil_between": b, "theil_within": w}, index=index)
