"""The page and the report in a real browser (Debian's chromium via Playwright).

* The page: move the detection slider just below the threshold the API reports and
  see the verdict follow: on the tiny scenario (uploaded as a file; threshold 1/6,
  derived by hand) it changes from "separates" to "does not separate"; on
  north-korea-2009 it shows what the API says on each side (nobody cheats above the
  threshold, someone does below; and if the offer separates above, it must not below).
  On both sides the page shows the API's summary, sentence for sentence, and names
  the types that accept and cheat.
* The report: Plotly plots rendered, no console errors, no request beyond file://.
* Scenario strings with script payloads render as text in both; ``window.__xss``
  stays undefined.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import httpx
import pytest

from callbluff.analysis.verdict import analyze
from callbluff.report.html import build_report, write_report
from callbluff.scenario.loader import load_scenario_text
from conftest_web import (
    ARTIFACTS,
    CHROMIUM,
    TINY_YAML,
    XSS_1,
    XSS_2,
    Server,
    Watch,
    chromium_browser,
    running_server,
    xss_yaml,
)

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="needs Debian's chromium (apt-get install chromium)")

NK = "north-korea-2009"
#: Time for one analysis of north-korea-2009 (thresholds off) in the browser, in ms.
ANALYSIS_MS = 120_000


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server({"CALLBLUFF_WEB_TIMEOUT": "600"}) as srv:
        yield srv
        assert "Traceback" not in srv.log(), srv.log()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium_browser() as b:
        yield b


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)  # type: ignore[attr-defined]


def _wait_loaded(page: object) -> None:
    """The page (opened with ``?scenario=``, so it analyses nothing yet) is ready for
    an upload."""
    page.wait_for_selector("#scenario-select option", state="attached",  # type: ignore[attr-defined]
                           timeout=60_000)
    page.wait_for_selector('body[data-state="ready"]', timeout=60_000)  # type: ignore[attr-defined]


def _set_control(page: object, path: str, value: float) -> None:
    box = page.locator(f'input[type=number][data-path="{path}"]')  # type: ignore[attr-defined]
    box.fill(f"{value:.6f}")
    box.dispatch_event("change")


def _wait_verdict(page: object, separates: bool, timeout_ms: int,
                  cheaters: list[str] | None = None) -> str:
    want = f'#verdict[data-separates="{"true" if separates else "false"}"]'
    if cheaters is not None:
        want += f'[data-cheaters="{",".join(cheaters)}"]'
    page.wait_for_selector(want, timeout=timeout_ms)  # type: ignore[attr-defined]
    page.wait_for_selector('body[data-state="ready"]', timeout=timeout_ms)  # type: ignore[attr-defined]
    text: str = page.locator("#verdict").inner_text()  # type: ignore[attr-defined]
    return text


def _analyze(server: Server, body: dict[str, object]) -> dict[str, object]:
    r = httpx.post(server.url + "/api/analyze", json=body, timeout=600)
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()
    return data


def _main(data: dict[str, object]) -> dict[str, object]:
    offers = data["offers"]
    assert isinstance(offers, list)
    found: dict[str, object] = next(o for o in offers if o["id"] == data["main_offer"])
    return found


def _detection_threshold(server: Server, body: dict[str, object]) -> tuple[str, Fraction]:
    offer = _main(_analyze(server, {**body, "thresholds": True, "policies": False,
                                    "package": False}))
    thresholds = offer["thresholds"]
    assert isinstance(thresholds, dict) and thresholds["detection_exact"] is not None
    return f"regimes[{offer['regime']}].detection", Fraction(thresholds["detection_exact"])


def _reading(server: Server, body: dict[str, object]
             ) -> tuple[bool, list[str], dict[str, object]]:
    """(separates, ulterior types that accept and cheat in some equilibrium, the
    summary), from the API."""
    data = _analyze(server, {**body, "thresholds": False})
    offer = _main(data)
    scenario = data["scenario"]
    assert isinstance(scenario, dict)
    ulterior = [t for t in scenario["types"] if t not in scenario["security_only_types"]]
    equilibria = offer["equilibria"]
    assert isinstance(equilibria, list)
    cheats = [t for t in ulterior
              if any(e["target_strategy"][t]["accept_cheat"] > 0 for e in equilibria)]
    brief = data["summary"]
    assert isinstance(brief, dict)
    return bool(offer["separates"]), cheats, brief


#: The summary as the page shows it (a JavaScript function).
SHOWN = """() => ({question: document.getElementById("question").textContent,
                   answer: document.getElementById("verdict").textContent,
                   numbers: Array.from(document.querySelectorAll("#summary-numbers li"))
                     .map(li => li.textContent),
                   action: document.getElementById("action").textContent})"""


def _shown_summary(page: object) -> dict[str, object]:
    """The summary as the page shows it."""
    shown: dict[str, object] = page.evaluate(SHOWN)  # type: ignore[attr-defined]
    return shown


def _talks_chart_matches_the_api(page: object, data: dict[str, object]) -> None:
    """The page's talks chart draws, per family, the API's chance of a security-only
    target round by round (then after the last refusal), and the arsenal line."""
    drawn = page.evaluate(  # type: ignore[attr-defined]
        """() => { const d = document.getElementById("chart-talks").data;
                   return d ? d.map(t => ({name: t.name, y: Array.from(t.y)})) : []; }""")
    talks = data.get("talks")
    families = {} if not isinstance(talks, dict) else talks["best_by_family"]
    expected = []
    for family, p in families.items():
        y = [r["security_probability"] for r in p["path"]]
        if p["final_belief"]:
            y.append(p["final_security_probability"])
        expected.append({"name": family, "y": y})
    assert drawn[:len(expected)] == expected
    assert len(drawn) == (len(expected) + 1 if expected else 0)


def _slider_crosses_threshold(browser: object, server: Server, url: str,
                              body: dict[str, object], upload: str | None,
                              shot: str, timeout_ms: int) -> tuple[Fraction, bool, bool]:
    """Move the detection slider just below the API's threshold; the page must show what
    the API says on each side.  Returns (threshold, separates before, after)."""
    path, threshold = _detection_threshold(server, body)
    below = max(float(threshold) - 0.01, 0.0)
    separates_before, cheats_before, summary_before = _reading(server, body)
    overrides = {**dict(body.get("overrides", {})), path: below}  # type: ignore[call-overload]
    separates_after, cheats_after, summary_after = _reading(
        server, {**body, "overrides": overrides})
    # what the threshold means: nobody cheats above it, someone does just below
    assert cheats_before == [] and cheats_after != []
    page = browser.new_page(viewport={"width": 1300, "height": 1000})  # type: ignore[attr-defined]
    watch = Watch(page)
    page.goto(url)
    if upload is not None:
        _wait_loaded(page)
        page.set_input_files("#scenario-file", files=[{
            "name": "scenario.yaml", "mimeType": "text/yaml", "buffer": upload.encode()}])
        page.wait_for_selector(f'input[data-path="{path}"]', timeout=timeout_ms)
    _wait_verdict(page, separates_before, timeout_ms, cheats_before)
    assert _shown_summary(page) == summary_before
    _talks_chart_matches_the_api(page, _analyze(server, {**body, "thresholds": False}))
    _shot(page, shot.replace(".png", "-before.png"))
    page.evaluate(f"""() => {{ window.seen = [];  // each state the page enters, with its summary
        new MutationObserver(() => window.seen.push([document.body.dataset.state,
            ({SHOWN})(), document.getElementById("talks-status").textContent]))
          .observe(document.body, {{attributes: true, attributeFilter: ["data-state"]}}); }}""")
    _set_control(page, path, below)
    _wait_verdict(page, separates_after, timeout_ms, cheats_after)
    shown = _shown_summary(page)
    assert shown == summary_after
    # The move showed the verdict alone first (the API's answer without the talks game
    # and the package search), then the whole.
    alone = _analyze(server, {**body, "overrides": overrides, "thresholds": False,
                              "policies": False, "package": False})["summary"]
    seen = page.evaluate("() => window.seen")
    assert [entry[0] for entry in seen] == ["loading", "verdict", "ready"]
    assert seen[1][1] == alone and seen[2][1] == summary_after
    # while the talks game is solved the page says so; then its chart is the API's
    assert seen[1][2] == "Solving the talks game for these inputs…" and seen[2][2] == ""
    _talks_chart_matches_the_api(page, _analyze(server, {**body, "overrides": overrides,
                                                         "thresholds": False}))
    numbers = shown["numbers"]
    assert isinstance(numbers, list)
    assert any(line.startswith("Types that can accept and cheat now")
               and line.endswith(": " + ", ".join(cheats_after) + ".") for line in numbers)
    _shot(page, shot)
    assert watch.errors == []
    assert all(u.startswith(server.url) for u in watch.requests), watch.requests
    page.close()
    return threshold, separates_before, separates_after


def test_slider_below_threshold_tiny_upload(browser: object, server: Server) -> None:
    threshold, before, after = _slider_crosses_threshold(
        browser, server, server.url + "/?scenario=", {"yaml": TINY_YAML}, TINY_YAML,
        "page-tiny.png", 60_000)
    assert threshold == Fraction(1, 6)  # derived by hand in conftest_web
    assert (before, after) == (True, False)  # "separates" -> "does not separate"


@pytest.mark.slow
def test_slider_below_threshold_north_korea(browser: object, server: Server) -> None:
    _, before, after = _slider_crosses_threshold(
        browser, server, server.url + f"/?scenario={NK}", {"scenario": NK}, None,
        "page-north-korea.png", ANALYSIS_MS)
    if before:  # the main offer separates now: below the threshold it must not
        assert not after


def test_page_escapes_scenario_strings(browser: object, server: Server) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    watch = Watch(page)
    page.goto(server.url + "/?scenario=")
    _wait_loaded(page)
    page.set_input_files("#scenario-file", files=[{
        "name": "xss.yaml", "mimeType": "text/yaml", "buffer": xss_yaml().encode()}])
    page.wait_for_selector("#scenario-title:has-text('__xss')", timeout=60_000)
    _wait_verdict(page, True, 60_000)
    assert page.evaluate("typeof window.__xss") == "undefined"
    title = page.locator("#scenario-title").inner_text()
    assert XSS_1 in title and XSS_2 in title
    assert XSS_2 in page.locator("#verdict").inner_text()  # the target's name
    assert page.locator("img").count() == 0
    assert not any(u.endswith("/x") for u in watch.requests)
    assert watch.errors == []
    page.close()


# -- the report ---------------------------------------------------------------------------------

def _open_report(browser: object, path: Path) -> tuple[object, Watch]:
    page = browser.new_page(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    watch = Watch(page)
    page.goto(path.as_uri())
    figures = page.locator("[data-figure]").count()  # type: ignore[attr-defined]
    page.locator(".js-plotly-plot").nth(figures - 1).wait_for(  # type: ignore[attr-defined]
        timeout=30_000)
    return page, watch


def test_report_renders_offline(browser: object, tmp_path: Path) -> None:
    analysis = analyze(load_scenario_text(TINY_YAML, "tiny.yaml"), thresholds=True)
    report = write_report(tmp_path / "report.html", build_report(analysis))
    page, watch = _open_report(browser, report)
    plots = page.locator(".js-plotly-plot")  # type: ignore[attr-defined]
    # responses, posteriors, thresholds and the talks game
    assert plots.count() == 4
    for i in range(plots.count()):
        assert plots.nth(i).locator("svg").count() > 0
        assert plots.nth(i).locator("g.trace, g.barlayer, g.scatterlayer").count() > 0
    assert page.locator("svg.game-tree").count() == 1  # type: ignore[attr-defined]
    _shot(page, "report-tiny.png")
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    assert page.locator(".modebar-container").first.is_hidden()  # type: ignore[attr-defined]
    pdf = page.pdf(format="A4")  # type: ignore[attr-defined]
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-tiny.pdf").write_bytes(pdf)
    assert watch.errors == []
    assert all(u.startswith("file://") for u in watch.requests), watch.requests
    page.close()  # type: ignore[attr-defined]


def test_report_escapes_scenario_strings(browser: object, tmp_path: Path) -> None:
    analysis = analyze(load_scenario_text(xss_yaml(), "xss.yaml"), thresholds=False)
    report = write_report(tmp_path / "xss.html", build_report(analysis))
    page, watch = _open_report(browser, report)
    assert page.evaluate("typeof window.__xss") == "undefined"  # type: ignore[attr-defined]
    text = page.locator("body").inner_text()  # type: ignore[attr-defined]
    assert XSS_1 in text and XSS_2 in text
    assert page.locator("img").count() == 0  # type: ignore[attr-defined]
    assert watch.errors == []
    assert all(u.startswith("file://") for u in watch.requests), watch.requests
    page.close()  # type: ignore[attr-defined]
