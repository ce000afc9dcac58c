"""Sums by integer group codes with pandas' compensated (Kahan) summation, without hashing any key.

Method: docs/method.md §4.6.

The grouped Gini and Theil kernels sum per-unit terms that nearly cancel (a Theil between-part of
2·10⁻⁵ from terms of 10⁻³): summed as pandas sums a groupby — compensated, in row order — they give
exactly the figures the text-keyed groupbys gave, while the groups are integer codes laid out as
categories (no factorisation of the codes themselves). Codes already in order pandas 3 sums by
``np.add.reduceat`` instead, uncompensated, and so does :func:`group_sums`.

:func:`key_codes` and :func:`rows_in` turn text keys (city, county, year) into such codes with one
factorisation per column, never a tuple per row.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def group_sums(columns: dict[str, np.ndarray], codes: np.ndarray, n_groups: int) -> dict[str, np.ndarray]:
    """Per-group sums of each column as a pandas groupby ``sum`` gives them: in row order, compensated (below).

    Rows already grouped (non-decreasing codes, no NaN) are summed run by run with ``np.add.reduceat``,
    which is what pandas 3 does for them (its sorted-groups path), without building a groupby; other code
    arrays go through pandas' compensated (Kahan) kernel. A group's sum therefore depends on whether the
    whole code array is in order, not only on the group's own rows: a caller that cuts one array into parts
    keeps every part out of order when the whole was (:func:`quality_balance.method.resources._place_blocks`).

    Parameters
    ----------
    columns : dict of str to ndarray of float
        The columns to sum, all as long as ``codes``.
    codes : ndarray of int
        Each row's group, ``0 … n_groups − 1``.
    n_groups : int
        Number of groups; a group without rows sums to 0.

    Returns
    -------
    dict of str to ndarray of float
        Each column's sums, length ``n_groups``.
    """
    if not columns:
        return {}
    codes = np.asarray(codes, dtype=np.int64)
    if codes.size and codes[0] >= 0 and bool(np.all(codes[1:] >= codes[:-1])) and \
            not any(np.isnan(v).any() for v in columns.values()):
        # grouped rows: pandas sums each run by ``np.add.reduceat`` (its sorted-groups path) — done here
        # directly, the same sums without building a groupby
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        present = codes[starts]
        out = {}
        for name, values in columns.items():
            sums = np.zeros(n_groups, dtype=float)
            sums[present] = np.add.reduceat(np.asarray(values, dtype=float), starts)
            out[name] = sums
        return out
    keys = pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=pd.RangeIndex(n_groups),
                                     validate=False)
    summed = pd.DataFrame(columns).groupby(keys, observed=False, sort=True).sum()
    return {name: summed[name].to_numpy(dtype=float) for name in columns}


def key_codes(frame: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, list[tuple]]:
    """Each row's distinct key and the distinct keys (tuples) in order of first appearance.

    The same codes and keys as ``pd.MultiIndex.from_frame(frame[cols]).factorize()``, from one
    factorisation per column and one of the combined integer codes (no tuple per row).

    Parameters
    ----------
    frame : DataFrame
        Holds the key columns.
    cols : list of str
        The key columns.

    Returns
    -------
    codes : ndarray of int64
        ``0 … len(keys) − 1`` per row of ``frame``.
    keys : list of tuple
        The distinct keys, a missing cell kept as it is.
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    uniques = []
    for col in cols:
        codes, found = pd.factorize(frame[col], use_na_sentinel=False)
        combined = combined * max(len(found), 1) + codes
        uniques.append(np.asarray(found, dtype=object))
    codes, distinct = pd.factorize(combined)
    parts = []
    for found in reversed(uniques):  # peel the mixed-radix code column by column, last first
        n = max(len(found), 1)
        parts.append(found[distinct % n] if len(found) else np.zeros(0, dtype=object))
        distinct = distinct // n
    return codes.astype(np.int64), list(zip(*reversed(parts))) if len(codes) else []


def rows_in(frame: pd.DataFrame, places: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """The row of ``places`` (unique on ``cols``) holding each row's key, −1 where none does or a key cell is missing.

    Parameters
    ----------
    frame, places : DataFrame
        Both hold the key columns ``cols``.
    cols : list of str
        The key columns.

    Returns
    -------
    ndarray of int64
        A position in ``places`` per row of ``frame``.
    """
    n_places = len(places)
    at_frame = np.zeros(len(frame), dtype=np.int64)
    at_places = np.zeros(n_places, dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    for col in cols:
        codes, found = pd.factorize(frame[col])  # −1 for a missing cell
        missing |= codes < 0
        place_codes = pd.Index(found).get_indexer(places[col])  # −1: a key no row of ``frame`` has
        radix = len(found) + 1  # code + 1, so that 0 (missing, not found) is no row's digit
        at_frame = at_frame * radix + (codes + 1)
        at_places = at_places * radix + (place_codes + 1)
    order = np.arange(n_places)
    _, first = np.unique(at_places, return_index=True)  # the first place row of each key
    hit = pd.Index(at_places[first]).get_indexer(at_frame)
    out = np.where(hit >= 0, order[first][hit] if len(first) else -1, -1).astype(np.int64)
    out[missing] = -1
    return out
