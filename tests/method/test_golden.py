"""The assessment gives exactly the results it gave before it was made faster (issue 12).

The golden tables (tests/data/golden, written by scripts/make_golden.py from main's code before the
speed-up) hold every result table of ``assess`` on the demo data and on a scaled set (two copies of
the demo from the national benchmark's builder, +40 % schools, jittered): same columns, rows, order
and dtypes; texts and flags equal; numbers to 1e-12 relative.
"""
from __future__ import annotations

import pandas as pd
import pytest

import quality_balance as qb
from tests.golden import GOLDEN, differences, load, result_tables, scaled_dataset


@pytest.fixture(scope="module")
def scaled_assessment():
    return qb.assess(scaled_dataset())


@pytest.mark.parametrize("which", ["demo", "scaled"])
def test_every_result_table_is_as_before(which, demo_assessment, scaled_assessment):
    result = demo_assessment if which == "demo" else scaled_assessment
    golden, dtypes = load(GOLDEN / which)
    tables = result_tables(result)
    assert set(tables) == set(golden)
    found = [d for name in golden for d in differences(name, tables[name], golden[name], dtypes[name])]
    assert found == []


def test_the_comparison_sees_a_changed_number_and_a_changed_text(demo_assessment):
    golden, dtypes = load(GOLDEN / "demo")
    cv = demo_assessment.cv.copy()
    cv.loc[3, "cv"] = cv.loc[3, "cv"] * (1 + 1e-9)
    assert any("cv.cv" in d for d in differences("cv", cv, golden["cv"], dtypes["cv"]))
    items = demo_assessment.items.copy()
    items.loc[0, "value"] = "x" if not isinstance(items.loc[0, "value"], str) else items.loc[0, "value"] + "x"
    assert any("items.value" in d for d in differences("items", items, golden["items"], dtypes["items"]))
    units = demo_assessment.units.copy()
    units["students"] = units["students"].astype(float)
    assert any("dtypes" in d for d in differences("units", units, golden["units"], dtypes["units"]))
    assert differences("verdicts", demo_assessment.verdicts.iloc[::-1], golden["verdicts"], dtypes["verdicts"])
    assert isinstance(golden["verdicts"], pd.DataFrame)
