"""The synthetic demo data set (演示数据): 17 seed places × 2021–2025, deterministic from a seed.

``qb.demo.generate()`` returns a :class:`~quality_balance.Dataset`;
``qb.demo.generate_to(folder)`` writes it as files. Everything it produces is
labelled synthetic (:data:`~quality_balance.SYNTHETIC_LABEL`).
"""
from .generator import (DEFAULT_SEED, DEFAULT_YEARS, DESIGN, PLACES, WORKBOOK_FILE, CountyDesign, Place, Shortfall,
                        designed_verdicts, generate, generate_to, readme_text, write)

__all__ = ["generate", "write", "generate_to", "designed_verdicts", "readme_text", "PLACES", "DESIGN", "Place",
           "CountyDesign", "Shortfall", "DEFAULT_SEED", "DEFAULT_YEARS", "WORKBOOK_FILE"]
