"""Writing the result tables: the demo workbook, a units sheet of N rows, each format alone.

Run: .venv/bin/python benchmarks/bench_export.py [--rows 200000] [--formats csv,xlsx,parquet]

The demo (``demo_assessment`` as in the tests) is assessed once; its units table is then tiled to
``--rows`` rows (school ids made unique) and written alone, so that the time is the writer's, not
the assessment's. Prints wall and CPU seconds and the peak RSS of the process.
"""
from __future__ import annotations

import argparse
import dataclasses
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd


def timed(label, fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label:<42} {time.perf_counter() - wall:7.1f} s wall {time.process_time() - cpu:7.1f} s CPU", flush=True)
    return out


def main() -> None:
    import quality_balance as qb
    from quality_balance import demo
    from quality_balance.report import export

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--formats", default="csv,xlsx,parquet")
    args = parser.parse_args()
    result = timed("assess demo", lambda: qb.assess(demo.generate()))
    with tempfile.TemporaryDirectory() as tmp:
        timed("write_results demo (csv + xlsx)", lambda: export.write_results(result, Path(tmp) / "demo"))
        units = result.resources.units
        copies = -(-args.rows // len(units))
        big = pd.concat([units.assign(school_id=units["school_id"].astype(str) + f"-{i}") for i in range(copies)],
                        ignore_index=True).iloc[:args.rows]
        empty = {name: getattr(result, name).iloc[:0] for name in ("items", "verdicts", "shortfalls", "parts",
                                                                   "recognition")}
        ra = dataclasses.replace(result.resources, units=big, cv=result.resources.cv.iloc[:0],
                                 counties=result.resources.counties.iloc[:0],
                                 excluded=result.resources.excluded.iloc[:0])
        only = dataclasses.replace(result, resources=ra, **empty)
        for fmt in args.formats.split(","):
            timed(f"units {len(big):,} rows: {fmt}",
                  lambda: export.write_results(only, Path(tmp) / fmt, formats=(fmt,)) if fmt != "legacy"
                  else export.write_results(only, Path(tmp) / fmt))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")


if __name__ == "__main__":
    main()
