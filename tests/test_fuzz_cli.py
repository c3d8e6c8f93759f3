"""Fuzzing the CLI (`validate`, `solve FILE.efg`, `analyze FILE`) on mutated files, and
its time limit.

In process through Typer's ``CliRunner`` for most examples, and a few real
``callbluff`` processes.  The property: exit status 0 with a result, or 2 with an
error that names the file — never a traceback, never another status, never a hang
(``--time-limit`` / ``CALLBLUFF_TIME_LIMIT``, tested with inputs that really are slow).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from callbluff.cli import app
from callbluff.errors import TimeLimitError, time_limit
from callbluff.scenario.builtin import builtin_path, list_builtin

DATA = Path(__file__).parent / "data"
CALLBLUFF = Path(sys.executable).parent / "callbluff"
_N = int(os.environ.get("CALLBLUFF_FUZZ_EXAMPLES", "0"))
YAML_SEEDS = [builtin_path(n).read_bytes() for n in list_builtin()]
# Small games only: each solves in well under a second.
EFG_SEEDS = [p.read_bytes() for p in sorted((DATA / "gambit" / "catalog").rglob("*.efg"))
             if p.stat().st_size < 1500]
SLOW_EFG = DATA / "gambit" / "contrib" / "bayes2a.efg"  # pygambit enummixed: > 10 minutes


def fuzz_settings(default: int) -> Any:
    return settings(max_examples=_N or default, deadline=None, derandomize=True,
                    database=None, suppress_health_check=list(HealthCheck))


def mutate(data: bytes, draw: st.DrawFn) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(out)))
        op = draw(st.sampled_from(["flip", "delete", "truncate", "splice"]))
        if op == "flip" and out:
            out[min(at, len(out) - 1)] = draw(st.integers(0, 255))
        elif op == "delete":
            del out[at:at + draw(st.integers(1, 40))]
        elif op == "truncate":
            del out[at:]
        else:
            out[at:at] = draw(st.sampled_from(
                [b"\xff", b"{", b"}", b"-1", b"1/0", b"1e400", b'"', b": ", b"&a *a", b"\n- "]))
    return bytes(out)


def assert_clean(result: Any, path: Path) -> None:
    """Exit 0, or exit 2 with the file named; no traceback, no stray exception."""
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code in (0, 2), (result.exit_code, output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in output
    if result.exit_code == 2:
        assert str(path) in output.replace("\n", ""), output


@st.composite
def yaml_files(draw: st.DrawFn) -> bytes:
    return mutate(draw(st.sampled_from(YAML_SEEDS)), draw)


@st.composite
def efg_files(draw: st.DrawFn) -> bytes:
    return mutate(draw(st.sampled_from(EFG_SEEDS)), draw)


@fuzz_settings(40)
@given(raw=yaml_files())
def test_validate_mutated_scenarios(tmp_path_factory: pytest.TempPathFactory,
                                    raw: bytes) -> None:
    path = tmp_path_factory.mktemp("cli") / "mutant.yaml"
    path.write_bytes(raw)
    assert_clean(CliRunner().invoke(app, ["validate", str(path)]), path)


@fuzz_settings(40)
@given(raw=efg_files())
def test_solve_mutated_efg(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("cli") / "mutant.efg"
    path.write_bytes(raw)
    assert_clean(CliRunner().invoke(app, ["--time-limit", "120", "solve", str(path),
                                          "--json"]), path)


LIBYA = builtin_path("libya-2003").read_text(encoding="utf-8")
NUMBERS = list(re.finditer(r"(?<=value: )-?[0-9.]+", LIBYA))


@fuzz_settings(4)
@given(at=st.integers(0, len(NUMBERS) - 1),
       value=st.sampled_from(["0", "1", "-1", "1000000", "0.999", "1/3", "-0.0"]))
def test_analyze_mutated_scenario(tmp_path_factory: pytest.TempPathFactory,
                                  at: int, value: str) -> None:
    """One number of a scenario changed: the whole analysis runs or says why not."""
    match = NUMBERS[at]
    path = tmp_path_factory.mktemp("cli") / "mutant.yaml"
    path.write_text(LIBYA[:match.start()] + f'"{value}"' + LIBYA[match.end():])
    assert_clean(CliRunner().invoke(app, ["analyze", str(path), "--no-thresholds",
                                          "--json"]), path)


def test_regression_no_equilibrium_at_the_magnitude_limit() -> None:
    """Found by fuzzing: a fallback payoff of 10¹² (the magnitude limit) beside payoffs
    of about 10 made the float search of every off-path belief fail, so no equilibrium
    was reported (every finite game has one); the exact simplex fallback of
    ``solve.exact`` finds them."""
    from callbluff.game.bargain import compile_offer
    from callbluff.scenario.loader import load_scenario
    from callbluff.solve import solve
    scenario = load_scenario(DATA / "fuzz" / "no-equilibrium-at-magnitude-limit.yaml")
    from regret_oracle import independent_regret
    result = solve(compile_offer(scenario, "all-in"))
    assert result.equilibria
    assert all(independent_regret(result.game, eq) == 0 for eq in result.equilibria)


def test_regression_imperfect_recall_is_an_error_not_a_traceback() -> None:
    """Found by the nightly run: pygambit's RuntimeError escaped `solve`."""
    path = DATA / "fuzz" / "imperfect-recall.efg"
    result = CliRunner().invoke(app, ["solve", str(path)])
    assert_clean(result, path)
    assert result.exit_code == 2 and "imperfect recall" in result.output


# -- time limits --------------------------------------------------------------

def _slow_yaml(tmp_path: Path) -> Path:
    """Valid YAML of 90,000 nodes: about a second to read (events checked one by one)."""
    path = tmp_path / "slow.yaml"
    path.write_text("id: slow\nnumbers: [" + ", ".join(["1"] * 90_000) + "]\n")
    return path


def test_time_limit_stops_slow_parse_in_process(tmp_path: Path) -> None:
    path = _slow_yaml(tmp_path)
    result = CliRunner().invoke(app, ["--time-limit", "0.2", "validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "time limit of 0.2 s exceeded" in result.output
    assert str(path) in result.output.replace("\n", "")
    # Without the limit the same file is read, and refused for what it is.
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "missing required key" in result.output


def test_time_limit_from_the_environment(tmp_path: Path) -> None:
    path = _slow_yaml(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(path)],
                                env={"CALLBLUFF_TIME_LIMIT": "0.05"})
    assert result.exit_code == 2 and "time limit" in result.output
    bad = CliRunner().invoke(app, ["validate", str(path)], env={"CALLBLUFF_TIME_LIMIT": "x"})
    assert bad.exit_code == 2 and "CALLBLUFF_TIME_LIMIT" in bad.output


def test_time_limit_keeps_an_earlier_alarm() -> None:
    """pytest-timeout's SIGALRM handler and timer survive a limited block."""
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda s, f: fired.append(s))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with time_limit(10, "testing"):
            pass
        assert signal.getsignal(signal.SIGALRM) is not None
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 30
        with pytest.raises(TimeLimitError, match="while spinning"), \
                time_limit(0.01, "spinning", file="x"):
            while True:
                pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert fired == []


@pytest.mark.timeout(300)
def test_real_process_stops_solver_stuck_in_c(tmp_path: Path) -> None:
    """pygambit holds the GIL: the parent process stops the child, exit 2."""
    done = subprocess.run([str(CALLBLUFF), "--time-limit", "2", "solve", str(SLOW_EFG)],
                          capture_output=True, text=True, timeout=240,
                          env={**os.environ, "CALLBLUFF_STORE": str(tmp_path / "s.db")})
    assert done.returncode == 2, done.stderr
    assert "time limit of 2 s exceeded" in done.stderr
    assert "bayes2a.efg" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.timeout(300)
def test_real_processes_on_bad_files(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(YAML_SEEDS[0].replace(b"e", b"\xe9", 1))
    cut = tmp_path / "cut.efg"
    cut.write_bytes(EFG_SEEDS[0][: len(EFG_SEEDS[0]) // 2])
    for argv, path in ((["validate", str(latin)], latin), (["solve", str(cut)], cut)):
        done = subprocess.run([str(CALLBLUFF), *argv], capture_output=True, text=True,
                              timeout=240)
        assert done.returncode == 2, done.stderr
        assert str(path) in done.stderr.replace("\n", "") and "Traceback" not in done.stderr


def test_a_bug_is_one_line_with_exit_3_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net of the command group: an exception that is not bad input (a bug)
    is reported in one line with exit status 3, and CALLBLUFF_DEBUG=1 re-raises it.
    The command is a real one on the real group class, written to fail."""
    import typer

    from callbluff.cli.app import INTERNAL_ERROR, _Group

    broken = typer.Typer(cls=_Group)

    @broken.command()
    def divide(n: int) -> None:
        print(1 / n)

    @broken.command()
    def other() -> None:  # a second command, so that the group dispatches by name
        pass

    ok = CliRunner().invoke(broken, ["divide", "2"])
    assert ok.exit_code == 0 and "0.5" in ok.output
    result = CliRunner().invoke(broken, ["divide", "0"])
    assert result.exit_code == INTERNAL_ERROR == 3
    assert "internal error" in result.output and "ZeroDivisionError" in result.output
    assert "Traceback" not in result.output
    monkeypatch.setenv("CALLBLUFF_DEBUG", "1")
    debug = CliRunner().invoke(broken, ["divide", "0"])
    assert isinstance(debug.exception, ZeroDivisionError)
