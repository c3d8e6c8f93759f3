"""Data checks of the case library (the historical scenarios beside the default).

What is checked, for every built-in case file:

* it loads through :func:`callbluff.scenario.loader.load_scenario` (the real loader,
  with all its validation);
* its ``history`` is complete and coherent: an observed answer, dated events, sources;
  compliance agrees with the answer (no compliance without a deal);
* every number in the file carries a source or a note (the raw YAML is walked; bare
  numbers are counted and must be 0) - the walker itself is checked on a bad snippet;
* ids are consistent with the default scenario where they are shared: the same motive
  ids, a ``security-only`` type flagged as such, type ids that name their defining
  motive, and shared types defined by the same motive;
* a number whose source says it comes from the default scenario is the default's value
  at the same place (matched by ids, not list positions).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from callbluff.scenario.builtin import DEFAULT, builtin_path, list_builtin
from callbluff.scenario.loader import load_scenario
from callbluff.scenario.schema import Scenario, TargetType, to_fraction

DEFAULT_ID = DEFAULT
CASE_IDS = [
    "agreed-framework-1994",
    "ukraine-1994",
    "south-africa-1991",
    "libya-2003",
    "iran-jcpoa-2015",
    "hanoi-2019",
]
ALL_IDS = [DEFAULT_ID, *CASE_IDS]
SHARED_MOTIVES = {"security", "prestige", "coercion", "revenue", "economy"}
SOURCE_KEYS = {"value", "source", "note"}
_RATIONAL = re.compile(r"^\s*[-+]?\d+\s*/\s*\d+\s*$")
#: Types whose motive is not a value of the arsenal but a cost of keeping it (docs/cases.md,
#: South Africa: Sagan's domestic-politics model), carried by the status quo.
MOTIVES_IN_THE_STATUS_QUO = {"domestic-politics"}
#: Keys whose number is part of the format, not a model input.
FORMAT_KEYS = {"schema_version"}


def _path(case_id: str) -> Path:
    return builtin_path(case_id)


@functools.cache
def _load(case_id: str) -> Scenario:
    """The case through the real loader (cached: a Scenario is frozen)."""
    return load_scenario(_path(case_id))


@functools.cache
def _raw(case_id: str) -> Any:
    """The file as plain YAML data (cached; never modified by the tests)."""
    return YAML(typ="safe", pure=True).load(_path(case_id).read_text(encoding="utf-8"))


def _is_number(node: Any) -> bool:
    if isinstance(node, bool):
        return False
    if isinstance(node, int | float):
        return True
    return isinstance(node, str) and bool(_RATIONAL.match(node))


def _has_text(node: dict[str, Any], key: str) -> bool:
    value = node.get(key)
    return isinstance(value, str) and value.strip() != ""


def _id_of(item: Any) -> str | None:
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return item["id"]
    return None


def walk_numbers(data: Any) -> tuple[list[str], dict[str, tuple[Any, str]]]:
    """Bare numbers (paths) and annotated numbers (id-based path -> (value, source+note)).

    Paths use ids instead of list positions (``types[prestige].prior``), and concessions
    and counter-demands share one namespace (``item[...]``), so that the same thing can be
    found in two files even when it sits at another position or in the other list.
    """
    bare: list[str] = []
    annotated: dict[str, tuple[Any, str]] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "distribution" in node or "concentration" in node:
                # An uncertain input: its source and note cover the distribution's
                # parameters (the loader keeps them on the input, not in annotations).
                if not (_has_text(node, "source") or _has_text(node, "note")):
                    bare.append(where)
                return
            if "value" in node and set(node) <= SOURCE_KEYS:
                if _is_number(node["value"]) and (_has_text(node, "source")
                                                  or _has_text(node, "note")):
                    text = f"{node.get('source', '')} | {node.get('note', '')}"
                    annotated[where] = (node["value"], text)
                else:
                    bare.append(where)
                return
            for key, value in node.items():
                if key in FORMAT_KEYS and where == "":
                    continue
                walk(value, f"{where}.{key}" if where else str(key))
            return
        if isinstance(node, list):
            head = where
            if where in ("concessions", "counter_demands"):
                head = "item"
            for i, item in enumerate(node):
                walk(item, f"{head}[{_id_of(item) or i}]")
            return
        if _is_number(node):
            bare.append(where)

    walk(data, "")
    return bare, annotated


def _defining_motive(t: TargetType) -> str:
    """The motive (other than the economy) with the largest weight."""
    ranked = sorted(((w, m) for m, w in t.weights.items() if m != "economy"), reverse=True)
    return ranked[0][1]


@pytest.fixture(scope="module")
def default() -> Scenario:
    return _load(DEFAULT_ID)


# -- loading and history ------------------------------------------------------------

def test_the_cases_ship_as_builtins() -> None:
    assert DEFAULT_ID == "north-korea-2009"
    assert set(ALL_IDS) <= set(list_builtin())


@pytest.mark.parametrize("case_id", ALL_IDS)
def test_case_loads_through_the_loader(case_id: str) -> None:
    scenario = load_scenario(_path(case_id))  # uncached: this is the loading test
    assert scenario.id == case_id
    assert scenario.annotations, "the sources of the numbers were lost by the loader"


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_history_is_complete(case_id: str) -> None:
    scenario = _load(case_id)
    history = scenario.history
    assert history is not None
    # The calibration reasoning comes first in the file and says how the numbers were set.
    raw_history = _raw(case_id)["history"]
    assert next(iter(raw_history)) == "calibration"
    assert history.offer_made in {o.id for o in scenario.offers}
    assert history.observed_answer in {"accept", "counter", "reject"}
    if history.observed_answer == "counter":
        assert history.counter_demand is not None
    # Compliance exists only when a deal was made; an accepted deal has a compliance.
    if history.observed_answer == "accept":
        assert history.compliance in {"complied", "cheated", "unknown"}
    if history.observed_answer == "reject":
        assert history.compliance == "not-applicable"
    assert len(history.dates) >= 3
    years: set[int] = set()
    for event, date in history.dates.items():
        assert event.strip()
        match = re.match(r"^(\d{4})", date)
        assert match, f"{case_id}: date of {event!r} does not start with a year: {date!r}"
        years.add(int(match.group(1)))
        assert 1980 <= int(match.group(1)) <= 2030
    # The year of the case is among the dated events, and the prose names a dated year.
    assert scenario.year in years
    assert any(str(y) in history.outcome for y in years)
    assert history.sources


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_every_case_has_the_all_in_counterfactual(case_id: str) -> None:
    scenario = _load(case_id)
    assert scenario.history is not None
    assert "all-in" in {o.id for o in scenario.offers}
    assert scenario.history.offer_made != "all-in" or case_id == DEFAULT_ID


# -- every number has a source or a note ---------------------------------------------

def test_walker_finds_bare_numbers() -> None:
    """The check below can fail: a bare number, a number in a list and an annotation
    without text are all found; annotated numbers and the format version are not."""
    text = (
        "schema_version: 1\n"
        "a: 3\n"
        "b: {value: 0.5, source: 'x'}\n"
        "c: {value: '1/3'}\n"
        "d: [1, {value: 2, note: 'y'}]\n"
        "e: '2/7'\n"
        "f: {id: k, g: 0.1, label: '1994'}\n"
        "t: true\n"
        "uncertainty: [{path: a, distribution: {kind: uniform, low: 0, high: 1}, note: 'z'},\n"
        "              {path: b, distribution: {kind: uniform, low: 0, high: 1}}]\n"
    )
    bare, annotated = walk_numbers(YAML(typ="safe", pure=True).load(text))
    assert sorted(bare) == ["a", "c", "d[0]", "e", "f.g", "uncertainty[1]"]
    assert set(annotated) == {"b", "d[1]"}


@pytest.mark.parametrize("case_id", ALL_IDS)
def test_every_number_has_a_source_or_a_note(case_id: str) -> None:
    bare, annotated = walk_numbers(_raw(case_id))
    assert bare == [], f"{case_id}: numbers without source or note: {bare}"
    assert len(annotated) >= 50
    # The loader keeps them all (paths differ: it uses list positions).
    scenario = _load(case_id)
    assert len(scenario.annotations) == len(annotated)
    for where, ann in scenario.annotations.items():
        assert (ann.source or "").strip() or (ann.note or "").strip(), where


# -- ids consistent with the default -------------------------------------------------

@pytest.mark.parametrize("case_id", CASE_IDS)
def test_ids_consistent_with_the_default(case_id: str, default: Scenario) -> None:
    scenario = _load(case_id)
    default_motives = {m.id for m in default.motives}
    assert default_motives >= SHARED_MOTIVES
    assert {m.id for m in scenario.motives} <= default_motives
    flagged = [t for t in scenario.types if t.security_only]
    assert [t.id for t in flagged] == ["security-only"]
    assert set(flagged[0].weights) <= {"security", "economy"}
    default_types = {t.id: t for t in default.types}
    assert "security-only" in default_types
    for t in scenario.types:
        motive = _defining_motive(t)
        if t.id in default_types:
            assert motive == _defining_motive(default_types[t.id]), t.id
        elif t.id in MOTIVES_IN_THE_STATUS_QUO:
            # Its motive has no value of the arsenal (the format has none below 0): it
            # acts through the status quo, which must then be below the other types'.
            others = [u.status_quo for u in scenario.types if u.id != t.id]
            assert t.status_quo < min(others), t.id
        else:
            assert t.id == motive, f"{case_id}: type {t.id!r} should name its motive {motive!r}"


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_numbers_cited_from_the_default_match_it(case_id: str) -> None:
    _, defaults = walk_numbers(_raw(DEFAULT_ID))
    _, mine = walk_numbers(_raw(case_id))
    checked = 0
    for where, (value, text) in mine.items():
        if "default scenario" not in text.split(" | ")[0] or where not in defaults:
            continue
        checked += 1
        assert to_fraction(value) == to_fraction(defaults[where][0]), (
            f"{case_id}: {where} = {value} cites the default scenario, which has "
            f"{defaults[where][0]}")
    assert checked >= 5
