"""The numbers a report shows, taken from a :class:`~summitry.forecast.Forecast` once.

The plotly figures (:mod:`summitry.report.figures`), the matplotlib PNGs
(:mod:`summitry.report.png`) and the HTML text (:mod:`summitry.report.html`) all draw on
these records, so a chart and the sentence beside it cannot disagree. Quantiles come from
the forecast's own summaries (``summary()``, ``deal_summary()``, ``options_summary()``);
only the density shapes and the principals' positions are computed here from the
per-sample arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from summitry.forecasting import bargaining as fb

if TYPE_CHECKING:
    from summitry.forecast import Forecast
    from summitry.scenario import Issue
    from summitry.sensitivity import Sensitivity

Array = NDArray[np.float64]
Quantiles = dict[str, float]

DENSITY_BINS = 40
"""Bins of the settlement histograms across each issue's scale."""
QRE_LAMBDA = 5.0
"""The logit QRE precision shown beside the subgame-perfect shares (nearest on the grid)."""
FEW_SAMPLES = 100
"""Below this many samples with a zone of agreement the deal terms get a warning."""
ENGINE_LABELS = {
    "eum": "EUM",
    "smp": "SMP",
    "compromise": "Compromise",
    "nbs": "NBS",
    "procedural": "Procedural",
}
ENGINE_NAMES = {
    "eum": "expected-utility model",
    "smp": "Spatial Model of Politics",
    "compromise": "compromise model",
    "nbs": "Nash bargaining solution",
    "procedural": "procedural model",
}
SETTLEMENT_ENGINES = ("compromise", "nbs", "procedural")
"""Opt-in engines whose one output per issue is a settlement (``--engine all``)."""


@dataclass(frozen=True)
class Density:
    """A histogram over an issue's scale: bin ``edges`` (K+1,) and ``heights`` (K,) as a
    share of the tallest bin (so 1.0 is the mode)."""

    edges: Array
    heights: Array


@dataclass(frozen=True)
class EngineSettlement:
    """One engine's forecast of one issue: its p10/p50/p90, anchor and density."""

    engine: str
    quantiles: Quantiles
    initial: Quantiles
    anchor: tuple[float, str] | None
    density: Density

    @property
    def label(self) -> str:
        return ENGINE_LABELS[self.engine]


@dataclass(frozen=True)
class IssueSettlement:
    """Where one issue settles, per engine, with the issue's scale and reference points."""

    id: str
    label: str
    scale: tuple[float, float]
    anchors: tuple[tuple[float, str], ...]
    status_quo: float | None
    initial_median: Quantiles
    engines: tuple[EngineSettlement, ...]


@dataclass(frozen=True)
class DealIssue:
    """The deal on one issue: Nash terms over samples with a zone (None without any), the
    offer under private information, the no-deal point and each principal's ideal point
    (medians over samples)."""

    id: str
    label: str
    scale: tuple[float, float]
    anchors: tuple[tuple[float, str], ...]
    terms: Quantiles | None
    anchor: tuple[float, str] | None
    offer: float | None
    status_quo: float
    position_a: float
    position_b: float


@dataclass(frozen=True)
class Deal:
    """The bargaining model's answer: probabilities, counts and the terms per issue."""

    channel: str
    a: str
    b: str
    a_name: str
    b_name: str
    ratifiers: tuple[str, ...]
    p_zopa: float
    p_deal: float
    p_breakdown: float
    offer: bool
    p_deal_forecast: float
    """P(deal) of the integrated forecast: the offer judged with every party's drawn
    inputs, never above ``p_zopa`` (docs/integrated.md); ``p_deal`` is A's own estimate."""
    n_zopa: int
    samples: int
    issues: tuple[DealIssue, ...]

    @property
    def few(self) -> bool:
        """Whether the terms rest on some but fewer than :data:`FEW_SAMPLES` samples."""
        return 0 < self.n_zopa < min(self.samples, FEW_SAMPLES)


@dataclass(frozen=True)
class Options:
    """The options game: shares of samples per subgame-perfect choice and path, and the
    mean logit QRE probabilities of A's options at precision ``qre_lambda``."""

    players: tuple[str, str]
    samples: int
    choices: dict[str, float]
    paths: dict[str, float]
    qre_lambda: float
    qre: dict[str, float]

    @property
    def likely_choice(self) -> tuple[str, float]:
        """A's most frequent subgame-perfect choice and its share (first on ties)."""
        return max(self.choices.items(), key=lambda kv: kv[1])

    @property
    def likely_path(self) -> tuple[str, float]:
        """The most frequent subgame-perfect path and its share (first on ties)."""
        return max(self.paths.items(), key=lambda kv: kv[1])


@dataclass(frozen=True)
class Driver:
    """One input's row of a sensitivity result: the ranking index and its interval, and
    (Sobol') the first-order index."""

    rank: int
    input: str
    value: float
    conf: float
    s1: float | None
    s1_conf: float | None


# -- builders ------------------------------------------------------------------------------


def density(values: Array, scale: tuple[float, float], bins: int = DENSITY_BINS) -> Density:
    """Histogram of ``values`` on ``bins`` equal bins spanning ``scale``, heights scaled so
    the tallest bin is 1. When every finite value is the same, one bin of the same width
    centred on it (not a bin that merely starts there); no finite value: all zero."""
    finite = np.clip(values[np.isfinite(values)], *scale)
    if finite.size and np.ptp(finite) == 0:
        half = (scale[1] - scale[0]) / bins / 2
        v = float(finite[0])
        return Density(edges=np.array([v - half, v + half]), heights=np.ones(1))
    counts, edges = np.histogram(finite, bins=bins, range=scale)
    top = counts.max(initial=0)
    heights = counts / top if top > 0 else counts.astype(float)
    return Density(edges=edges.astype(float), heights=heights.astype(float))


def anchors(issue: Issue) -> tuple[tuple[float, str], ...]:
    """The issue's labelled points, in order along the scale."""
    return tuple(sorted((float(k), v) for k, v in issue.anchors.items()))


def _anchor(record: dict[str, Any] | None) -> tuple[float, str] | None:
    return None if record is None else (float(record["at"]), str(record["label"]))


def settlements(fc: Forecast) -> list[IssueSettlement]:
    """Per issue: each engine's settlement (EUM, then SMP when it ran, then the compromise,
    NBS and procedural models when they ran: ``summitry report --engine all``)."""
    eum_final = fc.settlement()
    smp_final = None if fc.smp is None else fc.smp.settlement
    record = fc.to_dict()
    opt_in = [(name, record[name]) for name in SETTLEMENT_ENGINES if name in fc.runs]
    out = []
    for k, (issue, row) in enumerate(zip(fc.scenario.issues, fc.summary(), strict=True)):
        engines = [
            EngineSettlement(
                "eum",
                row["final_median"],
                row["initial_median"],
                _anchor(row["nearest_anchor"]),
                density(eum_final[:, k], issue.scale),
            )
        ]
        if smp_final is not None:
            smp = row["smp"]
            engines.append(
                EngineSettlement(
                    "smp",
                    smp["settlement"],
                    smp["initial"],
                    _anchor(smp["nearest_anchor"]),
                    density(smp_final[:, k], issue.scale),
                )
            )
        for name, info in opt_in:
            q = info["settlement"][issue.id]
            near = issue.nearest_anchor(q["p50"])
            engines.append(
                EngineSettlement(
                    name,
                    q,
                    q,  # these models have no bargaining rounds: no initial state
                    near,
                    density(fc.runs[name].settlement[:, k], issue.scale),
                )
            )
        out.append(
            IssueSettlement(
                id=issue.id,
                label=issue.label,
                scale=issue.scale,
                anchors=anchors(issue),
                status_quo=row["status_quo"],
                initial_median=row["initial_median"],
                engines=tuple(engines),
            )
        )
    return out


def deal(fc: Forecast) -> Deal | None:
    """The bargaining model's answer, or None when it did not run."""
    summary = fc.deal_summary()
    if summary is None or fc.bargaining is None:
        return None
    sc = fc.scenario
    problem = fb.build_problem(sc, fc.draws)
    ideal_a = np.median(fb.to_scale(sc, problem.a), axis=0)
    ideal_b = np.median(fb.to_scale(sc, problem.b), axis=0)
    no_deal = np.median(fb.to_scale(sc, problem.z0), axis=0)
    pi = summary["private_information"]
    offer = pi["terms"] or {}
    issues = tuple(
        DealIssue(
            id=issue.id,
            label=issue.label,
            scale=issue.scale,
            anchors=anchors(issue),
            terms=summary["issues"][issue.id]["terms"],
            anchor=_anchor(summary["issues"][issue.id]["nearest_anchor"]),
            offer=offer.get(issue.id),
            status_quo=float(no_deal[k]),
            position_a=float(ideal_a[k]),
            position_b=float(ideal_b[k]),
        )
        for k, issue in enumerate(sc.issues)
    )
    a, b = summary["principals"]["a"], summary["principals"]["b"]
    return Deal(
        channel=summary["channel"],
        a=a,
        b=b,
        a_name=sc.actor(a).name,
        b_name=sc.actor(b).name,
        ratifiers=tuple(summary["ratifiers"]),
        p_zopa=summary["p_zopa"],
        p_deal=pi["p_deal"],
        p_breakdown=pi["p_breakdown"],
        offer=bool(pi["offer"]),
        p_deal_forecast=float(fc.integrated.p_deal or 0.0),
        n_zopa=int(np.count_nonzero(fc.bargaining.zopa_exists)),
        samples=fc.samples,
        issues=issues,
    )


def options(fc: Forecast) -> Options | None:
    """The options game's answer, or None when it did not run."""
    summary = fc.options_summary()
    if summary is None:
        return None
    qre = min(summary["qre"], key=lambda e: (abs(e["lambda"] - QRE_LAMBDA), e["lambda"]))
    players = summary["players"]
    return Options(
        players=(players[0], players[1]),
        samples=summary["samples"],
        choices=dict(summary["spe"]["options"]),
        paths=dict(summary["spe"]["paths"]),
        qre_lambda=float(qre["lambda"]),
        qre=dict(qre["options"]),
    )


def drivers(result: Sensitivity, top: int | None = None) -> list[Driver]:
    """The ``top`` strongest inputs (all when None), strongest first."""
    rows = result.ranked()
    if top is not None:
        rows = rows[:top]
    sobol = result.method == "sobol"
    key = result.key
    return [
        Driver(
            rank=r["rank"],
            input=r["input"],
            value=r[key],
            conf=r[f"{key}_conf"],
            s1=r["S1"] if sobol else None,
            s1_conf=r["S1_conf"] if sobol else None,
        )
        for r in rows
    ]


def index_label(result: Sensitivity) -> str:
    """What the drivers' bars measure, for an axis title."""
    if result.method == "sobol":
        return "Sobol' index: share of the output's variance (0-1)"
    return f"mu*: mean absolute change of {result.output} per step (its own units)"


def wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of about ``width`` characters, '…' if cut."""
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1].rstrip(",;:") + "…"
    return out
