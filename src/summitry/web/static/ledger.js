// The ledger section of the dashboard: the sealed forecast ledger of the store the server
// was started with (GET /api/ledger; docs/questions.md). Text goes in as text, never HTML.
"use strict";
(function () {
  function cell(tag, text, cls) {
    const node = document.createElement(tag);
    node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function num(x, digits) {
    return x === null || x === undefined ? "\u2013" : Number(x).toFixed(digits);
  }

  function value(e) {
    if (e.entry_kind === "resolution") return String(e.outcome);
    if (e.probability !== null && e.probability !== undefined) return num(e.probability, 3);
    const q = e.quantiles || {};
    return q.p50 === undefined ? "\u2013" : `${num(q.p50, 1)} [${num(q.p10, 1)}, ${num(q.p90, 1)}]`;
  }

  function scoreText(label, s) {
    if (!s) return "";
    const b = s.binary;
    const n = s.numeric;
    let text = `${label}: ${b.n} binary questions resolved, Brier ${num(b.brier, 3)}, ` +
      `log score ${num(b.log, 3)}`;
    if (n.n) {
      text += `; ${n.n} numeric, mean |median \u2212 outcome| ${num(n.mae_median, 2)}, ` +
        `within p10\u2013p90 ${num(n.coverage_80, 2)}`;
    }
    return text + ".";
  }

  function render(data) {
    const summary = document.getElementById("ledger-summary");
    const body = document.getElementById("ledger-body");
    const scores = document.getElementById("ledger-scores");
    body.replaceChildren();
    scores.replaceChildren();
    if (!data.store) {
      summary.textContent = "No results store: start the server with --db to show its ledger.";
      return;
    }
    if (!data.count) {
      summary.textContent = `The ledger in ${data.store} is empty: nothing has been sealed yet ` +
        "(summitry seal SCENARIO).";
      return;
    }
    const shown = data.entries.length;
    summary.textContent = `${data.count} entries in ${data.store}` +
      (shown < data.count ? ` (the last ${shown} shown)` : "") +
      ": forecasts and resolutions, append only and hash-chained (summitry ledger verify).";
    for (const e of data.entries) {
      const row = document.createElement("tr");
      const date = e.entry_kind === "resolution" ? e.resolved_on : String(e.recorded_at).slice(0, 10);
      row.append(
        cell("td", String(e.entry_id), "num"),
        cell("td", e.entry_kind),
        cell("td", e.question),
        cell("td", value(e), "num"),
        cell("td", date || "\u2013"),
        cell("td", e.retrospective ? "yes" : "")
      );
      body.append(row);
    }
    const labels = { realtime: "Real-time forecasts", retrospective: "Past episodes (retrospective)" };
    for (const which of ["realtime", "retrospective"]) {
      const text = scoreText(labels[which], data.scores[which]);
      if (text) scores.append(cell("p", text));
    }
    const which = data.figures.realtime ? "realtime" : "retrospective";
    const fig = data.figures[which];
    const div = document.getElementById("chart-reliability");
    if (fig && window.Plotly) {
      window.Plotly.react(div, fig.data, fig.layout, { responsive: true, displaylogo: false });
    }
  }

  async function load() {
    const summary = document.getElementById("ledger-summary");
    try {
      const response = await fetch("/api/ledger");
      const data = await response.json();
      if (!response.ok) {
        summary.textContent = data.message || data.detail || `ledger: HTTP ${response.status}`;
        return;
      }
      render(data);
    } catch (err) {
      summary.textContent = `ledger: ${err}`;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", load);
  } else {
    load();
  }
})();
