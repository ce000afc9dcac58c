"""The integer-code kernels of Gini and Theil give each group what the one-group functions give."""
from __future__ import annotations

import math

import numpy as np
import pytest

from quality_balance.stats import gini, theil, theil_decomposition
from quality_balance.stats.gini import gini_by_code
from quality_balance.stats.theil import theil_by_code


def test_gini_by_code_hand_values_and_empty_groups():
    # group 0: 1 and 3 with equal weights → 0.25; group 1: equal values → 0; group 2: no units; group 3: all 0
    out = gini_by_code([3.0, 1.0, 2.0, 2.0, 0.0, 0.0], [1, 1, 10, 30, 5, 5], [0, 0, 1, 1, 3, 3], 4)
    assert out[0] == pytest.approx(0.25, abs=1e-15)
    assert out[1] == pytest.approx(0.0, abs=1e-15)
    assert math.isnan(out[2]) and math.isnan(out[3])


def test_gini_by_code_matches_gini_per_group_in_any_row_order():
    rng = np.random.default_rng(3)
    x, w = rng.uniform(0, 10, 300), rng.integers(1, 500, 300).astype(float)
    codes = rng.integers(0, 7, 300)
    out = gini_by_code(x, w, codes, 7)
    for g in range(7):
        assert out[g] == pytest.approx(gini(x[codes == g], w[codes == g]), rel=1e-12)


def test_theil_by_code_hand_values():
    # 1, 1 (乡村) and 3, 3 (城区): mean 2; T = ½·½·ln½ + ½·1.5·ln1.5; all of it between the locations
    t, b, w = theil_by_code([1.0, 1.0, 3.0, 3.0, 0.0], [1, 1, 1, 1, 4], [0, 0, 0, 0, 1], 2, [0, 0, 1, 1, 0], 2)
    expected = 0.5 * 0.5 * math.log(0.5) + 0.5 * 1.5 * math.log(1.5)
    assert t[0] == pytest.approx(expected, rel=1e-12)
    assert b[0] == pytest.approx(expected, rel=1e-12)
    assert w[0] == pytest.approx(0.0, abs=1e-15)
    assert math.isnan(t[1]) and math.isnan(b[1]) and math.isnan(w[1])  # mean 0: undefined


def test_theil_by_code_matches_the_decomposition_per_group():
    rng = np.random.default_rng(5)
    x, w = rng.uniform(0.1, 10, 400), rng.integers(1, 300, 400).astype(float)
    codes, loc = rng.integers(0, 5, 400), rng.integers(0, 3, 400)
    t, b, wi = theil_by_code(x, w, codes, 5, loc, 3)
    for g in range(5):
        m = codes == g
        d = theil_decomposition(x[m], w[m], loc[m])
        assert (t[g], b[g], wi[g]) == pytest.approx((d["total"], d["between"], d["within"]), rel=1e-10)
        assert t[g] == pytest.approx(theil(x[m], w[m]), rel=1e-10)


def test_gini_by_code_orders_each_group_by_value_with_ties_in_row_order():
    from quality_balance.stats.gini import _group_value_order

    x = np.array([2.0, 1.0, 2.0, 0.0, 1.0, 2.0, -0.0])
    codes = np.array([1, 0, 1, 1, 0, 0, 1])
    # group 0: rows 1 (1.0), 4 (1.0), 5 (2.0); group 1: rows 3 (0.0) and 6 (−0.0, equal: row order), 0, 2
    assert _group_value_order(x, codes, 2).tolist() == [1, 4, 5, 3, 6, 0, 2]
    assert _group_value_order(x, codes, 2).tolist() == np.lexsort((x, codes)).tolist()
    # so many groups that the one-integer key would not fit: the stable sort by value gives the same order
    assert _group_value_order(x, codes, 2 ** 61).tolist() == [1, 4, 5, 3, 6, 0, 2]


def test_gini_by_code_is_the_same_in_grouped_and_mixed_row_order():
    rng = np.random.default_rng(7)
    x, w = rng.integers(0, 4, 400).astype(float), rng.integers(1, 50, 400).astype(float)  # many ties
    codes = rng.integers(0, 9, 400)
    order = np.argsort(codes, kind="stable")
    mixed, grouped = gini_by_code(x, w, codes, 9), gini_by_code(x[order], w[order], codes[order], 9)
    assert np.array_equal(mixed, grouped, equal_nan=True)
    assert mixed[2] == pytest.approx(gini(x[codes == 2], w[codes == 2]), rel=1e-12)


def test_group_sums_of_grouped_rows_are_pandas_groupby_sums():
    import pandas as pd

    from quality_balance.stats._groups import group_sums

    assert group_sums({"a": np.array([1.0, 2.0, 3.0])}, np.array([0, 0, 2]), 4)["a"].tolist() == [3.0, 0.0, 3.0, 0.0]
    rng = np.random.default_rng(11)
    codes = np.sort(rng.integers(0, 50, 5000))
    values = rng.standard_normal(5000) * 10.0 ** rng.integers(-8, 8, 5000)  # sums that depend on the order
    keys = pd.Categorical.from_codes(codes, categories=pd.RangeIndex(60))
    expected = pd.Series(values).groupby(keys, observed=False).sum().to_numpy()
    assert np.array_equal(group_sums({"v": values}, codes, 60)["v"], expected)
    with_nan = values.copy()
    with_nan[::7] = np.nan  # NaN is skipped, as pandas skips it
    expected = pd.Series(with_nan).groupby(keys, observed=False).sum().to_numpy()
    assert np.array_equal(group_sums({"v": with_nan}, codes, 60)["v"], expected)


def test_theil_by_code_a_unit_without_the_resource_contributes_nothing():
    # 0 and 2 (equal weights): mean 1, T = ½·0 + ½·2·ln 2 = ln 2; the unit at 0 alone in its location
    # (a location whose mean is 0: its share and its between term are 0), all of T between the locations
    t, b, w = theil_by_code([0.0, 2.0], [1, 1], [0, 0], 1, [0, 1], 2)
    assert t[0] == pytest.approx(math.log(2), rel=1e-14)
    assert b[0] == pytest.approx(math.log(2), rel=1e-14)
    assert w[0] == 0.0
