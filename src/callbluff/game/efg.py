"""Read and write Gambit extensive-form (``.efg``) files.

Reference: the Gambit extensive-form file format ("EFG 2 R" / "EFG 2 D"),
https://gambitproject.readthedocs.io/en/latest/formats.html#the-extensive-form-efg-file-format,
and Gambit's reader ``src/games/file.cc`` (gambitproject/gambit), whose rules this
module follows:

* nodes come in preorder: ``c`` (chance), ``p`` (player) and ``t`` (terminal);
* a node names its information set by number (per player; chance has its own
  numbers); the label and the action list may be left out at later members of an
  information set, which then repeat those of the first member;
* a node may carry an outcome (a number, with a label and one payoff per player
  the first time it appears); an outcome on a non-terminal node adds its payoffs
  to every terminal node below it, which is how they are folded into our
  terminal-only payoffs;
* numbers are integers, decimals (``1.5``, ``.8``, ``2e3``) or rationals (``3/4``)
  and are kept exact as :class:`~fractions.Fraction`;
* duplicate or empty action labels of one information set, and duplicate player
  names, are renamed the way Gambit 16.7 does (``a_1``, ``a_2``; ``_1``);
* a terminal node's ``outcome`` is the label of its own outcome ("" if it has
  none); a chance node keeps its node label, the chance information set's label
  is not kept (our chance nodes carry their own actions and probabilities).

Our :class:`~callbluff.game.tree.Game` names an information set by
``(player, label)``.  A Gambit information set keeps its label unless the label is
empty or shared with another information set of the same player; such labels
become ``"P<player>:<number>"`` (empty) or ``"<label> [P<player>:<number>]"``
(shared), with ``<player>`` and ``<number>`` as written in the file.

Strings: inside quotes ``\\"`` is a quote and ``\\\\`` a backslash; any other
backslash is kept as it is.  The writer escapes a backslash only where it must
(before a quote, another backslash or the closing quote), so labels without such
backslashes are read identically by Gambit.

Gambit 16.7 itself refuses some files older Gambit wrote: repeated non-empty node
labels, repeated information set labels of one player, and labels that are not
printable ASCII with single spaces.  We read those; the writer always makes node
labels unique, and ``write_efg(game, gambit_labels=True)`` also cleans every
label (:func:`gambit_label`) so that Gambit 16.7 opens the file.

Every problem in the input raises :class:`callbluff.errors.InputError` with the
file, line and column and what was expected there.  Parsing is iterative (no
recursion), and the input is bounded in size, node count and depth.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

from callbluff.errors import InputError, parse_time_limit
from callbluff.game.tree import Game, InfoSet, Node, NodeKind

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_PAYOFF_ENTRIES",
    "MAX_PLAYERS",
    "gambit_label",
    "read_efg",
    "read_efg_file",
    "write_efg",
]

MAX_BYTES = 64 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 10_000
#: More players than any game one would solve; without a bound a 64 MiB list of
#: names would take gigabytes (one payoff per player at every terminal node).
MAX_PLAYERS = 1000
#: Payoffs held for all nodes together (players × nodes): a small file whose many
#: terminal nodes reuse one outcome of many players would otherwise take gigabytes.
MAX_PAYOFF_ENTRIES = 1_000_000
#: Payoffs an outcome may list beyond one per player before reading stops.
_MAX_EXTRA_PAYOFFS = 1000
#: A number's numerator and denominator stay below 10**_MAX_DIGITS ...
_MAX_DIGITS = 700
#: ... so that the writer's "p/q" of any number read back fits this many characters
#: (found by fuzzing: a 1e399 read and written as 400 digits was refused when read
#: again under a limit of 200 characters).
_MAX_NUMBER_CHARS = 2 * _MAX_DIGITS + 2
_MAX_EXPONENT = 400

# -- lexer -------------------------------------------------------------------

_LBRACE, _RBRACE, _COMMA, _NUMBER, _TEXT, _SYMBOL, _EOF = (
    "'{'", "'}'", "','", "number", "quoted text", "symbol", "end of file",
)

_PUNCTUATION = {"{": _LBRACE, "}": _RBRACE, ",": _COMMA}
_TOKEN = re.compile(
    r'(?P<space>\s*)(?:(?P<punct>[{},])|"(?P<text>(?:[^"\\]|\\.)*)"|(?P<word>[^\s{},"]+)'
    r'|(?P<open>")|(?P<eof>\Z))',
    re.DOTALL,
)
_NUMBER_START = frozenset("0123456789+-.")
_INTEGER = re.compile(r"[+-]?\d+")
_RATIONAL = re.compile(r"([+-]?\d+)/(\d+)")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?")
_ESCAPE = re.compile(r"\\([\\\"])")


class _Token(NamedTuple):
    kind: str
    text: str
    line: int
    column: int

    def describe(self) -> str:
        if self.kind == _EOF:
            return "end of file"
        if self.kind == _TEXT:
            shown = self.text if len(self.text) <= 40 else self.text[:37] + "..."
            return f"text {shown!r}"
        if self.kind in (_NUMBER, _SYMBOL):
            return f"{self.text!r}"
        return self.kind


class _Lexer:
    def __init__(self, text: str, filename: str) -> None:
        self._text = text
        self._filename = filename
        self._pos = 0
        self._line = 1
        self._line_start = 0
        self._peeked: _Token | None = None

    def error(self, token: _Token, message: str) -> InputError:
        return InputError(message, file=self._filename, line=token.line, column=token.column)

    def peek(self) -> _Token:
        if self._peeked is None:
            self._peeked = self._scan()
        return self._peeked

    def next(self) -> _Token:
        token = self.peek()
        self._peeked = None
        return token

    def _scan(self) -> _Token:
        text, pos = self._text, self._pos
        match = _TOKEN.match(text, pos)
        assert match is not None  # every alternative together matches anything
        begin = match.end("space")
        newlines = text.count("\n", pos, begin)
        if newlines:
            self._line += newlines
            self._line_start = text.rindex("\n", pos, begin) + 1
        line, column = self._line, begin - self._line_start + 1
        self._pos = end = match.end()
        group = match.lastgroup
        if group == "text":
            newlines = text.count("\n", begin, end)
            if newlines:
                self._line += newlines
                self._line_start = text.rindex("\n", begin, end) + 1
            body = match.group("text")
            if "\\" in body:
                body = _ESCAPE.sub(r"\1", body)
            return _Token(_TEXT, body, line, column)
        if group == "punct":
            char = match.group("punct")
            return _Token(_PUNCTUATION[char], char, line, column)
        if group == "word":
            word = match.group("word")
            kind = _NUMBER if word[0] in _NUMBER_START else _SYMBOL
            return _Token(kind, word, line, column)
        if group == "eof":
            return _Token(_EOF, "", line, column)
        raise InputError(
            "unterminated quoted text: expected a closing '\"' before the end of file",
            file=self._filename, line=line, column=column,
        )


# -- parser ------------------------------------------------------------------


@dataclass
class _GambitInfoset:
    player: int  # 1-based, as in the file
    number: int
    label: str
    actions: tuple[str, ...]
    members: list[int] = field(default_factory=list)


@dataclass
class _ChanceInfoset:
    label: str
    actions: tuple[str, ...]
    probs: tuple[Fraction, ...]


@dataclass
class _Outcome:
    label: str
    payoffs: tuple[Fraction, ...]


@dataclass
class _Row:
    kind: NodeKind
    label: str
    parent: int | None
    children: list[int] = field(default_factory=list)
    infoset_key: tuple[int, int] | None = None
    chance_actions: tuple[str, ...] = ()
    chance_probs: tuple[Fraction, ...] = ()
    payoffs: tuple[Fraction, ...] = ()
    outcome: str = ""


class _Parser:
    def __init__(self, text: str, filename: str, max_nodes: int, max_depth: int) -> None:
        self.lex = _Lexer(text, filename)
        self.filename = filename
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.players: list[str] = []
        self.rows: list[_Row] = []
        self.infosets: dict[tuple[int, int], _GambitInfoset] = {}
        self.chance_infosets: dict[int, _ChanceInfoset] = {}
        self.outcomes: dict[int, _Outcome] = {}

    # -- token helpers -----------------------------------------------------
    def expect(self, kind: str, what: str) -> _Token:
        token = self.lex.next()
        if token.kind != kind:
            raise self.unexpected(token, what)
        return token

    def unexpected(self, token: _Token, what: str) -> InputError:
        if token.kind == _EOF:
            return self.lex.error(token, f"unexpected end of file (truncated?): expected {what}")
        return self.lex.error(token, f"expected {what}, found {token.describe()}")

    def integer(self, what: str) -> tuple[int, _Token]:
        token = self.expect(_NUMBER, what)
        if _INTEGER.fullmatch(token.text) is None or len(token.text) > _MAX_NUMBER_CHARS:
            raise self.lex.error(token, f"expected {what} (an integer), found {token.text!r}")
        return int(token.text), token

    def number(self, what: str) -> tuple[Fraction, _Token]:
        token = self.expect(_NUMBER, what)
        return self.to_fraction(token, what), token

    def to_fraction(self, token: _Token, what: str) -> Fraction:
        text = token.text
        bad = self.lex.error(
            token,
            f"expected {what} (an integer, decimal or p/q), found {text!r}",
        )
        if len(text) > _MAX_NUMBER_CHARS:
            raise bad
        rational = _RATIONAL.fullmatch(text)
        if rational is not None:
            denominator = int(rational.group(2))
            if denominator == 0:
                raise self.lex.error(token, f"{what} {text!r} divides by zero")
            return self.bounded(Fraction(int(rational.group(1)), denominator), token, what)
        decimal = _DECIMAL.fullmatch(text)
        if decimal is None:
            raise bad
        exponent = decimal.group(1)
        if exponent is not None and abs(int(exponent)) > _MAX_EXPONENT:
            raise self.lex.error(
                token, f"{what} {text!r}: exponent out of range (at most {_MAX_EXPONENT})"
            )
        try:
            value = Fraction(Decimal(text))
        except (InvalidOperation, ValueError) as exc:  # pragma: no cover - regex guards
            raise bad from exc
        return self.bounded(value, token, what)

    def bounded(self, value: Fraction, token: _Token, what: str) -> Fraction:
        limit = 10**_MAX_DIGITS
        if abs(value.numerator) >= limit or value.denominator >= limit:
            shown = token.text if len(token.text) <= 40 else token.text[:40] + "…"
            raise self.lex.error(
                token, f"{what} {shown!r}: more than {_MAX_DIGITS} digits in its numerator "
                "or denominator")
        return value

    def check_action_count(self, token: _Token, count: int) -> None:
        # Each action needs a node of its own: more than the node limit cannot be read.
        if count >= self.max_nodes:
            raise self.lex.error(
                token, f"more actions than the limit of {self.max_nodes} nodes allows")

    # -- header ------------------------------------------------------------
    def header(self) -> tuple[str, str]:
        token = self.lex.next()
        if token.kind != _SYMBOL or token.text != "EFG":
            raise self.unexpected(token, "the file type 'EFG' (a Gambit extensive-form file)")
        token = self.lex.next()
        if token.kind != _NUMBER or token.text != "2":
            raise self.unexpected(token, "the format version '2' after 'EFG'")
        token = self.lex.next()
        if token.kind != _SYMBOL or token.text not in ("R", "D"):
            raise self.unexpected(token, "the number type 'R' or 'D' after 'EFG 2'")
        title = self.expect(_TEXT, "the quoted game title").text
        self.expect(_LBRACE, "'{' before the list of player names")
        while True:
            token = self.lex.next()
            if token.kind == _RBRACE:
                break
            if token.kind != _TEXT:
                raise self.unexpected(token, "a quoted player name or '}'")
            if len(self.players) >= MAX_PLAYERS:
                raise self.lex.error(token, f"more than the limit of {MAX_PLAYERS} players")
            self.players.append(token.text)
        if not self.players:
            raise self.lex.error(token, "a game needs at least one player: expected a player name")
        self.players = _normalize_labels(self.players)
        comment = ""
        if self.lex.peek().kind == _TEXT:
            comment = self.lex.next().text
        return title, comment

    # -- nodes -------------------------------------------------------------
    def tree(self) -> None:
        # Each stack entry: [node id, children still to read, inherited payoffs].
        stack: list[tuple[int, list[int], tuple[Fraction, ...]]] = []
        zero = tuple(Fraction(0) for _ in self.players)
        parent: int | None = None
        inherited = zero
        while True:
            node_id, count, payoffs = self.node(parent, inherited)
            if count:
                if len(stack) + 1 >= self.max_depth:
                    token = self.lex.peek()
                    raise self.lex.error(
                        token, f"tree deeper than the limit of {self.max_depth} levels"
                    )
                stack.append((node_id, [count], payoffs))
            while stack and stack[-1][1][0] == 0:
                stack.pop()
            if not stack:
                break
            parent, remaining, inherited = stack[-1]
            remaining[0] -= 1
        token = self.lex.next()
        if token.kind != _EOF:
            raise self.lex.error(
                token,
                f"expected end of file after the last node of the tree, found "
                f"{token.describe()} (too many nodes, or unbalanced braces?)",
            )

    def node(
        self, parent: int | None, inherited: tuple[Fraction, ...]
    ) -> tuple[int, int, tuple[Fraction, ...]]:
        """Read one node; returns its id, its number of children and its payoffs."""
        token = self.lex.next()
        if token.kind == _EOF:
            raise self.unexpected(token, "a node ('c', 'p' or 't'): the tree is incomplete")
        if token.kind != _SYMBOL or token.text not in ("c", "p", "t"):
            raise self.lex.error(
                token,
                f"unknown node type {token.describe()}: expected 'c' (chance), "
                "'p' (player) or 't' (terminal)",
            )
        if len(self.rows) >= self.max_nodes:
            raise self.lex.error(token, f"more than the limit of {self.max_nodes} nodes")
        if (len(self.rows) + 1) * len(self.players) > MAX_PAYOFF_ENTRIES:
            raise self.lex.error(
                token, f"more than {len(self.rows)} nodes in a game of {len(self.players)} "
                f"players: the limit is {MAX_PAYOFF_ENTRIES} payoffs (players × nodes)")
        label = self.expect(_TEXT, "the quoted node label").text
        node_id = len(self.rows)
        if token.text == "c":
            row = self.chance_node(label, parent)
            count = len(row.chance_actions)
        elif token.text == "p":
            row = self.player_node(label, parent, node_id)
            assert row.infoset_key is not None
            count = len(self.infosets[row.infoset_key].actions)
        else:
            row = _Row(NodeKind.TERMINAL, label, parent)
            count = 0
        self.rows.append(row)
        if parent is not None:
            self.rows[parent].children.append(node_id)
        outcome = self.outcome()
        payoffs = inherited
        if outcome is not None:
            payoffs = tuple(a + b for a, b in zip(inherited, outcome.payoffs, strict=True))
        if row.kind is NodeKind.TERMINAL:
            row.payoffs = payoffs
            row.outcome = outcome.label if outcome is not None else ""
        return node_id, count, payoffs

    def chance_node(self, label: str, parent: int | None) -> _Row:
        number, _ = self.integer("the chance information set number")
        known = self.chance_infosets.get(number)
        if self.lex.peek().kind == _TEXT:
            infoset_label = self.lex.next().text
            brace = self.expect(_LBRACE, "'{' before the chance actions")
            actions: list[str] = []
            probs: list[Fraction] = []
            while True:
                token = self.lex.next()
                if token.kind == _RBRACE:
                    break
                if token.kind != _TEXT:
                    raise self.unexpected(token, "a quoted action label or '}'")
                self.check_action_count(token, len(actions))
                actions.append(token.text)
                prob, prob_token = self.number("the probability of chance action "
                                               f"{token.text!r}")
                if prob < 0:
                    raise self.lex.error(
                        prob_token,
                        f"negative probability {prob_token.text} for chance action "
                        f"{token.text!r}: expected a probability >= 0",
                    )
                probs.append(prob)
            if not actions:
                raise self.lex.error(token, "a chance node needs at least one action: "
                                     "expected a quoted action label")
            if sum(probs) != 1:
                raise self.lex.error(
                    brace,
                    f"chance probabilities sum to {sum(probs)}, expected exactly 1",
                )
            data = _ChanceInfoset(infoset_label, tuple(_normalize_labels(actions)), tuple(probs))
            if known is None:
                self.chance_infosets[number] = data
            elif (known.actions, known.probs) != (data.actions, data.probs):
                raise self.lex.error(
                    brace,
                    f"chance information set {number} was defined earlier with actions "
                    f"{list(known.actions)} and probabilities {[str(p) for p in known.probs]}: "
                    "expected the same here",
                )
            known = data
        elif known is None:
            raise self.unexpected(
                self.lex.peek(),
                f"the label and actions of chance information set {number} (not defined "
                "earlier)",
            )
        return _Row(
            NodeKind.CHANCE, label, parent,
            chance_actions=known.actions, chance_probs=known.probs,
        )

    def player_node(self, label: str, parent: int | None, node_id: int) -> _Row:
        player, player_token = self.integer("the player number")
        if not 1 <= player <= len(self.players):
            raise self.lex.error(
                player_token,
                f"player number {player} out of range: expected 1 to {len(self.players)}",
            )
        number, _ = self.integer("the information set number")
        key = (player, number)
        known = self.infosets.get(key)
        if self.lex.peek().kind == _TEXT:
            infoset_label = self.lex.next().text
            brace = self.expect(_LBRACE, "'{' before the actions")
            actions: list[str] = []
            while True:
                token = self.lex.next()
                if token.kind == _RBRACE:
                    break
                if token.kind != _TEXT:
                    raise self.unexpected(token, "a quoted action label or '}'")
                self.check_action_count(token, len(actions))
                actions.append(token.text)
            if not actions:
                raise self.lex.error(token, "a player node needs at least one action: "
                                     "expected a quoted action label")
            normalized = tuple(_normalize_labels(actions))
            if known is None:
                known = _GambitInfoset(player, number, infoset_label, normalized)
                self.infosets[key] = known
            elif len(known.actions) != len(normalized):
                raise self.lex.error(
                    brace,
                    f"information set {number} of player {player} has "
                    f"{len(known.actions)} actions {list(known.actions)} at its first "
                    f"node, but {len(normalized)} here: expected the same actions",
                )
            elif known.actions != normalized:
                raise self.lex.error(
                    brace,
                    f"information set {number} of player {player} has actions "
                    f"{list(known.actions)} at its first node, but {list(normalized)} "
                    "here: expected the same actions",
                )
            elif infoset_label and known.label and infoset_label != known.label:
                raise self.lex.error(
                    brace,
                    f"information set {number} of player {player} is labelled "
                    f"{known.label!r} at its first node, but {infoset_label!r} here",
                )
            elif not known.label:
                known.label = infoset_label
        elif known is None:
            raise self.unexpected(
                self.lex.peek(),
                f"the label and actions of information set {number} of player {player} "
                "(not defined earlier)",
            )
        known.members.append(node_id)
        return _Row(NodeKind.DECISION, label, parent, infoset_key=key)

    def outcome(self) -> _Outcome | None:
        number, token = self.integer("the outcome number (0 for none)")
        if number < 0:
            raise self.lex.error(token, f"outcome number {number}: expected 0 or more")
        if self.lex.peek().kind != _TEXT:
            if number == 0:
                return None
            known = self.outcomes.get(number)
            if known is None:
                raise self.unexpected(
                    self.lex.peek(),
                    f"the label and payoffs of outcome {number} (not defined earlier)",
                )
            return known
        if number == 0:
            raise self.lex.error(
                self.lex.peek(),
                "outcome 0 is the null outcome: expected no label or payoffs after it",
            )
        label = self.lex.next().text
        brace = self.expect(_LBRACE, f"'{{' before the payoffs of outcome {number}")
        payoffs: list[Fraction] = []
        count = 0  # payoffs beyond one per player are counted, not kept (memory)
        while True:
            token = self.lex.next()
            if token.kind == _RBRACE:
                break
            if token.kind != _NUMBER:
                raise self.unexpected(token, f"a payoff or '}}' in outcome {number}")
            value = self.to_fraction(token, "a payoff")
            count += 1
            if count <= len(self.players):
                payoffs.append(value)
            elif count > len(self.players) + _MAX_EXTRA_PAYOFFS:
                raise self.lex.error(
                    brace, f"outcome {number} has more than {count - 1} payoffs: expected "
                    f"{len(self.players)}, one per player")
            if self.lex.peek().kind == _COMMA:
                self.lex.next()
        if count != len(self.players):
            raise self.lex.error(
                brace,
                f"outcome {number} has {count} payoffs: expected "
                f"{len(self.players)}, one per player",
            )
        data = _Outcome(label, tuple(payoffs))
        known = self.outcomes.get(number)
        if known is None:
            self.outcomes[number] = data
            return data
        if known != data:
            raise self.lex.error(
                brace,
                f"outcome {number} was defined earlier as {known.label!r} "
                f"{{{', '.join(map(str, known.payoffs))}}}: expected the same label and "
                "payoffs here",
            )
        return known

    # -- assembly ----------------------------------------------------------
    def build(self, title: str, comment: str) -> Game:
        labels = self._infoset_labels()
        order: dict[tuple[int, int], int] = {}
        for row in self.rows:
            if row.infoset_key is not None and row.infoset_key not in order:
                order[row.infoset_key] = len(order)
        infosets = tuple(
            InfoSet(
                id=index,
                player=key[0] - 1,
                label=labels[key],
                actions=self.infosets[key].actions,
                nodes=tuple(self.infosets[key].members),
            )
            for key, index in order.items()
        )
        nodes = tuple(
            Node(
                id=node_id,
                kind=row.kind,
                label=row.label,
                parent=row.parent,
                children=tuple(row.children),
                infoset=order[row.infoset_key] if row.infoset_key is not None else None,
                chance_actions=row.chance_actions,
                chance_probs=row.chance_probs,
                payoffs=row.payoffs,
                outcome=row.outcome,
            )
            for node_id, row in enumerate(self.rows)
        )
        return Game(
            title=title, players=tuple(self.players), nodes=nodes, infosets=infosets,
            comment=comment,
        )

    def _infoset_labels(self) -> dict[tuple[int, int], str]:
        """Gambit's labels, made non-empty and unique per player (see module doc)."""
        result: dict[tuple[int, int], str] = {}
        by_player: dict[int, list[_GambitInfoset]] = {}
        for key in sorted(self.infosets):
            by_player.setdefault(key[0], []).append(self.infosets[key])
        for player, infosets in by_player.items():
            counts: dict[str, int] = {}
            for h in infosets:
                counts[h.label] = counts.get(h.label, 0) + 1
            used = {h.label for h in infosets if h.label and counts[h.label] == 1}
            for h in infosets:
                if h.label and counts[h.label] == 1:
                    result[(player, h.number)] = h.label
                    continue
                tag = f"P{player}:{h.number}"
                candidate = tag if not h.label else f"{h.label} [{tag}]"
                while candidate in used:
                    candidate += "'"
                used.add(candidate)
                result[(player, h.number)] = candidate
        return result


def _normalize_labels(labels: list[str], *, keep_empty: bool = False) -> list[str]:
    """Gambit 16.7's ``NormalizeLabels``: empty or repeated labels get ``_n``.

    With ``keep_empty`` empty labels stay empty (node labels: only non-empty ones
    must be unique).
    """
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    used = set(labels)
    visited: dict[str, int] = {}
    result: list[str] = []
    for label in labels:
        if (counts[label] == 1 and label != "") or (keep_empty and label == ""):
            result.append(label)
            continue
        while True:
            visited[label] = visited.get(label, 0) + 1
            candidate = f"{label}_{visited[label]}"
            if candidate not in used:
                break
        used.add(candidate)
        result.append(candidate)
    return result


def read_efg(
    text: str,
    filename: str = "<input>",
    *,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
) -> Game:
    """Parse the text of a Gambit ``.efg`` file into a :class:`Game`.

    Raises :class:`InputError` (with file, line and column) on any malformed input,
    and when the text, node count or depth exceeds its limit.
    """
    if len(text) > MAX_BYTES:
        raise InputError(
            f"file too large: {len(text)} characters, the limit is {MAX_BYTES}",
            file=filename,
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    with parse_time_limit(filename):
        parser = _Parser(text, filename, max_nodes, max_depth)
        title, comment = parser.header()
        parser.tree()
        return parser.build(title, comment)


def read_efg_file(
    path: str | os.PathLike[str],
    *,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
) -> Game:
    """Read a Gambit ``.efg`` file (UTF-8, else Latin-1) into a :class:`Game`."""
    file = Path(path)
    name = str(path)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"file too large: {size} bytes, the limit is {MAX_BYTES}", file=name
            )
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=name) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return read_efg(text, name, max_nodes=max_nodes, max_depth=max_depth)


# -- writer ------------------------------------------------------------------


def _quote(text: str) -> str:
    out: list[str] = ['"']
    for i, char in enumerate(text):
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            following = text[i + 1] if i + 1 < len(text) else '"'
            out.append("\\\\" if following in '\\"' else "\\")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _labels(labels: Iterable[str]) -> str:
    return " ".join(_quote(label) for label in labels)


def gambit_label(text: str) -> str:
    """``text`` as a label Gambit 16.7 accepts.

    Gambit 16.7 allows in player, node, information set, action and outcome labels
    only printable ASCII, with single spaces and none at either end.  Accents are
    dropped (``é`` → ``e``), other characters and runs of white space become one
    space, and a backslash becomes ``/`` (Gambit's reader mangles backslashes).
    """
    text = text.replace("\\", "/")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    printable = "".join(c if " " <= c <= "~" else " " for c in ascii_text)
    return " ".join(printable.split())


def write_efg(game: Game, *, gambit_labels: bool = False) -> str:
    """The game as a Gambit ``EFG 2 R`` file: exact rationals, terminal outcomes only.

    Information sets are numbered per player in the order of ``game.infosets``;
    each chance node gets its own chance information set; terminal nodes with the
    same outcome name and payoffs share one outcome number.  Repeated non-empty
    node labels are made unique (``x_1``, ``x_2``, as Gambit names duplicates),
    because Gambit 16.7 rejects a file whose node labels repeat.  With
    ``gambit_labels`` every label is also passed through :func:`gambit_label`
    (and made unique again where that merged two), so that Gambit 16.7 opens the
    file whatever the labels; without it labels are written as they are, and
    :func:`read_efg` gives the same game back.  The output depends only on the
    game.
    """
    clean: Callable[[str], str] = gambit_label if gambit_labels else _identity
    n_players = len(game.players)
    infoset_number: dict[int, int] = {}
    infoset_labels: dict[int, str] = {}
    infoset_actions: dict[int, tuple[str, ...]] = {}
    per_player: list[list[InfoSet]] = [[] for _ in range(n_players)]
    for h in game.infosets:
        if not 0 <= h.player < n_players:
            raise ValueError(f"information set {h.label!r}: player {h.player} out of range")
        per_player[h.player].append(h)
        infoset_number[h.id] = len(per_player[h.player])
        infoset_actions[h.id] = tuple(_normalize_labels([clean(a) for a in h.actions]))
    for infosets in per_player:
        labels = _normalize_labels([clean(h.label) for h in infosets], keep_empty=True)
        infoset_labels.update((h.id, label) for h, label in zip(infosets, labels, strict=True))
    players = _normalize_labels([clean(p) for p in game.players])

    title, comment = game.title, game.comment
    if gambit_labels:
        title, comment = title.replace("\\", "/"), comment.replace("\\", "/")
    lines = [
        f"EFG 2 R {_quote(title)} {{ {_labels(players)} }}",
        _quote(comment),
        "",
    ]
    preorder: list[Node] = []
    stack = [0]
    while stack:
        node = game.nodes[stack.pop()]
        preorder.append(node)
        stack.extend(reversed(node.children))
    node_labels = _normalize_labels([clean(n.label) for n in preorder], keep_empty=True)
    outcomes: dict[tuple[str, tuple[Fraction, ...]], int] = {}
    chance_count = 0
    for node, node_label in zip(preorder, node_labels, strict=True):
        if node.kind is NodeKind.CHANCE:
            chance_count += 1
            actions = _normalize_labels([clean(a) for a in node.chance_actions])
            branches = " ".join(
                f"{_quote(a)} {p}" for a, p in zip(actions, node.chance_probs, strict=True)
            )
            lines.append(f'c {_quote(node_label)} {chance_count} "" {{ {branches} }} 0')
        elif node.kind is NodeKind.DECISION:
            assert node.infoset is not None
            h = game.infosets[node.infoset]
            lines.append(
                f"p {_quote(node_label)} {h.player + 1} {infoset_number[h.id]} "
                f"{_quote(infoset_labels[h.id])} {{ {_labels(infoset_actions[h.id])} }} 0"
            )
        else:
            if len(node.payoffs) != n_players:
                raise ValueError(
                    f"terminal node {node.id}: {len(node.payoffs)} payoffs for "
                    f"{n_players} players"
                )
            key = (clean(node.outcome), tuple(Fraction(p) for p in node.payoffs))
            number = outcomes.setdefault(key, len(outcomes) + 1)
            payoffs = ", ".join(str(p) for p in key[1])
            lines.append(
                f"t {_quote(node_label)} {number} {_quote(key[0])} {{ {payoffs} }}"
            )
    return "\n".join(lines) + "\n"


def _identity(text: str) -> str:
    return text
