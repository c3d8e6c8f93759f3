"""One self-contained HTML report of a scenario analysis.

The report reads the analysis through its JSON contract
(:func:`callbluff.analysis.jsonify.analysis_json`) plus the scenario (inputs and
their sources) and the compiled game (the tree picture).  It needs no network:
Plotly's JavaScript is embedded from the installed ``plotly`` package, fonts are
the reader's own, and a Content-Security-Policy allows only the report's own
inline scripts (by hash), so nothing is fetched and nothing injected can run.

Templates are Jinja2 with autoescaping on: every label and note from the scenario
is HTML-escaped; figure data is embedded as JSON inside
``<script type="application/json">`` with ``<``, ``>`` and ``&`` written as
``\\u003c``... so no string can close the element.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import plotly.io as pio
import plotly.offline
from markupsafe import Markup

import callbluff
from callbluff.analysis.jsonify import analysis_json
from callbluff.analysis.numbers import exact, pct, yes_no
from callbluff.analysis.summary import ANSWER_LEGEND, group_equilibria, numbers_in_words, summary
from callbluff.analysis.verdict import ScenarioAnalysis
from callbluff.game.payoffs import no_deal_payoffs
from callbluff.glossary import GLOSSARY
from callbluff.report.charts import figures, main_offer
from callbluff.report.inputs import SECTIONS, input_rows, item_notes
from callbluff.report.sweep_section import sweep_section
from callbluff.report.tree_svg import tree_svg
from callbluff.scenario.schema import Scenario

_TEMPLATES = Path(__file__).resolve().parent / "templates"

#: The script that draws every figure from its JSON block, fits the figures to the page
#: width on screen and to the printed page when printing (PRINT_WIDTH px, set before the
#: browser lays the page out for print: ``beforeprint`` and the print media query),
#: unfolds the inputs for print, and toggles the game tree between fitting the page
#: and its full size.  Kept constant so
#: that its hash in the Content-Security-Policy never changes.
RENDER_SCRIPT = """
var PRINT_WIDTH = 680;
var plots = [];
document.querySelectorAll("[data-figure]").forEach(function (div) {
  var fig = JSON.parse(document.getElementById(div.getAttribute("data-figure")).textContent);
  plots.push(Plotly.newPlot(div, fig.data, fig.layout,
                            {displaylogo: false, displayModeBar: false, responsive: true}));
});
function fit(printing) {
  document.querySelectorAll("details.print-open").forEach(function (d) {
    if (printing) { d.dataset.wasOpen = d.open ? "1" : ""; d.open = true; }
    else if ("wasOpen" in d.dataset) { d.open = d.dataset.wasOpen === "1"; }
  });
  var all = [];
  document.querySelectorAll(".js-plotly-plot").forEach(function (div) {
    all.push(Plotly.relayout(div, printing ? {width: PRINT_WIDTH}
                                           : {width: div.parentElement.clientWidth}));
  });
  Promise.all(all).then(function () {
    document.body.setAttribute("data-layout", printing ? "print" : "screen");
  });
}
Promise.all(plots).then(function () { fit(window.matchMedia("print").matches); });
window.matchMedia("print").addEventListener("change", function (e) { fit(e.matches); });
window.addEventListener("beforeprint", function () { fit(true); });
window.addEventListener("afterprint", function () { fit(false); });
var tree = document.getElementById("tree-wrap");
if (tree) {
  tree.addEventListener("click", function () { tree.classList.toggle("zoomed"); });
}
"""


@dataclass(frozen=True)
class Edit:
    """An input changed from the scenario as written: ``path`` in the slider style
    (``regimes[rigorous].detection``), ``before`` and ``after`` as people read them."""

    path: str
    before: str
    after: str


@cache
def plotly_js() -> str:
    """Plotly's JavaScript bundle, from the installed package (no CDN)."""
    js: str = plotly.offline.get_plotlyjs()
    return js


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["yesno"] = _yes_no
    env.filters["eq_numbers"] = numbers_in_words
    return env


def _num(value: object, places: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Fraction):
        return exact(value)
    if isinstance(value, int | float):
        text = f"{float(value):.{places}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


def _yes_no(value: bool | None, none: str = "nothing to test") -> str:
    return none if value is None else yes_no(value)


def _pct(value: object) -> str:
    if value is None:
        return "—"
    assert isinstance(value, int | float | Fraction)
    return pct(value)


def safe_json(data: Any) -> Markup:
    """JSON that can sit inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # safe: escaped above for a JSON script element


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _figure_json(fig: Any) -> Any:
    return json.loads(pio.to_json(fig, validate=False, remove_uids=True))


def current_values(scenario: Scenario, offer_id: str) -> dict[str, float]:
    """The numbers the threshold plot marks: detection of the offer's regime, the
    package's cost, the prior mass of the security-only types."""
    offer = scenario.offer(offer_id)
    return {
        "detection": float(scenario.regime(offer.regime).detection),
        "package_cost": float(sum((scenario.concession(c).cost for c in offer.concessions),
                                  Fraction(0))),
        "security_prior": float(sum((t.prior for t in scenario.types if t.security_only),
                                    Fraction(0))),
    }


def who_gains(analysis: ScenarioAnalysis, aj: Mapping[str, Any]) -> dict[str, Any]:
    """Rows (party, kind, status quo, value under each offer's worst equilibrium)."""
    s = analysis.scenario
    sq_fallback = analysis.status_quo_fallback
    offers = aj["offers"]
    rows: list[dict[str, Any]] = []

    def values(get: Any) -> list[float]:
        return [get(o["equilibria"][o["proposer_worst"]]) for o in offers]

    rows.append({"party": s.proposer.name, "kind": "proposer",
                 "status_quo": aj["status_quo"]["proposer_value"],
                 "values": values(lambda e: e["payoffs"]["proposer"])})
    for t in s.types:
        sq = float(no_deal_payoffs(s, t.id, sq_fallback)[0])
        rows.append({"party": f"{s.target.name}: {t.id}", "kind": "target type",
                     "status_quo": sq,
                     "values": values(lambda e, t=t: e["payoffs"]["target"][t.id])})
    for st in s.stakeholders:
        rows.append({"party": st.label or st.id, "kind": "stakeholder",
                     "status_quo": float(st.payoffs.no_deal),
                     "values": values(lambda e, st=st: e["payoffs"]["stakeholders"][st.id])})
    return {"offers": [o["id"] for o in offers], "rows": rows}


def build_report(
    analysis: ScenarioAnalysis,
    *,
    offer_id: str | None = None,
    analysis_data: Mapping[str, Any] | None = None,
    generated_at: datetime | None = None,
    sweep: Path | None = None,
    edits: Sequence[Edit] = (),
) -> str:
    """The whole report as one HTML document (a string).

    ``offer_id``: the offer whose game tree is drawn (default: the main offer).
    ``analysis_data``: the analysis JSON if already computed.  ``edits``: inputs
    changed from the scenario as written (listed at the top; their notes in the
    inputs table are marked as applying to the original value)."""
    s = analysis.scenario
    aj = dict(analysis_data) if analysis_data is not None else analysis_json(analysis)
    tree_offer = offer_id or analysis.main_offer
    if tree_offer not in [o.offer_id for o in analysis.offers]:
        raise ValueError(f"no offer {tree_offer!r} in scenario {s.id!r}")
    tree_analysis = analysis.offer(tree_offer)
    worst = tree_analysis.proposer_worst
    svg = tree_svg(tree_analysis.game, worst.equilibrium.behaviour,
                   title=f"Game tree of the offer {tree_offer}")
    current = current_values(s, analysis.main_offer)
    robustness = sweep_section(s, sweep) if sweep is not None else None
    all_figures = [*figures(aj, current), *(robustness.figures if robustness else ())]
    figs = [(fid, safe_json(_figure_json(fig))) for fid, fig in all_figures]
    brief = summary(analysis)
    test = analysis.article
    holds = (test.indisputable if test is not None and test.indisputable is not None
             else analysis.offer(analysis.main_offer).separates_always)
    scripts = [plotly_js(), RENDER_SCRIPT]
    csp = ("default-src 'none'; script-src " + " ".join(_csp_hash(x) for x in scripts)
           + "; style-src 'unsafe-inline'; img-src data:; font-src data:")
    rows = input_rows(s)
    sections = [(key, heading, [r for r in rows if r.section == key])
                for key, heading in SECTIONS]
    covered = {r.path for r in rows}
    other = sorted((p, a) for p, a in s.annotations.items() if p not in covered)
    when = generated_at or datetime.now(UTC)
    template = _environment().get_template("report.html.j2")
    return template.render(
        s=s,
        aj=aj,
        main=main_offer(aj),
        priors={t.id: float(t.prior) for t in s.types},
        separates=analysis.offer(analysis.main_offer).separates_always,
        holds=holds,
        summary=brief,
        edits=list(edits),
        edited={e.path: e for e in edits},
        glossary=GLOSSARY,
        answer_legend=ANSWER_LEGEND,
        offer_groups=[(o, group_equilibria(s, analysis.offer(o["id"]))) for o in aj["offers"]],
        sections=[x for x in sections if x[2]],
        other_annotations=other,
        notes=item_notes(s),
        tree_offer=tree_analysis,
        tree_svg=Markup(svg),  # safe: built with every string escaped
        figures=figs,
        sweep_lines=robustness.lines if robustness else (),
        sweep_file=sweep.name if sweep is not None else None,
        who=who_gains(analysis, aj),
        current=current,
        plotly_js=Markup(scripts[0]),  # safe: the installed library's own code
        render_js=Markup(scripts[1]),  # safe: constant above
        csp=csp,
        version=callbluff.__version__,
        generated=when.strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_report(path: str | os.PathLike[str], html_text: str) -> Path:
    """Write ``html_text`` to ``path`` atomically (temporary file, then rename)."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(html_text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


__all__ = ["Edit", "build_report", "current_values", "plotly_js", "safe_json", "who_gains",
           "write_report"]
