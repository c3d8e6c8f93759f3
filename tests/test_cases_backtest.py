"""`callbluff cases`: computed from the case files at run time, never stored."""

from __future__ import annotations

import json
from fractions import Fraction

from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers the commands)
from callbluff.analysis.cases import read_case
from callbluff.analysis.thresholds import with_number
from callbluff.cli.app import app
from callbluff.scenario.builtin import list_builtin
from callbluff.scenario.loader import load_scenario


def test_every_case_appears_in_the_table() -> None:
    result = CliRunner().invoke(app, ["cases", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    cases = {c["case"] for c in document["cases"]}
    with_history = {n for n in list_builtin() if load_scenario(n).history is not None}
    assert cases == with_history and len(cases) >= 6
    assert document["agreements"] == sum(c["agrees"] for c in document["cases"])
    for case in document["cases"]:
        assert case["equilibria"], case["case"]
        assert case["explanation"]


def test_the_reading_follows_the_file() -> None:
    libya = load_scenario("libya-2003")
    assert libya.history is not None
    before = read_case(libya)
    # What happened is read from the file: recode the observed answer as the one the
    # model expects and the agreement must follow.
    expected = max(before.answer_probability[0].items(), key=lambda kv: kv[1])[0]
    answer = "counter" if expected.startswith("counter:") else expected
    recoded = libya.model_copy(update={"history": libya.history.model_copy(
        update={"observed_answer": answer, "counter_demand": expected.split(":", 1)[1]
                if answer == "counter" else None,
                "compliance": "complied" if answer == "accept" else "not-applicable"})})
    assert read_case(recoded).agrees
    # The verification agreed is read from the file too.
    regime = libya.offer(libya.history.offer_made).regime
    weaker = with_number(libya, f"regimes[{regime}].detection", Fraction(1, 10))
    assert read_case(weaker).detection_agreed == Fraction(1, 10)
