"""Worker processes for the web app's computations, with a time limit that kills.

A thread cannot be stopped from outside, so a computation that ran in a thread past
its limit kept its worker until it noticed.  Here every computation runs in one of
``size`` worker processes:

* a job past its time limit is killed with its process (``SIGKILL``), a fresh worker
  takes the dead one's place, and only then is the caller told (:class:`TooSlow`,
  the API's 503) — so the pool is whole again when the 503 leaves;
* up to ``queue_length`` further jobs wait for a free worker, in arrival order; a job
  beyond that is refused at once (:class:`Busy`, the API's 429);
* a worker that dies under a job (killed by the OS, say) fails that job with
  :class:`WorkerLost` (503) and is replaced the same way;
* a worker that has done ``jobs_per_worker`` jobs is replaced the same way: memory
  that Python frees but keeps (arena fragmentation after large reports) never piles
  up, so the server's memory stays flat however long it runs;
* a job whose caller is cancelled (a forced shutdown of the server) takes its
  worker with it: the worker is killed and replaced, so that no stale answer is
  ever read as the next job's.

Workers are forked from a fork server that has already imported the analysis
(``multiprocessing``'s *forkserver* start method with a preload), so a new worker is
ready in milliseconds rather than the seconds a fresh interpreter needs to import
callbluff, and no worker is ever forked from the threaded server process itself.

Jobs are module-level functions (pickled by reference) with picklable arguments.
What a job raises comes back as data: :class:`~callbluff.errors.InputError` is raised
again as itself (the API's 422); anything else is our bug, raised as
:class:`JobFailed` with the worker's traceback (the API's 500 with an error id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from callbluff.errors import InputError

T = TypeVar("T")
log = logging.getLogger("callbluff.web")

#: Modules the fork server imports once, so that every forked worker has them.
PRELOAD = ["callbluff.web.jobs"]


class Busy(RuntimeError):
    """Every worker is taken and the queue is full."""


class TooSlow(RuntimeError):
    """The computation ran past the time limit (its worker was killed)."""


class WorkerLost(RuntimeError):
    """The worker process died under the job (not by our time limit)."""


class JobFailed(RuntimeError):
    """The job raised something other than :class:`InputError`: a bug of ours."""

    def __init__(self, summary: str, worker_traceback: str) -> None:
        super().__init__(summary)
        self.worker_traceback = worker_traceback


@dataclass(frozen=True)
class PoolStatus:
    size: int
    busy: int
    waiting: int
    queue_length: int
    time_limit_s: float
    worker_pids: tuple[int, ...]
    replaced: int
    recycled: int


# -- inside a worker -----------------------------------------------------------------

def _worker_main(conn: Connection) -> None:
    """Run jobs from ``conn`` until it closes; every outcome goes back as data."""
    # Ctrl-C in a terminal reaches the whole process group: the server decides when
    # its workers stop (it kills them), so that in-flight requests can finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):
            return  # the server has gone
        outcome: tuple[Any, ...]
        try:
            outcome = ("ok", function(*args))
        except InputError as err:
            outcome = ("input", err.message, err.file, err.line, err.column, err.field)
        except Exception as err:  # a bug: reported to the server, which logs it
            outcome = ("bug", f"{type(err).__name__}: {err}", traceback.format_exc())
        try:
            conn.send(outcome)
        except (BrokenPipeError, EOFError):
            return
        except Exception as err:  # an answer that cannot be pickled is our bug too
            conn.send(("bug", f"{type(err).__name__}: {err}", traceback.format_exc()))


# -- in the server -------------------------------------------------------------------

class _Worker:
    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        ours, theirs = context.Pipe(duplex=True)
        process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(theirs,), daemon=True, name="callbluff-worker")
        process.start()
        theirs.close()
        self.process = process
        self.pid = process.pid or 0  # kept: the process object is closed once reaped
        self.conn = ours
        self.jobs = 0

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.conn.close()

    def reap(self) -> None:
        self.process.join(5)
        with contextlib.suppress(ValueError):
            self.process.close()


class WorkerPool:
    """``size`` worker processes, a queue of ``queue_length`` waiting jobs, a time
    limit of ``time_limit_s`` seconds per job (the time a job waits in the queue is
    not counted), and a fresh worker after every ``jobs_per_worker`` jobs of one.
    Use from one asyncio event loop; :meth:`close` when done."""

    def __init__(self, size: int, queue_length: int, time_limit_s: float,
                 jobs_per_worker: int) -> None:
        if size < 1:
            raise ValueError(f"need at least one worker, got {size}")
        if queue_length < 0:
            raise ValueError(f"the queue length cannot be negative, got {queue_length}")
        if time_limit_s <= 0:
            raise ValueError(f"the time limit must be positive, got {time_limit_s}")
        self.size = size
        self.queue_length = queue_length
        self.time_limit_s = time_limit_s
        self.jobs_per_worker = max(1, jobs_per_worker)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self._idle: deque[_Worker] = deque()
        self._all: list[_Worker] = []
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._busy = 0
        self._replaced = 0
        self._recycled = 0
        self._closed = False

    def start(self) -> None:
        """Start the workers (blocking: the first start also starts the fork server)."""
        for _ in range(self.size):
            worker = _Worker(self._context)
            self._all.append(worker)
            self._idle.append(worker)

    def status(self) -> PoolStatus:
        return PoolStatus(size=self.size, busy=self._busy, waiting=len(self._waiters),
                          queue_length=self.queue_length, time_limit_s=self.time_limit_s,
                          worker_pids=tuple(w.pid for w in self._all),
                          replaced=self._replaced, recycled=self._recycled)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker; see the module docstring for what it raises."""
        if self._closed:
            raise Busy("the server is shutting down")
        worker = await self._acquire()
        if not worker.process.is_alive():  # died while idle: a fresh one does the job
            worker = await self._fresh_in_place_of(worker)
        self._busy += 1
        try:
            return await self._run_on(worker, function, args)
        finally:
            self._busy -= 1

    async def _acquire(self) -> _Worker:
        if self._idle:
            return self._idle.popleft()
        if len(self._waiters) >= self.queue_length:
            raise Busy(f"all {self.size} workers are busy and the queue is full "
                       f"({self.queue_length} waiting); retry in a moment")
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
            elif waiter.done() and not waiter.cancelled():
                self._release(waiter.result())  # handed over just as we left
            raise

    def _release(self, worker: _Worker) -> None:
        """Give ``worker`` to the first waiting job, else back to the idle ones."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    async def _run_on(self, worker: _Worker, function: Callable[..., T],
                      args: tuple[Any, ...]) -> T:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        healthy = False
        try:
            try:
                worker.conn.send((function, args))
            except OSError:
                raise WorkerLost("the worker for this request had stopped; it has been "
                                 "replaced: retry") from None
            loop.add_reader(fd, readable)
            try:
                await asyncio.wait_for(ready, self.time_limit_s)
            finally:
                loop.remove_reader(fd)
            try:
                # The answer may be a few MB (a report): read it off the event loop.
                outcome = await asyncio.to_thread(worker.conn.recv)
            except (EOFError, OSError):
                code = await asyncio.to_thread(self._exit_code, worker)
                raise WorkerLost(f"the worker computing this request stopped ({code}); "
                                 "it has been replaced: retry") from None
            healthy = True
        except TimeoutError:
            raise TooSlow(f"the computation took longer than {self.time_limit_s:g} s and "
                          "was stopped; turn thresholds off or ask for less") from None
        finally:
            worker.jobs += 1
            if not healthy:
                await self._replace(worker)
            elif worker.jobs < self.jobs_per_worker:
                self._release(worker)
            else:
                await self._replace(worker, recycled=True)
        answer: T = self._unpack(outcome)
        return answer

    @staticmethod
    def _exit_code(worker: _Worker) -> str:
        worker.process.join(1)
        code = worker.process.exitcode
        if code is None:
            return "no answer"
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit status {code}"

    async def _replace(self, worker: _Worker, recycled: bool = False) -> None:
        """Kill ``worker``; a fresh one takes its place (and the next waiting job)."""
        if self._closed:
            worker.kill()
            return
        self._release(await self._fresh_in_place_of(worker, recycled))

    async def _fresh_in_place_of(self, worker: _Worker, recycled: bool = False) -> _Worker:
        """Kill ``worker`` (lost, too slow, or ``recycled`` after its share of jobs) and
        start a new one in its place (not yet given a job)."""
        worker.kill()
        if worker in self._all:
            self._all.remove(worker)
        fresh = await asyncio.to_thread(_Worker, self._context)
        if recycled:
            self._recycled += 1
        else:
            self._replaced += 1
        self._all.append(fresh)
        log.info("worker %d %s by %d", worker.pid,
                 f"recycled after {worker.jobs} jobs, replaced" if recycled else "replaced",
                 fresh.pid)
        # Collect the dead process off the event loop.
        asyncio.get_running_loop().run_in_executor(None, worker.reap)
        return fresh

    @staticmethod
    def _unpack(outcome: tuple[Any, ...]) -> Any:
        kind = outcome[0]
        if kind == "ok":
            return outcome[1]
        if kind == "input":
            message, file, line, column, field = outcome[1:]
            raise InputError(message, file=file, line=line, column=column, field=field)
        raise JobFailed(outcome[1], outcome[2])

    def close(self) -> None:
        """Stop every worker (jobs still running are killed)."""
        self._closed = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(Busy("the server is shutting down"))
        self._waiters.clear()
        for worker in self._all:
            worker.kill()
        for worker in self._all:
            worker.reap()
        self._all.clear()
        self._idle.clear()


__all__ = ["PRELOAD", "Busy", "JobFailed", "PoolStatus", "TooSlow", "WorkerLost",
           "WorkerPool"]
