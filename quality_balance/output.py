"""How the package writes: atomic files and folders, unwritable-folder errors, formula neutralising for spreadsheets.

Every writer of the package (result tables, ledgers, templates, the demo data,
rendered reports and their index) goes through this module, so that a failure
never leaves a half-written file behind and an output folder that cannot be
written always gives the same :class:`~quality_balance.errors.InputError`:

* :func:`atomic_file` — write one file under a hidden temporary name beside it,
  then move it into place (``os.replace``, atomic on one file system);
* :func:`write_text` — :func:`atomic_file` for a text;
* :func:`atomic_folder` — write several files into a temporary folder inside the
  target and move them in only when every one is complete;
* :func:`replace_folder` — build a whole folder beside the target and swap it in,
  putting the previous folder back if the swap fails;
* :func:`safe_name` — a name from the data (city, county, school) made safe as one path component;
* :func:`path_inside` — a path below an output folder, resolved and checked to stay inside it;
* :func:`unwritable_output` — the error for a folder that cannot be written;
* :func:`neutralise_formulas` — text cells that a spreadsheet would run as a
  formula (beginning with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading apostrophe.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from .errors import InputError, Problem

__all__ = ["atomic_file", "write_text", "atomic_folder", "replace_folder", "unwritable_output",
           "neutralise_formulas", "FORMULA_START", "safe_name", "path_inside", "MAX_NAME_CHARS"]

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
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def unwritable_output(target: Path, exc: OSError) -> InputError:
    """The error for an output folder that cannot be written (a file, no permission, disk full).

    Parameters
    ----------
    target : Path
        The folder (or file) that could not be written.
    exc : OSError
        What the operating system said.

    Returns
    -------
    InputError
        One :class:`~quality_balance.errors.Problem` naming ``target``, the reason and the fix (``--out``).
    """
    return InputError([Problem(str(target), f"无法写入输出文件夹（{exc.strerror or exc}）",
                               expected="可写入的文件夹路径", fix="换一个输出文件夹（--out）")])


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
        A temporary folder inside ``target``. Any :class:`OSError` on the way
        (``target`` is a file, no permission, disk full) becomes an
        :class:`~quality_balance.errors.InputError` naming the folder
        (:func:`unwritable_output`), and the temporary folder is removed, so
        nothing half-written is left behind.
    """
    target = Path(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".qb-tmp-", dir=target))
    except OSError as exc:
        raise unwritable_output(target, exc) from None
    try:
        yield tmp
        for item in tmp.iterdir():
            os.replace(item, target / item.name)
    except OSError as exc:
        raise unwritable_output(target, exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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
        The staging folder (``.<name>.<random>`` in the same parent, so the final
        rename stays on one file system). If the block raises, the staging folder is
        removed and ``folder`` is untouched; if the swap fails, the previous
        ``folder`` is put back.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        yield staging
        os.chmod(staging, 0o755)
        if folder.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
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
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
