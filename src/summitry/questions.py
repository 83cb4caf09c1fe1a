"""Answers to a scenario's dated questions from a forecast (docs/questions.md).

    from summitry.questions import answer_all
    answers = answer_all(fc)             # one Answer per question of fc.scenario

The hazard (``agreement_by``, ``event_by``): a window of L days has probability

    p_ref = 1 - (1 - r)^(L / 365)        (r: the base rate per year), or
    p_ref = 1 - exp(-lambda L / 365)      (lambda = events / years),
    p_w   = w p_model + (1 - w) p_ref     (a linear pool; w = model_weight),
    P     = 1 - (1 - p_w)^(D / L)         (D days from the start to resolves_by),

windows independent with a constant p_w. ``issue_at`` mixes, sample by sample, the deal terms
(weight P_T, the probability of an agreement by the date) with the no-deal point (weight
1 - P_T): numeric questions give weighted quantiles, binary ones
P(x >= t) = P_T P(terms >= t) + (1 - P_T) P(no deal >= t).

Every model number comes through :func:`model_quantities`, the one place that reads the
model: the integrated forecast's P(deal), deal draws and no-deal points (docs/integrated.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from summitry.scenario.questions import AgreementBy, BaseRate, EventBy, IssueAt, Question

if TYPE_CHECKING:
    from summitry.forecast import Forecast

P_BOUND = 0.01
"""No binary answer is certain: answers are kept in [P_BOUND, 1 - P_BOUND], the raw model
value in the answer's details (``model_probability``); docs/questions.md, "Bounds"."""

QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
"""The quantiles a numeric answer gives (keys ``p05`` ... ``p95``)."""


def qkey(q: float) -> str:
    """``0.05`` -> ``"p05"``, ``0.5`` -> ``"p50"``."""
    return f"p{round(q * 100):02d}"


@dataclass(frozen=True)
class ModelQuantities:
    """What the questions read from a forecast: ``p_deal`` (P(deal) in one negotiation
    window, docs/integrated.md), ``shares`` (options game: share of samples whose
    subgame-perfect choice is ``engage``/``pressure``/``strike``; empty without the game),
    per issue the per-sample ``terms`` (the deal, NaN where there is none) and ``no_deal``
    (the breakdown point where the scenario sets one, else the status quo); ``terms_from``
    says where the terms come from: the draws with a deal; without any, the private
    offer's terms; without an offer, the Nash terms of the draws with a zone of agreement
    (docs/questions.md, "issue_at")."""

    p_deal: float | None
    shares: dict[str, float] = field(default_factory=dict)
    terms: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    no_deal: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    terms_from: dict[str, str] = field(default_factory=dict)


def model_quantities(fc: Forecast) -> ModelQuantities:
    """The model numbers behind every answer, from the integrated forecast
    (:func:`summitry.integrated.integrated_quantities`, docs/integrated.md): ``p_deal``, and
    per issue the terms in the draws with a deal (``issue.<i>`` where ``deal``; see
    :class:`ModelQuantities` when no draw has one) and the no-deal point
    ``issue.<i>.no_deal``; the options game's shares from the run's outputs.
    This is the one place that reads the engines' numbers for the questions."""
    from summitry.integrated import integrated_quantities

    sc = fc.scenario
    out = fc.outputs()
    shares = {
        name: float(np.mean(out[f"options.{name}"]))
        for name in ("engage", "pressure", "strike")
        if f"options.{name}" in out
    }
    if sc.bargaining is None:
        no_deal = {
            issue: np.asarray(fc.draws.status_quo[:, k], dtype=np.float64)
            for k, issue in enumerate(sc.issue_ids)
        }
        return ModelQuantities(p_deal=None, shares=shares, no_deal=no_deal)
    q = integrated_quantities(fc)
    deal = np.asarray(q["deal"], dtype=np.float64) > 0.5
    terms: dict[str, NDArray[np.float64]] = {}
    source: dict[str, str] = {}
    no_deal = {}
    for issue in sc.issue_ids:
        y = np.asarray(q[f"issue.{issue}"], dtype=np.float64)
        nash = np.asarray(out.get(f"bargaining.terms.{issue}", np.nan), dtype=np.float64)
        if deal.any():
            terms[issue], source[issue] = np.where(deal, y, np.nan), "deal draws"
        elif q[f"issue.{issue}.terms"] is not None:
            offer = float(q[f"issue.{issue}.terms"])
            terms[issue], source[issue] = np.full(y.shape, offer), "the offer's terms"
        elif np.isfinite(nash).any():
            terms[issue], source[issue] = np.broadcast_to(nash, y.shape), "Nash terms"
        else:
            terms[issue], source[issue] = np.full(y.shape, np.nan), "none"
        no_deal[issue] = np.asarray(q[f"issue.{issue}.no_deal"], dtype=np.float64)
    p_deal = None if q["p_deal"] is None else float(q["p_deal"])
    return ModelQuantities(
        p_deal=p_deal, shares=shares, terms=terms, no_deal=no_deal, terms_from=source
    )


@dataclass(frozen=True)
class Answer:
    """A question's answer: ``probability`` (binary) or ``quantiles`` (numeric, keys
    ``p05`` ... ``p95``), and ``details``: every number that went into it."""

    question: Question
    probability: float | None = None
    quantiles: dict[str, float] | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.question.kind


# -- the hazard: closed forms ----------------------------------------------------------------


def reference_window(rate: BaseRate, window_days: float) -> float:
    """p_ref: the base rate's probability of the event in one window of ``window_days``."""
    t = window_days / 365.0
    if rate.per_year is not None:
        return 1.0 - (1.0 - rate.per_year) ** t
    assert rate.events is not None and rate.years is not None
    return 1.0 - math.exp(-rate.events / rate.years * t)


def pooled(p_model: float | None, p_ref: float, weight: float) -> float:
    """p_w = w p_model + (1 - w) p_ref; the base rate alone when there is no model number."""
    return p_ref if p_model is None else weight * p_model + (1.0 - weight) * p_ref


def by_date(p_window: float, days: float, window_days: float) -> float:
    """P(at least one success in ``days``) = 1 - (1 - p_w)^(days / L), windows independent."""
    if days <= 0:
        return 0.0
    if p_window >= 1.0:
        return 1.0
    return 1.0 - (1.0 - p_window) ** (days / window_days)


def hazard(
    method: AgreementBy | EventBy,
    p_model: float | None,
    start: Any,
    end: Any,
) -> tuple[float, dict[str, Any]]:
    """P(event between ``start`` and ``end``) and the numbers behind it."""
    days = float((end - start).days)
    p_ref = reference_window(method.base_rate, method.window_days)
    p_w = pooled(p_model, p_ref, method.model_weight)
    p = by_date(p_w, days, method.window_days)
    return p, {
        "start": start.isoformat(),
        "days": days,
        "window_days": method.window_days,
        "windows": days / method.window_days,
        "p_model": p_model,
        "model_weight": None if p_model is None else method.model_weight,
        "p_ref": p_ref,
        "p_window": p_w,
    }


# -- the mixture -----------------------------------------------------------------------------


def weighted_quantiles(
    values: NDArray[np.float64], weights: NDArray[np.float64], qs: Sequence[float]
) -> list[float]:
    """Quantiles of a discrete distribution: the smallest value whose cumulative weight
    reaches q (weights normalised to sum to 1)."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    idx = [min(int(np.searchsorted(cum, q - 1e-12, side="left")), v.size - 1) for q in qs]
    return [float(v[i]) for i in idx]


def mixture(
    p_t: float, terms: NDArray[np.float64], no_deal: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Values and weights of the issue on the date: each finite deal term weighs P_T / n_T,
    each no-deal draw (1 - P_T) / n. Without any deal term, all weight is on no deal."""
    t = terms[np.isfinite(terms)]
    s = no_deal[np.isfinite(no_deal)]
    if t.size == 0:
        return s, np.full(s.size, 1.0 / max(s.size, 1))
    w = np.concatenate([np.full(t.size, p_t / t.size), np.full(s.size, (1 - p_t) / s.size)])
    return np.concatenate([t, s]), w


# -- answers ---------------------------------------------------------------------------------


def answer(fc: Forecast, question: Question, mq: ModelQuantities | None = None) -> Answer:
    """The answer to one question of ``fc.scenario`` (see the module docstring)."""
    return answer_all(fc, mq, only=[question.id])[0]


def answer_all(
    fc: Forecast, mq: ModelQuantities | None = None, only: Sequence[str] | None = None
) -> list[Answer]:
    """Answers to the scenario's questions in file order (``only``: these ids)."""
    sc = fc.scenario
    mq = model_quantities(fc) if mq is None else mq
    questions = sc.questions or []
    by_id = {q.id: q for q in questions}
    hazards: dict[str, tuple[float, dict[str, Any]]] = {}

    def hazard_of(q: Question) -> tuple[float, dict[str, Any]]:
        if q.id not in hazards:
            m = q.method
            assert isinstance(m, AgreementBy | EventBy)
            start = m.start or sc.date
            tie = "deal" if isinstance(m, AgreementBy) else m.model
            p_model = None if tie == "none" else _tie(mq, tie)
            p, details = hazard(m, p_model, start, q.resolves_by)
            hazards[q.id] = (p, {"method": m.type, "model": tie, **details})
        return hazards[q.id]

    out: list[Answer] = []
    for q in questions:
        if only is not None and q.id not in only:
            continue
        m = q.method
        if isinstance(m, AgreementBy | EventBy):
            p, details = hazard_of(q)
            out.append(
                Answer(q, probability=bounded(p), details={**details, "model_probability": p})
            )
            continue
        assert isinstance(m, IssueAt)
        if m.agreement is not None:
            p_t, _ = hazard_of(by_id[m.agreement])
            source = f"question {m.agreement}"
        else:
            p_t, source = _tie(mq, "deal"), "P(deal)"
        no_deal = mq.no_deal[m.issue]
        terms = mq.terms.get(m.issue, np.full(no_deal.shape, np.nan))
        values, weights = mixture(p_t, terms, no_deal)
        details = {
            "method": "issue_at",
            "issue": m.issue,
            "p_agreement": p_t,
            "p_agreement_from": source,
            "deal_samples": int(np.isfinite(terms).sum()),
            "terms_from": mq.terms_from.get(m.issue, "deal draws"),
            "samples": int(no_deal.size),
        }
        if q.kind == "binary":
            assert m.threshold is not None
            p = float(np.sum(weights[values >= m.threshold]) / np.sum(weights))
            details["model_probability"] = p
            out.append(Answer(q, probability=bounded(p), details=details))
        else:
            qs = weighted_quantiles(values, weights, QUANTILES)
            out.append(
                Answer(
                    q, quantiles=dict(zip(map(qkey, QUANTILES), qs, strict=True)), details=details
                )
            )
    return out


def bounded(p: float) -> float:
    """``p`` kept in [P_BOUND, 1 - P_BOUND]."""
    return min(max(p, P_BOUND), 1.0 - P_BOUND)


def _tie(mq: ModelQuantities, tie: str) -> float:
    if tie == "deal":
        if mq.p_deal is None:
            raise ValueError("P(deal) needs the bargaining model")
        return mq.p_deal
    if tie not in mq.shares:
        raise ValueError(f"'{tie}' needs the options game")
    return mq.shares[tie]
