"""Global sensitivity analysis: SALib wiring, the real engine, the command line."""

from __future__ import annotations

import json
import math
import subprocess

import numpy as np
import pytest
from typer.testing import CliRunner

import summitry as sm
from console_script import EXE
from summitry import sensitivity as sa
from summitry.cli import app
from summitry.sampling import Draws
from summitry.scenario import load_text

# One actor holds almost all the weight: the settlement is its position, whatever the others
# want or how much they care.
BOSS = """
name: boss-test
title: One actor holds the weight
issues:
  - id: x
    label: Issue x
    scale: [0, 100]
    status_quo: 50
  - id: y
    label: Issue y
    scale: [0, 10]
actors:
  - id: boss
    name: Boss
    capability: 100
    positions: {x: {dist: uniform, low: 0, high: 100}, y: 5}
    salience: {x: 1, y: 1}
  - id: a
    name: A
    capability: {dist: uniform, low: 0.5, high: 1.5}
    positions: {x: {dist: triangular, low: 0, mode: 30, high: 100}, y: 2}
    salience: {x: {dist: uniform, low: 0.2, high: 1}, y: 0.5}
  - id: b
    name: B
    capability: {dist: normal, mean: 1, sd: 0.3}
    positions: {x: {dist: uniform, low: 20, high: 90}, y: 8}
    salience: {x: {dist: beta, alpha: 2, beta: 3}, y: 0.5}
"""

# Three actors of similar weight: a settlement that depends on many inputs at once.
SHARED = """
name: shared-test
title: Three actors share the weight
issues:
  - id: x
    label: Issue x
    scale: [0, 100]
actors:
  - id: a
    name: A
    capability: {dist: uniform, low: 0.5, high: 1.5}
    positions: {x: {dist: uniform, low: 0, high: 40}}
    salience: {x: {dist: uniform, low: 0.3, high: 1}}
  - id: b
    name: B
    capability: {dist: uniform, low: 0.5, high: 1.5}
    positions: {x: {dist: uniform, low: 30, high: 70}}
    salience: {x: {dist: uniform, low: 0.3, high: 1}}
  - id: c
    name: C
    capability: {dist: uniform, low: 0.5, high: 1.5}
    positions: {x: {dist: uniform, low: 60, high: 100}}
    salience: {x: {dist: uniform, low: 0.3, high: 1}}
"""

# Carrier of synthetic inputs for the wiring checks. Quantities come in the order status quo,
# then per actor capability, positions, salience; fixed values sit between the factors.
SYNTHETIC = """
name: synthetic
title: Inputs for synthetic models
issues:
  - id: x
    label: Issue x
    scale: [-10, 10]
    status_quo: {dist: uniform, low: -3.141592653589793, high: 3.141592653589793}
actors:
  - id: a
    name: A
    capability: 1
    positions: {x: {dist: uniform, low: -3.141592653589793, high: 3.141592653589793}}
    salience: {x: 1}
  - id: b
    name: B
    capability: 1
    positions: {x: 0}
    salience: {x: {dist: uniform, low: 0.1, high: 0.9}}
  - id: c
    name: C
    capability: 1
    positions: {x: {dist: uniform, low: -3.141592653589793, high: 3.141592653589793}}
    salience: {x: 1}
"""

LINEAR = """
name: linear
title: Inputs of a linear model
issues:
  - id: x
    label: Issue x
    scale: [-10, 10]
actors:
  - id: a
    name: A
    capability: 1
    positions: {x: {dist: triangular, low: -2, mode: 0, high: 6}}
    salience: {x: 0.5}
  - id: b
    name: B
    capability: 1
    positions: {x: {dist: normal, mean: 1, sd: 1.5}}
    salience: {x: {dist: uniform, low: 0.2, high: 0.8}}
"""


@pytest.fixture(scope="module")
def boss():
    return load_text(BOSS, "boss.yaml")


@pytest.fixture(scope="module")
def shared():
    return load_text(SHARED, "shared.yaml")


@pytest.fixture(scope="module")
def synthetic():
    return load_text(SYNTHETIC, "synthetic.yaml")


# -- the problem ---------------------------------------------------------------------------


def test_factors_are_the_uncertain_inputs_in_scenario_order(boss):
    problem = sa.build_problem(boss)
    expected = [p for p, q, _ in boss.quantities() if not isinstance(q, sm.scenario.Fixed)]
    assert list(problem.names) == expected
    assert "actors.boss.capability" not in problem.names  # a fixed value is not a factor
    assert problem.salib()["bounds"] == [[0.0, 1.0]] * len(expected)
    # Levels map through each input's inverse CDF; non-factors keep their fixed value.
    u = np.full((1, problem.num_vars), 0.25)
    d = problem.draws(u)
    assert d.position[0, 0, 0] == pytest.approx(25.0)  # uniform(0, 100) at 0.25
    assert d.capability[0, 0] == 100.0 and d.position[0, 2, 1] == 8.0


def test_a_restricted_analysis_holds_the_other_inputs_at_their_central_value(boss):
    problem = sa.build_problem(boss, ["actors.a.*"])
    assert problem.names == ("actors.a.capability", "actors.a.positions.x", "actors.a.salience.x")
    assert "actors.boss.positions.x" in problem.held
    d = problem.draws(np.random.default_rng(0).random((5, 3)))
    np.testing.assert_array_equal(d.position[:, 0, 0], 50.0)  # boss at the uniform's centre
    res = sa.analyze(boss, method="sobol", n=16, inputs=["actors.a.*"])
    assert res.output_sd == 0.0 and np.all(res.indices["ST"] == 0.0)
    assert any("same in every run" in w for w in res.warnings)


@pytest.mark.parametrize(
    ("inputs", "needle"),
    [(["actors.nobody.*"], "no input matches"), (["actors.boss.capability"], "only fixed")],
)
def test_bad_input_patterns_are_explained(boss, inputs, needle):
    with pytest.raises(ValueError, match=needle):
        sa.build_problem(boss, inputs)


def test_a_scenario_without_uncertain_inputs_is_refused():
    with pytest.raises(ValueError, match="no uncertain inputs"):
        sa.build_problem(sm.load("ec-emissions-1994"))


def test_an_unknown_output_lists_the_valid_names(boss):
    with pytest.raises(ValueError, match=r"unknown output 'eum\.nope'.*eum\.settlement\.x"):
        sa.analyze(boss, "eum.nope", n=8)


# -- wiring against models with known indices ----------------------------------------------


def _ishigami(x1, x2, x3, a=7.0, b=0.1):
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)


def test_sobol_recovers_the_ishigami_indices_through_the_scenario_wrapper(synthetic):
    # Factors in scenario order: status quo (x3), a's position (x1), b's salience (unused),
    # c's position (x2). A mix-up of axes or columns would move the indices around.
    problem = sa.build_problem(synthetic)
    assert problem.names == (
        "issues.x.status_quo",
        "actors.a.positions.x",
        "actors.b.salience.x",
        "actors.c.positions.x",
    )

    def fn(d: Draws):
        return _ishigami(d.position[:, 0, 0], d.position[:, 2, 0], d.status_quo[:, 0])

    res = sa.sobol(problem, sa.draws_model(problem, fn, chunk=1000), 2048, seed=1)
    a, b, pi = 7.0, 0.1, math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * pi**8 / 225
    v = v1 + v2 + v13
    np.testing.assert_allclose(res.indices["S1"], [0, v1 / v, 0, v2 / v], atol=0.04)
    np.testing.assert_allclose(res.indices["ST"], [v13 / v, (v1 + v13) / v, 0, v2 / v], atol=0.04)
    assert res.evaluations == 2048 * (4 + 2)
    top_two = [r["input"] for r in res.ranked()][:2]
    assert top_two == ["actors.a.positions.x", "actors.c.positions.x"]


def test_sobol_of_a_linear_model_matches_the_input_variances():
    # Y = 3 A + B with A ~ triangular(-2, 0, 6), B ~ normal(1, 1.5) (truncation at +-10 is
    # negligible): S_i = c_i^2 var_i / var(Y). Tests the inverse CDFs as well as the wiring.
    sc = load_text(LINEAR, "linear.yaml")
    problem = sa.build_problem(sc)
    assert problem.names == ("actors.a.positions.x", "actors.b.positions.x", "actors.b.salience.x")

    def fn(d: Draws):
        return 3 * d.position[:, 0, 0] + d.position[:, 1, 0]

    var_a = (4 + 0 + 36 - 0 + 12 - 0) / 18  # (l^2 + m^2 + h^2 - lm - lh - mh) / 18
    var_b = 1.5**2
    total = 9 * var_a + var_b
    res = sa.sobol(problem, sa.draws_model(problem, fn), 1024, seed=2)
    expected = [9 * var_a / total, var_b / total, 0.0]
    np.testing.assert_allclose(res.indices["S1"], expected, atol=0.03)
    np.testing.assert_allclose(res.indices["ST"], expected, atol=0.03)
    assert res.output_sd == pytest.approx(math.sqrt(total), rel=0.05)


def test_morris_effects_are_output_change_per_half_of_the_probability_mass(synthetic):
    # Y = 2 x1 - x3 with x1, x3 uniform on (-pi, pi): a step across half the probability
    # moves x1 by pi, so mu*(x1) = 2 pi, mu(x1) = 2 pi, mu*(x3) = pi, mu(x3) = -pi, sigma 0.
    problem = sa.build_problem(synthetic)

    def fn(d: Draws):
        return 2 * d.position[:, 0, 0] - d.status_quo[:, 0]

    res = sa.morris(problem, sa.draws_model(problem, fn), 10, seed=3)
    idx = res.indices
    np.testing.assert_allclose(idx["mu_star"], [math.pi, 2 * math.pi, 0, 0], atol=1e-9)
    np.testing.assert_allclose(idx["mu"], [-math.pi, 2 * math.pi, 0, 0], atol=1e-9)
    np.testing.assert_allclose(idx["sigma"], 0, atol=1e-9)
    assert res.evaluations == 10 * (4 + 1)


def test_sobol_warns_when_n_is_not_a_power_of_two(synthetic):
    problem = sa.build_problem(synthetic)
    model = sa.draws_model(problem, lambda d: d.position[:, 0, 0])
    res = sa.sobol(problem, model, 24, seed=0)
    assert any("not a power of 2" in w and "32" in w for w in res.warnings)
    assert not any("power of 2" in w for w in sa.sobol(problem, model, 32).warnings)
    with pytest.raises(ValueError, match="at least"):
        sa.sobol(problem, model, 4)


# -- the real engine -----------------------------------------------------------------------


def test_the_dominant_actors_position_carries_all_the_variance(boss):
    res = sa.analyze(boss, "eum.settlement.x", method="sobol", n=256, seed=0)
    st = dict(zip(res.names, res.indices["ST"], strict=True))
    s1 = dict(zip(res.names, res.indices["S1"], strict=True))
    assert st.pop("actors.boss.positions.x") == pytest.approx(1.0, abs=0.05)
    assert s1.pop("actors.boss.positions.x") == pytest.approx(1.0, abs=0.05)
    assert max(abs(v) for v in st.values()) < 0.02
    assert max(abs(v) for v in s1.values()) < 0.02
    assert res.ranked()[0]["input"] == "actors.boss.positions.x"
    assert res.frame().index[0] == "actors.boss.positions.x"


def test_morris_ranks_the_dominant_input_first(boss):
    res = sa.analyze(boss, method="morris", n=10, seed=5)
    top = res.ranked()[0]
    assert top["input"] == "actors.boss.positions.x"
    # uniform(0, 100) and settlement = that position: every step moves it by 50 points.
    assert top["mu_star"] == pytest.approx(50.0)
    assert all(r["mu_star"] < 1.0 for r in res.ranked()[1:])


def test_same_seed_same_indices_other_seed_other_estimates(shared):
    # seed 0 (the CLI's default) included: SALib's analyzers take 0 for "no seed"
    a = sa.analyze(shared, method="sobol", n=64, seed=0)
    b = sa.analyze(shared, method="sobol", n=64, seed=0)
    c = sa.analyze(shared, method="sobol", n=64, seed=12)
    for key in sa.SOBOL_KEYS:
        np.testing.assert_array_equal(a.indices[key], b.indices[key])
    assert not np.array_equal(a.indices["ST"], c.indices["ST"])
    m1 = sa.analyze(shared, method="morris", n=8, seed=0)
    m2 = sa.analyze(shared, method="morris", n=8, seed=0)
    for key in sa.MORRIS_KEYS:
        np.testing.assert_array_equal(m1.indices[key], m2.indices[key])
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())


def test_second_order_indices_come_as_ranked_pairs(shared):
    res = sa.analyze(shared, method="sobol", n=32, seed=1, second_order=True)
    k = len(res.names)
    assert res.evaluations == 32 * (2 * k + 2)
    pairs = res.pairs()
    assert len(pairs) == k * (k - 1) // 2
    assert [p["S2"] for p in pairs] == sorted((p["S2"] for p in pairs), reverse=True)
    assert "second_order" in res.to_dict()


# -- command line --------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture(scope="module")
def boss_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sens") / "boss.yaml"
    path.write_text(BOSS)
    return str(path)


def test_cli_json_through_the_console_script(boss_file):
    exe = EXE
    assert exe, "the summitry console script is installed in the test environment"
    args = [exe, "sensitivity", boss_file, "--n", "64", "--seed", "3", "--json"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["scenario"] == "boss-test" and data["method"] == "sobol"
    assert data["output"] == "eum.settlement.x"  # the first issue's settlement by default
    assert data["evaluations"] == 64 * (7 + 2) and data["factors"] == 7
    top = data["drivers"][0]
    assert top["input"] == "actors.boss.positions.x" and top["rank"] == 1
    assert top["distribution"] == "uniform(0, 100)"
    assert {"ST", "ST_conf", "S1", "S1_conf"} <= set(top)


def test_cli_table_shows_the_ranked_drivers(boss_file):
    res = runner.invoke(app, ["sensitivity", boss_file, "--method", "morris", "--n", "6"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert any("Morris" in line for line in lines)
    first = next(line for line in lines if line.strip().startswith("1 "))
    assert "actors.boss.positions.x" in first and "50.0" in first
    assert "mu*" in res.stdout


def test_cli_morris_json_and_restricted_inputs(boss_file):
    args = ["sensitivity", boss_file, "--method", "morris", "--n", "4", "--json"]
    res = runner.invoke(app, [*args, "--inputs", "actors.b.*", "--output", "eum.mean.x"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {d["input"] for d in data["drivers"]} == {
        "actors.b.capability",
        "actors.b.positions.x",
        "actors.b.salience.x",
    }
    assert "actors.boss.positions.x" in data["held_at_central"]
    assert data["output"] == "eum.mean.x"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--output", "eum.bogus"], "unknown output 'eum.bogus'"),
        (["--method", "fast"], "--method"),
        (["--n", "2"], "--n"),
        (["--method", "morris", "--n", "1"], "--n"),
        (["--inputs", "actors.zz.*"], "no input matches"),
        (["--method", "morris", "--second-order"], "--second-order"),
    ],
)
def test_cli_bad_input_exits_2_with_one_clear_line(boss_file, args, needle):
    res = runner.invoke(app, ["sensitivity", boss_file, *args])
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit)  # no traceback: a clean exit
    assert needle in res.stderr
    if needle.startswith("unknown output"):
        assert "eum.settlement.x" in res.stderr  # the valid names are listed


def test_cli_scenario_without_uncertainty_exits_2():
    res = runner.invoke(app, ["sensitivity", "ec-emissions-1994"])
    assert res.exit_code == 2
    assert "no uncertain inputs" in res.stderr


def test_sensitivity_runs_are_kept_in_the_store(boss_file, tmp_path):
    from typer.testing import CliRunner

    from summitry.cli import app
    from summitry.store import Store

    db = tmp_path / "runs.duckdb"
    out = CliRunner().invoke(app, ["sensitivity", str(boss_file), "--n", "16", "--db", str(db)])
    assert out.exit_code == 0, out.output
    (run,) = Store(db).runs()
    record = Store(db).run(run.run_id)
    assert run.kind == "sensitivity" and record.options["method"] == "sobol"
    assert record.summary["drivers"][0]["input"] == "actors.boss.positions.x"
