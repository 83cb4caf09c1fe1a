"""The vectorised SMP engine against the plain-loop reference, on random scenarios.

For the default options and for each option flipped on its own, both engines must take the
same number of turns and agree to 1e-9 on every position, ideal and probability. Both sum in
KTAB's order, so in practice they agree exactly, ties included. ``pytest -m campaign`` runs
many more examples.
"""

from __future__ import annotations

from typing import Any, get_args

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import summitry.engines.smp.options as so
from summitry.engines.smp import SMPOptions, simulate
from summitry.engines.smp.reference import simulate as simulate_reference

TOL = 1e-9
TURNS = 12  # enough to exercise many turns while keeping the reference quick

_FIELDS: dict[str, Any] = {
    "voting": so.Voting,
    "victory": so.Victory,
    "pce": so.PCE,
    "risk": so.Risk,
    "perception": so.Perception,
    "third_party": so.ThirdParty,
    "bargain": so.Bargain,
    "interp": so.Interp,
    "resolution": so.Resolution,
}
VARIANTS: list[dict[str, str]] = [{}] + [
    {name: value}
    for name, kind in _FIELDS.items()
    for value in get_args(kind)
    if value != getattr(SMPOptions(), name)
]

CI = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
CAMPAIGN = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def scenarios(draw: st.DrawFn, max_batch: int = 1) -> dict[str, np.ndarray]:
    """B scenarios of n = 3..8 actors on K = 1..3 dimensions, KTAB-like input grids.

    Positions sit on a 0-100 integer grid (so coincident positions and exact ties occur),
    capabilities on 1..200, saliences on 1..100 with each actor's total scaled into (0, 1].
    """
    b = draw(st.integers(1, max_batch))
    n = draw(st.integers(3, 8))
    k = draw(st.integers(1, 3))
    shape = (b, n, k)
    grid = st.lists(st.integers(0, 100), min_size=b * n * k, max_size=b * n * k)
    pos = np.array(draw(grid), dtype=float).reshape(shape) / 100.0
    cap_list = st.lists(st.integers(1, 200), min_size=b * n, max_size=b * n)
    cap = np.array(draw(cap_list), dtype=float).reshape(b, n)
    raw = np.array(
        draw(st.lists(st.integers(1, 100), min_size=b * n * k, max_size=b * n * k)), dtype=float
    ).reshape(shape)
    scale = np.array(
        draw(st.lists(st.integers(20, 100), min_size=b * n, max_size=b * n)), dtype=float
    ).reshape(b, n, 1)
    sal = raw / raw.sum(axis=-1, keepdims=True) * scale / 100.0
    seed = draw(st.integers(0, 2**32 - 1))
    uniforms = np.random.default_rng(seed).uniform(size=(b, TURNS, n))
    return {"capability": cap, "position": pos, "salience": sal, "uniforms": uniforms}


def _check_agreement(sc: dict[str, np.ndarray], opt: SMPOptions) -> None:
    got = simulate(sc["capability"], sc["position"], sc["salience"], opt, uniforms=sc["uniforms"])
    for row in range(sc["capability"].shape[0]):
        ref = simulate_reference(
            sc["capability"][row],
            sc["position"][row],
            sc["salience"][row],
            opt,
            uniforms=sc["uniforms"][row],
        )
        assert got.turns_run[row] == ref.turns_run[0]
        assert got.converged[row] == ref.converged[0] and got.period[row] == ref.period[0]
        for name in ("positions", "ideals", "prob"):
            mine = getattr(got, name)[row]
            theirs = getattr(ref, name)[0]
            assert np.abs(mine - theirs).max() <= TOL, name


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(v.values()) or "default")
@given(sc=scenarios())
@CI
def test_engine_matches_reference(variant: dict[str, str], sc: dict[str, np.ndarray]) -> None:
    _check_agreement(sc, SMPOptions(max_turns=TURNS, **variant))


@given(sc=scenarios(max_batch=4), variant=st.sampled_from(VARIANTS))
@settings(max_examples=10, deadline=None, derandomize=True)
def test_batch_equals_separate_runs(sc: dict[str, np.ndarray], variant: dict[str, str]) -> None:
    """A batch of different samples gives exactly what each sample gives alone."""
    opt = SMPOptions(max_turns=TURNS, **variant)
    keys = ("capability", "position", "salience")
    batch = simulate(*(sc[k] for k in keys), opt, uniforms=sc["uniforms"])
    for row in range(sc["capability"].shape[0]):
        alone = simulate(
            *(sc[k][row : row + 1] for k in keys), opt, uniforms=sc["uniforms"][row : row + 1]
        )
        assert batch.turns_run[row] == alone.turns_run[0]
        np.testing.assert_array_equal(batch.positions[row], alone.positions[0])
        np.testing.assert_array_equal(batch.ideals[row], alone.ideals[0])
        np.testing.assert_allclose(batch.prob[row], alone.prob[0], rtol=0, atol=1e-12)


@pytest.mark.campaign
@given(sc=scenarios(max_batch=3), variant=st.sampled_from(VARIANTS))
@CAMPAIGN
def test_campaign_engine_matches_reference(
    sc: dict[str, np.ndarray], variant: dict[str, str]
) -> None:
    _check_agreement(sc, SMPOptions(max_turns=TURNS, **variant))
