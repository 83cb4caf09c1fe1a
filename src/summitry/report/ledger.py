"""The report's and dashboard's ledger section: the scenario's dated questions with this
run's answers, the sealed ledger (entries and resolutions), its scores and a reliability
diagram, as HTML with plotly (offline) and as a matplotlib PNG (docs/questions.md,
docs/report.md).

The numbers come from :mod:`summitry.questions` and :mod:`summitry.store.ledger`; all text
is user input and is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from summitry.forecast import Forecast
    from summitry.questions import Answer
    from summitry.store.ledger import Entry, Scores

PLOT_CONFIG = {"displaylogo": False, "responsive": True}
ENTRIES_SHOWN = 40
"""The report lists the last this many ledger entries (the export has them all)."""


def _e(x: object) -> str:
    return escape(str(x), quote=True)


def answer_text(a: Answer) -> str:
    """``P 0.32`` for a binary answer, ``12 (p10 0, p90 40)`` for a numeric one."""
    if a.probability is not None:
        return f"{a.probability:.3f}"
    q = a.quantiles or {}
    return (
        f"{q.get('p50', float('nan')):.3g} (p10 {q.get('p10', 0):.3g}, p90 {q.get('p90', 0):.3g})"
    )


def reliability_figure(scores: Scores) -> Any:
    """Plotly reliability diagram: observed share against mean forecast per bin (marker size
    by count), with the diagonal of perfect calibration. None without resolved binaries."""
    if not scores.bins:
        return None
    import plotly.graph_objects as go  # type: ignore[import-untyped]

    xs = [b["forecast"] for b in scores.bins]
    ys = [b["observed"] for b in scores.bins]
    ns = [b["count"] for b in scores.bins]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="perfect calibration",
            line={"color": "#9aa5b1", "dash": "dash"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+lines",
            name="forecasts",
            marker={"size": [8 + 4 * n**0.5 for n in ns], "color": "#1f5fa8"},
            text=[f"n = {n}" for n in ns],
            hovertemplate="forecast %{x:.2f}<br>observed %{y:.2f}<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Reliability ({scores.which} forecasts, {scores.n} resolved)",
        xaxis={"title": "mean forecast probability", "range": [0, 1]},
        yaxis={"title": "observed share", "range": [0, 1]},
        height=420,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
    )
    return fig


def reliability_png(scores: Scores) -> Figure | None:
    """The reliability diagram as a matplotlib figure (Agg canvas), or None."""
    if not scores.bins:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.0, 5.0), dpi=150, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="#9aa5b1", label="perfect calibration")
    xs = [b["forecast"] for b in scores.bins]
    ys = [b["observed"] for b in scores.bins]
    ns = [b["count"] for b in scores.bins]
    ax.plot(xs, ys, color="#1f5fa8", linewidth=1)
    ax.scatter(xs, ys, s=[30 + 20 * n**0.5 for n in ns], color="#1f5fa8", label="forecasts")
    for x, y, n in zip(xs, ys, ns, strict=True):
        ax.annotate(f"n={n}", (x, y), textcoords="offset points", xytext=(6, -10), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean forecast probability")
    ax.set_ylabel("observed share")
    ax.set_title(f"Reliability ({scores.which} forecasts, {scores.n} resolved)", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def write_reliability_png(scores: Scores, out_dir: Path) -> Path | None:
    fig = reliability_png(scores)
    if fig is None:
        return None
    path = Path(out_dir) / "reliability.png"
    fig.savefig(path, dpi=150, metadata={"Software": None})
    return path


def _table(heads: Sequence[str], rows: Sequence[Sequence[str]], num: Sequence[int] = ()) -> str:
    def cls(i: int) -> str:
        return ' class="num"' if i in num else ""

    head = "".join(f"<th{cls(i)}>{h}</th>" for i, h in enumerate(heads))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(r)) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _num(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def scores_html(s: Scores) -> str:
    out = [
        f"<p>{_e(s.which.replace('realtime', 'Real-time'))} forecasts: {s.n} binary "
        f"questions resolved; mean Brier score {_num(s.brier)} (0 is perfect, 0.25 a coin "
        f"flip); mean log score {_num(s.log)} (0 is perfect).</p>"
    ]
    if s.n_numeric:
        out.append(
            f"<p>{s.n_numeric} numeric questions resolved: mean |median − outcome| "
            f"{_num(s.mae, 2)}; outcomes within p10–p90 {_num(s.cover80, 2)}, within "
            f"p05–p95 {_num(s.cover90, 2)}.</p>"
        )
    if s.bins:
        rows = [
            [
                f"{b['low']:.1f}–{b['high']:.1f}",
                str(b["count"]),
                _num(b["forecast"]),
                _num(b["observed"]),
            ]
            for b in s.bins
        ]
        out.append(_table(["Forecast bin", "Count", "Mean forecast", "Observed"], rows, (1, 2, 3)))
    return "".join(out)


def ledger_section(
    fc: Forecast | None,
    entries: Sequence[Entry] | None,
    *,
    answers: Sequence[Answer] | None = None,
    figure_div: Any = None,
) -> str:
    """The section: this run's answers to the scenario's questions (when it has some), the
    ledger's last entries, the real-time and retrospective scores and the reliability
    diagrams. ``figure_div(fig, id)`` renders a plotly figure (the report's own)."""
    from summitry.questions import answer_all
    from summitry.store.ledger import score

    questions = [] if fc is None else (fc.scenario.questions or [])
    if not questions and not entries:
        return ""
    out = ['<section id="ledger"><h2>Dated questions and the ledger</h2>']
    if questions and fc is not None:
        got = list(answers) if answers is not None else answer_all(fc)
        rows = [
            [
                _e(a.question.id),
                _e(a.question.text),
                _e(a.question.resolves_by.isoformat()),
                _e(a.question.method.type),
                _e(answer_text(a)),
            ]
            for a in got
        ]
        out.append(
            "<p>This run's answers to the scenario's questions (method and equations: "
            "docs/questions.md). They enter the ledger only when sealed "
            "(<code>summitry seal</code>).</p>"
        )
        out.append(_table(["Question", "Text", "Resolves by", "Method", "Answer"], rows, (4,)))
    items = list(entries or [])
    if not items:
        out.append('<p class="note">The ledger is empty: nothing has been sealed yet.</p>')
        out.append("</section>")
        return "".join(out)
    shown = items[-ENTRIES_SHOWN:]
    rows = [
        [
            str(e.entry_id),
            _e(e.entry_kind),
            _e(e.question),
            _e(e.value_text()),
            _e((e.resolved_on if e.entry_kind == "resolution" else e.recorded_at[:10]) or "–"),
            "yes" if e.retrospective else "",
        ]
        for e in shown
    ]
    out.append(
        f"<h3>Ledger</h3><p>{len(items)} entries (forecasts and resolutions, append only, "
        "hash-chained; <code>summitry ledger verify</code> checks the chain)"
        + (f"; the last {len(shown)} shown" if len(shown) < len(items) else "")
        + ".</p>"
    )
    out.append(_table(["#", "Kind", "Question", "Value", "Date", "Retrospective"], rows, (0,)))
    for which, title in (("realtime", "Real-time scores"), ("retrospective", "Past episodes")):
        s = score(items, which)
        if not s.n and not s.n_numeric:
            continue
        out.append(f"<h3>{title}</h3>")
        out.append(scores_html(s))
        fig = reliability_figure(s)
        if fig is not None and figure_div is not None:
            out.append(figure_div(fig, f"fig-reliability-{which}"))
    out.append("</section>")
    return "".join(out)
