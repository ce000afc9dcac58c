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


# --- headless Chromium (tests/report/test_browser.py, tests/report/test_render_pdf.py) -------------------------

def browser_missing(found: str | None, environ) -> tuple[str, str] | None:
    """What a test needing Chromium does when ``found`` (``find_chromium()``) is ``None``.

    Returns ``None`` when a browser was found; else ``("fail", reason)`` under ``CI=true``
    (CI must run the browser tests: ``.ci/run`` installs the browser) and ``("skip", reason)``
    elsewhere. The reason names the programs looked for and what to install.
    """
    if found:
        return None
    from quality_balance.report.browser import CHROMIUM_ENV, CHROMIUM_NAMES

    reason = (f"no headless Chromium: none of {', '.join(CHROMIUM_NAMES)} on PATH and {CHROMIUM_ENV} unset or "
              f"unusable (apt-get install chromium fonts-noto-cjk)")
    return ("fail", reason) if str(environ.get("CI", "")).lower() == "true" else ("skip", reason)


@pytest.fixture(scope="session")
def chromium():
    """The Chromium program for the browser tests; skips them without one (fails them under ``CI=true``)."""
    import os

    from quality_balance.report.browser import find_chromium

    found = find_chromium()
    missing = browser_missing(found, os.environ)
    if missing is not None:
        action, reason = missing
        (pytest.fail if action == "fail" else pytest.skip)(reason)
    return found


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory):
    """The demo data written as a user's data folder (``quality-balance demo``), once per run."""
    from quality_balance import demo

    folder = tmp_path_factory.mktemp("demo-data") / "demo"
    demo.generate_to(folder)
    return folder


#: The demo counties rendered for the browser tests: 台前县 fails, 清丰县 passes (both in 濮阳市).
BROWSER_COUNTIES = ("台前县", "清丰县")


@pytest.fixture(scope="session")
def rendered_demo(tmp_path_factory, demo_folder, chromium):
    """``render --pdf`` of :data:`BROWSER_COUNTIES` (and 濮阳市's overview), after ``assess`` and ``ledger``.

    Returns the output folder: ``tables/评估结果.xlsx``, ``ledger/*.xlsx`` (2025), ``濮阳市/<县区>.html|.pdf|.ipynb``,
    ``濮阳市/城市概览.*`` and ``index.html`` (which links them all).
    """
    from quality_balance.cli import main
    from quality_balance.report.render import render_reports

    out = tmp_path_factory.mktemp("rendered") / "reports"
    assert main(["assess", str(demo_folder), "--out", str(out / "tables")]) == 0
    assert main(["ledger", str(demo_folder), "--out", str(out / "ledger"), "--year", "2025"]) == 0
    summary = render_reports(demo_folder, out, counties=list(BROWSER_COUNTIES), jobs=2, progress=False, pdf=True)
    assert summary.ok, str(summary)
    return out
