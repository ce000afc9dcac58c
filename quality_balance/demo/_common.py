"""What every part of the demo generator shares: random streams, rounding, a figure moving to its threshold."""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from .story import Shortfall

__all__ = ["stream", "allocate", "log_uniform", "ceil_to", "floor_to", "failing_value"]


def stream(seed: int, *keys: int) -> np.random.Generator:
    """An independent PCG64 stream for (seed, keys): no state shared between counties or purposes."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *keys])))


def allocate(shares: Iterable[float], n: int) -> np.ndarray:
    """Split n into whole counts in proportion to ``shares`` (largest remainder, ties to the first)."""
    shares = np.asarray(list(shares), float)
    exact = shares / shares.sum() * n
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def log_uniform(rng: np.random.Generator, low: float, high: float, size=None) -> np.ndarray:
    """Draws between ``low`` and ``high`` whose logarithm is uniform (school sizes)."""
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


def _decimals(step: float) -> int:
    return max(0, -int(math.floor(math.log10(step))))


def ceil_to(x, step: float = 1.0):
    """Round up to a multiple of ``step`` (0.1 m², 1 元...), as the nearest float to that decimal."""
    return np.round(np.ceil(np.asarray(x, float) / step - 1e-9) * step, _decimals(step))


def floor_to(x, step: float = 1.0):
    """Round down to a multiple of ``step``, as the nearest float to that decimal."""
    return np.round(np.floor(np.asarray(x, float) / step + 1e-9) * step, _decimals(step))


def failing_value(s: Shortfall, year: int, threshold: float, op: str, default_start: float) -> float:
    """A county figure on the failing side of ``threshold``, moving toward it."""
    start = default_start if s.start is None else s.start
    value = start + (threshold - start) * s.progress(year)
    if op == ">=":
        value = float(floor_to(value, 0.1))
        return min(value, threshold - 0.1)
    value = float(ceil_to(value, 0.001))
    return max(value, threshold + 0.005)

