"""Time limits of the CLI: a command that runs too long ends with a message, exit 2.

Two layers, because a Python signal handler runs only between bytecodes:

* in the process, :func:`callbluff.errors.time_limit` (``SIGALRM``) raises a
  :class:`~callbluff.errors.TimeLimitError` that the command reports like any bad
  input, naming the file it was working on;
* pygambit's C++ solvers hold the GIL and never look at signals (``enummixed`` on
  ``tests/data/gambit/contrib/bayes2a.efg`` runs for more than ten minutes), so the
  real ``callbluff`` process (not an in-process test runner) forks: the child runs
  the command, the parent waits and, :data:`GRACE_SECONDS` after the deadline,
  kills the child, prints the message and exits with status 2.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from types import FrameType

#: The whole command, in seconds, unless --time-limit / CALLBLUFF_TIME_LIMIT says.
DEFAULT_SECONDS = 900.0
#: Reading one input file (YAML or .efg), at most; files are bounded in size too.
PARSE_SECONDS = 60.0
#: How long after the deadline the parent process stops a child stuck in C code.
GRACE_SECONDS = 2.0
ENV = "CALLBLUFF_TIME_LIMIT"
#: Commands limited by default; the others (serve, sweeps) only when asked.
DEFAULT_LIMITED = frozenset(
    {"analyze", "solve", "validate", "export", "report", "cases", "scenario", "scenarios"})
#: Commands that are never limited: the server runs until it is stopped.
NEVER_LIMITED = frozenset({"serve"})

#: Set by :func:`callbluff.cli.main`: this is the real process, which may fork.
real_process = False


def command_limit(command: str | None, given: float | None) -> float | None:
    """The limit for ``command`` in seconds, or None for none."""
    if command in NEVER_LIMITED:
        return None
    if given is not None:
        return given if given > 0 else None
    return DEFAULT_SECONDS if command in DEFAULT_LIMITED else None


def supervise(seconds: float, describe: str) -> None:
    """Fork; the child returns and runs the command, the parent never returns.

    The parent waits for the child and exits with its status; if the child is
    still running ``seconds`` + :data:`GRACE_SECONDS` from now, it kills it and
    exits 2 with a message.  Signals that stop a command (INT, TERM, HUP) are
    passed on to the child.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        return

    def forward(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    deadline = time.monotonic() + seconds + GRACE_SECONDS
    try:
        pidfd: int | None = os.pidfd_open(pid)
    except (AttributeError, OSError):  # old kernel: poll instead
        pidfd = None
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            os._exit(code if code >= 0 else 128 - code)
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if pidfd is not None:
            select.select([pidfd], [], [], left)  # retried after a signal (PEP 475)
        else:
            time.sleep(min(left, 0.05))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.stderr.write(
        f"error: time limit of {seconds:g} s exceeded: {describe} was stopped (allow more "
        f"with --time-limit SECONDS or {ENV}; 0 means no limit)\n")
    sys.stderr.flush()
    os._exit(2)
