"""Run store under real processes: concurrent writers, and writers killed mid-write.

Each writer is a fresh ``python`` process using the installed package; nothing is
mocked.  What must hold (SQLite WAL guarantees, https://sqlite.org/atomiccommit.html):
every committed run is there whole, nothing half-written is ever visible, and
``PRAGMA integrity_check`` says ``ok``.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from callbluff.store import RunStore

SCENARIO = "id: nk2009\ntypes:\n  - id: security\n    prior: 0.4\n"

CONCURRENT_WRITER = """
import os, sys, time
from callbluff.store import RunStore
path, go, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
while not os.path.exists(go):
    time.sleep(0.002)
with RunStore(path) as store:
    for i in range(count):
        store.record("sweep", "nk2009", SCENARIO,
                     {"worker": worker, "i": i}, {"value": worker * 1000 + i}, seed=i)
""".replace("SCENARIO", repr(SCENARIO))

# Writes big runs forever; prints "begin" before each record() and the id after it.
ENDLESS_WRITER = """
import sys
from callbluff.store import RunStore
path, round_ = sys.argv[1], int(sys.argv[2])
with RunStore(path) as store:
    i = 0
    while True:
        blob = [f"{round_}:{i}:{k}:" + "x" * 40 for k in range(4000)]
        print("begin", flush=True)
        run = store.record("sweep", "nk2009", SCENARIO, {"round": round_, "i": i},
                           {"blob": blob, "size": len(blob)})
        print(run.id, flush=True)
        i += 1
""".replace("SCENARIO", repr(SCENARIO))


def _expected_blob(round_: int, i: int) -> list[str]:
    return [f"{round_}:{i}:{k}:" + "x" * 40 for k in range(4000)]


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_four_concurrent_writers_all_succeed(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"  # not created yet: the writers race to create it
    go = tmp_path / "go"
    workers, count = 4, 50
    procs = [
        _python(CONCURRENT_WRITER, str(path), str(go), str(w), str(count)) for w in range(workers)
    ]
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert err == ""

    assert _integrity(path) == "ok"
    with RunStore(path) as store:
        runs = store.list(limit=None)
        assert len(runs) == workers * count
        assert len({r.id for r in runs}) == workers * count
        seen = set()
        for summary in runs:
            run = store.get(summary.id)
            worker, i = run.params["worker"], run.params["i"]
            assert run.result == {"value": worker * 1000 + i}
            assert run.seed == i
            seen.add((worker, i))
    assert seen == {(w, i) for w in range(workers) for i in range(count)}


def test_writer_killed_mid_write_leaves_store_whole(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    rng = random.Random(20090501)
    reported: set[int] = set()
    killed_inside_record = 0
    rounds = 6
    for round_ in range(rounds):
        proc = _python(ENDLESS_WRITER, str(path), str(round_))
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert lines == ["begin\n", lines[1]] and lines[1].strip().isdigit(), (
            proc.stderr.read() if proc.stderr else ""
        )  # it has committed at least one run
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        lines += out.splitlines(keepends=True)
        reported.update(int(line) for line in lines if line.strip().isdigit())
        # Killed between "begin" and the id: inside record(), most of it in SQLite.
        killed_inside_record += lines[-1] == "begin\n"
    # A record takes far longer than the loop around it, so nearly every kill lands
    # inside one; if none did, this test would not be testing what it says.
    assert killed_inside_record >= 1

    assert _integrity(path) == "ok"
    with RunStore(path) as store:
        runs = store.list(limit=None)
        assert {r.id for r in runs} >= reported  # every commit that returned is kept
        rounds_seen = set()
        for summary in runs:
            run = store.get(summary.id)  # checks the stored checksum
            round_, i = run.params["round"], run.params["i"]
            assert run.result == {"blob": _expected_blob(round_, i), "size": 4000}
            rounds_seen.add(round_)
        assert rounds_seen == set(range(rounds))
        # The store still takes writes after all that.
        after = store.record("analyze", "nk2009", SCENARIO, {}, {"ok": True})
        assert store.get(after.id) == after
    assert _integrity(path) == "ok"
