"""Integer codes for text keys (issue 12): the same groups and lookups as a MultiIndex of tuples gives."""
from __future__ import annotations

import numpy as np
import pandas as pd

from quality_balance.method.items._base import joined_by_code
from quality_balance.stats._groups import key_codes, rows_in

KEY = ["city", "county"]


def _frame():
    return pd.DataFrame({"city": ["濮阳市", "濮阳市", "淄博市", "濮阳市", None],
                         "county": ["清丰县", "南乐县", "桓台县", "清丰县", "清丰县"],
                         "year": [2025, 2025, 2024, 2024, 2025]})


def test_key_codes_are_those_of_a_multiindex_first_appearance_order():
    frame = _frame()
    codes, keys = key_codes(frame, KEY)
    assert codes.tolist() == [0, 1, 2, 0, 3]
    assert keys[:3] == [("濮阳市", "清丰县"), ("濮阳市", "南乐县"), ("淄博市", "桓台县")]
    assert pd.isna(keys[3][0]) and keys[3][1] == "清丰县"  # a missing city stays a key of its own
    mi_codes, mi_keys = pd.MultiIndex.from_frame(frame[KEY]).factorize()
    assert codes.tolist() == mi_codes.tolist() and len(keys) == len(mi_keys)


def test_rows_in_finds_each_row_its_place_and_no_place_for_a_missing_or_unknown_key():
    frame = _frame()
    places = pd.DataFrame({"city": ["淄博市", "濮阳市", "濮阳市"], "county": ["桓台县", "清丰县", "清丰县"],
                           "year": [2024, 2025, 2024]})
    at = rows_in(frame, places, ["city", "county", "year"])
    # 清丰县 2025 → row 1; 南乐县: none; 桓台县 2024 → 0; 清丰县 2024 → 2; missing city → none
    assert at.tolist() == [1, -1, 0, 2, -1]
    assert rows_in(frame.iloc[:0], places, KEY).tolist() == []
    assert rows_in(frame, places.iloc[:0], KEY).tolist() == [-1] * 5


def test_rows_in_takes_the_first_of_repeated_place_rows():
    frame = _frame().iloc[:1]
    places = pd.DataFrame({"city": ["濮阳市", "濮阳市"], "county": ["清丰县", "清丰县"]})
    assert rows_in(frame, places, KEY).tolist() == [0]


def test_joined_by_code_joins_in_row_order_and_keeps_the_first_n():
    codes = np.array([2, 0, 2, -1, 2, 0])
    texts = np.array(["a", "b", "c", "x", "d", "e"], dtype=object)
    assert joined_by_code(codes, texts, 4, "、").tolist() == ["b、e", "", "a、c、d", ""]
    assert joined_by_code(codes, texts, 4, "、", first=2).tolist() == ["b、e", "", "a、c", ""]
    assert joined_by_code(codes[:0], texts[:0], 2, "；").tolist() == ["", ""]
