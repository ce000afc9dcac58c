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
* :func:`unwritable_output` — the error for a folder that cannot be written;
* :func:`neutralise_formulas` — text cells that a spreadsheet would run as a
  formula (beginning with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading apostrophe.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from .errors import InputError, Problem

__all__ = ["atomic_file", "write_text", "atomic_folder", "replace_folder", "unwritable_output",
           "neutralise_formulas", "FORMULA_START"]

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
