"""Interruption and faults (issue 10, item 8): Ctrl-C and SIGTERM, read-only and full folders, huge sheets.

Every command that writes — ``render``, ``assess``, ``ledger``, ``template``, ``demo`` — must,
when stopped by SIGINT or SIGTERM, stop its workers and kernels, leave no temporary or
half-written file, leave the previous outputs as they were and exit 130 / 143 with a
message; an output folder that cannot be written must give a clear error (exit 2) naming
the folder and what to do. The cases are listed in tests/hostile/README.md
("Interruption and faults").

The render cases run ``quality-balance render`` as a real process on the demo data and
send it real signals; they wait for a condition (a kernel running, a partial notebook
written) by polling with a generous limit, never for a fixed time.
"""
from __future__ import annotations

import builtins
import errno
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pandas as pd
import psutil
import pytest

from quality_balance import demo, output
from quality_balance.cli import main
from quality_balance.errors import OutputError
from quality_balance.interrupt import Interrupted, stop_on_signals
from quality_balance.report import export
from quality_balance.report.render import LOG_FILE, ReportJob, execute_jobs
from tests.report.test_render import _tiny_notebook

CLI = [sys.executable, "-m", "quality_balance.cli"]
TWO_COUNTIES = ["--county", "清丰县", "--county", "范县"]
#: Generous limits for conditions polled on a loaded machine (not timings under test).
WAIT_S = 180


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (but the render log) → its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != LOG_FILE}


def temporaries(folder: Path) -> list[str]:
    """Names under ``folder`` that are temporary files or folders of the package (or look like them)."""
    return [str(p.relative_to(folder)) for p in folder.rglob(".*")
            if ".partial" in p.name or p.name.endswith(".tmp") or p.name.startswith((".qb-tmp", ".old-"))
            or output.is_temporary(p.name) is not None]


def no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text, text[-3000:]


def run(capsys, *argv: str) -> tuple[int, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out + err


def wait_for(condition, what: str, limit: float = WAIT_S):
    """Poll ``condition()`` until it returns something true; fail after ``limit`` seconds."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def alive(pids) -> list[int]:
    """The processes of ``pids`` still running (zombies waiting to be reaped do not count)."""
    left = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.append(pid)
        except psutil.NoSuchProcess:
            pass
    return left


def describe(pids) -> list[str]:
    """What the processes ``pids`` are, for an assertion message."""
    found = []
    for pid in pids:
        try:
            p = psutil.Process(pid)
            found.append(f"{pid} {p.status()} ppid={p.ppid()} {' '.join(p.cmdline())[:200]}")
        except psutil.Error as exc:
            found.append(f"{pid} {exc}")
    return found


def deny_writes(monkeypatch, folder: Path, code: int, *, only=lambda path: True) -> None:
    """Make ``folder`` (and everything under it) refuse to be written, with ``OSError(code)``.

    The tests run as root, which ignores permission bits, and a read-only bind mount or
    a tiny tmpfs needs privileges the tests do not have; so a read-only folder
    (``errno.EACCES``) or a full disk (``errno.ENOSPC``) is simulated by making the
    functions through which every writer of the package creates anything — ``open``
    (builtins and io) and ``os.open`` for writing, ``os.mkdir``, ``os.replace``,
    ``os.rename`` — raise for paths inside ``folder`` (and for which ``only(path)`` holds).
    Forked render workers inherit the patch.
    """
    root = folder.absolute()
    real = {"open": builtins.open, "os_open": os.open, "mkdir": os.mkdir, "replace": os.replace,
            "rename": os.rename}

    def denied(path) -> bool:
        if isinstance(path, int):
            return False
        p = Path(os.fsdecode(path)).absolute()
        return (p == root or root in p.parents) and only(p)

    def fail(path):
        return OSError(code, os.strerror(code), os.fsdecode(path))

    def fake_open(file, mode="r", *args, **kwargs):
        if denied(file) and any(c in mode for c in "wax+"):
            raise fail(file)
        return real["open"](file, mode, *args, **kwargs)

    def fake_os_open(path, flags, *args, **kwargs):
        if denied(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise fail(path)
        return real["os_open"](path, flags, *args, **kwargs)

    def fake_mkdir(path, *args, **kwargs):
        if denied(path) and not os.path.exists(path):
            raise fail(path)
        return real["mkdir"](path, *args, **kwargs)

    def fake_move(name):
        def move(src, dst, *args, **kwargs):
            if denied(src) or denied(dst):
                raise fail(dst)
            return real[name](src, dst, *args, **kwargs)
        return move

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    monkeypatch.setattr(os, "replace", fake_move("replace"))
    monkeypatch.setattr(os, "rename", fake_move("rename"))


@pytest.fixture(scope="module")
def demo_2025():
    return demo.generate(years=[2025])


@pytest.fixture(scope="module")
def data(tmp_path_factory, demo_2025):
    folder = tmp_path_factory.mktemp("faults") / "data"
    demo.write(demo_2025, folder)
    return folder


# --- the writers' building blocks ---------------------------------------------------------------------

def test_a_move_failing_half_way_puts_every_old_file_back(tmp_path, monkeypatch):
    for name in ("a.csv", "b.csv", "c.csv"):
        (tmp_path / name).write_text(f"old {name}", encoding="utf-8")
    real = os.replace
    moves = []

    def replace(src, dst):
        if Path(dst).parent == tmp_path and Path(src).parent.name.startswith(".qb-tmp"):
            moves.append(Path(dst).name)
            if len(moves) == 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError) as err:
        with output.atomic_folder(tmp_path) as tmp:
            for name in ("a.csv", "b.csv", "c.csv"):
                (tmp / name).write_text(f"new {name}", encoding="utf-8")
    assert moves == ["a.csv", "b.csv", "c.csv"]                 # two were in place when the third failed
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == \
        {n: f"old {n}" for n in ("a.csv", "b.csv", "c.csv")}     # ... and both were taken back
    assert "磁盘空间已满" in str(err.value) and "清理磁盘空间" in str(err.value)


def test_a_signal_during_the_moves_waits_until_every_file_is_in_place(tmp_path, monkeypatch):
    real = os.replace
    sent = []

    def replace(src, dst):
        if not sent and Path(dst).parent == tmp_path:
            sent.append(True)
            signal.raise_signal(signal.SIGTERM)                   # arrives before the first move
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Interrupted) as err:
        with stop_on_signals(), output.atomic_folder(tmp_path) as tmp:
            for name in ("a.csv", "b.csv", "c.csv"):
                (tmp / name).write_text(name, encoding="utf-8")
    assert err.value.signum == signal.SIGTERM
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "c.csv"]   # all new, none half


def test_stale_temporaries_of_dead_runs_are_removed_and_nothing_else(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(done.stdout)                                       # a process that has exited
    city = tmp_path / "濮阳市"
    city.mkdir()
    stale = [city / f".清丰县.ipynb.{dead}.partial.ipynb", city / f".清丰县.html.{dead}.tmp",
             tmp_path / f".index.html.{dead}.tmp"]
    kept = [city / "清丰县.ipynb", city / f".清丰县.ipynb.{os.getpid()}.partial.ipynb",   # a live run's
            tmp_path / ".hidden", tmp_path / f".notes.{dead}.txt", tmp_path / f"x.{dead}.tmp"]
    for path in stale + kept:
        path.write_text("x", encoding="utf-8")
    (tmp_path / f".qb-tmp-{dead}-abc123_x").mkdir()
    (tmp_path / f".qb-tmp-{dead}-abc123_x" / "verdicts.csv").write_text("x", encoding="utf-8")
    removed = output.remove_stale(tmp_path, depth=1)
    assert sorted(removed) == sorted(stale + [tmp_path / f".qb-tmp-{dead}-abc123_x"])
    assert all(p.exists() for p in kept) and not any(p.exists() for p in removed)


@pytest.mark.parametrize("code, reason, fix", [(errno.EACCES, "没有写入权限", "写入权限"),
                                               (errno.EROFS, "文件系统是只读的", "写入权限"),
                                               (errno.ENOSPC, "磁盘空间已满", "清理磁盘空间")])
def test_the_unwritable_error_says_why_and_what_to_do(tmp_path, code, reason, fix):
    error = output.unwritable_output(tmp_path, OSError(code, os.strerror(code), str(tmp_path / "a.csv")))
    [problem] = error.problems
    assert problem.file == str(tmp_path) and reason in problem.message and str(tmp_path / "a.csv") in problem.message
    assert fix in problem.fix and "--out" in problem.fix
    assert str(error).startswith("无法写出结果")


# --- a read-only or full output folder, for every command that writes --------------------------------

COMMANDS = {
    "assess": lambda data, out: ["assess", data, "--out", out],
    "ledger": lambda data, out: ["ledger", data, "--out", out, "--county", "清丰县"],
    "template": lambda data, out: ["template", "--out", out],
    "demo": lambda data, out: ["demo", "--out", out / "demo"],
    "render": lambda data, out: ["render", data, "--out", out, "--county", "清丰县", "--no-progress"],
}


@pytest.mark.parametrize("code, reason", [(errno.EACCES, "没有写入权限"), (errno.ENOSPC, "磁盘空间已满")],
                         ids=["read_only", "disk_full"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_unwritable_output_folder_is_a_clear_error(command, code, reason, data, demo_2025, tmp_path, monkeypatch,
                                                   capsys):
    """A read-only folder (EACCES) or a full disk (ENOSPC), simulated (see deny_writes: root ignores chmod)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("an earlier output", encoding="utf-8")
    monkeypatch.setattr(demo.files, "generate", lambda seed: demo_2025)     # the demo data, fast
    deny_writes(monkeypatch, out, code)
    status, text = run(capsys, *COMMANDS[command](data, out))
    monkeypatch.undo()
    assert status == 2, text
    assert "无法写入输出文件夹" in text and reason in text and "--out" in text
    assert str(out) in text
    no_traceback(text)
    assert snapshot(out) == {"earlier.txt": "an earlier output".encode("utf-8")}   # nothing added, nothing lost


def test_render_stops_when_the_disk_fills_up_while_writing_a_report(tmp_path, monkeypatch):
    """The first page written on a full disk (ENOSPC, simulated on the temporary names) stops the batch."""
    notebook = _tiny_notebook(tmp_path / "tiny.ipynb")
    jobs = [ReportJob(notebook, f"某市/{n}", {"name": n}, f"{n}县") for n in ("a", "c")]
    out = tmp_path / "reports"
    execute_jobs(jobs[:1], out, n_jobs=1, progress=False)
    before = snapshot(out)
    children = set(alive(c.pid for c in psutil.Process().children(recursive=True)))
    monkeypatch.setattr("quality_balance.report.render._mp_context", lambda: __import__("multiprocessing")
                        .get_context("fork"))                               # the workers inherit the patch
    deny_writes(monkeypatch, out, errno.ENOSPC, only=lambda p: p.name.endswith(".tmp"))
    with pytest.raises(OutputError) as err:
        execute_jobs(jobs, out, n_jobs=2, progress=False)
    monkeypatch.undo()
    assert "磁盘空间已满" in str(err.value) and str(out) in str(err.value)
    assert snapshot(out) == before and temporaries(out) == []
    assert set(alive(c.pid for c in psutil.Process().children(recursive=True))) <= children


# --- interrupted while writing: assess and ledger ---------------------------------------------------------

def _signal_on_call(monkeypatch, target: str, number: int, signum: int) -> None:
    """Send ``signum`` to this process on the ``number``-th call of ``target`` (module.attribute)."""
    module, name = target.rsplit(".", 1)
    original = getattr(__import__(module, fromlist=[name]), name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            signal.raise_signal(signum)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, wrapper)


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command, target", [
    ("assess", "quality_balance.report.export.neutralise_formulas"),     # the 3rd sheet of the workbook
    ("ledger", "quality_balance.report.ledger._write_sheet"),            # the 3rd ledger
    ("template", "quality_balance.inputs.templates._write_csv"),         # the 3rd CSV template
])
def test_a_command_interrupted_while_writing_leaves_the_earlier_outputs(command, target, signum, status, data,
                                                                         tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    argv = {"assess": ["assess", data, "--out", out], "ledger": ["ledger", data, "--out", out],
            "template": ["template", "--out", out]}[command]
    assert run(capsys, *argv)[0] == 0
    before = snapshot(out)
    _signal_on_call(monkeypatch, target, 3, signum)
    code, text = run(capsys, *argv)
    assert code == status, text
    assert ("已中断（Ctrl-C / SIGINT）" if signum == signal.SIGINT else "已终止（SIGTERM）") in text
    assert "未写完的文件已删除" in text
    no_traceback(text)
    assert snapshot(out) == before and temporaries(out) == []
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL            # the command's handlers are gone again


def test_sigterm_from_outside_stops_assess_cleanly(data, tmp_path):
    """A real process: its first sheet signals that it is writing and waits; the test sends SIGTERM."""
    out, ready = tmp_path / "out", tmp_path / "ready"
    assert subprocess.run([*CLI, "assess", str(data), "--out", str(out)], capture_output=True).returncode == 0
    before = snapshot(out)
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from quality_balance.report import export
        original = export.neutralise_formulas
        def slow(frame):
            Path({str(ready)!r}).write_text("writing")
            time.sleep(600)
        export.neutralise_formulas = slow
        from quality_balance.cli import main
        sys.exit(main(["assess", {str(data)!r}, "--out", {str(out)!r}]))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: ready.exists() or proc.poll() is not None, "assess to start writing")
        assert temporaries(out)                                   # it was half-way: a temporary folder exists
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=WAIT_S)
    finally:
        proc.kill()
    assert proc.returncode == 143, stderr
    assert "已终止（SIGTERM）" in stderr and "terminated" in stderr
    no_traceback(stderr)
    assert snapshot(out) == before and temporaries(out) == []


# --- huge tables and writer failures --------------------------------------------------------------------

def test_a_table_longer_than_a_sheet_is_split_across_sheets(demo_assessment, tmp_path, monkeypatch):
    whole = tmp_path / "whole"
    export.write_results(demo_assessment, whole)
    units = len(demo_assessment.resources.units)
    limit = units // 3 + 2                                      # three sheets of units: 学校单元, （2）, （3）
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", limit)
    split = tmp_path / "split"
    export.write_results(demo_assessment, split)
    book = openpyxl.load_workbook(split / "评估结果.xlsx", read_only=True)
    parts = [name for name in book.sheetnames if name.startswith("学校单元")]
    assert parts == ["学校单元", "学校单元（2）", "学校单元（3）"]
    assert all(book[name].max_row <= limit for name in book.sheetnames)
    sheets = pd.read_excel(split / "评估结果.xlsx", sheet_name=None)
    expected = pd.read_excel(whole / "评估结果.xlsx", sheet_name="学校单元")
    assert all(list(sheets[name].columns) == list(expected.columns) for name in parts)   # the header on each
    joined = pd.concat([sheets[name] for name in parts], ignore_index=True)
    pd.testing.assert_frame_equal(joined, expected)            # every row, once, in order
    assert len(joined) == units
    assert any("学校单元（2）" in str(v) and f"{limit} 行" in str(v) for v in sheets["说明"]["说明"])
    assert (split / "units.csv").read_bytes() == (whole / "units.csv").read_bytes()   # the CSV stays whole


def test_a_writer_failure_is_a_clear_error_and_leaves_nothing(data, tmp_path, monkeypatch, capsys):
    from openpyxl.utils.exceptions import IllegalCharacterError

    real, calls = export._write_table, []

    def broken(*args, **kwargs):                               # the first sheet after 说明, then a failing one
        calls.append(1)
        if len(calls) == 2:
            raise IllegalCharacterError("\x1b in 学校名称")
        return real(*args, **kwargs)

    out = tmp_path / "out"
    monkeypatch.setattr(export, "_write_table", broken)
    status, text = run(capsys, "assess", data, "--out", out)
    assert status == 2 and "写出结果时出错（IllegalCharacterError" in text and str(out) in text
    no_traceback(text)
    assert sorted(out.iterdir()) == []                           # no CSV either: all or nothing


# --- render: real processes, real signals ---------------------------------------------------------------------

def _start_render(data: Path, out: Path, *counties: str, new_session: bool = False) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "render", str(data), "--out", str(out), *counties, "--jobs", "2", "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=new_session)


def _kernels_running(proc: subprocess.Popen, out: Path):
    """(every descendant pid) once a kernel runs and a partial notebook exists, else None."""
    try:
        tree = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return None
    kernels = []
    for child in tree:
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                kernels.append(child.pid)
        except psutil.Error:
            pass
    if proc.poll() is not None:
        pytest.fail(f"render ended before a kernel ran: {proc.communicate()}")
    return {c.pid for c in tree} if kernels and list(out.rglob(".*.partial.ipynb")) else None


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory, data):
    """A folder holding the complete reports of an earlier run (清丰县 and 濮阳市's overview)."""
    out = tmp_path_factory.mktemp("render") / "reports"
    done = subprocess.run([*CLI, "render", str(data), "--out", str(out), "--county", "清丰县", "--no-progress"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("signum, group, status, said", [
    (signal.SIGINT, False, 130, "已中断（Ctrl-C / SIGINT）"),
    (signal.SIGINT, True, 130, "已中断（Ctrl-C / SIGINT）"),          # Ctrl-C in a terminal: every process gets it
    (signal.SIGTERM, False, 143, "已终止（SIGTERM）")], ids=["SIGINT", "ctrl_c_to_the_group", "SIGTERM"])
def test_render_stopped_by_a_signal(signum, group, status, said, data, earlier_run, tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    for path in earlier_run.rglob("*"):                          # a copy: each case starts from the same reports
        if path.is_file():
            (out / path.relative_to(earlier_run)).parent.mkdir(parents=True, exist_ok=True)
            (out / path.relative_to(earlier_run)).write_bytes(path.read_bytes())
    before = snapshot(out)
    assert {"濮阳市/清丰县.html", "濮阳市/清丰县.ipynb", "濮阳市/城市概览.html", "index.html"} <= set(before)
    proc = _start_render(data, out, *TWO_COUNTIES, new_session=group)   # 3 reports, 2 at a time: one is queued
    try:
        started = wait_for(lambda: _kernels_running(proc, out), "a kernel and a partial notebook")
        os.killpg(proc.pid, signum) if group else proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=WAIT_S)
    finally:
        proc.kill()
    assert proc.returncode == status, stderr
    assert said in stderr and "已停止全部工作进程" in stderr
    no_traceback(stderr)
    assert alive(started) == [], describe(alive(started))        # workers and kernels stopped before it exited
    assert temporaries(out) == [], (out / LOG_FILE).read_text(encoding="utf-8")
    after = snapshot(out)
    assert after == before, {k: (len(before.get(k, b"")), len(v)) for k, v in after.items() if before.get(k) != v}


def test_a_rerun_removes_what_a_killed_render_left(data, tmp_path):
    out = tmp_path / "reports"
    proc = _start_render(data, out, *TWO_COUNTIES, new_session=True)
    try:
        started = wait_for(lambda: _kernels_running(proc, out), "a kernel and a partial notebook")
        os.killpg(proc.pid, signal.SIGKILL)                      # parent and workers die without a word
        proc.communicate(timeout=WAIT_S)
    finally:
        proc.kill()
    left = temporaries(out)
    # the partial notebooks and the parent's staging folder of per-place data slices (render_reports)
    assert left and all(".partial.ipynb" in name or name.startswith(".qb-tmp-") for name in left)
    (out / "濮阳市" / "我的笔记.txt").write_text("mine", encoding="utf-8")       # never touched by the clean-up
    (out / ".hidden.partial.txt").write_text("mine", encoding="utf-8")
    wait_for(lambda: not alive(started) or None, "the orphaned kernels to stop on their own", 60)
    done = subprocess.run([*CLI, "render", str(data), "--out", str(out), "--county", "清丰县", "--no-progress"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert temporaries(out) == [".hidden.partial.txt"]
    assert (out / "濮阳市" / "我的笔记.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "濮阳市" / "清丰县.html").is_file()
    log = (out / LOG_FILE).read_text(encoding="utf-8")
    assert f"临时文件 {len(left)} 个" in log


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_parent_killed_outright(data, tmp_path):
    out = tmp_path / "reports"
    proc = _start_render(data, out, *TWO_COUNTIES)
    try:
        started = wait_for(lambda: _kernels_running(proc, out), "a kernel and a partial notebook")
        proc.kill()                                                # SIGKILL to the parent alone
        proc.communicate(timeout=WAIT_S)
    finally:
        proc.kill()
    wait_for(lambda: not alive(started) or None, "the workers to stop their kernels and exit", 60)
    # each worker removes its own partial notebook; the parent's staging folder of data slices may stay
    # behind (known gap, issue 12): the next run removes it (test_a_rerun_removes_what_a_killed_render_left)
    assert all(name.startswith(".qb-tmp-") for name in temporaries(out)), temporaries(out)
