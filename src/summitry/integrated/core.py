"""The integrated forecast of a run: one headline per issue (docs/integrated.md).

With a bargaining section (kind ``"deal"``), per draw s:

- deal_s = 1 iff draw s has a zone of agreement and A's private-information offer z*
  (docs/models/bargaining.md, "Private information") lies in that draw's agreement set
  Z*_s: every party whose consent the channel in force needs, judged with draw s's own
  utilities and reservations, prefers z* to no deal;
- terms t = z* on the issues' scales (one package: A's best offer);
- the no-deal point b_s = the draw of ``issues[].breakdown`` where the scenario gives one,
  else the status quo draw;
- y_s = t if deal_s else b_s (:func:`summitry.integrated.mixture.mixture`).

P(deal) is the share of draws with deal_s = 1, so P(deal) <= P(zone) by construction.
Without a bargaining section (kind ``"settlement"``) there is no deal question: y_s is the
stacked ensemble of the DEU calibration (compromise, weighted median, mean of positions,
status quo; docs/calibration.md) on draw s. In both kinds the model error of the DEU
calibration is added to y in a separate, labelled distribution.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from summitry.integrated.mixture import Array, BoolArray, intervals, mixture, probability
from summitry.scenario.breakdown import breakdown_path

if TYPE_CHECKING:
    from summitry.calibration.export import Calibration
    from summitry.forecast import Forecast
    from summitry.sampling import Draws
    from summitry.scenario import Scenario

WINDOW = "per negotiation window as defined in docs/integrated.md (The negotiation window)"
"""The time frame of P(deal): one round of talks in the channel in force."""
MODEL_ERROR_LABEL = "with model error (learned on EU legislation, docs/calibration.md)"
MARGIN = 0.10
"""An engine's p50 differs from the headline median when they are more than this share of
the issue's scale apart (10 points on a 0-100 scale)."""
ACCEPT_TOL = 1e-12
"""Surpluses down to -ACCEPT_TOL count as acceptance (the bargaining engine's tolerance)."""
MODEL_ERROR_KEY = (2**40,)
"""Spawn key of the model-error stream under the run's seed (apart from the draw blocks)."""
ERROR_DRAWS = 1000
"""At least this many model-error draws per issue: a run of B < ERROR_DRAWS samples (a
point run, say) takes ceil(ERROR_DRAWS / B) draws of the error law per sample."""
CALIBRATION_FILE = "deu-calibration.json"
"""The DEU calibration bundled in summitry.data (calibrate_deu on the public file)."""

ENGINE_LABELS = {
    "eum": "expected-utility model",
    "smp": "spatial model",
    "compromise": "compromise model",
    "nbs": "Nash bargaining solution (all actors)",
    "procedural": "procedural model",
    "bargaining": "bargaining model's Nash terms (draws with a zone)",
}


@lru_cache(maxsize=1)
def deu_calibration() -> Calibration:
    """The bundled DEU calibration (docs/calibration.md, "Exported calibration")."""
    from summitry.calibration.export import calibration_from_dict

    text = resources.files("summitry.data").joinpath(CALIBRATION_FILE).read_text("utf-8")
    return calibration_from_dict(json.loads(text), CALIBRATION_FILE)


@dataclass(frozen=True)
class Integrated:
    """The integrated forecast of one run (see the module docstring).

    ``deal`` (B,) the draws with a deal (None for kind ``"settlement"``); ``y`` (B, D) the
    headline draws, ``y_error`` (B r, D) the same with model error (r draws per sample,
    r = 1 from :data:`ERROR_DRAWS` samples on); ``no_deal`` (B, D) the
    no-deal points; ``terms`` (D,) the offer on the issues' scales (None without one).
    """

    scenario: Scenario
    kind: str
    seed: int
    deal: BoolArray | None
    p_zone: float | None
    y: Array
    y_error: Array
    no_deal: Array
    terms: Array | None
    evidence: dict[str, Array] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def p_deal(self) -> float | None:
        """P(deal): the share of draws with a deal (None without a bargaining section)."""
        return None if self.deal is None else probability(self.deal)

    def margin(self, k: int) -> float:
        lo, hi = self.scenario.issues[k].scale
        return MARGIN * (hi - lo)

    def issue_summary(self, k: int) -> dict[str, Any]:
        """The headline of issue k: median and 50/80/95% intervals of y, the same with
        model error, the no-deal point, the terms given a deal, and the evidence."""
        issue = self.scenario.issues[k]
        head = intervals(self.y[:, k])
        anchor = issue.nearest_anchor(head["median"])
        evidence = []
        for name, x in self.evidence.items():
            v = x[:, k]
            v = v[~np.isnan(v)]
            if v.size == 0:
                continue
            med = float(np.quantile(v, 0.5))
            gap = med - head["median"]
            evidence.append(
                {
                    "engine": name,
                    "label": ENGINE_LABELS.get(name, name),
                    "median": med,
                    "samples": int(v.size),
                    "differs": bool(abs(gap) > self.margin(k)),
                }
            )
        return {
            "issue": issue.id,
            "label": issue.label,
            "scale": list(issue.scale),
            **head,
            "nearest_anchor": None if anchor is None else {"at": anchor[0], "label": anchor[1]},
            "with_model_error": {"label": MODEL_ERROR_LABEL, **intervals(self.y_error[:, k])},
            "no_deal": None
            if np.isnan(self.no_deal[:, k]).any()
            else intervals(self.no_deal[:, k]),
            "breakdown": f"issues.{issue.id}.breakdown" if issue.breakdown is not None else None,
            "terms": None if self.terms is None else float(self.terms[k]),
            "margin": self.margin(k),
            "evidence": evidence,
        }

    def summary(self) -> dict[str, Any]:
        """The JSON-ready headline of every issue, P(deal) with its window, and notes."""
        return {
            "kind": self.kind,
            "samples": self.samples,
            "p_deal": self.p_deal,
            "p_zone": self.p_zone,
            "window": WINDOW if self.kind == "deal" else None,
            "model_error": MODEL_ERROR_LABEL,
            "margin": MARGIN,
            "issues": [self.issue_summary(k) for k in range(len(self.scenario.issues))],
            "notes": list(self.notes),
        }

    def outputs(self) -> dict[str, Array]:
        """Per-draw outputs by dotted name, as :meth:`Forecast.outputs` names them:
        ``integrated.deal`` (1 in the draws with a deal; kind ``"deal"`` only) and
        ``integrated.<issue>`` (y)."""
        out: dict[str, Array] = {}
        if self.deal is not None:
            out["integrated.deal"] = self.deal.astype(float)
        for k, issue in enumerate(self.scenario.issue_ids):
            out[f"integrated.{issue}"] = self.y[:, k]
        return out

    def quantities(self) -> dict[str, Any]:
        """The integrated quantities by name (docs/integrated.md, "Quantities by name")."""
        out: dict[str, Any] = {
            "p_deal": self.p_deal,
            "p_zone": self.p_zone,
            "deal": None if self.deal is None else self.deal.astype(float),
        }
        for k, issue in enumerate(self.scenario.issue_ids):
            out[f"issue.{issue}"] = self.y[:, k]
            out[f"issue.{issue}.model_error"] = self.y_error[:, k]  # (B r,)
            out[f"issue.{issue}.no_deal"] = self.no_deal[:, k]
            out[f"issue.{issue}.median"] = intervals(self.y[:, k])["median"]
            out[f"issue.{issue}.terms"] = None if self.terms is None else float(self.terms[k])
        return out


def no_deal_points(scenario: Scenario, draws: Draws) -> Array:
    """b (B, D): each issue's breakdown draw where the scenario sets one, else its status
    quo draw (NaN where it has neither)."""
    b = np.array(draws.status_quo, dtype=float, copy=True)
    for k, issue in enumerate(scenario.issues):
        if issue.breakdown is not None:
            b[:, k] = draws.extra[breakdown_path(issue.id)]
    return b


def offer_accepted(scenario: Scenario, draws: Draws, z: Array) -> BoolArray:
    """Whether the package z (D,) on [0, 1]^D lies in each draw's agreement set Z*_s."""
    from summitry.engines.bargaining.model import in_agreement_set
    from summitry.forecasting.bargaining import build_problem

    problem = build_problem(scenario, draws)
    zz = np.broadcast_to(np.asarray(z, dtype=float), (draws.samples, len(z)))
    return np.asarray(in_agreement_set(problem, zz, tol=ACCEPT_TOL), dtype=bool)


def settlement_ensemble(scenario: Scenario, draws: Draws, cal: Calibration) -> Array:
    """The DEU-stacked ensemble (B, D) of the calibration's models on each draw."""
    from summitry.engines.compromise import compromise, mean_position, weighted_median
    from summitry.sampling import issue_capability

    x = np.moveaxis(draws.position, 1, 2)  # (B, D, n)
    s = np.moveaxis(draws.salience, 1, 2)
    c = np.moveaxis(issue_capability(scenario, draws), 1, 2)
    own = {
        "compromise": lambda: compromise(x, s, c),
        "weighted-median": lambda: weighted_median(x, s, c),
        "mean": lambda: mean_position(x),
        "reference-point": lambda: draws.status_quo,
    }
    cols = []
    for m in cal.models:
        if m not in own:
            raise ValueError(f"calibration model '{m}' has no counterpart in a scenario")
        cols.append(np.asarray(own[m](), dtype=float))
    f = np.stack(cols, axis=-1)  # (B, D, M)
    out = cal.combine(f.reshape(-1, f.shape[-1])).reshape(f.shape[:2])
    return np.asarray(out, dtype=float)


def model_error(scenario: Scenario, y: Array, seed: int, cal: Calibration) -> Array:
    """y with the calibration's model error, (B r, D): r = ceil(ERROR_DRAWS / B) draws of
    the error law per sample and issue (issue by issue, draw-major: row j B + s is draw j
    of sample s), from the stream :data:`MODEL_ERROR_KEY` of ``seed``."""
    from summitry.calibration.export import add_model_error

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=MODEL_ERROR_KEY))
    reps = -(-ERROR_DRAWS // y.shape[0])
    out = np.empty((y.shape[0] * reps, y.shape[1]))
    for k, issue in enumerate(scenario.issues):
        lo, hi = issue.scale
        x = np.clip(y[:, k], lo, hi)
        values = add_model_error(x, cal, rng, lo=lo, hi=hi, draws=reps).values
        out[:, k] = np.asarray(values).reshape(-1)
    return out


def evidence_of(fc: Forecast) -> dict[str, Array]:
    """Each settlement engine's per-draw forecast (B, D) that ran, and the Nash terms
    (NaN in draws without a zone)."""
    out: dict[str, Array] = {"eum": fc.settlement()}
    if fc.smp is not None:
        out["smp"] = fc.smp.settlement
    if fc.runs:
        outputs = fc.outputs()
        for name in fc.runs:
            keys = [f"{name}.settlement.{i}" for i in fc.scenario.issue_ids]
            if all(k in outputs for k in keys):
                out[name] = np.stack([outputs[k] for k in keys], axis=1)
    if fc.bargaining is not None:
        from summitry.forecasting.bargaining import to_scale

        out["bargaining"] = to_scale(fc.scenario, fc.bargaining.z)
    return out


def integrate(fc: Forecast, calibration: Calibration | None = None) -> Integrated:
    """The integrated forecast of a run (see the module docstring)."""
    sc = fc.scenario
    cal = deu_calibration() if calibration is None else calibration
    b = no_deal_points(sc, fc.draws)
    notes: list[str] = []
    if fc.bargaining is None:
        y = settlement_ensemble(sc, fc.draws, cal)
        weights = ", ".join(
            f"{m} {w:.2f}" for m, w in zip(cal.models, cal.weights, strict=True) if w > 0
        )
        notes.append(
            "no bargaining model ran: the headline is the settlement models' ensemble "
            f"stacked on the DEU data ({weights}; docs/calibration.md)"
        )
        deal, p_zone, terms = None, None, None
    else:
        pi = fc.private
        assert pi is not None
        zone = np.asarray(fc.bargaining.zopa_exists, dtype=bool)
        p_zone = probability(zone)
        from summitry.forecasting.bargaining import to_scale

        if pi.offer:
            deal = zone & offer_accepted(sc, fc.draws, pi.z)
            terms = to_scale(sc, pi.z[None])[0]
        else:
            deal = np.zeros(fc.samples, dtype=bool)
            terms = None
            notes.append("A makes no offer B might accept: no deal in any draw")
        if np.isnan(b[~deal]).any():
            raise ValueError(
                "integrated forecast: an issue has neither a status quo nor a breakdown"
            )
        y = mixture(deal, np.full(b.shape[1], np.nan) if terms is None else terms, b)
    y_error = model_error(sc, y, fc.seed, cal)
    return Integrated(sc, "settlement" if deal is None else "deal", fc.seed, deal, p_zone, y,
                      y_error, b, terms, evidence_of(fc), tuple(notes))  # fmt: skip


def integrated_quantities(fc: Forecast) -> dict[str, Any]:
    """The integrated quantities of a run by name (docs/integrated.md, "Quantities by
    name"): ``p_deal``, ``p_zone``, ``deal`` (B,) and per issue ``issue.<id>`` (B,),
    ``issue.<id>.model_error`` (B,), ``issue.<id>.no_deal`` (B,), ``issue.<id>.median``,
    ``issue.<id>.terms``."""
    return integrate(fc).quantities()
