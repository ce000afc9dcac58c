"""Argument checks shared by the measures.

Method: docs/method.md §4.5.
"""
from __future__ import annotations

import numpy as np

from ..errors import CalculationError


def as_arrays(values, weights=None, name: str = "values") -> tuple[np.ndarray, np.ndarray]:
    """Return float arrays (values, weights); weights default to ones. Raise on bad input."""
    x = np.asarray(values, dtype=float).ravel()
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    if x.size == 0:
        raise CalculationError(f"{name}: expected at least one unit, received an empty sequence")
    if w.shape != x.shape:
        raise CalculationError(f"weights: expected {x.size} weights (one per value), received {w.size}")
    if not np.all(np.isfinite(x)):
        raise CalculationError(f"{name}: expected finite numbers, received {x[~np.isfinite(x)][:3].tolist()}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise CalculationError(f"weights: expected non-negative finite numbers (students per unit), "
                               f"received {w[~np.isfinite(w) | (w < 0)][:3].tolist()}")
    if w.sum() <= 0:
        raise CalculationError("weights: expected a positive total (students), received a total of 0")
    return x, w
