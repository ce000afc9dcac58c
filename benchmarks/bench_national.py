"""National scale: load, assess, progress, project and the gap on ≈1 000 000 school-years, against a floor.

Run: .venv/bin/python benchmarks/bench_national.py [--rows 100000 | --national] [--data DIR] [--rebuild]
     [--repeat N]

The data set is the demo (:func:`quality_balance.demo.generate`, seeded) replicated under new county
names (``清丰县·12``: the city keeps its name, so a city's local profile still applies to the copies of
its counties), with +40 % schools per copy (a seeded sample of each copy's schools again, under new
identifiers) and every resource and teacher count jittered (seeded, ±8 % per school-year, counts
rounded). ``--national`` builds ≈2 850 counties / ≈1 000 000 school-years (2021–2025), ``--rows N``
about N school-years (default 100 000). The scores table (Q9) is left out at scale: it is
per student, and would be 35 M rows.

The data are written once as CSV (``csv/``) and Parquet (``parquet/``) into a cache folder (default
``benchmarks/.cache/<rows>``, git-ignored) and reused on later runs (``--rebuild`` to write them
again). Every stage runs in a fresh subprocess, so its peak RSS (``resource.getrusage``) is its own:

* ``floor``: pandas ``read_csv`` and ``read_parquet`` of the school table, and a minimal numpy
  student-weighted CV of R1–R7 per county, year and stage (one key factorisation, then
  ``np.bincount`` of Σw, Σwx, Σwx²);
* ``pipeline``: ``load_dataset`` of the CSV folder, ``assess_resources`` and the full ``assess``,
  ``progress``, ``project`` and ``gap_to_pass`` for every county in the last year (its batch form).
  The package's modules are imported before the clock starts (``PIPELINE_MODULES``), as the floor's
  pandas and pyarrow are: their import costs the same at any size, and is printed apart (``imports``).

It prints seconds (CPU time of the process, less noisy than wall time on a shared machine; wall time
beside it) and the ratios the issue sets goals for: load + assess ≤ 5× read_csv; assess_resources
≤ 10× the minimal CV; peak RSS ≤ 3 GiB. ``--repeat N`` runs the floor and the pipeline N times each,
alternating, and reports each time's fastest run (each peak's largest) and the range of the ratios run
by run: on a virtual machine the first touch of memory is slow (a process's first pass over 7.7 M
values can cost ten times a later one), so a single run's floor varies by up to 1.7×.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20240612
DEMO_ROWS = 4239          # school-years of the default demo (17 places × 2021–2025)
EXTRA_SCHOOLS = 0.40      # +40 % schools per copy
JITTER = 0.08             # ± relative jitter of counts and resources
NATIONAL_COUNTIES = 2850
_JITTERED = ("teachers_above_degree", "backbone_teachers", "pe_art_teachers", "teaching_area_m2",
             "sports_area_m2", "equipment_value_yuan", "multimedia_rooms", "public_funds_yuan",
             "training_funds_yuan")


# --- building the data set ---------------------------------------------------------------------------

def _copies_for(rows: int) -> int:
    return max(1, round(rows / (DEMO_ROWS * (1 + EXTRA_SCHOOLS))))


def _jitter(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(frame)
    for col in frame.columns:
        if not col.startswith(_JITTERED):
            continue
        factor = rng.uniform(1 - JITTER, 1 + JITTER, n)
        values = frame[col].to_numpy(dtype=float) * factor
        if pd.api.types.is_integer_dtype(frame[col].dtype):
            frame[col] = np.rint(values).astype(frame[col].dtype)
        else:
            frame[col] = np.where(np.isnan(values), np.nan, np.round(values, 1))
    return _consistent(frame)


def _consistent(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo what independent jitter made impossible within a row (the data check's row rules, docs/method.md §9.5).

    A part jittered above its whole is brought back to it: teachers by qualification or role to the stage's
    full-time teachers, the stages' facility figures (scaled together) to the whole school's, the indoor sports
    area to the teaching rooms. Rows that were consistent keep their values.
    """
    from quality_balance.inputs.consistency import FULL_TIME_TEACHERS, TEACHER_SUBSETS

    def put(column: str, values: np.ndarray) -> None:  # the column's own dtype kept (integer counts stay integer)
        kind = frame[column].dtype
        frame[column] = values.astype(kind) if pd.api.types.is_integer_dtype(kind) else values

    def cap(part: str, whole: str) -> None:
        if part in frame and whole in frame:
            put(part, np.fmin(frame[part].to_numpy(dtype=float), frame[whole].to_numpy(dtype=float)))

    for stage, total in FULL_TIME_TEACHERS.items():
        for prefix in TEACHER_SUBSETS:
            cap(f"{prefix}_{stage}", total)
    for whole in ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_rooms"):
        parts = [f"{whole}_{stage}" for stage in FULL_TIME_TEACHERS if f"{whole}_{stage}" in frame]
        if not parts or whole not in frame:
            continue
        total = frame[whole].to_numpy(dtype=float)
        summed = np.nansum(frame[parts].to_numpy(dtype=float), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            over = summed > total
            scale = np.where(over, total / summed, 1.0)
        for part in parts:
            values = frame[part].to_numpy(dtype=float)
            put(part, np.where(over, np.floor(values * scale * 10) / 10, values))
    cap("indoor_sports_area_m2", "teaching_area_m2")
    return frame


def _copy_code(code: pd.Series, copy: int, codes: list[str]) -> pd.Series:
    """A copy's county codes: 6 digits as real codes are (the province's 2, then a serial of copy and county).

    The serials start at 3000, above the demo's own codes (…0102 to …1427), so no copy takes another
    county's code, for up to 7 000 / len(codes) copies (411 for the demo's 17 counties; ``--national``
    makes 168).
    """
    serial = {c: f"{3000 + copy * len(codes) + k:04d}" for k, c in enumerate(codes)}
    return code.str[:2] + code.map(serial)


def build(rows: int, seed: int = SEED):
    """The scaled data set (a :class:`quality_balance.Dataset`): the demo × copies, +40 % schools, jittered."""
    import quality_balance as qb
    from quality_balance import demo

    base = demo.generate()
    copies = _copies_for(rows)
    rng = np.random.default_rng(seed)
    school_ids = base.schools["school_id"].unique()
    codes = sorted(base.schools["county_code"].dropna().unique())
    schools, counties, surveys = [], [], []
    for i in range(copies):
        tag = f"·{i}" if i else ""
        s = base.schools.copy()
        extra_ids = rng.choice(school_ids, size=int(round(len(school_ids) * EXTRA_SCHOOLS)), replace=False)
        extra = s[s["school_id"].isin(extra_ids)].copy()
        extra["school_id"] = extra["school_id"] + "X"
        extra["school_name"] = extra["school_name"] + "分校"
        s = pd.concat([s, extra], ignore_index=True)
        s["county"] = s["county"] + tag
        s["school_id"] = s["school_id"] + (f"{i:04d}" if i else "")
        s["school_name"] = s["school_name"] + tag
        if i:
            s["county_code"] = _copy_code(s["county_code"], i, codes)
        schools.append(_jitter(s, rng))
        if base.counties is not None:
            c = base.counties.copy()
            c["county"] = c["county"] + tag
            if i and "county_code" in c:
                c["county_code"] = _copy_code(c["county_code"], i, codes)
            counties.append(c)
        if base.survey is not None:
            surveys.append(base.survey.assign(county=base.survey["county"] + tag))
    return qb.Dataset(schools=pd.concat(schools, ignore_index=True),
                      counties=pd.concat(counties, ignore_index=True) if counties else None,
                      survey=pd.concat(surveys, ignore_index=True) if surveys else None,
                      scores=None, synthetic=True, notes=base.notes)


def write(dataset, folder: Path) -> None:
    """The tables as ``csv/<table>.csv`` and ``parquet/<table>.parquet`` (English headers), metadata.json."""
    for kind in ("csv", "parquet"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
        (folder / kind / "metadata.json").write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    for name in ("schools", "counties", "survey"):
        frame = getattr(dataset, name)
        if frame is None:
            continue
        frame.to_csv(folder / "csv" / f"{name}.csv", index=False)
        frame.to_parquet(folder / "parquet" / f"{name}.parquet", index=False)


def ensure_data(rows: int, folder: Path, rebuild: bool) -> Path:
    stamp = folder / "built.json"
    if rebuild or not stamp.exists():
        start = time.perf_counter()
        data = build(rows)
        write(data, folder)
        stamp.write_text(json.dumps({"rows": len(data.schools), "seed": SEED}), encoding="utf-8")
        print(f"built {len(data.schools):,} school-years in {data.schools['county'].nunique():,} counties "
              f"into {folder} ({time.perf_counter() - start:.0f} s)", flush=True)
    return folder


# --- the stages (each run in its own process) --------------------------------------------------------

class Clock:
    def __init__(self):
        self.figures: dict[str, float] = {}

    def __call__(self, name, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        self.figures[name] = time.process_time() - cpu
        self.figures[name + "_wall"] = time.perf_counter() - wall
        self.figures[name + "_rss"] = peak_rss()
        return out


def peak_rss() -> float:
    """Peak resident memory of this process so far, in GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux: kB


def minimal_cv(schools: pd.DataFrame) -> np.ndarray:
    """The floor: student-weighted CV of R1–R7 per county, year and stage, by np.bincount (no split rule)."""
    codes, uniques = pd.MultiIndex.from_arrays([schools["city"], schools["county"], schools["year"]]).factorize()
    n = len(uniques)
    out = []
    for stage in ("primary", "junior"):
        w = schools[f"students_{stage}"].to_numpy(dtype=float)
        keep = w > 0
        c, w = codes[keep], w[keep]
        sw = np.bincount(c, w, n)
        for col in ("teachers_above_degree_", "backbone_teachers_", "pe_art_teachers_"):
            x = schools[col + stage].to_numpy(dtype=float)[keep] / w
            out.append(_cv(c, w, x, n, sw))
        for col in ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_rooms"):
            x = schools[col].to_numpy(dtype=float)[keep] / w
            out.append(_cv(c, w, x, n, sw))
    return np.array(out)


def _cv(c, w, x, n, sw):
    swx = np.bincount(c, w * x, n)
    swx2 = np.bincount(c, w * x * x, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = swx / sw
        return np.sqrt(np.maximum(swx2 / sw - mean ** 2, 0)) / mean


def stage_floor(folder: Path) -> dict:
    import pyarrow.parquet  # noqa: F401  (imported before the clock starts)

    clock = Clock()
    schools = clock("read_csv", lambda: pd.read_csv(folder / "csv" / "schools.csv"))
    clock("read_parquet", lambda: pd.read_parquet(folder / "parquet" / "schools.parquet"))
    clock("minimal_cv", lambda: minimal_cv(schools))
    return clock.figures


#: What the pipeline stage imports before its clock starts, as the floor imports pandas and pyarrow first: the
#: package's names are imported on first use (``quality_balance._lazy``), and these modules' import (≈0.2 s of
#: CPU on this machine, whatever the size of the data) would otherwise be counted as loading the data.
PIPELINE_MODULES = ("inputs.loaders", "inputs.validate", "method.assessment", "method.resources",
                    "planning.progress", "planning.projection", "planning.gap")


def stage_pipeline(folder: Path, source: str) -> dict:
    import importlib

    import quality_balance as qb

    clock = Clock()
    clock("imports", lambda: [importlib.import_module(f"quality_balance.{m}") for m in PIPELINE_MODULES])
    data = clock("load", lambda: qb.load_dataset(folder / source))
    clock("rows", lambda: None)
    clock.figures["rows"] = float(len(data.schools))
    clock("assess_resources", lambda: qb.assess_resources(data.schools, profile=None))
    result = clock("assess", lambda: qb.assess(data))
    prog = clock("progress", lambda: qb.progress(result))
    clock("project", lambda: qb.project(prog))
    last = int(data.schools["year"].max())
    clock("gap_all", lambda: qb.gap_to_pass(result, year=last))
    return clock.figures


def run_stage(name: str, folder: Path, *extra: str) -> dict:
    cmd = [sys.executable, __file__, "--stage", name, "--data", str(folder), *extra]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"stage {name} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(floor: dict, pipe: dict, label: str) -> None:
    def line(name, ref=None, ref_name=""):
        ratio = f"   {pipe[name] / floor[ref]:6.1f}× {ref_name}" if ref else ""
        print(f"  {name:<18}{pipe[name]:8.2f} s cpu {pipe[name + '_wall']:8.2f} s wall   "
              f"peak {pipe[name + '_rss']:5.2f} GiB{ratio}")

    print(f"{label}: {int(pipe['rows']):,} school-years")
    for name in ("read_csv", "read_parquet", "minimal_cv"):
        print(f"  floor {name:<12}{floor[name]:8.2f} s cpu {floor[name + '_wall']:8.2f} s wall   "
              f"peak {floor[name + '_rss']:5.2f} GiB")
    print(f"  imports           {pipe['imports']:8.2f} s cpu (the package's modules, before the clock: not counted)")
    line("load", "read_csv", "read_csv")
    line("assess_resources", "minimal_cv", "minimal CV")
    line("assess", "read_csv", "read_csv")
    line("progress")
    line("project")
    line("gap_all")
    load_assess = pipe["load"] + pipe["assess"]
    peak = max(v for k, v in pipe.items() if k.endswith("_rss"))
    load_assess_wall = pipe["load_wall"] + pipe["assess_wall"]
    print(f"  load + assess      {load_assess:8.2f} s cpu = {load_assess / floor['read_csv']:5.1f}× read_csv "
          f"(goal ≤ 5×; wall {load_assess_wall:.2f} s = {load_assess_wall / floor['read_csv_wall']:.1f}× "
          f"read_csv's wall, which has its parser's threads)")
    print(f"  assess_resources   {pipe['assess_resources'] / floor['minimal_cv']:5.1f}× minimal CV (goal ≤ 10×)")
    print(f"  peak RSS           {peak:5.2f} GiB (goal ≤ 3 GiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="about this many school-years (default 100000)")
    parser.add_argument("--national", action="store_true", help=f"{NATIONAL_COUNTIES} counties, ≈1 000 000 rows")
    parser.add_argument("--data", type=Path, default=None, help="cache folder (default benchmarks/.cache/<rows>)")
    parser.add_argument("--rebuild", action="store_true", help="write the data set again")
    parser.add_argument("--source", choices=("csv", "parquet"), default="csv", help="folder load_dataset reads")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the floor and the pipeline this many times each and report the fastest (default 1)")
    parser.add_argument("--stage", choices=("floor", "pipeline"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        figures = stage_floor(args.data) if args.stage == "floor" else stage_pipeline(args.data, args.source)
        print(json.dumps(figures))
        return
    rows = NATIONAL_COUNTIES * DEMO_ROWS * (1 + EXTRA_SCHOOLS) // 17 if args.national else args.rows
    folder = args.data or HERE / ".cache" / str(int(rows))
    ensure_data(int(rows), folder, args.rebuild)
    floors, pipes = [], []
    for _ in range(args.repeat):  # floor and pipeline alternate, so that both see the same machine
        floors.append(run_stage("floor", folder))
        pipes.append(run_stage("pipeline", folder, "--source", args.source))
    floor, pipe = fastest(floors), fastest(pipes)
    label = f"{'national' if args.national else 'rows'} ({args.source}, {os.cpu_count()} cores)"
    if args.repeat > 1:
        label += f", fastest of {args.repeat} runs each"
    report(floor, pipe, label)
    if args.repeat > 1:
        spread(floors, pipes)


def fastest(runs: list[dict]) -> dict:
    """Each time's minimum over the runs (timeit's rule on a noisy machine); each peak RSS its maximum."""
    return {name: (max if name.endswith("_rss") else min)(run[name] for run in runs) for name in runs[0]}


def spread(floors: list[dict], pipes: list[dict]) -> None:
    """The range of the two goal ratios over the runs, each run's pipeline against its own floor."""
    la = [(p["load"] + p["assess"]) / f["read_csv"] for f, p in zip(floors, pipes)]
    ra = [p["assess_resources"] / f["minimal_cv"] for f, p in zip(floors, pipes)]
    la_wall = [(p["load_wall"] + p["assess_wall"]) / f["read_csv_wall"] for f, p in zip(floors, pipes)]
    print(f"  per run: load + assess {min(la):.1f}–{max(la):.1f}× read_csv (wall {min(la_wall):.1f}–"
          f"{max(la_wall):.1f}×), assess_resources {min(ra):.1f}–{max(ra):.1f}× minimal CV, "
          f"read_csv {min(f['read_csv'] for f in floors):.2f}–{max(f['read_csv'] for f in floors):.2f} s cpu")


if __name__ == "__main__":
    main()
