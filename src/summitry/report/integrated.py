"""The report's first section: the integrated forecast (docs/integrated.md, docs/report.md).

P(deal) with its window, one row per issue (median, 50/80/95% intervals, the 80% interval
with model error, the terms if deal, the no-deal point, the nearest anchor), then the
explanations and the disagreements in words. Every text goes through ``html.escape``.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summitry.forecast import Forecast


def _e(x: object) -> str:
    return escape(str(x))


def _iv(lo: float, hi: float) -> str:
    return f"{lo:.1f}–{hi:.1f}"


def integrated_section(fc: Forecast, rec: dict[str, Any] | None = None) -> str:
    """The section ``<section id="forecast">`` for ``fc`` (``rec``: its
    :func:`summitry.integrated.record.headline`, computed when not given)."""
    from summitry.integrated.record import headline, headline_cells

    r = headline(fc) if rec is None else rec
    words = r["words"]
    head = (
        "<tr><th>Issue</th><th>Median</th><th>50%</th><th>80%</th><th>95%</th>"
        "<th>80% with model error</th><th>If deal</th><th>No deal</th><th>Nearest anchor</th></tr>"
    )
    rows = []
    for i in r["issues"]:
        issue, *rest = headline_cells(i, _iv, "–")
        cells = [f"<code>{_e(issue)}</code>", *map(_e, rest)]
        rows.append(
            f'<tr data-issue="{_e(i["issue"])}">'
            + "".join(f"<td>{c}</td>" for c in cells)
            + "</tr>"
        )
    out = [
        '<section id="forecast"><h2>The forecast</h2>',
        f'<p class="headline" id="p-deal-line">{_e(words["p_deal"])}</p>',
        '<p class="note">Per issue: with probability P(deal) the deal terms, otherwise the '
        "no-deal point (the status quo, or the scenario's breakdown point); median and "
        "central intervals over the samples. The column with model error adds the error of "
        "the settlement models learned on EU legislation (docs/calibration.md), kept apart "
        "from the input uncertainty.</p>",
        f'<table class="integrated"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>',
    ]
    lines = [*words.get("drivers", [])]
    if words.get("unmoved"):
        lines.append(words["unmoved"])
    if words.get("gives"):
        lines.append("In a deal, relative to no deal: " + "; ".join(words["gives"]) + ".")
    if words.get("no_zone"):
        lines.append(words["no_zone"])
    if lines:
        out.append('<h3>Why</h3><ul class="explain">')
        out += [f"<li>{_e(line)}</li>" for line in lines]
        out.append("</ul>")
    if words["disagreement"]:
        out.append(
            '<h3>Where the engines disagree</h3><p class="note">The settlement models '
            "forecast where the actors' contest settles, not whether a deal is signed; "
            "they are evidence, shown under The answers per engine.</p>"
            '<ul class="disagree">'
        )
        out += [f"<li>{_e(line)}</li>" for line in words["disagreement"]]
        out.append("</ul>")
    for note in r["notes"]:
        out.append(f'<p class="note">Note: {_e(note)}.</p>')
    out.append("</section>")
    return "".join(out)
