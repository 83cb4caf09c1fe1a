"""One self-contained, offline HTML report of a forecast.

:func:`render_html` returns a single page: plotly.js is inlined once (from the plotly
package's own copy), every chart is drawn from JSON in the page, and nothing is fetched
from the network. Sections, in order: the scenario (title, date, description); the
integrated forecast (docs/integrated.md); the answers of each engine in plain words with
their uncertainty; the charts; what drives the answer (when a
sensitivity result is given); every input with its distribution and source; the model
settings, seed, sample count, version and the command that reproduces the report. All
scenario text is user input and is HTML-escaped. The page carries no timestamp unless
one is given, so the same forecast gives the same bytes.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import asdict
from html import escape
from typing import TYPE_CHECKING, Any

import summitry
from summitry import reproduce
from summitry.report import data, figures
from summitry.report.integrated import integrated_section
from summitry.scenario import Fixed
from summitry.scenario.sources import cited_references, scenario_references

if TYPE_CHECKING:
    from summitry.forecast import Forecast
    from summitry.scenario import Scenario
    from summitry.scenario.quantities import AnyQuantity
    from summitry.sensitivity import Sensitivity

DRIVERS_TOP = 15
PLOT_CONFIG = {"displaylogo": False, "responsive": True}

CSS = """
:root { --ink: #1d2733; --muted: #5b6773; --rule: #d9dee3; --accent: #1f5fa8; --warn: #9a5b00; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.55 Georgia, "Times New Roman", serif; }
main { max-width: 1000px; margin: 0 auto; padding: 28px 22px 60px; }
h1, h2, h3, nav, table, .meta, .kicker, figcaption, dl, .note, pre {
  font-family: Helvetica, Arial, sans-serif; }
h1 { font-size: 30px; line-height: 1.2; margin: 6px 0 8px; }
h2 { font-size: 22px; margin: 42px 0 10px; padding-top: 10px; border-top: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 24px 0 6px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px;
  color: var(--muted); margin: 0; }
.meta { color: var(--muted); font-size: 14px; margin: 0 0 14px; }
nav { font-size: 14px; margin: 18px 0; }
nav a { margin-right: 14px; color: var(--accent); }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 8px 0 14px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px;
  border-bottom: 1px solid var(--rule); }
th { background: #f3f5f7; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.path { font-family: Menlo, Consolas, monospace; font-size: 12.5px; white-space: nowrap; }
.note { font-size: 13.5px; color: var(--muted); }
.warn { color: var(--warn); font-weight: 600; }
.changed { background: #fff4d6; }
ul.answers li { margin-bottom: 8px; }
.chart { margin: 14px 0 26px; border: 1px solid var(--rule); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; font-size: 14px; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
pre { background: #f3f5f7; padding: 10px 12px; overflow-x: auto; font-size: 13.5px; }
@media print { .chart { break-inside: avoid; } nav { display: none; } }
"""


# -- formatting ----------------------------------------------------------------------------


def _e(x: object) -> str:
    return escape(str(x))


def _num(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _range(q: Mapping[str, float] | None, digits: int = 1) -> str:
    if q is None:
        return "–"
    return f"{q['p50']:.{digits}f} [{q['p10']:.{digits}f}–{q['p90']:.{digits}f}]"


def _anchor(a: tuple[float, str] | None) -> str:
    return "–" if a is None else f"“{_e(f'{a[0]:g}: {a[1]}')}”"


def _pct(p: float) -> str:
    return f"{p:.0%}"


def _table(
    heads: list[tuple[str, str]], rows: list[list[str]], marks: list[str] | None = None
) -> str:
    """A table; ``heads`` are (escaped title, cell class: "", "num" or "path"); cells are
    already escaped HTML; ``marks`` an optional class per row."""

    def cls(c: str) -> str:
        return f' class="{c}"' if c else ""

    head = "".join(f"<th{cls(c)}>{h}</th>" for h, c in heads)
    body = []
    for i, row in enumerate(rows):
        cells = "".join(f"<td{cls(c)}>{x}</td>" for x, (_, c) in zip(row, heads, strict=True))
        body.append(f"<tr{cls(marks[i] if marks else '')}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _paragraphs(text: str | None) -> str:
    if not text:
        return ""
    paras = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "".join(f"<p>{_e(p)}</p>" for p in paras if p)


# -- sections ------------------------------------------------------------------------------


def _header(fc: Forecast, overrides: Mapping[str, Any], generated: str | None) -> str:
    sc = fc.scenario
    date = f"situation as of {sc.date.isoformat()}" if sc.date else "no scenario date given"
    what = "one run on central values" if fc.point else f"{fc.samples:,} samples, seed {fc.seed}"
    stamp = f" · generated {_e(generated)}" if generated else ""
    parts = [
        '<header><p class="kicker">summitry forecast report</p>',
        f"<h1>{_e(sc.title)}</h1>",
        f'<p class="meta">Scenario <code>{_e(sc.name)}</code> · {_e(date)} · {what} · '
        f"summitry {_e(summitry.__version__)}{stamp}</p>",
        _paragraphs(sc.description),
    ]
    if overrides:
        items = "".join(
            f"<li><code>{_e(k)}</code> = <code>{_e(reproduce.set_value(v))}</code></li>"
            for k, v in overrides.items()
        )
        parts.append(
            f'<p class="warn">This report changes the scenario file with --set:</p><ul>{items}</ul>'
        )
    parts.append("</header>")
    return "".join(parts)


def _nav() -> str:
    links = [
        ("forecast", "The forecast"),
        ("answers", "Answers per engine"),
        ("charts", "Charts"),
        ("drivers", "What drives the answer"),
        ("inputs", "Inputs and sources"),
        ("settings", "Settings and reproduction"),
    ]
    return "<nav>" + "".join(f'<a href="#{k}">{v}</a>' for k, v in links) + "</nav>"


def _settlement_sentence(issue: data.IssueSettlement) -> str:
    lo, hi = issue.scale
    eum = issue.engines[0]
    q = eum.quantiles
    text = (
        f"<b>{_e(issue.label)}</b>: most likely about <b>{q['p50']:.1f}</b> on its "
        f"{lo:g}–{hi:g} scale, nearest anchor {_anchor(eum.anchor)}; 80% of samples "
        f"between {q['p10']:.1f} and {q['p90']:.1f} (expected-utility model)."
    )
    if issue.status_quo is not None:
        text += f" Status quo: {issue.status_quo:.1f}."
    for other in issue.engines[1:]:
        s = other.quantiles
        text += (
            f" The {data.ENGINE_NAMES[other.engine]} puts it at {s['p50']:.1f} "
            f"({s['p10']:.1f}–{s['p90']:.1f}), nearest anchor {_anchor(other.anchor)}."
        )
    return f"<li>{text}</li>"


def _settlement_table(rows: list[data.IssueSettlement]) -> str:
    engines = [e.engine for e in rows[0].engines]
    heads = [("Issue", ""), ("Status quo", "num"), ("Initial median", "num")]
    for eng in engines:
        heads += [(f"{data.ENGINE_LABELS[eng]} settlement", "num"), ("Nearest anchor", "")]
    body = []
    for r in rows:
        cells = [f"<code>{_e(r.id)}</code>", _num(r.status_quo), _num(r.initial_median["p50"])]
        for e in r.engines:
            cells += [_range(e.quantiles), _anchor(e.anchor)]
        body.append(cells)
    return _table(heads, body)


def _deal_section(d: data.Deal) -> str:
    a, b = _e(d.a_name), _e(d.b_name)
    ratifiers = f" with ratifiers {_e(', '.join(d.ratifiers))}" if d.ratifiers else ""
    out = [
        "<h3>Can there be a deal?</h3>",
        f"<p>Bargaining model, {_e(d.channel)} channel{ratifiers}: {a} (A) with {b} (B). "
        f"A zone of agreement (a package both prefer to no deal, and any ratifier accepts) "
        f"exists in <b>{_pct(d.p_zopa)}</b> of samples ({d.n_zopa:,} of {d.samples:,}). ",
    ]
    if d.offer:
        out.append(
            f"When A knows B's bottom line only as a distribution, A's best single offer is "
            f"accepted with probability <b>{_pct(d.p_deal)}</b> (P(deal) as A estimates it, "
            "with its own side at central values; the forecast above judges the offer with "
            "every party's drawn inputs); talks break down "
            f"with probability <b>{_pct(d.p_breakdown)}</b> (P(breakdown)).</p>"
        )
    else:
        out.append(
            "When A knows B's bottom line only as a distribution, no offer B might accept is "
            f"worth making for A: P(deal) {_pct(d.p_deal)}, P(breakdown) "
            f"{_pct(d.p_breakdown)}.</p>"
        )
    if d.n_zopa == 0:
        out.append("<p>No sample has a zone of agreement, so there are no deal terms.</p>")
        return "".join(out)
    out.append(
        "<p>Likely terms: the Nash bargaining solution, median [p10–p90] over the "
        f"{d.n_zopa:,} samples with a zone, beside the single offer under private "
        "information and the no-deal point.</p>"
    )
    if d.few:
        out.append(
            f'<p class="warn">These terms rest on only {d.n_zopa:,} samples (fewer than '
            f"{data.FEW_SAMPLES}): their medians and ranges are not reliable; raise "
            "--samples.</p>"
        )
    heads = [
        ("Issue", ""),
        ("Nash terms", "num"),
        ("Nearest anchor", ""),
        ("Offer (private info)", "num"),
        ("No deal", "num"),
        ("A's ideal", "num"),
        ("B's ideal", "num"),
    ]
    rows = [
        [
            f"<code>{_e(i.id)}</code>",
            _range(i.terms),
            _anchor(i.anchor),
            _num(i.offer),
            _num(i.status_quo),
            _num(i.position_a),
            _num(i.position_b),
        ]
        for i in d.issues
    ]
    out.append(_table(heads, rows))
    return "".join(out)


def _options_section(o: data.Options) -> str:
    a, b = _e(o.players[0]), _e(o.players[1])
    choice, share = o.likely_choice
    path, path_share = o.likely_path
    first, _, reply = path.partition("+")
    qre = ", ".join(f"{_e(k)} {_pct(p)}" for k, p in o.qre.items())
    spe = ", ".join(f"{_e(k)} {_pct(p)}" for k, p in o.choices.items())
    return (
        "<h3>Which strategy pays?</h3>"
        f"<p>In the options game, the most likely choice of {a} (A) is <b>{_e(choice)}</b>: the "
        f"subgame-perfect choice in <b>{_pct(share)}</b> of {o.samples:,} samples ({spe}). "
        f"The most likely outcome is {_e(first)} by {a} answered by {_e(reply)} from {b} "
        f"({_pct(path_share)} of samples). With players who choose with some noise (logit "
        f"quantal response, λ = {o.qre_lambda:g}) the mean probabilities of the options of {a} "
        f"are {qre}.</p>"
    )


def _answers(fc: Forecast) -> str:
    rows = data.settlements(fc)
    out = [
        '<section id="answers"><h2>The answers per engine</h2>',
        "<h3>Where each issue is likely to settle</h3>",
        '<p class="note">Median over samples with the 10th–90th percentile range (80% of '
        "samples fall inside it); the anchor is the labelled point of the issue's scale "
        "nearest the median.</p>",
        '<ul class="answers">',
        *(_settlement_sentence(r) for r in rows),
        "</ul>",
        _settlement_table(rows),
    ]
    d = data.deal(fc)
    if d is not None:
        out.append(_deal_section(d))
    o = data.options(fc)
    if o is not None:
        out.append(_options_section(o))
    for note in fc.notes:
        out.append(f'<p class="note">Note: {_e(note)}.</p>')
    out.append("</section>")
    return "".join(out)


def _figure_div(fig: Any, div_id: str) -> str:
    import plotly.io as pio  # type: ignore[import-untyped]

    html: str = pio.to_html(
        fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOT_CONFIG
    )
    return f'<div class="chart">{html}</div>'


def _scales(fc: Forecast) -> str:
    items = []
    for issue in fc.scenario.issues:
        points = "; ".join(f"{at:g}: {label}" for at, label in data.anchors(issue))
        lo, hi = issue.scale
        items.append(
            f"<li><b>{_e(issue.label)}</b> ({lo:g}–{hi:g}): {_e(points) or 'no anchors'}</li>"
        )
    listing = "".join(items)
    return f'<p class="note">The issue scales and their anchors:</p><ul class="note">{listing}</ul>'


def _charts(fc: Forecast) -> str:
    out = ['<section id="charts"><h2>Charts</h2>']
    out.append(_figure_div(figures.settlement_figure(fc), "fig-settlement"))
    out.append(_scales(fc))
    deal = figures.deal_figure(fc)
    if deal is not None:
        out.append(_figure_div(deal, "fig-deal"))
    game = figures.options_figure(fc)
    if game is not None:
        out.append(_figure_div(game, "fig-options"))
    out.append("</section>")
    return "".join(out)


def _drivers(fc: Forecast, res: Sensitivity | None) -> str:
    from summitry.sensitivity import uncertain_inputs

    out = ['<section id="drivers"><h2>What drives the answer</h2>']
    if res is None:
        if not uncertain_inputs(fc.scenario):
            out.append(
                "<p>Every input of this scenario is a fixed value, so no input drives a "
                "spread in the forecast.</p></section>"
            )
        else:
            out.append(
                "<p>No sensitivity analysis in this report; "
                f"<code>summitry sensitivity {_e(shlex.quote(fc.scenario.name))}</code> "
                "ranks the inputs.</p></section>"
            )
        return "".join(out)
    level = f"{res.conf_level:.0%}"
    if res.method == "sobol":
        how = (
            f"Sobol' indices (N={res.n}, {res.evaluations:,} model runs, seed {res.seed}). "
            "ST: the share of the output's variance in which the input plays a part, alone "
            "or together with others; S1: the share it explains alone."
        )
    else:
        how = (
            f"Morris screening (r={res.n}, {res.evaluations:,} model runs, seed {res.seed}). "
            "mu*: the mean absolute change of the output when the input moves across half "
            "of its probability mass with everything else held; mu: the same with signs; "
            "sigma: the spread of those changes (large when the input acts through others). "
            "A screen ranks the inputs; it does not split the variance between them."
        )
    out.append(
        f"<p>Which uncertain inputs move <code>{_e(res.output)}</code> (mean "
        f"{res.output_mean:.2f}, sd {res.output_sd:.2f}) the most? {_e(how)} ±: half-width of "
        f"the {level} interval.</p>"
    )
    out.append(_figure_div(figures.drivers_figure(res, DRIVERS_TOP), "fig-drivers"))
    rows = data.drivers(res, DRIVERS_TOP)
    ranked = {r["input"]: r for r in res.ranked()}
    digits = 2 if res.method == "sobol" else _digits(res.output_sd)
    if res.method == "sobol":
        heads = [("#", "num"), ("Input", ""), ("ST", "num"), ("S1", "num")]
    else:
        heads = [("#", "num"), ("Input", ""), ("mu*", "num"), ("mu", "num"), ("sigma", "num")]
    heads.append(("Distribution", ""))
    body = []
    for r in rows:
        cells = [
            str(r.rank),
            f"<code>{_e(r.input)}</code>",
            f"{r.value:.{digits}f} ±{r.conf:.{digits}f}",
        ]
        if res.method == "sobol":
            cells.append(f"{r.s1 or 0.0:.2f} ±{r.s1_conf or 0.0:.2f}")
        else:
            cells += [
                f"{ranked[r.input]['mu']:.{digits}f}",
                f"{ranked[r.input]['sigma']:.{digits}f}",
            ]
        cells.append(_e(fc.scenario.quantity(r.input).describe()))
        body.append(cells)
    out.append(_table(heads, body))
    if len(rows) < len(res.names):
        out.append(f'<p class="note">Showing {len(rows)} of {len(res.names)} inputs.</p>')
    if res.held:
        out.append(
            f'<p class="note">{len(res.held)} other uncertain inputs were held at their '
            "central values.</p>"
        )
    for w in res.warnings:
        out.append(f'<p class="warn">Warning: {_e(w)}</p>')
    out.append("</section>")
    return "".join(out)


def _digits(sd: float) -> int:
    """Decimals for effects in the output's units: 1 on a 0-100 scale, more for small ones."""
    import math

    return 1 if sd >= 5 or sd == 0 else min(4, 2 - math.floor(math.log10(sd)))


def _source_cell(q: AnyQuantity, changed: bool) -> str:
    """Source and note of an input; inputs changed with --set say so first."""
    notes = [f"<b>source:</b> {_e(q.source)}" if q.source else "", _e(q.note or "")]
    if changed:
        notes.insert(0, "<b>set on the command line (--set)</b>")
    return "<br>".join(n for n in notes if n) or '<span class="warn">none given</span>'


def _inputs(sc: Scenario, overrides: Mapping[str, Any]) -> str:
    quantities = sc.quantities()
    missing = [p for p, q, _ in quantities if not (q.source or q.note or p in overrides)]
    uncertain = sum(1 for _, q, _ in quantities if not isinstance(q, Fixed))
    out = [
        '<section id="inputs"><h2>Inputs and their sources</h2>',
        f"<p>Every quantity of the scenario by its dotted path ({len(quantities)} in all, "
        f"{uncertain} uncertain), with the distribution the forecast draws from, its central "
        "value, and the source or the judgment behind it. The paths are those that "
        "<code>summitry compare --set</code> and <code>summitry sensitivity --inputs</code> "
        "take.</p>",
    ]
    if missing:
        out.append(
            f'<p class="warn">{len(missing)} input(s) have neither a source nor a note: '
            f"{_e(', '.join(missing))}.</p>"
        )
    heads = [("Input", "path"), ("Distribution", ""), ("Central", "num"), ("Source / note", "")]
    rows = [
        [_e(path), _e(q.describe()), _e(f"{q.central():.4g}"), _source_cell(q, path in overrides)]
        for path, q, _ in quantities
    ]
    marks = ["changed" if path in overrides else "" for path, _, _ in quantities]
    out.append(_table(heads, rows, marks))
    cited = cited_references(sc.to_data(), scenario_references(sc.references))
    if cited:
        refs = "".join(
            f"<li><b>{_e(r.key)}</b>"
            + (f" ({r.date.isoformat()})" if r.date else "")
            + f": {_e(r.citation)}</li>"
            for r in cited
        )
        out.append(f'<h3>References</h3><ul class="note">{refs}</ul>')
    out.append("</section>")
    return "".join(out)


def reproduce_command(
    fc: Forecast,
    sensitivity: Sensitivity | None,
    target: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> str:
    """``summitry report <scenario> --seed S --samples N`` with any ``--set`` changes, and
    ``--no-sensitivity`` when the report has no drivers section although it could, and
    ``--engine all`` when it shows the opt-in engines (docs/architecture.md); built by
    :func:`summitry.reproduce.reproduce_command`."""
    from summitry.sensitivity import uncertain_inputs

    flags: list[str] = []
    if sensitivity is None and uncertain_inputs(fc.scenario):
        flags.append("--no-sensitivity")
    if fc.runs:
        flags += ["--engine", "all"]
    target = target or fc.scenario.name
    return reproduce.reproduce_command("report", target, fc.seed, fc.samples, overrides, flags)


def _settings(fc: Forecast, sensitivity: Sensitivity | None, command: str) -> str:
    from summitry.store import scenario_hash

    sc = fc.scenario

    def opts(d: Mapping[str, Any]) -> str:
        return ", ".join(f"{k}={v}" for k, v in d.items())

    items: list[tuple[str, str]] = [
        ("summitry version", summitry.__version__),
        ("Scenario", f"{sc.name} (SHA-256 of its content {scenario_hash(sc)})"),
        ("Samples", "1 (central values)" if fc.point else f"{fc.samples:,}"),
        ("Seed", str(fc.seed)),
        ("Engines run", ", ".join(fc.engines)),
        ("Expected-utility model", f"variant {sc.model.eum.variant}; {opts(asdict(fc.options))}"),
    ]
    if fc.smp_options is not None:
        items.append(("Spatial Model of Politics", opts(asdict(fc.smp_options))))
    if sc.bargaining is not None:
        bg = sc.bargaining
        items.append(("Bargaining model", f"channel {bg.channel}, utility {bg.utility}"))
    if sensitivity is not None:
        items.append(
            (
                "Sensitivity",
                f"{sensitivity.method}, n={sensitivity.n}, output {sensitivity.output}, "
                f"{sensitivity.evaluations:,} runs, seed {sensitivity.seed}",
            )
        )
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
    return (
        '<section id="settings"><h2>Model settings and how to reproduce</h2>'
        f"<dl>{rows}</dl>"
        "<p>The same command with the same summitry version and scenario gives the same "
        "numbers:</p>"
        f"<pre><code>{_e(command)}</code></pre></section>"
    )


def render_html(
    fc: Forecast,
    sensitivity: Sensitivity | None = None,
    *,
    target: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    generated: str | None = None,
    ledger: list[Any] | None = None,
) -> str:
    """The whole report as one HTML page (see the module docstring).

    ``target``: the scenario as the reproduce command should name it (default: its name);
    ``overrides``: the ``--set`` changes already applied to ``fc.scenario``, listed at the
    top and in the reproduce command; ``generated``: an optional timestamp to print;
    ``ledger``: the store's ledger entries, for the section on dated questions
    (docs/questions.md).
    """
    from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

    from summitry.report.ledger import ledger_section

    changes = dict(overrides or {})
    command = reproduce_command(fc, sensitivity, target, changes)
    title = f"{fc.scenario.title} – summitry report"
    body = "".join(
        [
            _header(fc, changes, generated),
            _nav(),
            integrated_section(fc),  # the headline first (docs/integrated.md)
            _answers(fc),
            ledger_section(fc, ledger, figure_div=_figure_div),  # dated questions
            _charts(fc),
            _drivers(fc, sensitivity),
            _inputs(fc.scenario, changes),
            _settings(fc, sensitivity, command),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="summitry {_e(summitry.__version__)}">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


__all__ = ["render_html", "reproduce_command"]
