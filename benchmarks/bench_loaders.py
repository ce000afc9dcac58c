"""Benchmark: load and check a 200 000-row school CSV (GBK, Chinese headers).

Run with ``.venv/bin/python benchmarks/bench_loaders.py [rows]``. The file is
written to a temporary folder and removed afterwards; the script prints the
file size and the time of ``load_schools`` and ``check_files``. The data are
random but valid: a mix of 小学, 初级中学 and 九年一贯制学校, with "—" in the
stage columns of absent stages and thousands separators in the areas, so the
slow paths of the parser are exercised too.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from quality_balance.loaders import load_schools
from quality_balance.schema import SCHOOLS
from quality_balance.validate import check_files


def make_schools(rows: int, seed: int = 0) -> pd.DataFrame:
    """A valid school table with ``rows`` rows and Chinese headers, as the user would type it."""
    rng = np.random.default_rng(seed)
    types = rng.choice(["小学", "初级中学", "九年一贯制学校"], size=rows, p=[0.6, 0.25, 0.15])
    has_primary = types != "初级中学"
    has_junior = types != "小学"
    primary = np.where(has_primary, rng.integers(20, 2000, rows), 0)
    junior = np.where(has_junior, rng.integers(20, 1500, rows), 0)

    def per_stage(has, students, per_100):
        counts = np.round(students * per_100 / 100 + rng.normal(0, 1, rows)).clip(0)
        return np.where(has, counts.astype(int).astype(str), "—")

    data = {
        "year": 2021 + np.arange(rows) % 5,
        "city": "濮阳市",
        "county": rng.choice(["华龙区", "濮阳县", "清丰县", "南乐县", "范县", "台前县"], rows),
        "school_id": (4109000000 + np.arange(rows) // 5).astype(str),
        "school_name": "学校" + (np.arange(rows) // 5).astype(str),
        "school_type": types,
        "location": rng.choice(["城区", "镇区", "乡村"], rows),
        "students_primary": np.where(has_primary, primary.astype(str), "—"),
        "students_junior": np.where(has_junior, junior.astype(str), "—"),
        "teachers_above_degree_primary": per_stage(has_primary, primary, 5.0),
        "teachers_above_degree_junior": per_stage(has_junior, junior, 6.0),
        "backbone_teachers_primary": per_stage(has_primary, primary, 1.2),
        "backbone_teachers_junior": per_stage(has_junior, junior, 1.2),
        "pe_art_teachers_primary": per_stage(has_primary, primary, 1.0),
        "pe_art_teachers_junior": per_stage(has_junior, junior, 1.0),
        "teaching_area_m2": [f"{v:,.1f}" for v in (primary + junior) * rng.uniform(4, 7, rows)],
        "sports_area_m2": np.round((primary + junior) * rng.uniform(7, 12, rows), 1),
        "equipment_value_yuan": np.round((primary + junior) * rng.uniform(1800, 3000, rows)),
        "multimedia_rooms": ((primary + junior) // 40 + 1),
    }
    frame = pd.DataFrame(data)
    return frame.rename(columns={c.name: c.zh for c in SCHOOLS.columns})


def main(rows: int = 200_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "学校.csv"
        make_schools(rows).to_csv(path, index=False, encoding="gbk")
        print(f"{rows} rows, {path.stat().st_size / 1e6:.1f} MB (GBK)")
        start = time.perf_counter()
        schools = load_schools(path)
        print(f"load_schools: {time.perf_counter() - start:.2f} s, {len(schools)} rows")
        start = time.perf_counter()
        problems = check_files(path)
        print(f"check_files:  {time.perf_counter() - start:.2f} s, {len(problems)} problems")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
