"""The integrated forecast as one JSON-ready record with its sentences (docs/integrated.md).

``headline(fc)`` is what ``forecast --json`` (key ``integrated``), the report, the
dashboard, ``compare`` and ``backtest`` read: :meth:`Integrated.summary`, the explanations
(:func:`summitry.integrated.explain.explain`) and ``words``, the same in sentences:
``p_deal``, ``disagreement`` (one per issue where an engine's p50 is more than the margin
from the headline median), ``gives`` (who gives what in a deal), ``drivers`` (one per
headline number) and ``no_zone``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from summitry.integrated.core import MARGIN, WINDOW

if TYPE_CHECKING:
    from summitry.forecast import Forecast


def _num(x: float) -> str:
    return f"{x:.1f}"


def headline_cells(
    issue: dict[str, Any], interval: Callable[[float, float], str], dash: str
) -> list[str]:
    """One issue's row of the headline table as plain text, for every backend to escape
    and draw: issue, median, the 50/80/95% intervals, the 80% interval with model error,
    the terms if deal, the no-deal median and the nearest anchor (``dash`` where none)."""
    iv = issue["intervals"]
    anchor, no_deal = issue["nearest_anchor"], issue["no_deal"]
    return [
        issue["issue"],
        _num(issue["median"]),
        *(interval(*iv[k]) for k in ("50", "80", "95")),
        interval(*issue["with_model_error"]["intervals"]["80"]),
        dash if issue["terms"] is None else _num(issue["terms"]),
        dash if no_deal is None else _num(no_deal["median"]),
        dash if anchor is None else f"{anchor['at']:g}: {anchor['label']}",
    ]


def disagreement_words(issue: dict[str, Any]) -> str | None:
    """One sentence naming each engine whose p50 differs from the headline median by more
    than the margin, with both values; None when none does."""
    far = [e for e in issue["evidence"] if e["differs"]]
    if not far:
        return None
    parts = ", ".join(f"{e['label']} {_num(e['median'])}" for e in far)
    return (
        f"{issue['issue']}: the headline median is {_num(issue['median'])}, but "
        f"{parts} (more than {_num(issue['margin'])} away)."
    )


def p_deal_words(rec: dict[str, Any]) -> str:
    """P(deal) with its time frame, and P(zone), in one sentence."""
    if rec["kind"] != "deal":
        return "No bargaining model ran: there is no deal question, only where issues settle."
    return (
        f"P(deal) {rec['p_deal']:.3f} {WINDOW}; P(zone of agreement) {rec['p_zone']:.3f}. "
        "A deal means A's best offer under private information is accepted by every party "
        "whose consent the channel needs."
    )


def _name(key: str) -> str:
    return "P(deal)" if key == "p_deal" else key.removeprefix("issue.")


def driver_words(name: str, drivers: list[dict[str, Any]]) -> str:
    """'What moves <name> most: a, b, c.' (or that nothing in the screen does)."""
    if not drivers:
        return f"What moves {_name(name)}: no input in the screen changes it."
    return f"What moves {_name(name)} most: " + ", ".join(d["input"] for d in drivers) + "."


def no_zone_words(search: dict[str, Any] | None) -> str | None:
    """No zone at the central values, and the smallest changes that open one."""
    if search is None:
        return None
    if not search["openers"]:
        return (
            "No zone of agreement at the central values, and no single input moved within "
            f"its stated range opens one ({search['searched']} inputs searched)."
        )
    parts = "; ".join(
        f"{o['input']} {o['central']:.3g} -> {o['value']:.3g} ({o['mass']:.0%} of its probability)"
        for o in search["openers"]
    )
    return (
        f"No zone of agreement at the central values; the smallest changes that open one: {parts}."
    )


def headline(fc: Forecast, *, explain: bool = True) -> dict[str, Any]:
    """The integrated record of a run (see the module docstring); ``explain=False`` skips
    the explanations (their cost is a Morris screen and a zone search)."""
    from summitry.integrated.explain import explain as explanations

    ig = fc.integrated
    rec = ig.summary()
    words: dict[str, Any] = {"p_deal": p_deal_words(rec)}
    words["disagreement"] = [w for i in rec["issues"] if (w := disagreement_words(i))]
    if explain:
        ex = explanations(ig, fc)
        if not rec["p_deal"]:
            ex["gives"] = []  # no draw has a deal: nobody gives anything
        rec["explanation"] = ex
        words["drivers"] = [driver_words(k, v) for k, v in ex["drivers"].items() if v]
        still = [_name(k) for k, v in ex["drivers"].items() if not v]
        words["unmoved"] = (
            f"No single input in the screen moves: {', '.join(still)}." if still else None
        )
        words["gives"] = [g["words"] for g in ex["gives"]]
        words["no_zone"] = no_zone_words(ex["no_zone"])
    rec["words"] = words
    rec["margin_share"] = MARGIN
    return rec
