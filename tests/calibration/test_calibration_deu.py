"""Calibration on the bundled public DEU file (docs/calibration.md, "Results")."""

from __future__ import annotations

import json

import numpy as np
import pytest

from summitry.calibration import (
    calibrate_deu,
    deu_forecasts,
    evaluate_deu,
    load_calibration,
    save_calibration,
)
from summitry.calibration.deu import DEFAULT_MODELS
from summitry.data import load_deu
from summitry.data.deu import compromise as deu_compromise


@pytest.fixture(scope="module")
def valid():
    d = load_deu()
    return d.select(d.valid)


def test_deu_forecasts_are_the_models(valid):
    f = deu_forecasts(valid)
    assert f.shape == (171, len(DEFAULT_MODELS))
    np.testing.assert_allclose(f[:, 0], deu_compromise(valid), rtol=1e-12)
    np.testing.assert_array_equal(np.isnan(f[:, 3]), np.isnan(valid.reference_points))
    assert np.isnan(f[:, 3]).sum() == 42 and not np.isnan(f[:, :3]).any()


def test_calibration_of_the_bundled_file(tmp_path):
    cal = calibrate_deu(created="2026-12-07")
    assert cal.models == DEFAULT_MODELS
    assert sum(cal.weights) == pytest.approx(1.0) and min(cal.weights) >= 0
    assert cal.source["issues"] == 171 and cal.source["proposals"] == 69
    assert (cal.source["institutions"], cal.source["unanimity"]) == ("largest-member-both", "qmv")
    assert len(cal.source["sha256"]) == 64
    assert cal.note == "learned on EU legislation (DEU 1996-2000)"
    assert 5.0 < cal.error.scale < 40.0
    p_lo, p_hi = cal.error.masses(np.array([0.0, 50.0, 100.0]))
    assert p_lo[0] > p_lo[1] > p_lo[2] and p_hi[0] < p_hi[1] < p_hi[2]
    back = load_calibration(save_calibration(cal, tmp_path / "deu.json"))
    assert back == cal
    assert calibrate_deu(created="2026-12-07") == cal  # deterministic


def test_evaluation_of_the_bundled_file_with_proposal_folds(valid):
    ev = evaluate_deu(outer_folds=5, inner_folds=5, n_boot=500, seed=3)
    s = ev.summary
    assert (s["issues"], s["groups"], s["outer_folds"]) == (171, 69, 5)
    assert s["baseline_mae"] == pytest.approx(np.abs(deu_compromise(valid) - valid.outcomes).mean())
    assert np.all((ev.pit >= 0) & (ev.pit <= 1)) and np.all(ev.crps >= 0)
    # every proposal's issues are held out together
    for pid in np.unique(valid.proposal_ids):
        assert np.unique(ev.folds[valid.proposal_ids == pid]).size == 1
    again = evaluate_deu(outer_folds=5, inner_folds=5, n_boot=500, seed=3)
    assert json.dumps(again.to_dict()) == json.dumps(ev.to_dict())


@pytest.mark.slow
def test_leave_one_proposal_out_figures_in_the_docs():
    """docs/calibration.md, "Results on the public DEU file" (rounded as printed there)."""
    s = evaluate_deu().summary  # capabilities largest-member-both, the reader's default
    assert round(s["mean_crps"], 2) == 17.85
    assert round(s["mae"], 2) == 24.56
    assert round(s["baseline_mae"], 2) == 23.95  # the published compromise-model figure
    assert round(s["coverage_80"], 3) == 0.924
    d = s["crps_minus_baseline_mae"]
    assert [round(v, 2) for v in (d["mean"], *d["ci95"])] == [-6.09, -7.55, -4.56]
    e = s["mae_minus_baseline_mae"]
    assert [round(v, 2) for v in (e["mean"], *e["ci95"])] == [0.62, 0.0, 1.28]
