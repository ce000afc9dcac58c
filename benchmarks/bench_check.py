"""Benchmark: ``quality-balance check`` on a 200 000-row school CSV (GBK, Chinese headers).

Run with ``.venv/bin/python benchmarks/bench_check.py [rows] [--repeat N]``. The
file is the hostile suite's large file (tests/hostile/cases.py
``big_school_file``: 40 000 schools × 5 years, "—" marks, thousands separators,
one negative value in the last school but one), written to a temporary folder
and removed afterwards. The script times the whole command as a user runs it
(read, validate, suspicious-value checks, print), best of ``--repeat`` runs, and
the heuristic checks alone on the validated table.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile.cases import big_school_file  # noqa: E402  (the test helpers live in the tests package)

from quality_balance.inputs.check import suspicious_values  # noqa: E402
from quality_balance.cli import main  # noqa: E402
from quality_balance.inputs.validate import validate_files  # noqa: E402


def time_check(path: Path) -> tuple[float, int, str]:
    """Seconds for ``quality-balance check <path>``, its exit status and its last output line."""
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        status = main(["check", str(path)])
    return time.perf_counter() - start, status, out.getvalue().strip().splitlines()[-1]


def run(rows: int = 200_000, repeat: int = 1) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = big_school_file(Path(folder) / "学校.csv", rows=rows)
        print(f"{rows} rows, {path.stat().st_size / 1e6:.1f} MB (GBK)")
        timings = [time_check(path) for _ in range(repeat)]
        best, status, last = min(timings)
        print(f"quality-balance check: {best:.2f} s (best of {repeat}), exit status {status}; {last.strip()}")
        schools = validate_files(path).frames["schools"]
        start = time.perf_counter()
        found = suspicious_values(schools)
        print(f"suspicious-value checks alone: {time.perf_counter() - start:.2f} s, {len(found)} warnings")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    run(args.rows, args.repeat)
