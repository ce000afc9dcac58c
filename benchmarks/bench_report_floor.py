"""Benchmark: one county report against the floor notebook, and ``--jobs 1`` against ``--jobs 2``, in one run.

Run: ``.venv/bin/python benchmarks/bench_report_floor.py [--repeat N] [--county 濮阳市/台前县] [--skip-batch]``

Three notebooks go through exactly what every report of ``quality-balance render`` goes through
(:func:`quality_balance.report.render._run_job`: papermill with the renderer's own kernel, then the
executed ``.ipynb``, its signature and the standalone ``.html``), interleaved ``--repeat`` times so that
they share the machine's load, and their medians are printed:

* **empty**: one empty code cell — the kernel start-up, papermill and writing the two files; the fixed
  cost every notebook pays;
* **floor**: ``%matplotlib inline``, ``import pandas`` and ``seaborn``, ``pd.read_csv`` of the county's
  school table (its rows of the demo's ``schools.csv``) and one seaborn chart;
* **report**: the county report (``county_report.ipynb``) of ``--county`` from its staged data slice and
  the slice of the batch's assessment, as ``render`` hands them
  (:func:`~quality_balance.report.render.stage_data_slices`); ``--self-assess`` stages the data only,
  as before the batch handed its assessment on (the kernel assesses its slice itself).

Each figure is split into the kernel's own execution (the sum of papermill's per-cell durations) and the
rest (kernel start, papermill, files), and given as CPU seconds too (this process's and its reaped
children's — the kernel's — ``getrusage``), which other processes on the machine disturb less than
wall time. The issue's goal: report ≤ 2 × floor.

Then the whole ``render`` of the demo data (every county report and city overview, the parent's load and
assessment, the index) with ``jobs=1`` and with ``jobs=2``, their ratio (goal ≥ 1.8× on an idle 2-core
machine), the CPU seconds of each (this process, the workers and their kernels), and the 1-minute load
average before and after each run: other processes on the machine share the cores, so every figure is
printed with the load it was measured under.

The demo data are ``data/demo`` when it exists, else generated into a temporary folder; every output
goes to a temporary folder removed at the end.
"""
from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import tempfile
from pathlib import Path

import nbformat
import pandas as pd

from quality_balance.output import scratch_folder
from quality_balance.report.notebook import DEMO_DIR, load_dataset_or_demo
from quality_balance.report.render import (COUNTY_NOTEBOOK, KERNEL_NAME, ReportJob, _run_job, plan_jobs,
                                           render_reports, stage_data_slices)

#: The floor notebook's code cells (after its parameters cell): what any analysis notebook does at least.
FLOOR_CELLS = (
    "%matplotlib inline\nimport pandas as pd\nimport seaborn as sns",
    "schools = pd.read_csv(schools_csv)",
    "sns.barplot(data=schools, x=\"年份\", y=\"小学在校生数\", estimator=\"sum\", errorbar=None)",
)


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def _notebook(cells: list[str], parameters: str, path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _cell_seconds(ipynb: Path) -> float:
    """The kernel's own execution time: the sum of papermill's per-cell durations in an executed notebook."""
    nb = nbformat.read(ipynb, as_version=4)
    return sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells if c.cell_type == "code")


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended (the kernels)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def timed(job: ReportJob, out: Path) -> tuple[float, float, float, float]:
    """(seconds, of which in the kernel's cells, load average at the start, CPU seconds) of one notebook
    through ``_run_job``."""
    before, cpu = load(), _cpu()
    result = _run_job(job, str(out))
    assert result.ok, f"{job.name}: {result.error}"
    return result.seconds, _cell_seconds(result.ipynb), before, _cpu() - cpu


def single_reports(data_dir: Path, tmp: Path, county: tuple[str, str], repeat: int,
                   self_assess: bool = False) -> dict[str, list]:
    """Interleaved runs of the empty, floor and county-report notebooks."""
    from quality_balance.method.assessment import assess

    data = load_dataset_or_demo(data_dir, fallback=False)
    raw = pd.read_csv(data_dir / "schools.csv", encoding="utf-8-sig")
    own = raw[(raw["市"] == county[0]) & (raw["县区"] == county[1])]
    assert len(own), f"no school of {county} in {data_dir / 'schools.csv'}"
    own.to_csv(tmp / "floor-schools.csv", index=False)
    empty = ReportJob(_notebook([""], "x = None", tmp / "empty.ipynb"), "floor/empty", {}, "empty")
    floor = ReportJob(_notebook(list(FLOOR_CELLS), 'schools_csv = ""', tmp / "floor.ipynb"), "floor/floor",
                      {"schools_csv": str(tmp / "floor-schools.csv")}, "floor")
    places = pd.DataFrame({"city": [county[0]], "county": [county[1]]})
    report_jobs = [j for j in plan_jobs(places, data_dir) if j.notebook.name == COUNTY_NOTEBOOK]
    runs: dict[str, list] = {"empty": [], "floor": [], "report": []}
    with scratch_folder(tmp / "single") as stage:
        assessment = None if self_assess else assess(data)  # what render_reports hands on
        report = stage_data_slices(data, report_jobs, stage, assessment=assessment)[0]
        _run_job(empty, str(tmp / "single"))  # warm the file cache and the kernel spec once, not timed
        for _ in range(repeat):
            for name, job in (("empty", empty), ("floor", floor), ("report", report)):
                runs[name].append(timed(job, tmp / "single"))
    return runs


def _median(runs: list, i: int) -> float:
    return statistics.median(r[i] for r in runs)


def print_single(runs: dict[str, list], county: tuple[str, str]) -> None:
    labels = {"empty": "empty notebook (kernel start-up, papermill, .ipynb + .html)",
              "floor": "floor: pandas + seaborn, read_csv of the county's schools, one chart",
              "report": f"county report {county[0]}{county[1]} (staged slice)"}
    for name, rows in runs.items():
        print(f"{labels[name]}:\n  median {_median(rows, 0):.2f} s, of which kernel cells {_median(rows, 1):.2f} s, "
              f"the rest {_median(rows, 0) - _median(rows, 1):.2f} s; CPU {_median(rows, 3):.2f} s; runs "
              + ", ".join(f"{s:.2f} (load {la:.1f})" for s, _, la, _ in rows))
    report, floor, empty = (_median(runs[k], 0) for k in ("report", "floor", "empty"))
    print(f"report / floor: {report / floor:.2f}x wall (goal <= 2x), "
          f"{_median(runs['report'], 3) / _median(runs['floor'], 3):.2f}x CPU; "
          f"floor less the empty notebook: {floor - empty:.2f} s; "
          f"report less the empty notebook: {report - empty:.2f} s")


def batch(data_dir: Path, tmp: Path) -> None:
    """The whole render of the demo data with jobs=1 and jobs=2, with the load averages around each."""
    seconds, cpus = {}, {}
    for n in (1, 2):
        before, cpu = load(), _cpu()
        summary = render_reports(data_dir, tmp / f"batch-{n}", jobs=n, progress=False)
        seconds[n], cpus[n] = summary.seconds, _cpu() - cpu
        assert summary.ok, [(r.job.name, r.error) for r in summary.failures]
        print(f"render of the demo, --jobs {n}: {summary.seconds:.1f} s for {len(summary.results)} notebooks "
              f"({summary.seconds / len(summary.results):.2f} s each); CPU {cpus[n]:.1f} s (parent, workers and "
              f"kernels: {cpus[n] / summary.seconds:.2f} cores busy on average); load average {before:.1f} before, "
              f"{load():.1f} after", flush=True)
    print(f"--jobs 2 speed-up over --jobs 1: {seconds[1] / seconds[2]:.2f}x (goal >= 1.8x on an idle 2-core machine); "
          f"CPU --jobs 2 / --jobs 1: {cpus[2] / cpus[1]:.2f} (1.00: running two at once adds no work)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each single notebook (median printed)")
    parser.add_argument("--county", default="濮阳市/台前县", help="市/县区 of the county report")
    parser.add_argument("--skip-batch", action="store_true", help="skip the --jobs 1 / --jobs 2 renders")
    parser.add_argument("--skip-single", action="store_true", help="skip the empty / floor / report notebooks")
    parser.add_argument("--self-assess", action="store_true",
                        help="stage the report's data only: its kernel assesses them (as before)")
    args = parser.parse_args()
    county = tuple(args.county.split("/", 1))
    for name in ("papermill", "nbconvert", "traitlets", "jupyter_client", "nbclient"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="qb-bench-floor-") as tmp:
        tmp = Path(tmp)
        data_dir = DEMO_DIR.resolve()
        if not DEMO_DIR.exists() or not (DEMO_DIR / "schools.csv").exists():
            from quality_balance import demo
            data_dir = tmp / "demo"
            demo.generate_to(data_dir)
        print(f"machine: {os.cpu_count()} cores, load average {load():.1f}; data: {data_dir}", flush=True)
        if not args.skip_single:
            saved = os.dup(2)  # the kernels' stderr chatter would interleave with the figures printed
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            try:
                runs = single_reports(data_dir, tmp, county, args.repeat, args.self_assess)
            finally:
                os.dup2(saved, 2)
                os.close(saved)
            print_single(runs, county)
        if not args.skip_batch:
            batch(data_dir, tmp)


if __name__ == "__main__":
    main()
