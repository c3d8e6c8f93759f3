"""Output safety: scenario text is shown as text everywhere, never interpreted.

What tests/test_web_browser.py and tests/test_report_html.py already cover (not
repeated here): the tiny scenario with ``<script>`` / ``<img onerror>`` payloads in
title, names, labels, a source and a note, rendered by the page and by the report
file in chromium; the SVG tree, Plotly text and ``safe_json`` escaping; the ``.efg``
writer's quoting (random labels round-trip, pygambit reads them).

Added here:

* the report with a payload in *every* free-text field of the format (notes of
  every item, stakeholders, counter-demands, the case history, annotations),
  opened from the file in chromium: no script runs, no element is injected, the
  payload text is visible, nothing is fetched;
* the page showing a *validation error* that quotes the payload (the error box);
* the verdict map (``callbluff map -o m.html``), whose title is the scenario's;
* the CLI's Rich output: Rich markup in scenario text (``[bold]``, ``[/]``) and in
  user input echoed by error messages must print literally, not be interpreted or
  crash;
* JSON output (``analyze --json``, ``solve --json``): the strings come back exactly;
* ``callbluff export``: names with quotes, newlines and markup give a file that
  pygambit reads (Gambit-clean labels) or that reads back exactly (``--keep-labels``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pygambit as gbt
import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers every command)
from callbluff.analysis.verdict import analyze
from callbluff.cli.app import app
from callbluff.game.efg import gambit_label, read_efg_file
from callbluff.report.html import build_report, write_report
from callbluff.scenario.loader import load_scenario_text
from conftest_web import (
    CHROMIUM,
    TINY_YAML,
    XSS_1,
    XSS_2,
    Server,
    Watch,
    chromium_browser,
    running_server,
)

#: Rich console markup: a style, a link and a closing tag with nothing to close.
RICH = "[bold]B[/bold] [link=https://example.invalid]L[/link] [/]"
#: Quotes, a backslash and a newline (the .efg writer must quote them).
QUOTED = 'say "hi" \\ then\nline two'
PAYLOAD = f"{XSS_1} {XSS_2} {RICH}"
NAME = f'{XSS_2} [/] "q"'  # party names are at most 80 characters

runner = CliRunner()


def payload_scenario() -> dict[str, Any]:
    """TINY_YAML with the payloads in every free-text field of the format."""
    d = YAML(typ="safe", pure=True).load(TINY_YAML)
    assert isinstance(d, dict)
    d["title"] = PAYLOAD + " " + QUOTED
    d["description"] = PAYLOAD
    d["proposer"] = {"name": NAME, "note": PAYLOAD}
    d["target"] = {"name": RICH, "note": PAYLOAD}
    for section in ("motives", "types", "concessions", "regimes", "offers", "fallbacks"):
        for item in d[section]:
            item["label"] = PAYLOAD
            item["note"] = PAYLOAD
    d["types"][0]["prior"] = {"value": 0.5, "source": PAYLOAD, "note": PAYLOAD}
    d["concessions"][0]["cost"] = {"value": 5, "source": PAYLOAD, "note": QUOTED}
    for key in ("arsenal", "cheating", "time"):
        d[key]["note"] = PAYLOAD
    d["counter_demands"] = [{"id": "aid", "label": PAYLOAD, "note": PAYLOAD, "cost": 1,
                             "values": {"security": 1}}]
    d["stakeholders"] = [{"id": "neighbour", "label": PAYLOAD, "note": PAYLOAD,
                          "payoffs": {"comply": 1}}]
    return d


def payload_yaml() -> str:
    return json.dumps(payload_scenario(), indent=1)  # JSON is YAML


@pytest.fixture(scope="module")
def payload_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("payload") / "payload.yaml"
    path.write_text(payload_yaml(), encoding="utf-8")
    return path


def test_payload_scenario_is_valid_and_keeps_the_text() -> None:
    scenario = load_scenario_text(payload_yaml(), "payload.yaml")
    assert scenario.title == PAYLOAD + " " + QUOTED
    assert scenario.target.name == RICH
    assert scenario.stakeholders[0].label == PAYLOAD


# -- JSON --------------------------------------------------------------------------------------

def test_analyze_json_returns_the_strings_exactly(payload_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(payload_file), "--json", "--no-thresholds",
                                 "--store", str(tmp_path / "runs.sqlite3")])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["scenario"]["title"] == PAYLOAD + " " + QUOTED


def _markup_efg(tmp_path: Path) -> Path:
    path = tmp_path / "markup.efg"
    path.write_text(
        'EFG 2 R "[bold]G[/] [/] <script>x</script>" { "[/]A" "B" } ""\n'
        'p "" 1 1 "[/]h" { "[/]a" "b" } 0\n'
        't "" 1 "o" { 1, 2 }\n'
        't "" 2 "o2" { 0, 0 }\n', encoding="utf-8")
    return path


def test_solve_json_returns_the_strings_exactly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve", str(_markup_efg(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    games = doc if isinstance(doc, list) else [doc]
    assert games[0]["game"]["title"] == "[bold]G[/] [/] <script>x</script>"
    assert games[0]["game"]["players"] == ["[/]A", "B"]


# -- the CLI's Rich output ---------------------------------------------------------------------

def _plain(text: str) -> str:
    """Output with the console's line wrapping undone (Rich wraps at 80 columns)."""
    return " ".join(text.split())


def test_validate_and_show_print_markup_literally(payload_file: Path) -> None:
    shown = runner.invoke(app, ["scenario", "show", str(payload_file)])
    assert shown.exit_code == 0, shown.output
    assert "[/]" in shown.output and "[bold]B[/bold]" in shown.output
    valid = runner.invoke(app, ["validate", str(payload_file)])
    assert valid.exit_code == 0, valid.output


def test_validation_error_quoting_input_is_literal_in_validate(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY_YAML.replace("regime: strict, counter", 'regime: "[/]x", counter'),
                   encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "'^[a-z0-9][a-z0-9_.-]{0,63}$' (got '[/]x')" in _plain(result.output)


# Rich must not read scenario text or echoed input as markup (found here, fixed in
# cli/: consoles without markup, styled parts as rich.text.Text).

def test_analyze_text_output_prints_markup_literally(payload_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(payload_file), "--no-thresholds", "--explain",
                                 "--store", str(tmp_path / "runs.sqlite3")])
    assert result.exit_code == 0, result.output
    out = _plain(result.output)
    assert "[bold]B[/bold]" in out and "[/]" in out and XSS_1 in out


def test_analyze_error_prints_the_message_literally(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY_YAML.replace("regime: strict, counter", 'regime: "[/]x", counter'),
                   encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(bad), "--store", str(tmp_path / "r.sqlite3")])
    assert result.exit_code == 2
    assert "'^[a-z0-9][a-z0-9_.-]{0,63}$' (got '[/]x')" in _plain(result.output)


@pytest.mark.parametrize("argv", [
    ["analyze", "no-such-[/]-scenario"],
    ["sweep", "no-such-[/]-scenario", "-o", "out.parquet"],
    ["analyze", "{tiny}", "--threshold", "[/]"],
], ids=["analyze-name", "sweep-name", "threshold-path"])
def test_echoed_input_is_not_markup(argv: list[str], tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text(TINY_YAML, encoding="utf-8")
    argv = [str(tiny) if a == "{tiny}" else a for a in argv]
    result = runner.invoke(app, [*argv, "--store", str(tmp_path / "r.sqlite3")]
                           if argv[0] == "analyze" else argv)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "[/]" in result.output


def test_solve_tables_print_markup_literally(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve", str(_markup_efg(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "[bold]G[/] [/]" in result.output


# -- .efg export -------------------------------------------------------------------------------

def test_export_names_with_quotes_newlines_and_markup(payload_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.efg"
    result = runner.invoke(app, ["export", str(payload_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "[/]" in result.output  # the target's name, printed literally
    theirs = gbt.read_efg(str(out))
    assert [p.label for p in theirs.players] == [gambit_label(NAME), gambit_label(RICH)]
    # the game's title starts with the scenario's; Gambit mangles backslashes: "/"
    assert theirs.title.startswith((PAYLOAD + " " + QUOTED).replace("\\", "/"))
    kept = tmp_path / "kept.efg"
    result = runner.invoke(app, ["export", str(payload_file), "-o", str(kept), "--keep-labels"])
    assert result.exit_code == 0, result.output
    game = read_efg_file(kept)
    assert game.players == (NAME, RICH)
    assert game.title.startswith(PAYLOAD + " " + QUOTED)


# -- in the browser ----------------------------------------------------------------------------

sync_api = pytest.importorskip("playwright.sync_api")
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="needs Debian's chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as b:
        yield b


def _no_injection(page: Any, watch: Watch) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("img").count() == 0
    assert page.locator("script:has-text('__xss')").count() == 0
    assert watch.dialogs == []


@needs_chromium
def test_report_every_text_field_in_browser(browser: Any, tmp_path: Path) -> None:
    scenario = load_scenario_text(payload_yaml(), "payload.yaml")
    report = write_report(tmp_path / "payload.html",
                          build_report(analyze(scenario, thresholds=False)))
    page = browser.new_page()
    watch = Watch(page)
    page.goto(report.as_uri())
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    _no_injection(page, watch)
    text = page.locator("body").inner_text()
    # every field that the report shows carries the payload: it must be visible text
    assert text.count(XSS_1) >= 10 and text.count(XSS_2) >= 10
    assert RICH in text
    assert watch.errors == []
    assert all(u.startswith("file://") for u in watch.requests), watch.requests
    page.close()


@needs_chromium
def test_verdict_map_title_in_browser(browser: Any, payload_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    result = runner.invoke(app, ["map", "regimes[strict].detection", "types[secure].prior",
                                 "--scenario", str(payload_file), "--resolution", "2",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = browser.new_page()
    watch = Watch(page)
    page.goto(out.as_uri())
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    _no_injection(page, watch)
    # Plotly reads a few tags in titles; these are not among them and show as text
    title = page.locator(".gtitle").text_content()
    assert XSS_1 in title and XSS_2 in title
    assert watch.errors == []
    page.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server({"CALLBLUFF_WEB_TIMEOUT": "600"}) as srv:
        yield srv
        assert "Traceback" not in srv.log(), srv.log()


@needs_chromium
def test_page_shows_a_validation_error_quoting_the_payload_as_text(
        browser: Any, server: Server) -> None:
    bad = payload_scenario()
    bad["offers"][0]["regime"] = XSS_2  # not an id: the error message quotes it
    page = browser.new_page()
    watch = Watch(page)
    page.goto(server.url + "/?scenario=")
    page.wait_for_selector('body[data-state="ready"]', timeout=60_000)
    page.set_input_files("#scenario-file", files=[{
        "name": "bad.yaml", "mimeType": "text/yaml",
        "buffer": json.dumps(bad).encode()}])
    page.wait_for_selector("#error:not([hidden])", timeout=60_000)
    message = page.locator("#error").inner_text()
    assert XSS_2 in message and "regime" in message
    _no_injection(page, watch)
    assert all(u.startswith(server.url) for u in watch.requests), watch.requests
    page.close()
