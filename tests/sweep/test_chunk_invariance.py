"""Chunk invariance (issue #9): every named output of every engine depends only on the seed
and the sample's index, never on which other samples share its chunk.

Each case cuts a small run at hypothesis-chosen points and computes the pieces with the
function a sweep's workers run (:func:`summitry.sweep.compute_chunk`), sometimes with a
tiny inner piece size so that its own loop over sub-chunks is cut as well; the pieces put end
to end must equal the one-piece run bit for bit, output by output, and that run must equal
the in-process forecast's ``outputs()``. Runs start at sample 0 or just before the end of the
first sampling block, so pieces also straddle a block boundary (docs/store.md, "Seeding").
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from summitry.forecast import ENGINES, forecast
from summitry.forecasting.options_game import PILOT, pilot_offer
from summitry.sampling import BLOCK
from summitry.scenario import Scenario, load
from summitry.store import scenario_data, scenario_from_data
from summitry.sweep import SweepSpec, compute_chunk
from summitry.sweep import chunks as sweep_chunks

Outputs = Mapping[str, NDArray[np.float64]]

CASES: dict[str, tuple[int, int]] = {
    # name: (seed, samples)
    "dprk-2025": (3, 72),  # every engine and the options game
    "dprk-2018-singapore": (5, 48),  # options game; its shares moved with the chunking
    "ec-emissions-1994-stochastic": (7, 60),  # EUM and SMP with their own random draws
}
STARTS = (0, BLOCK - 21)
"""Where a case's run starts: the first sample, or 21 samples before the block boundary."""


@functools.cache
def scenario(name: str) -> Scenario:
    if name.endswith("-stochastic"):
        data = scenario_data(load(name.removesuffix("-stochastic")))
        data["model"]["eum"]["conflict"] = "stochastic"
        data["model"]["smp"]["resolution"] = "stochastic"
        return scenario_from_data(data, name)
    return load(name)


def spec(name: str) -> SweepSpec:
    seed, samples = CASES[name]
    return SweepSpec(scenario(name), samples=samples, seed=seed)


@functools.cache
def whole(name: str, start: int) -> Outputs:
    """The run of ``name`` from ``start`` as one chunk."""
    _, samples = CASES[name]
    return compute_chunk(spec(name), start, start + samples).outputs


def assert_bit_identical(got: Outputs, expected: Outputs, label: str) -> None:
    assert list(got) == list(expected), label
    for key, value in expected.items():
        assert got[key].dtype == np.float64, f"{label}: {key}"
        assert got[key].tobytes() == value.tobytes(), f"{label}: {key} differs"


def test_the_cases_cover_every_engine_and_stochastic_mode():
    names = list(whole("dprk-2025", 0))
    for prefix in (*ENGINES, "options"):
        assert any(n.startswith(f"{prefix}.") for n in names), prefix
    assert {"options.engage", "options.pressure", "options.strike"} <= set(names)
    fc = forecast(scenario("ec-emissions-1994-stochastic"), 2, 7)
    assert fc.options.conflict == "stochastic"
    assert fc.smp_options is not None and fc.smp_options.resolution == "stochastic"
    assert scenario("dprk-2018-singapore").options is not None


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("start", STARTS)
def test_one_chunk_equals_the_in_process_forecast(name, start):
    seed, samples = CASES[name]
    fc = forecast(scenario(name), samples, seed, start=start)
    assert_bit_identical(whole(name, start), fc.outputs(), f"{name} from {start}")


@settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
@pytest.mark.parametrize("name", list(CASES))
def test_chunks_put_end_to_end_equal_one_run(name, data):
    _, samples = CASES[name]
    start = data.draw(st.sampled_from(STARTS), label="start")
    cuts = data.draw(
        st.lists(st.integers(1, samples - 1), min_size=1, max_size=5, unique=True).map(sorted),
        label="cuts",
    )
    inner = data.draw(st.sampled_from([sweep_chunks.SUBCHUNK, 16]), label="inner piece size")
    edges = [start, *(start + c for c in cuts), start + samples]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sweep_chunks, "SUBCHUNK", inner)
        pieces = [compute_chunk(spec(name), a, b) for a, b in itertools.pairwise(edges)]
    assert [(p.start, p.stop) for p in pieces] == list(itertools.pairwise(edges))
    joined = {k: np.concatenate([p.outputs[k] for p in pieces]) for k in pieces[0].outputs}
    assert_bit_identical(joined, whole(name, start), f"{name} cut at {edges}")


def test_the_options_game_uses_the_pilot_whatever_the_run():
    """p is A's P(deal) against the pilot's d_B: the same for a one-sample run far from the
    pilot's rows and a run inside them, and for another seed the other seed's pilot."""
    sc = scenario("dprk-2025")
    p = pilot_offer(sc, 3).p_deal
    assert 0.0 < p < 1.0
    for samples, start in ((1, 5 * PILOT + 17), (40, 100)):
        assert forecast(sc, samples, 3, start=start, engines=ENGINES).options_p_deal == p
    assert forecast(sc, 3, 4).options_p_deal == pilot_offer(sc, 4).p_deal
    summary = forecast(sc, 1, 3, start=999).options_summary()
    assert summary is not None and summary["p_deal"] == p
    # a point run (central values: B's reservation known) keeps its own P(deal)
    point = forecast(sc, point=True)
    assert point.private is not None and point.options_p_deal == point.private.p_deal
