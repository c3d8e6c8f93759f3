"""Load test: a class of students on one ``callbluff serve`` (127.0.0.1 only).

Run (the full test, about 2.5 minutes)::

    python benchmarks/load_web.py --users 20 --seconds 120

It starts the real ``callbluff serve`` on a free port of 127.0.0.1 with a fresh run
store (``--store``), then runs ``--users`` simulated students at once for
``--seconds`` seconds.  Each student does what one does on the page:

* loads the page and the default scenario (``GET /``, ``/api/scenarios``,
  ``/api/scenarios/{name}``);
* moves a slider about once a second (a random control of the scenario to a random
  value in its range), sending, after the page's 250 ms debounce, one ``POST
  /api/analyze`` for the verdict alone (no talks game, no package search), then one
  for everything, as the page does, and waiting for both before the next move;
* now and then downloads the report (``POST /api/report``) or uploads a scenario of
  their own (``POST /api/validate``, then ``/api/analyze`` with the YAML): one action
  in 12 and one in 9 at random, and the second action of every fourth student, so
  that even a short run has some;
* on 429 or 503, waits the ``Retry-After`` seconds and sends the same request again
  (at most ``RETRIES`` times), as the page does.

Every loop is bounded in time (the deadline) and in count (``MAX_ACTIONS`` per
student, ``RETRIES`` per action).

It prints the request rate, p50/p95/p99 latency per endpoint, the time from a
slider move to its verdict (with retries), the answers by status, the runs saved
in the store against the answers that should have saved one (each run read back
through its checksum, and each saved analysis compared with the answer sent), the
store's SQLite integrity check, and the RSS of the server and its worker processes
before (after a warm-up) and after.  It exits non-zero if a promise fails:

* the only statuses besides 2xx are the documented 413/422/429/503, and every
  429/503 carries ``Retry-After``;
* every run whose id was sent (``X-Run-Id``) is in the store, whole, and there is
  no other;
* the RSS after is at most ``RSS_GROWTH`` times the RSS before.

``--json FILE`` also writes every figure as JSON (used by ``tests/test_web_load.py``,
which runs a short version: 5 students for 15 s).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from callbluff.scenario.builtin import DEFAULT, builtin_path
from callbluff.store import RunStore

#: Statuses a student may see besides 2xx (docs/report-and-web.md).
ALLOWED = {413, 422, 429, 503}
#: Slider debounce of the page (static/app.js: DEBOUNCE_MS).
DEBOUNCE_S = 0.25
#: Seconds between a verdict and the next move (about one move a second).
THINK_S = (0.5, 1.0)
#: Most retries of one action on 429/503; most actions of one student.
RETRIES = 30
MAX_ACTIONS = 2000
#: A report, an upload: one action in this many.
REPORT_EVERY = 12
UPLOAD_EVERY = 9
#: The RSS after may be at most this many times the RSS before.
RSS_GROWTH = 1.5
#: Seconds between two RSS samples during the run.
RSS_EVERY_S = 10
#: Endpoints that save a run (kind by path).
SAVING = {"POST /api/analyze", "POST /api/report", "POST /api/solve", "POST /api/sweep"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tree_rss_kib(pid: int) -> tuple[int, int]:
    """RSS (KiB) of process ``pid`` and of all its descendants (Linux ``/proc``)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children[ppid].append(int(entry))

    def rss(p: int) -> int:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    own = rss(pid)
    total, todo = 0, list(children[pid])
    while todo:
        p = todo.pop()
        total += rss(p)
        todo.extend(children[p])
    return own, total


@dataclass
class Figures:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    move_to_verdict: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    transport_errors: Counter[str] = field(default_factory=Counter)
    #: run id -> (endpoint, sha256 of the answer's canonical JSON or None for HTML)
    runs: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    saving_ok: int = 0

    def note(self, endpoint: str, response: httpx.Response, seconds: float) -> None:
        self.latencies[endpoint].append(seconds)
        self.statuses[endpoint][response.status_code] += 1
        status = response.status_code
        if not (200 <= status < 300 or status in ALLOWED):
            self.failures.append(f"{endpoint}: status {status}: {response.text[:300]}")
        if status in (429, 503) and not response.headers.get("Retry-After"):
            self.failures.append(f"{endpoint}: {status} without Retry-After")
        if endpoint in SAVING and status == 200:
            self.saving_ok += 1
            run_id = response.headers.get("X-Run-Id")
            if run_id is None:
                self.failures.append(f"{endpoint}: 200 without X-Run-Id")
                return
            digest = (canonical_sha256(response.json())
                      if endpoint != "POST /api/report" else None)
            self.runs[int(run_id)] = (endpoint, digest)


def canonical_sha256(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Student:
    def __init__(self, number: int, client: httpx.AsyncClient, figures: Figures,
                 rng: random.Random, deadline: float, upload_yaml: str) -> None:
        self.number = number
        self.client = client
        self.figures = figures
        self.rng = rng
        self.deadline = deadline
        self.upload_yaml = upload_yaml
        self.controls: list[dict[str, Any]] = []

    async def request(self, method: str, path: str, body: Any = None) -> httpx.Response | None:
        """One request, retried on 429/503 after Retry-After (bounded); ``None`` when the
        deadline passed or the transport failed."""
        named = "/api/scenarios/{name}" if path.startswith("/api/scenarios/") else path
        endpoint = f"{method} {named}"
        for _ in range(RETRIES + 1):
            if time.monotonic() > self.deadline:
                return None
            started = time.monotonic()
            try:
                response = await self.client.request(method, path, json=body)
            except httpx.HTTPError as err:
                self.figures.transport_errors[f"{endpoint}: {type(err).__name__}"] += 1
                return None
            self.figures.note(endpoint, response, time.monotonic() - started)
            if response.status_code not in (429, 503):
                return response
            wait = float(response.headers.get("Retry-After", "1"))
            await asyncio.sleep(min(wait, max(0.0, self.deadline - time.monotonic())))
        return None

    async def run(self) -> None:
        for path in ("/", "/api/scenarios", f"/api/scenarios/{DEFAULT}"):
            response = await self.request("GET", path)
            if response is None:
                return
        assert response is not None
        self.controls = response.json()["summary"]["controls"] if response.status_code == 200 \
            else []
        for action in range(1, MAX_ACTIONS + 1):
            if time.monotonic() > self.deadline:
                return
            if self.next_is("report", action):
                await self.request("POST", "/api/report", {"scenario": DEFAULT,
                                                           "overrides": self.overrides()})
            elif self.next_is("upload", action):
                checked = await self.request("POST", "/api/validate", {"yaml": self.upload_yaml})
                if checked is not None and checked.status_code == 200:
                    await self.request("POST", "/api/analyze", {"yaml": self.upload_yaml})
            else:
                await self.move()
            await asyncio.sleep(self.rng.uniform(*THINK_S))

    def next_is(self, what: str, action: int) -> bool:
        """Whether action number ``action`` is a report (an upload): the second action
        of every fourth student (of the next ones), so that a short run has some of
        each; later one in ``REPORT_EVERY`` (``UPLOAD_EVERY``) at random."""
        first = 1 if what == "report" else 2
        if action == 2:
            return self.number % 4 == first
        return self.rng.random() < 1 / (REPORT_EVERY if what == "report" else UPLOAD_EVERY)

    def overrides(self) -> dict[str, float]:
        if not self.controls:
            return {}
        control = self.rng.choice(self.controls)
        low, high = control["min"], control["max"]
        return {control["path"]: round(self.rng.uniform(low, high), 3)}

    async def move(self) -> None:
        moved = time.monotonic()
        body = {"scenario": DEFAULT, "overrides": self.overrides(), "thresholds": False}
        await asyncio.sleep(DEBOUNCE_S)
        response = await self.request("POST", "/api/analyze",
                                      {**body, "policies": False, "package": False})
        if response is not None and response.status_code == 200:
            self.figures.move_to_verdict.append(time.monotonic() - moved)
            await self.request("POST", "/api/analyze", body)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def check_store(path: Path, figures: Figures, earlier: set[int]) -> dict[str, Any]:
    """Runs saved (besides the ``earlier`` ones) against expected, each read back
    through its checksum; SQLite's own integrity check."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    damaged: list[str] = []
    mismatched: list[int] = []
    with RunStore(path, read_only=True) as store:
        saved = {s.id for s in store.list(limit=None)} - earlier
        for run_id, (_, digest) in sorted(figures.runs.items()):
            if run_id not in saved:
                continue
            try:
                record = store.get(run_id)
            except Exception as err:  # reported, then failed below
                damaged.append(f"{run_id}: {err}")
                continue
            if digest is not None and canonical_sha256(record.result) != digest:
                mismatched.append(run_id)
    expected = set(figures.runs)
    return {"integrity_check": integrity, "saved": len(saved), "expected": len(expected),
            "answers_200": figures.saving_ok, "missing": sorted(expected - saved),
            "unexpected": sorted(saved - expected), "damaged": damaged,
            "result_differs": mismatched}


async def run_students(url: str, users: int, seconds: float, seed: int,
                       timeout_s: float, token: str | None) -> tuple[Figures, float]:
    figures = Figures()
    upload = builtin_path("libya-2003").read_text(encoding="utf-8")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=url, timeout=timeout_s + 30, limits=limits,
                                 headers=headers) as client:
        started = time.monotonic()
        deadline = started + seconds
        students = [Student(i, client, figures, random.Random(seed * 1000 + i), deadline,
                            upload) for i in range(users)]
        await asyncio.gather(*(s.run() for s in students))
        return figures, time.monotonic() - started


def start_server(store: Path, options: list[str], token: str | None
                 ) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    handle, name = tempfile.mkstemp(prefix="callbluff-load-", suffix=".log")
    command = [sys.executable, "-c", "from callbluff.cli import main; main()", "serve",
               "--host", "127.0.0.1", "--port", str(port), "--store", str(store), *options]
    env = {**os.environ, **({"CALLBLUFF_TOKEN": token} if token else {})}
    with os.fdopen(handle, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {Path(name).read_text()}")
        try:
            if httpx.get(url + "/openapi.json", timeout=2).status_code == 200:
                return process, url, Path(name)
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("server not ready after 120 s")


def warm_up(url: str, token: str | None) -> None:
    """One request of each kind, so that 'RSS before' is a server that has worked."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=url, timeout=600, headers=headers) as client:
        for _ in range(2):  # both workers, most likely
            client.post("/api/analyze", json={"scenario": DEFAULT})
        client.post("/api/report", json={"scenario": DEFAULT})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queue", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--store", type=Path, help="run store (default: a fresh temporary one)")
    parser.add_argument("--token", help="serve with this token (and send it)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="callbluff-load-"))
    store = args.store or folder / "runs.sqlite3"
    options = ["--workers", str(args.workers), "--queue", str(args.queue),
               "--timeout", str(args.timeout)]
    process, url, log_path = start_server(store, options, args.token)
    try:
        warm_up(url, args.token)
        rss_before = tree_rss_kib(process.pid)
        # The warm-up saved runs too: only the load's runs are counted below.
        with RunStore(store, read_only=True) as s:
            before_ids = {r.id for r in s.list(limit=None)}
        samples: list[tuple[int, int]] = []
        done = threading.Event()

        def sample() -> None:  # server's and workers' RSS every RSS_EVERY_S seconds
            while not done.wait(RSS_EVERY_S):
                samples.append(tree_rss_kib(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        figures, elapsed = asyncio.run(run_students(url, args.users, args.seconds, args.seed,
                                                    args.timeout, args.token))
        done.set()
        sampler.join()
        rss_after = tree_rss_kib(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            exit_code = process.wait(timeout=args.timeout + 30)
        except subprocess.TimeoutExpired:
            process.kill()
            exit_code = process.wait()
    store_figures = check_store(store, figures, before_ids)
    log_text = log_path.read_text(errors="replace")

    total = sum(len(v) for v in figures.latencies.values())
    endpoints = {}
    for endpoint in sorted(figures.latencies):
        values = figures.latencies[endpoint]
        endpoints[endpoint] = {
            "requests": len(values), "p50_s": percentile(values, 50),
            "p95_s": percentile(values, 95), "p99_s": percentile(values, 99),
            "statuses": dict(sorted(figures.statuses[endpoint].items()))}
    by_status: Counter[int] = Counter()
    for counter in figures.statuses.values():
        by_status.update(counter)
    growth = (rss_after[0] + rss_after[1]) / max(1, rss_before[0] + rss_before[1])
    report = {
        "users": args.users, "seconds": round(elapsed, 1), "requests": total,
        "rate_per_s": total / elapsed, "endpoints": endpoints,
        "statuses": dict(sorted(by_status.items())),
        "transport_errors": dict(figures.transport_errors),
        "move_to_verdict": {"count": len(figures.move_to_verdict),
                            "p50_s": percentile(figures.move_to_verdict, 50),
                            "p95_s": percentile(figures.move_to_verdict, 95)},
        "store": store_figures,
        "rss_kib": {"server_before": rss_before[0], "workers_before": rss_before[1],
                    "server_after": rss_after[0], "workers_after": rss_after[1],
                    "growth": growth, f"every_{RSS_EVERY_S}_s": samples},
        "server_exit_code": exit_code,
        "tracebacks_in_log": log_text.count("Traceback"),
        "failures": figures.failures[:20],
    }
    problems = list(figures.failures)
    if store_figures["integrity_check"] != "ok":
        problems.append(f"integrity check: {store_figures['integrity_check']}")
    for key in ("missing", "unexpected", "damaged", "result_differs"):
        if store_figures[key]:
            problems.append(f"store {key}: {store_figures[key][:10]}")
    if store_figures["expected"] != figures.saving_ok:
        problems.append(f"{figures.saving_ok} answers 200 but {store_figures['expected']} run ids")
    if growth > RSS_GROWTH:
        problems.append(f"RSS grew {growth:.2f}x (limit {RSS_GROWTH}x)")
    if figures.transport_errors:
        problems.append(f"transport errors: {dict(figures.transport_errors)}")
    # uvicorn shuts down gracefully, then exits by the signal it was sent.
    if exit_code != -signal.SIGTERM or "Application shutdown complete" not in log_text:
        problems.append(f"no graceful shutdown after SIGTERM (exit code {exit_code})")
    if report["tracebacks_in_log"]:
        problems.append("traceback in the server log")
    report["problems"] = problems
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 1 if problems else 0


def print_report(r: dict[str, Any]) -> None:
    print(f"{r['users']} students, {r['seconds']} s: {r['requests']} requests, "
          f"{r['rate_per_s']:.1f} requests/s")
    print(f"{'endpoint':32} {'requests':>8} {'p50 s':>7} {'p95 s':>7} {'p99 s':>7}  statuses")
    for endpoint, e in r["endpoints"].items():
        print(f"{endpoint:32} {e['requests']:8d} {e['p50_s']:7.3f} {e['p95_s']:7.3f} "
              f"{e['p99_s']:7.3f}  {e['statuses']}")
    m = r["move_to_verdict"]
    print(f"slider move -> verdict (debounce and retries included): {m['count']} verdicts, "
          f"p50 {m['p50_s']:.2f} s, p95 {m['p95_s']:.2f} s")
    print(f"answers by status: {r['statuses']}; transport errors: {r['transport_errors']}")
    s = r["store"]
    print(f"runs saved {s['saved']} / expected {s['expected']} (answers 200 that save: "
          f"{s['answers_200']}); missing {len(s['missing'])}, unexpected "
          f"{len(s['unexpected'])}, damaged {len(s['damaged'])}, result differs "
          f"{len(s['result_differs'])}; SQLite integrity_check: {s['integrity_check']}")
    k = r["rss_kib"]
    print(f"RSS before: server {k['server_before'] / 1024:.0f} MiB + workers "
          f"{k['workers_before'] / 1024:.0f} MiB; after: server {k['server_after'] / 1024:.0f}"
          f" MiB + workers {k['workers_after'] / 1024:.0f} MiB (x{k['growth']:.2f}, limit "
          f"x{RSS_GROWTH})")
    series = ", ".join(f"{own / 1024:.0f}+{workers / 1024:.0f}"
                       for own, workers in k[f"every_{RSS_EVERY_S}_s"])
    print(f"RSS of server+workers every {RSS_EVERY_S} s (MiB): {series}")
    print(f"server exit code after SIGTERM: {r['server_exit_code']} (graceful shutdown, "
          "then exit by the signal)")
    print("OK" if not r["problems"] else "PROBLEMS:\n  " + "\n  ".join(r["problems"]))


if __name__ == "__main__":
    raise SystemExit(main())
