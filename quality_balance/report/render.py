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

Ctrl-C (SIGINT) or SIGTERM stops the batch: the workers and their kernels are
stopped (no process survives, none goes on writing), queued reports never
start, the temporary files of the run are removed, and the reports of earlier
runs stay as they were (a report is replaced only by a rename at its very end).
Temporary files that a run killed outright (SIGKILL) left behind are removed by
the next run. An output folder that cannot be written — read-only, no
permission, disk full — stops the batch with an
:class:`~quality_balance.errors.OutputError` naming the folder.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import html
import logging
import os
import signal
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
from ..interrupt import STOP_SIGNALS, deferred, stop_on_signals
from ..output import atomic_file, path_inside, remove_stale, safe_name, unwritable_output, write_text

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
#: Seconds a worker has to stop its kernel and exit after SIGTERM before it is killed.
STOP_TIMEOUT_S = 10
#: Levels of sub-folders of the output folder that hold reports (``<out>/<city>/``), swept for stale temporaries.
STALE_DEPTH = 1


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
    return _with_page_style(body)


def _with_page_style(body: str) -> str:
    """``body`` with the report stylesheet (:data:`quality_balance.paths.PAGE_CSS`: screen and print) in its head."""
    body = body.replace('<html lang="en">', '<html lang="zh-CN">', 1)  # Chinese pages: CJK fonts and line breaking
    style = f"<style>\n{paths.PAGE_CSS.read_text(encoding='utf-8')}\n</style>\n"
    head_end = body.find("</head>")
    return body[:head_end] + style + body[head_end:] if head_end >= 0 else style + body


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
    """Execute one notebook with papermill and write its .ipynb and .html (runs in a worker).

    A notebook that fails is recorded in the result (its partial notebook kept);
    an :class:`OSError` that means the output folder cannot be written (no
    permission, read-only, disk full, or any error on a path inside it) is raised,
    for the parent to stop the batch with a clear error.
    """
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
    except OSError as exc:
        if _output_failure(exc, out_dir):
            raise  # the output folder cannot be written: the whole batch stops (execute_jobs)
        error = error or f"写出报告失败 — {type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001
        error = error or f"写出报告失败 — {type(exc).__name__}: {exc}"
    return ReportResult(job, ipynb if ipynb.exists() else None, page if page.exists() else None,
                        time.perf_counter() - start, error)


#: What the operating system says when a folder cannot be written: no permission, read-only, no space.
_WRITE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC),
                 errno.EFBIG}


def _output_failure(exc: OSError, out_dir: str | Path) -> bool:
    """Whether ``exc`` means the output folder cannot be written (rather than one report's own failure)."""
    if exc.errno in _WRITE_ERRNOS:
        return True
    if not exc.filename:
        return False
    out = Path(out_dir).absolute()
    path = Path(os.fsdecode(exc.filename)).absolute()
    return path == out or out in path.parents


def _psutil():
    """psutil (it comes with ipykernel), imported once, or ``None``.

    Imported before any signal can arrive (:func:`_quiet_worker`, :func:`execute_jobs`):
    a signal handler that imports a module the interrupted code was importing gets a
    half-initialised module.
    """
    if not _PSUTIL:
        try:
            import psutil
        except ImportError:  # pragma: no cover
            psutil = None
        _PSUTIL.append(psutil)
    return _PSUTIL[0]


_PSUTIL: list = []


def _descendants(pid: int) -> list[int]:
    """Every process started by process ``pid``, and by those, and so on (psutil, else /proc on Linux)."""
    psutil = _psutil()
    if psutil is not None:
        try:
            return [p.pid for p in psutil.Process(pid).children(recursive=True)]
        except Exception:  # noqa: BLE001 - gone, or psutil unusable: nothing found
            return []
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _hold_signals(hold: bool) -> None:
    """Hold back (``True``) or let through (``False``) SIGINT and SIGTERM in this thread (POSIX only)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK if hold else signal.SIG_UNBLOCK, STOP_SIGNALS)


def _kill(pids: Iterable[int], sig: int = getattr(signal, "SIGKILL", signal.SIGTERM)) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _wait_gone(pids: Iterable[int], timeout: float) -> None:
    """Wait up to ``timeout`` seconds until the processes ``pids`` are gone (own children are reaped)."""
    psutil = _psutil()
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid) if psutil is not None else pid)
        except Exception:  # noqa: BLE001 - already gone
            pass
    if psutil is not None:
        psutil.wait_procs(procs, timeout=timeout)
        return
    for pid in procs:  # pragma: no cover
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _kernel_connection_files(pids: Iterable[int]) -> list[Path]:
    """The connection files (``-f <runtime>/kernel-*.json``) on the command lines of kernels ``pids``."""
    files = []
    for pid in pids:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        for flag, value in zip(argv, argv[1:]):
            if flag == "-f" and Path(value).name.startswith("kernel-") and value.endswith(".json"):
                files.append(Path(value))
    return files


def _stop_worker(signum, frame) -> None:
    """SIGTERM in a worker: kill its kernels (and whatever they started), remove its temporary files, exit.

    The kernel would outlive a worker that just died (jupyter_client starts it in
    a session of its own); killing it here, before ``os._exit``, leaves no process behind.
    Nothing after this runs, so a report being written never reaches its final name.
    """
    try:
        children = _descendants(os.getpid())
        connection_files = _kernel_connection_files(children)
        _kill(children)
        _wait_gone(children, STOP_TIMEOUT_S)
        for path in connection_files:
            path.unlink(missing_ok=True)
        if _WORKER_OUT:
            remove_stale(_WORKER_OUT[0], depth=STALE_DEPTH, pids={os.getpid()})
    except BaseException:  # noqa: BLE001 - whatever happens, the worker must not go on writing
        pass
    finally:
        os._exit(128 + signum)


#: The output folder of this worker process (set by :func:`_quiet_worker`).
_WORKER_OUT: list[str] = []


def _quiet_worker(log_path: str, out_dir: str | None = None, parent: int | None = None) -> None:
    """Worker initializer: log output, stop signals, and death with the parent.

    stdout/stderr (this process's and its kernels') go to the log file. SIGINT is
    ignored (a Ctrl-C reaches every process of the terminal; the parent decides
    and stops the workers) and SIGTERM runs :func:`_stop_worker`. On Linux the
    worker gets SIGTERM when the parent dies (``PR_SET_PDEATHSIG``), so a parent
    killed outright does not leave workers writing on. The signals the parent
    held back while it started the workers are let through last.
    """
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    warnings.simplefilter("ignore")
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, force=True)
    for name in ("papermill", "nbconvert", "traitlets", "jupyter_client", "nbclient"):
        logging.getLogger(name).setLevel(logging.ERROR)
    _WORKER_OUT[:] = [out_dir] if out_dir else []
    _psutil()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    if parent is not None and sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover
            pass
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)
    _hold_signals(False)


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


def _stop_pool(pool: ProcessPoolExecutor) -> set[int]:
    """Stop every worker of ``pool`` and their kernels; queued jobs never start. Returns the workers' ids.

    Each worker gets SIGTERM (:func:`_stop_worker` kills its kernels and exits);
    one still alive after :data:`STOP_TIMEOUT_S` seconds is killed, and so is any
    process it had started (found before the workers were told to stop).
    """
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    started = {pid for w in workers if w.pid for pid in _descendants(w.pid)}
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            worker.kill()
            worker.join()
    _kill(started)
    pool.shutdown(wait=True, cancel_futures=True)
    if manager is not None:  # its pipes must be closed before the interpreter's exit hook wakes it
        manager.join(STOP_TIMEOUT_S)
    return {w.pid for w in workers if w.pid}


def _open_log(out: Path) -> str:
    """Create ``out`` and an empty :data:`LOG_FILE` in it; an unwritable folder is an OutputError."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with open(out / LOG_FILE, "w", encoding="utf-8"):  # one log per batch
            pass
    except OSError as exc:
        raise unwritable_output(out, exc) from None
    return str(out / LOG_FILE)


def execute_jobs(jobs: Sequence[ReportJob], out_dir: str | Path, n_jobs: int | None = None,
                 progress: bool = True, timeout: float = CELL_TIMEOUT_S) -> list[ReportResult]:
    """Execute notebooks in ``n_jobs`` worker processes (default: the machine's cores).

    Returns one :class:`ReportResult` per job, in the order of ``jobs``. A job
    that fails is recorded with its error; the others go on. Shows a tqdm
    progress bar on stderr when ``progress`` is true.

    Temporary files that a killed run left in ``out_dir`` (and its city folders)
    are removed first (:func:`quality_balance.output.remove_stale`). An output
    folder that cannot be written (no permission, disk full) stops the batch with
    an :class:`~quality_balance.errors.OutputError`. SIGINT and SIGTERM
    (:class:`quality_balance.interrupt.Interrupted`) stop it too: the workers and
    their kernels are stopped, queued jobs never start, the temporary files of
    this run are removed, every report written before stays as it was, and the
    interruption is raised again.
    """
    from tqdm.auto import tqdm

    out = Path(out_dir)
    log_path = _open_log(out)
    stale = remove_stale(out, depth=STALE_DEPTH)
    if stale:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(f"已删除此前中断的运行留下的临时文件 {len(stale)} 个: {', '.join(p.name for p in stale)}\n")
    n_jobs = max(1, min(n_jobs or os.cpu_count() or 1, len(jobs) or 1))
    results: dict[int, ReportResult] = {}
    _psutil()
    with stop_on_signals():
        # The workers start with SIGINT/SIGTERM held back: they take over the handlers first (_quiet_worker).
        _hold_signals(True)
        pool = None
        try:
            pool = ProcessPoolExecutor(n_jobs, mp_context=_mp_context(), initializer=_quiet_worker,
                                       initargs=(log_path, str(out), os.getpid()))
            # Submit every job before the progress bar exists: tqdm starts a monitor thread, and the
            # worker processes must be started while this process is still single-threaded (fork).
            futures = {pool.submit(_run_job, job, str(out), timeout): i for i, job in enumerate(jobs)}
            _hold_signals(False)
            with tqdm(total=len(jobs), desc="渲染报告", unit="份", disable=not progress,
                      file=sys.stderr, dynamic_ncols=True) as bar:
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        results[i] = future.result()
                    except OSError as exc:
                        raise unwritable_output(out, exc) from None
                    except BrokenProcessPool as exc:
                        results[i] = ReportResult(jobs[i], None, None, 0.0, f"工作进程异常退出: {exc}")
                    except Exception as exc:  # noqa: BLE001
                        results[i] = ReportResult(jobs[i], None, None, 0.0, _describe(exc))
                    bar.set_postfix_str(jobs[i].title or jobs[i].name, refresh=False)
                    bar.update()
            pool.shutdown(wait=True)
        except BaseException:
            with deferred():  # a second Ctrl-C must not cut the clean-up short
                _hold_signals(False)
                if pool is not None:
                    workers = _stop_pool(pool)
                    remove_stale(out, depth=STALE_DEPTH, pids=workers)
            raise
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
                 f'{datetime.now():%Y-%m-%d %H:%M}。'
                 '综合结论为各年度“综合结论”（四个维度全部达标且无一票否决事项时为达标）。</p>')
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
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_text(path, "\n".join(parts))
    except OSError as exc:
        raise unwritable_output(out, exc) from None
    return path
