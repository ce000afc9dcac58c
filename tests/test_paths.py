"""The command line, paths.py, the README and the Makefile name the same default folders ("CLI and docs agree")."""
import re
from pathlib import Path

import pytest

from quality_balance import paths
from quality_balance.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
#: sub-command, the arguments it needs besides --out, and its default folder in paths.py
COMMANDS = [
    ("demo", [], paths.DEFAULT_DEMO_DIR),
    ("template", [], paths.DEFAULT_TEMPLATE_DIR),
    ("assess", ["data/demo"], paths.DEFAULT_TABLES_DIR),
    ("ledger", ["data/demo"], paths.DEFAULT_LEDGER_DIR),
    ("render", ["data/demo"], paths.DEFAULT_REPORTS_DIR),
    ("demo-workbooks", ["data/demo"], paths.DEFAULT_DEMO_STATS_DIR),
    ("import-stats", ["data/demo-stats"], paths.DEFAULT_IMPORT_DIR),
]


def _makefile_commands() -> dict[str, str]:
    """sub-command → the --out folder ``make`` passes, with the Makefile's variables expanded."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^(\w+)\s*:=\s*(\S+)\s*$", text, flags=re.M))
    out = {}
    for command, folder in re.findall(r"quality-balance ([\w-]+) .*?--out (\S+)", text):
        out[command] = re.sub(r"\$\((\w+)\)", lambda m: variables[m.group(1)], folder)
    return out


def test_paths_are_the_documented_folders():
    assert [str(d).replace("\\", "/") for *_, d in COMMANDS] == \
        ["data/demo", "data/templates", "reports/tables", "reports/ledger", "reports", "data/demo-stats",
         "data/imported"]
    assert paths.DEFAULT_TABLES_DIR.parent == paths.DEFAULT_LEDGER_DIR.parent == paths.DEFAULT_REPORTS_DIR


@pytest.mark.parametrize("command, needs, default", COMMANDS, ids=[c for c, *_ in COMMANDS])
def test_cli_out_defaults_come_from_paths(command, needs, default):
    args = build_parser().parse_args([command, *needs])
    assert Path(args.out) == default


@pytest.mark.parametrize("command, needs, default", COMMANDS, ids=[c for c, *_ in COMMANDS])
def test_readme_names_the_default_folder(command, needs, default):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    written = re.findall(rf"quality-balance {command} .*?--out (\S+)", readme)
    assert written and {Path(w) for w in written} == {default}


@pytest.mark.parametrize("command, needs, default", COMMANDS, ids=[c for c, *_ in COMMANDS])
def test_makefile_passes_the_default_folder(command, needs, default):
    assert Path(_makefile_commands()[command]) == default


def test_help_shows_the_defaults(capsys):
    for command, _, default in COMMANDS:
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        assert f"default: {default}" in capsys.readouterr().out


def test_only_the_cli_prints_or_parses_arguments():
    """Library modules return values and raise errors; the command line (cli.py) prints and parses."""
    package = ROOT / "quality_balance"
    pattern = re.compile(r"(?<![\w.])print\(|\bargparse\b|\bsys\.argv\b|\bsys\.stdout\b")
    offenders = [f"{path.relative_to(package)}:{n}" for path in package.rglob("*.py") if path.name != "cli.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line) and not line.lstrip().startswith((">>>", "#"))]
    assert offenders == []
