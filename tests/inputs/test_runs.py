"""Coding cells that come in runs (quality_balance/inputs/runs.py): the results of pd.factorize and
drop_duplicates, in the same order."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quality_balance.inputs.runs import distinct_rows, factorize_runs, row_codes


def test_factorize_runs_is_factorize():
    for values in (np.array(["a", "a", "b", "a", "c", "c"], dtype=object), np.array([3, 1, 1, 3, 2]),
                   np.array([1.0, np.nan, np.nan, 1.0]), np.array(["x", np.nan, "x", np.nan], dtype=object)):
        codes, uniques = factorize_runs(values)
        expected_codes, expected_uniques = pd.factorize(values, use_na_sentinel=False)
        assert codes.tolist() == expected_codes.tolist()
        assert pd.Series(uniques).equals(pd.Series(expected_uniques))
    assert factorize_runs(np.array([], dtype=object))[0].tolist() == []
    assert factorize_runs(np.array(["one"], dtype=object))[0].tolist() == [0]
    assert factorize_runs(np.array([pd.NA, pd.NA, 1], dtype=object)) is None  # neither True nor False


def test_distinct_rows_is_drop_duplicates():
    frame = pd.DataFrame({"county": ["a", "a", "b", "a", None, None, "b"], "year": [1, 2, 1, 1, 1, 1, 1]},
                         index=[10, 11, 12, 13, 14, 15, 16])
    for columns in (["county", "year"], ["county"], ["year"]):
        pd.testing.assert_frame_equal(distinct_rows(frame, columns), frame[columns].drop_duplicates())
    empty, one = frame.iloc[:0], frame.iloc[:1]
    pd.testing.assert_frame_equal(distinct_rows(empty, ["county"]), empty[["county"]])
    pd.testing.assert_frame_equal(distinct_rows(one, ["county", "year"]), one)
    nullable = frame.assign(year=pd.array([1, None, 1, 1, None, None, 2], dtype="Int64"))  # pd.NA: deduplicated
    pd.testing.assert_frame_equal(distinct_rows(nullable, ["county", "year"]),
                                  nullable[["county", "year"]].drop_duplicates())


def test_row_codes_are_equal_where_rows_are():
    rows = pd.DataFrame({"school": ["s1", "s1", "s2", "s1", None, None], "year": [1, 2, 1, 2, 1, 1]})
    codes = row_codes(rows)
    assert codes.tolist() == [0, 1, 2, 1, 4, 4]  # (s1, 1), (s1, 2), (s2, 1), (s1, 2) again, blank twice
    assert pd.Series(codes).duplicated(keep=False).tolist() == rows.duplicated(keep=False).tolist()
    assert row_codes(rows.iloc[:0]).tolist() == [] and row_codes(rows.iloc[:1]).tolist() == [0]
    nullable = rows.assign(year=pd.array([1, None, 1, None, 1, 1], dtype="Int64"))  # a missing year: one value
    assert pd.Series(row_codes(nullable)).duplicated(keep=False).tolist() == nullable.duplicated(keep=False).tolist()
    assert row_codes(pd.DataFrame({"x": np.array([pd.NA, pd.NA, 1], dtype=object)})) is None  # no True/False


@pytest.mark.parametrize("column", [
    pd.Series(["b", "b", None, "a", "b", None, "c"], dtype="str"),  # runs and missing cells
    pd.Series([None, None, "a"], dtype="str"),  # a missing cell first
    pd.Series(["小学", "小学", "初中", "九年一贯制学校", "小学"], dtype="str"),
    pd.Series(["x", None, "y"], dtype=object),  # object texts with None
    pd.Series(["x", pd.NA, "x"], dtype="string"),  # pd.NA does not compare: pandas' own factorize
    pd.Series(["甲", "乙", "甲"], dtype="category"),  # categoricals: pandas' own
    pd.Series([3.0, np.nan, 3.0, 1.0]),  # numbers: pandas' own
    pd.Series([], dtype="str"), pd.Series(["only"], dtype="str"),
])
@pytest.mark.parametrize("sentinel", [True, False])
def test_factorize_text_codes_as_pandas_factorize(column, sentinel):
    from quality_balance.inputs.runs import factorize_text

    codes, uniques = factorize_text(column, use_na_sentinel=sentinel)
    expected_codes, expected_uniques = pd.factorize(column, use_na_sentinel=sentinel)
    assert codes.dtype == np.int64 and codes.tolist() == expected_codes.tolist()
    got, want = list(uniques), list(expected_uniques)
    assert len(got) == len(want) and all((pd.isna(a) and pd.isna(b)) or a == b for a, b in zip(got, want))
