"""Benchmark: load and check a 200 000-row school CSV (GBK, Chinese headers).

Run with ``.venv/bin/python benchmarks/bench_loaders.py [rows]``. The file is the
hostile suite's large valid file (tests/hostile/cases.py ``big_school_file`` with
``bad_row=False``: 小学, 初级中学 and 九年一贯制学校, "—" in the stage columns of
absent stages, thousands separators in the areas, so the slow paths of the parser
are exercised), written to a temporary folder and removed afterwards. Prints the
file size and the time of ``load_schools`` and ``check_files``.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile.cases import big_school_file  # noqa: E402  (the test helpers live in the tests package)

from quality_balance.inputs.loaders import load_schools  # noqa: E402
from quality_balance.inputs.validate import check_files  # noqa: E402


def main(rows: int = 200_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = big_school_file(Path(folder) / "学校.csv", rows=rows, bad_row=False)
        print(f"{rows} rows, {path.stat().st_size / 1e6:.1f} MB (GBK)")
        start = time.perf_counter()
        schools = load_schools(path)
        print(f"load_schools: {time.perf_counter() - start:.2f} s, {len(schools)} rows")
        start = time.perf_counter()
        problems = check_files(path)
        print(f"check_files:  {time.perf_counter() - start:.2f} s, {len(problems)} problems")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
