"""The one grouped weighted-CV kernel (spec §2.4), by hand.

X̄ = Σ P_i·X_i / Σ P_i, S = sqrt(Σ (P_i/P)(X_i − X̄)²), CV = S / X̄; X̄ = 0 → undefined (nan).
"""
import math

import numpy as np
import pandas as pd
import pytest

from quality_balance.planning import gap
from quality_balance.stats import cv as cv_module
from quality_balance.stats.cv import (cv_from_moments, grouped_weighted_cv, unweighted_cv, weighted_cv,
                                      weighted_cv_by_code, weighted_moments_by_code)


def test_two_schools_of_two_groups_at_once():
    # group 0: 1 and 3 m²/student, 100 students each → X̄ = 2, S² = (1 + 1)/2 = 1, CV = 0.5
    # group 1: 2 and 6 m²/student, 100 and 300 students → X̄ = (200 + 1800)/400 = 5,
    #          S² = 0.25·9 + 0.75·1 = 3, CV = √3 / 5
    x = [1.0, 3.0, 2.0, 6.0]
    w = [100, 100, 100, 300]
    codes = [0, 0, 1, 1]
    total, mean, var = weighted_moments_by_code(x, w, codes, 2)
    assert total.tolist() == [200.0, 400.0]
    assert mean.tolist() == [2.0, 5.0]
    assert var.tolist() == [1.0, 3.0]
    assert weighted_cv_by_code(x, w, codes, 2).tolist() == pytest.approx([0.5, math.sqrt(3) / 5], abs=1e-15)


def test_weights_matter():
    # 1 and 3 with 300 and 100 students: X̄ = 1.5, S² = 0.75·0.25 + 0.25·2.25 = 0.75 → √0.75 / 1.5 = 0.5774,
    # not the unweighted 0.5
    assert weighted_cv_by_code([1.0, 3.0], [300, 100], [0, 0], 1)[0] == pytest.approx(math.sqrt(0.75) / 1.5,
                                                                                        abs=1e-15)
    assert weighted_cv_by_code([1.0, 3.0], [1, 1], [0, 0], 1)[0] == 0.5


def test_zero_mean_is_undefined_and_one_unit_is_zero():
    # group 0 has no resource at all (X̄ = 0): undefined; group 1 is one school: S = 0, CV = 0
    out = weighted_cv_by_code([0.0, 0.0, 4.2], [10, 20, 30], [0, 0, 1], 2)
    assert math.isnan(out[0]) and out[1] == 0.0
    # equal values in several schools: also 0
    assert weighted_cv_by_code([2.5, 2.5, 2.5], [1, 7, 9], [0, 0, 0], 1)[0] == 0.0
    # a group without units (code never used): no students, no CV
    assert math.isnan(weighted_cv_by_code([1.0], [5], [0], 2)[1])


def test_the_one_zero_mean_rule():
    assert cv_from_moments([2.0, 0.0, 4.0], [1.0, 0.0, 0.0]).tolist()[0::2] == [0.5, 0.0]
    assert math.isnan(cv_from_moments([0.0], [0.0])[0])
    assert math.isnan(cv_from_moments([np.nan], [1.0])[0])
    # a variance of −1e−18 from rounding is 0, not a nan
    assert cv_from_moments([1.0], [-1e-18])[0] == 0.0


def test_two_pass_keeps_the_digits_that_one_pass_loses():
    # X = 1e8, 1e8 + 1, 1e8 + 2 with equal weights: X̄ = 1e8 + 1, S² = 2/3 exactly.
    # One pass (Σ X² / n − X̄²) subtracts two numbers near 1e16 and keeps no correct digit.
    x = 1e8 + np.array([0.0, 1.0, 2.0])
    _, mean, var = weighted_moments_by_code(x, [1, 1, 1], [0, 0, 0], 1)
    assert mean[0] == 1e8 + 1
    assert var[0] == pytest.approx(2 / 3, rel=1e-12)
    assert weighted_cv([1e8, 1e8 + 1, 1e8 + 2], [1, 1, 1]) == pytest.approx(math.sqrt(2 / 3) / (1e8 + 1), rel=1e-12)


def test_scalar_and_frame_versions_are_the_kernel():
    assert weighted_cv([1.0, 3.0], [100, 100]) == 0.5
    assert unweighted_cv([2.0, 6.0]) == 0.5          # mean 4, population std 2
    assert math.isnan(weighted_cv([0.0, 0.0], [10, 20]))
    df = pd.DataFrame({"county": ["甲县", "甲县", "乙县", "乙县", "丙县", "丁县"],
                       "value": [1.0, 3.0, 2.0, 6.0, 0.0, np.nan],
                       "students": [100, 100, 100, 300, 50, 80]})
    out = grouped_weighted_cv(df, ["county"])
    assert out.index.tolist() == ["丙县", "乙县", "甲县"]          # sorted; 丁县 has no value
    assert out.loc["甲县", "cv"] == 0.5 and out.loc["甲县", "mean"] == 2.0
    assert out.loc["乙县", "cv"] == pytest.approx(math.sqrt(3) / 5, abs=1e-15)
    assert out.loc["乙县", "cv_unweighted"] == 0.5                 # 2 and 6, each counted once
    assert math.isnan(out.loc["丙县", "cv"])                       # one school with none of it: X̄ = 0
    assert out["n_units"].tolist() == [1, 2, 2]
    assert out["students"].tolist() == [50, 400, 200] and out["students"].dtype.kind == "i"


def test_rows_with_a_missing_key_or_no_students_are_left_out():
    df = pd.DataFrame({"county": ["甲县", "甲县", None, "甲县"], "value": [1.0, 3.0, 100.0, 50.0],
                       "students": [100, 100, 100, 0]})
    out = grouped_weighted_cv(df, ["county"])
    assert out.index.tolist() == ["甲县"] and out.loc["甲县", "cv"] == 0.5 and out.loc["甲县", "n_units"] == 2


def test_the_gap_asks_the_same_kernel():
    assert gap.weighted_cv_by_code is cv_module.weighted_cv_by_code
    assert not hasattr(gap, "_group_cv")
    # one more unit per student at the first of two schools (1 and 3 → 2 and 3, 100 students each):
    # X̄ = 2.5, S = 0.5 → CV 0.2, by the gap's closed form and by the kernel
    x, w = np.array([1.0, 3.0]), np.array([100.0, 100.0])
    codes = np.array([0, 0])
    trial = gap._cv_if_one_more(x, w, codes, 1, np.array([1.0, 1.0]))
    assert trial[0] == pytest.approx(0.2, abs=1e-15)
    assert trial[0] == pytest.approx(weighted_cv_by_code([2.0, 3.0], w, codes, 1)[0], abs=1e-15)
    # … and at the second (1 and 4): X̄ = 2.5, S = 1.5 → CV 0.6
    assert trial[1] == pytest.approx(0.6, abs=1e-15)


def test_unweighted_moments_are_those_of_weights_of_one_bit_for_bit():
    # weights=None sums the values themselves: the same bits as weights of 1.0, without the products
    rng = np.random.default_rng(7)
    x = rng.standard_normal(5000) * 10.0 ** rng.integers(-6, 6, 5000)
    codes = rng.integers(0, 40, 5000)
    unweighted = weighted_moments_by_code(x, None, codes, 45)
    ones = weighted_moments_by_code(x, np.ones(5000), codes, 45)
    for a, b in zip(unweighted, ones):
        assert np.array_equal(a, b, equal_nan=True)
    total, mean, variance = weighted_moments_by_code([1.0, 3.0, 5.0], None, [0, 0, 1], 3)
    assert total.tolist() == [2.0, 1.0, 0.0] and mean[:2].tolist() == [2.0, 5.0] and variance[:2].tolist() == [1.0, 0.0]
    assert np.isnan(mean[2]) and np.isnan(variance[2])  # a group without units
