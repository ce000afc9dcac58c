"""Stopping on Ctrl-C (SIGINT) and SIGTERM: an exception instead of a sudden death, and critical sections.

By default Python turns SIGINT into :class:`KeyboardInterrupt` but lets SIGTERM
kill the process outright, without running a single ``finally`` block, so a
writer stopped by ``kill`` or a scheduler would leave its temporary files behind.
For the duration of a command, :func:`stop_on_signals` turns both into an
:class:`Interrupted` exception (a :class:`KeyboardInterrupt`), raised once; the
writers of :mod:`quality_balance.output` then remove what they had not finished,
and the command line prints :func:`interrupted_message` and exits with
:func:`interrupted_status` (130 for SIGINT, 143 for SIGTERM: 128 + the signal
number, as a shell reports a process killed by that signal).

:func:`deferred` holds both signals back for a few renames (moving finished
files into place), so that an interruption comes before or after them, never
in the middle: a command's outputs are all new or all old.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["STOP_SIGNALS", "Interrupted", "stop_on_signals", "deferred", "interrupted_status",
           "interrupted_message"]

#: The signals that stop a command: Ctrl-C and ``kill``'s default.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_NAMES = {signal.SIGINT: "Ctrl-C / SIGINT", signal.SIGTERM: "SIGTERM"}


class Interrupted(KeyboardInterrupt):
    """A stop signal turned into an exception by :func:`stop_on_signals`.

    Parameters
    ----------
    signum : int
        The signal received (``signal.SIGINT`` or ``signal.SIGTERM``).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = int(signum)


# One state for the process: nested contexts share it, and only the main thread handles signals.
_state = {"depth": 0, "stopping": None, "deferring": 0, "pending": None, "previous": {}}


def _handler(signum, frame) -> None:
    if _state["deferring"]:
        _state["pending"] = _state["pending"] or signum
        return
    if _state["stopping"] is not None:  # already stopping: a second Ctrl-C must not break the clean-up
        return
    _state["stopping"] = signum
    raise Interrupted(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` (once; repeats are ignored).

    Outside the main thread (where Python cannot handle signals) the block runs
    unchanged. Nested blocks share one state; the previous handlers come back
    when the outermost block ends.

    Yields
    ------
    None
    """
    if not _main_thread():
        yield
        return
    if _state["depth"] == 0:
        _state["previous"] = {s: signal.getsignal(s) for s in STOP_SIGNALS}
        _state["stopping"] = None
        for s in STOP_SIGNALS:
            signal.signal(s, _handler)
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        if _state["depth"] == 0:
            for s, previous in _state["previous"].items():
                signal.signal(s, previous if previous is not None else signal.SIG_DFL)
            _state["stopping"] = None


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block ends, then act on the first one received.

    For short critical sections (a few ``os.replace`` calls). Under
    :func:`stop_on_signals` the signal then raises :class:`Interrupted` at the end
    of the block; otherwise it is raised again at the end of the block, and the
    handler in place before (Python's default: :class:`KeyboardInterrupt` for
    SIGINT, death for SIGTERM) decides. Outside the main thread the block runs unchanged.

    Yields
    ------
    None
    """
    if not _main_thread():
        yield
        return
    ours = _state["depth"] > 0
    previous = {} if ours else {s: signal.getsignal(s) for s in STOP_SIGNALS}
    for s in previous:
        signal.signal(s, _handler)
    _state["deferring"] += 1
    try:
        yield
    finally:
        _state["deferring"] -= 1
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        if _state["deferring"] == 0 and _state["pending"] is not None:
            signum, _state["pending"] = _state["pending"], None
            if ours:
                _handler(signum, None)
            else:
                signal.raise_signal(signum)


def interrupted_status(exc: BaseException) -> int:
    """The exit status of a command stopped by ``exc``: 128 + the signal number (130 SIGINT, 143 SIGTERM).

    Parameters
    ----------
    exc : BaseException
        An :class:`Interrupted`, or a plain :class:`KeyboardInterrupt` (SIGINT).

    Returns
    -------
    int
    """
    return 128 + int(getattr(exc, "signum", signal.SIGINT))


def interrupted_message(exc: BaseException) -> str:
    """What the command line prints when ``exc`` stopped a command (Chinese and English).

    Parameters
    ----------
    exc : BaseException
        An :class:`Interrupted`, or a plain :class:`KeyboardInterrupt` (SIGINT).

    Returns
    -------
    str
    """
    signum = int(getattr(exc, "signum", signal.SIGINT))
    verb = "已中断" if signum == signal.SIGINT else "已终止"
    return (f"{verb}（{_NAMES.get(signum, f'signal {signum}')}）：已停止全部工作进程，未写完的文件已删除，"
            f"之前的输出未被改动 / {'interrupted' if signum == signal.SIGINT else 'terminated'}: workers stopped, "
            "unfinished files removed, earlier outputs left as they were")
