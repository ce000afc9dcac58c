"""Batch rendering: one executed notebook and one standalone HTML page per county and per city.

:func:`render_reports` runs ``notebooks/county_report.ipynb`` once per county and
``notebooks/city_overview.ipynb`` once per city with papermill, several at a
time (``jobs`` worker processes, each driving its own kernel), and writes::

    reports/<city>/<county>.ipynb      the executed notebook (kept even when it failed)
    reports/<city>/<county>.html       code hidden, images embedded: readable standalone
    reports/<city>/城市概览.ipynb/.html  the city overview
    reports/index.html                 every report with its verdict, and the failures

Every file is written under a temporary name and renamed when complete, so a
crash never leaves a half-written report under its final name.

The verdicts shown in ``index.html`` are computed once in the parent process
with :func:`quality_balance.assessment.assess` (the same call the notebooks
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

import html
import json
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

from .errors import RenderError

__all__ = ["ReportJob", "ReportResult", "RenderSummary", "execute_jobs", "notebook_to_html",
           "render_reports", "add_render_subcommand", "run_render_command", "NOTEBOOK_DIR",
           "KERNEL_NAME", "LOG_FILE"]

#: Where the report notebooks live: ``notebooks/`` beside the package in a source checkout.
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
#: The Jupyter kernel the notebooks run in (``make install`` registers the venv's under this name).
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


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


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


def _run_job(job: ReportJob, out_dir: str, timeout: float = CELL_TIMEOUT_S) -> ReportResult:
    """Execute one notebook with papermill and write its .ipynb and .html (runs in a worker)."""
    import nbformat
    import papermill

    start = time.perf_counter()
    target = Path(out_dir) / job.name
    target.parent.mkdir(parents=True, exist_ok=True)
    ipynb, page = target.with_name(target.name + ".ipynb"), target.with_name(target.name + ".html")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial.ipynb")
    error = None
    try:
        papermill.execute_notebook(
            str(job.notebook), str(partial), parameters=dict(job.parameters),
            kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
            cwd=str(Path(job.notebook).parent), execution_timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - any failure of one report is recorded, not raised
        error = _describe(exc)
    try:
        if partial.exists():
            nb = nbformat.read(partial, as_version=4)
        else:
            nb = _error_notebook(job, error or "notebook was not written")
            nbformat.write(nb, partial)
        _atomic_write(page, notebook_to_html(nb, job.title or job.name))
        os.replace(partial, ipynb)
    except Exception as exc:  # noqa: BLE001
        error = error or f"写出报告失败 — {type(exc).__name__}: {exc}"
        partial.unlink(missing_ok=True)
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
