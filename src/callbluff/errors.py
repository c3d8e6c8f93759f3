"""The error every face reports the same way: where the bad input is, and why.

Layer-neutral so that the scenario loader, the `.efg` reader and the web API can
all raise it; the CLI prints it and exits with status 2, the API answers 422.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType
from typing import Any


class InputError(Exception):
    """Bad input, located as precisely as we know.

    A plain exception class (not a frozen dataclass): Python sets ``__traceback__``
    and ``__context__`` on exceptions as they propagate.
    """

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,  # 1-based
        column: int | None = None,  # 1-based
        field: str | None = None,  # dotted path, e.g. "types[2].prior"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.field = field

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InputError) and (
            (self.message, self.file, self.line, self.column, self.field)
            == (other.message, other.file, other.line, other.column, other.field))

    def __hash__(self) -> int:
        return hash((self.message, self.file, self.line, self.column, self.field))


class TimeLimitError(InputError):
    """Work on an input ran past its time limit (see :func:`time_limit`).

    An :class:`InputError`, so that every face that reports bad input reports this
    one too (the CLI: the message and exit status 2).
    """

    def __str__(self) -> str:
        # Met outside any file (the whole command's limit): the message names the
        # command line, so no "<input>:" placeholder.
        return super().__str__() if self.file else self.message


@dataclass
class _Deadline:
    at: float  # time.monotonic() when it expires; math.inf: only names the input
    seconds: float
    what: str
    file: str | None


@dataclass
class _Foreign:
    """The SIGALRM handler and timer that were there before ours (pytest-timeout's)."""

    handler: Any
    at: float | None


_deadlines: list[_Deadline] = []
_foreign: _Foreign | None = None
#: Limit on reading one input file, in seconds, or None: set by the CLI only, so that
#: library users (and the web API's worker threads) get no signal from us.
_parse_seconds: float | None = None


def set_parse_time_limit(seconds: float | None) -> None:
    """Limit each later :func:`parse_time_limit` block to ``seconds`` (None: none)."""
    global _parse_seconds
    _parse_seconds = seconds if seconds is not None and seconds > 0 else None


def parse_time_limit(file: str) -> contextlib.AbstractContextManager[None]:
    """The time limit on reading ``file``, as set by :func:`set_parse_time_limit`."""
    return time_limit(_parse_seconds, "reading the file", file=file)


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str, file: str | None = None) -> Iterator[None]:
    """Raise :class:`TimeLimitError` in the block if it runs longer than ``seconds``.

    ``SIGALRM`` (``setitimer``) in the main thread; in another thread, which no
    signal reaches, a deadline that :func:`check_deadline` (called at each solve)
    enforces.  With ``seconds`` None or 0 the block runs unlimited but still names
    ``file`` as the input a timeout met in a surrounding block is reported for.
    Blocks nest: the timer is
    set to the earliest deadline, and a handler and timer that were there before
    (pytest-timeout's) are kept and restored.  A signal handler runs only between
    Python bytecodes, so code in C that holds the GIL (pygambit) is stopped only
    when it returns; the CLI's process supervisor covers that case.
    """
    limit = float(seconds) if seconds is not None and 0 < seconds < math.inf else None
    limited = limit is not None
    if threading.current_thread() is not threading.main_thread():
        if limit is None:
            yield
        else:
            with _thread_deadline(limit, what):
                yield
        return
    global _foreign
    entry = _Deadline(time.monotonic() + limit if limit is not None else math.inf,
                      limit or 0.0, what, file)
    if limited and _foreign is None and not any(d.at < math.inf for d in _deadlines):
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
        _foreign = _Foreign(previous, time.monotonic() + left if left > 0 else None)
    _deadlines.append(entry)
    try:
        if limited:
            _arm()
        yield
    finally:
        _deadlines.remove(entry)
        if limited:
            if any(d.at < math.inf for d in _deadlines):
                _arm()
            elif _foreign is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, _foreign.handler)
                if _foreign.at is not None:
                    # Re-arm the earlier timer; if it is already due, let it fire now.
                    signal.setitimer(signal.ITIMER_REAL,
                                     max(_foreign.at - time.monotonic(), 1e-3))
                _foreign = None


def _arm() -> None:
    times = [d.at for d in _deadlines if d.at < math.inf]
    if _foreign is not None and _foreign.at is not None:
        times.append(_foreign.at)
    if times:
        signal.setitimer(signal.ITIMER_REAL, max(min(times) - time.monotonic(), 1e-3))


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    now = time.monotonic()
    expired = [d for d in _deadlines if d.at <= now]
    if expired:
        first = min(expired, key=lambda d: d.at)
        file = first.file or next((d.file for d in reversed(_deadlines) if d.file), None)
        # If the exception is swallowed (raised inside a gc callback or a __del__), ring
        # again soon; the blocks' exits reset the timer when it propagates.
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        raise TimeLimitError(
            f"time limit of {first.seconds:g} s exceeded while {first.what} (allow more "
            "with --time-limit SECONDS or CALLBLUFF_TIME_LIMIT; 0 means no limit)",
            file=file)
    if _foreign is not None and _foreign.at is not None and _foreign.at <= now:
        handler = _foreign.handler
        _foreign.at = None
        _arm()
        if callable(handler):
            handler(signum, frame)
        return
    _arm()  # early (timers are coarse): wait for the rest


# -- deadlines of other threads ---------------------------------------------------------
# A thread cannot be interrupted from outside (no signal reaches it), so work that runs
# in one (the web API's computations) gets a deadline that the solver checks at each
# solve: an abandoned computation then ends at its next solve instead of holding its
# worker until it is done.

_thread_state = threading.local()


@contextlib.contextmanager
def _thread_deadline(seconds: float, what: str) -> Iterator[None]:
    previous = getattr(_thread_state, "deadline", None)
    entry = (time.monotonic() + seconds, seconds, what)
    # nested blocks: the earliest deadline holds
    _thread_state.deadline = entry if previous is None or entry[0] < previous[0] else previous
    try:
        yield
    finally:
        _thread_state.deadline = previous


def check_deadline() -> None:
    """Raise :class:`TimeLimitError` if this thread's deadline (set by
    :func:`time_limit` outside the main thread) has passed."""
    value = getattr(_thread_state, "deadline", None)
    if value is not None and time.monotonic() > value[0]:
        raise TimeLimitError(f"time limit of {value[1]:g} s exceeded while {value[2]}")
