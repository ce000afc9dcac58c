"""Assessment items beyond resource allocation: G1–G15, Q1–Q9, S1, V1–V6 and local items.

Method: docs/method.md §5–§9.

Every item is computed for every county-year at once and returns items-table
rows: ``city, county, year, dimension, item, label, status, value,
threshold, reason, counts``.
"""
from .guarantee import GUARANTEE_LABELS, guarantee_items
from .quality import QUALITY_LABELS, difference_rate, quality_items
from .recognition import recognition_items, recognition_table, wilson_interval
from .veto import VETO_ITEMS, veto_items
from .local import local_items
from ._base import ItemBlock, dimension_status

__all__ = ["guarantee_items", "quality_items", "recognition_items", "veto_items", "local_items",
           "recognition_table", "wilson_interval", "difference_rate", "dimension_status", "ItemBlock",
           "GUARANTEE_LABELS", "QUALITY_LABELS", "VETO_ITEMS"]
