"""Speed of the 基础基 statistics importer on the demo's schools of one year (≈850 workbooks).

Run: .venv/bin/python benchmarks/bench_import_stats.py [--year 2025] [--edition 2018] [--repeat 1]

Generates the demo data, writes its schools of ``--year`` as one 基础基 workbook each
(:mod:`quality_balance.demo.statistics_workbooks`), then times (best of ``--repeat``):

* writing the workbooks;
* ``import_statistics`` without output (reading and mapping every workbook);
* ``import_statistics`` with ``out`` (plus schools.csv, excel/学校.xlsx, provenance and missing tables);

and checks that the import equals the demo's school table for every imported column.
Figures on a shared 2-core machine are noisy; compare ratios, not absolutes.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from quality_balance import demo
from quality_balance.demo.statistics_workbooks import EDITIONS, write_workbooks
from quality_balance.inputs.statistics import import_statistics


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--edition", choices=EDITIONS, default="2018")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    schools = demo.generate().schools
    schools = schools[schools["year"] == args.year]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        seconds, files = best_of(args.repeat, lambda: write_workbooks(schools, folder / "wb", edition=args.edition))
        print(f"write {len(files)} workbooks: {seconds:.1f} s ({seconds / len(files) * 1000:.1f} ms each)")
        mapping = f"jichuji-{args.edition}"
        seconds, result = best_of(args.repeat, lambda: import_statistics(folder / "wb", mapping=mapping))
        print(f"import {len(result.schools)} workbooks (no output): {seconds:.1f} s "
              f"({seconds / len(files) * 1000:.1f} ms each)")
        seconds, result = best_of(args.repeat, lambda: import_statistics(folder / "wb", mapping=mapping,
                                                                         out=folder / "out"))
        print(f"import and write {len(result.written)} files: {seconds:.1f} s")
        got = result.schools.set_index("school_id").sort_index()
        want = schools.set_index("school_id").sort_index()
        columns = [c for c in result.mapping.targets if c in want.columns and c != "school_id"]
        differ = [c for c in columns if not (got[c].astype(str).to_numpy()
                                             == want[c].map(_text).to_numpy()).all()]
        print(f"round trip: {len(columns)} columns, {'all equal' if not differ else f'differ: {differ}'}")


def _text(value) -> str:
    from quality_balance.demo.statistics_workbooks import _text as text

    return value if isinstance(value, str) else text(value)


if __name__ == "__main__":
    main()
