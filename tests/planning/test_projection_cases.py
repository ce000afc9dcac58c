"""Projection edges a mutation run showed untested (issue 9, item 9): the bounds of ``level`` and ``horizon``."""
import pytest

from quality_balance.errors import CalculationError
from quality_balance.planning.projection import project
from tests.planning.test_projection import series


@pytest.mark.parametrize("level", [0.0, 1.0])
def test_the_interval_level_is_strictly_between_0_and_1(level):
    # a 100% (or 0%) prediction interval has no finite bounds: refused, naming the parameter
    with pytest.raises(CalculationError, match="level"):
        project(series([90.0, 91.0, 92.0], 95.0), level=level)


def test_a_level_just_inside_the_bounds_is_accepted():
    # 90, 91, 92 (2021–2023): slope 1, 95 reached in 2026 whatever the interval's level
    for level in (0.01, 0.99):
        row = project(series([90.0, 91.0, 92.0], 95.0), level=level).summary.iloc[0]
        assert row["outcome"] == "projected" and row["projected_year"] == 2026


def test_the_horizon_must_be_after_the_last_year():
    with pytest.raises(CalculationError, match="horizon"):
        project(series([90.0, 91.0, 92.0], 95.0), horizon=2023)       # last year 2023 itself
    assert project(series([90.0, 91.0, 92.0], 95.0), horizon=2024).summary.iloc[0]["outcome"] == "not_by_horizon"


def test_the_note_states_the_trend_per_year():
    # 90, 91, 92: the line rises by 1 a year (“每年+1”); 95 in 2026
    note = project(series([90.0, 91.0, 92.0], 95.0)).summary.iloc[0]["note"]
    assert "3个观测值的线性趋势（每年+1）" in note and "预计2026年达到≥95" in note
