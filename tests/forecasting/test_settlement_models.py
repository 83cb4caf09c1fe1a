"""The NBS and procedural adapters on hand-computed small cases (docs/models/nbs.md,
docs/models/procedural.md): one sample of dprk-2025 with every input set by hand; actors
with salience 0 neither bind nor weigh."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from summitry.forecast import scenario_options
from summitry.forecasting import registry
from summitry.forecasting.adapter import Settings
from summitry.forecasting.procedural import veto_players
from summitry.sampling import Draws, draw
from summitry.scenario import Scenario, load
from summitry.store import scenario_data, scenario_from_data

ACTORS = ("usa_president", "usa_security", "dprk", "china", "russia", "rok", "japan")


def without_bargaining(sc: Scenario) -> Scenario:
    data = scenario_data(sc)
    data.pop("bargaining")
    data.pop("options", None)
    return scenario_from_data(data, "dprk-2025-no-bargaining")


def hand_draws(
    sc: Scenario, actors: dict[str, tuple[list[float], float]], sq: list[float]
) -> Draws:
    """One sample: actor -> (positions per issue, capability), salience 1 for those and 0
    for the others; ``sq`` the status quo per issue. Issues beyond the lists given (dprk-2025's
    nuclear_status and inter_korean) have every actor and the status quo at 50."""
    assert tuple(sc.actor_ids) == ACTORS
    d = draw(sc, 1, 0)
    n, k = len(sc.actor_ids), len(sc.issue_ids)
    pos, sal, cap = np.full((1, n, k), 50.0), np.zeros((1, n, k)), np.ones((1, n))
    for a, (x, c) in actors.items():
        i = sc.actor_ids.index(a)
        pos[0, i, : len(x)], sal[0, i], cap[0, i] = x, 1.0, c
    sq = list(sq) + [50.0] * (k - len(sq))
    extra = dict(d.extra)
    for key in extra:  # issue-specific capabilities follow the hand-set ones
        parts = key.split(".")
        if parts[0] == "actors" and parts[2] == "capability_by_issue":
            extra[key] = cap[:, sc.actor_ids.index(parts[1])].copy()
    return replace(
        d, position=pos, salience=sal, capability=cap, status_quo=np.array([sq]), extra=extra
    )


def settle(name: str, sc: Scenario, d: Draws) -> list[float]:
    adapter = registry.get(name)
    out = adapter.outputs(sc, d, adapter.run(sc, d, Settings(scenario_options(sc), 0)))
    # the hand-solved cases use the four codebook issues, the first four of every DPRK file
    return [float(out[f"{name}.settlement.{i}"][0]) for i in sc.issue_ids[:4]]


def test_the_nbs_maximises_the_capability_weighted_nash_product_over_the_status_quo():
    sc = load("dprk-2025")
    # issue 0: rp 0, actors at 60 and 80 (c = 1): feasible [0, 120]; N'(t) = 2/t -
    # 1/(120 - t) - 1/(160 - t) = 0 gives t^2 - 210 t + 9600 = 0, t = 105 - sqrt(1425).
    # issue 1: actors either side of rp 50: only rp is feasible.
    # issue 2 with c = 3 for the actor at 60: 4/t - 3/(120 - t) - 1/(160 - t) = 0 gives
    # t^2 - 215 t + 9600 = 0, t = (215 - sqrt(7825)) / 2.
    # issue 3: both at 70, rp 40: the NBS is their position.
    d = hand_draws(
        sc,
        {"usa_president": ([60, 40, 60, 70], 1.0), "dprk": ([80, 60, 80, 70], 1.0)},
        [0.0, 50.0, 0.0, 40.0],
    )
    got = settle("nbs", sc, d)
    assert got[0] == pytest.approx(105 - math.sqrt(1425), abs=1e-9)
    assert got[1] == 50.0
    assert got[3] == pytest.approx(70.0, abs=1e-9)
    d3 = hand_draws(
        sc,
        {"usa_president": ([60, 40, 60, 70], 3.0), "dprk": ([80, 60, 80, 70], 1.0)},
        [0.0, 50.0, 0.0, 40.0],
    )
    assert settle("nbs", sc, d3)[2] == pytest.approx((215 - math.sqrt(7825)) / 2, abs=1e-9)


def test_the_procedural_model_projects_the_compromise_on_what_the_veto_players_accept():
    sc = load("dprk-2025")
    actors = {
        "usa_president": ([90, 90, 10, 50], 1.0),
        "usa_security": ([90, 90, 10, 50], 1.0),
        "dprk": ([90, 90, 10, 50], 1.0),
        "china": ([10, 90, 90, 50], 1.0),
    }
    sq = [0.0, 0.0, 0.0, 50.0]
    # the compromise: (3 * 90 + 10) / 4 = 70 (issue 0), 90, (30 + 90) / 4 = 30, 50.
    # with the bargaining section the principals and the ratifier must accept: x in
    # [0, 180] (issues 0, 1), [0, 20] (issue 2); rp on issue 3 (everyone stands at it).
    assert veto_players(sc) == ["usa_president", "usa_security", "dprk"]
    assert settle("procedural", sc, hand_draws(sc, actors, sq)) == pytest.approx(
        [70.0, 90.0, 20.0, 50.0], abs=1e-12
    )
    # without one every actor must accept: china at 10 caps issue 0 at 20
    alone = without_bargaining(sc)
    assert veto_players(alone) == list(ACTORS)
    assert settle("procedural", alone, hand_draws(alone, actors, sq)) == pytest.approx(
        [20.0, 90.0, 20.0, 50.0], abs=1e-12
    )


def test_both_are_opt_in_and_need_a_status_quo_on_every_issue():
    for name in ("nbs", "procedural"):
        assert name in registry.NAMES and name not in registry.DEFAULT
        assert registry.resolve(name) == (name,)
        assert registry.get(name).unavailable(load("dprk-2025")) is None
        why = registry.get(name).unavailable(load("ec-emissions-1994"))
        assert why is not None and why.note == "issue 'emission_delay' has no status quo"
