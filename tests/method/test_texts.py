"""join_rows: the same texts as chained ``+`` on object arrays, one join per row."""
import numpy as np
import pandas as pd
import pytest

from quality_balance.errors import CalculationError
from quality_balance.method.texts import filled, join_rows


def test_same_texts_as_chained_plus():
    a = np.array(["R4 面积 ", "R6 设备 ", ""], dtype=object)
    b = pd.Series(["3.90", "1,999.6", "—"])
    expected = a + b.to_numpy(dtype=object) + " < " + np.array(["4.5", "2,000", "—"], dtype=object) + "（%）"
    got = join_rows(a, b, " < ", np.array(["4.5", "2,000", "—"], dtype=object), "（%）")
    assert got.dtype == object
    assert got.tolist() == expected.tolist()
    assert got.tolist() == ["R4 面积 3.90 < 4.5（%）", "R6 设备 1,999.6 < 2,000（%）", "— < —（%）"]


def test_scalars_only_give_one_row_and_empty_arrays_none():
    assert join_rows("全部", " ", "达标").tolist() == ["全部 达标"]
    assert join_rows("甲", np.array([], dtype=object), "乙").tolist() == []


def test_a_missing_piece_is_refused_as_plus_refuses_it():
    with pytest.raises(TypeError):
        join_rows("甲", np.array(["a", np.nan], dtype=object))


def test_pieces_of_different_lengths_are_refused():
    with pytest.raises(CalculationError, match="one length 2"):
        join_rows(np.array(["a", "b"], dtype=object), np.array(["c"], dtype=object))


def test_filled_holds_one_text_in_every_row():
    out = filled(4, "—")
    assert out.dtype == object and out.tolist() == np.full(4, "—", dtype=object).tolist()
    assert all(x is out[0] for x in out)  # one object, not a copy per row
    assert filled(0, "").tolist() == [] and filled(2, None).tolist() == [None, None]
