"""The synthetic demo data set (演示数据): 17 seed places × 2021–2025, deterministic from a seed.

``qb.demo.generate()`` returns a :class:`~quality_balance.Dataset`;
``qb.demo.generate_to(folder)`` writes it as files. Everything it produces is
labelled synthetic (:data:`~quality_balance.SYNTHETIC_LABEL`). The designed
story — places, shortfalls, the plausible world they live in — is the data file
``story.toml`` beside this package (:data:`~quality_balance.paths.DEMO_STORY_FILE`),
read by :mod:`.story`; the modules of this package turn it into tables.
"""
from .files import WORKBOOK_FILE, generate_to, readme_text, write
from .generator import DEFAULT_SEED, DEFAULT_YEARS, designed_verdicts, generate
from .story import DESIGN, PLACES, CountyDesign, Place, Shortfall

__all__ = ["generate", "write", "generate_to", "designed_verdicts", "readme_text", "PLACES", "DESIGN", "Place",
           "CountyDesign", "Shortfall", "DEFAULT_SEED", "DEFAULT_YEARS", "WORKBOOK_FILE"]
