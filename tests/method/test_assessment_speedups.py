"""Shortcuts in method/assessment.py give what the plain pandas steps gave (issue 12)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from quality_balance.method.assessment import PLACE, _resource_item


def test_resource_item_is_the_same_whether_the_places_are_aligned_or_not(demo_assessment):
    ra = demo_assessment.resources
    places = ra.counties[PLACE].reset_index(drop=True)
    aligned = _resource_item(ra, places)
    # the same places in another order (and one unknown county-year) go through the merge
    shuffled = pd.concat([places.iloc[::-1], pd.DataFrame({"city": ["某市"], "county": ["某县"], "year": [2025]})],
                         ignore_index=True)
    merged = _resource_item(ra, shuffled)
    expected = aligned.set_index(PLACE).loc[[tuple(r) for r in places.iloc[::-1].itertuples(index=False)]]
    got = merged.iloc[:-1].set_index(PLACE)
    pd.testing.assert_frame_equal(got, expected)
    assert merged.iloc[-1]["status"] == "no_data" and merged.iloc[-1]["reason"] == "无学校数据"
    assert np.array_equal(aligned["status"].to_numpy(), ra.counties["status"].to_numpy())
