"""Freed memory kept for reuse (by the command's process, and during the package's heavy calls), not faulted in again.

At national scale (≈1 M school-years) an assessment makes and drops hundreds of arrays of 8–60 MB. The C
library (glibc) serves each large one from a fresh ``mmap`` and unmaps it when it is freed, so every new array
is page-faulted and zeroed by the kernel again: on a virtual machine that was about a third of the CPU time of
loading and assessing the national set. Told to keep freed memory (:func:`keep_freed_memory`), the allocator
hands the same pages out again. Measured by ``benchmarks/bench_national.py --national`` on this 2-core virtual
machine (2026-12-02): load + assess 23.8 → 17.2 s of CPU, peak memory 2.61 → 2.74 GiB.

The ``quality-balance`` command does this for its whole process, which ends when the command does
(:func:`quality_balance.cli.command`). In a notebook kernel or a user's script the heavy calls of the package
(``load_dataset``, ``assess``, ``assess_resources``, ``progress``, ``project``, ``gap_to_pass``) do it for their
own duration only (:func:`reusing_freed_memory`): on leaving, the allocator is set back to what the C library's
own adaptive settings reach once a program has freed a large block (:data:`AFTERWARDS`) and the freed memory is
handed back (``malloc_trim``), so the process holds no more memory after the call than it would have. Measured on
the 1 M-row set (the pipeline stage of ``benchmarks/bench_national.py --national``, one run each, this 2-core
virtual machine, 2026-12-03): load 9.1 → 6.2 s, ``assess_resources`` 13.2 → 8.3 s, ``assess`` 16.2 → 10.2 s of
CPU, peak 2.44 → 2.52 GiB. At 100 000 rows it makes no difference beyond the noise (the arrays are small).
"""
from __future__ import annotations

import ctypes
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["keep_freed_memory", "reusing_freed_memory"]

#: glibc's ``mallopt`` parameters (malloc.h).
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD, M_MMAP_MAX = -1, -2, -3, -4
#: The settings: no ``mmap`` for large blocks (they come from the heap, reused when freed), free memory at the
#: top of the heap handed back only beyond 2 GiB, and the heap grown 64 MiB at a time.
KEEP_FREED = ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1), (M_TOP_PAD, 64 << 20))
#: After :func:`reusing_freed_memory`: what glibc's adaptive settings become once a program has freed a block of
#: 32 MiB or more (its largest ``mmap`` threshold, trim threshold twice that), with the default pad and number of
#: mapped blocks. Setting any of them by ``mallopt`` ends the adaptation, so they are set to where it leads.
AFTERWARDS = ((M_MMAP_THRESHOLD, 32 << 20), (M_TRIM_THRESHOLD, 64 << 20), (M_TOP_PAD, 128 << 10),
              (M_MMAP_MAX, 65536))

_lock = threading.Lock()
_state = {"depth": 0, "process": False}  # open scopes; whether the whole process keeps freed memory


def _libc():
    """The process's own C library when it has ``mallopt`` (glibc on Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        return None
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return libc


def _set(libc, settings) -> bool:
    return all(libc.mallopt(parameter, value) == 1 for parameter, value in settings)


def keep_freed_memory() -> bool:
    """Set this process's allocator to keep freed memory for reuse (module docstring); glibc only.

    Returns
    -------
    bool
        True when the C library took every setting; False where it has no ``mallopt`` (not Linux, or not
        glibc), and then nothing is changed.
    """
    libc = _libc()
    if libc is None:
        return False
    with _lock:
        _state["process"] = _set(libc, KEEP_FREED)
        return _state["process"]


@contextmanager
def reusing_freed_memory() -> Iterator[bool]:
    """Within this block the allocator keeps freed memory for reuse (module docstring); glibc only.

    The outermost block of a thread or of several at once sets :data:`KEEP_FREED`; when the last one ends the
    allocator is set to :data:`AFTERWARDS` and the memory freed meanwhile is handed back to the system
    (``malloc_trim(0)``). Nothing is changed where the C library has no ``mallopt``, nor in a process that keeps
    freed memory throughout (:func:`keep_freed_memory`, the command's).

    Yields
    ------
    bool
        True when freed memory is kept for reuse within the block.
    """
    libc = _libc()
    if libc is None:
        yield False
        return
    with _lock:
        _state["depth"] += 1
        kept = _state["process"] or _state["depth"] > 1 or _set(libc, KEEP_FREED)
    try:
        yield kept
    finally:
        with _lock:
            _state["depth"] -= 1
            if not _state["depth"] and not _state["process"]:
                _set(libc, AFTERWARDS)
                libc.malloc_trim(0)
