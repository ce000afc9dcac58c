"""Speed of the assessment: the demo data and a scaled-up synthetic set.

Run: .venv/bin/python benchmarks/bench_assess.py [--scale 5]

Prints wall-clock seconds (best of --repeat runs) for:
* assess_resources (R1–R7, school rule, weighted CV, Gini, Theil) and the whole assess()
  on the 17-county demo data, 2021–2025;
* the same on the demo school table replicated --scale times under renamed counties
  (to show the cost grows with rows, not with a per-county loop).
Figures on a shared 2-core machine are noisy; compare ratios, not absolutes.
"""
from __future__ import annotations

import argparse
import time

import pandas as pd

import quality_balance as qb
from quality_balance import demo


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def replicate(dataset: qb.Dataset, scale: int) -> qb.Dataset:
    def copies(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None:
            return None
        parts = []
        for i in range(scale):
            part = frame.copy()
            part["county"] = part["county"] + (f"#{i}" if i else "")
            if "school_id" in part:
                part["school_id"] = part["school_id"] + (f"-{i}" if i else "")
            parts.append(part)
        return pd.concat(parts, ignore_index=True)
    return dataset.replace(schools=copies(dataset.schools), counties=copies(dataset.counties),
                           survey=copies(dataset.survey), scores=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    data = demo.generate()
    print(f"demo.generate(): {time.perf_counter() - start:.2f} s, {len(data.schools):,} school-years")
    big = replicate(data, args.scale)
    for label, ds in (("demo", data), (f"demo × {args.scale}", big)):
        rows = len(ds.schools)
        t_r = best_of(args.repeat, lambda: qb.assess_resources(ds.schools, profile=None))
        t_a = best_of(args.repeat, lambda: qb.assess(ds))
        print(f"{label:>10}: {rows:>7,} school-years  assess_resources {t_r:6.2f} s   assess {t_a:6.2f} s   "
              f"({rows / t_a:,.0f} school-years/s)")


if __name__ == "__main__":
    main()
