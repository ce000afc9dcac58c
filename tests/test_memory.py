"""The command's process keeps freed memory for reuse (quality_balance._memory): fewer page faults, same results."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

_FAULTS = """
import resource, sys
import numpy as np
from quality_balance._memory import keep_freed_memory
took = keep_freed_memory() if sys.argv[1] == "keep" else None
if sys.argv[1] == "command":  # the installed command's entry point, on --help: its process is set the same way
    from quality_balance.cli import command
    sys.argv[1:] = ["--help"]
    try:
        command()
    except SystemExit as done:
        took = done.code == 0
np.ones(8_000_000).sum()  # the first 64 MB block: faulted in either way
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):  # ten more made and freed: each faulted in again unless the freed one is reused
    np.ones(8_000_000).sum()
print(took, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> tuple[str, int]:
    done = subprocess.run([sys.executable, "-c", _FAULTS, mode], capture_output=True, text=True, check=True)
    took, faults = done.stdout.split()[-2:]  # (after --help's usage text, in the command's case)
    return took, int(faults)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_freed_blocks_are_reused_instead_of_faulted_in_again():
    took, kept = _faults("keep")
    _, default = _faults("default")
    assert took == "True"
    assert kept * 4 < default, (kept, default)  # (the default pays for every block again)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_the_installed_command_is_the_one_that_keeps_freed_memory():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["quality-balance"] == "quality_balance.cli:command"
    ran, kept = _faults("command")
    _, default = _faults("default")
    assert ran == "True"  # (--help exits 0)
    assert kept * 4 < default, (kept, default)
