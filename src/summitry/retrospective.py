"""Past episodes as resolved questions, marked retrospective (docs/questions.md, "Past
episodes").

Each bundled scenario with an ``outcome`` gives, after a forecast of ``samples`` draws:

- ``<name>/deal_by_outcome`` (binary, when the outcome codes ``deal``): "did the principals
  conclude an agreement by the outcome's date?", forecast P(deal) for the one negotiation
  window the episode is, resolved by ``outcome.deal.value``;
- ``<name>/<issue>_at_outcome`` (numeric, per coded issue): the issue on the outcome's date,
  the ``issue_at`` mixture with P_T = P(deal), resolved by ``outcome.issues[issue].value``.

The DEU benchmark's valid issues give ``deu/<proposal>-<issue>`` (numeric): the Spatial Model
of Politics' distribution of the Council's decision, resolved by the coded outcome (the date
the file gives is the proposal's introduction; no decision date is coded, so it stands in).

Nothing here is tuned to the outcomes: the questions, their methods and the sample count are
fixed before the outcomes are read, and the outcome only fills in the resolution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from summitry.questions import QUANTILES, Answer, answer_all, model_quantities, qkey
from summitry.scenario.questions import AgreementBy, BaseRate, IssueAt, Question


@dataclass(frozen=True)
class Episode:
    """One past episode's forecasts (``answers``) and outcomes (``outcomes[question id]``:
    ``yes``/``no`` or the value as text) read on ``resolved_on``."""

    name: str
    scenario: object
    answers: list[Answer]
    outcomes: dict[str, str]
    resolved_on: dt.date
    seed: int
    samples: int


def episode_questions(sc: object) -> list[Question]:
    """The retrospective questions of a scenario with an outcome (none without one)."""
    from summitry.scenario import Scenario

    assert isinstance(sc, Scenario)
    oc = sc.outcome
    if oc is None or sc.bargaining is None:
        return []
    start = sc.date or oc.date
    window = max((oc.date - start).days, 1)
    out: list[Question] = []
    if oc.deal is not None:
        out.append(
            Question(
                id="deal_by_outcome",
                text=f"Did the principals conclude an agreement by {oc.date.isoformat()}?",
                resolves_by=oc.date,
                criteria="The outcome's coded deal (docs/backtest.md): a signed or jointly "
                "announced document with commitments on at least one issue.",
                method=AgreementBy(
                    type="agreement_by",
                    base_rate=BaseRate(per_year=0.0, note="retrospective: P(deal) alone"),
                    window_days=min(window, 3660),
                    model_weight=1.0,
                    start=start,
                ),
            )
        )
    for issue in oc.issues:
        out.append(
            Question(
                id=f"{issue}_at_outcome",
                text=f"Where did '{issue}' stand on {oc.date.isoformat()}?",
                resolves_by=oc.date,
                criteria="The outcome's coded value of the issue on its own scale.",
                kind="numeric",
                method=IssueAt(type="issue_at", issue=issue),
            )
        )
    return out


def episodes(samples: int = 1000, seed: int = 0) -> Iterator[Episode]:
    """Every bundled scenario with an outcome, forecast and answered (file order)."""
    from summitry.forecast import forecast
    from summitry.scenario import bundled_names, load

    for name in bundled_names():
        sc = load(name)
        questions = episode_questions(sc)
        if not questions:
            continue
        sc = sc.model_copy(update={"questions": questions})
        fc = forecast(sc, samples, seed)
        mq = model_quantities(fc)
        answers = []
        for a in answer_all(fc, mq):
            if a.question.id == "deal_by_outcome":  # the one window of the episode: P(deal)
                a = Answer(a.question, probability=mq.p_deal, details={"p_model": mq.p_deal})
            answers.append(a)
        oc = sc.outcome
        assert oc is not None
        outcomes: dict[str, str] = {}
        if oc.deal is not None:
            outcomes["deal_by_outcome"] = "yes" if oc.deal.value else "no"
        for issue, obs in oc.issues.items():
            outcomes[f"{issue}_at_outcome"] = repr(float(obs.value))
        yield Episode(name, sc, answers, outcomes, oc.date, seed, samples)


@dataclass(frozen=True)
class DeuQuestion:
    """One DEU issue as a numeric question: key, text, quantiles, outcome, date."""

    key: str
    text: str
    quantiles: dict[str, float]
    outcome: float
    on: dt.date


def deu_questions() -> list[DeuQuestion]:
    """The DEU benchmark's valid issues with an SMP distribution, as numeric questions."""
    from summitry.benchmark.models import forecast_all
    from summitry.benchmark.scores import discrete_quantile
    from summitry.data import load_deu

    data = load_deu()
    ok = data.select(data.valid)
    smp = forecast_all(ok, ["smp"])["smp"]
    out: list[DeuQuestion] = []
    if smp.points is None or smp.probs is None:
        return out
    for i in range(len(ok)):
        if not np.isfinite(smp.point[i]) or not np.isfinite(ok.outcomes[i]):
            continue
        pts, prs = smp.points[i : i + 1], smp.probs[i : i + 1]
        qs = {qkey(q): float(discrete_quantile(pts, prs, q)[0]) for q in QUANTILES}
        code = f"{ok.proposal_codes[i]}-{ok.issue_codes[i]}".replace("/", "-").replace(" ", "")
        on = dt.date.fromisoformat(str(ok.intro[i])[:10])
        text = f"DEU {ok.proposal_codes[i]} issue {ok.issue_codes[i]}: the Council's decision"
        out.append(DeuQuestion(f"deu/{code}", text, qs, float(ok.outcomes[i]), on))
    return out


def backfill(store: object, samples: int = 1000, seed: int = 0, deu: bool = True) -> list[str]:
    """Append every past episode's (and with ``deu`` every DEU issue's) forecast and
    resolution to the ledger, marked retrospective; questions already in the ledger are
    left alone. Returns one line per question added or skipped."""
    from summitry.store import Store
    from summitry.store import ledger as lg
    from summitry.store.hashing import canonical_json

    assert isinstance(store, Store)
    have = {e.question for e in lg.entries(store)}
    lines: list[str] = []
    for ep in episodes(samples, seed):
        new = [a for a in ep.answers if lg.question_key(ep.name, a.question.id) not in have]
        for a in ep.answers:
            if a not in new:
                lines.append(f"{lg.question_key(ep.name, a.question.id)}: already in the ledger")
        if not new:
            continue
        lg.seal(store, ep.scenario, new, seed=seed, samples=samples, retrospective=True)  # type: ignore[arg-type]
        for a in new:
            key = lg.question_key(ep.name, a.question.id)
            lg.resolve(store, key, ep.outcomes[a.question.id], ep.resolved_on, retrospective=True)
            lines.append(f"{key}: added and resolved")
    if not deu:
        return lines
    rows = []
    resolutions = []
    version_now = lg._utc_now()
    for q in deu_questions():
        if q.key in have:
            lines.append(f"{q.key}: already in the ledger")
            continue
        base = {
            "question": q.key,
            "scenario_name": "deu",
            "question_kind": "numeric",
            "text": q.text,
            "criteria": "The coded outcome of the DEU data set (docs/data-deu.md).",
            "resolves_by": q.on.isoformat(),
            "retrospective": True,
            "package_version": lg._version(),
            "recorded_at": version_now,
        }
        rows.append(
            base
            | {
                "entry_kind": "forecast",
                "quantiles": canonical_json(q.quantiles),
                "details": canonical_json({"method": "deu-smp"}),
            }
        )
        resolutions.append(
            base
            | {
                "entry_kind": "resolution",
                "outcome": repr(q.outcome),
                "resolved_on": q.on.isoformat(),
            }
        )
        lines.append(f"{q.key}: added and resolved")
    if rows:
        lg.append(store, rows + resolutions)
    return lines
