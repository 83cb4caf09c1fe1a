// summitry dashboard: plain JavaScript, no build step. Talks to the JSON API under /api
// (docs/web.md) and draws the server's plotly figures with the local plotly.js.
"use strict";

(function () {
  const DEBOUNCE_MS = 600;
  const $ = (id) => document.getElementById(id);

  const state = {
    meta: null,        // GET /api/scenarios
    info: null,        // GET /api/scenarios/{name}
    inputs: [],        // the number inputs of the key-numbers panel
    timer: null,       // pending debounced update
    controller: null,  // AbortController of the request in flight
    seq: 0,            // number of the latest request; older answers are dropped
  };

  // ---- small helpers ---------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "className") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function num(x, digits) {
    if (x === null || x === undefined || !Number.isFinite(x)) return "\u2013";
    return x.toFixed(digits === undefined ? 1 : digits);
  }

  function prob(x) {
    return num(x, 3);
  }

  function range(q) {
    if (!q) return "\u2013";
    return `${num(q.p50)} [${num(q.p10)}\u2013${num(q.p90)}]`;
  }

  async function getJSON(url, options) {
    const response = await fetch(url, options);
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = { detail: `the server answered ${response.status} without JSON` };
    }
    return { ok: response.ok, status: response.status, data };
  }

  function setStatus(text) {
    $("status").textContent = text;
  }

  function showError(text) {
    const box = $("error");
    box.textContent = text;
    box.hidden = false;
    $("results").classList.add("stale");
  }

  function clearError() {
    const box = $("error");
    box.textContent = "";
    box.hidden = true;
    $("results").classList.remove("stale");
    for (const input of state.inputs) input.removeAttribute("aria-invalid");
  }

  function markInvalid(path) {
    for (const input of state.inputs) {
      if (input.dataset.path === path) input.setAttribute("aria-invalid", "true");
    }
  }

  // ---- the key-numbers panel ---------------------------------------------------------------

  function rangeText(item) {
    const lo = item.min === null ? "-\u221e" : item.min;
    const hi = item.max === null ? "no upper limit" : item.max;
    return `legal range [${lo}, ${hi}]`;
  }

  function inputRow(item, index) {
    const id = `in-${index}`;
    const srcId = `src-${index}`;
    const input = el("input", {
      id,
      type: "number",
      step: "any",
      min: item.min,
      max: item.max,
      value: String(item.central),
      "aria-describedby": srcId,
    });
    input.dataset.path = item.path;
    input.dataset.central = String(item.central);
    const source = el(
      "details",
      {},
      el("summary", { text: "source", "aria-label": `source of ${item.path}` }),
      el(
        "div",
        { id: srcId },
        el("p", { text: `${item.describe}; ${rangeText(item)}` }),
        item.source ? el("p", { text: `Source: ${item.source}` }) : null,
        item.note ? el("p", { text: `Note: ${item.note}` }) : null,
      ),
    );
    const row = el(
      "div",
      { className: "input-row", title: item.source || item.note || item.describe },
      el("label", { for: id, text: item.path }),
      input,
      source,
    );
    row.dataset.path = item.path;
    state.inputs.push(input);
    return row;
  }

  function buildInputs(info) {
    const root = $("inputs");
    root.replaceChildren();
    state.inputs = [];
    let index = 0;
    info.groups.forEach((group, g) => {
      const details = el("details", { className: "group", open: g === 0 });
      details.append(el("summary", { text: group.label }));
      for (const sub of group.subgroups) {
        const fieldset = el("fieldset", {}, el("legend", { text: sub.label }));
        for (const item of sub.inputs) fieldset.append(inputRow(item, index++));
        details.append(fieldset);
      }
      root.append(details);
    });
    applyFilter();
  }

  function applyFilter() {
    const text = $("filter").value.trim().toLowerCase();
    for (const input of state.inputs) {
      const row = input.closest(".input-row");
      row.classList.toggle("hidden", text !== "" && !input.dataset.path.includes(text));
      if (text !== "") input.closest("details.group").open = true;
    }
  }

  function markChanged(input) {
    const value = Number.parseFloat(input.value);
    const changed = input.value !== "" && value !== Number(input.dataset.central);
    input.closest(".input-row").classList.toggle("changed", changed);
  }

  // ---- the request ---------------------------------------------------------------------

  // The request for the current controls, or {error} for an entry that is not a number.
  function currentRequest() {
    const overrides = {};
    for (const input of state.inputs) {
      const text = input.value.trim();
      const value = Number(text);
      if (text === "" || !Number.isFinite(value)) {
        return { error: `${input.dataset.path}: enter a number`, path: input.dataset.path };
      }
      if (value !== Number(input.dataset.central)) overrides[input.dataset.path] = value;
    }
    const request = { scenario: $("scenario").value, overrides };
    for (const name of ["samples", "seed"]) {
      const text = $(name).value.trim();
      const value = Number(text);
      if (text === "" || !Number.isSafeInteger(value)) {
        return { error: `${name}: enter a whole number (at most ${Number.MAX_SAFE_INTEGER})` };
      }
      request[name] = value;
    }
    if (state.info.channel) request.channel = $("channel").value;
    return { request };
  }

  function schedule(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(runForecast, delay === undefined ? DEBOUNCE_MS : delay);
  }

  async function runForecast() {
    clearTimeout(state.timer);
    if (!state.info) return;
    const built = currentRequest();
    if (built.error) {
      clearError();
      showError(built.error);
      if (built.path) markInvalid(built.path);
      setStatus("Not updated: correct the entry marked in red.");
      return;
    }
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    const seq = ++state.seq;
    const started = performance.now();
    setStatus("Computing\u2026");
    let answer;
    try {
      answer = await getJSON("/api/forecast", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(built.request),
        signal: controller.signal,
      });
    } catch (err) {
      if (err.name === "AbortError") return;
      if (seq === state.seq) {
        showError(`The server could not be reached (${err.message}).`);
        setStatus("Not updated.");
      }
      return;
    }
    if (seq !== state.seq) return;
    state.controller = null;
    if (!answer.ok) {
      clearError();
      showError(answer.data.detail || `error ${answer.status}`);
      const field = answer.data.field || "";
      if (field.startsWith("overrides.")) markInvalid(field.slice("overrides.".length));
      setStatus("Not updated: the server refused the request.");
      return;
    }
    clearError();
    render(answer.data);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const req = answer.data.request;
    setStatus(
      `${req.samples.toLocaleString()} samples, seed ${req.seed}; answered in ${seconds} s.`,
    );
    updateUrl(built.request);
  }

  // ---- showing the answer --------------------------------------------------------------------

  function render(data) {
    const fc = data.forecast;
    const deal = fc.deal;
    const pi = deal ? deal.private_information : null;
    const none = "n/a";
    const ig = data.integrated;
    const pDeal = ig && ig.p_deal !== null ? ig.p_deal : null;
    $("p-zone").textContent = deal ? prob(deal.p_zopa) : none;
    $("p-deal").textContent = pi && pDeal !== null ? prob(pDeal) : none;
    $("p-breakdown").textContent = pi && pDeal !== null ? prob(1 - pDeal) : none;
    renderIntegrated(ig);
    renderOptions(fc.options_game);
    renderIssues(fc, deal);
    $("deal-note").textContent = deal
      ? `Deal terms: median over the ${deal.n_zopa ?? "?"} of ${fc.samples} samples with a zone` +
        ` of agreement (${deal.channel} channel; ${deal.principals.a} and ${deal.principals.b}).`
      : "This scenario has no bargaining section: no deal, zone or options game to show.";
    drawChart("chart-settlement", data.figures.settlement);
    drawChart("chart-deal", data.figures.deal);
    drawChart("chart-options", data.figures.options);
    $("command").textContent = data.command;
  }

  // The integrated forecast (docs/integrated.md): one headline per issue, then in words.
  function renderIntegrated(ig) {
    const body = $("integrated-body");
    const words = $("integrated-words");
    body.replaceChildren();
    words.replaceChildren();
    $("integrated").hidden = !ig;
    if (!ig) return;
    $("integrated-p-deal").textContent = ig.words.p_deal;
    const iv = (pair) => `${num(pair[0])}\u2013${num(pair[1])}`;
    for (const row of ig.issues) {
      body.append(
        el(
          "tr",
          { "data-issue": row.issue },
          el("th", { scope: "row", text: row.label }),
          el("td", { text: num(row.median) }),
          el("td", { text: iv(row.intervals["80"]) }),
          el("td", { text: iv(row.intervals["95"]) }),
          el("td", { text: iv(row.with_model_error.intervals["80"]) }),
          el("td", { text: row.terms === null ? "\u2013" : num(row.terms) }),
          el("td", { text: row.no_deal === null ? "\u2013" : num(row.no_deal.median) }),
        ),
      );
    }
    const w = ig.words;
    const lines = [...(w.drivers || [])];
    if (w.unmoved) lines.push(w.unmoved);
    if (w.gives && w.gives.length) lines.push(`In a deal, relative to no deal: ${w.gives.join("; ")}.`);
    if (w.no_zone) lines.push(w.no_zone);
    for (const line of w.disagreement) lines.push(`Engines disagree: ${line}`);
    for (const line of lines) words.append(el("li", { text: line }));
  }

  function renderOptions(game) {
    if (!game) {
      $("top-option").textContent = "n/a";
      $("option-shares").textContent = "no options game in this scenario";
      return;
    }
    const shares = Object.entries(game.spe.options);
    shares.sort((a, b) => b[1] - a[1]);
    $("top-option").textContent = `${shares[0][0]} ${prob(shares[0][1])}`;
    $("option-shares").textContent =
      "share of samples choosing each (subgame-perfect): " +
      shares.map(([name, share]) => `${name} ${num(share, 2)}`).join(", ");
  }

  function anchorCell(q, anchor) {
    return el(
      "td",
      {},
      range(q),
      anchor ? el("span", { className: "anchor", text: `${anchor.at}: ${anchor.label}` }) : null,
    );
  }

  function renderIssues(fc, deal) {
    const body = $("issues-body");
    body.replaceChildren();
    for (const row of fc.issues) {
      const terms = deal ? deal.issues[row.issue] : null;
      body.append(
        el(
          "tr",
          {},
          el("th", { scope: "row", text: row.label }),
          el("td", { text: num(row.status_quo) }),
          anchorCell(row.final_median, row.nearest_anchor),
          row.smp ? anchorCell(row.smp.settlement, row.smp.nearest_anchor) : el("td", { text: "\u2013" }),
          terms ? anchorCell(terms.terms, terms.nearest_anchor) : el("td", { text: "\u2013" }),
        ),
      );
    }
  }

  function drawChart(id, figure) {
    const div = $(id);
    if (!figure) {
      Plotly.purge(div);
      div.classList.add("empty");
      return;
    }
    div.classList.remove("empty");
    // The figure sets its height; the width follows the page. Fixing the box's height keeps
    // plotly's resizing (responsive) from shrinking the chart to an empty box.
    const height = figure.layout.height || 450;
    div.style.height = `${height}px`;
    const layout = Object.assign({}, figure.layout, { autosize: true, height });
    Plotly.react(div, figure.data, layout, { responsive: true, displaylogo: false });
  }

  // ---- the URL: the dashboard's state, to bookmark or share ------------------------------

  function updateUrl(request) {
    const params = new URLSearchParams();
    params.set("scenario", request.scenario);
    params.set("samples", request.samples);
    params.set("seed", request.seed);
    if (request.channel && request.channel !== state.info.channel.value) {
      params.set("channel", request.channel);
    }
    for (const [path, value] of Object.entries(request.overrides)) {
      params.append("set", `${path}=${value}`);
    }
    history.replaceState(null, "", `?${params.toString()}`);
  }

  function applyUrl(params) {
    if (params.has("samples")) $("samples").value = params.get("samples");
    if (params.has("seed")) $("seed").value = params.get("seed");
    if (params.has("channel") && state.info.channel) $("channel").value = params.get("channel");
    for (const item of params.getAll("set")) {
      const at = item.indexOf("=");
      const path = item.slice(0, at);
      for (const input of state.inputs) {
        if (input.dataset.path === path) {
          input.value = item.slice(at + 1);
          markChanged(input);
        }
      }
    }
  }

  // ---- loading a scenario ----------------------------------------------------------------

  async function loadScenario(name) {
    setStatus(`Loading ${name}\u2026`);
    const answer = await getJSON(`/api/scenarios/${encodeURIComponent(name)}`);
    if (!answer.ok) {
      showError(answer.data.detail || `error ${answer.status}`);
      return false;
    }
    state.info = answer.data;
    $("scenario").value = name;
    $("scenario-title").textContent = state.info.title;
    $("scenario-date").textContent = state.info.date ? `as of ${state.info.date}` : "";
    $("scenario-description").textContent = state.info.description || "No description.";
    const channel = $("channel");
    channel.disabled = !state.info.channel;
    channel.value = state.info.channel ? state.info.channel.value : "summit";
    for (const option of channel.options) {
      const choice = state.info.channel
        ? state.info.channel.choices.find((c) => c.value === option.value)
        : null;
      option.textContent = choice ? `${option.value} (US side: ${choice.a})` : option.value;
    }
    $("channel-note").textContent = channelNote(state.info);
    buildInputs(state.info);
    return true;
  }

  // Who negotiates (side a) and who must ratify in each channel, against side b.
  function channelNote(info) {
    if (!info.channel) return "This scenario has no bargaining section.";
    const names = Object.fromEntries(info.actors.map((a) => [a.id, a.name]));
    const name = (id) => names[id] || id;
    const parts = info.channel.choices.map((c) => {
      const ratify = c.ratifiers.length ? `, ratified by ${c.ratifiers.map(name).join(", ")}` : "";
      return `${c.value}: ${name(c.a)}${ratify}`;
    });
    return `Side a by channel: ${parts.join("; ")}. Side b: ${name(info.channel.b)}.`;
  }

  function resetControls() {
    for (const input of state.inputs) {
      input.value = input.dataset.central;
      markChanged(input);
    }
    if (state.info.channel) $("channel").value = state.info.channel.value;
    $("samples").value = state.meta.defaults.samples;
    $("seed").value = state.meta.defaults.seed;
    $("filter").value = "";
    applyFilter();
  }

  // ---- wiring ------------------------------------------------------------------------------

  function onEdit(event) {
    const target = event.target;
    if (target.dataset && target.dataset.path) markChanged(target);
    if ($("auto").checked) schedule();
  }

  function wire() {
    $("run-form").addEventListener("submit", (event) => {
      event.preventDefault();
      runForecast();
    });
    $("reset").addEventListener("click", () => {
      resetControls();
      runForecast();
    });
    $("scenario").addEventListener("change", async () => {
      if (await loadScenario($("scenario").value)) {
        resetControls();
        runForecast();
      }
    });
    $("channel").addEventListener("change", () => {
      if ($("auto").checked) schedule(0);
    });
    $("inputs").addEventListener("input", onEdit);
    $("inputs").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.dataset.path) runForecast();
    });
    $("samples").addEventListener("input", onEdit);
    $("seed").addEventListener("input", onEdit);
    $("filter").addEventListener("input", applyFilter);
    $("copy").addEventListener("click", async () => {
      const text = $("command").textContent;
      try {
        await navigator.clipboard.writeText(text);
        setStatus("Command copied.");
      } catch (err) {
        window.getSelection().selectAllChildren($("command"));
        setStatus("Select the command and copy it (the clipboard is not available here).");
      }
    });
  }

  async function init() {
    wire();
    const answer = await getJSON("/api/scenarios");
    if (!answer.ok) {
      showError(answer.data.detail || `error ${answer.status}`);
      return;
    }
    state.meta = answer.data;
    const select = $("scenario");
    for (const sc of state.meta.scenarios) {
      select.append(el("option", { value: sc.name, text: `${sc.name}: ${sc.title}` }));
    }
    const [low, high] = state.meta.limits.samples;
    Object.assign($("samples"), { min: low, max: high, value: state.meta.defaults.samples });
    $("seed").value = state.meta.defaults.seed;
    const params = new URLSearchParams(window.location.search);
    const wanted = params.get("scenario");
    const known = state.meta.scenarios.some((sc) => sc.name === wanted);
    if (await loadScenario(known ? wanted : state.meta.default)) {
      if (known) applyUrl(params);
      runForecast();
    }
  }

  document.addEventListener("DOMContentLoaded", init);
})();
