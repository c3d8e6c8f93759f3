"""Scenario files: round trips, exact numbers, and a table of bad files.

Each bad file is a small edit of MINIMAL below; the expected line and column were
counted by hand on the text (1-based), not copied from the loader's output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

import callbluff.cli.scenario_cmds  # noqa: F401  (registers the commands)
from callbluff.cli.app import app
from callbluff.errors import InputError
from callbluff.scenario.builtin import builtin_path, list_builtin
from callbluff.scenario.loader import (
    dump_scenario,
    load_scenario,
    load_scenario_bytes,
    load_scenario_text,
)
from callbluff.scenario.safe_yaml import LIMITS, _read_events
from callbluff.scenario.schema import Scenario

MINIMAL = """\
id: minimal
title: Minimal two-type bargain
proposer: {name: Proposer}
target: {name: Target}
motives:
  - id: security
  - id: prestige
types:
  - id: honest
    prior: 0.6
    weights: {security: 1}
  - id: ambitious
    prior: 0.4
    weights: {security: 0.5, prestige: 1}
    inspection_sensitivity: 2
arsenal:
  values: {security: 10, prestige: 10}
concessions:
  - id: treaty
    cost: 2
    values: {security: 12}
counter_demands:
  - id: reactor
    cost: 20
    values: {prestige: 5}
regimes:
  - id: strict
    detection: 0.9
    intrusiveness: 5
offers:
  - id: deal
    concessions: [treaty]
    regime: strict
cheating: {covert_fraction: 0.2, penalty: 5}
denuclearisation_value: 50
fallbacks:
  - id: contain
    proposer: {honest: -5, ambitious: -10}
    target: {honest: 0, ambitious: 0}
time: {rounds: 5, discount: 0.9, arsenal_growth: 0.1, harm_growth: 0.1}
"""


def edit(line: int, new: str) -> Callable[[str], str]:
    """Replace 1-based line ``line`` of the text by ``new`` (line count unchanged)."""

    def apply(text: str) -> str:
        lines = text.splitlines()
        lines[line - 1] = new
        return "\n".join(lines) + "\n"

    return apply


def whole(new: str) -> Callable[[str], str]:
    return lambda _text: new


@dataclass(frozen=True)
class Bad:
    name: str
    change: Callable[[str], str]
    fragment: str
    field: str | None
    line: int | None
    column: int | None = None


many_types = MINIMAL.replace(
    "  - id: honest\n",
    "".join(f"  - {{id: extra{i}, prior: 0, weights: {{}}}}\n" for i in range(12))
    + "  - id: honest\n",
)

BAD = [
    Bad("negative prior", edit(10, "    prior: -0.1"), "probability in [0, 1]",
        "types[0].prior", 10, 12),
    Bad("priors do not sum to 1", edit(10, "    prior: 0.5"), "must sum to 1",
        "types", 9, 3),
    Bad("probability above 1", edit(28, "    detection: 1.5"), "probability in [0, 1]",
        "regimes[0].detection", 28, 16),
    Bad("wrong type", edit(20, "    cost: lots"), "expected a number",
        "concessions[0].cost", 20, 11),
    Bad("boolean for a number", edit(20, "    cost: true"), "got a boolean",
        "concessions[0].cost", 20, 11),
    Bad("unknown key", edit(15, "    inspection_sensitivty: 2"), "unknown key",
        "types[1].inspection_sensitivty", 15, 5),
    Bad("duplicate id", edit(12, "  - id: honest"), "duplicate type id 'honest'",
        "types[1].id", 12, 9),
    Bad("unknown regime", edit(33, "    regime: lax"), "unknown regime 'lax'",
        "offers[0].regime", 33, 13),
    Bad("counter-demand used as concession", edit(32, "    concessions: [treaty, reactor]"),
        "unknown concession 'reactor'", "offers[0].concessions[1]", 32, 27),
    Bad("unknown motive in weights", edit(11, "    weights: {securty: 1}"),
        "unknown motive 'securty'", "types[0].weights.securty", 11, 15),
    Bad("fallback lacks a type", edit(39, "    target: {honest: 0}"),
        "no target payoff for type(s) ambitious", "fallbacks[0].target", 39, 13),
    Bad("NaN", edit(35, "denuclearisation_value: .nan"), "finite number",
        "denuclearisation_value", 35, 25),
    Bad("infinity", edit(35, "denuclearisation_value: -.inf"), "finite number",
        "denuclearisation_value", 35, 25),
    Bad("huge number", edit(35, "denuclearisation_value: 1e20"), "larger than 10^12",
        "denuclearisation_value", 35, 25),
    Bad("huge exponent in a string", edit(35, 'denuclearisation_value: "1e999999999"'),
        "exponent", "denuclearisation_value", 35, 25),
    Bad("division by zero", edit(35, 'denuclearisation_value: "1/0"'), "division by zero",
        "denuclearisation_value", 35, 25),
    Bad("bad annotated value", edit(35, "denuclearisation_value: {value: -x, source: s}"),
        "expected a number", "denuclearisation_value", 35, 33),
    Bad("annotation source not text", edit(35, "denuclearisation_value: {value: 5, source: 7}"),
        "valid string", "denuclearisation_value.source", 35, 44),
    Bad("missing key", edit(2, "# no title"), "missing required key 'title'", "title", 1, 1),
    Bad("duplicate key", edit(2, "id: again"), "duplicate key 'id'", "id", 2, 1),
    Bad("list instead of string list", edit(32, "    concessions: treaty"), "valid list",
        "offers[0].concessions", 32, 18),
    Bad("bad id", edit(31, "  - id: Deal Offer"), "pattern", "offers[0].id", 31, 9),
    Bad("negative rounds", edit(40, "time: {rounds: -1, discount: 0.9, arsenal_growth: 0.1, "
                                    "harm_growth: 0.1}"),
        "greater than or equal to 0", "time.rounds", 40, 16),
    Bad("too many types", lambda _t: many_types, "too many types: 14 (at most 12)", "types",
        21, 5),
    Bad("not a mapping", whole("- 1\n- 2\n"), "expected a scenario", None, 1, 1),
    Bad("a bare string", whole("hello\n"), "expected a scenario", None, 1, 1),
    Bad("empty file", whole(""), "empty file", None, 1, 1),
    Bad("YAML syntax error", edit(3, "proposer: {name: Proposer"), "not valid YAML", None,
        None),
    Bad("control character", whole("id: a\x00b\n"), "not valid YAML", None, 1, 6),
    Bad("python object tag", edit(2, "title: !!python/object/apply:os.system [ls]"),
        "tag '!!python/object/apply:os.system' is not allowed", None, 2, 8),
    Bad("custom tag", edit(20, "    cost: !money 2"), "tag '!money' is not allowed", None,
        20, 11),
    Bad("anchor", edit(17, "  values: &v {security: 10, prestige: 10}"),
        "anchors (&v) are not allowed", None, 17, 11),
    Bad("two documents", lambda t: t + "---\nid: other\n", "more than one YAML document",
        None, 41, 1),
]


def _text(case: Bad) -> str:
    return case.change(MINIMAL)


def test_minimal_is_valid() -> None:
    s = load_scenario_text(MINIMAL, "minimal.yaml")
    assert s.types[0].prior == Fraction(3, 5)
    assert [t.id for t in s.types] == ["honest", "ambitious"]


@pytest.mark.parametrize("case", BAD, ids=[c.name for c in BAD])
def test_bad_file_is_located(case: Bad) -> None:
    with pytest.raises(InputError) as info:
        load_scenario_text(_text(case), "bad.yaml")
    err = info.value
    assert case.fragment in err.message
    assert err.file == "bad.yaml"
    assert err.field == case.field
    if case.line is not None:
        assert err.line == case.line
        assert err.column == case.column
    else:  # syntax error: the parser reports it where it notices, on that line or the next
        assert err.line in (3, 4)


@pytest.mark.parametrize("case", BAD, ids=[c.name for c in BAD])
def test_bad_file_through_cli(case: Bad, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(_text(case), encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(good), str(path)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output + result.stderr
    assert f"OK {good}" in result.stdout
    assert case.fragment in result.stderr
    where = f"{path}:{case.line}:" if case.line is not None else f"{path}:"
    assert where in result.stderr


@pytest.mark.parametrize("name", list_builtin())
def test_builtin_round_trip(name: str) -> None:
    s = load_scenario(name)
    text = dump_scenario(s)
    again = load_scenario_text(text, f"{name} (dumped)")
    assert again == s
    assert again.annotations == s.annotations
    assert dump_scenario(again) == text


@pytest.mark.parametrize("name", list_builtin())
def test_builtin_numbers_all_carry_source_and_note(name: str) -> None:
    raw = YAML(typ="safe", pure=True).load(builtin_path(name).read_text(encoding="utf-8"))
    bare: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if "value" in node or "distribution" in node or "concentration" in node:
                # an uncertain input's source and note cover its distribution's parameters
                if not (node.get("source") and node.get("note")):
                    bare.append(where)
                return
            for k, v in node.items():
                walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")
        elif isinstance(node, int | float) and not isinstance(node, bool):
            bare.append(where)

    walk({k: v for k, v in raw.items() if k != "schema_version"}, "")
    assert bare == []


def test_default_scenario_content() -> None:
    s = load_scenario("north-korea-2009")
    assert {"all-in", "all-in-light-inspections", "freeze-for-aid"} <= {o.id for o in s.offers}
    all_in = s.offer("all-in")
    assert all_in.regime == "rigorous"
    assert set(all_in.concessions) == {"peace-treaty", "non-aggression-pact",
                                       "diplomatic-relations", "end-sanctions"}
    assert {"light-water-reactors", "us-forces-withdrawal"} <= {c.id for c in s.counter_demands}
    assert s.type_ids() == ["security-only", "prestige", "coercion",
                            "proliferation-revenue", "mixed"]
    assert {st.id for st in s.stakeholders} == {"china", "south-korea", "japan", "russia"}
    # Hecker: ~6 kg a year on ~30 kg.
    assert s.time.arsenal_growth == Fraction(6, 30)
    assert s.annotations["time.arsenal_growth"].source is not None
    assert s.regime("rigorous").detection > s.regime("light").detection


def test_default_scenario_is_coherent_with_the_model() -> None:
    """docs/model.md payoffs: the package's security content is worth most to the
    security-only type, and intrusive inspections cost the sensitive types more."""
    s = load_scenario("north-korea-2009")
    package = s.offer("all-in").concessions

    def value(type_id: str) -> Fraction:
        t = next(t for t in s.types if t.id == type_id)
        return sum((t.weights.get(m, Fraction(0)) * v
                    for c in package for m, v in s.concession(c).values.items()), Fraction(0))

    security_only = next(t for t in s.types if t.id == "security-only")
    assert security_only.security_only
    assert all(value("security-only") >= value(t.id) for t in s.types)
    assert all(security_only.inspection_sensitivity <= t.inspection_sensitivity
               for t in s.types)
    # Accepting and complying beats no deal under containment for the security-only
    # type: B - s·ι > A + q + f_T (docs/model.md, outcome table).
    regime = s.regime("rigorous")
    arsenal = sum((security_only.weights.get(m, Fraction(0)) * v
                   for m, v in s.arsenal.values.items()), Fraction(0))
    q = security_only.status_quo - sum((x.pressure for x in s.stakeholders), Fraction(0))
    comply = value("security-only") - security_only.inspection_sensitivity * \
        regime.intrusiveness
    containment = next(f for f in s.fallbacks if f.id == "containment")
    assert comply > arsenal + q + containment.target["security-only"]


def test_numbers_are_exact() -> None:
    text = MINIMAL.replace("denuclearisation_value: 50",
                           "denuclearisation_value: 0.12345678901234567890123")
    text = text.replace("penalty: 5}", 'penalty: "1/3"}')
    s = load_scenario_text(text)
    assert s.denuclearisation_value == Fraction("0.12345678901234567890123")
    assert s.cheating.penalty == Fraction(1, 3)
    again = load_scenario_text(dump_scenario(s))
    assert again == s


def test_annotations_are_recorded_and_dumped() -> None:
    text = MINIMAL.replace(
        "    prior: 0.4",
        '    prior: {value: 0.4, source: "a book", note: "my reasons"}')
    s = load_scenario_text(text)
    assert s.types[1].prior == Fraction(2, 5)
    ann = s.annotations["types[1].prior"]
    assert (ann.source, ann.note) == ("a book", "my reasons")
    dumped = dump_scenario(s)
    assert "source: a book" in dumped
    assert load_scenario_text(dumped) == s


def test_model_validate_accepts_annotated_numbers_directly() -> None:
    raw = YAML(typ="safe", pure=True).load(builtin_path("north-korea-2009").read_text())
    assert Scenario.model_validate(raw) == load_scenario("north-korea-2009")


@pytest.mark.parametrize("tag", [
    "!!python/object:os.system", "!!python/name:os.system", "!!python/tuple",
    "!!binary", "!!set", "!!omap", "!!timestamp", "!custom", "!<tag:example.com,2000:x>",
])
def test_tags_that_build_objects_are_refused(tag: str) -> None:
    text = MINIMAL.replace("title: Minimal two-type bargain", f"title: {tag} [1]")
    with pytest.raises(InputError, match="is not allowed") as info:
        load_scenario_text(text)
    assert info.value.line == 2


@pytest.mark.timeout(30)
def test_alias_bomb_is_refused() -> None:
    # "Billion laughs": nine levels of nine aliases would expand to 9^9 items.
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    with pytest.raises(InputError, match="not allowed") as info:
        load_scenario_text("\n".join(lines) + "\n")
    assert info.value.line == 1


@pytest.mark.timeout(30)
def test_alias_without_anchor_is_refused() -> None:
    with pytest.raises(InputError, match="alias"):
        load_scenario_text(MINIMAL.replace("target: {name: Target}", "target: *p"))


@pytest.mark.timeout(30)
@pytest.mark.parametrize("text", [
    "[" * 10_000 + "]" * 10_000,
    "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200)),
])
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        load_scenario_text(text)


def test_depth_limit_is_exact() -> None:
    ok = "[" * LIMITS.depth + "]" * LIMITS.depth
    with pytest.raises(InputError, match="expected a scenario"):
        load_scenario_text(ok)  # deep enough to be legal YAML here, but not a mapping
    with pytest.raises(InputError, match="nested too deeply"):
        load_scenario_text("[" + ok + "]")


def test_file_too_large(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(MINIMAL.encode() + b"#" * LIMITS.file_bytes)
    with pytest.raises(InputError, match="too large") as info:
        load_scenario(big)
    assert info.value.file == str(big)
    with pytest.raises(InputError, match="too large"):
        load_scenario_text("#" * (LIMITS.file_bytes + 1))


def test_non_utf8_bytes_are_located() -> None:
    raw = MINIMAL.replace("Target", "Targ\u00e9t").encode("latin-1")
    with pytest.raises(InputError, match="not UTF-8") as info:
        load_scenario_bytes(raw, "latin.yaml")
    assert (info.value.line, info.value.column) == (4, 20)


def test_utf8_bom_is_accepted() -> None:
    assert load_scenario_bytes(b"\xef\xbb\xbf" + MINIMAL.encode()).id == "minimal"


def test_missing_file_names_the_builtins(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="north-korea-2009"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="directory"):
        load_scenario(tmp_path)


@pytest.mark.parametrize("name", list_builtin())
def test_the_c_parser_reads_what_the_pure_parser_reads(name: str) -> None:
    # the loader reads with libyaml's parser (ruamel.yaml.clib) for speed; the pure
    # parser is the reference: same data, same position for every value and key
    text = builtin_path(name).read_text(encoding="utf-8")
    c_parser = YAML(typ="safe")
    assert c_parser.Parser.__name__ == "CParser"
    quick = _read_events(c_parser, text, name)
    pure = _read_events(YAML(typ="safe", pure=True), text, name)
    assert (quick.data, quick.value_pos, quick.key_pos) == (pure.data, pure.value_pos,
                                                            pure.key_pos)
    assert len(pure.value_pos) > 100
