"""Every ```yaml block of docs/scenario-format.md is a complete, valid scenario."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from callbluff.scenario.loader import dump_scenario, load_scenario_text
from callbluff.scenario.safe_yaml import LIMITS

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenario-format.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```yaml\n(.*?)^```", TEXT, flags=re.DOTALL | re.MULTILINE)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_yaml_block_loads(index: int) -> None:
    s = load_scenario_text(BLOCKS[index], f"{DOC.name} block {index + 1}")
    assert load_scenario_text(dump_scenario(s)) == s


def test_minimal_example_as_described() -> None:
    """The prose under the minimal example, recomputed from docs/model.md."""
    s = load_scenario_text(BLOCKS[0])
    honest, ambitious = s.types
    treaty = s.concession("treaty")
    regime = s.regime("strict")

    def arsenal(t_weights: dict[str, Fraction]) -> Fraction:
        return sum((t_weights.get(m, Fraction(0)) * v for m, v in s.arsenal.values.items()),
                   Fraction(0))

    def package(t_weights: dict[str, Fraction]) -> Fraction:
        return sum((t_weights.get(m, Fraction(0)) * v for m, v in treaty.values.items()),
                   Fraction(0))

    assert (arsenal(honest.weights), package(honest.weights)) == (Fraction(10), Fraction(12))
    assert (arsenal(ambitious.weights), package(ambitious.weights)) == (Fraction(15), Fraction(6))
    assert ambitious.inspection_sensitivity * regime.intrusiveness == 10


def test_limits_table_matches_the_code() -> None:
    for field in ("types", "motives", "concessions", "counter_demands", "regimes", "offers",
                  "fallbacks", "stakeholders"):
        assert re.search(rf"^\| `{field}` \| {getattr(LIMITS, field)} \|$", TEXT, re.MULTILINE)
    assert f"{LIMITS.file_bytes:,} bytes" in TEXT
    assert f"{LIMITS.depth} levels" in TEXT
