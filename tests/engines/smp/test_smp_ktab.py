"""The SMP engines against KTAB's own runs on KTAB's own example scenarios.

KTAB's command-line SMP program (github.com/lsyaseen/KTAB, commit 3b5b063, default options)
was run on its example inputs; the stored per-turn positions (and, for two cases, every
estimator's probabilities) are kept in tests/data/ktab (override with
SUMMITRY_KTAB_DIR). Positions are compared on KTAB's 0-100 scale.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from summitry.engines.smp import SMPResult, simulate
from summitry.engines.smp.reference import simulate as simulate_reference
from summitry.ktab import read_positions, read_posprob, read_scenario

KTAB_DIR = Path(
    os.environ.get("SUMMITRY_KTAB_DIR", Path(__file__).resolve().parents[2] / "data" / "ktab")
)

POSITION_TOL = 0.005  # on the 0-100 scale
PROB_TOL_TURN0 = 1e-9
PROB_TOL_LATER = 1e-6
WITH_PROBABILITIES = ("dummyData_3Dim", "SOE-Pol-Comp")


def _inputs(case: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return read_scenario(KTAB_DIR / f"{case}.csv").engine_inputs()


def _check_against_ktab(case: str, result: SMPResult, row: int = 0) -> None:
    ktab = read_positions(KTAB_DIR / f"{case}.ktab-positions.csv")
    turns = int(result.turns_run[row])
    assert turns == ktab.turns
    ours = 100.0 * result.positions[row, : turns + 1]
    assert ours.shape == ktab.position.shape
    assert np.abs(ours - ktab.position).max() <= POSITION_TOL
    assert np.abs(100.0 * result.ideals[row, : turns + 1] - ktab.ideal).max() <= POSITION_TOL
    if case in WITH_PROBABILITIES:
        prob = read_posprob(KTAB_DIR / f"{case}.ktab-posprob.csv")
        diff = np.abs(result.prob[row, : turns + 1] - prob)
        assert diff[0].max() <= PROB_TOL_TURN0
        assert diff.max() <= PROB_TOL_LATER


@pytest.mark.parametrize(
    "case", ["dummyData_3Dim", "SOE-Pol-Comp", "dummyData-a040", "dummyData-a080"]
)
def test_vectorised_engine_reproduces_ktab(case: str) -> None:
    _check_against_ktab(case, simulate(*_inputs(case)))


@pytest.mark.parametrize("case", ["dummyData_3Dim", "SOE-Pol-Comp"])
def test_reference_reproduces_ktab(case: str) -> None:
    cap, pos, sal = _inputs(case)
    _check_against_ktab(case, simulate_reference(cap[0], pos[0], sal[0]))


def test_cases_in_one_batch_match_their_ktab_runs() -> None:
    """Two different scenarios of the same size run side by side in one batch."""
    cap, pos, sal = _inputs("dummyData_3Dim")
    flipped = slice(None, None, -1)  # the same actors listed in reverse order
    batch = simulate(
        np.concatenate([cap, cap[:, flipped]]),
        np.concatenate([pos, pos[:, flipped]]),
        np.concatenate([sal, sal[:, flipped]]),
    )
    _check_against_ktab("dummyData_3Dim", batch, row=0)
    assert batch.turns_run[1] >= 2
    assert np.all(batch.positions[1] >= 0) and np.all(batch.positions[1] <= 1)


@pytest.mark.slow
def test_160_actor_case_stops_when_ktab_did() -> None:
    """KTAB ran dummyData-a160 for 13 turns (its positions were not kept)."""
    result = simulate(*_inputs("dummyData-a160"))
    assert int(result.turns_run[0]) == 13
    final = result.positions[0, 13]
    np.testing.assert_array_equal(result.positions[0, -1], final)


def test_turn_zero_is_the_input_and_padding_repeats_the_final_state() -> None:
    cap, pos, sal = _inputs("SOE-Pol-Comp")
    result = simulate(cap, pos, sal)
    t = int(result.turns_run[0])
    np.testing.assert_array_equal(result.positions[0, 0], pos[0])
    np.testing.assert_array_equal(result.ideals[0, 0], pos[0])
    assert result.positions.shape[1] == 101
    for arr in (result.positions, result.ideals, result.prob):
        np.testing.assert_array_equal(arr[0, t:], np.broadcast_to(arr[0, t], arr[0, t:].shape))
