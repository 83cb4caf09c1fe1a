"""The report's charts as PNG files, drawn with matplotlib's Agg canvas (no display).

The same four charts as :mod:`summitry.report.figures`, from the same numbers
(:mod:`summitry.report.data`): where each issue settles, whether a deal is possible, which
strategy pays, and what drives the answer. Figures are built with the object API
(``matplotlib.figure.Figure`` on ``FigureCanvasAgg``), so nothing touches pyplot's global
state or the process's backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from summitry.report import data
from summitry.report.figures import COLORS, DEAL_ROWS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from summitry.forecast import Forecast
    from summitry.sensitivity import Sensitivity

DPI = 150
WIDTH = 11.0
"""Inches: 1,650 pixels at :data:`DPI`."""
DRIVERS_TOP = 15
TICK_WIDTH = 15


def _t(text: str) -> str:
    """Scenario text as literal matplotlib text (a '$' would start mathtext)."""
    return text.replace("$", r"\$")


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _issue_axis(
    ax: Axes, scale: tuple[float, float], points: tuple[tuple[float, str], ...]
) -> None:
    pad = 0.02 * (scale[1] - scale[0])
    ax.set_xlim(scale[0] - pad, scale[1] + pad)
    if points:
        ax.set_xticks(
            [at for at, _ in points],
            ["\n".join([f"{at:g}", *data.wrap(_t(lab), TICK_WIDTH, 2)]) for at, lab in points],
            fontsize=7,
        )
    ax.set_xlabel(f"issue scale {scale[0]:g}-{scale[1]:g}", fontsize=8)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def settlement_png(fc: Forecast) -> Figure:
    """Where each issue settles: per issue and engine the density of the settlement, its
    p10-p90 band and median, the status quo and the initial median."""
    rows = data.settlements(fc)
    fig = _figure(1.3 + sum(0.55 * len(r.engines) + 1.35 for r in rows))
    axes = fig.subplots(len(rows), 1, squeeze=False)[:, 0]
    for ax, issue in zip(axes, rows, strict=True):
        for j, eng in enumerate(issue.engines):
            color = COLORS[eng.engine]
            half = 0.38 * eng.density.heights
            ax.stairs(
                j + half, eng.density.edges, baseline=j - half, fill=True, color=color, alpha=0.25
            )
            q = eng.quantiles
            ax.hlines(j, q["p10"], q["p90"], color=color, linewidth=6)
            ax.plot([q["p50"]], [j], "o", color=color, markersize=9, markeredgecolor="white")
        if issue.status_quo is not None:
            ax.axvline(issue.status_quo, color=COLORS["status_quo"], linestyle="--", linewidth=1.5)
        ax.axvline(
            issue.initial_median["p50"], color=COLORS["initial"], linestyle=":", linewidth=1.8
        )
        ax.set_yticks(range(len(issue.engines)), [e.label for e in issue.engines])
        ax.set_ylim(len(issue.engines) - 0.45, -0.55)
        ax.set_title(_t(issue.label), fontsize=10.5)
        _issue_axis(ax, issue.scale, issue.anchors)
    handles: list[Any] = []
    for eng in rows[0].engines:
        c = COLORS[eng.engine]
        handles += [
            Patch(color=c, alpha=0.25, label=f"{eng.label}: distribution"),
            Line2D([], [], color=c, linewidth=6, label=f"{eng.label}: p10-p90"),
            Line2D([], [], color=c, marker="o", linestyle="", label=f"{eng.label}: median"),
        ]
    if any(r.status_quo is not None for r in rows):
        handles.append(
            Line2D([], [], color=COLORS["status_quo"], linestyle="--", label="status quo")
        )
    handles.append(Line2D([], [], color=COLORS["initial"], linestyle=":", label="initial median"))
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8, frameon=False)
    what = "central values" if fc.point else f"{fc.samples:,} samples, seed {fc.seed}"
    fig.suptitle(f"Where will each issue settle? Forecast over {what}", x=0.01, ha="left")
    return fig


def deal_png(fc: Forecast) -> Figure | None:
    """Can there be a deal? The three probabilities, then per issue the Nash terms (over
    samples with a zone), the offer, the no-deal point and the ideal points. None without
    a bargaining model."""
    d = data.deal(fc)
    if d is None:
        return None
    n = len(d.issues)
    fig = _figure(2.3 + 1.65 * n)
    axes = fig.subplots(n + 1, 1, height_ratios=[1.1] + [1.0] * n)
    top = axes[0]
    labels = ["zone of agreement", "deal", "A's estimate"]
    probs = [d.p_zopa, d.p_deal_forecast, d.p_deal]  # deal: the integrated forecast's
    notes = [
        f"{d.n_zopa:,} of {d.samples:,} samples",
        "the offer accepted by all",
        "A's own P(deal)",
    ]
    top.barh(labels, probs, color=[COLORS["terms"], COLORS["offer"], COLORS["bar2"]])
    for y, (p, note) in enumerate(zip(probs, notes, strict=True)):
        top.text(p + 0.01, y, f"{p:.0%} ({note})", va="center", fontsize=8)
    top.set_xlim(0, 1.3)
    top.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0%", "20%", "40%", "60%", "80%", "100%"])
    top.invert_yaxis()
    top.set_xlabel("probability", fontsize=8)
    top.set_title("How likely is a deal?", fontsize=10.5)
    for side in ("top", "right"):
        top.spines[side].set_visible(False)
    for ax, issue in zip(axes[1:], d.issues, strict=True):
        _deal_issue(ax, issue)
    handles = [
        Line2D([], [], color=COLORS["status_quo"], marker="X", linestyle="", label="no deal"),
        Line2D([], [], color=COLORS["a"], marker="v", linestyle="", label=f"A: {_t(d.a_name)}"),
        Line2D([], [], color=COLORS["b"], marker="v", linestyle="", label=f"B: {_t(d.b_name)}"),
        Line2D([], [], color=COLORS["terms"], linewidth=6, label="Nash terms p10-p90"),
        Line2D([], [], color=COLORS["terms"], marker="o", linestyle="", label="Nash terms median"),
        Line2D([], [], color=COLORS["offer"], marker="D", linestyle="", label="offer"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.suptitle(
        f"Can there be a deal, and on what terms? Bargaining model, {_t(d.channel)} channel\n"
        f"Nash terms over the {d.n_zopa:,} of {d.samples:,} samples with a zone of agreement",
        x=0.01,
        ha="left",
        fontsize=11,
    )
    return fig


def _deal_issue(ax: Axes, issue: data.DealIssue) -> None:
    rows = DEAL_ROWS
    ax.plot([issue.status_quo], [rows["no deal"]], "X", color=COLORS["status_quo"], markersize=9)
    ax.plot([issue.position_a], [rows["ideal points"]], "v", color=COLORS["a"], markersize=9)
    ax.plot([issue.position_b], [rows["ideal points"]], "v", color=COLORS["b"], markersize=9)
    if issue.offer is not None:
        ax.plot([issue.offer], [rows["offer"]], "D", color=COLORS["offer"], markersize=8)
    q = issue.terms
    if q is not None:
        y = rows["Nash terms"]
        ax.hlines(y, q["p10"], q["p90"], color=COLORS["terms"], linewidth=6)
        ax.plot([q["p50"]], [y], "o", color=COLORS["terms"], markersize=9, markeredgecolor="white")
    ax.set_yticks(list(rows.values()), list(rows), fontsize=8)
    ax.set_ylim(-0.85, 0.85)
    ax.set_title(f"{_t(issue.label)}: deal terms", fontsize=10.5)
    _issue_axis(ax, issue.scale, issue.anchors)


def options_png(fc: Forecast) -> Figure | None:
    """Which strategy pays? Subgame-perfect shares (and mean QRE probabilities) of A's
    options, and the shares of the game's paths. None without an options game."""
    o = data.options(fc)
    if o is None:
        return None
    a, b = (_t(p) for p in o.players)
    fig = _figure(4.8)
    left, right = fig.subplots(1, 2, width_ratios=[0.42, 0.58])
    names = list(o.choices)
    x = range(len(names))
    spe = [o.choices[k] for k in names]
    qre = [o.qre[k] for k in names]
    bars1 = left.bar(
        [i - 0.2 for i in x], spe, 0.4, color=COLORS["bar"], label="SPE: share of samples"
    )
    bars2 = left.bar(
        [i + 0.2 for i in x],
        qre,
        0.4,
        color=COLORS["bar2"],
        label=f"logit QRE (λ = {o.qre_lambda:g})",
    )
    left.set_xticks(list(x), names)
    left.set_title(f"Choice of {a} (A)", fontsize=10.5)
    left.legend(fontsize=8, frameon=False, loc="upper right")
    paths = list(o.paths)
    bars3 = right.bar(
        [p.replace("+", " +\n") for p in paths], [o.paths[p] for p in paths], color=COLORS["terms"]
    )
    right.set_title(f"Outcome: choice of {a} + reply of {b}", fontsize=10.5)
    right.tick_params(axis="x", labelsize=8)
    for ax, bars in ((left, bars1), (left, bars2), (right, bars3)):
        ax.bar_label(bars, labels=[f"{bar.get_height():.0%}" for bar in bars], fontsize=8)
    for ax in (left, right):
        ax.set_ylim(0, 1.12)
        ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0%", "20%", "40%", "60%", "80%", "100%"])
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    left.set_ylabel("share of samples")
    fig.suptitle(f"Which strategy pays? Options game over {o.samples:,} samples", x=0.01, ha="left")
    return fig


def drivers_png(result: Sensitivity, top: int = DRIVERS_TOP) -> Figure:
    """What drives the output? The strongest inputs' ST and S1 (Sobol') or mu* (Morris),
    with the half-widths of their intervals as whiskers."""
    rows = data.drivers(result, top)
    fig = _figure(1.6 + 0.32 * max(len(rows), 1) * (2 if result.method == "sobol" else 1))
    ax = fig.subplots()
    ys = list(range(len(rows)))
    if result.method == "sobol":
        ax.barh(
            [y - 0.2 for y in ys],
            [r.value for r in rows],
            0.4,
            xerr=[r.conf for r in rows],
            color=COLORS["bar"],
            label="ST (alone and with others)",
        )
        ax.barh(
            [y + 0.2 for y in ys],
            [r.s1 or 0.0 for r in rows],
            0.4,
            xerr=[r.s1_conf or 0.0 for r in rows],
            color=COLORS["bar2"],
            label="S1 (alone)",
        )
        how = f"Sobol' indices, N={result.n}"
    else:
        ax.barh(
            ys,
            [r.value for r in rows],
            0.6,
            xerr=[r.conf for r in rows],
            color=COLORS["bar"],
            label="mu* (mean absolute effect)",
        )
        how = f"Morris screening, r={result.n}"
    ax.set_yticks(ys, [r.input for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(
        f"{data.index_label(result)}; whiskers: {result.conf_level:.0%} interval", fontsize=8
    )
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.suptitle(
        f"What drives {result.output}? {how}, {result.evaluations:,} runs, seed {result.seed}",
        x=0.01,
        ha="left",
        fontsize=11,
    )
    return fig


def write_pngs(fc: Forecast, out_dir: Path, sensitivity: Sensitivity | None = None) -> list[Path]:
    """Write ``settlement.png`` and, where they apply, ``deal.png``, ``options.png`` and
    ``drivers.png`` into ``out_dir`` (created if missing); return the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures: list[tuple[str, Figure | None]] = [
        ("settlement", settlement_png(fc)),
        ("deal", deal_png(fc)),
        ("options", options_png(fc)),
        ("drivers", None if sensitivity is None else drivers_png(sensitivity)),
    ]
    written = []
    for name, fig in figures:
        if fig is None:
            continue
        path = out_dir / f"{name}.png"
        fig.savefig(path, dpi=DPI, metadata={"Software": None})
        written.append(path)
    return written


__all__ = ["deal_png", "drivers_png", "options_png", "settlement_png", "write_pngs"]
