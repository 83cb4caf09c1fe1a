"""Rich tables for ``summitry forecast``: settlements, the deal, the options game."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape

from summitry.cli.tables import Col, emit, fitted, new_table, prose

if TYPE_CHECKING:
    from summitry.forecast import Forecast

ANCHOR_MIN = 20
"""Narrowest useful width of a "Nearest anchor" column; below it the column is dropped."""
LINE_WIDTH = 79
"""Longest one-line note (with its full stop, 80 columns)."""
QRE_SHOWN = (1.0, 5.0, 20.0)
"""Precision values of the logit QRE shown in the table (JSON has the whole grid)."""


def fmt(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _range(q: dict[str, float] | None) -> str:
    return "-" if q is None else escape(f"{q['p50']:.1f} [{q['p10']:.1f}-{q['p90']:.1f}]")


def _anchor(a: dict[str, Any] | None) -> str:
    return "-" if a is None else escape(f"{a['at']:g}: {a['label']}")


SETTLEMENT_COLUMNS = (
    Col("Issue", whole=True),
    Col("Status\nquo", numeric=True, drop=2),
    Col("Initial\nmedian", numeric=True, drop=1),
    Col("EUM\nsettlement", numeric=True),
    Col("SMP\nsettlement", numeric=True),
    Col("Nearest anchor", min_width=ANCHOR_MIN, drop=3),
)
"""The settlement table; on a narrow terminal the columns with ``drop`` go in that order
(docs/cli.md)."""


def print_settlements(fc: Forecast, engines: tuple[str, ...], *, wide: bool = False) -> None:
    """Per issue: status quo, and each selected engine's settlement with its anchor."""
    sc = fc.scenario
    what = "central values" if fc.point else f"{fc.samples:,} samples, seed {fc.seed}"
    show_eum, show_smp = "eum" in engines, "smp" in engines and fc.smp is not None
    shown = {"Initial\nmedian": show_eum, "EUM\nsettlement": show_eum, "SMP\nsettlement": show_smp}
    columns = [c for c in SETTLEMENT_COLUMNS if shown.get(c.header, True)]
    rows = []
    for row in fc.summary():
        cells = {
            "Issue": row["issue"],
            "Status\nquo": fmt(row["status_quo"]),
            "Initial\nmedian": fmt(row["initial_median"]["p50"]) if show_eum else "",
            "EUM\nsettlement": _range(row["final_median"]) if show_eum else "",
            "SMP\nsettlement": _range(row["smp"]["settlement"]) if show_smp else "",
        }
        anchor = row["nearest_anchor"] if show_eum else row["smp"]["nearest_anchor"]
        cells["Nearest anchor"] = _anchor(anchor)
        rows.append([cells[c.header] for c in columns])
    table = fitted(
        columns,
        rows,
        wide=wide,
        show_lines=not wide,  # a blank line between issues whose cells wrap
        title=f"{escape(sc.title)}\nWhere each issue settles ({what})",
        caption="p50 \\[p10-p90] over samples. EUM: expected-utility model, weighted median "
        f"after {fc.options.rounds} rounds. SMP: spatial model, expected outcome at its "
        "stopping turn. Anchor: the labelled point nearest the p50.",
    )
    emit(table, wide=wide)
    if show_smp:
        prose(smp_turns_line(fc))


def _settlement_columns(header: str) -> tuple[Col, ...]:
    return (
        Col("Issue", whole=True),
        Col("Status\nquo", numeric=True, drop=1),
        Col(header, numeric=True),
        Col("Nearest anchor", min_width=ANCHOR_MIN, drop=2),
    )


COMPROMISE_COLUMNS = _settlement_columns("Compromise\nsettlement")
"""The compromise model's table (``--engine compromise`` or ``all``; docs/cli.md)."""
NBS_COLUMNS = _settlement_columns("NBS\nsettlement")
"""The Nash bargaining solution's table (``--engine nbs`` or ``all``)."""
PROCEDURAL_COLUMNS = _settlement_columns("Procedural\nsettlement")
"""The procedural model's table (``--engine procedural`` or ``all``)."""


def _print_settlement(
    fc: Forecast,
    engine: str,
    columns: tuple[Col, ...],
    title: str,
    caption: str,
    *,
    wide: bool,
) -> None:
    """Per issue: status quo, ``engine``'s settlement and its nearest anchor (nothing when
    the engine did not run)."""
    info = fc.to_dict().get(engine)
    if info is None:
        return
    what = "central values" if fc.point else f"{fc.samples:,} samples, seed {fc.seed}"
    rows = []
    for issue in fc.scenario.issues:
        q = info["settlement"][issue.id]
        sq = issue.status_quo.central() if issue.status_quo is not None else None
        anchor = issue.nearest_anchor(q["p50"])
        rows.append(
            [
                issue.id,
                fmt(sq),
                _range(q),
                _anchor(None if anchor is None else {"at": anchor[0], "label": anchor[1]}),
            ]
        )
    table = fitted(
        columns, rows, wide=wide, show_lines=not wide, title=f"{title} ({what})", caption=caption
    )
    emit(table, wide=wide)


def print_compromise(fc: Forecast, *, wide: bool = False) -> None:
    """Per issue: status quo, the compromise model's settlement and its nearest anchor
    (nothing when the compromise model did not run)."""
    _print_settlement(
        fc,
        "compromise",
        COMPROMISE_COLUMNS,
        "Compromise model",
        "p50 \\[p10-p90] over samples of sum c s x / sum c s over the actors "
        "(capability c, salience s, position x). Anchor: the labelled point nearest the p50.",
        wide=wide,
    )


def print_nbs(fc: Forecast, *, wide: bool = False) -> None:
    """Per issue: status quo, the Nash bargaining solution and its nearest anchor (nothing
    when it did not run; docs/models/nbs.md)."""
    _print_settlement(
        fc,
        "nbs",
        NBS_COLUMNS,
        "Nash bargaining solution",
        "p50 \\[p10-p90] over samples of the point maximising sum c log(gain over the "
        "status quo) over the actors, u = -s (x - position)^2. Anchor: the labelled point "
        "nearest the p50.",
        wide=wide,
    )


def print_procedural(fc: Forecast, *, wide: bool = False) -> None:
    """Per issue: status quo, the procedural model's settlement and its nearest anchor
    (nothing when it did not run; docs/models/procedural.md)."""
    info = fc.to_dict().get("procedural")
    players = ", ".join(info["veto_players"]) if info is not None else ""
    _print_settlement(
        fc,
        "procedural",
        PROCEDURAL_COLUMNS,
        "Procedural model",
        "p50 \\[p10-p90] over samples of the compromise moved into the points every veto "
        f"player prefers to the status quo. Veto players: {escape(players)}. Anchor: the "
        "labelled point nearest the p50.",
        wide=wide,
    )


def smp_turns_line(fc: Forecast) -> str:
    """One line of at most 80 columns on how the SMP's runs ended: how many reached the turn
    cap without meeting the stopping rule (and were caught in a cycle), and the turns used
    (docs/models/smp.md, "Runs that reach the turn cap")."""
    info = fc.smp_summary()
    assert info is not None
    cap = f"{info['max_turns']}-turn cap"
    if info["samples"] == 1:
        if not info["capped"]:
            return f"SMP: met its stopping rule after {info['turns']['p50']:.0f} turns."
        return f"SMP: reached the {cap} without meeting its stopping rule" + (
            " (in a cycle)." if info["cycling"] else "."
        )
    t = info["turns"]
    hit = f"SMP: {info['capped']:,} runs ({info['share_capped']:.1%}) hit the {cap}"
    cycling = f", {info['cycling']:,} in a cycle" if info["cycling"] else ""
    turns = f"; turns p50 {t['p50']:.0f}"
    spread = f" [{t['p10']:.0f}-{t['p90']:.0f}]"
    lines = (hit + cycling + turns + spread, hit + turns + spread, hit + turns)
    return next((line for line in lines if len(line) <= LINE_WIDTH), lines[-1]) + "."


def print_deal(fc: Forecast, *, wide: bool = False) -> None:
    """Can there be a deal? P(zone), P(deal), the terms, the surpluses."""
    deal = fc.deal_summary()
    if deal is None:
        return
    pi = deal["private_information"]
    ratifiers = ", ".join(deal["ratifiers"]) or "none"
    consent = "; ".join(f"{', '.join(who)} on {issue}" for issue, who in deal["consent"].items())
    ratifiers += f"; consent: {consent}" if consent else ""  # docs/models/bargaining.md
    offer = pi["terms"] or {}
    rows = [
        [escape(issue), _range(row["terms"]), fmt(offer.get(issue)), _anchor(row["nearest_anchor"])]
        for issue, row in deal["issues"].items()
    ]
    table = fitted(
        DEAL_COLUMNS,
        rows,
        wide=wide,
        show_lines=not wide,  # a blank line between issues whose cells wrap
        title=escape(
            f"Can there be a deal? (bargaining model, {deal['channel']} channel: "
            f"{deal['principals']['a']} with {deal['principals']['b']}; ratifiers: {ratifiers})"
        ),
        caption=f"P(zone of agreement) {deal['p_zopa']:.2f} (without ratifiers "
        f"{deal['p_zopa_without_ratifiers']:.2f}); A's own estimate that its offer is "
        f"accepted (B's reservation known only as a distribution, A's side at central "
        f"values) {pi['p_deal']:.2f}, P(breakdown) {pi['p_breakdown']:.2f}; the forecast "
        "above judges the offer with every party's drawn inputs. "
        f"Nash terms: p50 \\[p10-p90] over the {deal['n_zopa']:,} of {deal['samples']:,} "
        f"samples with a zone{_few(deal['n_zopa'])}.",
    )
    emit(table, wide=wide)
    sides = (
        ("A", deal["principals"]["a"], "surplus_a"),
        ("B", deal["principals"]["b"], "surplus_b"),
    )
    surplus = [f"{side} ({who}): {_range_small(deal[k])}" for side, who, k in sides]
    prose("Surplus over no deal (utility, p50 [p10-p90]): " + "; ".join(surplus))


DEAL_COLUMNS = (
    Col("Issue", whole=True),
    Col("Nash deal\nterms", numeric=True),
    Col("Offer under\nprivate info", numeric=True, drop=1),
    Col("Nearest anchor", min_width=ANCHOR_MIN, drop=2),
)
"""The deal table; on a narrow terminal the columns with ``drop`` go in that order."""


FEW_SAMPLES = 100
"""Below this many samples with a zone, the terms' quantiles are flagged as fragile."""


def _few(n: int) -> str:
    if n == 0:
        return " (no sample has a zone: no terms)"
    return " (few: treat the terms as fragile)" if n < FEW_SAMPLES else ""


def _range_small(q: dict[str, float] | None) -> str:
    return "-" if q is None else f"{q['p50']:.3f} [{q['p10']:.3f}-{q['p90']:.3f}]"


def print_options(fc: Forecast, *, wide: bool = False) -> None:
    """The options game: subgame-perfect paths and logit QRE choice probabilities."""
    game = fc.options_summary()
    if game is None:
        return
    spe = game["spe"]
    prose(
        "Which strategy pays? (options game: share of samples per subgame-perfect path, "
        "and logit QRE probabilities of A's options)"
    )
    table = new_table()
    table.add_column("Path", no_wrap=True)
    table.add_column("SPE share", justify="right", no_wrap=True)
    for path, share in spe["paths"].items():
        if share > 0:
            table.add_row(escape(path), f"{share:.2f}")
    emit(table, wide=wide)
    qre = new_table()
    qre.add_column("QRE lambda", justify="right", no_wrap=True)
    for option in spe["options"]:
        qre.add_column(escape(f"P({option})"), justify="right", no_wrap=True)
    for entry in game["qre"]:
        if entry["lambda"] in QRE_SHOWN:
            qre.add_row(f"{entry['lambda']:g}", *(f"{p:.2f}" for p in entry["options"].values()))
    emit(qre, wide=wide)
    prose("QRE lambda: precision of the players' choices (0 random, large = SPE).")


TRACE_COLUMNS = (
    Col("round", numeric=True),
    Col("sender", whole=True),
    Col("target", whole=True),
    Col("kind", no_wrap=True),
    Col("EU\nsender", numeric=True, drop=2),
    Col("EU\ntarget", numeric=True, drop=1),
    Col("accepted", no_wrap=True),
    Col("new\nposition", numeric=True),
)
"""The --trace table; on a narrow terminal the columns with ``drop`` go in that order."""


def print_trace(trace: dict[str, list[dict[str, Any]]], *, wide: bool = False) -> None:
    """Per issue, every proposal of the first sample: who to whom, its kind, both sides'
    expected utilities, whether it was accepted and the position it led to."""
    for issue, records in trace.items():
        rows = [
            [
                str(r["round"]),
                escape(r["sender"]),
                escape(r["target"]),
                r["kind"],
                f"{r['eu_ij']:.3f}",
                f"{r['eu_ji']:.3f}",
                "yes" if r["accepted"] else "no",
                "-" if r["new_position"] is None else f"{r['new_position']:.2f}",
            ]
            for r in records
        ]
        title = escape(f"Trace of sample 0: {issue}")
        emit(fitted(TRACE_COLUMNS, rows, wide=wide, title=title), wide=wide)
