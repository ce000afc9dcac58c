"""Freed memory kept for reuse by the command's own process, rather than handed back and faulted in again.

At national scale (≈1 M school-years) an assessment makes and drops hundreds of arrays of 8–60 MB. The C
library (glibc) serves each large one from a fresh ``mmap`` and unmaps it when it is freed, so every new array
is page-faulted and zeroed by the kernel again: on a virtual machine that was about a third of the CPU time of
loading and assessing the national set. Told to keep freed memory (:func:`keep_freed_memory`), the allocator
hands the same pages out again. Measured by ``benchmarks/bench_national.py --national`` on this 2-core virtual
machine (2026-12-02): load + assess 23.8 → 17.2 s of CPU, peak memory 2.61 → 2.74 GiB.

Only the ``quality-balance`` command does this, for its own process, which ends when the command does
(:func:`quality_balance.cli.command`). A notebook kernel or a user's script keeps the C library's defaults;
the same effect is had there by starting it with the environment variables ``MALLOC_MMAP_MAX_=0
MALLOC_TRIM_THRESHOLD_=2147483647 MALLOC_TOP_PAD_=67108864`` (README, national scale).
"""
from __future__ import annotations

import ctypes
import sys

__all__ = ["keep_freed_memory"]

#: glibc's ``mallopt`` parameters (malloc.h).
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX = -1, -2, -4
#: The settings: no ``mmap`` for large blocks (they come from the heap, reused when freed), free memory at the
#: top of the heap handed back only beyond 2 GiB, and the heap grown 64 MiB at a time.
KEEP_FREED = ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1), (M_TOP_PAD, 64 << 20))


def keep_freed_memory() -> bool:
    """Set this process's allocator to keep freed memory for reuse (module docstring); glibc only.

    Returns
    -------
    bool
        True when the C library took every setting; False where it has no ``mallopt`` (not Linux, or not
        glibc), and then nothing is changed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return all(mallopt(parameter, value) == 1 for parameter, value in KEEP_FREED)
