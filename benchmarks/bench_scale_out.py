"""Benchmark: one county report against the demo and a national folder, and the demo reports on Dask.

Run: ``.venv/bin/python benchmarks/bench_scale_out.py [--national DIR] [--dask-local N] [--skip-pool]``

* one county report (台前县): the notebook's own time (:class:`ReportResult.seconds`: kernel start,
  execution, .ipynb + .html) when ``render`` hands it its staged slice, against the demo data and,
  with ``--national DIR`` (e.g. ``benchmarks/.cache/national/parquet``, built by
  ``bench_national.py --national``), against the national folder; the parent's load and staging
  time beside it. Before issue 12 the notebook reloaded the whole folder (45 s vs 8 s);
* the demo's 17 county reports with the process pool, ``--jobs 1`` and ``--jobs 2``;
* the same 17 reports on a local Dask cluster of ``--dask-local N`` workers (default 2): wall
  time, reports per minute per worker, and the extrapolation to 2 850 county reports.

Wall-clock seconds on this machine; run it on an otherwise idle machine for comparisons.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from quality_balance.output import scratch_folder
from quality_balance.report.notebook import DEMO_DIR, load_dataset_or_demo
from quality_balance.report.render import (COUNTY_NOTEBOOK, execute_jobs, execute_jobs_dask, plan_jobs,
                                           stage_data_slices)

NATIONAL_REPORTS = 2850


def one_county(data_dir: Path, out: Path, county=("濮阳市", "台前县")) -> tuple[float, float, float]:
    """(parent load s, staging s, the report's own s) of one county report from ``data_dir``."""
    start = time.perf_counter()
    data = load_dataset_or_demo(data_dir, fallback=False)
    loaded = time.perf_counter() - start
    places = pd.DataFrame({"city": [county[0]], "county": [county[1]]})
    jobs = [j for j in plan_jobs(places, data_dir) if j.notebook.name == COUNTY_NOTEBOOK]
    with scratch_folder(out) as stage:
        start = time.perf_counter()
        jobs = stage_data_slices(data, jobs, stage)
        staged = time.perf_counter() - start
        result = execute_jobs(jobs, out, 1, progress=False)[0]
    assert result.ok, result.error
    return loaded, staged, result.seconds


def county_batch(data_dir: Path, out: Path, run) -> tuple[int, float]:
    """(reports, wall seconds) of the demo's county reports through ``run(jobs, out)``."""
    data = load_dataset_or_demo(data_dir, fallback=False)
    places = data.schools[["city", "county"]].drop_duplicates().sort_values(["city", "county"])
    jobs = [j for j in plan_jobs(places, data_dir) if j.notebook.name == COUNTY_NOTEBOOK]
    with scratch_folder(out) as stage:
        jobs = stage_data_slices(data, jobs, stage)
        start = time.perf_counter()
        results = run(jobs, out)
        seconds = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    assert not failed, [(r.job.name, r.error) for r in failed]
    return len(results), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", type=Path, default=None, help="a national-size data folder")
    parser.add_argument("--dask-local", type=int, default=2, help="local Dask workers (0: skip)")
    parser.add_argument("--skip-pool", action="store_true", help="skip the --jobs 1 / --jobs 2 runs")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="qb-bench-scale-") as tmp:
        tmp = Path(tmp)
        demo_dir = DEMO_DIR
        if not DEMO_DIR.exists():
            from quality_balance import demo
            demo_dir = tmp / "demo"
            demo.generate_to(demo_dir)
        folders = [("demo", demo_dir)] + ([("national", args.national)] if args.national else [])
        own = {}
        for label, folder in folders:
            loaded, staged, seconds = one_county(folder, tmp / f"one-{label}")
            own[label] = seconds
            print(f"one county report, {label}: {seconds:.1f} s (parent: load {loaded:.1f} s, "
                  f"staging {staged:.2f} s)", flush=True)
        if "national" in own:
            print(f"  national / demo: {own['national'] / own['demo']:.2f}x (goal <= 1.2x)")
        if not args.skip_pool:
            pool = {}
            for n in (1, 2):
                count, seconds = county_batch(demo_dir, tmp / f"pool-{n}",
                                              lambda jobs, out, n=n: execute_jobs(jobs, out, n, progress=False))
                pool[n] = seconds
                print(f"{count} county reports, --jobs {n}: {seconds:.1f} s ({seconds / count:.1f} s each)",
                      flush=True)
            print(f"  --jobs 2 speed-up over --jobs 1: {pool[1] / pool[2]:.2f}x")
        if args.dask_local:
            n = args.dask_local
            count, seconds = county_batch(demo_dir, tmp / "dask", lambda jobs, out: execute_jobs_dask(
                jobs, out, local_workers=n, progress=False))
            per_worker = count / seconds * 60 / n
            print(f"{count} county reports on a LocalCluster of {n} workers: {seconds:.1f} s incl. cluster start; "
                  f"{per_worker:.1f} reports/min per worker; {NATIONAL_REPORTS} reports: "
                  f"{NATIONAL_REPORTS / per_worker / 60 / n:.1f} h on {n} workers, "
                  f"{NATIONAL_REPORTS / per_worker / 60 / 16:.1f} h on 16", flush=True)


if __name__ == "__main__":
    main()
