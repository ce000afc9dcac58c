"""Local items that a profile adds (``[[extra_items]]``), e.g. 濮阳市's 体质健康优良率 ≥ 60%.

Method: docs/method.md §9.3.

Each names a county-table column, an operator (``>=`` or ``<=``), a
threshold, optionally its ``unit`` (e.g. ``"%"``, shown in reasons and in the parts
table; when absent, the unit of the county-table column in :data:`quality_balance.schema.COUNTIES`),
and says whether it counts toward its dimension's verdict.
Counties whose profile does not define an item get no row for it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import ItemBlock, column, county_codes, county_values, numeric_check
from ...schema import COUNTIES

__all__ = ["local_items"]


def local_items(places: pd.DataFrame, counties: pd.DataFrame | None, profiles: dict) -> ItemBlock:
    """Every extra item of every county's profile (an empty block when none defines any).

    Items are grouped by dimension; a county gets rows only for the items its profile defines.
    """
    def definition(item: dict) -> tuple:
        return (item["id"], item["label"], item["column"], item["op"], float(item["threshold"]),
                item["dimension"], bool(item["counts"]), item.get("unit", COUNTIES.column(item["column"]).unit))

    # each distinct profile object's definitions read once (many counties share one profile)
    defined = {id(prof): {definition(item) for item in prof.extra_items} for prof in profiles.values()}
    definitions = set().union(*defined.values())
    if not definitions:
        return ItemBlock.concat([])
    c = county_values(places, counties)
    codes, pairs = county_codes(places)  # each row's county as an integer code
    of_pair = [defined[id(profiles[k])] for k in pairs]
    blocks = []
    for item_id, label, col, op, threshold, dimension, counts, unit in sorted(definitions):
        wanted = (item_id, label, col, op, threshold, dimension, counts, unit)
        # each county gets the items of its own profile (two profiles may define an L1 differently)
        mask = pd.Series(np.array([wanted in d for d in of_pair], dtype=bool)[codes], index=places.index)
        if not mask.any():
            continue
        sub = places[mask]
        result = numeric_check(column(c, col)[mask], pd.Series(threshold, index=sub.index), op, label, unit)
        blocks.append(ItemBlock.build(sub, dimension, {item_id: label + "（地方指标）"}, {item_id: result}, counts))
    return ItemBlock.concat(blocks)
