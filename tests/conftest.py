"""Shared fixtures of the test suite.

The row builders and file writers are plain modules of the ``tests`` package
(:mod:`tests.builders`, :mod:`tests.input_files`), imported by their package
path; nothing is put on ``pythonpath``. Fixtures used by several test modules
live here.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def demo_data():
    """The whole synthetic demo data set (17 places × 2021–2025), generated once per run."""
    from quality_balance import demo

    return demo.generate()


@pytest.fixture(scope="session")
def demo_assessment(demo_data):
    """``qb.assess`` of :func:`demo_data` with each county's own profile."""
    import quality_balance as qb

    return qb.assess(demo_data)
