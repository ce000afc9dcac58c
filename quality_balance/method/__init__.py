"""Stage 2 — the method: the official assessment, item by item (docs/method.md).

Method: docs/method.md §2–§9.

* :mod:`.rules` — the rules every consumer asks: comparisons with one tolerance, the school rule,
  numbers in reason texts;
* :mod:`.split` — one-through schools split into stage units, shared facilities apportioned;
* :mod:`.resources` — R1–R7 per unit, the school rule, the student-weighted CV;
* :mod:`.items` — the G, Q, S and V items and local extra items;
* :mod:`.assessment` — dimensions, veto and the county verdicts.
"""
from .resources import ResourceAssessment, assess_resources
from .assessment import Assessment, assess

__all__ = ["ResourceAssessment", "assess_resources", "Assessment", "assess"]
