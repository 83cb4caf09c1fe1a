"""Rich tables for ``summitry forecast``: settlements, the deal, the options game."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from summitry.cli.app import console

if TYPE_CHECKING:
    from summitry.forecast import Forecast

QRE_SHOWN = (1.0, 5.0, 20.0)
"""Precision values of the logit QRE shown in the table (JSON has the whole grid)."""


def fmt(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _range(q: dict[str, float] | None) -> str:
    return "-" if q is None else escape(f"{q['p50']:.1f} [{q['p10']:.1f}-{q['p90']:.1f}]")


def _anchor(a: dict[str, Any] | None) -> str:
    return "-" if a is None else f"{a['at']:g}: {a['label']}"


def print_settlements(fc: Forecast, engines: tuple[str, ...]) -> None:
    """Per issue: status quo, and each selected engine's settlement with its anchor."""
    sc = fc.scenario
    what = "central values" if fc.point else f"{fc.samples:,} samples, seed {fc.seed}"
    show_eum, show_smp = "eum" in engines, "smp" in engines and fc.smp is not None
    table = Table(
        title=f"{sc.title}\nWhere each issue settles ({what})",
        title_justify="left",
        caption="p50 \\[p10-p90] over samples. EUM: expected-utility model, weighted median "
        f"after {fc.options.rounds} rounds. SMP: spatial model, expected outcome at its "
        "stopping turn. Anchor: the labelled point nearest the p50.",
        caption_justify="left",
    )
    table.add_column("Issue", no_wrap=True)
    table.add_column("Status\nquo", justify="right", no_wrap=True)
    if show_eum:
        table.add_column("Initial\nmedian", justify="right", no_wrap=True)
        table.add_column("EUM\nsettlement", justify="right", no_wrap=True)
    if show_smp:
        table.add_column("SMP\nsettlement", justify="right", no_wrap=True)
    table.add_column("Nearest anchor", ratio=1)
    for row in fc.summary():
        cells = [row["issue"], fmt(row["status_quo"])]
        if show_eum:
            cells += [fmt(row["initial_median"]["p50"]), _range(row["final_median"])]
        if show_smp:
            cells.append(_range(row["smp"]["settlement"]))
        anchor = row["nearest_anchor"] if show_eum else row["smp"]["nearest_anchor"]
        cells.append(_anchor(anchor))
        table.add_row(*cells)
    console.print(table)


def print_deal(fc: Forecast) -> None:
    """Can there be a deal? P(zone), P(deal), the terms, the surpluses."""
    deal = fc.deal_summary()
    if deal is None:
        return
    pi = deal["private_information"]
    ratifiers = ", ".join(deal["ratifiers"]) or "none"
    table = Table(
        title=f"Can there be a deal? (bargaining model, {deal['channel']} channel: "
        f"{deal['principals']['a']} with {deal['principals']['b']}; ratifiers: {ratifiers})",
        title_justify="left",
        caption=f"P(zone of agreement) {deal['p_zopa']:.2f} (without ratifiers "
        f"{deal['p_zopa_without_ratifiers']:.2f}); P(deal) when A knows B's reservation "
        f"only as a distribution {pi['p_deal']:.2f}, P(breakdown) {pi['p_breakdown']:.2f}. "
        f"Nash terms: p50 \\[p10-p90] over the {deal['n_zopa']:,} of {deal['samples']:,} "
        f"samples with a zone{_few(deal['n_zopa'])}.",
        caption_justify="left",
    )
    table.add_column("Issue", no_wrap=True)
    table.add_column("Nash deal\nterms", justify="right", no_wrap=True)
    table.add_column("Offer under\nprivate info", justify="right", no_wrap=True)
    table.add_column("Nearest anchor", ratio=1)
    offer = pi["terms"] or {}
    for issue, row in deal["issues"].items():
        table.add_row(
            issue, _range(row["terms"]), fmt(offer.get(issue)), _anchor(row["nearest_anchor"])
        )
    console.print(table)
    sides = (
        ("A", deal["principals"]["a"], "surplus_a"),
        ("B", deal["principals"]["b"], "surplus_b"),
    )
    surplus = [f"{side} ({who}): {_range_small(deal[k])}" for side, who, k in sides]
    console.print("Surplus over no deal (utility, p50 \\[p10-p90]): " + "; ".join(surplus))


FEW_SAMPLES = 100
"""Below this many samples with a zone, the terms' quantiles are flagged as fragile."""


def _few(n: int) -> str:
    if n == 0:
        return " (no sample has a zone: no terms)"
    return " (few: treat the terms as fragile)" if n < FEW_SAMPLES else ""


def _range_small(q: dict[str, float] | None) -> str:
    return "-" if q is None else escape(f"{q['p50']:.3f} [{q['p10']:.3f}-{q['p90']:.3f}]")


def print_options(fc: Forecast) -> None:
    """The options game: subgame-perfect paths and logit QRE choice probabilities."""
    game = fc.options_summary()
    if game is None:
        return
    spe = game["spe"]
    table = Table(
        title="Which strategy pays? (options game: share of samples per subgame-perfect "
        "path, and logit QRE probabilities of A's options)",
        title_justify="left",
        caption="QRE lambda: precision of the players' choices (0 random, large = SPE).",
        caption_justify="left",
    )
    table.add_column("Path")
    table.add_column("SPE share", justify="right")
    for path, share in spe["paths"].items():
        if share > 0:
            table.add_row(path, f"{share:.2f}")
    console.print(table)
    qre = Table(title_justify="left")
    qre.add_column("QRE lambda", justify="right")
    for option in spe["options"]:
        qre.add_column(f"P({option})", justify="right")
    for entry in game["qre"]:
        if entry["lambda"] in QRE_SHOWN:
            qre.add_row(f"{entry['lambda']:g}", *(f"{p:.2f}" for p in entry["options"].values()))
    console.print(qre)
