"""Council of the EU voting rules by date, and the power indices of their member states.

Each :class:`CouncilRule` is a simple game on the member states. A weighted rule wins with
``sum of votes >= quota``; the Lisbon double majority wins with at least ``state_quota``
members holding at least ``quota`` of the population units, or with so many members that
fewer than ``blocking_min`` remain against it (a blocking minority needs ``blocking_min``
members, TFEU art. 238(3)). The Shapley-Shubik index of member i is

    phi_i = sum over coalitions S without i, S losing and S + {i} winning,
            of |S|! (n - |S| - 1)! / n!

computed exactly with the binary-decision-diagram method of Bolus (2011) as implemented by
the ``power-bdd`` package. The rules, their dates and sources, and how the transitions are
handled are in docs/data-deu.md ("Capabilities").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from power_bdd.bdd import BDD, WeightedGame  # type: ignore[import-untyped]

__all__ = [
    "RULES",
    "CouncilRule",
    "banzhaf",
    "population_shares",
    "published_indices",
    "rule_in_force",
    "shapley_shubik",
]

_EU12 = {
    "be": 5, "dk": 3, "de": 10, "el": 5, "es": 8, "fr": 10,
    "ie": 3, "it": 10, "lu": 2, "nl": 5, "pt": 5, "uk": 10,
}  # fmt: skip
_EU15 = {**_EU12, "at": 4, "fi": 3, "se": 4}
_EU25_INTERIM = {
    **_EU15, "cz": 5, "ee": 3, "cy": 2, "lv": 3, "lt": 3,
    "hu": 5, "mt": 2, "pl": 8, "si": 3, "sk": 3,
}  # fmt: skip
_NICE25 = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "nl": 13,
    "be": 12, "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "se": 10,
    "dk": 7, "ie": 7, "lt": 7, "sk": 7, "fi": 7,
    "cy": 4, "ee": 4, "lv": 4, "lu": 4, "si": 4, "mt": 3,
}  # fmt: skip
_NICE27 = {**_NICE25, "bu": 10, "ro": 14}
_NICE28 = {**_NICE27, "cr": 7}


@dataclass(frozen=True)
class CouncilRule:
    """One Council voting rule: who votes with what weight, what wins, and when it applied.

    ``start`` is the first day in force, ``end`` the first day no longer in force (``None``:
    still in force). ``weights`` are votes (weighted rules) or population units (Lisbon).
    """

    name: str
    title: str
    start: dt.date
    end: dt.date | None
    members: tuple[str, ...]
    weights: tuple[int, ...]
    quota: int
    kind: Literal["weighted", "double-majority"] = "weighted"
    state_quota: int = 0
    blocking_min: int = 0
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.members) != len(self.weights) or len(set(self.members)) != len(self.members):
            raise ValueError(f"rule {self.name}: members and weights do not match")

    def in_force(self, day: dt.date) -> bool:
        """True when ``day`` falls within [start, end)."""
        return self.start <= day and (self.end is None or day < self.end)

    def wins(self, coalition: frozenset[str]) -> bool:
        """Whether the member states in ``coalition`` pass an act under this rule."""
        weight = sum(w for m, w in zip(self.members, self.weights, strict=True) if m in coalition)
        if self.kind == "weighted":
            return weight >= self.quota
        count = sum(1 for m in self.members if m in coalition)
        if count > len(self.members) - self.blocking_min:
            return True
        return count >= self.state_quota and weight >= self.quota


def _weighted(
    name: str, title: str, start: dt.date, end: dt.date | None, votes: dict[str, int], quota: int,
    source: str,
) -> CouncilRule:  # fmt: skip
    return CouncilRule(
        name, title, start, end, tuple(votes), tuple(votes.values()), quota, source=source
    )


def population_shares() -> dict[str, int]:
    """Population shares in hundredths of a percent by member state (2016 Council figures).

    From the package file council-population.csv; its header names the source.
    """
    text = resources.files("summitry.data").joinpath("council-population.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    return {r["abbr"]: round(float(r["share_percent"]) * 100) for r in rows}


def _lisbon(name: str, title: str, start: dt.date, end: dt.date | None, drop: str) -> CouncilRule:
    shares = {k: v for k, v in population_shares().items() if k != drop}
    n = len(shares)
    total = sum(shares.values())
    return CouncilRule(
        name,
        title,
        start,
        end,
        tuple(shares),
        tuple(shares.values()),
        quota=-(-65 * total // 100),  # ceil(0.65 * total) in exact integers
        kind="double-majority",
        state_quota=-(-55 * n // 100),  # ceil(0.55 * n)
        blocking_min=4,
        source=(
            "TEU art. 16(4), TFEU art. 238(3); population shares of Council Decision "
            "2015/2393 (Eurostat, 1 January 2015), council-population.csv"
        ),
    )


_AMSTERDAM = "EC Treaty art. 148(2) / 205(2) (Amsterdam numbering)"

RULES: tuple[CouncilRule, ...] = (
    _weighted("eu12", "EU-12 weighted votes (54 of 76)", dt.date(1986, 1, 1),
              dt.date(1995, 1, 1), _EU12, 54, _AMSTERDAM + ", as amended by the 1985 Act of "
              "Accession of Spain and Portugal"),
    _weighted("eu15", "EU-15 weighted votes (62 of 87)", dt.date(1995, 1, 1),
              dt.date(2004, 5, 1), _EU15, 62, _AMSTERDAM + ", as amended by the 1994 Act of "
              "Accession of Austria, Finland and Sweden"),
    _weighted("eu25-interim", "EU-25 interim weighted votes (88 of 124)", dt.date(2004, 5, 1),
              dt.date(2004, 11, 1), _EU25_INTERIM, 88, "2003 Act of Accession, art. 26"),
    _weighted("nice-eu25", "Nice weighted votes, EU-25 (232 of 321)", dt.date(2004, 11, 1),
              dt.date(2007, 1, 1), _NICE25, 232, "Treaty of Nice; 2003 Act of Accession, "
              "art. 12"),
    _weighted("nice-eu27", "Nice weighted votes, EU-27 (255 of 345)", dt.date(2007, 1, 1),
              dt.date(2013, 7, 1), _NICE27, 255, "Treaty of Nice; 2005 Act of Accession, "
              "art. 10"),
    _weighted("nice-eu28", "Nice weighted votes, EU-28 (260 of 352)", dt.date(2013, 7, 1),
              dt.date(2014, 11, 1), _NICE28, 260, "Treaty of Nice; 2012 Act of Accession "
              "of Croatia, art. 20"),
    _lisbon("lisbon-eu28", "Lisbon double majority, EU-28 (16 states, 65% population)",
            dt.date(2014, 11, 1), dt.date(2020, 2, 1), drop=""),
    _lisbon("lisbon-eu27", "Lisbon double majority, EU-27 (15 states, 65% population)",
            dt.date(2020, 2, 1), None, drop="uk"),
)  # fmt: skip


def rule_in_force(day: dt.date) -> CouncilRule:
    """The Council's qualified-majority rule on ``day`` (raises ValueError before 1986)."""
    for rule in RULES:
        if rule.in_force(day):
            return rule
    raise ValueError(f"{day.isoformat()} is before the first Council rule tabled (1986-01-01)")


def _game(rule: CouncilRule) -> BDD:
    n = len(rule.members)
    # WeightedGame changes the list it is given (it prepends a 0): always pass a fresh one.
    main = BDD(WeightedGame(rule.quota, list(rule.weights)))
    if rule.kind == "weighted":
        return main
    states = BDD(WeightedGame(rule.state_quota, [1] * n))
    crowd = BDD(WeightedGame(n - rule.blocking_min + 1, [1] * n))
    return (main & states) | crowd


def shapley_shubik(rule: CouncilRule) -> dict[str, float]:
    """Each member's Shapley-Shubik index under ``rule`` (they sum to 1)."""
    return dict(zip(rule.members, _indices(rule)[0], strict=True))


def banzhaf(rule: CouncilRule) -> dict[str, float]:
    """Each member's normalised Banzhaf index under ``rule`` (swings / all swings)."""
    return dict(zip(rule.members, _indices(rule)[1], strict=True))


@lru_cache(maxsize=32)
def _indices(rule: CouncilRule) -> tuple[tuple[float, ...], tuple[float, ...]]:
    game = _game(rule)
    phi = tuple(float(v) for v in game.calc_shapley())
    beta = [float(v) for v in _game(rule).calc_banzhaf()]
    return phi, tuple(v / sum(beta) for v in beta)


def published_indices() -> list[dict[str, str]]:
    """The rows of council-indices-published.csv (weights and indices as published)."""
    text = (
        resources.files("summitry.data")
        .joinpath("council-indices-published.csv")
        .read_text("utf-8")
    )
    return list(csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#")))
