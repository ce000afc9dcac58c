"""Veto items (一票否决), V1–V6.

Method: docs/method.md §8.

Each is a yes/no input of the county table meaning "present". In the items
table a veto item is ``met`` when absent, ``not_met`` when present and
``no_data`` when blank. Any one present fails the county for that year,
whatever the four dimensions say.
"""
from __future__ import annotations

import pandas as pd

from ._base import ItemBlock, bool_check, column, county_values

__all__ = ["veto_items", "VETO_ITEMS"]

#: item id → (county-table column, Chinese label)
VETO_ITEMS = {
    "V1": ("v1_exam_admission", "考试招生"),
    "V2": ("v2_school_choice", "违规择校行为突出"),
    "V3": ("v3_key_schools", "设重点校或重点班"),
    "V4": ("v4_unfilled_posts", "有编不补或长期聘用编外教师"),
    "V5": ("v5_safety_incident", "重大安全责任事故或严重违纪违规"),
    "V6": ("v6_falsified_data", "弄虚作假"),
}


def veto_items(places: pd.DataFrame, counties: pd.DataFrame | None) -> ItemBlock:
    """Items V1–V6 for every county-year."""
    c = county_values(places, counties)
    results = {}
    for item, (col, label) in VETO_ITEMS.items():
        result = bool_check(column(c, col), label, want=False)
        result["text"] = result["text"].str.replace("：是", "：存在（一票否决）").str.replace("：否", "：无")
        results[item] = result
    return ItemBlock.build(places, "veto", {k: label for k, (_, label) in VETO_ITEMS.items()}, results)
