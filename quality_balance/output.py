"""How the package writes: atomic files and folders, unwritable-folder errors, formula neutralising for spreadsheets.

Every writer of the package (result tables, ledgers, templates, the demo data,
rendered reports and their index) goes through this module, so that a failure
never leaves a half-written file behind and an output folder that cannot be
written always gives the same :class:`~quality_balance.errors.OutputError` (an ``InputError``):

* :func:`atomic_file` — write one file under a hidden temporary name beside it,
  then move it into place (``os.replace``, atomic on one file system);
* :func:`write_text` — :func:`atomic_file` for a text;
* :func:`atomic_folder` — write several files into a temporary folder inside the
  target and move them in only when every one is complete;
* :func:`replace_folder` — build a whole folder beside the target and swap it in,
  putting the previous folder back if the swap fails;
* :func:`safe_name` — a name from the data (city, county, school) made safe as one path component;
* :func:`path_inside` — a path below an output folder, resolved and checked to stay inside it;
* :func:`unwritable_output` — the error for a folder that cannot be written
  (no permission, read-only, disk full), :func:`writer_failure` for any other
  failure of a writer (both :class:`~quality_balance.errors.OutputError`);
* :func:`remove_stale` — remove the temporary files and folders that a killed
  run (SIGKILL, power cut) left in an output folder: only names of the patterns
  below, and only those of processes no longer running;
* :func:`neutralise_formulas` — text cells that a spreadsheet would run as a
  formula (beginning with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading apostrophe.

Temporary names carry the writing process's id, so that a later run can tell a
leftover from a file another run is still writing:
``.<name>.<pid>.tmp`` and ``.<name>.<pid>.partial.ipynb`` (:func:`atomic_file`),
``.qb-tmp-<pid>-<random>`` (:func:`atomic_folder`) and
``.<folder>.<pid>-<random>`` / ``.<folder>.old.<pid>-<random>`` (:func:`replace_folder`).
Moving finished files into place happens with SIGINT and SIGTERM held back
(:func:`quality_balance.interrupt.deferred`), and a failure half-way puts the
previous files back, so a command's outputs are all new or all as they were.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from .errors import InputError, OutputError, Problem, QualityBalanceError
from .interrupt import deferred

__all__ = ["atomic_file", "write_text", "atomic_folder", "replace_folder", "unwritable_output", "writer_failure",
           "remove_stale", "is_temporary", "neutralise_formulas", "FORMULA_START", "TEMPORARY_PATTERNS",
           "safe_name", "path_inside", "MAX_NAME_CHARS"]

#: The package's own temporary names (see the module docstring); ``pid`` is the writing process.
TEMPORARY_PATTERNS = (
    re.compile(r"^\..+\.(?P<pid>\d+)(?:\.tmp|\.partial\.ipynb)$"),   # atomic_file
    re.compile(r"^\.qb-tmp-(?P<pid>\d+)-[a-z0-9_]+$"),                  # atomic_folder
)

#: Longest name (county, city, school) kept whole in a file name; longer names are cut and given a hash.
MAX_NAME_CHARS = 40
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def safe_name(name: object) -> str:
    """A name from the data made safe as ONE path component, on Linux, macOS and Windows.

    Path separators, ``..``, characters Windows forbids and control characters are
    replaced by ``_``; leading and trailing dots and spaces removed; names longer
    than :data:`MAX_NAME_CHARS` cut and completed with a hash of the full name;
    reserved device names (``CON``, ``NUL``…) prefixed.

    >>> safe_name("清丰县"), safe_name("../../etc/passwd"), safe_name(".."), safe_name("nul")
    ('清丰县', '_.._etc_passwd', '未命名', '_nul')
    """
    text = _UNSAFE.sub("_", str(name)).strip(" .")
    if len(text) > MAX_NAME_CHARS:
        digest = hashlib.sha1(str(name).encode("utf-8")).hexdigest()[:8]
        text = text[:MAX_NAME_CHARS].rstrip(" .") + "~" + digest
    if not text or _RESERVED.match(text):
        text = "_" + text if text else "未命名"
    return text


def path_inside(folder: str | Path, relative: str | Path) -> Path:
    """``folder / relative``, resolved, refusing any result outside ``folder``.

    Every writer builds the paths of files named after data through this, after
    :func:`safe_name`: a county named ``../../x`` or a link planted in the output
    folder can never make it write elsewhere.

    Raises
    ------
    InputError
        When the resolved path is not inside the resolved ``folder``.
    """
    root = Path(folder).resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise InputError([Problem(str(relative), "由数据得出的文件路径会落在输出文件夹之外，已拒绝写入",
                                  value=str(target), expected=f"{root} 之内的路径",
                                  fix="检查数据中的市、县区或学校名称是否含有路径字符，或输出文件夹中是否有指向别处的链接")])
    return target

#: The first characters that make a spreadsheet cell a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells beginning with = + - @ (or tab/CR) with an apostrophe.

    Parameters
    ----------
    frame : DataFrame
        A table about to be written to a workbook.

    Returns
    -------
    DataFrame
        A copy in which every such text cell starts with ``'``; numbers are left alone.

    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok", -3]}))["a"].tolist()
    ["'=1+1", 'ok', -3]
    """
    out = frame.copy()
    for col in out.columns:
        column = out[col]
        if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
            continue
        # one vectorised test per column (str.startswith skips non-text cells as NaN), then only the hits change
        try:
            hits = column.str.startswith(FORMULA_START).fillna(False).astype(bool)
        except AttributeError:  # an object column without any text (all numbers or booleans)
            continue
        if hits.any():
            fixed = column.astype(object).copy()
            fixed[hits] = "'" + column[hits].astype(str)
            out[col] = fixed
    return out


_NO_PERMISSION = {errno.EACCES, errno.EPERM, errno.EROFS}
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_REASONS = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "文件系统是只读的",
            errno.ENOSPC: "磁盘空间已满", getattr(errno, "EDQUOT", errno.ENOSPC): "超出磁盘配额",
            errno.EFBIG: "文件超过文件系统允许的大小", errno.EEXIST: "路径上有同名的文件，不是文件夹",
            errno.ENOTDIR: "路径上有同名的文件，不是文件夹", errno.EISDIR: "同名的文件夹已存在"}


def unwritable_output(target: Path, exc: OSError) -> OutputError:
    """The error for an output folder that cannot be written (a file, no permission, read-only, disk full).

    Parameters
    ----------
    target : Path
        The folder (or file) that could not be written.
    exc : OSError
        What the operating system said; its ``errno`` chooses the reason and the
        fix (``EACCES``/``EPERM``/``EROFS``: permission; ``ENOSPC``/``EDQUOT``: space),
        its ``filename`` is named when it is not ``target`` itself.

    Returns
    -------
    OutputError
        One :class:`~quality_balance.errors.Problem` naming ``target``, the reason and the fix (``--out``).
    """
    reason = _REASONS.get(exc.errno, exc.strerror or str(exc))
    where = exc.filename if exc.filename and str(exc.filename) != str(target) else None
    if where is not None:
        reason += f"：{where}"
    if exc.errno in _NO_PERMISSION:
        fix = "换一个有写入权限的输出文件夹（--out），或请管理员开放该文件夹的写入权限"
    elif exc.errno in _NO_SPACE:
        fix = "清理磁盘空间后重试，或换一个空间充足的输出文件夹（--out）"
    else:
        fix = "换一个输出文件夹（--out）"
    return OutputError([Problem(str(target),
                                f"无法写入输出文件夹（{reason}）；没有留下写了一半的文件，已有的输出未被改动",
                                expected="可写入的文件夹路径", fix=fix)])


def writer_failure(target: Path, exc: BaseException) -> OutputError:
    """The error for a writer that failed for another reason than the file system (an openpyxl error, …).

    Parameters
    ----------
    target : Path
        The output folder.
    exc : BaseException
        What the writer raised (kept as ``__cause__`` by the callers).

    Returns
    -------
    OutputError
        One :class:`~quality_balance.errors.Problem` naming ``target`` and the writer's error.
    """
    return OutputError([Problem(str(target), f"写出结果时出错（{type(exc).__name__}: {exc}）；没有留下写了一半的文件，"
                                             "已有的输出未被改动", expected="能写出的数据",
                                fix="检查数据中的特殊字符或极端数值后重试；仍然出错时请报告此问题并附上这条信息")])


def _pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (one of another user's counts: it may still be writing; a zombie does not)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    try:  # Linux: a dead process not yet reaped by its parent is still found by kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace").rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def is_temporary(name: str) -> int | None:
    """The process id in ``name`` when it is one of :data:`TEMPORARY_PATTERNS`, else ``None``.

    Parameters
    ----------
    name : str
        A file or folder name (no folder part).

    Returns
    -------
    int or None

    >>> is_temporary(".清丰县.ipynb.4242.partial.ipynb"), is_temporary(".index.html.7.tmp")
    (4242, 7)
    >>> is_temporary("清丰县.ipynb") is None
    True
    """
    for pattern in TEMPORARY_PATTERNS:
        match = pattern.match(name)
        if match:
            return int(match.group("pid"))
    return None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_stale(folder: str | Path, *, depth: int = 0, pids: set[int] | None = None) -> list[Path]:
    """Remove the temporary files and folders that a killed run left in ``folder``.

    Only names matching :data:`TEMPORARY_PATTERNS` are removed, never anything
    else, and only those whose process is no longer running (a run writing into
    the same folder at the same time keeps its files) — or, when ``pids`` is
    given, those of these processes (the stopped workers of this run).

    Parameters
    ----------
    folder : str or Path
        The output folder; a missing folder has nothing to remove.
    depth : int, keyword-only
        How many levels of sub-folders to look into as well (``render`` writes
        into ``<out>/<city>/``: depth 1).
    pids : set of int, keyword-only
        Remove the temporaries of exactly these processes instead of those of dead ones.

    Returns
    -------
    list of Path
        What was removed.
    """
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        pid = is_temporary(entry.name)
        if pid is not None:
            if (pid in pids) if pids is not None else not _pid_alive(pid):
                _remove(entry)
                removed.append(entry)
        elif depth > 0 and entry.is_dir() and not entry.is_symlink():
            removed += remove_stale(entry, depth=depth - 1, pids=pids)
    return removed


def _temporary_name(path: Path, suffix: str) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}{suffix}")


@contextmanager
def atomic_file(path: str | Path, *, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path``; on success move it onto ``path``.

    Parameters
    ----------
    path : str or Path
        The file to write; its folder must exist.
    suffix : str, keyword-only
        End of the temporary name (``.<name>.<pid><suffix>``), e.g. ``".partial.ipynb"``
        for a writer that looks at the extension.

    Yields
    ------
    Path
        Where to write. If the block raises (or writes nothing there, which
        raises :class:`FileNotFoundError`), the temporary file is removed and
        ``path`` is left as it was.
    """
    path = Path(path)
    tmp = _temporary_name(path, suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (:func:`atomic_file`); return ``path``.

    Parameters
    ----------
    path : str or Path
        The file to write; its folder must exist.
    text : str
        The whole content.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


@contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success move its files into ``target`` (created if needed).

    Parameters
    ----------
    target : str or Path
        The output folder. Files already in it that the block does not write are kept.

    Yields
    ------
    Path
        A temporary folder inside ``target`` (``.qb-tmp-<pid>-<random>``); the block
        may write sub-folders in it too. Temporary folders that killed runs left in
        ``target`` are removed first (:func:`remove_stale`). Any :class:`OSError` on
        the way (``target`` is a file, no permission, disk full) becomes an
        :class:`~quality_balance.errors.OutputError` naming the folder
        (:func:`unwritable_output`), any other exception of the block but a
        :class:`~quality_balance.errors.QualityBalanceError` one from
        :func:`writer_failure`; the temporary folder is removed, so nothing
        half-written is left behind.

    Notes
    -----
    All or nothing: the files are moved in with SIGINT and SIGTERM held back
    (:func:`~quality_balance.interrupt.deferred`); a file already in ``target`` is
    set aside before its new version takes its place, and if any move fails,
    every new file is taken out again and every old one put back. A folder
    standing where a file should go is found before anything moves.
    """
    target = Path(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        remove_stale(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".qb-tmp-{os.getpid()}-", dir=target))
    except OSError as exc:
        raise unwritable_output(target, exc) from None
    try:
        yield tmp
        _move_all(tmp, target)
    except QualityBalanceError:
        raise
    except OSError as exc:
        raise unwritable_output(target, exc) from None
    except Exception as exc:  # noqa: BLE001 - any writer failure is an OutputError (openpyxl, pandas, ...)
        raise writer_failure(target, exc) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _move_all(tmp: Path, target: Path) -> None:
    """Move every file under ``tmp`` to the same place under ``target``: all of them, or none (see atomic_folder)."""
    files = sorted(p for p in tmp.rglob("*") if not p.is_dir() or p.is_symlink())
    for src in files:  # a folder where a file should go: refuse before anything moves
        dest = target / src.relative_to(tmp)
        if dest.is_dir() and not dest.is_symlink():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(dest))
    aside = Path(tempfile.mkdtemp(prefix=".old-", dir=tmp))
    made: list[Path] = []
    done: list[tuple[Path, Path | None]] = []
    with deferred():
        try:
            for n, src in enumerate(files):
                dest = target / src.relative_to(tmp)
                for parent in reversed(dest.relative_to(target).parents[:-1]):
                    if not (target / parent).exists():
                        (target / parent).mkdir()
                        made.append(target / parent)
                old = None
                if dest.exists() or dest.is_symlink():
                    old = aside / str(n)
                    os.replace(dest, old)
                try:
                    os.replace(src, dest)
                except BaseException:
                    if old is not None:
                        os.replace(old, dest)
                    raise
                done.append((dest, old))
        except BaseException:
            for dest, old in reversed(done):  # put everything back as it was
                try:
                    if old is not None:
                        os.replace(old, dest)
                    else:
                        dest.unlink(missing_ok=True)
                except OSError:
                    pass
            for folder in reversed(made):
                try:
                    folder.rmdir()
                except OSError:
                    pass
            raise


def _remove_stale_staging(folder: Path) -> None:
    """Remove the staging and retired folders of :func:`replace_folder` that killed runs left beside ``folder``."""
    pattern = re.compile(rf"^\.{re.escape(folder.name)}\.(?:old\.)?(?P<pid>\d+)-[a-z0-9_]+$")
    try:
        entries = list(folder.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        if match and not _pid_alive(int(match.group("pid"))):
            _remove(entry)


@contextmanager
def replace_folder(folder: str | Path) -> Iterator[Path]:
    """Yield a staging folder beside ``folder``; on success it becomes ``folder``, replacing the old one.

    Parameters
    ----------
    folder : str or Path
        The folder to write as a whole. The caller decides beforehand whether an
        existing folder may be replaced (the demo writer refuses one holding files it
        does not write).

    Yields
    ------
    Path
        The staging folder (``.<name>.<pid>-<random>`` in the same parent, so the final
        rename stays on one file system; those of killed runs are removed first). If
        the block raises, the staging folder is removed and ``folder`` is untouched;
        if the swap fails, the previous ``folder`` is put back. The swap happens with
        SIGINT and SIGTERM held back. An :class:`OSError` becomes an
        :class:`~quality_balance.errors.OutputError` naming the folder
        (:func:`unwritable_output`), any other exception but a
        :class:`~quality_balance.errors.QualityBalanceError` one from :func:`writer_failure`.
    """
    folder = Path(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(folder)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.{os.getpid()}-", dir=folder.parent))
    except OSError as exc:
        raise unwritable_output(folder, exc) from None
    try:
        yield staging
        with deferred():
            os.chmod(staging, 0o755)
            if folder.exists():
                retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.{os.getpid()}-", dir=folder.parent))
                os.rename(folder, retired / folder.name)
                try:
                    os.rename(staging, folder)
                except OSError:
                    os.rename(retired / folder.name, folder)  # put the previous folder back
                    raise
                finally:
                    shutil.rmtree(retired, ignore_errors=True)
            else:
                os.rename(staging, folder)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise unwritable_output(folder, exc) from None
        if isinstance(exc, Exception) and not isinstance(exc, QualityBalanceError):
            raise writer_failure(folder, exc) from exc
        raise


__all__ += ["scratch_folder"]


@contextmanager
def scratch_folder(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder inside ``target`` for intermediate files; remove it at the end, whatever happens.

    Unlike :func:`atomic_folder`, nothing in it is ever moved into ``target``: it holds what
    a command's workers read while it runs (``render``'s per-place data slices), inside the
    output folder so that workers on other machines sharing that folder see it too.

    Parameters
    ----------
    target : str or Path
        The output folder (created if needed).

    Yields
    ------
    Path
        ``target/.qb-tmp-<pid>-<random>`` (a :data:`TEMPORARY_PATTERNS` name): removed when the
        block ends, raises or is interrupted, and by the next run's :func:`remove_stale` when
        this process was killed outright. An :class:`OSError` creating it is an
        :class:`~quality_balance.errors.OutputError` naming ``target`` (:func:`unwritable_output`).
    """
    target = Path(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".qb-tmp-{os.getpid()}-", dir=target))
    except OSError as exc:
        raise unwritable_output(target, exc) from None
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
