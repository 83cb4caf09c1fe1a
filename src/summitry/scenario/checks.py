"""Cross-reference checks, run on a scenario whose fields are each valid on their own.

Unique issue and actor ids; anchors inside the scale; one position and one salience per
issue and actor, naming only known issues (issue-specific capabilities too); every value a
quantity can produce inside its slot's legal range (scale, [0, 1], [0, inf)); a past
episode's outcome read on or after the scenario's date, on known issues and within their
scales; for bundled files, a source or note on every quantity and outcome value and a name
equal to the file stem.
"""

from __future__ import annotations

import difflib
from typing import TypeVar

from summitry.scenario.consent import consent_problems, consent_unsourced
from summitry.scenario.quantities import (
    AnyQuantity,
    Loc,
    Range,
    fmt,
    range_problems,
    with_bounds,
)
from summitry.scenario.questions import question_problems
from summitry.scenario.schema import (
    OUTSIDE,
    PATIENCE,
    UNBOUNDED,
    UNIT,
    Actor,
    BargainingSettings,
    Issue,
    OutcomeDeal,
    OutcomeIssue,
    ScenarioBase,
    SideValues,
)

Finding = tuple[Loc, str]
S = TypeVar("S", bound=ScenarioBase)


def suggest(word: str, choices: list[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _scale_text(scale: Range) -> str:
    return f" (scale [{fmt(scale[0])}, {fmt(scale[1])}])"


def _duplicates(kind: str, group: str, ids: list[str]) -> list[Finding]:
    seen: dict[str, int] = {}
    out: list[Finding] = []
    for i, ident in enumerate(ids):
        if ident in seen:
            out.append(
                ((group, i, "id"), f"duplicate {kind} id '{ident}' (also {group}[{seen[ident]}])")
            )
        else:
            seen[ident] = i
    return out


def _quantity(loc: Loc, q: AnyQuantity, legal: Range, what: str) -> list[Finding]:
    return [((*loc, *sub), msg) for sub, msg in range_problems(q, legal, what)]


def _issue(i: int, issue: Issue) -> list[Finding]:
    out: list[Finding] = []
    lo, hi = issue.scale
    for key in issue.anchors:
        if not lo <= key <= hi:
            where: Loc = ("issues", i, "anchors", key)
            out.append((where, f"anchor {fmt(key)} is outside the scale [{fmt(lo)}, {fmt(hi)}]"))
    if issue.status_quo is not None:
        loc: Loc = ("issues", i, "status_quo")
        out += _quantity(loc, issue.status_quo, issue.scale, _scale_text(issue.scale))
    if issue.breakdown is not None:  # scenario/breakdown.py
        where = ("issues", i, "breakdown")
        out += _quantity(where, issue.breakdown, issue.scale, _scale_text(issue.scale))
    return out


def _actor(j: int, actor: Actor, issues: list[Issue]) -> list[Finding]:
    base: Loc = ("actors", j)
    out = _quantity((*base, "capability"), actor.capability, UNBOUNDED, "")
    by_id: dict[str, Issue] = {}
    for issue in issues:
        by_id.setdefault(issue.id, issue)
    ids = list(by_id)
    for key, q in (actor.capability_by_issue or {}).items():
        loc: Loc = (*base, "capability_by_issue", key)
        if key not in by_id:
            out.append((loc, f"unknown issue '{key}'{suggest(key, ids)}"))
        out += _quantity(loc, q, UNBOUNDED, "")
    for field, noun in (("positions", "position"), ("salience", "salience")):
        given = actor.positions if field == "positions" else actor.salience
        for key, q in given.items():
            loc = (*base, field, key)
            if key not in by_id:
                out.append((loc, f"unknown issue '{key}'{suggest(key, ids)}"))
                if field == "salience":
                    out += _quantity(loc, q, UNIT, "")
                continue
            if field == "positions":
                scale = by_id[key].scale
                out += _quantity(loc, q, scale, _scale_text(scale))
            else:
                out += _quantity(loc, q, UNIT, "")
        for ident in ids:
            if ident not in given:
                out.append(((*base, field), f"missing {noun} for issue '{ident}'"))
    return out


def cross_check(sc: ScenarioBase) -> list[Finding]:
    """Every cross-reference problem of ``sc``, in document order."""
    out = _duplicates("issue", "issues", sc.issue_ids)
    for i, issue in enumerate(sc.issues):
        out += _issue(i, issue)
    out += _duplicates("actor", "actors", sc.actor_ids)
    for j, actor in enumerate(sc.actors):
        out += _actor(j, actor, sc.issues)
    out += consent_problems(sc.issues, sc.actor_ids)
    out += _accommodation(sc)
    out += _bargaining(sc)
    out += _outcome(sc)
    scales = {issue.id: issue.scale for issue in sc.issues}  # dated questions:
    out += question_problems(
        sc.questions, scales, sc.date, sc.bargaining is not None, sc.options is not None
    )
    if sc.options is not None:
        if sc.bargaining is None:
            msg = "the options game needs a bargaining section (its payoffs build on it)"
            out.append((("options",), msg))
        for path, q, legal in sc.options.quantities():
            out += _quantity(tuple(path.split(".")), q, legal, "")
    return out


def _bargaining(sc: ScenarioBase) -> list[Finding]:
    """Actor ids in the bargaining section exist; ratifiers named by a channel are declared;
    every issue has a status quo (the no-deal point); every quantity is in its range."""
    bg = sc.bargaining
    if bg is None:
        return []
    ids = sc.actor_ids
    out: list[Finding] = []

    def actor(loc: Loc, ident: str) -> None:
        if ident not in ids:
            out.append((loc, f"unknown actor '{ident}'{suggest(ident, ids)}"))

    for side, ident in bg.principals.items():
        actor(("bargaining", "principals", side), ident)
    if bg.principals.get("a") == bg.principals.get("b"):
        out.append((("bargaining", "principals", "b"), "the two principals must differ"))
    for rid in bg.ratifiers:
        actor(("bargaining", "ratifiers", rid), rid)
    for name, channel in bg.channels.items():
        actor(("bargaining", "channels", name, "a"), channel.a)
        for k, rid in enumerate(channel.ratifiers):
            if rid not in bg.ratifiers:
                known = list(bg.ratifiers)
                msg = f"'{rid}' is not declared under bargaining.ratifiers{suggest(rid, known)}"
                out.append((("bargaining", "channels", name, "ratifiers", k), msg))
    if bg.channels and bg.channel not in bg.channels:
        msg = f"channel '{bg.channel}' has no entry under bargaining.channels"
        out.append((("bargaining", "channel"), msg))
    for i, issue in enumerate(sc.issues):
        if issue.status_quo is None:
            msg = "a status quo is needed: it is the no-deal point of the bargaining model"
            out.append((("issues", i), msg))
    for actor_id, per_issue in bg.ideals.items():
        actor(("bargaining", "ideals", actor_id), actor_id)
        for issue_id in per_issue:
            if issue_id not in sc.issue_ids:
                msg = f"unknown issue '{issue_id}'{suggest(issue_id, sc.issue_ids)}"
                out.append((("bargaining", "ideals", actor_id, issue_id), msg))
    for path, q, legal in sc.quantities():
        if path.startswith("bargaining.") and legal[0] > -float("inf"):
            out += _quantity(tuple(path.split(".")), q, legal, "")
    return out


def _outcome(sc: ScenarioBase) -> list[Finding]:
    """The outcome is read on or after the scenario's date; its issues exist; each value and
    band end lies on the issue's scale, with low <= value <= high."""
    oc = sc.outcome
    if oc is None:
        return []
    out: list[Finding] = []
    if sc.date is not None and oc.date < sc.date:
        msg = (
            f"outcome date {oc.date.isoformat()} is before the scenario's date "
            f"{sc.date.isoformat()}"
        )
        out.append((("outcome", "date"), msg))
    scales = {issue.id: issue.scale for issue in sc.issues}
    for issue_id, obs in oc.issues.items():
        base: Loc = ("outcome", "issues", issue_id)
        if issue_id not in scales:
            out.append((base, f"unknown issue '{issue_id}'{suggest(issue_id, sc.issue_ids)}"))
            continue
        lo, hi = scales[issue_id]
        for name in ("value", "low", "high"):
            x = getattr(obs, name)
            if x is not None and not lo <= x <= hi:
                side = "below" if x < lo else "above"
                bound = lo if x < lo else hi
                label = "" if name == "value" else f"{name} "
                msg = f"{label}{fmt(x)} is {side} {fmt(bound)}{_scale_text((lo, hi))}"
                out.append(((*base, name), msg))
        if obs.low is not None and obs.low > obs.value:
            msg = f"low {fmt(obs.low)} is above the value {fmt(obs.value)}"
            out.append(((*base, "low"), msg))
        if obs.high is not None and obs.high < obs.value:
            msg = f"high {fmt(obs.high)} is below the value {fmt(obs.value)}"
            out.append(((*base, "high"), msg))
    return out


def _accommodation(sc: ScenarioBase) -> list[Finding]:
    """Accommodation rows name known actors, and each row's weights sum to at most 1."""
    rows = sc.model.smp.accommodation or {}
    ids = sc.actor_ids
    base: Loc = ("model", "smp", "accommodation")
    out: list[Finding] = []
    for actor, row in rows.items():
        if actor not in ids:
            out.append(((*base, actor), f"unknown actor '{actor}'{suggest(actor, ids)}"))
        for other in row:
            if other not in ids:
                out.append(((*base, actor, other), f"unknown actor '{other}'{suggest(other, ids)}"))
        total = sum(row.values())
        if total > 1 + 1e-9:
            out.append(((*base, actor), f"weights sum to {fmt(total)}, above 1"))
    return out


def bundled_check(sc: ScenarioBase, stem: str) -> list[Finding]:
    """Rules for bundled files: name equals the file stem; every reference is dated; every
    quantity has a source or a note (a plain number has neither)."""
    out: list[Finding] = []
    if sc.name != stem:
        out.append((("name",), f"name '{sc.name}' must equal the file name '{stem}'"))
    slots: list[tuple[Loc, AnyQuantity]] = []
    for i, issue in enumerate(sc.issues):
        if issue.status_quo is not None:
            slots.append((("issues", i, "status_quo"), issue.status_quo))
        if issue.breakdown is not None:
            slots.append((("issues", i, "breakdown"), issue.breakdown))
    for j, actor in enumerate(sc.actors):
        slots.append((("actors", j, "capability"), actor.capability))
        by_issue = (actor.capability_by_issue or {}).items()
        slots += [(("actors", j, "capability_by_issue", k), q) for k, q in by_issue]
        slots += [(("actors", j, "positions", k), q) for k, q in actor.positions.items()]
        slots += [(("actors", j, "salience", k), q) for k, q in actor.salience.items()]
    if sc.bargaining is not None:
        slots += [(tuple(p.split(".")), q) for p, q, _ in sc.bargaining.quantities()]
    if sc.options is not None:
        slots += [(tuple(p.split(".")), q) for p, q, _ in sc.options.quantities()]
    out += consent_unsourced(sc.issues)
    for key, ref in sc.references.items():
        if isinstance(ref, str):
            msg = "bundled scenarios need a dated reference: {date, citation, url_or_id}"
            out.append((("references", key), msg))
    for loc, q in slots:
        if q.source is None and q.note is None:
            out.append((loc, "bundled scenarios need a source or a note for every number"))
    if sc.outcome is not None:
        recorded: list[tuple[Loc, OutcomeDeal | OutcomeIssue]] = [
            (("outcome", "issues", k), obs) for k, obs in sc.outcome.issues.items()
        ]
        if sc.outcome.deal is not None:
            recorded.insert(0, (("outcome", "deal"), sc.outcome.deal))
        for loc, obs in recorded:
            if obs.source is None and obs.note is None:
                msg = "bundled scenarios need a source or a note for every outcome value"
                out.append((loc, msg))
    return out


def fill_bounds(sc: S) -> S:
    """``sc`` with every beta's absent ``low``/``high`` set to its slot's legal range."""
    issues = [
        issue.model_copy(
            update={
                key: with_bounds(q, issue.scale)
                for key in ("status_quo", "breakdown")  # scenario/breakdown.py
                if (q := getattr(issue, key)) is not None
            }
        )
        for issue in sc.issues
    ]
    scales = {issue.id: issue.scale for issue in sc.issues}
    actors = [
        actor.model_copy(
            update={
                "capability": with_bounds(actor.capability, UNBOUNDED),
                "capability_by_issue": None
                if actor.capability_by_issue is None
                else {k: with_bounds(q, UNBOUNDED) for k, q in actor.capability_by_issue.items()},
                "positions": {k: with_bounds(q, scales[k]) for k, q in actor.positions.items()},
                "salience": {k: with_bounds(q, UNIT) for k, q in actor.salience.items()},
            }
        )
        for actor in sc.actors
    ]
    update: dict[str, object] = {"issues": issues, "actors": actors}
    if sc.bargaining is not None:
        update["bargaining"] = _bargaining_bounds(sc.bargaining, scales)
    if sc.options is not None:
        update["options"] = sc.options.model_copy(
            update={n: with_bounds(q, UNIT) for n, q in sc.options.quantities_by_name().items()}
        )
    out = sc.model_copy(update=update)
    out._source_file = sc.source_file
    return out


def _bargaining_bounds(bg: BargainingSettings, scales: dict[str, Range]) -> BargainingSettings:
    def sides(v: SideValues, legal: Range) -> SideValues:
        return v.model_copy(update={"a": with_bounds(v.a, legal), "b": with_bounds(v.b, legal)})

    ratifiers = {
        k: r.model_copy(update={"outside_option": with_bounds(r.outside_option, OUTSIDE)})
        for k, r in bg.ratifiers.items()
    }
    channels = {
        k: c
        if c.override_cost is None
        else c.model_copy(update={"override_cost": with_bounds(c.override_cost, UNIT)})
        for k, c in bg.channels.items()
    }
    return bg.model_copy(
        update={
            "ideals": {
                actor: {i: with_bounds(q, scales.get(i, UNBOUNDED)) for i, q in row.items()}
                for actor, row in bg.ideals.items()
            },
            "outside_options": sides(bg.outside_options, OUTSIDE),
            "credibility": sides(bg.credibility, UNIT),
            "patience": sides(bg.patience, PATIENCE),
            "ratifiers": ratifiers,
            "channels": channels,
        }
    )
