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

from ._validate import as_arrays

__all__ = ["theil", "theil_decomposition", "grouped_theil"]


def _xlogx(r: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)


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


def grouped_theil(frame: pd.DataFrame, by: list[str], value: str = "value", weight: str = "students",
                  group: str = "location") -> pd.DataFrame:
    """Theil index with its between/within decomposition over ``group`` for every group of ``by``.

    Returns a DataFrame indexed by ``by`` with ``theil``, ``theil_between`` and ``theil_within``.
    """
    data = frame.loc[frame[value].notna() & (frame[weight] > 0), by + [group, value, weight]]
    keys = [data[c] for c in by]
    res = data[weight] * data[value]
    total_p = data[weight].groupby(keys).transform("sum")
    total_r = res.groupby(keys).transform("sum")
    mean = total_r / total_p
    p = data[weight] / total_p
    t_total = (p * _xlogx((data[value] / mean.where(mean != 0)).to_numpy())).groupby(keys, sort=True).sum()

    sub_keys = keys + [data[group]]
    g_p = data[weight].groupby(sub_keys).transform("sum")
    g_r = res.groupby(sub_keys).transform("sum")
    g_mean = g_r / g_p
    t_within_unit = (data[weight] / g_p) * _xlogx((data[value] / g_mean.where(g_mean != 0)).to_numpy())
    share = g_r / total_r.where(total_r != 0)  # resource share of the unit's group
    # within = Σ_g s_g T_g, written per unit: s_g · (P_i / P_g) · r_ig ln r_ig
    within = (share * t_within_unit).groupby(keys, sort=True).sum()
    # between = Σ_g s_g ln(X̄_g / X̄), counted once per group: weight each unit by P_i / P_g
    ratio = (g_mean / mean.where(mean != 0)).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.where(ratio > 0, np.log(np.where(ratio > 0, ratio, 1.0)), 0.0)
    between = (share * log_ratio * data[weight] / g_p).groupby(keys, sort=True).sum()
    zero = mean.groupby(keys, sort=True).first() == 0
    out = pd.DataFrame({"theil": t_total, "theil_between": between, "theil_within": within})
    out[zero] = np.nan
    return out
