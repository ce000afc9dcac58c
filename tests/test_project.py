"""Project habits: ``make help`` lists every target, and docs/method.md is what the code points at."""
from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "quality_balance"
METHOD_DOC = REPO / "docs" / "method.md"


# --- make help ---------------------------------------------------------------------------------

def _makefile_targets() -> dict[str, str]:
    """Target → its ``## description`` (empty when it has none), for every named rule of the Makefile."""
    targets = {}
    for line in (REPO / "Makefile").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z][A-Za-z0-9_-]*):(?!=)([^#]*)(?:##\s*(.*))?$", line)
        if match:
            targets[match.group(1)] = (match.group(3) or "").strip()
    return targets


def _make(*args: str) -> str:
    done = subprocess.run(["make", "--no-print-directory", "-s", "-C", str(REPO), *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_make_target_has_a_description():
    targets = _makefile_targets()
    assert {"help", "install", "demo", "test", "lab", "clean"} <= set(targets)
    assert [t for t, text in targets.items() if not text] == []
    phony = re.search(r"^\.PHONY:(.*)$", (REPO / "Makefile").read_text(encoding="utf-8"), re.M).group(1).split()
    assert set(targets) <= set(phony)


def test_make_help_is_the_default_and_lists_every_target_with_its_description():
    shown = _make()
    assert shown == _make("help")
    listed = dict(re.findall(r"^\s+(\S+)\s+(\S.*?)\s*$", shown, re.M))
    assert listed == _makefile_targets()
    assert "make demo" in shown and "make test" in shown          # the quick start


# --- docs/method.md ----------------------------------------------------------------------------

def _sections() -> list[str]:
    """Section numbers of docs/method.md in order: "1", "2", "2.1", ..."""
    return re.findall(r"^#{2,4} (\d+(?:\.\d+)*)\.? \S", METHOD_DOC.read_text(encoding="utf-8"), re.M)


def _references() -> list[tuple[str, int, str]]:
    """(file, line, section) of every ``docs/method.md §N`` reference in the package (ranges: both ends)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "docs/method.md" in line:
                tail = line.split("docs/method.md", 1)[1]
                found += [(path.relative_to(REPO).as_posix(), number, s) for s in re.findall(r"§(\d+(?:\.\d+)*)", tail)]
    return found


def test_method_sections_are_numbered_in_order():
    sections = _sections()
    assert sections[:3] == ["1", "2", "2.1"]
    for before, after in zip(sections, sections[1:]):
        a, b = [int(x) for x in before.split(".")], [int(x) for x in after.split(".")]
        # the next one is a first subsection, the next sibling, or the next sibling of an ancestor
        ok = b == a + [1] or any(b == a[:k] + [a[k] + 1] for k in range(len(a)))
        assert ok, f"§{after} follows §{before}"


def test_every_method_reference_in_the_code_names_a_section():
    sections = set(_sections())
    references = _references()
    assert len(references) >= 24
    assert [r for r in references if r[2] not in sections] == []


@pytest.mark.parametrize("stage", ["method", "method/items", "stats", "planning"])
def test_every_method_module_points_at_its_section(stage):
    import ast

    missing = []
    for path in sorted((PACKAGE / stage).glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if not re.search(r"^Method: docs/method\.md §\d", doc, re.M):
            missing.append(path.name)
    assert missing == []


def _leaf_keys(table: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in table.items():
        if isinstance(value, dict):
            keys += _leaf_keys(value, f"{prefix}{key}.")
        else:
            keys.append(f"{prefix}{key}")
    return keys


def test_method_names_every_setting_of_the_national_profile():
    national = tomllib.loads((PACKAGE / "standards" / "profiles" / "national.toml").read_text(encoding="utf-8"))
    text = METHOD_DOC.read_text(encoding="utf-8")
    quoted = " ".join(re.findall(r"`([^`]+)`", text))

    def documented(key: str) -> bool:
        parent, leaf = key.rsplit(".", 1)
        return (key in quoted
                # `guarantee.G3.classes_per_room`, `.music_room_min_m2`; `resources.cv_limit` … `junior`
                or (parent in quoted and (f".{leaf}" in quoted or f"`{leaf}`" in text))
                # `resources.thresholds.primary.<id>` and the indicator's row of the table
                or (f"{parent}.<id>" in quoted and f"| {leaf} |" in text))

    keys = [key for section in ("certification", "resources", "guarantee", "quality", "recognition", "costs")
            for key in _leaf_keys(national[section], f"{section}.")]
    assert len(keys) > 50
    assert [key for key in keys if not documented(key)] == []
    assert "教督〔2017〕6号" in text and "国教督办函〔2019〕30号" in text
