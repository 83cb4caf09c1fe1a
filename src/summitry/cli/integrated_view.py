"""The integrated forecast in the terminal: the headline table and its sentences
(docs/integrated.md). ``forecast``, ``compare`` and ``backtest`` print it first; the
per-engine tables follow one level down."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from summitry.cli.tables import Col, emit, fitted, prose

ANCHOR_MIN = 20
EVIDENCE = "Per engine (evidence, one level down):"
"""The line between the integrated forecast and the per-engine tables."""

INTEGRATED_COLUMNS = (
    Col("Issue", whole=True),
    Col("Median", numeric=True),
    Col("50%", numeric=True, drop=1),
    Col("80%", numeric=True),
    Col("95%", numeric=True, drop=2),
    Col("80% with\nmodel error", numeric=True),
    Col("If deal", numeric=True),
    Col("No deal", numeric=True, drop=4),
    Col("Nearest anchor", min_width=ANCHOR_MIN, drop=3),
)
"""The headline table; on a narrow terminal the columns with ``drop`` go in that order."""


def _iv(lo: float, hi: float) -> str:
    return f"[{lo:.1f}-{hi:.1f}]"


def print_integrated(rec: dict[str, Any], title: str, what: str, *, wide: bool = False) -> None:
    """The headline per issue, P(deal) with its window, then the explanations in words."""
    from summitry.integrated.record import headline_cells  # numpy: not at --help time

    rows = [[escape(c) for c in headline_cells(i, _iv, "-")] for i in rec["issues"]]
    if rec["kind"] == "deal":
        how = (
            "with probability P(deal) the deal terms, otherwise the no-deal point (status "
            "quo or breakdown point). If deal: the terms; No deal: its median."
        )
    else:
        how = "the settlement models' ensemble stacked on the DEU data."
    how = "Median and central intervals over the draws: " + how
    table = fitted(
        INTEGRATED_COLUMNS,
        rows,
        wide=wide,
        show_lines=not wide,
        title=f"{escape(title)}\nThe forecast: where each issue stands ({escape(what)})",
        caption=f"{how} Model error: "
        "learned on EU legislation (docs/calibration.md), shown apart from the input "
        "uncertainty.",
    )
    words = rec["words"]
    prose(words["p_deal"])
    emit(table, wide=wide)
    for line in words.get("drivers", []):
        prose(line)
    if words.get("unmoved"):
        prose(words["unmoved"])
    if words.get("gives"):
        prose("In a deal, relative to no deal: " + "; ".join(words["gives"]) + ".")
    if words.get("no_zone"):
        prose(words["no_zone"])
    if words["disagreement"]:
        prose(
            "Where the settlement models disagree with the headline (they forecast where "
            "the actors' contest settles, not whether a deal is signed):"
        )
        for line in words["disagreement"]:
            prose("- " + line)
    prose(EVIDENCE)
