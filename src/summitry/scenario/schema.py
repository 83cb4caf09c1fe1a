"""The scenario models (docs/scenario-format.md, "Fields"): ScenarioBase, Issue, Actor, settings.

The models check types and each field on its own; checks that relate fields across the
document (ids, ranges of quantities, one position and salience per issue) live in
:mod:`summitry.scenario.checks` and run once these pass. ``Scenario`` itself is
:class:`ScenarioBase` plus ``with_values``, which re-runs the whole validation and so lives
with the loader (:mod:`summitry.scenario.loader`); this module imports only modules of the
package that do not import it (``quantities``, ``yamlio``, ``engine_options`` and the
sections' own models), so the package has no import cycle.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Strict,
    StringConstraints,
    Tag,
    create_model,
    field_validator,
    model_validator,
)

from summitry.engines.eum.options import PRESETS, EUMOptions, resolve_options
from summitry.engines.smp.options import SMPOptions
from summitry.scenario.breakdown import breakdown_quantities
from summitry.scenario.consent import Consent, consent_quantities
from summitry.scenario.engine_options import option_fields
from summitry.scenario.quantities import AnyQuantity, Num, Quantity, Range, Text, fmt
from summitry.scenario.questions import Question
from summitry.scenario.yamlio import parse_date

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

Id = Annotated[str, Strict(), StringConstraints(pattern=ID_PATTERN)]
"""An identifier: lower-case letters, digits and ``_``, starting with a letter."""

Slug = Annotated[str, Strict(), StringConstraints(pattern=NAME_PATTERN)]
"""A scenario name: lower-case letters, digits and ``-``."""

Label = Annotated[str, Strict(), StringConstraints(min_length=1)]
"""Non-empty text."""

UNBOUNDED: Range = (0.0, math.inf)
UNIT: Range = (0.0, 1.0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Issue(_Model):
    """One issue: a one-dimensional scale of outcomes with labelled anchor points."""

    id: Id
    label: Label
    scale: tuple[Num, Num]
    anchors: dict[Num, Text] = Field(default_factory=dict)
    status_quo: Quantity | None = None
    consent: list[Consent] | None = None  # veto players on this issue (scenario/consent.py)
    breakdown: Quantity | None = None  # where it lands if talks fail (scenario/breakdown.py)
    note: Text | None = None

    @field_validator("scale", mode="before")
    @classmethod
    def _two_numbers(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise ValueError("expected two numbers [low, high]")
        if len(value) != 2:
            raise ValueError(f"expected two numbers [low, high], got {len(value)}")
        return value

    @field_validator("scale")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        lo, hi = value
        if lo >= hi:
            raise ValueError(f"low end {fmt(lo)} must be below high end {fmt(hi)}")
        return value

    def nearest_anchor(self, x: float) -> tuple[float, str] | None:
        """The anchor closest to ``x`` (the lower one on ties); ``None`` without anchors."""
        if not self.anchors:
            return None
        key = min(self.anchors, key=lambda k: (abs(k - x), k))
        return key, self.anchors[key]


class Actor(_Model):
    """One actor: its capability, and a position and a salience on every issue.

    ``capability_by_issue`` (optional) replaces ``capability`` on the issues it names, in the
    expected-utility model only (each issue is its own run there); the spatial model keeps
    one capability per actor and the bargaining model uses none.
    """

    id: Id
    name: Label
    capability: Quantity
    capability_by_issue: dict[Text, Quantity] | None = None
    positions: dict[Text, Quantity]
    salience: dict[Text, Quantity]
    note: Text | None = None


class _EUMVariant(_Model):
    variant: Text = "default"


# The option fields of model.eum and model.smp come from the engines' option dataclasses
# (scenario/engine_options.py): an option is declared once, with its choices and bounds.
if TYPE_CHECKING:
    _EUMFields: TypeAlias = _EUMVariant
    _SMPFields: TypeAlias = _Model
else:
    _EUMFields = create_model(
        "_EUMFields",
        __base__=_EUMVariant,
        __module__=__name__,
        rounds=option_fields(EUMOptions)["rounds"],
        **{
            name: field
            for name, field in option_fields(EUMOptions, overrides=True).items()
            if name != "rounds"
        },
    )
    _SMPFields = create_model(
        "_SMPFields", __base__=_Model, __module__=__name__, **option_fields(SMPOptions)
    )


class EUMSettings(_EUMFields):
    """Settings of the expected-utility engine: a preset (``variant``) plus overrides.

    ``variant`` names a preset of ``EUMOptions``; every other field is an ``EUMOptions``
    field, left out (``None``) to keep the preset's value (``rounds`` is always set: the
    preset's when left out).
    """

    @model_validator(mode="before")
    @classmethod
    def _preset_rounds(cls, data: Any) -> Any:
        if isinstance(data, dict) and "rounds" not in data:
            variant = data.get("variant", "default")
            if isinstance(variant, str) and variant in PRESETS:
                return {**data, "rounds": PRESETS[variant].rounds}
        return data

    @field_validator("variant")
    @classmethod
    def _known_variant(cls, value: str) -> str:
        if value not in PRESETS:
            raise ValueError(f"unknown variant '{value}' (choose one of: {', '.join(PRESETS)})")
        return value

    def overrides(self) -> dict[str, Any]:
        """The fields set here that replace the preset's values (``rounds`` always)."""
        skip = {"variant"}
        return {k: v for k, v in self.model_dump().items() if k not in skip and v is not None}

    def options(self) -> EUMOptions:
        """The engine options: the preset ``variant`` with these overrides applied."""
        return resolve_options(self.variant, **self.overrides())


class SMPSettings(_SMPFields):
    """Settings of the Spatial Model of Politics (defaults: KTAB's; docs/models/smp.md).

    The fields of ``SMPOptions``, then ``accommodation``: it maps an actor id to the weights
    it gives other actors' positions when its ideal point is updated,
    q_i <- sum_j a_ij theta_j + (1 - sum_j a_ij) q_i; actors left out keep the identity
    (their ideal follows their own position).
    """

    accommodation: dict[Id, dict[Id, Annotated[Num, Field(ge=0, le=1)]]] | None = None

    def options(self) -> SMPOptions:
        """The engine options (everything but the accommodation matrix)."""
        return SMPOptions(**self.model_dump(exclude={"accommodation"}))


class ModelSettings(_Model):
    """Settings of the engines."""

    eum: EUMSettings = Field(default_factory=EUMSettings)
    smp: SMPSettings = Field(default_factory=SMPSettings)


UNBOUNDED_SCALE: Range = (-math.inf, math.inf)
"""Placeholder range of an ideal-point override; Scenario.quantities() puts in the scale."""
OUTSIDE: Range = (-1.0, 1.0)
"""Legal range of an outside-option value or a ratifier's offset (utility units)."""
PATIENCE: Range = (0.001, 0.999)
"""Legal range of a discount factor delta (ln delta must be finite and negative)."""


class SideValues(_Model):
    """One quantity for each principal: ``a`` (the US side) and ``b`` (the DPRK side)."""

    a: Quantity
    b: Quantity


class Channel(_Model):
    """Who speaks for A in a channel, and which ratifiers must still agree.

    A leader-level summit lets the leader's own profile stand for A and drops the ratifiers
    the leader can override, at ``override_cost`` (added to A's reservation utility); a
    working-level process uses the bureaucracy's profile and keeps every ratifier.
    """

    a: Id
    ratifiers: list[Id] = Field(default_factory=list)
    override_cost: Quantity | None = None


class Ratifier(_Model):
    """A veto player on A's side (Putnam 1988): accepts z iff u_v(z) >= u_v(z0) + offset."""

    outside_option: Quantity


class BargainingSettings(_Model):
    """The bilateral bargaining model's inputs (docs/models/bargaining.md).

    Ideal points and salience weights come from the actors' positions and saliences;
    the no-deal point from the issues' status quo.
    """

    principals: dict[Literal["a", "b"], Id]
    channel: Literal["summit", "working"] = "summit"
    channels: dict[Literal["summit", "working"], Channel] = Field(default_factory=dict)
    ratifiers: dict[Id, Ratifier] = Field(default_factory=dict)
    outside_options: SideValues
    credibility: SideValues
    patience: SideValues
    utility: Literal["linear", "quadratic"] = "linear"
    ideals: dict[Id, dict[Id, Quantity]] = Field(default_factory=dict)
    """Ideal points for the bargaining model that differ from an actor's stated position
    (a stated position can be an offer, not what the actor most wants): actor -> issue ->
    quantity on the issue's scale. Other issues and actors use the positions."""

    @field_validator("principals")
    @classmethod
    def _both(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [k for k in ("a", "b") if k not in value]
        if missing:
            raise ValueError(f"principals needs both a and b (missing {', '.join(missing)})")
        return value

    def active(self) -> Channel:
        """The channel in force: its entry in ``channels``, else principal A with every
        ratifier and no override cost."""
        if self.channel in self.channels:
            return self.channels[self.channel]
        return Channel(a=self.principals["a"], ratifiers=list(self.ratifiers))

    def quantities(self) -> list[tuple[str, AnyQuantity, Range]]:
        """This section's quantities as (dotted path, quantity, legal range), in file order."""
        out: list[tuple[str, AnyQuantity, Range]] = []
        for name, sides, legal in (
            ("outside_options", self.outside_options, OUTSIDE),
            ("credibility", self.credibility, UNIT),
            ("patience", self.patience, PATIENCE),
        ):
            out += [
                (f"bargaining.{name}.a", sides.a, legal),
                (f"bargaining.{name}.b", sides.b, legal),
            ]
        for rid, ratifier in self.ratifiers.items():
            out.append(
                (f"bargaining.ratifiers.{rid}.outside_option", ratifier.outside_option, OUTSIDE)
            )
        for actor, per_issue in self.ideals.items():
            for issue, q in per_issue.items():
                out.append((f"bargaining.ideals.{actor}.{issue}", q, UNBOUNDED_SCALE))
        for cname, channel in self.channels.items():
            if channel.override_cost is not None:
                out.append(
                    (f"bargaining.channels.{cname}.override_cost", channel.override_cost, UNIT)
                )
        return out


class OptionsSettings(_Model):
    """The options game's inputs beyond the bargaining results, every one in [0, 1] on the
    bargaining model's utility scale (``p_war`` a probability; ``enforcement`` the share of
    sanctions enforced with the whole Security Council on board, lowered to enforcement x
    (1 - veto) by a veto player). docs/models/options.md defines each."""

    played_cost: Quantity
    summit_gain: Quantity
    sanctions_effect: Quantity
    enforcement: Quantity
    veto: Quantity
    pressure_cost: Quantity
    escalation_gain: Quantity
    crisis_cost_a: Quantity
    crisis_cost_b: Quantity
    strike_damage: Quantity
    strike_gain: Quantity
    absorb_cost: Quantity
    war_cost_a: Quantity
    war_cost_b: Quantity
    p_war: Quantity

    def quantities(self) -> list[tuple[str, AnyQuantity, Range]]:
        """This section's quantities as (dotted path, quantity, legal range)."""
        return [(f"options.{name}", getattr(self, name), UNIT) for name in OPTION_FIELDS]

    def quantities_by_name(self) -> dict[str, AnyQuantity]:
        """Field name -> quantity."""
        return {name: getattr(self, name) for name in OPTION_FIELDS}


OPTION_FIELDS: tuple[str, ...] = tuple(OptionsSettings.model_fields)
"""The options section's quantities, in file order (docs/models/options.md)."""


class OutcomeDeal(_Model):
    """Whether the two bargaining principals concluded an agreement in the episode (a signed
    or jointly announced document with commitments on at least one issue, even one that
    later collapsed)."""

    value: Annotated[bool, Strict()]
    source: Text | None = None
    note: Text | None = None


class OutcomeIssue(_Model):
    """Where an issue stood after the episode, on the issue's own scale, with an optional
    coding band ``[low, high]`` when the record supports only a range (low <= value <= high
    and the scale are checked in :mod:`summitry.scenario.checks`)."""

    value: Num
    low: Num | None = None
    high: Num | None = None
    source: Text | None = None
    note: Text | None = None

    @property
    def band(self) -> tuple[float, float]:
        """The coding band ``(low, high)``; ``(value, value)`` when none is given."""
        lo = self.value if self.low is None else self.low
        hi = self.value if self.high is None else self.high
        return lo, hi


class ScenarioReference(_Model):
    """One of a scenario's own references: ``date`` is the day its information became
    public (the hindsight check compares it with the scenario's date), ``citation`` the full
    citation, ``url_or_id`` the page read or a document id (docs/scenario-format.md)."""

    date: dt.date
    citation: Label
    url_or_id: Text | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        return parse_date(value)


def _reference_tag(value: Any) -> str:
    return "text" if isinstance(value, str) else "ref"


ReferenceEntry = Annotated[
    Annotated[ScenarioReference, Tag("ref")] | Annotated[Text, Tag("text")],
    Discriminator(_reference_tag),
]
"""A scenario reference: a mapping (:class:`ScenarioReference`) or legacy citation text."""


class Outcome(_Model):
    """What actually happened in a past episode, for backtests only (docs/backtest.md).

    No engine reads it: it is not in :meth:`Scenario.quantities` and is never sampled.
    ``date`` is when the outcome is read (on or after the scenario's ``date``); at least one
    of ``deal`` and ``issues`` is given.
    """

    date: dt.date
    summary: Text | None = None
    deal: OutcomeDeal | None = None
    issues: dict[Text, OutcomeIssue] = Field(default_factory=dict)

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        return parse_date(value)

    @field_validator("issues", mode="before")
    @classmethod
    def _null_is_none(cls, value: Any) -> Any:
        return {} if value is None else value

    @model_validator(mode="after")
    def _something_to_score(self) -> Outcome:
        if self.deal is None and not self.issues:
            raise ValueError("nothing to score: give 'deal', 'issues' or both")
        return self


class ScenarioBase(_Model):
    """A negotiation: issues, actors and engine settings (docs/scenario-format.md, "Top
    level"); a past episode may also record its ``outcome`` (read by backtests only, never by
    the engines). Load one as :class:`summitry.scenario.Scenario`, which adds
    ``with_values``."""

    name: Slug
    title: Label
    date: dt.date | None = None
    description: Text | None = None
    references: dict[Text, ReferenceEntry] = Field(default_factory=dict)
    """Key -> a dated reference, or (older files) the citation as text, which has no date."""
    issues: Annotated[list[Issue], Field(min_length=1)]
    actors: Annotated[list[Actor], Field(min_length=1)]
    model: ModelSettings = Field(default_factory=ModelSettings)
    bargaining: BargainingSettings | None = None
    options: OptionsSettings | None = None
    outcome: Outcome | None = None
    questions: list[Question] | None = None  # dated questions (scenario/questions.py)

    _source_file: str = PrivateAttr(default="<scenario>")

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        return None if value is None else parse_date(value)

    @field_validator("outcome", mode="before")
    @classmethod
    def _outcome_not_empty(cls, value: Any) -> Any:
        if value is None or value == {}:
            raise ValueError("the outcome is empty: give its date and a deal, issues or both")
        return value

    def __eq__(self, other: object) -> bool:
        """Equal content, wherever each came from (``source_file`` is not compared)."""
        if not isinstance(other, ScenarioBase):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    # -- lookups ---------------------------------------------------------------------------

    @property
    def source_file(self) -> str:
        """The file this scenario came from, as shown in messages."""
        return self._source_file

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    @property
    def actor_ids(self) -> list[str]:
        return [a.id for a in self.actors]

    def issue(self, issue_id: str) -> Issue:
        """The issue called ``issue_id`` (KeyError if none)."""
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(f"no issue '{issue_id}' in scenario '{self.name}'")

    def actor(self, actor_id: str) -> Actor:
        """The actor called ``actor_id`` (KeyError if none)."""
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(f"no actor '{actor_id}' in scenario '{self.name}'")

    # -- quantities by dotted path ---------------------------------------------------------

    def quantities(self) -> list[tuple[str, AnyQuantity, Range]]:
        """Every quantity as ``(dotted path, quantity, legal range)``, in a fixed order:
        issues in file order (status quo, when given), then actors in file order
        (capability, positions in issue order, salience in issue order), then the
        bargaining section's (outside options, credibility, patience, ratifiers, ideals,
        override costs), then the options section's, then the consenters' tolerances (issues
        in file order, consenters in file order), and last the actors' issue-specific
        capabilities (actors in file order, issues in issue order), then the issues'
        breakdown points (issues in file order).

        The sampler gives quantity ``i`` row ``i`` of one stream, so a quantity added at
        the end (an issue-specific capability set with ``compare --set``, say) leaves the
        draws of every other input unchanged and the comparison stays sample-paired. The
        consenters' tolerances have a stream of their own (summitry.sampling), so adding or
        removing consent moves no other draw either."""
        out: list[tuple[str, AnyQuantity, Range]] = []
        for issue in self.issues:
            if issue.status_quo is not None:
                out.append((f"issues.{issue.id}.status_quo", issue.status_quo, issue.scale))
        for actor in self.actors:
            out.append((f"actors.{actor.id}.capability", actor.capability, UNBOUNDED))
            for issue in self.issues:
                if issue.id in actor.positions:
                    q = actor.positions[issue.id]
                    out.append((f"actors.{actor.id}.positions.{issue.id}", q, issue.scale))
            for issue in self.issues:
                if issue.id in actor.salience:
                    q = actor.salience[issue.id]
                    out.append((f"actors.{actor.id}.salience.{issue.id}", q, UNIT))
        if self.bargaining is not None:
            scales = {issue.id: issue.scale for issue in self.issues}
            for path, q, legal in self.bargaining.quantities():
                if path.startswith("bargaining.ideals."):
                    legal = scales.get(path.split(".")[-1], legal)
                out.append((path, q, legal))
        if self.options is not None:
            out += self.options.quantities()
        out += consent_quantities(self.issues)  # issues.<issue>.consent.<actor>.tolerance
        for actor in self.actors:
            by_issue = actor.capability_by_issue or {}
            for issue in self.issues:
                if issue.id in by_issue:
                    q = by_issue[issue.id]
                    out.append((f"actors.{actor.id}.capability_by_issue.{issue.id}", q, UNBOUNDED))
        out += breakdown_quantities(self.issues)  # issues.<issue>.breakdown
        return out

    def quantity(self, path: str) -> AnyQuantity:
        """The quantity at a dotted path such as ``actors.dprk.capability`` (KeyError)."""
        for p, q, _ in self.quantities():
            if p == path:
                return q
        raise KeyError(f"no quantity at '{path}'")

    def legal_range(self, path: str) -> Range:
        """The legal range of the quantity slot at ``path`` (KeyError if no such slot)."""
        for p, _, legal in self.quantities():
            if p == path:
                return legal
        raise KeyError(f"no quantity at '{path}'")

    def to_data(self, json_safe: bool = False) -> dict[str, Any]:
        """The scenario as plain data in the file's own form (loads back to an equal one).

        ``json_safe``: dates as ISO text and anchor keys as text, for JSON output.
        """
        data = self.model_dump(exclude_none=True)
        if self.outcome is not None and not self.outcome.issues:
            del data["outcome"]["issues"]
        if json_safe:
            if self.date is not None:
                data["date"] = self.date.isoformat()
            if self.outcome is not None:
                data["outcome"]["date"] = self.outcome.date.isoformat()
            for ref in data.get("references", {}).values():
                if isinstance(ref, dict):
                    ref["date"] = ref["date"].isoformat()
            for issue in data["issues"]:
                issue["scale"] = list(issue["scale"])
                issue["anchors"] = {fmt(k): v for k, v in issue["anchors"].items()}
        return data
