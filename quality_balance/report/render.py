"""Batch rendering: one executed notebook and one standalone HTML page per county and per city.

:func:`render_reports` runs ``notebooks/county_report.ipynb`` once per county and
``notebooks/city_overview.ipynb`` once per city with papermill, several at a
time (``jobs`` worker processes, each driving its own kernel), and writes::

    reports/<city>/<county>.ipynb      the executed notebook (kept even when it failed)
    reports/<city>/<county>.html       code hidden, images embedded: readable standalone
    reports/<city>/<county>.pdf        with ``pdf=True`` (``render --pdf``): the page printed on A4 by headless Chromium
    reports/<city>/城市概览.ipynb/.html  the city overview
    reports/index.html                 counts per year, a legend, every report with its verdict and links, failures

The executed notebooks are signed as trusted for the user who rendered them
(:func:`sign_notebook`), so JupyterLab shows their styled outputs, and their
injected parameters read as Chinese (:func:`use_readable_parameters`).

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
import threading
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
from ..output import (atomic_file, path_inside, remove_stale, safe_name, scratch_folder, unwritable_output,
                      write_text)

__all__ = ["ReportJob", "ReportResult", "RenderSummary", "execute_jobs", "notebook_to_html", "plan_jobs", "write_index",
           "render_reports", "NOTEBOOK_DIR",
           "KERNEL_NAME", "LOG_FILE", "current_interpreter_kernel_spec", "move_headline", "python_literal",
           "readable_translator", "use_readable_parameters", "sign_notebook", "NOTEBOOK_LABEL",
           "place_slices", "place_assessments", "stage_data_slices", "forget_data_slice", "FORGOTTEN_SLICE",
           "execute_jobs_dask",
           "DASK_INSTALL", "ENGINE_NAME", "register_engine"]

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
    """What happened to one :class:`ReportJob`: output files (``pdf`` only with ``--pdf``), time taken, error."""

    job: ReportJob
    ipynb: Path | None
    html: Path | None
    seconds: float
    error: str | None = None
    pdf: Path | None = None

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
    One exporter serves every page of a worker (:func:`_html_exporter`): its templates
    are compiled once, not once per report.
    """
    body, _ = _html_exporter().from_notebook_node(notebook, resources={"metadata": {"name": title}})
    return _with_page_style(body)


_EXPORTER = threading.local()


def _html_exporter():
    """This thread's nbconvert ``HTMLExporter`` for report pages (built on first use, then reused)."""
    exporter = getattr(_EXPORTER, "html", None)
    if exporter is None:
        from nbconvert import HTMLExporter

        exporter = _EXPORTER.html = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                                                 exclude_output_prompt=True, embed_images=True)
    return exporter


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


#: The papermill engine the batch runs notebooks with (:func:`register_engine`).
ENGINE_NAME = "quality_balance"


def register_engine() -> str:
    """Register :data:`ENGINE_NAME` with papermill (in this process; idempotent) and return its name.

    It is papermill's own nbclient engine, but it saves the executed notebook when the run starts
    and when it ends — after a failure or a timeout too, with the cells run so far — instead of also
    before and after every cell: papermill's default writes the whole notebook, images and all,
    twice per cell (75 times for a county report), each time while the kernel waits. papermill's
    autosave of a cell running longer than 30 s is kept.

    Returns
    -------
    str
        :data:`ENGINE_NAME`, for ``papermill.execute_notebook(..., engine_name=...)``.
    """
    if _ENGINE_REGISTERED:
        return ENGINE_NAME
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class StartEndSaves(NotebookExecutionManager):
        """papermill's execution manager without the saves around each cell."""

        _in_cell = False

        def save(self, **kwargs):
            if not self._in_cell:
                super().save(**kwargs)

        def cell_start(self, cell, cell_index=None, **kwargs):
            self._in_cell = True
            try:
                super().cell_start(cell, cell_index, **kwargs)
            finally:
                self._in_cell = False

        def cell_complete(self, cell, cell_index=None, **kwargs):
            self._in_cell = True
            try:
                super().cell_complete(cell, cell_index, **kwargs)
            finally:
                self._in_cell = False

    class StartEndSavesEngine(NBClientEngine):
        """``papermill.engines.Engine.execute_notebook`` with :class:`StartEndSaves` as its manager."""

        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = StartEndSaves(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                   autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE_NAME, StartEndSavesEngine)
    _ENGINE_REGISTERED.append(ENGINE_NAME)
    return ENGINE_NAME


_ENGINE_REGISTERED: list[str] = []


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


def python_literal(text: str) -> str:
    r"""``text`` as a double-quoted Python string literal that an analyst can read: ``"台前县"``.

    papermill writes every non-ASCII character of a string parameter as an escape
    (``"\u53f0\u524d\u53bf"``), and that is what the injected cell then shows. Here
    the printable characters stay as they are; a backslash and a double quote are
    escaped, and so is every character that is not printable (newlines, tabs,
    control and line-separator characters, as :func:`repr` escapes them), so the
    literal always parses back to the same string.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        Python source that evaluates to ``text``.

    >>> print(python_literal('台前县'), python_literal('a"b\\c\n'))
    "台前县" "a\"b\\c\n"
    """
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return '"' + "".join(out) + '"'


def readable_translator():
    """papermill's Python translator with strings written by :func:`python_literal` (a class, built on first use)."""
    from papermill.translators import PythonTranslator

    class ReadablePythonTranslator(PythonTranslator):
        @classmethod
        def translate_str(cls, val):
            return python_literal(val)

        @classmethod
        def translate_escaped_str(cls, str_val):
            return python_literal(str_val) if isinstance(str_val, str) else f'"{str_val}"'

    return ReadablePythonTranslator


def use_readable_parameters() -> None:
    """Register :func:`readable_translator` in papermill for Python kernels (this process; idempotent)."""
    from papermill.translators import papermill_translators

    papermill_translators.register("python", readable_translator())


def sign_notebook(notebook) -> bool:
    """Sign ``notebook`` as trusted for the user who renders it, so JupyterLab shows its styled outputs.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook, exactly as it is written (a later change voids the signature).

    Returns
    -------
    bool
        Whether it was signed. The signature goes into this user's Jupyter signature database
        (``nbformat.sign.NotebookNotary``); where that cannot be written, the report stays unsigned
        (JupyterLab then asks before showing its outputs) and is not counted as failed.
    """
    from nbformat.sign import NotebookNotary

    try:
        NotebookNotary().sign(notebook)
    except Exception:  # noqa: BLE001 - an unwritable signature database: the report itself is fine
        return False
    return True


def _run_job(job: ReportJob, out_dir: str, timeout: float = CELL_TIMEOUT_S,
             chromium: str | None = None) -> ReportResult:
    """Execute one notebook with papermill and write its .ipynb and .html, and the PDF with ``chromium``.

    Runs in a worker. A notebook that fails is recorded in the result (its partial notebook kept);
    so is a PDF that fails to print (the HTML is kept). An :class:`OSError` that means the output
    folder cannot be written (no permission, read-only, disk full, or any error on a path inside it)
    is raised, for the parent to stop the batch with a clear error.
    """
    import nbformat
    import papermill

    start = time.perf_counter()
    use_readable_parameters()
    target = Path(out_dir) / job.name
    target.parent.mkdir(parents=True, exist_ok=True)
    ipynb, page = target.with_name(target.name + ".ipynb"), target.with_name(target.name + ".html")
    pdf = target.with_name(target.name + ".pdf")
    error = None
    try:
        with atomic_file(ipynb, suffix=".partial.ipynb") as partial:
            try:
                papermill.execute_notebook(
                    str(job.notebook), str(partial), parameters=dict(job.parameters), engine_name=register_engine(),
                    kernel_name=KERNEL_NAME, kernel_manager_class=_kernel_manager_class(), progress_bar=False,
                    log_output=False, cwd=str(Path(job.notebook).parent), execution_timeout=timeout)
            except Exception as exc:  # noqa: BLE001 - any failure of one report is recorded, not raised
                error = _describe(exc)
            if partial.exists():
                nb = nbformat.read(partial, as_version=4)
                move_headline(nb)
                forget_data_slice(nb)
            else:
                nb = _error_notebook(job, error or "notebook was not written")
            nbformat.write(nb, partial)
            sign_notebook(nb)
            page_text = notebook_to_html(nb, job.title or job.name)
            if chromium is None:
                write_text(page, page_text)
            else:
                error = _write_page_and_pdf(page, pdf, page_text, chromium) or error
    except OSError as exc:
        if _output_failure(exc, out_dir):
            raise  # the output folder cannot be written: the whole batch stops (execute_jobs)
        error = error or f"写出报告失败 — {type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001
        error = error or f"写出报告失败 — {type(exc).__name__}: {exc}"
    return ReportResult(job, ipynb if ipynb.exists() else None, page if page.exists() else None,
                        time.perf_counter() - start, error, pdf if chromium is not None and pdf.exists() else None)


#: What the saved notebook's injected ``data_slice`` line becomes (the staged slice is gone after the batch).
FORGOTTEN_SLICE = "data_slice = None  # 批量生成时读取的本县（市）数据切片已随批次删除；重新运行时从 data_dir 读取"
_SLICE_LINE = None


def forget_data_slice(notebook) -> bool:
    """Set ``data_slice`` back to ``None`` in the injected parameters of an executed notebook.

    The batch hands each kernel its place's staged slice (:func:`stage_data_slices`); the
    staging folder is removed when the batch ends, so the saved notebook, opened and re-run
    by hand in JupyterLab, must read its ``data_dir`` again: its injected line becomes
    :data:`FORGOTTEN_SLICE`. Only the cell papermill tagged ``injected-parameters`` is changed.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook, changed in place.

    Returns
    -------
    bool
        Whether a ``data_slice`` line was found and replaced.
    """
    import re

    global _SLICE_LINE
    if _SLICE_LINE is None:
        _SLICE_LINE = re.compile(r"^data_slice = .*$", re.MULTILINE)
    changed = False
    for cell in notebook.cells:
        if cell.get("cell_type") == "code" and "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            source, n = _SLICE_LINE.subn(FORGOTTEN_SLICE, cell.source)
            if n:
                cell.source, changed = source, True
    return changed


def _write_page_and_pdf(page: Path, pdf: Path, text: str, chromium: str) -> str | None:
    """Write the HTML ``text`` to ``page`` and its print to ``pdf``, both moved into place together at the end.

    The page is printed from a staging folder beside it (:func:`quality_balance.output.atomic_folder`,
    ``.qb-tmp-<pid>-…``, removed at the end, and by the clean-up of a stopped or killed run), so an
    interruption while the browser prints leaves the earlier page and PDF as they were. A PDF that
    fails leaves the new page and no PDF (an older one would not match it).

    Returns
    -------
    str or None
        The error of the PDF (:class:`~quality_balance.errors.RenderError`'s message), or ``None``.
    """
    from ..output import atomic_folder
    from .browser import print_pdf

    error = None
    with atomic_folder(page.parent) as stage:  # page and PDF: both new, or both as they were
        staged = stage / page.name
        staged.write_text(text, encoding="utf-8")
        try:
            print_pdf(staged, stage / pdf.name, chromium=chromium)
        except RenderError as exc:
            error = str(exc)
    if error is not None:
        pdf.unlink(missing_ok=True)
    return error


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
            pids = {os.getpid()}
            if _WORKER_PARENT and os.getppid() != _WORKER_PARENT[0]:  # the parent died: its staged slices too
                pids.add(_WORKER_PARENT[0])
            remove_stale(_WORKER_OUT[0], depth=STALE_DEPTH, pids=pids)
    except BaseException:  # noqa: BLE001 - whatever happens, the worker must not go on writing
        pass
    finally:
        os._exit(128 + signum)


#: The output folder of this worker process and its parent's id (set by :func:`_quiet_worker`).
_WORKER_OUT: list[str] = []
_WORKER_PARENT: list[int] = []


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
    _WORKER_PARENT[:] = [parent] if parent is not None else []
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
                 progress: bool = True, timeout: float = CELL_TIMEOUT_S, *,
                 chromium: str | None = None, costs: Sequence[Any] | None = None) -> list[ReportResult]:
    """Execute notebooks in ``n_jobs`` worker processes (default: the machine's cores).

    With ``costs`` (one comparable value per job: its expected duration, or anything ordered like it),
    the jobs start longest first (ties in their order), so that the workers finish together instead of
    one running the last long report alone; the results are still returned in the order of ``jobs``.

    With ``chromium`` (a browser program, :func:`quality_balance.report.browser.find_chromium`),
    each worker also prints its report's HTML to ``<name>.pdf`` beside it
    (:func:`~quality_balance.report.browser.print_pdf`); a PDF that fails is that report's failure.

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
            futures = {pool.submit(_run_job, jobs[i], str(out), timeout, chromium): i
                       for i in _start_order(len(jobs), costs)}
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


def _start_order(n: int, costs: Sequence[Any] | None) -> list[int]:
    """The positions of ``n`` jobs in the order they start: by decreasing cost (stable), or as given.

    >>> _start_order(4, [1, 3, 1, 2]), _start_order(2, None)
    ([1, 3, 0, 2], [0, 1])
    """
    if costs is None:
        return list(range(n))
    if len(costs) != n:
        raise RenderError(f"execute_jobs: costs 须与 jobs 一一对应，收到 {len(costs)} 个成本、{n} 个任务 "
                          f"(expected one cost per job)")
    return sorted(range(n), key=lambda i: costs[i], reverse=True) if n else []


# --- the same jobs on a Dask cluster ----------------------------------------------------------

#: How to install the optional Dask support (the ``dask`` extra of the package).
DASK_INSTALL = 'pip install "quality-balance[dask]"（即 dask[distributed]）'


def _dask_distributed(option: str):
    """``dask.distributed``, or a :class:`RenderError` naming ``option`` and what to install."""
    try:
        import dask.distributed as distributed
    except ImportError:
        raise RenderError(f"{option} 需要 Dask：请先安装 {DASK_INSTALL}；未安装时请改用 --jobs N "
                          f"(expected the dask[distributed] package for {option}, it is not installed)") from None
    return distributed


def _run_job_on_worker(job: ReportJob, out_dir: str, timeout: float, chromium: str | None,
                       packaged: bool, log_path: str | None = None) -> ReportResult:
    """:func:`_run_job` in a Dask worker: quiet loggers, the worker's own copy of the package's notebooks.

    A worker on another machine has the package installed elsewhere: a job of the package's
    own notebooks (``packaged``) runs that machine's copy (:data:`NOTEBOOK_DIR`); a notebook
    folder of one's own (``--notebooks``) must be at the same path on every machine, like the
    data and output folders. So must the browser for ``--pdf``; where it is missing, the
    worker looks for its own (:func:`~quality_balance.report.browser.find_chromium`).
    """
    if log_path is not None and _WORKER_LOG != [log_path]:  # a local cluster's worker: kernel chatter to render.log
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 2)
        os.close(log)
        _WORKER_LOG[:] = [log_path]
    warnings.simplefilter("ignore")
    for name in ("papermill", "nbconvert", "traitlets", "jupyter_client", "nbclient"):
        logging.getLogger(name).setLevel(logging.ERROR)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    if packaged:
        job = dataclasses.replace(job, notebook=NOTEBOOK_DIR / Path(job.notebook).name)
    if chromium is not None and not Path(chromium).exists():
        from .browser import find_chromium

        chromium = find_chromium() or chromium
    return _run_job(job, out_dir, timeout, chromium)


#: The log file this Dask worker process's stderr already goes to (local clusters only).
_WORKER_LOG: list[str] = []


def execute_jobs_dask(jobs: Sequence[ReportJob], out_dir: str | Path, *, scheduler: str | None = None,
                      local_workers: int | None = None, progress: bool = True, timeout: float = CELL_TIMEOUT_S,
                      chromium: str | None = None) -> list[ReportResult]:
    """Execute notebooks on a Dask distributed cluster: the jobs of :func:`execute_jobs`, one task each.

    Each job is submitted to :class:`dask.distributed.Client` as one task running
    :func:`_run_job` on a worker (papermill, the .ipynb, .html and, with ``chromium``, the PDF,
    written into ``out_dir`` by the worker). Every worker must see ``out_dir``, the data folder
    and the staged slices (:func:`stage_data_slices`, inside ``out_dir``) at the same absolute
    path: a shared folder (NFS, SMB) mounted alike on every machine. A notebook that fails is
    recorded as with :func:`execute_jobs` (its partial notebook kept); a task lost with its
    worker is recorded as failed too. Run one task per worker thread and one thread per core
    (``dask worker ADDRESS --nthreads 1 --nworkers N``): each task drives a kernel of its own.

    Parameters
    ----------
    jobs : sequence of ReportJob
        From :func:`plan_jobs` (and :func:`stage_data_slices`).
    out_dir : str or Path
        The output folder (the same path on every worker).
    scheduler : str, keyword-only
        The address of a running scheduler (``tcp://10.0.0.5:8786``, what ``dask scheduler`` prints).
    local_workers : int, keyword-only
        Instead of ``scheduler``: start a :class:`dask.distributed.LocalCluster` of this many
        worker processes (one thread each) on this machine, closed at the end.
    progress : bool, keyword-only
        A tqdm progress bar on stderr.
    timeout : float, keyword-only
        Seconds one cell may run (:data:`CELL_TIMEOUT_S`).
    chromium : str, keyword-only
        A browser for the PDFs (``--pdf``).

    Returns
    -------
    list of ReportResult
        One per job, in the order of ``jobs``.

    Raises
    ------
    RenderError
        Dask is not installed (naming the option and what to install), neither or both of
        ``scheduler`` and ``local_workers`` are given, ``local_workers`` < 1, or the scheduler
        cannot be reached (naming its address).
    OutputError
        A worker cannot write the output folder.
    Interrupted
        SIGINT/SIGTERM: queued tasks are cancelled and never start; with ``local_workers`` the
        cluster and every kernel it started are stopped, so the reports being written never reach
        their final names. On a remote cluster a report already running finishes on its worker.
    """
    option = "--scheduler" if scheduler is not None else "--dask-local"
    if (scheduler is None) == (local_workers is None):
        raise RenderError("execute_jobs_dask: give exactly one of scheduler (--scheduler ADDRESS) and "
                          f"local_workers (--dask-local N); got scheduler={scheduler!r}, "
                          f"local_workers={local_workers!r}")
    if local_workers is not None and (isinstance(local_workers, bool) or not isinstance(local_workers, int)
                                      or local_workers < 1):
        raise RenderError(f"--dask-local：本机 Dask 工作进程数必须是正整数，收到 {local_workers!r} "
                          f"(expected local_workers >= 1)")
    distributed = _dask_distributed(option)
    from tqdm.auto import tqdm

    out = Path(out_dir)
    log_path = _open_log(out)
    stale = remove_stale(out, depth=STALE_DEPTH)
    if stale:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(f"已删除此前中断的运行留下的临时文件 {len(stale)} 个: {', '.join(p.name for p in stale)}\n")
    packaged_dir = Path(NOTEBOOK_DIR).resolve()
    results: dict[int, ReportResult] = {}
    cluster = client = None
    futures: dict = {}
    with stop_on_signals():
        try:
            try:
                if local_workers is not None:
                    cluster = distributed.LocalCluster(n_workers=local_workers, threads_per_worker=1,
                                                       processes=True, dashboard_address=None)
                    client = distributed.Client(cluster)
                else:
                    client = distributed.Client(scheduler, timeout="30s")
            except OSError as exc:
                raise RenderError(f"无法连接 Dask 调度器 {scheduler or '（本机集群）'}：{exc}；请确认 "
                                  "dask scheduler 正在运行、地址与端口正确 (expected a reachable scheduler address "
                                  "such as tcp://HOST:8786)") from None
            for i, job in enumerate(jobs):
                packaged = Path(job.notebook).resolve().parent == packaged_dir
                future = client.submit(_run_job_on_worker, job, str(out.absolute()), timeout, chromium, packaged,
                                       str(Path(log_path).absolute()) if cluster is not None else None,
                                       key=f"qb-report-{i}-{hashlib.sha1(job.name.encode()).hexdigest()[:8]}",
                                       pure=False, retries=0)
                futures[future] = i
            with tqdm(total=len(jobs), desc="渲染报告", unit="份", disable=not progress,
                      file=sys.stderr, dynamic_ncols=True) as bar:
                for future in distributed.as_completed(list(futures)):
                    i = futures[future]
                    try:
                        results[i] = future.result()
                    except OSError as exc:
                        raise unwritable_output(out, exc) from None
                    except Exception as exc:  # noqa: BLE001 - a lost worker, a task that raised: this report fails
                        results[i] = ReportResult(jobs[i], None, None, 0.0, f"Dask 任务失败 — {_describe(exc)}")
                    bar.set_postfix_str(jobs[i].title or jobs[i].name, refresh=False)
                    bar.update()
        except BaseException:
            with deferred():  # a second Ctrl-C must not cut the clean-up short
                _stop_dask(client, cluster, list(futures), out)
                client = cluster = None
            raise
        finally:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
    return [results[i] for i in range(len(jobs))]


def _stop_dask(client, cluster, futures: list, out: Path) -> None:
    """Cancel every task; with a local cluster, stop it and every process it started, and remove their temporaries."""
    started = set(_descendants(os.getpid())) if cluster is not None else set()
    try:
        if client is not None and futures:
            client.cancel(futures, force=True)
    except Exception:  # noqa: BLE001 - the scheduler is gone: nothing left to cancel
        pass
    for closing in (client, cluster):
        try:
            if closing is not None:
                closing.close(timeout=STOP_TIMEOUT_S)
        except Exception:  # noqa: BLE001
            pass
    if cluster is not None:
        _kill(started)
        _wait_gone(started, STOP_TIMEOUT_S)
        remove_stale(out, depth=STALE_DEPTH, pids=started)


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


def place_slices(dataset, keys: Iterable[tuple[str, str | None]]) -> dict[tuple[str, str | None], Any]:
    """The data set cut per place: for each ``(city, county)`` (``county`` ``None`` for a whole city) the same
    tables as :func:`~quality_balance.report.notebook.subset_dataset` keeps, in one pass over each table.

    ``subset_dataset`` scans every table once per place (2 850 counties × 1 M rows); here each
    table is grouped once (:meth:`pandas.DataFrame.groupby` ``indices``) and each slice is a
    ``take`` of its rows, in their order, with the table's ``attrs``: the slices are equal,
    frame for frame, to ``subset_dataset(dataset, city=city, county=county)`` (a test checks it).

    Parameters
    ----------
    dataset : Dataset
        The loaded data set.
    keys : iterable of (str, str or None)
        The places.

    Returns
    -------
    dict
        ``(city, county)`` → :class:`~quality_balance.inputs.dataset.Dataset`.
    """
    import numpy as np

    keys = list(dict.fromkeys(keys))
    groups: dict[tuple[str, tuple[str, ...]], dict] = {}
    out = {}
    # the class table names its school only: it is grouped by its schools' city and county
    placed = {"classes": _placed_classes(dataset)} if dataset.classes is not None else {}
    for city, county in keys:
        wanted = {"city": city, "county": county}
        tables = {}
        for name, frame in dataset.tables.items():
            keyed = placed.get(name, frame)
            columns = tuple(c for c in ("city", "county") if wanted[c] is not None and c in keyed)
            if not columns:
                tables[name] = frame
                continue
            if (name, columns) not in groups:
                by = keyed.groupby(list(columns), sort=False, observed=True)
                groups[(name, columns)] = {(k if isinstance(k, tuple) else (k,)): v for k, v in by.indices.items()}
            rows = groups[(name, columns)].get(tuple(wanted[c] for c in columns), np.array([], dtype=np.intp))
            part = frame.take(rows)
            part.attrs = dict(frame.attrs)
            tables[name] = part
        out[(city, county)] = dataset.replace(**tables)
    return out


#: The tables of an assessment cut per place (:func:`place_assessments`), and those of its resource part.
ASSESSMENT_TABLES = ("items", "verdicts", "shortfalls", "recognition", "school_failures", "parts")
RESOURCE_TABLES = ("units", "cv", "counties", "excluded")


def _rows_by_place(frame, city: str, county: str | None, groups: dict, name: str):
    """The positions of ``frame``'s rows of ``city`` (and ``county``), from one grouping of the frame (cached in
    ``groups`` under ``name``); ``None`` when the frame has no place columns (it is kept whole)."""
    import numpy as np

    wanted = {"city": city, "county": county}
    columns = tuple(c for c in ("city", "county") if wanted[c] is not None and c in frame)
    if not columns or "city" not in columns:
        return None
    if (name, columns) not in groups:
        by = frame.groupby(list(columns), sort=False, observed=True)
        groups[(name, columns)] = {(k if isinstance(k, tuple) else (k,)): v for k, v in by.indices.items()}
    return groups[(name, columns)].get(tuple(wanted[c] for c in columns), np.array([], dtype=np.intp))


def place_assessments(assessment, keys: Iterable[tuple[str, str | None]], *,
                      datasets: Mapping[tuple[str, str | None], Any] | None = None
                      ) -> dict[tuple[str, str | None], Any]:
    """The batch's assessment cut per place, for the report kernels (:func:`stage_data_slices`).

    For each ``(city, county)`` (``county`` ``None`` for a whole city), every result table of
    ``assessment`` (:data:`ASSESSMENT_TABLES`, and :data:`RESOURCE_TABLES` of its ``resources``)
    keeps the place's rows, in their order, renumbered from 0 (as ``assess`` of the place's data
    numbers them), and the resources' ``grid`` keeps the place's units (its ``values`` are made from
    them); ``profiles`` keeps the place's counties, ``dataset`` is the place's slice of the
    assessed data (:func:`place_slices`). A county's verdicts, items, shortfalls, CVs and school units
    depend only on its own rows and profile, so these tables equal ``assess`` of the place's slice
    (a test compares them on the demo, county by county). Two tables may hold rows or columns that
    ``assess`` of a single place would leave out, because another county of the data set has them:
    ``parts`` (the level-Ⅲ part of Q9, ``not_applicable``, where no score has a level) and
    ``school_failures`` (an empty ``stage`` column); the reports never show those. Q9's score-difference
    rate may differ in its last bits (1e-16: the whole score table is summed in another order), and a
    class-count column of the assessed data is float where another county has a school without classes.

    Parameters
    ----------
    assessment : Assessment
        ``assess(dataset, profile=...)`` of the whole data set, over every year.
    keys : iterable of (str, str or None)
        The places.
    datasets : mapping, optional, keyword-only
        :func:`place_slices` of ``assessment.dataset`` for these places, when the caller has them
        already (default ``None``: cut here).

    Returns
    -------
    dict
        ``(city, county)`` → :class:`~quality_balance.method.assessment.Assessment`.
    """
    import pandas as pd

    keys = list(dict.fromkeys(keys))
    if datasets is None or any(key not in datasets for key in keys):
        datasets = place_slices(assessment.dataset, keys)
    groups: dict = {}
    own_notes = tuple(assessment.notes) == tuple(assessment.dataset.notes)
    out = {}
    for city, county in keys:
        def cut(frame, name):
            if not isinstance(frame, pd.DataFrame):
                return frame
            rows = _rows_by_place(frame, city, county, groups, name)
            return frame if rows is None else frame.take(rows).reset_index(drop=True)

        def own(profiles):
            return {k: v for k, v in profiles.items() if k[0] == city and (county is None or k[1] == county)}

        ra = assessment.resources
        unit_rows = _rows_by_place(ra.units, city, county, groups, "resources.units")  # its long rows follow them
        resources = dataclasses.replace(ra, profiles=own(ra.profiles), grid=ra.grid.take(unit_rows),
                                        **{n: cut(getattr(ra, n), f"resources.{n}") for n in RESOURCE_TABLES})
        data = datasets[(city, county)]
        notes = assessment.notes if own_notes else _place_notes(data)
        out[(city, county)] = dataclasses.replace(
            assessment, resources=resources, profiles=own(assessment.profiles), dataset=data, notes=notes,
            **{n: cut(getattr(assessment, n), n) for n in ASSESSMENT_TABLES})
    return out


def _place_notes(dataset) -> tuple:
    """The notes ``assess`` gives for one place's data: its data set's notes and its own cross-table findings."""
    from ..method.assessment import _consistency_notes

    return _consistency_notes(dataset, dataset.schools)


def _placed_classes(dataset):
    """The class table's rows with the city and county of their school (missing for an unknown school)."""
    first = dataset.schools.drop_duplicates("school_id")
    schools = first.set_index(first["school_id"].astype(str))
    ids = dataset.classes["school_id"].astype(str)
    return dataset.classes.assign(city=ids.map(schools["city"]).to_numpy(),
                                  county=ids.map(schools["county"]).to_numpy())


def stage_data_slices(dataset, jobs: Sequence[ReportJob], folder: str | Path, *, assessment=None,
                      profile: str | None = None) -> list[ReportJob]:
    """Write each job's place slice into ``folder`` and return the jobs with their ``data_slice`` parameter.

    A county report gets its county's rows, a city overview its whole city's (every county
    of the city, chosen or not: its cross-county tables compare them all, as when it read
    ``data_dir``); see :func:`place_slices` and
    :func:`~quality_balance.report.notebook.save_data_slice`. With ``assessment``, the place's
    slice of it (:func:`place_assessments`) is written beside the data, and the report shows it
    instead of assessing its slice again. A job without ``city`` in its parameters (a notebook of
    one's own) is left as it is.

    Parameters
    ----------
    dataset : Dataset
        The data set the batch loaded (and validated) once.
    jobs : sequence of ReportJob
        From :func:`plan_jobs`.
    folder : str or Path
        A staging folder of this run (:func:`quality_balance.output.scratch_folder`), inside
        the output folder so that Dask workers sharing it read the slices too.
    assessment : Assessment, optional, keyword-only
        ``assess(dataset, profile=profile)`` over every year (default ``None``: the kernels assess
        their slices). A job whose years are limited (``first_year``/``last_year``) or whose profile
        is not ``profile`` gets the data only, as its report would not use the assessment.
    profile : str, optional, keyword-only
        The ``profile`` argument ``assessment`` was made with (default ``None``: each county's own).

    Returns
    -------
    list of ReportJob
        The same jobs, each with ``parameters["data_slice"]`` = the absolute path of its slice.
    """
    from .notebook import SLICE_SUFFIX, save_data_slice

    folder = Path(folder).absolute()
    keys = [(job.parameters["city"], job.parameters.get("county")) for job in jobs if "city" in job.parameters]
    slices = place_slices(dataset, keys)
    with_result = [key for key, job in zip(keys, [j for j in jobs if "city" in j.parameters])
                   if assessment is not None and _uses_assessment(job, profile)]
    results = (place_assessments(assessment, with_result,
                                 datasets=slices if assessment.dataset is dataset else None) if with_result else {})
    files: dict[tuple[str, str | None], str] = {}
    staged = []
    for job in jobs:
        if "city" not in job.parameters:
            staged.append(job)
            continue
        key = (job.parameters["city"], job.parameters.get("county"))
        if key not in files:
            path = folder / f"{len(files):05d}{SLICE_SUFFIX}"
            files[key] = str(save_data_slice(slices[key], path, assessment=results.get(key), place=key,
                                             profile=job.parameters.get("profile")))
        staged.append(dataclasses.replace(job, parameters={**job.parameters, "data_slice": files[key]}))
    return staged


def _uses_assessment(job: ReportJob, profile: str | None) -> bool:
    """Whether ``job``'s report would show the batch's assessment: every year, the batch's profile."""
    params = job.parameters
    same_profile = params.get("profile") == profile or (
        profile is not None and params.get("profile") is not None
        and Path(str(params["profile"])).resolve() == Path(str(profile)).resolve())
    return params.get("first_year") is None and params.get("last_year") is None and same_profile


def _expected_costs(jobs: Sequence[ReportJob], dataset) -> list[tuple[int, int]]:
    """What orders the jobs by expected duration (:func:`execute_jobs` ``costs``): county reports before
    city overviews (which draw and assess less per row), each by the number of its school rows."""
    counts = dataset.schools.groupby(["city", "county"], sort=False, observed=True).size()
    by_county = {key: int(n) for key, n in counts.items()}
    by_city: dict[str, int] = {}
    for (city, _), n in by_county.items():
        by_city[city] = by_city.get(city, 0) + n
    out = []
    for job in jobs:
        city, county = job.parameters.get("city"), job.parameters.get("county")
        out.append((1, by_county.get((city, county), 0)) if county is not None else (0, by_city.get(city, 0)))
    return out


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
                   notebook_dir: str | Path = NOTEBOOK_DIR, *, pdf: bool = False, scheduler: str | None = None,
                   dask_local: int | None = None) -> RenderSummary:
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
    notebook_dir : folder of the report notebooks (default: the package's).
    pdf : bool, keyword-only
        Also print each report to ``<name>.pdf`` with headless Chromium (A4, from the page's
        ``@page`` CSS). Without a browser this raises
        :class:`~quality_balance.report.browser.BrowserNotFoundError` before anything is rendered.
    scheduler : str, keyword-only
        Run the reports on the Dask cluster of this scheduler (``render --scheduler ADDRESS``,
        :func:`execute_jobs_dask`; ``jobs`` is then unused). Data and output folders must be
        shared by every worker at the same path.
    dask_local : int, keyword-only
        Run them on a local Dask cluster of this many worker processes (``render --dask-local N``).

    The data are loaded, validated and assessed once here, for the verdicts of the
    index and for every report: each notebook gets only its place's slice of the loaded
    tables and of this assessment (:func:`stage_data_slices`, :func:`place_assessments`,
    in a staging folder inside ``out_dir`` removed at the end) and shows it without
    assessing again — a county's assessment depends only on its own rows and its profile,
    so the results are those of loading the folder, and one report costs the same whatever
    the size of the data set. With ``first_year``/``last_year`` the notebooks assess their
    slices themselves (the years kept change what is assessed). The reports start longest
    first (:func:`execute_jobs` ``costs``). The saved notebooks read ``data_dir`` again when
    re-run by hand (:func:`forget_data_slice`). Failing notebooks are listed in the returned
    summary (not raised).
    """
    from ..method.assessment import assess
    from .notebook import load_dataset_or_demo

    start = time.perf_counter()
    if scheduler is not None or dask_local is not None:
        option = "--scheduler" if scheduler is not None else "--dask-local"
        if scheduler is not None and dask_local is not None:
            raise RenderError(f"--scheduler 与 --dask-local 只能选一个，收到 {scheduler!r} 和 {dask_local!r} "
                              "(expected one of scheduler, dask_local)")
        _dask_distributed(option)  # before anything is loaded: say what to install
    chromium = None
    if pdf:
        from .browser import require_chromium

        chromium = require_chromium()
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
    with scratch_folder(out_dir) as stage:  # removed at the end, on failure and on interrupt
        batch = stage_data_slices(dataset, batch, stage, assessment=assessment, profile=profile)
        if scheduler is not None or dask_local is not None:
            results = execute_jobs_dask(batch, out_dir, scheduler=scheduler, local_workers=dask_local,
                                        progress=progress, chromium=chromium)
        else:
            results = execute_jobs(batch, out_dir, jobs, progress, chromium=chromium,
                                   costs=_expected_costs(batch, dataset))
    index = write_index(out_dir, assessment.verdicts, places, results, dataset,
                        first_year=first_year, last_year=last_year)
    return RenderSummary(tuple(results), Path(out_dir), index, time.perf_counter() - start)


# --- index.html ----------------------------------------------------------------------------

_INDEX_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em auto; padding: 0 1.5em; max-width: 72em; color: #222; line-height: 1.5; }
h1 { font-size: 1.6em; margin-bottom: .3em; } h2 { font-size: 1.25em; margin: 1.6em 0 .4em; }
h2 .links { font-size: .8em; font-weight: normal; margin-left: .8em; }
.synthetic { background: #fff2cc; border: 2px solid #bf9000; padding: .6em 1em; font-weight: bold; }
.meta { color: #555; font-size: .9em; }
.counts { margin: .3em 0; padding-left: 1.4em; } .counts li { margin: .1em 0; }
.legend { display: flex; flex-wrap: wrap; gap: .4em 1.2em; margin: .6em 0; padding: 0; list-style: none; }
.legend li { white-space: nowrap; }
.swatch { display: inline-block; width: 1.1em; height: 1.1em; vertical-align: -.2em; margin-right: .3em;
          border: 1px solid #999; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.files { padding-left: 1.4em; } .files li { margin: .15em 0; }
.table-wrap { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: .5em 0; max-width: 100%; }
th, td { border: 1px solid #bbb; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; white-space: nowrap; } td.num { text-align: right; white-space: nowrap; }
td.status { text-align: center; white-space: nowrap; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
td.place { white-space: nowrap; } td.links a { white-space: nowrap; }
.failed { color: #c00000; }
a { color: #1f4e79; }
@page { size: A4; margin: 15mm 12mm; }
@media print {
  body { margin: 0; padding: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; } tr { break-inside: avoid; page-break-inside: avoid; }
  th, td { padding: .2em .35em; }
  td.links, th.links, .notebook { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""

#: The statuses shown in the index's colour legend, in this order (colours: :data:`.style.STATUS_COLORS`).
LEGEND_STATUSES = ("met", "not_met", "no_data", "not_applicable")
#: File names of the result workbook (``quality-balance assess``) and the ledgers, looked for inside the output folder.
WORKBOOK_GLOB = "评估结果*.xlsx"
LEDGER_GLOB = "*整改台账.xlsx"
#: Levels of sub-folders of the output folder searched for the workbook and the ledgers.
LINKED_FILES_DEPTH = 3
#: The label of a notebook link: what it is for and what opens it (downloaded, not shown as JSON).
NOTEBOOK_LABEL = "分析用笔记本（用 JupyterLab 打开）"


def _status_cell(status: object) -> str:
    from ..schema import status_label
    from .style import STATUS_COLORS

    if not isinstance(status, str):
        return '<td class="status">—</td>'
    color = STATUS_COLORS.get(status, "#ffffff")
    return f'<td class="status" style="background:{color}">{html.escape(status_label(status))}</td>'


def _href(path: str) -> str:
    """A relative link to ``path`` (a POSIX path inside the output folder): ``%``, ``#``, ``?`` encoded, then escaped.

    >>> _href('濮阳市/甲#1 "县".html')
    '濮阳市/甲%231 &quot;县&quot;.html'
    """
    return html.escape(path.replace("%", "%25").replace("#", "%23").replace("?", "%3F"), quote=True)


def _link(out: Path, name: str, suffix: str, text: str) -> str:
    path = out / f"{name}{suffix}"
    if not path.exists():
        return ""
    target = Path(name + suffix).as_posix()
    if suffix == ".ipynb":  # a download: a browser would show the notebook's raw JSON
        download = html.escape(Path(target).name, quote=True)
        return (f'<a class="notebook" href="{_href(target)}" download="{download}" '
                f'type="application/x-ipynb+json">{html.escape(text)}</a>')
    return f'<a href="{_href(target)}">{html.escape(text)}</a>'


def _report_links(out: Path, name: str, html_text: str) -> str:
    """The links to one report: its page, its PDF, its notebook (those that exist), or ``—``."""
    return " · ".join(x for x in (_link(out, name, ".html", html_text), _link(out, name, ".pdf", "PDF"),
                                  _link(out, name, ".ipynb", NOTEBOOK_LABEL)) if x) or "—"


def _linked_files(out: Path, pattern: str) -> list[Path]:
    """Files matching ``pattern`` inside ``out`` (up to :data:`LINKED_FILES_DEPTH` levels), none hidden or temporary."""
    found = []
    for level in range(LINKED_FILES_DEPTH + 1):
        for path in out.glob("/".join(["*"] * level + [pattern])):
            parts = path.relative_to(out).parts
            if path.is_file() and not any(p.startswith((".", "~$")) for p in parts):
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(out).as_posix())


def _ledger_years(ledgers: Sequence[Path], city: str, county: str) -> list[tuple[int, Path]]:
    """The ledgers of one county: ``<县区>_<年份>_整改台账.xlsx`` or ``<市>_<县区>_<年份>_整改台账.xlsx``."""
    import re

    city_part, county_part = re.escape(safe_name(city)), re.escape(safe_name(county))
    pattern = re.compile(rf"^(?:{city_part}_)?{county_part}_(\d{{4}})_整改台账\.xlsx$")
    found = []
    for path in ledgers:
        match = pattern.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def _county_codes(dataset) -> dict[tuple[str, str], str]:
    """The administrative code (``county_code``, 6 digits) of each county, from the counties or schools table."""
    codes: dict[tuple[str, str], str] = {}
    for table in (dataset.counties, dataset.schools):
        if table is None or "county_code" not in table:
            continue
        rows = table.dropna(subset=["county_code"])
        for city, county, code in rows[["city", "county", "county_code"]].itertuples(index=False, name=None):
            text = str(code).strip()
            if text.endswith(".0"):
                text = text[:-2]
            if text and text.lower() != "nan":
                codes.setdefault((city, county), text)
    return codes


def _place_order(places, dataset):
    """``places`` (city, county) in administrative-code order: cities by their first county code, counties by code;
    counties without a code after those with one, by name."""
    codes = _county_codes(dataset)
    rows = places[["city", "county"]].drop_duplicates().copy()
    rows["code"] = [codes.get((c, k), "") for c, k in rows[["city", "county"]].itertuples(index=False, name=None)]
    rows["missing"] = rows["code"] == ""
    first = rows[~rows["missing"]].groupby("city")["code"].min()
    rows["city_code"] = rows["city"].map(first.to_dict()).astype(object).fillna("")
    rows["city_missing"] = rows["city_code"] == ""
    return rows.sort_values(["city_missing", "city_code", "city", "missing", "code", "county"])


def _profile_title(name: object, titles: dict) -> str:
    """The Chinese title of the profile called ``name`` (its key when it cannot be loaded)."""
    from ..errors import QualityBalanceError
    from ..standards.profile import load_profile

    if not isinstance(name, str) or not name:
        return "—"
    if name not in titles:
        try:
            titles[name] = load_profile(name).title or name
        except (QualityBalanceError, OSError):
            titles[name] = name
    return titles[name]


def _source_name(dataset) -> str:
    """The data source as the user names it: the folder's or files' names, not their absolute paths.

    The synthetic demo data are called so (its folder's name, ``demo``, says nothing to a reader).
    """
    if getattr(dataset, "synthetic", False):
        return "合成演示数据"
    source = str(getattr(dataset, "source", "") or "")
    if not source:
        return "内存中的数据"
    return "、".join(Path(part).name or part for part in source.split("、"))


def _year_counts(overview, years, rows) -> list[tuple[int, int, int]]:
    """(year, counties with a verdict that year — 无数据 included —, counties met) for the counties ``rows``."""
    counts = []
    keys = [k for k in rows if k in overview.index]
    for year in years:
        statuses = [overview.loc[k, year] for k in keys]
        assessed = [s for s in statuses if isinstance(s, str)]
        counts.append((year, len(assessed), sum(s == "met" for s in assessed)))
    return counts


def write_index(out_dir: str | Path, verdicts, places, results: Sequence[ReportResult], dataset,
                first_year: int | None = None, last_year: int | None = None) -> Path:
    """Write ``index.html``: the counts by year, a legend, every county with its verdicts and its files.

    The page holds, in Chinese only: the synthetic-data label when ``dataset.synthetic``;
    the data source by the name of its folder (never a machine path); per year the
    number of counties passing (``2025年：17 个县区中 N 个达标``), for the whole set and
    per city; a legend of the status colours (:data:`.style.STATUS_COLORS`,
    :func:`quality_balance.schema.status_label`); links to the result workbook and the
    ledgers found inside the output folder; then one table per city (cities and counties
    in administrative-code order, ``county_code``; by name where there is none) with each
    county's profile title, verdict by year, first year met, and the links to its report,
    PDF, notebook (a download) and ledgers. Failures of this run are shown in red with
    their error. Every name from the data is escaped.

    Parameters
    ----------
    out_dir : str or Path
        The output folder of the reports; the page is ``<out_dir>/index.html``.
    verdicts : DataFrame
        ``assess(...).verdicts`` (``city``, ``county``, ``year``, ``overall``, ``profile``).
    places : DataFrame
        Every (``city``, ``county``) to list, rendered this run or not.
    results : sequence of ReportResult
        The reports of this run.
    dataset : Dataset
        For the source, the synthetic label and the county codes.
    first_year, last_year : int, optional
        The years shown (default: every year of ``verdicts``).

    Returns
    -------
    Path
        The page written.
    """
    from ..inputs.dataset import SYNTHETIC_LABEL
    from ..schema import status_label
    from .style import STATUS_COLORS
    from .tables import verdict_overview

    out = Path(out_dir)
    by_place = {(r.job.parameters.get("city"), r.job.parameters.get("county")): r for r in results}
    overview = verdict_overview(verdicts, first_year=first_year, last_year=last_year)
    years = [c for c in overview.columns if c != "first_met"]
    profiles = (verdicts.sort_values("year").groupby(["city", "county"])["profile"].last().to_dict()
                if "profile" in verdicts else {})
    titles: dict[str, str] = {}
    order = _place_order(places, dataset)
    keys = list(order[["city", "county"]].itertuples(index=False, name=None))
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>县域义务教育优质均衡发展评估报告</title>", f"<style>{_INDEX_CSS}</style></head><body>",
             "<h1>县域义务教育优质均衡发展评估报告</h1>"]
    if dataset.synthetic:
        parts.append(f'<p class="synthetic">{esc(SYNTHETIC_LABEL)}：本页所有结论基于合成的演示数据，'
                     f'不反映任何真实县区的情况。</p>')
    used_titles = list(dict.fromkeys(_profile_title(profiles.get(k), titles) for k in keys if k in profiles))
    standard = f"；评估标准：{esc('、'.join(used_titles))}" if used_titles else ""
    parts.append(f'<p class="meta">数据来源：{esc(_source_name(dataset))}{standard}；生成时间 '
                 f'{datetime.now():%Y-%m-%d %H:%M}。综合结论：资源配置、政府保障程度、教育质量、社会认可度四个方面'
                 '全部达标且没有一票否决事项时为达标。</p>')
    failed = [r for r in results if not r.ok]
    if failed:
        parts.append(f'<p class="failed">本次有 {len(failed)} 份报告生成失败，见下表“状态”列。</p>')

    parts.append('<h2 id="counts">各年度达标情况</h2><ul class="counts">')
    for year, assessed, met in _year_counts(overview, years, keys):
        parts.append(f"<li>{year}年：{assessed} 个县区中 {met} 个达标</li>")
    parts.append("</ul>")
    cities = list(dict.fromkeys(c for c, _ in keys))
    if len(cities) > 1 or years:
        head = "".join(f'<th class="num">{y}年</th>' for y in years)
        parts.append(f'<div class="table-wrap"><table class="by-city"><tr><th>市</th>{head}</tr>')
        for city in cities:
            cells = "".join(f'<td class="num">{m} / {n}</td>'
                            for _, n, m in _year_counts(overview, years, [k for k in keys if k[0] == city]))
            parts.append(f'<tr><td class="place">{esc(city)}</td>{cells}</tr>')
        parts.append('</table></div><p class="meta">表中为“达标县区数 / 评估县区数”。</p>')
    legend = "".join(f'<li><span class="swatch" style="background:{STATUS_COLORS[s]}"></span>'
                     f'{esc(status_label(s))}</li>' for s in LEGEND_STATUSES if s in STATUS_COLORS)
    parts.append(f'<ul class="legend" aria-label="图例"><li>图例：</li>{legend}</ul>')

    workbooks = _linked_files(out, WORKBOOK_GLOB)
    ledgers = _linked_files(out, LEDGER_GLOB)
    county_ledgers = {k: _ledger_years(ledgers, *k) for k in keys}
    attached = {p for found in county_ledgers.values() for _, p in found}
    loose = [p for p in ledgers if p not in attached]
    if workbooks or ledgers:
        parts.append('<h2 id="files">评估结果表与整改台账</h2><ul class="files">')
        for path in workbooks:
            rel = path.relative_to(out).as_posix()
            parts.append(f'<li><a href="{_href(rel)}" title="{esc(rel, quote=True)}">{esc(path.stem)}</a>'
                         '（Excel 工作簿：各县区各年度的评估结果、指标与差异系数）</li>')
        if ledgers:
            parts.append(f"<li>整改台账（Excel）：共 {len(ledgers)} 份，见各县区所在行"
                         + ("；另有：" + "、".join(f'<a href="{_href(p.relative_to(out).as_posix())}">'
                                                 f'{esc(p.stem)}</a>' for p in loose) if loose else "") + "</li>")
        parts.append("</ul>")

    for city in cities:
        overview_result = by_place.get((city, None))
        city_name = overview_result.job.name if overview_result else report_name(city, CITY_REPORT_NAME)
        links = _report_links(out, city_name, "城市概览")
        links = "" if links == "—" else f'<span class="links">{links}</span>'
        parts.append(f"<h2>{esc(city)}{links}</h2>")
        if overview_result is not None and not overview_result.ok:
            parts.append(f'<p class="failed">城市概览生成失败：{esc(overview_result.error)}</p>')
        head = "".join(f"<th>{y}年</th>" for y in years)
        ledger_head = '<th class="links">整改台账</th>' if ledgers else ""
        parts.append(f'<div class="table-wrap"><table><tr><th>县区</th><th>评估标准</th>{head}<th>首次达标</th>'
                     f'<th class="links">报告</th>{ledger_head}<th>状态</th></tr>')
        for county in [k for c, k in keys if c == city]:
            row = overview.loc[(city, county)] if (city, county) in overview.index else None
            cells = "".join(_status_cell(None if row is None else row[y]) for y in years)
            first = "—" if row is None or row["first_met"] != row["first_met"] else f"{int(row['first_met'])}年"
            result = by_place.get((city, county))
            name = result.job.name if result else report_name(city, county)
            links = _report_links(out, name, "查看报告")
            ledger_cell = ""
            if ledgers:
                found = county_ledgers[(city, county)]
                ledger_cell = '<td class="links">' + (" · ".join(
                    f'<a href="{_href(p.relative_to(out).as_posix())}">{year}年</a>' for year, p in found)
                    or "—") + "</td>"
            state = ("本次未生成" if result is None else "已生成" if result.ok
                     else f'<span class="failed">失败：{esc(result.error)}</span>')
            used = _profile_title(profiles.get((city, county)), titles)
            parts.append(f'<tr><td>{esc(county)}</td><td>{esc(used)}</td>{cells}<td class="num">{first}</td>'
                         f'<td class="links">{links}</td>{ledger_cell}<td>{state}</td></tr>')
        parts.append("</table></div>")
    parts.append("</body></html>")
    path = out / INDEX_FILE
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_text(path, "\n".join(parts))
    except OSError as exc:
        raise unwritable_output(out, exc) from None
    return path
