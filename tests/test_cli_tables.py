"""Tables at 80 columns: ids are never broken mid-word, headers are never squeezed
to blanks; a column that does not fit is left out and named, and ``--wide`` shows
every column (issue 16, "CLI polish")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callbluff.cli  # noqa: F401  (registers the commands)
from callbluff.cli.app import app, console
from callbluff.scenario.builtin import list_builtin
from callbluff.scenario.loader import load_scenario
from callbluff.store import RunStore

runner = CliRunner()


def _cells(output: str) -> list[list[str]]:
    """The cell texts of each table line (between the box characters)."""
    rows = []
    for line in output.splitlines():
        if "│" in line or "┃" in line:
            rows.append([c.strip() for c in re.split("[│┃]", line)[1:-1]])
    return rows


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 80)


@pytest.mark.usefixtures("narrow")
def test_scenarios_at_80_columns_keep_ids_whole() -> None:
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    header = _cells(result.output)[0]
    words = {w.strip(",") for row in _cells(result.output)[1:] for cell in row
             for w in cell.split()}
    for name in list_builtin():
        s = load_scenario(name)
        assert s.id in words
        ids = {"types": s.type_ids(), "offers": [o.id for o in s.offers]}
        for column, wanted in ids.items():
            if column in header:
                assert set(wanted) <= words, (column, set(wanted) - words)
    left_out = [c for c in ("types", "offers") if c not in header]
    assert ("not shown" in result.output) is bool(left_out)
    if left_out:
        assert f"({', '.join(left_out)}: not shown at this width; --wide shows them)" \
            in result.output


@pytest.mark.usefixtures("narrow")
def test_scenarios_wide_shows_every_column() -> None:
    result = runner.invoke(app, ["scenarios", "--wide"])
    assert result.exit_code == 0, result.output
    assert _cells(result.output)[0] == ["id", "title", "types", "offers"]
    assert "not shown" not in result.output


@pytest.mark.usefixtures("narrow")
def test_runs_list_at_80_columns_has_whole_headers(tmp_path: Path) -> None:
    store = tmp_path / "runs.sqlite3"
    with RunStore(store) as runs:
        runs.record("analyze", "proliferation-revenue-case", "id: x\n", {
            "edits": ["edited: regimes[rigorous].detection 0.9 → 0.3"]}, {"ok": True})
    result = runner.invoke(app, ["runs", "list", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    rows = _cells(result.output)
    header, row = rows[0], rows[1]
    assert all(header) and "" not in header
    assert "proliferation-revenue-case" in row
    assert row[header.index("Edited")] == "1 input"
    left_out = [c for c in ("Hash", "Version", "Seed") if c not in header]
    if left_out:
        assert f"({', '.join(left_out)}: not shown at this width; --wide shows them)" \
            in result.output
    shown = runner.invoke(app, ["runs", "show", "1", "--store", str(store)])
    assert "edited: regimes[rigorous].detection 0.9 → 0.3" in shown.output
    wide = runner.invoke(app, ["runs", "list", "--store", str(store), "--wide"])
    assert _cells(wide.output)[0] == ["ID", "Kind", "Scenario", "Created (UTC)", "Edited",
                                      "Hash", "Version", "Seed"]
