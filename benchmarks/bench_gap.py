"""Benchmark: the gap to pass on the demo data, and on a larger generated county set.

Run with ``.venv/bin/python benchmarks/bench_gap.py [schools_per_year]``. Prints the
time of ``assess`` (for scale), ``gap_to_pass`` and ``apply_additions`` + a second
``assess``, and checks that the plan makes every county-year pass resource
allocation. The demo data (17 places, 2021–2025) are generated first; then a
random county set of ``schools_per_year`` schools (default 4000) over 5 years in
40 counties, with wide spreads so that many CVs are over their limits.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

import quality_balance as qb
import quality_balance.demo
from quality_balance.planning.gap import gap_to_pass
from quality_balance.planning.whatif import apply_additions


def make_schools(per_year: int, years=range(2021, 2026), counties: int = 40, seed: int = 0) -> pd.DataFrame:
    """A canonical school table with per-student resources spread widely around the thresholds."""
    rng = np.random.default_rng(seed)
    n = per_year
    types = rng.choice(["小学", "初级中学", "九年一贯制学校"], size=n, p=[0.6, 0.25, 0.15])
    primary = np.where(types != "初级中学", rng.integers(30, 2000, n), 0).astype(float)
    junior = np.where(types != "小学", rng.integers(30, 1500, n), 0).astype(float)
    base = pd.DataFrame({
        "city": "测试市", "county": [f"县{i:02d}" for i in rng.integers(0, counties, n)],
        "school_id": (4100000000 + np.arange(n)).astype(str), "school_name": [f"学校{i}" for i in range(n)],
        "school_type": types, "location": rng.choice(["城区", "镇区", "乡村"], n),
        "students_primary": primary, "students_junior": junior, "students_senior": 0.0,
    })
    frames = []
    for year in years:
        f = base.assign(year=year)
        spread = lambda: rng.lognormal(0.0, 0.35, n)  # noqa: E731 — a fresh spread per column
        for stage, students, per100 in (("primary", primary, (5.0, 1.2, 1.0)), ("junior", junior, (6.0, 1.2, 1.0))):
            for col, rate in zip(("teachers_above_degree", "backbone_teachers", "pe_art_teachers"), per100):
                f[f"{col}_{stage}"] = np.round(students * rate / 100 * spread())
        total = primary + junior
        f["teaching_area_m2"] = np.round(total * 5.5 * spread(), 1)
        f["sports_area_m2"] = np.round(total * 9.0 * spread(), 1)
        f["equipment_value_yuan"] = np.round(total * 2400 * spread())
        f["multimedia_rooms"] = np.round(total * 2.6 / 100 * spread())
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def run(label: str, data: qb.Dataset) -> None:
    t0 = time.perf_counter()
    a = qb.assess(data)
    t1 = time.perf_counter()
    gap = gap_to_pass(a)
    t2 = time.perf_counter()
    after = qb.assess(apply_additions(data, gap))
    t3 = time.perf_counter()
    statuses = after.resources.counties["status"].value_counts().to_dict()
    print(f"{label}: {len(data.schools):,} school-years, {len(a.resources.values):,} unit×indicator rows")
    print(f"  assess {t1 - t0:6.2f} s | gap_to_pass {t2 - t1:6.2f} s | apply + assess {t3 - t2:6.2f} s")
    print(f"  {len(gap.units):,} missed indicators, {len(gap.cv_summary):,} CVs over the limit, "
          f"{len(gap.additions):,} plan rows; after the plan: {statuses}")


def main(argv: list[str]) -> None:
    per_year = int(argv[1]) if len(argv) > 1 else 4000
    t = time.perf_counter()
    demo = qb.demo.generate()
    print(f"demo generated in {time.perf_counter() - t:.1f} s")
    run("demo", demo)
    run(f"generated ({per_year} schools × 5 years)", qb.Dataset(schools=make_schools(per_year), source="bench"))


if __name__ == "__main__":
    main(sys.argv)
