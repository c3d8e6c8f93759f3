// callbluff page: choose or upload a scenario, move the key numbers, read the verdict.
// Every string from a scenario is shown with textContent (never innerHTML), and
// escaped before it reaches Plotly (which reads a little HTML in its labels).
"use strict";

(function () {
  var DEBOUNCE_MS = 250;
  var RETRY_MS = 700;  // when a 429 has no Retry-After
  var RESPONSES = [
    ["accept_comply", "accept & comply", "#2e8b57"],
    ["accept_cheat", "accept & cheat", "#d35400"],
    ["counter", "asks for more", "#8e44ad"],
    ["balk", "balks at inspections", "#c0392b"],
    ["reject", "reject", "#7f8c8d"]
  ];
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"];

  var state = { name: null, yaml: null, summary: null, overrides: {}, seq: 0, timer: null,
                uploaded: null, glossary: {} };
  var UPLOADED = "__uploaded__";  // the menu entry of an uploaded scenario

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  // Plotly decodes entities and reads a few tags: escape every scenario string.
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function num(x, places) {
    if (x === null || x === undefined) { return "—"; }
    if (typeof x === "boolean") { return x ? "yes" : "no"; }
    var p = places === undefined ? 3 : places;
    var s = Number(x).toFixed(p).replace(/\.?0+$/, "");
    return s === "-0" ? "0" : s;
  }

  // Probabilities as the CLI and the report write them (callbluff.analysis.numbers.pct).
  function pct(x) {
    if (x === null || x === undefined) { return "—"; }
    var v = 100 * Number(x);
    if (v > 0 && v < 0.1) { return "<0.1%"; }
    if (v > 99.9 && v < 100) { return ">99.9%"; }
    return v.toFixed(1).replace(/\.0$/, "") + "%";
  }

  // A plain gloss of a technical term as a tooltip (docs/glossary.md, /api/glossary).
  function gloss(node, term) {
    var text = state.glossary[term];
    if (text) { node.title = term + ": " + text; node.classList.add("glossed"); }
    return node;
  }

  function setBusy(text) { $("busy").textContent = text || ""; }

  // The summary shown is out of date: while recomputing, after an error, or while a
  // typed number waits for Enter.  Cleared when a new analysis is shown.
  function setStale(reason, text) {
    var box = $("verdict-box");
    var badge = $("stale");
    if (!reason) {
      box.dataset.stale = "false";
      delete box.dataset.staleReason;
      badge.hidden = true;
      badge.textContent = "";
      return;
    }
    box.dataset.stale = "true";
    box.dataset.staleReason = reason;
    badge.textContent = text;
    badge.hidden = false;
  }

  function showError(detail) {
    var box = $("error");
    if (!detail) { box.hidden = true; box.textContent = ""; return; }
    var text;
    if (typeof detail === "string") {
      text = detail;
    } else if (Array.isArray(detail)) {
      text = detail.map(function (d) {
        return (d.loc || []).join(".") + ": " + d.msg;
      }).join("\n");
    } else {
      text = detail.text || detail.message || JSON.stringify(detail);
      if (detail.line) {
        text += "\n(line " + detail.line + (detail.column ? ", column " + detail.column : "") +
                (detail.field ? ", field " + detail.field : "") + ")";
      }
    }
    box.textContent = text;
    box.hidden = false;
  }

  // -- the access token of a shared server (callbluff serve --token) -----------------------
  // Asked once, on the first 401, kept for the browser tab (sessionStorage), and sent
  // with every API call; a wrong one is asked again.
  var TOKEN_KEY = "callbluff-token";
  var tokenAsked = null;

  function askToken() {
    if (tokenAsked === null) {
      tokenAsked = new Promise(function (resolve) {
        var form = $("token-form");
        form.hidden = false;
        $("token-input").focus();
        form.addEventListener("submit", function submitted(e) {
          e.preventDefault();
          sessionStorage.setItem(TOKEN_KEY, $("token-input").value.trim());
          form.hidden = true;
          form.removeEventListener("submit", submitted);
          tokenAsked = null;
          resolve();
        });
      });
    }
    return tokenAsked;
  }

  function send(path, init) {
    var token = sessionStorage.getItem(TOKEN_KEY);
    var headers = Object.assign({}, init.headers || {});
    if (token) { headers["Authorization"] = "Bearer " + token; }
    return fetch(path, Object.assign({}, init, { headers: headers })).then(function (response) {
      if (response.status !== 401) { return response; }
      return askToken().then(function () { return send(path, init); });
    });
  }

  function api(method, path, body) {
    var init = { method: method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return send(path, init).then(function (response) {
      var type = response.headers.get("content-type") || "";
      var parse = type.indexOf("application/json") >= 0 ? response.json() : response.text();
      var retry = Number(response.headers.get("Retry-After"));
      return parse.then(function (data) {
        return { status: response.status, data: data, retryMs: retry > 0 ? 1000 * retry : RETRY_MS };
      });
    });
  }

  function scenarioBody(extra) {
    var body = { overrides: Object.assign({}, state.overrides) };
    if (state.yaml !== null) { body.yaml = state.yaml; } else { body.scenario = state.name; }
    return Object.assign(body, extra || {});
  }

  // -- controls -------------------------------------------------------------------------

  function buildControls(summary) {
    var box = $("controls");
    box.replaceChildren();
    summary.controls.forEach(function (c, i) {
      var wrap = el("div", null, "control");
      wrap.appendChild(el("div", c.group, "group"));
      var id = "control-" + i;
      var label = el("label", c.label);
      label.htmlFor = id;
      wrap.appendChild(label);
      var row = el("div", null, "row");
      var range = document.createElement("input");
      range.type = "range";
      range.id = id;
      range.min = c.min; range.max = c.max; range.step = c.step; range.value = c.value;
      range.dataset.path = c.path;
      var box2 = document.createElement("input");
      box2.type = "number";
      box2.min = c.min; box2.max = c.max; box2.step = "any"; box2.value = c.value;
      box2.dataset.path = c.path;
      box2.setAttribute("aria-label", c.label);
      function use(value) {
        if (value === c.value) { delete state.overrides[c.path]; }
        else { state.overrides[c.path] = value; }
        schedule();
      }
      range.addEventListener("input", function () {
        box2.value = range.value;
        box2.removeAttribute("aria-invalid");
        use(Number(range.value));
      });
      // A number box analyses only a finished value (Enter, or leaving the box): while
      // typing the summary is marked as waiting; an empty box takes back the value in
      // use; a value the box cannot read is marked and not sent.
      box2.addEventListener("input", function () {
        setStale("typing", "waiting for Enter");
      });
      function commit() {
        var text = box2.value.trim();
        if (text === "") {
          box2.value = c.path in state.overrides ? state.overrides[c.path] : c.value;
          box2.removeAttribute("aria-invalid");
          setStale(null);
          return;
        }
        var value = Number(text);
        if (!isFinite(value) || (box2.validity && box2.validity.badInput)) {
          box2.setAttribute("aria-invalid", "true");
          showError(c.path + ": not a number");
          setStale("error", "out of date: fix the number");
          return;
        }
        box2.removeAttribute("aria-invalid");
        if (value >= Number(range.min) && value <= Number(range.max)) { range.value = value; }
        use(value);
      }
      box2.addEventListener("change", commit);
      box2.addEventListener("keydown", function (e) { if (e.key === "Enter") { commit(); } });
      row.appendChild(range);
      row.appendChild(box2);
      wrap.appendChild(row);
      box.appendChild(wrap);
    });
  }

  function schedule() {
    setStale("loading", "recomputing…");
    if (state.timer !== null) { clearTimeout(state.timer); }
    state.timer = setTimeout(function () { state.timer = null; analyze(false); }, DEBOUNCE_MS);
  }

  // -- loading scenarios ---------------------------------------------------------------------

  function useSummary(summary) {
    state.summary = summary;
    state.overrides = {};
    $("scenario-title").textContent = summary.title + (summary.year ? " (" + summary.year + ")" : "");
    buildControls(summary);
    $("threshold-lines").replaceChildren();
    analyze(false);
  }

  function loadBuiltin(name) {
    showError(null);
    return api("GET", "/api/scenarios/" + encodeURIComponent(name)).then(function (r) {
      if (r.status !== 200) { showError(r.data.detail || r.data); return; }
      state.name = name;
      state.yaml = null;
      $("scenario-select").value = name;
      useSummary(r.data.summary);
    });
  }

  function loadFile(file) {
    showError(null);
    file.text().then(function (text) {
      return api("POST", "/api/validate", { yaml: text }).then(function (r) {
        if (r.status !== 200) { showError(r.data.detail || r.data); return; }
        state.uploaded = { yaml: text, summary: r.data.summary };
        useUploaded();
      });
    });
  }

  // The menu names what is shown: "uploaded: <title>" once a file is uploaded.
  function useUploaded() {
    var select = $("scenario-select");
    var option = select.querySelector('option[value="' + UPLOADED + '"]');
    if (option === null) {
      option = new Option("", UPLOADED);
      select.insertBefore(option, select.firstChild);
    }
    option.textContent = "uploaded: " + state.uploaded.summary.title;
    select.value = UPLOADED;
    state.yaml = state.uploaded.yaml;
    state.name = null;
    useSummary(state.uploaded.summary);
  }

  // -- analysis ---------------------------------------------------------------------------------

  // A slider move asks twice: first for the verdict alone (no talks game, no package
  // search: the slow parts, which no sentence of the verdict reads), shown at once with
  // the state "verdict"; then for everything, shown with the state "ready".  The
  // threshold button asks once, for everything.
  var VERDICT_ONLY = { policies: false, package: false };

  function analyze(withThresholds) {
    var seq = ++state.seq;
    document.body.dataset.state = "loading";
    setStale("loading", "recomputing…");
    setBusy(withThresholds ? "Computing thresholds (many solves)…" : "Solving…");
    if (withThresholds) { return request(seq, { thresholds: true }, false); }
    return request(seq, Object.assign({ thresholds: false }, VERDICT_ONLY), true);
  }

  function request(seq, extra, partial) {
    return api("POST", "/api/analyze", scenarioBody(extra))
      .then(function (r) {
        if (seq !== state.seq) { return; }  // a newer request is on its way
        if (r.status === 429) {
          setTimeout(function () { if (seq === state.seq) { request(seq, extra, partial); } },
                     r.retryMs);
          return;
        }
        if (r.status !== 200) {
          setBusy("");
          document.body.dataset.state = "ready";
          showError(r.data.detail || r.data);
          setStale("error", "out of date: the last change was not analysed");
          return;
        }
        showError(null);
        setStale(null);
        state.last = r.data;
        if (partial) {
          setBusy("Comparing with more talks and searching packages…");
          document.body.dataset.state = "verdict";
          render(r.data, true);
          return request(seq, { thresholds: false }, false);
        }
        setBusy("");
        document.body.dataset.state = "ready";
        render(r.data, false);
      })
      .catch(function (err) {
        if (seq !== state.seq) { return; }
        setBusy("");
        document.body.dataset.state = "ready";
        showError("request failed: " + err);
        setStale("error", "out of date: the last change was not analysed");
      });
  }

  function mainOffer(aj) {
    return aj.offers.filter(function (o) { return o.id === aj.main_offer; })[0];
  }

  // Types with ulterior motives that accept and cheat in some equilibrium of the offer.
  function cheaters(aj, offer) {
    var secure = aj.scenario.security_only_types;
    return aj.scenario.types.filter(function (t) {
      return secure.indexOf(t) < 0 && offer.equilibria.some(function (e) {
        return e.target_strategy[t].accept_cheat > 0;
      });
    });
  }

  // ``partial``: the verdict alone (the talks game and the package search still to come).
  function render(aj, partial) {
    var offer = mainOffer(aj);
    var verdict = $("verdict");
    var brief = aj.summary;
    $("question").textContent = brief.question;
    verdict.textContent = brief.answer;
    verdict.dataset.separates = offer.separates ? "true" : "false";
    verdict.dataset.cheaters = cheaters(aj, offer).join(",");
    // Green when the article's test holds (else, when it is undefined, when the offer
    // separates): the colour says what the answer says.
    var test = aj.article_test;
    var holds = test && test.indisputable !== null ? test.indisputable : offer.separates;
    verdict.dataset.holds = holds ? "true" : "false";
    var numbers = $("summary-numbers");
    numbers.replaceChildren();
    brief.numbers.forEach(function (line) { numbers.appendChild(el("li", line)); });
    $("deciding-head").hidden = brief.numbers.length === 0;
    $("action").textContent = brief.action;
    var lines = $("verdict-lines");
    lines.replaceChildren();
    aj.verdict.forEach(function (line) { lines.appendChild(el("li", line)); });
    var tl = $("threshold-lines");
    tl.replaceChildren();
    if (offer.thresholds) {
      offer.thresholds.readings.forEach(function (line) { tl.appendChild(el("li", line)); });
    }
    renderOffers(aj);
    renderTypes(aj, offer);
    renderPackage(aj, partial);
    // the verdict alone comes without the talks game: say so rather than leave the
    // chart empty with no word
    $("talks-status").textContent = partial ? "Solving the talks game for these inputs…" : "";
    if (window.Plotly) {
      chartResponses(aj, offer);
      chartPosteriors(aj, offer);
      chartTalks(aj);
    }
  }

  function row(cells, header) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) {
      var cell = el(header ? "th" : "td", c[0], c[1] ? "n" : "");
      if (header) { gloss(cell, c[2] || String(c[0])); }
      tr.appendChild(cell);
    });
    return tr;
  }

  function renderOffers(aj) {
    var t = $("offers-table");
    t.replaceChildren();
    t.appendChild(row([["offer"], ["regime"], ["separates"],
                       ["proposer value (worst)", 1, "proposer-worst"],
                       ["proposer value (best)", 1, "proposer-best"],
                       ["equilibria", 1, "equilibrium"]], true));
    aj.offers.forEach(function (o) {
      var worst = o.equilibria[o.proposer_worst].payoffs.proposer;
      var best = o.equilibria[o.proposer_best].payoffs.proposer;
      t.appendChild(row([[o.id + (o.id === aj.main_offer ? " (main)" : "")], [o.regime],
        [o.separates ? "in every equilibrium" : (o.separates_in_some_equilibrium ?
          "in some equilibria" : "in none")],
        [num(worst, 2), 1], [num(best, 2), 1], [o.equilibria.length, 1]]));
    });
    t.appendChild(row([["status quo (" + aj.status_quo.fallback + ")"], [""], [""],
                       [num(aj.status_quo.proposer_value, 2), 1], [""], [""]]));
  }

  function renderTypes(aj, offer) {
    var t = $("types-table");
    t.replaceChildren();
    var eq = offer.equilibria[offer.proposer_worst];
    t.appendChild(row([["type"], ["accept & comply", 1], ["accept & cheat", 1],
                       ["asks for more", 1, "ask for more"], ["balks at inspections", 1],
                       ["reject", 1], ["value", 1, "utility points"]], true));
    aj.scenario.types.forEach(function (id) {
      var s = eq.target_strategy[id];
      t.appendChild(row([[id], [pct(s.accept_comply), 1], [pct(s.accept_cheat), 1],
        [pct(s.counter), 1], [pct(s.balk), 1], [pct(s.reject), 1], [num(eq.payoffs.target[id], 2), 1]]));
    });
  }

  function renderPackage(aj, partial) {
    var p = aj.cheapest_package;
    $("package").textContent = partial ? "Searching…" : p === null ? "No package of the scenario's concessions separates the types." :
      (p.concessions.length ? p.concessions.join(", ") : "(no concession)") + " under " + p.regime +
      ", cost " + num(p.cost, 3) + (p.optimal ? "" : " (not proven optimal)");
  }

  // -- charts -------------------------------------------------------------------------------

  var LAYOUT = { margin: { l: 110, r: 20, t: 20, b: 40 }, height: 300,
                 legend: { orientation: "h", y: -0.2 }, font: { size: 13 } };
  // No toolbar: on a phone it covers the bars (the charts stay zoomable by touch).
  var CONFIG = { displaylogo: false, displayModeBar: false, responsive: true };

  function layout(extra) { return Object.assign({}, LAYOUT, extra); }

  function chartResponses(aj, offer) {
    var eq = offer.equilibria[offer.proposer_worst];
    var types = aj.scenario.types;
    var traces = RESPONSES.map(function (r) {
      return { type: "bar", orientation: "h", name: r[1], marker: { color: r[2] },
               y: types.map(esc), x: types.map(function (t) { return eq.target_strategy[t][r[0]]; }) };
    });
    Plotly.react("chart-responses", traces, layout({ barmode: "stack",
      xaxis: { range: [0, 1], title: { text: "probability (worst equilibrium)" } },
      legend: { orientation: "h", y: -0.45 }, margin: { l: 110, r: 20, t: 20, b: 80 },
      height: 170 + 36 * types.length }), CONFIG);
  }

  function chartPosteriors(aj, offer) {
    var eq = offer.equilibria[offer.proposer_worst];
    var answers = Object.keys(eq.posteriors);
    var traces = aj.scenario.types.map(function (t, i) {
      return { type: "bar", name: esc(t), marker: { color: PALETTE[i % PALETTE.length] },
               x: answers.map(esc),
               y: answers.map(function (a) { var p = eq.posteriors[a]; return p === null ? null : p[t]; }) };
    });
    Plotly.react("chart-posteriors", traces, layout({ barmode: "group",
      yaxis: { range: [0, 1], title: { text: "posterior" } }, margin: { l: 50, r: 20, t: 20, b: 40 } }),
      CONFIG);
  }

  // The talks game (docs/model.md, "Talks that teach"): the chance of a security-only
  // target at the start of each round on the worst path of each family's best policy
  // (the last point: after the last refusal), and the arsenal's value; as the report's
  // talks figure draws them.
  function chartTalks(aj) {
    var t = aj.talks;
    var families = t ? Object.keys(t.best_by_family) : [];
    if (!families.length) {
      Plotly.purge("chart-talks");
      return;
    }
    var traces = families.map(function (family, i) {
      var p = t.best_by_family[family];
      var x = p.path.map(function (r) { return r.round; });
      var y = p.path.map(function (r) { return r.security_probability; });
      if (Object.keys(p.final_belief).length) {
        x.push(p.path.length);
        y.push(p.final_security_probability);
      }
      return { type: "scatter", mode: "lines+markers", name: esc(family), x: x, y: y,
               line: { color: PALETTE[i % PALETTE.length] } };
    });
    var longest = t.policies.reduce(function (a, b) { return b.path.length > a.path.length ? b : a; });
    traces.push({ type: "scatter", mode: "lines", name: "arsenal (× today's)", yaxis: "y2",
                  x: longest.path.map(function (r) { return r.round; }),
                  y: longest.path.map(function (r) { return r.arsenal; }),
                  line: { color: "#7f8c8d", dash: "dash" } });
    Plotly.react("chart-talks", traces, layout({
      xaxis: { title: { text: "round (the last point: after the last refusal)" }, dtick: 1 },
      yaxis: { range: [0, 1], title: { text: "chance of a security-only target" } },
      yaxis2: { overlaying: "y", side: "right", title: { text: "arsenal (× today's)" } },
      margin: { l: 60, r: 60, t: 20, b: 50 } }), CONFIG);
  }

  // -- downloads ----------------------------------------------------------------------------

  function download(blob, filename) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function downloadReport() {
    setBusy("Building the report…");
    send("/api/report", { method: "POST", headers: { "Content-Type": "application/json" },
                          body: JSON.stringify(scenarioBody()) })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(function (d) { setBusy(""); showError(d.detail || d); });
        }
        return response.blob().then(function (blob) {
          setBusy("");
          download(blob, (state.summary ? state.summary.id : "scenario") + "-report.html");
        });
      })
      .catch(function (err) { setBusy(""); showError("request failed: " + err); });
  }

  function downloadYaml() {
    api("POST", "/api/export", scenarioBody()).then(function (r) {
      if (r.status !== 200) { showError(r.data.detail || r.data); return; }
      download(new Blob([r.data.yaml], { type: "text/yaml" }), r.data.filename);
    });
  }

  // -- start --------------------------------------------------------------------------------

  function loadGlossary() {
    api("GET", "/api/glossary").then(function (r) {
      if (r.status !== 200) { return; }
      state.glossary = r.data;
      document.querySelectorAll("[data-term]").forEach(function (node) {
        gloss(node, node.dataset.term);
      });
      if (state.last) { renderOffers(state.last); renderTypes(state.last, mainOffer(state.last)); }
    });
  }

  function start() {
    var select = $("scenario-select");
    select.addEventListener("change", function () {
      if (select.value === UPLOADED) { useUploaded(); } else { loadBuiltin(select.value); }
    });

    $("scenario-file").addEventListener("change", function (e) {
      var files = e.target.files;
      if (files && files.length) { loadFile(files[0]); }
    });
    $("reset-controls").addEventListener("click", function () {
      if (state.summary) { useSummary(state.summary); }
    });
    $("download-report").addEventListener("click", downloadReport);
    $("download-yaml").addEventListener("click", downloadYaml);
    $("compute-thresholds").addEventListener("click", function () { analyze(true); });
    var wanted = new URLSearchParams(window.location.search).get("scenario");
    api("GET", "/api/scenarios").then(function (r) {
      if (r.status !== 200) { showError(r.data.detail || r.data); return; }
      loadGlossary();  // after the first answer: a token is asked for once
      r.data.scenarios.forEach(function (s) {
        select.appendChild(new Option(s.title + " (" + s.name + ")", s.name));
      });
      var names = r.data.scenarios.map(function (s) { return s.name; });
      if (wanted === "") {  // ?scenario= : start empty, waiting for a choice or an upload
        var prompt = new Option("— choose a scenario —", "");
        prompt.disabled = true;
        select.insertBefore(prompt, select.firstChild);
        select.value = "";
        $("verdict").textContent = "Choose a built-in scenario or upload a YAML file.";
        document.body.dataset.state = "ready";
        return;
      }
      var first = names.indexOf(wanted) >= 0 ? wanted : r.data.default;
      select.value = first;
      loadBuiltin(first);
    });
  }

  // exposed for tests and for the console: the current state, read-only use
  window.callbluff = { state: state, analyze: analyze, loadFile: loadFile };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
