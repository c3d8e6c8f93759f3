"""Gambit ``.efg`` interop: our reader/writer against pygambit 16.7 and Gambit's catalog.

Independent truth: pygambit (Gambit's own C++ parser and writer) reading the same
files, and the game files of Gambit's catalog (tests/data/gambit/README.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callbluff.errors import InputError
from callbluff.game.efg import gambit_label, read_efg, read_efg_file, write_efg
from callbluff.game.tree import Game, GameBuilder, NodeKind

DATA = Path(__file__).parent / "data" / "gambit"
CATALOG_FILES = sorted(DATA.rglob("*.efg"))
# Gambit 16.7 rejects this catalog file: its node labels repeat ("1 left" ...).
PYGAMBIT_REJECTS = {"contrib/nim.efg"}


def rel(path: Path) -> str:
    return path.relative_to(DATA).as_posix()


# -- a neutral view of a game, computed independently from each library --------


@dataclass(frozen=True)
class Summary:
    players: tuple[str, ...]
    # preorder: (kind, player index or None, actions, chance probs, payoffs)
    nodes: tuple[tuple[str, int | None, tuple[str, ...], tuple[Fraction, ...],
                       tuple[Fraction, ...]], ...]
    # each information set as (player, frozenset of preorder positions)
    partition: frozenset[tuple[int, frozenset[int]]]


def summarize_ours(game: Game) -> Summary:
    rows: list[Any] = []
    members: dict[int, set[int]] = {}
    stack = [0]
    while stack:
        node = game.nodes[stack.pop()]
        stack.extend(reversed(node.children))
        position = len(rows)
        if node.kind is NodeKind.CHANCE:
            rows.append(("chance", None, node.chance_actions, node.chance_probs, ()))
        elif node.kind is NodeKind.DECISION:
            assert node.infoset is not None
            h = game.infosets[node.infoset]
            members.setdefault(h.id, set()).add(position)
            rows.append(("decision", h.player, h.actions, (), ()))
        else:
            rows.append(("terminal", None, (), (), node.payoffs))
    partition = frozenset(
        (game.infosets[i].player, frozenset(m)) for i, m in members.items()
    )
    return Summary(game.players, tuple(rows), partition)


def gambit_number(value: Any) -> Fraction:
    return Fraction(str(value))


def summarize_gambit(game: gbt.Game) -> Summary:
    players = list(game.players)
    rows: list[Any] = []
    members: dict[tuple[int, int], set[int]] = {}
    zero = tuple(Fraction(0) for _ in players)
    stack: list[tuple[Any, tuple[Fraction, ...]]] = [(game.root, zero)]
    while stack:
        node, inherited = stack.pop()
        payoffs = inherited
        if node.outcome:
            payoffs = tuple(
                a + gambit_number(node.outcome[p]) for a, p in zip(inherited, players, strict=True)
            )
        position = len(rows)
        if node.is_terminal:
            rows.append(("terminal", None, (), (), payoffs))
        elif node.player.is_chance:
            actions = list(node.infoset.actions)
            rows.append(("chance", None, tuple(a.label for a in actions),
                         tuple(gambit_number(a.prob) for a in actions), ()))
        else:
            player = players.index(node.player)
            members.setdefault((player, node.infoset.number), set()).add(position)
            rows.append(("decision", player,
                         tuple(a.label for a in node.infoset.actions), (), ()))
        stack.extend((child, payoffs) for child in reversed(list(node.children)))
    partition = frozenset((key[0], frozenset(m)) for key, m in members.items())
    return Summary(tuple(p.label for p in players), tuple(rows), partition)


def gambit_infoset_labels(game: gbt.Game) -> dict[tuple[int, str], tuple[str, ...]]:
    """Non-empty, per-player unique infoset labels and their actions."""
    result: dict[tuple[int, str], tuple[str, ...]] = {}
    for index, player in enumerate(game.players):
        labels = [h.label for h in player.infosets]
        for h in player.infosets:
            if h.label and labels.count(h.label) == 1:
                result[(index, h.label)] = tuple(a.label for a in h.actions)
    return result


def pygambit_read(text: str) -> gbt.Game:
    return gbt.read_efg(io.StringIO(text))


# -- (c) Gambit's catalog -----------------------------------------------------


def test_catalog_has_enough_two_player_files() -> None:
    names = {rel(p) for p in CATALOG_FILES}
    assert len(names) >= 10
    # signalling games and poker are among them
    assert "catalog/books/watson2013/fig29_1.efg" in names
    assert "catalog/books/watson2013/exercise29_6.efg" in names
    assert "catalog/books/myerson1991/fig2_1.efg" in names
    assert "catalog/journals/other/reiley2008/fig1.efg" in names


@pytest.mark.parametrize("path", CATALOG_FILES, ids=rel)
def test_catalog_file_matches_pygambit(path: Path) -> None:
    ours = read_efg_file(path)
    assert len(ours.players) == 2
    if rel(path) in PYGAMBIT_REJECTS:
        with pytest.raises(ValueError, match="Node label must be unique"):
            gbt.read_efg(str(path))
        # Our written file renames the repeated node labels; Gambit reads it.
        theirs = pygambit_read(write_efg(ours))
    else:
        theirs = gbt.read_efg(str(path))
    assert summarize_ours(ours) == summarize_gambit(theirs)
    assert len(ours.nodes) == len(list(theirs.nodes))
    for (player, label), actions in gambit_infoset_labels(theirs).items():
        matches = [h for h in ours.infosets_of(player) if h.label == label]
        assert len(matches) == 1 and matches[0].actions == actions


@pytest.mark.parametrize("path", CATALOG_FILES, ids=rel)
def test_catalog_round_trip(path: Path) -> None:
    game = read_efg_file(path)
    again = read_efg(write_efg(game))
    if rel(path) in PYGAMBIT_REJECTS:
        # only the repeated node labels change; the second round trip is stable
        assert summarize_ours(again) == summarize_ours(game)
        assert read_efg(write_efg(again)) == again
    else:
        assert again == game
    assert write_efg(again) == write_efg(game)


def installed_catalog() -> list[Path]:
    root = Path(gbt.__file__).parent / "catalog_data"
    return sorted(root.rglob("*.efg")) if root.is_dir() else []


@pytest.mark.parametrize("path", installed_catalog(), ids=lambda p: p.name)
def test_every_installed_catalog_game_reads_like_pygambit(path: Path) -> None:
    """All .efg files pygambit ships (any number of players)."""
    assert summarize_ours(read_efg_file(path)) == summarize_gambit(gbt.read_efg(str(path)))


def test_outcomes_on_inner_nodes_are_folded() -> None:
    # Wilson's two-stage battle of the sexes: each first-stage outcome sits on an
    # inner node (player 1's nodes); the payoffs on a path add up.
    game = read_efg_file(DATA / "contrib" / "w_ex2.efg")
    # Path A (P1), A (P2) gives "Outcome 5" {1,1} at the root plus "Outcome 1"
    # {0,0} at P1's second node, then A, A gives "Outcome 1" {0,0}: total {1,1}.
    first = next(game.terminals())
    assert first.payoffs == (Fraction(1), Fraction(1))
    # A, A then A, B: {1,1} + {0,0} + "Outcome 2" {1,3} = {2,4}
    second = [n for n in game.terminals()][1]
    assert second.payoffs == (Fraction(2), Fraction(4))


# -- (a) our writer read by pygambit, pygambit's writer read by us --------------


def signalling_game() -> Game:
    """Spence-style job-market signalling game (Watson 2013, Fig. 29.1 payoffs)."""
    b = GameBuilder(title='Job "market" signalling', players=("Worker", "Firm"),
                    comment="Watson (2013), Strategy, Figure 29.1")
    root = b.chance(None, [("High", Fraction(1, 3)), ("Low", Fraction(2, 3))], label="type")
    payoffs = {
        ("High", "E", "M"): (6, 10), ("High", "E", "C"): (0, 4),
        ("High", "N", "M"): (10, 10), ("High", "N", "C"): (4, 4),
        ("Low", "E", "M"): (3, 0), ("Low", "E", "C"): (-3, 4),
        ("Low", "N", "M"): (10, 0), ("Low", "N", "C"): (4, 4),
    }
    for theta in ("High", "Low"):
        w = b.decision(root, 0, f"worker {theta}", ["E", "N"], label=f"{theta} worker")
        for signal in ("E", "N"):
            f = b.decision(w, 1, f"saw {signal}", ["M", "C"], label=f"{theta}{signal}")
            for hire in ("M", "C"):
                u = payoffs[(theta, signal, hire)]
                b.terminal(f, [Fraction(u[0], 2), Fraction(u[1], 3)],
                           outcome=f"{theta}-{signal}-{hire}")
    return b.build()


def test_write_read_by_pygambit_identical_tree() -> None:
    game = signalling_game()
    theirs = pygambit_read(write_efg(game))
    assert summarize_gambit(theirs) == summarize_ours(game)
    assert theirs.title == game.title
    labels = gambit_infoset_labels(theirs)
    assert labels == {(h.player, h.label): h.actions for h in game.infosets}
    for h in game.infosets:
        gh = next(x for x in list(theirs.players)[h.player].infosets if x.label == h.label)
        assert len(list(gh.members)) == len(h.nodes)


def test_pygambit_write_read_back_equal() -> None:
    game = signalling_game()
    assert read_efg(pygambit_read(write_efg(game)).to_efg()) == game


def test_pygambit_built_game_reads_back() -> None:
    """A game built with pygambit's own API, written by pygambit, read by us."""
    g = gbt.Game.new_tree(players=["Buyer", "Seller"], title="Market for lemons")
    g.append_move(g.root, g.players.chance, ["good", "lemon"])
    g.set_chance_probs(g.root.infoset, [gbt.Rational(3, 5), gbt.Rational(2, 5)])
    for child in g.root.children:
        g.append_move(child, "Seller", ["high", "low"])
    good, lemon = list(g.root.children)
    g.set_infoset(lemon, good.infoset)
    value = {"good": Fraction(3), "lemon": Fraction(1, 2)}
    for quality_node in g.root.children:
        quality = quality_node.prior_action.label
        for price_node in quality_node.children:
            price = Fraction(2) if price_node.prior_action.label == "high" else Fraction(1)
            outcome = g.add_outcome(
                f"{quality} {price_node.prior_action.label}",
                [gbt.Rational(value[quality] - price), gbt.Rational(price)],
            )
            g.set_outcome(price_node, outcome)
    ours = read_efg(g.to_efg())
    assert summarize_ours(ours) == summarize_gambit(g)
    assert ours.root.chance_probs == (Fraction(3, 5), Fraction(2, 5))
    assert [n.payoffs for n in ours.terminals()] == [
        (Fraction(1), Fraction(2)), (Fraction(2), Fraction(1)),
        (Fraction(-3, 2), Fraction(2)), (Fraction(-1, 2), Fraction(1)),
    ]
    (seller,) = ours.infosets
    assert len(seller.nodes) == 2 and seller.actions == ("high", "low")


# -- (b) round trips and random trees -----------------------------------------

@st.composite
def random_games(draw: st.DrawFn, label_text: st.SearchStrategy[str]) -> Game:
    """Random small games in preorder; ``label_text`` draws the label suffixes."""
    n_players = draw(st.integers(1, 3))
    players = [f"P{i + 1}{draw(label_text)}" for i in range(n_players)]
    builder = GameBuilder(title=draw(label_text), players=players, comment=draw(label_text))
    infosets: list[tuple[int, str, tuple[str, ...]]] = []
    budget = [draw(st.integers(1, 30))]
    counter = [0]

    def fresh(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}{counter[0]}|{draw(label_text)}"

    def actions(k: int) -> list[str]:
        return [fresh("a") for _ in range(k)]

    def grow(parent: int | None, depth: int) -> None:
        budget[0] -= 1
        node_label = draw(st.sampled_from(["", fresh("n")]))
        kind = "t" if budget[0] <= 0 or depth >= 5 else draw(st.sampled_from("tcpp"))
        if kind == "t":
            payoffs = [
                Fraction(draw(st.integers(-20, 20)), draw(st.integers(1, 6)))
                for _ in players
            ]
            builder.terminal(parent, payoffs, outcome=fresh("o"), label=node_label)
            return
        if kind == "c":
            weights = draw(st.lists(st.integers(0, 5), min_size=1, max_size=3))
            if sum(weights) == 0:
                weights[0] = 1
            names = actions(len(weights))
            node = builder.chance(
                parent, [(a, Fraction(w, sum(weights))) for a, w in zip(names, weights,
                                                                          strict=True)],
                label=node_label,
            )
            count = len(weights)
        else:
            reuse = [h for h in infosets if draw(st.booleans())]
            if reuse:
                player, label, acts = reuse[0]
            else:
                player = draw(st.integers(0, n_players - 1))
                label, acts = fresh("h"), tuple(actions(draw(st.integers(1, 3))))
                infosets.append((player, label, acts))
            node = builder.decision(parent, player, label, acts, label=node_label)
            count = len(acts)
        for _ in range(count):
            grow(node, depth + 1)

    grow(None, 0)
    return builder.build()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(random_games(label_text=st.text(max_size=4)))
def test_random_game_round_trip(game: Game) -> None:
    text = write_efg(game)
    assert read_efg(text) == game
    assert write_efg(read_efg(text)) == text


@settings(max_examples=25, deadline=None, derandomize=True)
@given(random_games(label_text=st.sampled_from(["", " x", '"q"', " ,{}", " y z"])))
def test_random_game_pygambit_agrees(game: Game) -> None:
    # labels Gambit 16.7 accepts as they are (printable ASCII, single spaces)
    theirs = pygambit_read(write_efg(game))
    assert summarize_gambit(theirs) == summarize_ours(game)
    assert read_efg(theirs.to_efg()) == game


def without_labels(summary: Summary) -> Summary:
    rows = tuple((k, p, (), probs, pay) for k, p, _, probs, pay in summary.nodes)
    return Summary((), rows, summary.partition)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(random_games(label_text=st.text(max_size=4)))
def test_gambit_labels_make_any_game_readable_by_pygambit(game: Game) -> None:
    theirs = pygambit_read(write_efg(game, gambit_labels=True))
    assert without_labels(summarize_gambit(theirs)) == without_labels(summarize_ours(game))


def test_gambit_label() -> None:
    assert gambit_label("  Türkiye\n–  talks ") == "Turkiye talks"
    assert gambit_label('a "b" {c}') == 'a "b" {c}'
    assert gambit_label("a\\") == "a/"


def test_quoting_round_trip() -> None:
    b = GameBuilder(title='say "hi" \\ back\\', players=('A "1"', "B\\"))
    h = b.decision(None, 0, 'h "1" \\', ['x"', "\\y", "z\\\\"], label="root\n2 lines")
    for i in range(3):
        b.terminal(h, [i, -i], outcome=f'o{i}"\\')
    game = b.build()
    assert read_efg(write_efg(game)) == game


def test_decimals_rationals_and_comma_free_payoffs() -> None:
    text = """EFG 2 D "decimals" { "A" "B" } "c"
c "root" 1 "nature" { "l" .25 "m" 0.5 "r" 1/4 } 2 "bonus" { 1e1 -2.5E-1 }
t "" 1 "one" { 1.10 -3/6 }
t "" 1
t "" 3 "three" { 7, 0 }
"""
    game = read_efg(text)
    assert game.root.chance_probs == (Fraction(1, 4), Fraction(1, 2), Fraction(1, 4))
    assert [n.payoffs for n in game.terminals()] == [
        (Fraction(111, 10), Fraction(-3, 4)),
        (Fraction(111, 10), Fraction(-3, 4)),
        (Fraction(17), Fraction(-1, 4)),
    ]
    assert summarize_ours(game) == summarize_gambit(pygambit_read(text))
    assert read_efg(write_efg(game)) == game


def test_infoset_data_given_once_and_labels_made_unique() -> None:
    text = """EFG 2 R "labels" { "A" "B" }
""
c "" 1 "" { "x" 1/2 "y" 1/2 } 0
p "" 1 7 "" { "a" "b" } 0
p "" 2 1 "same" { "c" } 0
t "" 1 "o1" { 1 2 }
p "" 2 2 "same" { "d" } 0
t "" 2 "o2" { 3 4 }
p "" 1 7 0
t "" 1
p "" 2 3 "(2,3)" { "e" "e" } 0
t "" 2
t "" 2
"""
    game = read_efg(text)
    labels = {(h.player, h.label): h.actions for h in game.infosets}
    assert labels == {
        (0, "P1:7"): ("a", "b"),
        (1, "same [P2:1]"): ("c",),
        (1, "same [P2:2]"): ("d",),
        (1, "(2,3)"): ("e_1", "e_2"),  # Gambit renames duplicate actions
    }
    (p1,) = game.infosets_of(0)
    assert len(p1.nodes) == 2
    # Gambit 16.7 itself refuses the repeated label; what we write it accepts.
    with pytest.raises(ValueError, match="Infoset label must be unique"):
        pygambit_read(text)
    assert summarize_ours(game) == summarize_gambit(pygambit_read(write_efg(game)))


def test_chance_infoset_referenced_without_data() -> None:
    text = """EFG 2 R "chance twice" { "A" }
""
p "" 1 1 "h" { "l" "r" } 0
c "left" 4 "coin" { "H" 1/3 "T" 2/3 } 0
t "" 1 "a" { 1 }
t "" 2 "b" { 2 }
c "right" 4 0
t "" 3 "c" { 3 }
t "" 1
"""
    game = read_efg(text)
    chance = [n for n in game.nodes if n.kind is NodeKind.CHANCE]
    assert [n.label for n in chance] == ["left", "right"]
    assert all(n.chance_probs == (Fraction(1, 3), Fraction(2, 3)) for n in chance)
    assert all(n.chance_actions == ("H", "T") for n in chance)
    assert summarize_ours(game) == summarize_gambit(pygambit_read(text))


def test_deep_tree_is_read_without_recursion() -> None:
    depth = 2500  # well past Python's default recursion limit (1000)
    lines = ['EFG 2 R "deep" { "A" }', '""']
    for i in range(depth):
        lines.append(f'p "" 1 {i + 1} "h{i}" {{ "stop" "go" }} 0')
        lines.append(f't "" {i + 1} "s{i}" {{ {i} }}')
    lines.append('t "" 0')
    game = read_efg("\n".join(lines))
    assert len(game.nodes) == 2 * depth + 1
    assert read_efg(write_efg(game)) == game


# -- (d) malformed input ------------------------------------------------------

HEAD = 'EFG 2 R "g" { "A" "B" } ""\n'


@dataclass(frozen=True)
class Bad:
    name: str
    text: str
    message: str
    line: int


MALFORMED = [
    Bad("not efg", 'NFG 1 R "g" { "A" }', "expected the file type 'EFG'", 1),
    Bad("wrong version", 'EFG 3 R "g" { "A" } ""', "version '2'", 1),
    Bad("no title", "EFG 2 R { }", "expected the quoted game title", 1),
    Bad("no players", 'EFG 2 R "g" { }\nt "" 0', "at least one player", 1),
    Bad("empty file", "", "unexpected end of file", 1),
    Bad("bad token", HEAD + 'p "" 1 1 "" { "a" } 0\nt "" 1 "o" { 1 x2 }\n',
        "expected a payoff or '}' in outcome 1, found 'x2'", 3),
    Bad("bad number", HEAD + 't "" 1 "o" { 1 2..5 }\n', "found '2..5'", 2),
    Bad("divide by zero", HEAD + 't "" 1 "o" { 1 2/0 }\n', "divides by zero", 2),
    Bad("unknown node type", HEAD + 'p "" 1 1 "" { "a" } 0\nx "" 0\n',
        "unknown node type 'x'", 3),
    Bad("missing closing brace", HEAD + 'p "" 1 1 "" { "a" "b" 0\nt "" 0\nt "" 0\n',
        "expected a quoted action label or '}', found '0'", 2),
    Bad("extra closing brace", HEAD + 't "" 1 "o" { 1 2 } }\n',
        "expected end of file after the last node", 2),
    Bad("too few payoffs", HEAD + 'p "" 1 1 "" { "a" } 0\nt "" 1 "o" { 1 }\n',
        "outcome 1 has 1 payoffs: expected 2, one per player", 3),
    Bad("too many payoffs", HEAD + 't "" 1 "o" { 1, 2, 3 }\n',
        "outcome 1 has 3 payoffs: expected 2", 2),
    Bad("action count mismatch",
        HEAD + 'c "" 1 "" { "x" 1/2 "y" 1/2 } 0\np "" 1 1 "h" { "a" "b" } 0\nt "" 0\n'
        't "" 0\np "" 1 1 "h" { "a" } 0\nt "" 0\n',
        "information set 1 of player 1 has 2 actions ['a', 'b'] at its first node, "
        "but 1 here", 6),
    Bad("action label mismatch",
        HEAD + 'c "" 1 "" { "x" 1/2 "y" 1/2 } 0\np "" 1 1 "h" { "a" } 0\nt "" 0\n'
        'p "" 1 1 "h" { "b" } 0\nt "" 0\n',
        "expected the same actions", 5),
    Bad("probabilities do not sum to 1",
        HEAD + 'c "" 1 "" { "x" 1/2 "y" 0.3 } 0\nt "" 0\nt "" 0\n',
        "chance probabilities sum to 4/5, expected exactly 1", 2),
    Bad("negative probability",
        HEAD + 'c "" 1 "" { "x" 3/2 "y" -1/2 } 0\nt "" 0\nt "" 0\n',
        "negative probability -1/2 for chance action 'y'", 2),
    Bad("truncated tree", HEAD + 'p "" 1 1 "" { "a" "b" } 0\nt "" 0\n',
        "unexpected end of file (truncated?): expected a node", 4),
    Bad("truncated string", HEAD + 'p "" 1 1 "h { a } 0\nt "" 0\n',
        "unterminated quoted text", 3),
    Bad("player out of range", HEAD + 'p "" 3 1 "" { "a" } 0\nt "" 0\n',
        "player number 3 out of range: expected 1 to 2", 2),
    Bad("undefined infoset", HEAD + 'p "" 1 1 0\n',
        "expected the label and actions of information set 1 of player 1", 2),
    Bad("undefined outcome", HEAD + 't "" 4\n',
        "the label and payoffs of outcome 4 (not defined earlier)", 3),
    Bad("outcome redefined", HEAD + 'p "" 1 1 "" { "a" "b" } 0\nt "" 1 "o" { 1 2 }\n'
        't "" 1 "o" { 1 3 }\n', "outcome 1 was defined earlier", 4),
    Bad("null outcome with payoffs", HEAD + 't "" 0 "o" { 1 2 }\n',
        "outcome 0 is the null outcome", 2),
    Bad("non-integer infoset", HEAD + 'p "" 1 1.5 "" { "a" } 0\nt "" 0\n',
        "expected the information set number (an integer), found '1.5'", 2),
    Bad("huge exponent", HEAD + 't "" 1 "o" { 1e999999 0 }\n', "exponent out of range", 2),
]


@pytest.mark.parametrize("bad", MALFORMED, ids=lambda b: b.name)
def test_malformed_input(bad: Bad) -> None:
    with pytest.raises(InputError) as caught:
        read_efg(bad.text, "bad.efg")
    err = caught.value
    assert bad.message in err.message
    assert err.file == "bad.efg"
    assert err.line == bad.line
    assert err.column is not None and err.column >= 1
    assert str(err).startswith(f"bad.efg:{bad.line}:{err.column}: ")


def test_error_column_points_at_the_token() -> None:
    with pytest.raises(InputError) as caught:
        read_efg(HEAD + 'p "" 1 1 "" { "a" } 0\n   q "" 0\n')
    assert (caught.value.line, caught.value.column) == (3, 4)


def test_node_limit() -> None:
    text = HEAD + 'p "" 1 1 "" { "a" "b" } 0\nt "" 0\nt "" 0\n'
    with pytest.raises(InputError, match="more than the limit of 2 nodes"):
        read_efg(text, max_nodes=2)


def test_depth_limit() -> None:
    lines = [HEAD]
    for i in range(50):
        lines.append(f'p "" 1 {i + 1} "h{i}" {{ "a" }} 0\n')
    lines.append('t "" 0\n')
    with pytest.raises(InputError, match="deeper than the limit of 10 levels"):
        read_efg("".join(lines), max_depth=10)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the file"):
        read_efg_file(tmp_path / "missing.efg")
    path = tmp_path / "latin.efg"
    path.write_bytes(('EFG 2 R "caf\xe9" { "A" } ""\nt "" 0\n').encode("latin-1"))
    assert read_efg_file(path).title == "café"


def test_write_is_deterministic_and_exact() -> None:
    game = signalling_game()
    text = write_efg(game)
    assert text == write_efg(signalling_game())
    assert "1/3" in text and "2/3" in text
    assert "0.3" not in text
    assert "\r" not in text and text.endswith("\n")


# -- `callbluff export` -------------------------------------------------------


def test_export_north_korea_all_in_reads_back_in_pygambit(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import callbluff.cli.game_cmds
    import callbluff.cli.scenario_cmds  # noqa: F401  (a second command: Typer group mode)
    from callbluff.cli.app import app
    from callbluff.game.bargain import compile_offer
    from callbluff.scenario.loader import load_scenario

    out = tmp_path / "all-in.efg"
    result = CliRunner().invoke(
        app, ["export", "north-korea-2009", "--offer", "all-in", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    game = compile_offer(load_scenario("north-korea-2009"), "all-in")
    sizes = game.sizes()
    assert f"{sizes['nodes']} nodes" in result.output
    assert f"{sizes['infosets']} information sets" in result.output
    theirs = gbt.read_efg(str(out))
    assert summarize_gambit(theirs) == summarize_ours(game)
    ours_terminals = [n.payoffs for n in game.terminals()]
    gambit_terminals = [row[4] for row in summarize_gambit(theirs).nodes if row[0] == "terminal"]
    assert gambit_terminals == ours_terminals
    assert summarize_ours(read_efg_file(out)) == summarize_ours(game)
    assert not [p for p in tmp_path.iterdir() if p.name != "all-in.efg"]  # no temp file left

    # default offer is the first; a bad offer is an input error (exit 2)
    again = CliRunner().invoke(app, ["export", "north-korea-2009", "-o", str(out)])
    assert again.exit_code == 0 and "offer all-in" in again.output
    bad = CliRunner().invoke(app, ["export", "north-korea-2009", "--offer", "nope",
                                   "-o", str(out)])
    assert bad.exit_code == 2
    assert "no offer 'nope'" in bad.output
