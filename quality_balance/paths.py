"""Where things are: the package's own data folders and the default folders of the command line.

One place for every path the package uses, so that ``quality-balance --help``,
the README and the Makefile name the same folders (``make demo`` passes each of
them explicitly; the command line's defaults are these).

Default folders are relative to the current working directory, as a user types
them; the package folders are absolute and work from an installed wheel as well
as from a source checkout.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGE_DIR", "PROFILE_DIR", "PLAN_DIR", "NOTEBOOK_DIR", "DEMO_STORY_FILE",
           "DEFAULT_DEMO_DIR", "DEFAULT_TEMPLATE_DIR", "DEFAULT_REPORTS_DIR", "DEFAULT_TABLES_DIR",
           "DEFAULT_LEDGER_DIR"]

#: The installed package.
PACKAGE_DIR = Path(__file__).resolve().parent
#: Shipped standards profiles (``*.toml``).
PROFILE_DIR = PACKAGE_DIR / "standards" / "profiles"
#: Shipped plan targets (``*.toml``).
PLAN_DIR = PACKAGE_DIR / "standards" / "plans"
#: The report notebooks that ``quality-balance render`` executes (shipped inside the package).
NOTEBOOK_DIR = PACKAGE_DIR / "report" / "notebooks"
#: The designed story of the synthetic demo data (places, schools, shortfalls) as data.
DEMO_STORY_FILE = PACKAGE_DIR / "demo" / "story.toml"

#: ``quality-balance demo --out``: the synthetic demo data.
DEFAULT_DEMO_DIR = Path("data") / "demo"
#: ``quality-balance template --out``: the input templates.
DEFAULT_TEMPLATE_DIR = Path("data") / "templates"
#: ``quality-balance render --out``: reports and their index.
DEFAULT_REPORTS_DIR = Path("reports")
#: ``quality-balance assess --out``: result tables.
DEFAULT_TABLES_DIR = DEFAULT_REPORTS_DIR / "tables"
#: ``quality-balance ledger --out``: rectification ledgers.
DEFAULT_LEDGER_DIR = DEFAULT_REPORTS_DIR / "ledger"
