"""Plotly figures of a forecast: pure functions, data in, ``go.Figure`` out (no I/O).

Each figure's title states the question it answers, its axes name their scales, its
template is ``plotly_white`` and it uses no external resource. Scenario text (issue labels,
anchor labels, actor names) is HTML-escaped before it goes into a figure, since plotly.js
reads its strings as a small subset of HTML. The numbers come from
:mod:`summitry.report.data`, which takes them from the forecast's own summaries.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from summitry.report import data

if TYPE_CHECKING:
    from summitry.forecast import Forecast
    from summitry.sensitivity import Sensitivity

TEMPLATE = "plotly_white"
COLORS = {
    "eum": "#1f5fa8",
    "smp": "#c0392b",
    "compromise": "#16a085",
    "nbs": "#b7950b",
    "procedural": "#7f8c8d",
    "status_quo": "#555555",
    "initial": "#8e44ad",
    "terms": "#1e8449",
    "offer": "#d35400",
    "a": "#1f5fa8",
    "b": "#c0392b",
    "bar": "#1f5fa8",
    "bar2": "#95a5a6",
}
FONT = {"family": "Helvetica, Arial, sans-serif", "size": 13}
TICK_WIDTH = 15
"""Characters per line of an anchor label on an axis (two lines at most)."""
TOP, BOTTOM = 95, 150
"""Pixels above the plots (title) and below them (last axis and the legend)."""
GAP = 125
DEAL_ROWS = {"no deal": 0.6, "ideal points": 0.2, "Nash terms": -0.2, "offer": -0.6}
"""Height of each kind of point in a deal-terms panel (the axis labels name them)."""
"""Pixels between stacked issue panels: the tick labels, axis title and next title."""


def _layout(fig: go.Figure, title: str, height: int, legend: bool = True) -> None:
    """Title at the top left, legend along the bottom, the template and font."""
    fig.update_layout(
        template=TEMPLATE,
        title={
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1.0,
            "yanchor": "top",
            "pad": {"t": 14},
        },
        height=height,
        font=FONT,
        margin={"l": 20, "r": 30, "t": TOP, "b": BOTTOM if legend else 60},
        showlegend=legend,
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0.0,
            "yanchor": "bottom",
            "x": 0.0,
            "xanchor": "left",
            "font": {"size": 12},
        },
    )


def _stack(panels: list[float], gap: float) -> tuple[int, list[float], float]:
    """Height, row heights and vertical spacing for subplots of ``panels`` pixels each,
    ``gap`` pixels apart, with the title and legend margins around them."""
    inner = sum(panels) + gap * (len(panels) - 1)
    return round(inner + TOP + BOTTOM), panels, gap / inner if len(panels) > 1 else 0.0


def anchor_ticks(points: tuple[tuple[float, str], ...]) -> tuple[list[float], list[str]]:
    """Tick positions and texts for an issue axis: the value in bold and the anchor's label
    wrapped under it (escaped)."""
    texts = [
        "<br>".join([f"<b>{at:g}</b>", *(escape(s) for s in data.wrap(label, TICK_WIDTH, 2))])
        for at, label in points
    ]
    return [at for at, _ in points], texts


def _issue_axis(
    fig: go.Figure, row: int, scale: tuple[float, float], points: tuple[tuple[float, str], ...]
) -> None:
    pad = 0.02 * (scale[1] - scale[0])
    vals, texts = anchor_ticks(points)
    ticks: dict[str, Any] = {"tickvals": vals, "ticktext": texts} if points else {}
    fig.update_xaxes(
        range=[scale[0] - pad, scale[1] + pad],
        title={"text": f"issue scale {scale[0]:g}-{scale[1]:g}", "font": {"size": 11}},
        tickfont={"size": 10},
        tickangle=0,
        showgrid=True,
        row=row,
        col=1,
        **ticks,
    )


def _vline(x: float, y: tuple[float, float], name: str, color: str, dash: str, first: bool) -> Any:
    return go.Scatter(
        x=[x, x],
        y=list(y),
        mode="lines",
        line={"color": color, "dash": dash, "width": 2},
        name=name,
        legendgroup=name,
        showlegend=first,
        hovertemplate=f"{escape(name)}: {x:.1f}<extra></extra>",
    )


def _density_trace(d: data.Density, y: float, color: str, name: str, first: bool) -> Any:
    """The histogram as a symmetric stepped band around ``y`` (a violin of the samples)."""
    half = 0.38 * d.heights
    xs: list[float] = []
    top: list[float] = []
    for lo, hi, h in zip(d.edges[:-1], d.edges[1:], half, strict=True):
        xs += [float(lo), float(hi)]
        top += [y - float(h), y - float(h)]
    bottom = [2 * y - t for t in top]
    return go.Scatter(
        x=xs + xs[::-1],
        y=top + bottom[::-1],
        fill="toself",
        mode="lines",
        line={"width": 0.5, "color": color},
        fillcolor=color,
        opacity=0.25,
        name=name,
        legendgroup=name,
        showlegend=first,
        hoverinfo="skip",
    )


def settlement_figure(fc: Forecast) -> go.Figure:
    """Where each issue settles: per issue and engine (EUM, SMP when it ran) the density of
    the per-sample settlement, its p10-p90 band and median, with the status quo and the
    initial median as vertical lines and the issue's anchors on the axis."""
    rows = data.settlements(fc)
    height, panels, spacing = _stack([70.0 * len(r.engines) + 20 for r in rows], GAP)
    fig = make_subplots(
        rows=len(rows),
        cols=1,
        subplot_titles=[escape(r.label) for r in rows],
        row_heights=panels,
        vertical_spacing=spacing,
    )
    for i, issue in enumerate(rows, start=1):
        first = i == 1
        span = (-0.55, len(issue.engines) - 0.45)
        for j, eng in enumerate(issue.engines):
            color = COLORS[eng.engine]
            q, label = eng.quantiles, eng.label
            fig.add_trace(
                _density_trace(eng.density, j, color, f"{label}: distribution", first), i, 1
            )
            fig.add_trace(
                go.Scatter(
                    x=[q["p10"], q["p90"]],
                    y=[j, j],
                    mode="lines",
                    line={"color": color, "width": 7},
                    name=f"{label}: p10-p90",
                    legendgroup=f"{label}: p10-p90",
                    showlegend=first,
                    hovertemplate=f"{label} p10 {q['p10']:.1f}, p90 {q['p90']:.1f}<extra></extra>",
                ),
                i,
                1,
            )
            anchor = "" if eng.anchor is None else f"<br>nearest anchor {_anchor_text(eng.anchor)}"
            fig.add_trace(
                go.Scatter(
                    x=[q["p50"]],
                    y=[j],
                    mode="markers",
                    marker={"color": color, "size": 13, "line": {"color": "white", "width": 1.5}},
                    name=f"{label}: median",
                    legendgroup=f"{label}: median",
                    showlegend=first,
                    hovertemplate=f"{label} median {q['p50']:.1f}{anchor}<extra></extra>",
                ),
                i,
                1,
            )
        if issue.status_quo is not None:
            fig.add_trace(
                _vline(issue.status_quo, span, "status quo", COLORS["status_quo"], "dash", first),
                i,
                1,
            )
        fig.add_trace(
            _vline(
                issue.initial_median["p50"],
                span,
                "initial median (before bargaining)",
                COLORS["initial"],
                "dot",
                first,
            ),
            i,
            1,
        )
        fig.update_yaxes(
            tickvals=list(range(len(issue.engines))),
            ticktext=[e.label for e in issue.engines],
            range=[span[1], span[0]],
            showgrid=False,
            zeroline=False,
            row=i,
            col=1,
        )
        _issue_axis(fig, i, issue.scale, issue.anchors)
    what = "central values" if fc.point else f"{fc.samples:,} samples, seed {fc.seed}"
    _layout(
        fig,
        f"Where will each issue settle? Forecast over {what}<br>"
        "<sup>shaded: distribution over samples; bar: p10-p90 (80% of samples); "
        "dot: median</sup>",
        height,
    )
    return fig


def _anchor_text(anchor: tuple[float, str]) -> str:
    return escape(f"{anchor[0]:g}: {anchor[1]}")


def deal_figure(fc: Forecast) -> go.Figure | None:
    """Can there be a deal, and on what terms? P(zone of agreement), P(deal) and
    P(breakdown) under private information; per issue the Nash terms over the samples with
    a zone (p10-p90, median), the offer under private information, the no-deal point and
    each principal's ideal point. None when the scenario has no bargaining model."""
    d = data.deal(fc)
    if d is None:
        return None
    titles = [
        "How likely is a deal?",
        *(f"{escape(i.label)}: deal terms" for i in d.issues),
    ]
    n = len(d.issues)
    height, panels, spacing = _stack([120.0] + [135.0] * n, GAP)
    fig = make_subplots(
        rows=n + 1,
        cols=1,
        subplot_titles=titles,
        row_heights=panels,
        vertical_spacing=spacing,
    )
    bars = [
        ("zone of agreement", d.p_zopa, f"{d.n_zopa:,} of {d.samples:,} samples"),
        ("deal", d.p_deal_forecast, "the offer accepted by all"),
        ("A's estimate", d.p_deal, "A's own P(deal)"),
    ]
    fig.add_trace(
        go.Bar(
            x=[p for _, p, _ in bars],
            y=[name for name, _, _ in bars],
            orientation="h",
            marker={"color": [COLORS["terms"], COLORS["offer"], COLORS["bar2"]]},
            text=[f"{p:.0%} ({note})" for _, p, note in bars],
            textposition="outside",
            cliponaxis=False,
            name="probability",
            showlegend=False,
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        ),
        1,
        1,
    )
    fig.update_xaxes(
        range=[0, 1.3],
        tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
        tickformat=".0%",
        title="probability",
        row=1,
        col=1,
    )
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    a_name, b_name = escape(d.a_name), escape(d.b_name)
    for r, issue in enumerate(d.issues, start=2):
        first = r == 2
        _deal_issue(fig, r, issue, d, a_name, b_name, first)
        fig.update_yaxes(
            range=[-0.85, 0.85],
            tickvals=list(DEAL_ROWS.values()),
            ticktext=list(DEAL_ROWS),
            showgrid=False,
            zeroline=False,
            row=r,
            col=1,
        )
        _issue_axis(fig, r, issue.scale, issue.anchors)
    sub = (
        f"Bargaining model, {d.channel} channel: A = {d.a_name}, B = {d.b_name}. Deal and "
        "breakdown: A's one offer when it knows B's bottom line only as a distribution. "
        f"Nash terms: over the {d.n_zopa:,} of {d.samples:,} samples with a zone of agreement."
    )
    lines = "<br>".join(escape(line) for line in data.wrap(sub, 120, 4))
    _layout(fig, f"Can there be a deal, and on what terms?<br><sup>{lines}</sup>", height + 30)
    fig.update_layout(margin={"t": TOP + 30})
    return fig


def _deal_issue(
    fig: go.Figure, row: int, issue: data.DealIssue, d: data.Deal, a: str, b: str, first: bool
) -> None:
    points = [
        ("no deal (status quo)", issue.status_quo, "x", COLORS["status_quo"], "no deal"),
        (f"A's ideal point: {a}", issue.position_a, "triangle-down", COLORS["a"], "ideal points"),
        (f"B's ideal point: {b}", issue.position_b, "triangle-down", COLORS["b"], "ideal points"),
    ]
    if issue.offer is not None:
        points.append(
            ("offer under private information", issue.offer, "diamond", COLORS["offer"], "offer")
        )
    for name, x, symbol, color, line in points:
        fig.add_trace(
            go.Scatter(
                x=[x],
                y=[DEAL_ROWS[line]],
                mode="markers",
                marker={"symbol": symbol, "size": 13, "color": color},
                name=name,
                legendgroup=name,
                showlegend=first,
                hovertemplate=f"{name}: {x:.1f}<extra></extra>",
            ),
            row,
            1,
        )
    q = issue.terms
    if q is None:
        return
    fig.add_trace(
        go.Scatter(
            x=[q["p10"], q["p90"]],
            y=[DEAL_ROWS["Nash terms"]] * 2,
            mode="lines",
            line={"color": COLORS["terms"], "width": 7},
            name="Nash terms: p10-p90",
            legendgroup="terms band",
            showlegend=first,
            hovertemplate=f"Nash terms p10 {q['p10']:.1f}, p90 {q['p90']:.1f}<extra></extra>",
        ),
        row,
        1,
    )
    anchor = "" if issue.anchor is None else f"<br>nearest anchor {_anchor_text(issue.anchor)}"
    fig.add_trace(
        go.Scatter(
            x=[q["p50"]],
            y=[DEAL_ROWS["Nash terms"]],
            mode="markers",
            marker={"color": COLORS["terms"], "size": 13, "line": {"color": "white", "width": 1}},
            name="Nash terms: median",
            legendgroup="terms median",
            showlegend=first,
            hovertemplate=f"Nash terms median {q['p50']:.1f}{anchor}<extra></extra>",
        ),
        row,
        1,
    )


def options_figure(fc: Forecast) -> go.Figure | None:
    """Which strategy pays? The share of samples in which each of A's options is the
    subgame-perfect choice (with the mean logit QRE probability beside it), and the share
    of samples ending on each path of the game. None without an options game."""
    o = data.options(fc)
    if o is None:
        return None
    a, b = (escape(p) for p in o.players)
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.42, 0.58],
        subplot_titles=[f"Choice of {a} (A)", f"Outcome: choice of {a} + reply of {b}"],
        horizontal_spacing=0.1,
    )
    names = list(o.choices)
    fig.add_trace(
        go.Bar(
            x=names,
            y=[o.choices[k] for k in names],
            name="subgame-perfect equilibrium: share of samples",
            marker={"color": COLORS["bar"]},
            text=[f"{o.choices[k]:.0%}" for k in names],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1%} of samples<extra></extra>",
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Bar(
            x=names,
            y=[o.qre[k] for k in names],
            name=f"logit QRE (λ = {o.qre_lambda:g}): mean probability",
            marker={"color": COLORS["bar2"]},
            text=[f"{o.qre[k]:.0%}" for k in names],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        ),
        1,
        1,
    )
    paths = list(o.paths)
    fig.add_trace(
        go.Bar(
            x=[p.replace("+", " +<br>") for p in paths],
            y=[o.paths[p] for p in paths],
            name="subgame-perfect path: share of samples",
            marker={"color": COLORS["terms"]},
            text=[f"{o.paths[p]:.0%}" for p in paths],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1%} of samples<extra></extra>",
        ),
        1,
        2,
    )
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", title="share of samples", row=1, col=1)
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", row=1, col=2)
    fig.update_layout(barmode="group")
    _layout(fig, f"Which strategy pays? Options game over {o.samples:,} samples", 620)
    return fig


def drivers_figure(result: Sensitivity, top: int = 15) -> go.Figure:
    """What drives the output? The ``top`` inputs by ST and S1 (Sobol') or mu* (Morris),
    strongest at the top, each bar with the half-width of its confidence interval."""
    rows = data.drivers(result, top)
    names = [escape(r.input) for r in rows]
    level = f"{result.conf_level:.0%}"
    fig = go.Figure()
    if result.method == "sobol":
        series = [
            ("ST (total: alone and with others)", [r.value for r in rows], [r.conf for r in rows]),
            ("S1 (alone)", [r.s1 or 0.0 for r in rows], [r.s1_conf or 0.0 for r in rows]),
        ]
        how = f"Sobol' indices, N={result.n}"
    else:
        series = [("mu* (mean absolute effect)", [r.value for r in rows], [r.conf for r in rows])]
        how = f"Morris screening, r={result.n}"
    for (name, values, conf), color in zip(series, (COLORS["bar"], COLORS["bar2"]), strict=False):
        fig.add_trace(
            go.Bar(
                x=values,
                y=names,
                orientation="h",
                name=name,
                marker={"color": color},
                error_x={"type": "data", "array": conf, "visible": True, "thickness": 1.2},
                hovertemplate=f"%{{y}}<br>{escape(name)}: %{{x:.3g}}<extra></extra>",
            )
        )
    fig.update_yaxes(autorange="reversed", tickfont={"size": 11})
    fig.update_xaxes(title=f"{escape(data.index_label(result))}<br>whiskers: {level} interval")
    fig.update_layout(barmode="group")
    shown = (
        f"top {len(rows)} of {len(result.names)} inputs"
        if len(rows) < len(result.names)
        else (f"all {len(rows)} inputs")
    )
    _layout(
        fig,
        f"What drives {escape(result.output)}?<br><sup>{how}, {result.evaluations:,} model "
        f"runs, seed {result.seed}; {shown}</sup>",
        180 + 34 * max(len(rows), 1) * len(series),
    )
    return fig


__all__ = [
    "anchor_ticks",
    "deal_figure",
    "drivers_figure",
    "options_figure",
    "settlement_figure",
]
