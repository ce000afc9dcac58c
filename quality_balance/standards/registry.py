"""One registry for the standards files: profiles and plans are found, listed and read the same way.

A *registry* is a kind of TOML file (``profile``, ``plan``) with a shipped folder
(:data:`quality_balance.paths.PROFILE_DIR`, :data:`quality_balance.paths.PLAN_DIR`).
A user adds files by naming a ``search_path`` (folders searched after the shipped
one; a file of the same name there wins) or by passing a file's path.

* :meth:`Registry.available` lists ``name → file`` (the file's stem is its name).
  Each folder is globbed once and the listing cached until the folder changes
  (its modification time), so resolving the profile of 40 000 counties does not
  glob 40 000 times. A folder or file changed in the last :data:`SETTLE_NS`
  nanoseconds is always read afresh: file-system clocks are coarse (a few ms), so
  a change made right after a listing could leave the time stamp unchanged.
* :meth:`Registry.locate` turns a name or a path into a file, or raises
  :class:`~quality_balance.errors.ProfileError` listing the known names.
* :meth:`Registry.read` parses a file; a syntax error names the file and the
  line (``at line 3, column 9``), an unreadable file names the file and the
  reason. Parsed files are cached until the file changes; every call returns a
  fresh copy, so callers may change what they get.

The registries are :data:`PROFILES` and :data:`PLANS`; :mod:`.profile` and :mod:`.plan`
validate and interpret what they read.
"""
from __future__ import annotations

import copy
import os
import time
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .. import paths
from ..errors import ProfileError, suggest

__all__ = ["Registry", "PROFILES", "PLANS", "SETTLE_NS"]

#: A folder or file modified less than this long ago (ns) is not served from the cache.
SETTLE_NS = 2_000_000_000


def _stamp(path: Path) -> tuple[int, int] | None:
    """What changes when a file or folder changes: (modification time in ns, size); None if it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _settled(stamp: tuple[int, int] | None) -> bool:
    return stamp is not None and time.time_ns() - stamp[0] >= SETTLE_NS


def _list(folder: str) -> tuple[Path, ...]:
    return tuple(sorted(Path(folder).glob("*.toml")))


def _parse(path: str) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=256)
def _cached_list(folder: str, stamp: tuple[int, int]) -> tuple[Path, ...]:
    return _list(folder)


@lru_cache(maxsize=256)
def _cached_parse(path: str, stamp: tuple[int, int]) -> dict:
    return _parse(path)


def _toml_files(folder: Path) -> tuple[Path, ...]:
    """The ``*.toml`` files of one folder, sorted by name (cached per folder state); none for a missing folder."""
    stamp = _stamp(folder)
    if stamp is None:
        return ()
    return _cached_list(str(folder), stamp) if _settled(stamp) else _list(str(folder))


def _parsed(path: Path) -> dict:
    stamp = _stamp(path)
    return _cached_parse(str(path), stamp) if _settled(stamp) else _parse(str(path))


@dataclass(frozen=True)
class Registry:
    """A kind of standards file and where the shipped ones are.

    Parameters
    ----------
    kind : str
        ``"profile"`` or ``"plan"``: the word the error messages use (and the parameter name).
    folder : Path
        The shipped folder, searched first.
    label : str
        What a user calls it, in Chinese (评估标准, 规划).
    """

    kind: str
    folder: Path
    label: str = "配置"

    def folders(self, search_path: Iterable[str | Path] = ()) -> list[Path]:
        """The folders searched, in order: the shipped folder, then ``search_path``."""
        return [Path(self.folder), *map(Path, search_path)]

    def available(self, search_path: Iterable[str | Path] = ()) -> dict[str, Path]:
        """Name → file for every ``*.toml`` in the shipped folder and in ``search_path``.

        Parameters
        ----------
        search_path : iterable of str or Path
            Extra folders; a file there replaces a shipped file of the same name
            (a missing folder adds nothing).

        Returns
        -------
        dict of str to Path
            In listing order: shipped files by name, then each folder's new names.
        """
        found: dict[str, Path] = {}
        for folder in self.folders(search_path):
            for file in _toml_files(folder):
                found[file.stem] = file
        return found

    def locate(self, name_or_path: str | Path, search_path: Iterable[str | Path] = ()) -> Path:
        """The file of a name (``"national"``, ``"濮阳市"``) or of a path to a ``.toml`` file.

        Parameters
        ----------
        name_or_path : str or Path
            A name of :meth:`available`, or a path (anything ending in ``.toml`` or
            naming an existing file is taken as a path).
        search_path : iterable of str or Path
            Extra folders for names.

        Returns
        -------
        Path
            The file.

        Raises
        ------
        ProfileError
            For a path that does not exist, or an unknown name (listing the known ones).
        """
        candidate = Path(name_or_path)
        if candidate.suffix == ".toml" or candidate.exists():
            if not candidate.exists():
                raise ProfileError(f"{self.kind} file {candidate} does not exist")
            return candidate
        known = self.available(search_path)
        if str(name_or_path) not in known:
            hint = suggest(str(name_or_path), known)
            raise ProfileError(
                f"没有名为“{name_or_path}”的{self.label}（参数 {self.kind}）"
                + (f"，是否指“{hint}”？" if hint else "。")
                + f"\nunknown {self.kind} {str(name_or_path)!r}; expected one of {', '.join(sorted(known))} "
                f"or the path of a .toml file")
        return known[str(name_or_path)]

    def read(self, path: str | Path) -> dict:
        """The parsed TOML of ``path`` (a fresh copy; cached until the file changes).

        Parameters
        ----------
        path : str or Path
            A ``.toml`` file.

        Returns
        -------
        dict
            Its tables and keys.

        Raises
        ------
        ProfileError
            Naming the file: a syntax error with its line and column ("fix the line
            it names"), or why the file cannot be read.
        """
        path = Path(path)
        try:
            return copy.deepcopy(_parsed(path))
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"{self.kind} file {path}: not valid TOML ({exc}); fix the line it names") from None
        except OSError as exc:
            raise ProfileError(f"{self.kind} file {path}: cannot be read ({exc.strerror or exc})") from None


#: Standards profiles (thresholds, weights, limits): ``quality_balance/standards/profiles/*.toml``.
PROFILES = Registry("profile", paths.PROFILE_DIR, "评估标准")
#: Plan targets: ``quality_balance/standards/plans/*.toml``.
PLANS = Registry("plan", paths.PLAN_DIR, "规划")
