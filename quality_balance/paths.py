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
from typing import Iterable

__all__ = ["PACKAGE_DIR", "PROFILE_DIR", "PLAN_DIR", "NOTEBOOK_DIR", "PAGE_CSS", "DEMO_STORY_FILE",
           "DEFAULT_DEMO_DIR", "DEFAULT_TEMPLATE_DIR", "DEFAULT_REPORTS_DIR", "DEFAULT_TABLES_DIR",
           "DEFAULT_LEDGER_DIR", "DEFAULT_IMPORT_DIR", "DEFAULT_DEMO_STATS_DIR", "MAPPING_DIR", "output_overlaps",
           "refuse_output_overlap"]

#: The installed package.
PACKAGE_DIR = Path(__file__).resolve().parent
#: Shipped standards profiles (``*.toml``).
PROFILE_DIR = PACKAGE_DIR / "standards" / "profiles"
#: Shipped plan targets (``*.toml``).
PLAN_DIR = PACKAGE_DIR / "standards" / "plans"
#: The report notebooks that ``quality-balance render`` executes (shipped inside the package).
NOTEBOOK_DIR = PACKAGE_DIR / "report" / "notebooks"
#: The stylesheet of the HTML reports (screen and print), put into each page's head by the renderer.
PAGE_CSS = PACKAGE_DIR / "report" / "page.css"
#: Shipped mapping files of the statistics importer (``jichuji-<edition>.toml``).
MAPPING_DIR = PACKAGE_DIR / "standards" / "mappings"
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
#: ``quality-balance import-stats --out``: the school table imported from 基础基 statistics workbooks.
DEFAULT_IMPORT_DIR = Path("data") / "imported"
#: ``quality-balance demo-workbooks --out``: the demo's schools written as 基础基 statistics workbooks.
DEFAULT_DEMO_STATS_DIR = Path("data") / "demo-stats"


def output_overlaps(out: str | Path, inputs: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """The inputs an output folder would endanger, each with how: ``"same"``, ``"inside"`` or ``"contains"``.

    ``out`` is the output folder of a command; ``inputs`` its input files and
    folders. Paths are resolved (symbolic links and ``..`` followed) before they
    are compared, so ``data/x/../x`` and a link to ``data/x`` are ``data/x``.

    >>> output_overlaps("data/x", ["data/x"])[0][1], output_overlaps("data/x/out", ["data/x"])[0][1]
    ('same', 'inside')
    >>> output_overlaps("data", ["data/x/学校.csv"])[0][1], output_overlaps("reports", ["data/x"])
    ('contains', [])
    """
    target = Path(out).resolve()
    found: list[tuple[Path, str]] = []
    for item in inputs:
        source = Path(item).resolve()
        if source == target:
            found.append((source, "same"))
        elif source in target.parents:
            found.append((source, "inside"))
        elif target in source.parents:
            found.append((source, "contains"))
    return found


def refuse_output_overlap(out: str | Path, inputs: Iterable[str | Path], *, option: str = "--out") -> None:
    """Raise :class:`~quality_balance.errors.InputError` when ``out`` is, lies inside or contains an input.

    Every command that writes calls this before it reads or writes anything, so
    that no input file is ever overwritten or deleted (``assess data --out data``
    would otherwise replace the input ``counties.csv`` with the result table of
    the same name).
    """
    from .errors import InputError, Problem

    how = {"same": "就是输入数据所在的文件夹", "inside": "位于输入数据文件夹之内", "contains": "包含输入数据"}
    overlaps = output_overlaps(out, inputs)
    if overlaps:
        raise InputError([Problem(option, f"输出文件夹{how[kind]}（输入：{source}），写出结果可能覆盖或删除输入文件，"
                                          "已停止，未写入任何文件", value=str(out),
                                  expected="与输入数据互不包含的文件夹",
                                  fix=f"另选输出文件夹，例如 {DEFAULT_REPORTS_DIR}/…")
                          for source, kind in overlaps])
