"""Dated questions: what a scenario is asked, by when, how it resolves, and the method that
ties each question to model quantities (docs/questions.md).

A question is binary (a probability) or numeric (quantiles on an issue's scale). Its
``method`` is one of:

- ``agreement_by``: P(the bargaining principals sign an agreement by ``resolves_by``), a
  hazard over the horizon that pools the model's P(deal) per negotiation window with a
  reference-class base rate;
- ``event_by``: P(an event by ``resolves_by``): the same hazard, the base rate given as a
  count of events over a reference period, optionally pooled with an options-game share
  (``engage`` for a leaders' meeting) or P(deal);
- ``issue_at``: where an issue stands on ``resolves_by`` (numeric), or P(it stands at or
  above ``threshold``) (binary): the deal terms with the probability of an agreement by that
  date (from an ``agreement_by`` question, or P(deal) itself), the no-deal point otherwise.

This module holds the schema and the cross-checks; it imports only
:mod:`summitry.scenario.quantities` and :mod:`summitry.scenario.yamlio`, so the schema
imports it without a cycle.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StringConstraints,
    Tag,
    field_serializer,
    field_validator,
    model_validator,
)

from summitry.scenario.quantities import Loc, Num, Range, Text, fmt
from summitry.scenario.yamlio import parse_date

_ID = r"^[a-z][a-z0-9_]*$"
QId = Annotated[str, Strict(), StringConstraints(pattern=_ID)]
Label = Annotated[str, Strict(), StringConstraints(min_length=1)]
Probability = Annotated[Num, Field(ge=0, le=1)]

MODEL_TIES = ("deal", "engage", "pressure", "strike", "none")
"""What an ``event_by`` question's model probability per window is: P(deal), an options-game
share of samples whose subgame-perfect choice is that option, or nothing (base rate only)."""


def _date(value: Any) -> Any:
    return parse_date(value)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BaseRate(_Model):
    """A reference-class base rate: ``per_year`` (probability that an episode of the class
    ends in the event within a year) or ``events`` over ``years`` (a Poisson rate
    lambda = events / years). ``source`` names references; ``note`` gives the judgment."""

    per_year: Probability | None = None
    events: Annotated[Num, Field(ge=0)] | None = None
    years: Annotated[Num, Field(gt=0)] | None = None
    source: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_form(self) -> BaseRate:
        count = self.events is not None or self.years is not None
        if (self.per_year is None) == (not count):
            raise ValueError("give either per_year, or events and years")
        if count and (self.events is None or self.years is None):
            raise ValueError("events and years go together")
        if self.per_year is not None and self.per_year >= 1:
            raise ValueError("per_year must be below 1 (a certain event needs no question)")
        return self


class _Hazard(_Model):
    base_rate: BaseRate
    window_days: Annotated[int, Strict(), Field(ge=1, le=3660)] = 182
    model_weight: Probability = 0.5
    start: dt.date | None = None

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: Any) -> Any:
        return None if value is None else _date(value)

    @field_serializer("start")
    def _start_text(self, value: dt.date | None) -> str | None:
        return None if value is None else value.isoformat()


class AgreementBy(_Hazard):
    """P(agreement by the resolution date): per window of ``window_days``,
    p_w = w P(deal) + (1 - w) p_ref, p_ref = 1 - (1 - per_year)^(L / 365); then
    P = 1 - (1 - p_w)^(D / L) over the D days from ``start`` (default: the scenario's date)."""

    type: Literal["agreement_by"]


class EventBy(_Hazard):
    """P(an event by the resolution date): as :class:`AgreementBy`, the model probability
    per window being ``model`` (:data:`MODEL_TIES`; ``none``: the base rate alone)."""

    type: Literal["event_by"]
    model: Literal["deal", "engage", "pressure", "strike", "none"] = "none"


class IssueAt(_Model):
    """Where ``issue`` stands on the resolution date: with probability P_T (``agreement``:
    an ``agreement_by`` question of the scenario; none: P(deal)) the deal terms, else the
    no-deal point (the status quo). Binary questions give P(value >= ``threshold``)."""

    type: Literal["issue_at"]
    issue: QId
    threshold: Num | None = None
    agreement: QId | None = None


def _method_tag(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("type", ""))
    return str(getattr(value, "type", ""))


Method = Annotated[
    Annotated[AgreementBy, Tag("agreement_by")]
    | Annotated[EventBy, Tag("event_by")]
    | Annotated[IssueAt, Tag("issue_at")],
    Discriminator(_method_tag),
]


class Question(_Model):
    """One dated question (docs/questions.md): ``id``, ``text``, ``resolves_by``,
    ``criteria`` (how it resolves), ``kind`` (binary or numeric) and ``method``."""

    id: QId
    text: Label
    resolves_by: dt.date
    criteria: Label
    kind: Literal["binary", "numeric"] = "binary"
    method: Method
    note: Text | None = None

    @field_validator("resolves_by", mode="before")
    @classmethod
    def _resolves_by(cls, value: Any) -> Any:
        return _date(value)

    @field_serializer("resolves_by")
    def _resolves_text(self, value: dt.date) -> str:
        return value.isoformat()

    @model_validator(mode="after")
    def _kind_fits(self) -> Question:
        m = self.method
        if isinstance(m, IssueAt):
            if self.kind == "binary" and m.threshold is None:
                raise ValueError("a binary issue_at question needs a threshold")
            if self.kind == "numeric" and m.threshold is not None:
                raise ValueError("a numeric issue_at question takes no threshold")
        elif self.kind != "binary":
            raise ValueError(f"a {m.type} question is binary")
        return self


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def question_problems(
    questions: list[Question] | None,
    scales: dict[str, Range],
    scenario_date: dt.date | None,
    has_bargaining: bool,
    has_options: bool,
) -> list[tuple[Loc, str]]:
    """Cross-checks: unique ids; known issues, thresholds on the scale; ``agreement`` names
    an ``agreement_by`` question; a start (or the scenario's date) before ``resolves_by``;
    the engines a method needs (bargaining for P(deal), the options game for its shares)."""
    out: list[tuple[Loc, str]] = []
    qs = questions or []
    ids = [q.id for q in qs]
    kinds = {q.id: q.method.type for q in qs}
    seen: set[str] = set()
    for i, q in enumerate(qs):
        base: Loc = ("questions", i)
        if q.id in seen:
            out.append(((*base, "id"), f"duplicate question id '{q.id}'"))
        seen.add(q.id)
        m = q.method
        if isinstance(m, AgreementBy | EventBy):
            start = m.start or scenario_date
            if start is None:
                msg = "give method.start or the scenario's date: the horizon starts there"
                out.append(((*base, "method", "start"), msg))
            elif q.resolves_by <= start:
                msg = f"resolves_by {q.resolves_by} is not after the start {start}"
                out.append(((*base, "resolves_by"), msg))
            needs = "deal" if isinstance(m, AgreementBy) else m.model
            if needs == "deal" and not has_bargaining:
                msg = "P(deal) needs a bargaining section"
                out.append(((*base, "method", "type"), msg))
            if needs in ("engage", "pressure", "strike") and not has_options:
                msg = f"'{needs}' needs an options section (the options game)"
                out.append(((*base, "method", "model"), msg))
        else:
            if m.issue not in scales:
                msg = f"unknown issue '{m.issue}'{_suggest(m.issue, list(scales))}"
                out.append(((*base, "method", "issue"), msg))
            elif m.threshold is not None:
                lo, hi = scales[m.issue]
                if not lo <= m.threshold <= hi:
                    scale = f"[{fmt(lo)}, {fmt(hi)}]"
                    msg = f"threshold {fmt(m.threshold)} is outside the scale {scale}"
                    out.append(((*base, "method", "threshold"), msg))
            if m.agreement is not None and kinds.get(m.agreement) != "agreement_by":
                msg = f"'{m.agreement}' is not an agreement_by question{_suggest(m.agreement, ids)}"
                out.append(((*base, "method", "agreement"), msg))
            if not has_bargaining:
                msg = "issue_at needs a bargaining section (deal terms and no-deal point)"
                out.append(((*base, "method", "type"), msg))
    return out
