"""The engine contract (docs/adding-an-engine.md): every registered engine's adapter must
pass these checks, on real scenarios, with no engine named here except where a documented
exception (NaN where a quantity is undefined) needs saying.

Shapes: every named output is (samples,) float64 and the names are the adapter's
``output_names`` (all ``<engine>.``). Determinism: the same draws give bit-identical
outputs. Sample-axis independence: runs on consecutive slices of the seed's draws, joined
with the adapter's ``concat``, equal the one-slice run bit for bit, and so does the
forecast whatever its chunk size. Degenerate inputs (every actor at one position) give no
NaN except where the engine documents one.
"""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import replace

import numpy as np
import pytest

from summitry.forecast import ALL_ENGINES, ENGINES, forecast, forecast_draws, scenario_options
from summitry.forecasting import registry
from summitry.forecasting.adapter import Settings
from summitry.sampling import Draws, draw
from summitry.scenario import Scenario, load
from summitry.store import scenario_data, scenario_from_data

SAMPLES = 24
SEED = 11
CUTS = ((1,), (7, 8), (5, 13, 23))
"""Where the sample axis is cut: one row off the front, a one-row slice, several slices."""
SCENARIOS = ("dprk-2025", "ec-emissions-1994", "ec-emissions-1994-stochastic", "dprk-2025-consent")
NAN_WHERE_NO_ZONE = ("bargaining.terms.", "bargaining.surplus_")
"""The bargaining model's terms and surpluses are NaN where no zone of agreement exists
(docs/models/bargaining.md); nowhere else may an output be NaN."""


@functools.cache
def scenario(name: str) -> Scenario:
    if name.endswith("-consent"):  # consenters on two issues (docs/models/bargaining.md)
        return load(name.removesuffix("-consent")).with_values(
            {
                "issues.security.consent.rok.tolerance": {"dist": "uniform", "low": 0, "high": 20},
                "issues.sanctions_relief.consent.usa_security.tolerance": 0,
            }
        )
    if name.endswith("-stochastic"):  # the EUM and the SMP with their own random draws
        data = scenario_data(load(name.removesuffix("-stochastic")))
        data["model"]["eum"]["conflict"] = "stochastic"
        data["model"]["smp"]["resolution"] = "stochastic"
        return scenario_from_data(data, name)
    return load(name)


def settings(sc: Scenario) -> Settings:
    return Settings(scenario_options(sc), SEED)


def run(name: str, sc: Scenario, draws: Draws) -> dict[str, np.ndarray]:
    adapter = registry.get(name)
    return adapter.outputs(sc, draws, adapter.run(sc, draws, settings(sc)))


def assert_same(got: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert list(got) == list(expected)
    for key, value in expected.items():
        assert got[key].tobytes() == value.tobytes(), f"{key} differs"


CASES = [
    pytest.param(name, sc, id=f"{name}-{sc}")
    for name in registry.NAMES
    for sc in SCENARIOS
    if registry.get(name).unavailable(scenario(sc)) is None
]


def test_the_registry_is_the_one_list_of_engines():
    assert len(set(registry.NAMES)) == len(registry.NAMES) and registry.NAMES[0] == "eum"
    assert ENGINES == registry.DEFAULT and ALL_ENGINES == registry.NAMES
    assert set(registry.DEFAULT) < set(registry.NAMES)
    assert "compromise" in registry.NAMES and "compromise" not in registry.DEFAULT
    for name in registry.NAMES:
        adapter = registry.get(name)
        assert adapter.name == name
        assert adapter.scored is None or adapter.scored.startswith(f"{name}.")
        line = registry.DESCRIPTIONS[name]
        assert line and "\n" not in line and len(line) <= 78
    assert registry.resolve("default") == registry.DEFAULT
    assert registry.resolve("all") == registry.NAMES
    assert registry.resolve("compromise") == ("compromise",)
    with pytest.raises(ValueError, match="unknown engine 'ktab'"):
        registry.get("ktab")
    with pytest.raises(ValueError, match="choose one of eum, smp"):
        registry.resolve("options")


def test_every_engine_is_checked_on_some_scenario():
    checked = {p.values[0] for p in CASES}
    assert checked == set(registry.NAMES)


@pytest.mark.parametrize(("name", "sc_name"), CASES)
def test_outputs_are_named_per_sample_arrays(name, sc_name):
    sc = scenario(sc_name)
    out = run(name, sc, draw(sc, SAMPLES, SEED))
    assert list(out) == list(registry.get(name).output_names(sc))
    assert out and all(key.startswith(f"{name}.") for key in out)
    for key, value in out.items():
        assert value.shape == (SAMPLES,) and value.dtype == np.float64, key


@pytest.mark.parametrize(("name", "sc_name"), CASES)
def test_same_draws_give_bit_identical_outputs(name, sc_name):
    sc = scenario(sc_name)
    assert_same(run(name, sc, draw(sc, SAMPLES, SEED)), run(name, sc, draw(sc, SAMPLES, SEED)))


@pytest.mark.parametrize("cuts", CUTS, ids=str)
@pytest.mark.parametrize(("name", "sc_name"), CASES)
def test_slices_joined_equal_the_whole_run(name, sc_name, cuts):
    sc = scenario(sc_name)
    adapter = registry.get(name)
    whole = draw(sc, SAMPLES, SEED)
    edges = (0, *cuts, SAMPLES)
    parts = []
    for a, b in itertools.pairwise(edges):
        rows = draw(sc, b - a, SEED, start=a)
        parts.append(adapter.run(sc, rows, settings(sc)))
    joined = adapter.outputs(sc, whole, adapter.concat(parts))
    assert_same(joined, run(name, sc, whole))


@pytest.mark.parametrize(("name", "sc_name"), CASES)
def test_the_forecast_shows_the_adapters_outputs_whatever_the_chunk(name, sc_name):
    sc = scenario(sc_name)
    expected = run(name, sc, draw(sc, SAMPLES, SEED))
    for chunk in (SAMPLES, 5):
        fc = forecast(sc, SAMPLES, SEED, engines=("eum", name), chunk=chunk)
        assert name in fc.engines
        outputs = fc.outputs()
        assert_same({k: outputs[k] for k in expected}, expected)
    summary = fc.to_dict()
    json.dumps(summary)  # JSON-ready, whatever the engine
    assert summary["engines"] == list(dict.fromkeys(("eum", name)))


@pytest.mark.parametrize(("name", "sc_name"), CASES)
def test_no_nan_where_every_actor_stands_at_one_point(name, sc_name):
    sc = scenario(sc_name)
    d = draw(sc, SAMPLES, SEED)
    mid = np.array([(i.scale[0] + i.scale[1]) / 2 for i in sc.issues])
    same = replace(d, position=np.broadcast_to(mid[None, None, :], d.position.shape).copy())
    out = run(name, sc, same)
    for key, value in out.items():
        if key.startswith(NAN_WHERE_NO_ZONE):
            zone = out["bargaining.zopa"] == 1.0
            assert np.isfinite(value[zone]).all() and np.isnan(value[~zone]).all(), key
        else:
            assert np.isfinite(value).all(), key
    for k, issue in enumerate(sc.issue_ids):
        for key in (f"eum.settlement.{issue}", f"compromise.settlement.{issue}"):
            if key in out:  # everyone agrees: the settlement is where they stand
                np.testing.assert_allclose(out[key], mid[k], rtol=1e-12)


def test_an_engine_a_scenario_cannot_run_is_an_error_alone_and_a_note_otherwise():
    sc = scenario("ec-emissions-1994")  # no bargaining section
    why = registry.get("bargaining").unavailable(sc)
    assert why is not None
    with pytest.raises(ValueError, match="no bargaining section"):
        forecast_draws(sc, draw(sc, 2, SEED), scenario_options(sc), engines=("bargaining",))
    fc = forecast(sc, 2, SEED, engines=ALL_ENGINES)
    assert fc.engines == ("eum", "smp", "compromise")
    no_sq = "issue 'emission_delay' has no status quo"
    assert fc.notes == (
        f"bargaining: not run ({why.note})",
        f"nbs: not run ({no_sq})",
        f"procedural: not run ({no_sq})",
    )
    with pytest.raises(ValueError, match="procedural model needs every issue's status_quo"):
        forecast(sc, 2, SEED, engines=("procedural",))


def test_compromise_is_the_capability_salience_weighted_mean():
    sc = scenario("dprk-2025")
    d = draw(sc, 6, SEED)
    from summitry.sampling import issue_capability

    w = issue_capability(sc, d) * d.salience  # (B, n, D)
    expected = (w * d.position).sum(axis=1) / w.sum(axis=1)
    out = run("compromise", sc, d)
    for k, issue in enumerate(sc.issue_ids):
        np.testing.assert_allclose(
            out[f"compromise.settlement.{issue}"], expected[:, k], rtol=1e-12
        )
        lo, hi = sc.issues[k].scale
        assert ((lo <= expected[:, k]) & (expected[:, k] <= hi)).all()


def test_the_memory_estimate_counts_every_engines_outputs():
    from summitry import budget

    sc = scenario("dprk-2025")
    sizes = budget.Sizes.of(sc)
    for engines in (registry.DEFAULT, registry.NAMES, *((n,) for n in registry.NAMES)):
        outputs = forecast(sc, 2, SEED, engines=engines).outputs()
        assert budget.outputs_count(sizes, engines) == len(outputs), engines
    assert budget.footprint(sizes, registry.NAMES).kept > budget.footprint(sizes).kept


def test_sensitivity_offers_every_engines_outputs_and_runs_only_the_one_needed():
    from summitry import sensitivity

    sc = scenario("dprk-2025")
    names = sensitivity.output_names(sc)
    for name in registry.NAMES:
        assert set(registry.get(name).output_names(sc)) <= set(names), name
    assert sensitivity.engines_for("compromise.settlement.security") == ("compromise",)
    assert sensitivity.engines_for("options.engage") == registry.DEFAULT


@pytest.mark.parametrize(("name", "sc_name"), CASES)
def test_a_sweeps_pieces_equal_its_one_piece_run(name, sc_name):
    from summitry.sweep import SweepSpec, compute_chunk

    sc = scenario(sc_name)
    spec = SweepSpec(sc, SAMPLES, SEED, tuple(dict.fromkeys(("eum", name))))
    whole = compute_chunk(spec, 0, SAMPLES).outputs
    pieces = [compute_chunk(spec, a, b).outputs for a, b in ((0, 9), (9, 10), (10, SAMPLES))]
    joined = {k: np.concatenate([p[k] for p in pieces]) for k in whole}
    assert_same(joined, whole)
    assert set(registry.get(name).output_names(sc)) <= set(whole)
