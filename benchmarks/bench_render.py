"""Benchmark: batch rendering of the 17 demo county reports, and one empty notebook for scale.

Run with ``.venv/bin/python benchmarks/bench_render.py [--repeat N] [--skip-serial]``.
The demo data are written to a temporary folder (or ``data/demo`` is used when it
exists) and the reports go to a temporary folder removed afterwards. Printed:

* one empty-notebook papermill run (a notebook with one empty code cell: kernel
  start, execution, save) — the fixed cost every report pays;
* the 17 county reports (``notebooks/county_report.ipynb``, .ipynb + .html each)
  with ``--jobs 1`` and with the default (``os.cpu_count()``);
* the whole ``render`` command with the default jobs: the 17 county reports, the
  city overviews, the parent's own load + assessment and ``index.html``.

Times are wall-clock seconds on this machine; other processes sharing the
cores make them vary, so run it on an otherwise idle machine for comparisons.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from quality_balance.report.render import (CITY_NOTEBOOK, COUNTY_NOTEBOOK, KERNEL_NAME, NOTEBOOK_DIR,
                                    execute_jobs, plan_jobs, render_reports)
from quality_balance.report.notebook import DEMO_DIR


def empty_notebook_seconds(folder: Path, repeat: int) -> list[float]:
    """Wall time of ``papermill.execute_notebook`` on a one-empty-cell notebook, ``repeat`` times."""
    import logging

    import papermill

    logging.getLogger("papermill").setLevel(logging.ERROR)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    source = folder / "empty.ipynb"
    nbformat.write(nb, source)
    times = []
    saved = os.dup(2)  # the kernels' own stderr chatter would interleave with the figures printed
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            papermill.execute_notebook(str(source), str(folder / "empty-out.ipynb"), kernel_name=KERNEL_NAME,
                                       progress_bar=False, log_output=False)
            times.append(time.perf_counter() - start)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    return times


def county_jobs(data_dir: Path):
    """The 17 county-report jobs of the demo data (no city overviews)."""
    from quality_balance.inputs.loaders import load_dataset

    places = load_dataset(data_dir).schools[["city", "county"]].drop_duplicates().sort_values(["city", "county"])
    return [job for job in plan_jobs(places, data_dir) if job.notebook.name == COUNTY_NOTEBOOK]


def timed_batch(jobs, out: Path, n_jobs: int | None) -> tuple[float, int]:
    start = time.perf_counter()
    results = execute_jobs(jobs, out, n_jobs, progress=False)
    for failure in (r for r in results if not r.ok):
        print(f"  failed: {failure.job.name}: {failure.error}")
    return time.perf_counter() - start, sum(not r.ok for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="empty-notebook runs (median is printed)")
    parser.add_argument("--skip-serial", action="store_true", help="skip the --jobs 1 run (slow)")
    args = parser.parse_args()
    assert (NOTEBOOK_DIR / COUNTY_NOTEBOOK).is_file() and (NOTEBOOK_DIR / CITY_NOTEBOOK).is_file()

    with tempfile.TemporaryDirectory(prefix="qb-bench-render-") as tmp:
        tmp = Path(tmp)
        if DEMO_DIR.exists():
            data_dir = DEMO_DIR
        else:
            from quality_balance import demo
            data_dir = tmp / "demo"
            demo.generate_to(data_dir)
        cores = os.cpu_count()
        print(f"machine: {cores} cores, load average {os.getloadavg()[0]:.1f}; data: {data_dir}")

        empty = empty_notebook_seconds(tmp, args.repeat)
        print(f"one empty-notebook papermill run: median {statistics.median(empty):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in empty)})")

        jobs = county_jobs(data_dir)
        if not args.skip_serial:
            seconds, failed = timed_batch(jobs, tmp / "serial", 1)
            print(f"{len(jobs)} county reports, --jobs 1: {seconds:.1f} s "
                  f"({seconds / len(jobs):.1f} s per report, {failed} failed)")
        seconds, failed = timed_batch(jobs, tmp / "parallel", None)
        print(f"{len(jobs)} county reports, --jobs {cores} (default): {seconds:.1f} s "
              f"({seconds / len(jobs):.1f} s per report, {failed} failed)")

        summary = render_reports(data_dir, tmp / "full", progress=False)
        print(f"whole render (default jobs): {len(summary.results)} notebooks incl. city overviews, "
              f"parent assessment and index.html: {summary.seconds:.1f} s, {len(summary.failures)} failed")
        for failure in summary.failures:
            print(f"  failed: {failure.job.name}: {failure.error}")


if __name__ == "__main__":
    main()
