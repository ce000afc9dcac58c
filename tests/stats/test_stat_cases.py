"""Hand-computed measures at the edges a mutation run showed untested (issue 9, item 9)."""
import pandas as pd
import pytest

import quality_balance as qb
from quality_balance.stats import grouped_weighted_cv


def test_unweighted_cv_of_a_group_whose_mean_is_1():
    # values 0.5 and 1.5: mean 1, population std 0.5, CV 0.5 (a mean of exactly 1 is an ordinary mean)
    frame = pd.DataFrame({"k": "a", "value": [0.5, 1.5], "students": [100, 300]})
    row = grouped_weighted_cv(frame, ["k"]).loc["a"]
    assert row["cv_unweighted"] == pytest.approx(0.5)
    # weighted: mean (50 + 450) / 400 = 1.25, S² = (100·0.5625 + 300·0.0625) / 400 = 0.1875, CV = 0.4330
    assert row["cv"] == pytest.approx(0.1875 ** 0.5 / 1.25)


def test_influence_with_weights_summing_to_1():
    # weights 0.5 and 0.5 (shares rather than head counts), values 1 and 3: mean 2, CV 0.5; bringing the
    # first unit to the mean gives values 2 and 3: mean 2.5, S = 0.5, CV 0.2
    df = qb.cv_influence([1.0, 3.0], [0.5, 0.5])
    assert df["cv"].tolist() == pytest.approx([0.5, 0.5])
    assert df["cv_at_mean"].iloc[0] == pytest.approx(0.2)
    assert df["effect_at_mean"].iloc[0] == pytest.approx(0.3)


def test_a_mean_of_exactly_1_is_an_ordinary_mean():
    # values 0.5 and 1.5, equal weights: mean 1 (only a mean of 0 leaves the measures undefined)
    assert qb.weighted_cv([0.5, 1.5], [1, 1]) == pytest.approx(0.5)          # S = 0.5
    assert qb.unweighted_cv([0.5, 1.5]) == pytest.approx(0.5)
    assert qb.gini([0.5, 1.5]) == pytest.approx(0.25)                         # |1.5 − 0.5| · ¼ · 2 / (2 · 1)


def test_wilson_interval_of_a_single_respondent():
    # k = n = 1, z = 1.95996: centre (1 + z²/2) / (1 + z²) = 0.60327, half z·sqrt(z²/4) / (1 + z²) = 0.39673
    lo, hi = qb.wilson_interval(1, 1)
    assert float(lo) == pytest.approx(0.20655, abs=1e-5) and float(hi) == pytest.approx(1.0)
