"""Hand-computed cases for the inequality measures (spec §2.4)."""
import math

import numpy as np
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.errors import CalculationError
from quality_balance.stats import (gini, grouped_gini, grouped_theil, grouped_weighted_cv, theil,
                                   theil_decomposition, unweighted_cv, weighted_cv, cv_influence)


def test_weighted_cv_equal_weights_matches_population_cv():
    # mean 2, S = sqrt(0.5·1 + 0.5·1) = 1 → 0.5
    assert weighted_cv([1.0, 3.0], [50, 50]) == 0.5


def test_weighted_and_unweighted_cv_differ():
    # weights 3:1 → X̄ = 1.5; S² = 0.75·0.25 + 0.25·2.25 = 0.75; CV = sqrt(0.75)/1.5
    assert weighted_cv([1.0, 3.0], [300, 100]) == pytest.approx(math.sqrt(0.75) / 1.5, abs=1e-15)
    assert unweighted_cv([1.0, 3.0]) == 0.5
    assert weighted_cv([1.0, 3.0], [300, 100]) != pytest.approx(np.std([1.0, 3.0]) / np.mean([1.0, 3.0]))


def test_mean_is_the_aggregate_ratio_not_the_mean_of_values():
    # resources 200 and 1800 for 100 and 300 students: X̄ = 2000/400 = 5 (the mean of X would be 4)
    df = pd.DataFrame({"k": [1, 1], "value": [2.0, 6.0], "students": [100, 300]})
    out = grouped_weighted_cv(df, ["k"]).iloc[0]
    assert out["mean"] == 5.0
    # S² = 0.25·9 + 0.75·1 = 3
    assert out["cv"] == pytest.approx(math.sqrt(3) / 5, abs=1e-15)
    assert out["cv_unweighted"] == 0.5


def test_single_unit_cv_is_zero_and_zero_mean_is_undefined():
    assert weighted_cv([4.2], [10]) == 0.0
    assert math.isnan(weighted_cv([0.0, 0.0], [10, 20]))


def test_weighted_cv_rejects_bad_arguments():
    with pytest.raises(CalculationError, match="weights: expected 2 weights"):
        weighted_cv([1.0, 2.0], [1.0])
    with pytest.raises(CalculationError, match="non-negative"):
        weighted_cv([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(CalculationError, match="empty"):
        weighted_cv([], [])


def test_grouped_cv_agrees_with_scalar_version_on_random_groups():
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"g": rng.integers(0, 5, 200), "value": rng.gamma(2, 2, 200),
                       "students": rng.integers(5, 2000, 200)})
    grouped = grouped_weighted_cv(df, ["g"])
    for g, part in df.groupby("g"):
        assert grouped.loc[g, "cv"] == pytest.approx(weighted_cv(part["value"], part["students"]), rel=1e-12)
        assert grouped.loc[g, "cv_unweighted"] == pytest.approx(unweighted_cv(part["value"]), rel=1e-12)


def test_gini_hand_cases():
    assert gini([1.0, 3.0]) == 0.25                 # Σ|xi−xj| / (2 n² x̄) = 4 / 16
    assert gini([0.0, 0.0, 0.0, 4.0]) == pytest.approx(0.75)
    df = pd.DataFrame({"k": [1, 1, 2, 2], "value": [1.0, 3.0, 2.0, 2.0], "students": [1, 1, 5, 5]})
    assert grouped_gini(df, ["k"]).tolist() == pytest.approx([0.25, 0.0])


def test_theil_and_its_decomposition_add_up():
    t = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert theil([1.0, 3.0]) == pytest.approx(t)
    d = theil_decomposition([1.0, 2.0, 3.0, 5.0], [10, 20, 30, 40], ["城区", "城区", "乡村", "乡村"])
    assert d["between"] + d["within"] == pytest.approx(d["total"])
    assert d["total"] == pytest.approx(theil([1.0, 2.0, 3.0, 5.0], [10, 20, 30, 40]))
    assert d["between"] > 0 and d["within"] > 0
    df = pd.DataFrame({"k": 1, "value": [1.0, 2.0, 3.0, 5.0], "students": [10, 20, 30, 40],
                       "location": ["城区", "城区", "乡村", "乡村"]})
    assert grouped_theil(df, ["k"]).iloc[0]["theil"] == pytest.approx(d["total"])


def test_influence_of_bringing_a_unit_to_the_mean():
    out = cv_influence([1.0, 3.0, 2.0], [1, 1, 2])
    # the third unit already sits at the mean (2): moving it changes nothing
    assert out["cv_at_mean"].iloc[2] == pytest.approx(out["cv"].iloc[2])
    # leaving it out: values 1 and 3, equal weights → 0.5
    assert out["cv_without"].iloc[2] == pytest.approx(0.5)
    # bringing the low unit to the old mean 2: values 2, 3, 2 → X̄ = 9/4, S² = 3/16, CV = sqrt(3)/4 / (9/4)
    assert out["cv_at_mean"].iloc[0] == pytest.approx(math.sqrt(3) / 9)
    assert out["cv_at_mean"].iloc[0] == pytest.approx(weighted_cv([2.0, 3.0, 2.0], [1, 1, 2]))


def test_public_api_exposes_weighted_cv():
    assert qb.weighted_cv([1.0, 3.0], [1, 1]) == 0.5
