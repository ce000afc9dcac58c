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


_SCOPED = """
import resource
import numpy as np
from quality_balance._memory import reusing_freed_memory

def faults(blocks):
    np.ones(8_000_000).sum()  # the first 64 MB block
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(blocks):
        np.ones(8_000_000).sum()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

start = rss_mb()
with reusing_freed_memory() as kept:
    inside = faults(10)
    held = [np.ones(1_000_000) for _ in range(40)]  # 320 MB in 8 MB blocks, from the heap inside the block
    del held
    during = rss_mb()
after_rss = rss_mb()
after = faults(10)
print(kept, inside, after, round(during - start), round(after_rss - start))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_a_scope_reuses_freed_blocks_and_hands_the_memory_back_when_it_ends():
    done = subprocess.run([sys.executable, "-c", _SCOPED], capture_output=True, text=True, check=True)
    kept, inside, after, during, after_rss = done.stdout.split()
    assert kept == "True"
    assert int(inside) * 4 < int(after), (inside, after)  # inside: reused; after: each 64 MB block mapped anew
    assert int(during) > 250  # the 320 MB freed inside the block stay with the process while it lasts…
    assert int(after_rss) < 100, (during, after_rss)  # …and are handed back when it ends


def test_the_heavy_calls_run_inside_one_scope(monkeypatch):
    """load_dataset, assess, assess_resources, progress, project and gap_to_pass each open the scope (nested
    calls share the outer one) and leave none open."""
    import quality_balance as qb
    from quality_balance import _memory
    import importlib

    assessment, resources, gap, progress, projection = (importlib.import_module(f"quality_balance.{name}") for name in (
        "method.assessment", "method.resources", "planning.gap", "planning.progress", "planning.projection"))

    depths = {}

    def spy(module, name):
        inner = getattr(module, name)

        def recorded(*args, **kwargs):
            depths.setdefault(name, _memory._state["depth"])
            return inner(*args, **kwargs)
        monkeypatch.setattr(module, name, recorded)
    for module, name in ((assessment, "_assess"), (resources, "_assess_resources"),
                         (progress, "_progress"), (projection, "_project"), (gap, "_gap_to_pass")):
        spy(module, name)
    data = qb.demo.generate(years=[2025])
    qb.assess_resources(data.schools, profile=None)
    result = qb.assess(data)
    qb.project(qb.progress(result))
    qb.gap_to_pass(result, county="台前县", year=2025)
    assert depths == {"_assess_resources": 1, "_assess": 1, "_progress": 1, "_project": 1, "_gap_to_pass": 1}
    assert _memory._state["depth"] == 0


def test_load_dataset_runs_inside_the_scope(monkeypatch, tmp_path):
    import quality_balance as qb
    from quality_balance import _memory
    from quality_balance.inputs import loaders

    seen = []
    inner = loaders._load_dataset

    def recorded(*args, **kwargs):
        seen.append(_memory._state["depth"])
        return inner(*args, **kwargs)
    monkeypatch.setattr(loaders, "_load_dataset", recorded)
    qb.demo.write(qb.demo.generate(years=[2025]), tmp_path)
    assert len(qb.load_dataset(tmp_path).schools)
    assert seen == [1] and _memory._state["depth"] == 0
