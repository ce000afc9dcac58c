"""Batch rendering: one executed notebook and one standalone HTML page per county and per city.

:func:`render_reports` runs ``notebooks/county_report.ipynb`` once per county and
``notebooks/city_overview.ipynb`` once per city with papermill, several at a
time (``jobs`` worker processes, each driving its own kernel), and writes::

    reports/<city>/<county>.ipynb      the executed notebook (kept even when it failed)
    reports/<city>/<county>.html       code hidden, images embedded: readable standalone
    reports/<city>/城市概览.ipynb/.html  the city overview
    reports/index.html                 every report with its verdict, and the failures

Each report notebook records its headline results (verdicts by year, projected
pass year; counties passing by year) in a last cell; :func:`move_headline` puts
them into the executed notebook's ``metadata["quality_balance"]["headline"]``.

Every file is written under a temporary name and renamed when complete, so a
crash never leaves a half-written report under its final name.

The verdicts shown in ``index.html`` are computed once in the parent process
with :func:`quality_balance.method.assessment.assess` (the same call the notebooks
make), not read back from the notebooks: the index is right even for a county
whose notebook failed.

A county whose notebook raises does not stop the others. papermill marks the
failing cell and saves the partial notebook; it is kept as ``<county>.ipynb``
and its HTML shows the error. :class:`RenderSummary` lists the failures and the
command line exits with status 1 when there is any.

Kernel and library chatter (papermill's logging, nbconvert's warnings, the
kernels' own stderr) goes to ``reports/render.log``, so the terminal shows only
the progress bar and the summary.
"""
from __future__ import annotations

import dataclasses
import hashlib
import html
import logging
import os
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .. import paths
from ..errors import RenderError
from ..output import atomic_file, path_inside, safe_name, write_text

__all__ = ["ReportJob", "ReportResult", "RenderSummary", "execute_jobs", "notebook_to_html", "plan_jobs", "write_index",
           "render_reports", "NOTEBOOK_DIR",
           "KERNEL_NAME", "LOG_FILE", "current_interpreter_kernel_spec", "move_headline"]

#: Where the report notebooks live (inside the package: :data:`quality_balance.paths.NOTEBOOK_DIR`).
NOTEBOOK_DIR = paths.NOTEBOOK_DIR
#: The kernel name the notebooks declare; the kernel itself always runs the renderer's own interpreter
#: (:func:`current_interpreter_kernel_spec`), whatever kernel of this name Jupyter has registered.
KERNEL_NAME = "python3"
#: Log file for kernel and library output, inside the output folder.
LOG_FILE = "render.log"
#: Seconds one notebook cell may run before the report is marked failed.
CELL_TIMEOUT_S = 600


@dataclass(frozen=True)
class ReportJob:
    """One notebook to execute.

    ``name`` is the output path without suffix, relative to the output folder
    (``"濮阳市/清丰县"``); ``parameters`` are injected into the cell tagged
    ``parameters``; ``title`` is the HTML page title and the label in the index.
    """

    notebook: Path
    name: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    title: str = ""


@dataclass(frozen=True)
class ReportResult:
    """What happened to one :class:`ReportJob`: output files, time taken, error if it failed."""

    job: ReportJob
    ipynb: Path | None
    html: Path | None
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RenderSummary:
    """The outcome of a batch: every result, the index page, the wall time (seconds)."""

    results: tuple[ReportResult, ...]
    out_dir: Path
    index: Path | None = None
    seconds: float = 0.0

    @property
    def failures(self) -> list[ReportResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        done = len(self.results) - len(self.failures)
        lines = [f"已生成 {done} 份报告，失败 {len(self.failures)} 份，用时 {self.seconds:.1f} 秒。"]
        if self.index is not None:
            lines.append(f"报告索引: {self.index}")
        for r in self.failures:
            where = r.ipynb or r.job.name
            lines.append(f"  失败 {r.job.title or r.job.name}: {r.error}（详见 {where}）")
        if self.failures:
            lines.append(f"内核与库的输出记录在 {self.out_dir / LOG_FILE}")
        return "\n".join(lines)


# --- one notebook ----------------------------------------------------------------

def notebook_to_html(notebook, title: str = "") -> str:
    """Standalone HTML of an executed notebook: inputs and prompts hidden, images embedded.

    Inline PNG outputs are already base64 in the notebook and stay embedded as
    data URIs; ``embed_images`` also inlines images referenced by markdown.
    Error outputs are kept, so a failed report shows where and why it failed.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title}})
    return body


def _error_notebook(job: ReportJob, error: str):
    """A one-cell notebook standing in for a report whose notebook could not even start."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(
        f"# {html.escape(job.title or job.name)}\n\n**报告生成失败**：\n\n```\n{error}\n```"))
    return nb


def _describe(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"第 {exc.exec_count} 个代码单元出错 — {exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}"


def current_interpreter_kernel_spec():
    """The spec of an IPython kernel that runs this very interpreter (``sys.executable``).

    The renderer starts its kernels from this spec instead of looking
    :data:`KERNEL_NAME` up among the registered kernels: a ``pip install`` of the
    package registers none, and a ``python3`` kernel found elsewhere (the user's
    ``~/.local/share/jupyter``, a system one) may run another interpreter, without
    this package or with another copy of it.

    Returns
    -------
    jupyter_client.kernelspec.KernelSpec
        ``ipykernel``'s own command line for ``sys.executable``, named :data:`KERNEL_NAME`.
    """
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec

    spec = get_kernel_dict()
    return KernelSpec(name=KERNEL_NAME, resource_dir=RESOURCES, argv=spec["argv"],
                      display_name=spec["display_name"], language=spec["language"],
                      metadata=spec.get("metadata", {}))


def _kernel_manager_class():
    """A kernel manager class whose kernel is :func:`current_interpreter_kernel_spec` (built on first use)."""
    from jupyter_client import AsyncKernelManager

    class CurrentInterpreterKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self):
            return current_interpreter_kernel_spec()

    return CurrentInterpreterKernelManager


def move_headline(notebook) -> dict | None:
    """Move the headline output of an executed report notebook into its metadata.

    The notebook's :func:`~quality_balance.report.notebook.record_headline` cell emits
    the headline results as one output of MIME type
    :data:`~quality_balance.report.notebook.HEADLINE_MIME`; it becomes
    ``notebook.metadata["quality_balance"]["headline"]`` and the output is removed
    (the HTML page and the saved notebook do not show it). A notebook without one
    (a failed or foreign notebook) is left unchanged.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook, changed in place.

    Returns
    -------
    dict or None
        The headline (the last one, if a notebook emitted several), or ``None``.
    """
    from .notebook import HEADLINE_MIME

    headline = None
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if HEADLINE_MIME in output.get("data", {}):
                headline = output["data"][HEADLINE_MIME]
            else:
                kept.append(output)
        cell["outputs"] = kept
    if headline is not None:
        notebook.metadata.setdefault("quality_balance", {})["headline"] = headline
    return headline


def _run_job(job: ReportJob, out_dir: str, timeout: float = CELL_TIMEOUT_S) -> ReportResult:
    """Execute one notebook with papermill and write its .ipynb and .html (runs in a worker)."""
    import nbformat
    import papermill

    start = time.perf_counter()
    target = Path(out_dir) / job.name
    target.parent.mkdir(parents=True, exist_ok=True)
    ipynb, page = target.with_name(target.name + ".ipynb"), target.with_name(target.name + ".html")
    error = None
    try:
        with atomic_file(ipynb, suffix=".partial.ipynb") as partial:
            try:
                papermill.execute_notebook(
                    str(job.notebook), str(partial), parameters=dict(job.parameters),
                    kernel_name=KERNEL_NAME, kernel_manager_class=_kernel_manager_class(), progress_bar=False,
                    log_output=False, cwd=str(Path(job.notebook).parent), execution_timeout=timeout)
            except Exception as exc:  # noqa: BLE001 - any failure of one report is recorded, not raised
                error = _describe(exc)
            if partial.exists():
                nb = nbformat.read(partial, as_version=4)
                if move_headline(nb) is not None:
                    nbformat.write(nb, partial)
            else:
                nb = _error_notebook(job, error or "notebook was not written")
                nbformat.write(nb, partial)
            write_text(page, notebook_to_html(nb, job.title or job.name))
    except Exception as exc:  # noqa: BLE001
        error = error or f"写出报告失败 — {type(exc).__name__}: {exc}"
    return ReportResult(job, ipynb if ipynb.exists() else None, page if page.exists() else None,
                        time.perf_counter() - start, error)


def _quiet_worker(log_path: str) -> None:
    """Worker initializer: send this process's and its kernels' stdout/stderr to the log file."""
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    warnings.simplefilter("ignore")
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, force=True)
    for name in ("papermill", "nbconvert", "traitlets", "jupyter_client", "nbclient"):
        logging.getLogger(name).setLevel(logging.ERROR)


# --- a batch ---------------------------------------------------------------------

def _mp_context():
    """How worker processes start: fork on Linux when this process has one thread, else spawn.

    fork needs no ``if __name__ == "__main__"`` guard in the caller's script and
    starts fast, but is unsafe once threads exist (a Jupyter kernel has several)
    and on macOS; spawn is safe there, and a notebook's ``__main__`` needs no guard.
    """
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return get_context("fork")
    return get_context("spawn")


def execute_jobs(jobs: Sequence[ReportJob], out_dir: str | Path, n_jobs: int | None = None,
                 progress: bool = True, timeout: float = CELL_TIMEOUT_S) -> list[ReportResult]:
    """Execute notebooks in ``n_jobs`` worker processes (default: the machine's cores).

    Returns one :class:`ReportResult` per job, in the order of ``jobs``. A job
    that fails is recorded with its error; the others go on. Shows a tqdm
    progress bar on stderr when ``progress`` is true.
    """
    from tqdm.auto import tqdm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_jobs = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs) or 1))
    log_path = str(out / LOG_FILE)
    open(log_path, "w").close()  # one log per batch
    results: dict[int, ReportResult] = {}
    # Submit every job before the progress bar exists: tqdm starts a monitor thread, and the
    # worker processes must be started while this process is still single-threaded (fork).
    with ProcessPoolExecutor(n_jobs, mp_context=_mp_context(), initializer=_quiet_worker,
                             initargs=(log_path,)) as pool:
        futures = {pool.submit(_run_job, job, str(out), timeout): i for i, job in enumerate(jobs)}
        with tqdm(total=len(jobs), desc="渲染报告", unit="份", disable=not progress,
                  file=sys.stderr, dynamic_ncols=True) as bar:
            for future in as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except BrokenProcessPool as exc:
                    results[i] = ReportResult(jobs[i], None, None, 0.0, f"工作进程异常退出: {exc}")
                except Exception as exc:  # noqa: BLE001
                    results[i] = ReportResult(jobs[i], None, None, 0.0, _describe(exc))
                bar.set_postfix_str(jobs[i].title or jobs[i].name, refresh=False)
                bar.update()
    return [results[i] for i in range(len(jobs))]


# --- the reports of a data set ---------------------------------------------------------

COUNTY_NOTEBOOK = "county_report.ipynb"
CITY_NOTEBOOK = "city_overview.ipynb"
#: File stem of a city's overview inside ``reports/<city>/``.
CITY_REPORT_NAME = "城市概览"
INDEX_FILE = "index.html"


def _choose_places(places, cities: Iterable[str] | None, counties: Iterable[str] | None, source: str):
    """The (city, county) rows to render; unknown names are an :class:`InputError` listing the known ones."""
    from ..errors import InputError, Problem

    problems = []
    chosen = places
    for column, wanted, zh in (("city", cities, "市"), ("county", counties, "县区")):
        if not wanted:
            continue
        wanted = list(wanted)
        known = sorted(places[column].unique())
        for name in wanted:
            if name not in known:
                problems.append(Problem(file=source, column=column, value=name,
                                        message=f"数据中没有这个{zh}",
                                        expected="、".join(known)))
        chosen = chosen[chosen[column].isin(wanted)]
    if problems:
        raise InputError(problems)
    return chosen


def plan_jobs(places, data_dir: str | Path, notebook_dir: str | Path = NOTEBOOK_DIR,
              profile: str | None = None, first_year: int | None = None,
              last_year: int | None = None) -> list[ReportJob]:
    """The notebooks to run for ``places`` (a DataFrame of ``city``, ``county``).

    One county report per county and one overview per city that has a chosen
    county; county reports first, so the long ones start early. Parameters are
    those of the notebooks' ``parameters`` cells; ``data_dir`` is made absolute
    and ``demo_fallback`` is off, so a wrong folder fails instead of silently
    showing demo data. A profile given as a ``.toml`` path is made absolute too.
    """
    notebook_dir = Path(notebook_dir).resolve()
    if profile is not None and (str(profile).endswith(".toml") or Path(profile).exists()):
        profile = str(Path(profile).resolve())  # the kernels run in the notebooks' folder
    common = {"data_dir": str(Path(data_dir).resolve()), "demo_fallback": False, "profile": profile,
              "first_year": first_year, "last_year": last_year}
    jobs = [ReportJob(notebook_dir / COUNTY_NOTEBOOK, report_name(city, county),
                      {**common, "city": city, "county": county}, f"{city} {county}")
            for city, county in places[["city", "county"]].itertuples(index=False, name=None)]
    jobs += [ReportJob(notebook_dir / CITY_NOTEBOOK, report_name(city, CITY_REPORT_NAME), {**common, "city": city},
                       f"{city} {CITY_REPORT_NAME}")
             for city in places["city"].drop_duplicates()]
    seen: dict[str, int] = {}
    for i, job in enumerate(jobs):  # two names that sanitise alike (甲/乙 and 甲_乙) get a hash each
        if job.name in seen:
            digest = hashlib.sha1(job.title.encode("utf-8")).hexdigest()[:8]
            jobs[i] = dataclasses.replace(job, name=f"{job.name}~{digest}")
        seen[job.name] = i
    return jobs


def report_name(city: str, county: str) -> str:
    """``<市>/<县区>``, each part a safe file name (:func:`quality_balance.output.safe_name`).

    >>> report_name("濮阳市", "清丰县"), report_name("..", "../../../x")
    ('濮阳市/清丰县', '未命名/_.._.._x')
    """
    return f"{safe_name(city)}/{safe_name(county)}"


def render_reports(data_dir: str | Path, out_dir: str | Path = "reports",
                   cities: Iterable[str] | None = None, counties: Iterable[str] | None = None,
                   jobs: int | None = None, profile: str | None = None, progress: bool = True,
                   first_year: int | None = None, last_year: int | None = None,
                   notebook_dir: str | Path = NOTEBOOK_DIR) -> RenderSummary:
    """Render the county reports and city overviews of a data set, then ``index.html``.

    Parameters
    ----------
    data_dir : folder of the input tables (as for ``quality-balance assess``).
    out_dir : where ``<city>/<county>.ipynb|.html``, ``<city>/城市概览.*`` and ``index.html`` go.
    cities, counties : render only these (names as in the data); default: all.
    jobs : notebooks run at once (default: the machine's cores, ``os.cpu_count()``).
    profile : standards profile name or ``.toml`` path for every county; default: each
        county's own (``profile_for_place``).
    progress : show a progress bar on stderr.
    first_year, last_year : limit the years shown (default: every year in the data).

    The data are loaded and assessed once here, for the verdicts of the index;
    each notebook loads and assesses its own county again, so it can be re-run
    alone. Failing notebooks are listed in the returned summary (not raised).
    """
    from ..method.assessment import assess
    from .notebook import load_dataset_or_demo

    start = time.perf_counter()
    for name in (COUNTY_NOTEBOOK, CITY_NOTEBOOK):
        if not (Path(notebook_dir) / name).is_file():
            raise RenderError(f"report notebook {Path(notebook_dir) / name} not found: expected the folder "
                              f"holding {COUNTY_NOTEBOOK} and {CITY_NOTEBOOK} (default: the package's "
                              f"report/notebooks/, or --notebooks DIR)")
    data_dir = Path(data_dir)
    dataset = load_dataset_or_demo(data_dir, fallback=False)
    places = dataset.schools[["city", "county"]].drop_duplicates().sort_values(["city", "county"])
    chosen = _choose_places(places, cities, counties, str(data_dir))
    batch = plan_jobs(chosen, data_dir, notebook_dir, profile if profile is None else str(profile),
                      first_year, last_year)
    for job in batch:  # names come from the data: each report must land inside out_dir, links followed
        path_inside(out_dir, job.name + ".html")
    assessment = assess(dataset, profile=profile)  # before the batch: a data problem fails fast
    results = execute_jobs(batch, out_dir, jobs, progress)
    index = write_index(out_dir, assessment.verdicts, places, results, dataset,
                        first_year=first_year, last_year=last_year)
    return RenderSummary(tuple(results), Path(out_dir), index, time.perf_counter() - start)


# --- index.html ----------------------------------------------------------------------------

_INDEX_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
.synthetic { background: #fff2cc; border: 2px solid #bf9000; padding: .6em 1em; font-weight: bold; }
table { border-collapse: collapse; margin: .5em 0; } th, td { border: 1px solid #bbb; padding: .3em .7em; }
th { background: #f2f2f2; } td.status { text-align: center; } .failed { color: #c00000; }
.meta { color: #555; font-size: .9em; }
"""


def _status_cell(status: object) -> str:
    from ..schema import status_label
    from .style import STATUS_COLORS

    if not isinstance(status, str):
        return '<td class="status">—</td>'
    color = STATUS_COLORS.get(status, "#ffffff")
    return f'<td class="status" style="background:{color}">{html.escape(status_label(status))}</td>'


def _link(out: Path, name: str, suffix: str, text: str) -> str:
    path = out / f"{name}{suffix}"
    if not path.exists():
        return ""
    return f'<a href="{html.escape(Path(name + suffix).as_posix(), quote=True)}">{text}</a>'


def write_index(out_dir: str | Path, verdicts, places, results: Sequence[ReportResult], dataset,
                first_year: int | None = None, last_year: int | None = None) -> Path:
    """Write ``index.html``: every county of ``places`` with its verdict by year and its report links.

    Each row shows the profile the county was assessed under (the ``profile``
    column of ``verdicts``, latest year). Counties whose report files exist (from
    this run or an earlier one) are linked; failures of this run are shown in red with their error. The
    synthetic-data label heads the page when ``dataset.synthetic``.
    """
    import pandas as pd

    from ..inputs.dataset import SYNTHETIC_LABEL
    from .tables import verdict_overview

    out = Path(out_dir)
    by_place = {(r.job.parameters.get("city"), r.job.parameters.get("county")): r for r in results}
    overview = verdict_overview(verdicts, first_year=first_year, last_year=last_year)
    years = [c for c in overview.columns if c != "first_met"]
    latest = verdicts.sort_values("year").groupby(["city", "county"])["profile"].last() \
        if "profile" in verdicts else pd.Series(dtype=str)
    profiles = latest.to_dict()
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
             "<title>县域义务教育优质均衡发展评估报告</title>", f"<style>{_INDEX_CSS}</style></head><body>",
             "<h1>县域义务教育优质均衡发展评估报告</h1>"]
    if dataset.synthetic:
        parts.append(f'<p class="synthetic">{html.escape(SYNTHETIC_LABEL)}：本页所有结论基于合成的演示数据，'
                     f'不反映任何真实县区的情况。</p>')
    parts.append(f'<p class="meta">{html.escape(dataset.provenance)}；生成时间 '
                 f'{datetime.now():%Y-%m-%d %H:%M}。综合结论为各年度“综合结论”（四个维度全部达标且无一票否决事项时为达标）。</p>')
    failed = [r for r in results if not r.ok]
    if failed:
        parts.append(f'<p class="failed">本次有 {len(failed)} 份报告生成失败，见下表“状态”列。</p>')
    for city, group in places.groupby("city", sort=True):
        overview_result = by_place.get((city, None))
        city_name = overview_result.job.name if overview_result else report_name(city, CITY_REPORT_NAME)
        links = " · ".join(x for x in (_link(out, city_name, ".html", "城市概览"),
                                        _link(out, city_name, ".ipynb", "ipynb")) if x)
        parts.append(f"<h2>{html.escape(city)}　{links}</h2>")
        if overview_result is not None and not overview_result.ok:
            parts.append(f'<p class="failed">城市概览生成失败：{html.escape(overview_result.error)}</p>')
        head = "".join(f"<th>{y}年</th>" for y in years)
        parts.append(f"<table><tr><th>县区</th><th>评估标准</th>{head}<th>首次达标年份</th><th>报告</th>"
                     f"<th>状态</th></tr>")
        for county in group["county"]:
            row = overview.loc[(city, county)] if (city, county) in overview.index else None
            cells = "".join(_status_cell(None if row is None else row[y]) for y in years)
            first = "—" if row is None or row["first_met"] != row["first_met"] else f"{int(row['first_met'])}年"
            result = by_place.get((city, county))
            name = result.job.name if result else report_name(city, county)
            links = " · ".join(x for x in (_link(out, name, ".html", "查看报告"),
                                            _link(out, name, ".ipynb", "ipynb")) if x) or "—"
            state = ("本次未生成" if result is None else "已生成" if result.ok
                     else f'<span class="failed">失败：{html.escape(result.error)}</span>')
            used = profiles.get((city, county), "—")
            parts.append(f"<tr><td>{html.escape(county)}</td><td>{html.escape(used)}</td>{cells}<td>{first}</td><td>{links}</td>"
                         f"<td>{state}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    path = out / INDEX_FILE
    out.mkdir(parents=True, exist_ok=True)
    write_text(path, "\n".join(parts))
    return path
