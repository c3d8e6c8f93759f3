"""The nightly-size fuzz run, one command: ``python fuzz/nightly.py --minutes 30``.

1. the Hypothesis fuzz suites (tests/test_fuzz_*.py, and the web API's
   tests/test_web_schemathesis.py) with many more examples, each for its share of
   the time (a suite still running then is stopped, not failed)
   (``CALLBLUFF_FUZZ_EXAMPLES``, default 2000 here);
2. each atheris harness (fuzz_scenario.py, fuzz_efg.py) for its share of the time,
   on a seed corpus of the built-in scenarios and the .efg files.
Prints how many inputs each part tried and every failure; exits 1 if any failed.
atheris comes with the ``fuzz`` extra: ``pip install -e '.[fuzz]'``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESSES = {"scenario": "fuzz_scenario.py", "efg": "fuzz_efg.py"}


def seed_corpus(work: Path) -> dict[str, Path]:
    sys.path.insert(0, str(ROOT / "src"))
    from callbluff.game.bargain import compile_offer
    from callbluff.game.efg import write_efg
    from callbluff.scenario.builtin import builtin_path, list_builtin
    from callbluff.scenario.loader import load_scenario

    corpus = {name: work / "corpus" / name for name in HARNESSES}
    for folder in corpus.values():
        folder.mkdir(parents=True, exist_ok=True)
    for name in list_builtin():
        shutil.copy(builtin_path(name), corpus["scenario"] / f"{name}.yaml")
        scenario = load_scenario(name)
        (corpus["efg"] / f"{name}.efg").write_text(
            write_efg(compile_offer(scenario, scenario.offers[0].id)))
    for i, path in enumerate(sorted((ROOT / "tests" / "data").rglob("*.efg"))):
        shutil.copy(path, corpus["efg"] / f"{i}-{path.name}")
    for path in (ROOT / "tests" / "data" / "fuzz").glob("*"):
        target = "efg" if path.suffix == ".efg" else "scenario"
        shutil.copy(path, corpus[target] / path.name)
    return corpus


#: The Hypothesis suites, and whether each is the (much slower) web API suite.
SUITES = {"scenario": "test_fuzz_scenario.py", "efg": "test_fuzz_efg.py",
          "cli": "test_fuzz_cli.py", "api": "test_web_schemathesis.py"}


def run_hypothesis(name: str, examples: int, seconds: float, work: Path) -> tuple[bool, str]:
    """One suite with ``examples`` per property, stopped (not failed) at ``seconds``."""
    env = {**os.environ, "CALLBLUFF_FUZZ_EXAMPLES": str(examples)}
    log = work / f"hypothesis-{name}.log"
    start = time.monotonic()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
             str(ROOT / "tests" / SUITES[name])],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            proc.wait(timeout=seconds)
            stopped = False
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            stopped = True
    lines = log.read_text(errors="replace").splitlines()
    passed = sum(1 for line in lines if line.endswith("PASSED") or " PASSED " in line)
    # the short summary (-ra in pyproject) has one "FAILED test-id - reason" per failure
    failed = sorted({line for line in lines if line.startswith(("FAILED ", "ERROR "))})
    broken = not stopped and proc.returncode not in (0, 5) and not failed
    report = (f"hypothesis {name}: {examples} examples per property, "
              f"{time.monotonic() - start:.0f} s: {passed} tests passed, {len(failed)} failed"
              + (" (time budget reached: stopped there)" if stopped else "")
              + "".join(f"\n  {line}" for line in failed)
              + (f"\n  exit status {proc.returncode}; see {log}" if broken else ""))
    return not failed and not broken, report


def run_atheris(name: str, corpus: Path, seconds: int, work: Path) -> tuple[bool, str]:
    crashes = work / "crashes" / name
    crashes.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, str(ROOT / "fuzz" / HARNESSES[name]), f"-max_total_time={seconds}",
            "-rss_limit_mb=4096", "-timeout=60", "-max_len=65536",
            f"-artifact_prefix={crashes}/", str(corpus)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True,
                          timeout=seconds + 300)
    log = done.stdout + done.stderr
    (work / f"atheris-{name}.log").write_text(log)
    runs = re.findall(r"#(\d+)\s+(?:DONE|pulse|NEW|REDUCE|INITED)", log)
    tried = max((int(r) for r in runs), default=0)
    found = sorted(p.name for p in crashes.iterdir())
    report = f"atheris {name}: {tried} inputs in {seconds} s, {len(found)} failing input(s)"
    report += "".join(f"\n  {crashes / f}" for f in found)
    if done.returncode != 0 and not found:
        report += f"\n  exit status {done.returncode}; see {work / f'atheris-{name}.log'}"
    return done.returncode == 0 and not found, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--examples", type=int, default=2000,
                        help="Hypothesis examples per property")
    parser.add_argument("--api-examples", type=int, default=80,
                        help="examples per operation of the web API suite (each one a "
                        "request to a live server, some of them solves)")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "callbluff-fuzz",
                        help="corpus, logs and failing inputs")
    args = parser.parse_args()
    budget = args.minutes * 60
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = seed_corpus(args.work)
    ok, report = True, []
    try:
        import atheris  # noqa: F401
        have_atheris = True
    except ImportError:
        have_atheris = False
        report.append("atheris not installed (pip install -e '.[fuzz]'): harnesses skipped")
    share = (budget / 2 if have_atheris else budget) / len(SUITES)
    for name in SUITES:
        examples = args.api_examples if name == "api" else args.examples
        passed, text = run_hypothesis(name, examples, share, args.work)
        ok &= passed
        report.append(text)
        print(text, flush=True)
    if have_atheris:
        for name in HARNESSES:
            passed, text = run_atheris(name, corpus[name], max(int(budget / 4), 10), args.work)
            ok &= passed
            report.append(text)
            print(text, flush=True)
    print("\n".join(["", "== nightly fuzz ==", *report, "OK" if ok else "FAILURES"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
