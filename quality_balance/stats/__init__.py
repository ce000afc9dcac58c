"""Inequality measures over school units, one measure per module.

Method: docs/method.md §4.5, §4.6.

All functions take per-unit values and per-unit weights (students), never read
files and never draw. Grouped versions work on long DataFrames and are vectorised
over every (county, year, stage, indicator) group at once.
"""
from .cv import weighted_cv, unweighted_cv, grouped_weighted_cv
from .gini import gini, grouped_gini
from .theil import theil, theil_decomposition, grouped_theil
from .influence import cv_influence, grouped_cv_influence

__all__ = ["weighted_cv", "unweighted_cv", "grouped_weighted_cv", "gini", "grouped_gini",
           "theil", "theil_decomposition", "grouped_theil", "cv_influence", "grouped_cv_influence"]
