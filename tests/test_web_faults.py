"""Faults of a real ``callbluff serve`` (uvicorn on 127.0.0.1, worker processes):
a computation past its time limit, a worker killed under a request, SIGTERM to the
server under load, and a damaged run store.

Truth: the operating system (``/proc`` and ``os.kill`` say whether a process is
alive), SQLite's own ``PRAGMA integrity_check`` and the store's per-run checksums
read back independently of the server, the statuses and headers the API documents
(docs/report-and-web.md), and the server's log.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from callbluff.store import RunStore
from conftest_web import TINY_YAML, Server, running_server, serve_command

#: An analysis that takes minutes of solves (thresholds on the largest built-in).
HEAVY = {"scenario": "hanoi-2019", "thresholds": True}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    try:  # a zombie is dead, only not yet collected
        return "State:\tZ" not in status.read_text()
    except OSError:
        return False


def status(server: Server) -> dict[str, Any]:
    answer = httpx.get(server.url + "/api/status", timeout=10)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def wait_until_busy(server: Server, busy: int, limit_s: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        now = status(server)
        if now["busy"] >= busy:
            return now
        time.sleep(0.05)
    raise AssertionError(f"never {busy} busy workers: {status(server)}")


def test_past_time_limit_is_503_and_the_worker_is_replaced_within_a_second() -> None:
    with running_server(command=serve_command("--timeout", "1", "--workers", "1",
                                              "--queue", "0")) as srv:
        for round_ in range(1, 4):  # again and again: the pool stays whole
            (old_pid,) = status(srv)["worker_pids"]
            started = time.monotonic()
            heavy = httpx.post(srv.url + "/api/analyze", json=HEAVY, timeout=60)
            answered = time.monotonic()
            assert heavy.status_code == 503, heavy.text
            assert heavy.headers["Retry-After"] == "5"
            assert "longer than 1 s" in heavy.json()["detail"]
            assert answered - started < 5  # the limit, not the minutes the analysis needs
            # Within a second of the 503 the old process is gone and a new one is idle.
            while True:
                now = status(srv)
                if (now["busy"] == 0 and now["worker_pids"] not in ([], [old_pid])
                        and not alive(old_pid)):
                    break
                assert time.monotonic() - answered < 1.0, now
                time.sleep(0.02)
            assert now["workers_replaced"] == round_
            assert alive(now["worker_pids"][0])
            # ... and it takes a new request (no 429: with a queue of 0, a pool without
            # an idle worker refuses at once).
            light = httpx.post(srv.url + "/api/solve", json={"yaml": TINY_YAML}, timeout=60)
            assert light.status_code == 200, light.text
        assert "Traceback" not in srv.log()


def test_queue_then_429_with_retry_after() -> None:
    """One worker, a queue of one: the second request waits, the third is refused."""
    with running_server(command=serve_command("--timeout", "3", "--workers", "1",
                                              "--queue", "1")) as srv:
        results: list[httpx.Response] = []

        def post() -> None:
            results.append(httpx.post(srv.url + "/api/analyze", json=HEAVY, timeout=60))

        first = threading.Thread(target=post)
        first.start()
        wait_until_busy(srv, 1)
        second = threading.Thread(target=post)
        second.start()
        deadline = time.monotonic() + 10
        while status(srv)["waiting"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        third = httpx.post(srv.url + "/api/analyze", json=HEAVY, timeout=60)
        assert third.status_code == 429
        assert third.headers["Retry-After"] == "1"
        first.join()
        second.join()
        # Both that were taken ran into the time limit, one after the other.
        assert [r.status_code for r in results] == [503, 503]


def test_worker_killed_mid_computation_gives_a_clean_503_and_is_replaced() -> None:
    with running_server(command=serve_command("--timeout", "120", "--workers", "1")) as srv:
        results: list[httpx.Response] = []
        request = threading.Thread(target=lambda: results.append(
            httpx.post(srv.url + "/api/analyze", json=HEAVY, timeout=120)))
        request.start()
        (victim,) = wait_until_busy(srv, 1)["worker_pids"]
        time.sleep(0.5)  # mid-computation
        os.kill(victim, signal.SIGKILL)
        request.join(30)
        assert not request.is_alive()
        (answer,) = results
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"] == "1"
        assert "stopped (killed by SIGKILL)" in answer.json()["detail"]
        now = status(srv)
        assert now["workers_replaced"] == 1 and now["busy"] == 0
        (fresh,) = now["worker_pids"]
        assert fresh != victim and alive(fresh) and not alive(victim)
        light = httpx.post(srv.url + "/api/solve", json={"yaml": TINY_YAML}, timeout=60)
        assert light.status_code == 200, light.text
        log = srv.log()
        assert "Traceback" not in log
        assert f"worker {victim} replaced by {fresh}" in log


def test_idle_worker_killed_is_replaced_before_its_next_request() -> None:
    with running_server(command=serve_command("--workers", "1")) as srv:
        (victim,) = status(srv)["worker_pids"]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(victim):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        r = httpx.post(srv.url + "/api/solve", json={"yaml": TINY_YAML}, timeout=60)
        assert r.status_code == 200, r.text
        now = status(srv)
        assert now["workers_replaced"] == 1 and now["worker_pids"] != [victim]


def test_worker_recycled_after_its_share_of_jobs() -> None:
    with running_server(env={"CALLBLUFF_WEB_WORKERS": "1",
                             "CALLBLUFF_WEB_JOBS_PER_WORKER": "3"}) as srv:
        (first,) = status(srv)["worker_pids"]
        pids = []
        for _ in range(4):
            r = httpx.post(srv.url + "/api/solve", json={"yaml": TINY_YAML}, timeout=60)
            assert r.status_code == 200, r.text
            pids.append(status(srv)["worker_pids"][0])
        # Jobs 1 and 2 on the first worker; after the third it is replaced.
        assert pids[0] == pids[1] == first != pids[2] == pids[3]
        assert not alive(first)
        now = status(srv)
        assert (now["workers_recycled"], now["workers_replaced"]) == (1, 0)


def store_is_whole(path: Path) -> list[int]:
    """SQLite's integrity check passes and every run reads back through its checksum;
    the ids of the runs."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with RunStore(path, read_only=True) as store:
        ids = [s.id for s in store.list(limit=None)]
        for run_id in ids:
            store.get(run_id)  # raises if the run's contents do not match its checksum
    return sorted(ids)


async def _students(url: str, users: int, stop: asyncio.Event) -> tuple[list[int], list[str],
                                                                          int]:
    """Slider moves until ``stop`` (bounded): the run ids answered, anything unclean,
    and the number of requests that failed cleanly (no answer at all)."""
    run_ids: list[int] = []
    unclean: list[str] = []
    clean_failures = 0

    async def student(i: int) -> None:
        nonlocal clean_failures
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:
            for step in range(200):
                if stop.is_set():
                    return
                body = {"yaml": TINY_YAML,
                        "overrides": {"regimes[strict].detection": (i * 37 + step) % 100 / 100}}
                try:
                    r = await client.post("/api/analyze", json=body)
                except httpx.TransportError as err:
                    if "complete message body" in str(err):  # an answer cut short
                        unclean.append(repr(err))
                    else:
                        clean_failures += 1  # refused, or closed before any answer
                    return
                if r.status_code == 200:
                    run_ids.append(int(r.headers["X-Run-Id"]))
                    r.json()  # the whole answer arrived
                elif r.status_code in (429, 503):
                    await asyncio.sleep(float(r.headers["Retry-After"]))
                else:
                    unclean.append(f"{r.status_code}: {r.text[:200]}")

    await asyncio.gather(*(student(i) for i in range(users)))
    return run_ids, unclean, clean_failures


def test_sigterm_under_load_finishes_in_flight_keeps_the_store_and_restarts(
        tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite3"
    command = serve_command("--store", str(store), "--workers", "2", "--queue", "4")
    with running_server(command=command) as srv:
        stop = asyncio.Event()

        async def load_then_sigterm() -> tuple[list[int], list[str], int, int]:
            task = asyncio.ensure_future(_students(srv.url, 6, stop))
            await asyncio.sleep(4)
            in_flight = status(srv)["busy"]
            srv.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(1)
            stop.set()
            run_ids, unclean, refused = await task
            return run_ids, unclean, refused, in_flight

        run_ids, unclean, refused, in_flight = asyncio.run(load_then_sigterm())
        # uvicorn shuts down gracefully, then exits by the signal it was sent.
        assert srv.process.wait(timeout=60) == -signal.SIGTERM
        log = srv.log()
    assert "Application shutdown complete" in log
    assert in_flight >= 1  # the signal came mid-computation
    assert refused >= 1  # requests sent after it were refused (no answer), not half-answered
    assert not unclean, unclean
    assert "Traceback" not in log
    # Every run answered is in the store, whole, and no other.
    assert run_ids and store_is_whole(store) == sorted(run_ids)
    # A restart on the same store serves again, and reads the earlier runs.
    with running_server(command=command) as again:
        listed = httpx.get(again.url + "/api/runs?limit=1000", timeout=30).json()["runs"]
        assert sorted(r["id"] for r in listed) == sorted(run_ids)
        r = httpx.post(again.url + "/api/analyze", json={"yaml": TINY_YAML}, timeout=120)
        assert r.status_code == 200
        assert int(r.headers["X-Run-Id"]) > max(run_ids)
    assert store_is_whole(store) == sorted([*run_ids, int(r.headers["X-Run-Id"])])


def test_damaged_run_is_an_internal_error_500_with_an_id_in_the_log(tmp_path: Path) -> None:
    """A real internal failure: a saved run whose contents no longer match their
    checksum (the file was damaged behind the server's back).  It is the server's
    failure, not the request's: 500 with an error id, and the log line names it."""
    store = tmp_path / "runs.sqlite3"
    with running_server(command=serve_command("--store", str(store))) as srv:
        r = httpx.post(srv.url + "/api/analyze", json={"yaml": TINY_YAML}, timeout=120)
        assert r.status_code == 200
        run_id = int(r.headers["X-Run-Id"])
        assert httpx.get(f"{srv.url}/api/runs/{run_id}", timeout=30).status_code == 200
        with sqlite3.connect(store) as conn:  # damage the stored result
            conn.execute("UPDATE runs SET result = ? WHERE id = ?", ('{"verdict": []}', run_id))
        damaged = httpx.get(f"{srv.url}/api/runs/{run_id}", timeout=30)
        assert damaged.status_code == 500, damaged.text
        error_id = damaged.json()["error_id"]
        assert re.fullmatch(r"[0-9a-f]{12}", error_id)
        assert error_id in damaged.json()["detail"]
        # An unknown id is still the client's 404, not a failure of ours.
        assert httpx.get(f"{srv.url}/api/runs/{run_id + 1}", timeout=30).status_code == 404
        log = srv.log()
    (line,) = [line for line in log.splitlines() if error_id in line]
    assert f"internal error {error_id} on GET /api/runs/{run_id}: StoreFailure:" in line
    assert f"run {run_id} is damaged" in line


@pytest.mark.parametrize("options", [["--workers", "0"], ["--queue", "-1"]])
def test_bad_pool_options_are_usage_errors(options: list[str]) -> None:
    from typer.testing import CliRunner

    import callbluff.cli.serve_cmd  # noqa: F401  (registers `serve`)
    from callbluff.cli.app import app

    result = CliRunner().invoke(app, ["serve", *options])
    assert result.exit_code == 2


def test_report_files_are_removed_after_success_and_after_a_kill(tmp_path: Path) -> None:
    """The worker writes each report to a temporary file that the server sends and then
    removes — also when the worker is killed at the time limit half-way."""
    with running_server(env={"TMPDIR": str(tmp_path)},
                        command=serve_command("--timeout", "3", "--workers", "1")) as srv:
        r = httpx.post(srv.url + "/api/report", json={"yaml": TINY_YAML}, timeout=120)
        assert r.status_code == 200 and r.text.startswith("<!DOCTYPE html>")
        assert 'filename="callbluff-report.html"' in r.headers["Content-Disposition"]
        slow = httpx.get(srv.url + "/api/report", params={"scenario": "hanoi-2019",
                                                          "thresholds": "true"}, timeout=120)
        assert slow.status_code == 503
        deadline = time.monotonic() + 5
        while list(tmp_path.glob("callbluff-report-*")):
            assert time.monotonic() < deadline, list(tmp_path.iterdir())
            time.sleep(0.05)
