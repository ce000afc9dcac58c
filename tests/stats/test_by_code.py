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
