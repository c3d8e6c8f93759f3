"""Benchmark: the web page's slider latency in a real browser.

Run: ``python benchmarks/bench_slider.py [--moves 20] [--seed 0]``

Starts the real ``callbluff serve`` on a free port of 127.0.0.1 (fresh run store),
opens the page in Debian's chromium through Playwright (``/usr/bin/chromium``) on the
default scenario, and moves a slider ``--moves`` times: each move sets a random
control (seeded) to a random value of its range, as a dragged slider does (an
``input`` event), and waits until the page shows the verdict for it (the page's
request state goes ``loading``, then ``verdict`` when the verdict alone is shown,
then ``ready`` when the talks game and the package search are shown too).  Printed:
p50 and p95 of the seconds from the move to the verdict shown, which include the
page's debounce (``DEBOUNCE_MS`` in ``web/static/app.js``), of the server's part
alone (from the request sent to the verdict shown), and of the seconds from the move
to everything shown (``ready``: the two requests one after the other, so this is
also an upper bound on what one request for everything took before the page split
it).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from conftest_web import chromium_browser, running_server, serve_command  # noqa: E402

#: Seconds to wait for the page before the benchmark gives up.
TIMEOUT_S = 600
#: Move a slider to a value; resolves to [ms to the verdict shown, ms from the request
#: sent to the verdict shown, ms to everything shown].
MOVE_AND_WAIT = """(el, value) => new Promise((resolve) => {
  const start = performance.now();
  let sent = null;
  let shown = null;
  const watch = new MutationObserver(() => {
    const state = document.body.dataset.state;
    const now = performance.now();
    if (state === "loading" && sent === null) { sent = now; }
    if ((state === "verdict" || state === "ready") && sent !== null && shown === null) {
      shown = now;
    }
    if (state === "ready" && sent !== null) {
      watch.disconnect();
      resolve([shown - start, shown - sent, now - start]);
    }
  });
  watch.observe(document.body, {attributes: true, attributeFilter: ["data-state"]});
  el.value = String(value);
  el.dispatchEvent(new Event("input", {bubbles: true}));
})"""


def slider_latencies(moves: int, seed: int = 0, server_part: list[float] | None = None,
                     complete: list[float] | None = None) -> list[float]:
    """Seconds from each slider move to its verdict on the page (``server_part``, if
    given, receives the seconds from the request sent to the verdict shown;
    ``complete`` those from the move to everything shown)."""
    rng = random.Random(seed)
    out: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-slider-") as tmp, running_server(
            command=serve_command("--store", str(Path(tmp) / "runs.sqlite3"))) as server, \
            chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(server.url + "/")
        page.wait_for_selector("input[type=range]", timeout=TIMEOUT_S * 1000)
        page.wait_for_selector('body[data-state="ready"]', timeout=TIMEOUT_S * 1000)
        sliders = page.locator("input[type=range]")
        count = sliders.count()
        for _ in range(moves):
            slider = sliders.nth(rng.randrange(count))
            low, high = float(slider.get_attribute("min")), float(slider.get_attribute("max"))
            value = low + (high - low) * rng.random()
            # Timed in the page: from the input event to the verdict rendered (the
            # state attribute turns "ready" right before the render, in the same task;
            # the observer runs after it).
            total_ms, server_ms, complete_ms = slider.evaluate(MOVE_AND_WAIT, value)
            out.append(total_ms / 1000)
            if server_part is not None:
                server_part.append(server_ms / 1000)
            if complete is not None:
                complete.append(complete_ms / 1000)
        page.close()
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    server: list[float] = []
    complete: list[float] = []
    total = slider_latencies(args.moves, args.seed, server, complete)
    print(f"slider moves: {len(total)}")
    print(f"move -> verdict shown:    p50 {statistics.median(total):.3f} s   "
          f"p95 {_p95(total):.3f} s   (goal: p95 < 0.3 s)")
    print(f"request -> verdict shown: p50 {statistics.median(server):.3f} s   "
          f"p95 {_p95(server):.3f} s")
    print(f"move -> everything shown: p50 {statistics.median(complete):.3f} s   "
          f"p95 {_p95(complete):.3f} s")


if __name__ == "__main__":
    main()
