"""The tutorial notebook (docs/tutorial.md, jupytext Markdown) runs from top to bottom
in a real Jupyter kernel (ipykernel, driven by nbclient), on this checkout's code.

What it shows is checked against the kernel-free API: the verdict box holds the
analysis's verdict, the threshold cell gives the exact threshold, the talks cell the
best policy, the plots are Plotly figures.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

import callbluff as cb

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"
jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")

PLOTLY = "application/vnd.plotly.v1+json"


@pytest.mark.slow
def test_tutorial_runs_and_shows_the_verdict(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = jupytext.read(TUTORIAL)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) >= 8
    assert not [c.source for c in code if c.source.lstrip().startswith(("%", "!"))]
    # The kernel imports callbluff from where this test does (a worktree, an editable
    # install or a wheel): say so, and check it in a last cell.
    package_root = str(Path(cb.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]))
    notebook.cells.append(jupytext.reads("import callbluff\nprint(callbluff.__file__)",
                                         fmt="py:percent").cells[0])
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first failing cell

    outputs = [c.outputs for c in notebook.cells if c.cell_type == "code"]
    assert outputs[-1][0]["text"].strip() == str(Path(cb.__file__).resolve())

    analysis = cb.analyze("north-korea-2009")
    first = outputs[0][0]["data"]
    for line in analysis.verdict:
        assert html.escape(line, quote=True) in first["text/html"]
    assert "<table>" in first["text/html"]
    assert first["text/plain"] == repr(analysis)

    assert analysis.thresholds is not None and analysis.thresholds.detection is not None
    shown = [o for cell in outputs for o in cell if o.get("data", {}).get("text/plain")
             == repr(analysis.thresholds.detection)]
    assert shown, "the threshold cell does not show the exact threshold"

    assert analysis.talks is not None and analysis.talks.best is not None
    best = analysis.talks.best
    assert best.proposer_worst is not None
    printed = f"{best.family} {best.offers} {float(best.proposer_worst)}"
    assert [o for cell in outputs for o in cell if o.get("text", "").strip() == printed], \
        "the talks cell does not print the best policy"

    plots = [o for cell in outputs for o in cell if PLOTLY in o.get("data", {})]
    assert len(plots) == 3  # thresholds, talks, sweep
    assert all(p["data"][PLOTLY]["data"] for p in plots)  # figures with traces
