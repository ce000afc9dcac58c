"""Sums by integer group codes with pandas' compensated (Kahan) summation, without hashing any key.

Method: docs/method.md §4.6.

The grouped Gini and Theil kernels sum per-unit terms that nearly cancel (a Theil between-part of
2·10⁻⁵ from terms of 10⁻³): summed as pandas sums a groupby — compensated, in row order — they give
exactly the figures the text-keyed groupbys gave, while the groups are integer codes laid out as
categories (no factorisation of the codes themselves).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def group_sums(columns: dict[str, np.ndarray], codes: np.ndarray, n_groups: int) -> dict[str, np.ndarray]:
    """Per-group sums of each column, rows summed in their order with compensation (pandas ``sum``).

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
    keys = pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=pd.RangeIndex(n_groups),
                                     validate=False)
    summed = pd.DataFrame(columns).groupby(keys, observed=False, sort=True).sum()
    return {name: summed[name].to_numpy(dtype=float) for name in columns}
