"""Memory estimates (summitry.budget, docs/limits.md): upper bounds of what a real run
allocates, within a factor, and the commands refuse what does not fit with one line."""

from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest

import summitry as sm
from console_script import EXE
from summitry import budget
from summitry import sensitivity as sa
from summitry.forecast import forecast

FACTOR = 4
"""An estimate may exceed the traced peak by at most this factor (docs/limits.md)."""


def traced_peak(fn: Callable[[], object]) -> int:
    """Peak bytes tracemalloc traces while ``fn`` runs (numpy's buffers included)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    ("name", "engines", "samples", "chunk"),
    [
        ("dprk-2025", ("eum", "smp", "bargaining"), 3000, 1024),
        ("dprk-2025", ("eum",), 9000, 2048),
        ("dprk-2025", ("eum", "compromise", "nbs", "procedural"), 3000, 1024),
        ("dprk-1994-agreed-framework", ("eum", "bargaining"), 6000, 4096),
        ("ec-emissions-1994", ("eum", "smp"), 5000, 1500),
    ],
)
def test_forecast_estimate_bounds_the_traced_peak(name, engines, samples, chunk):
    sc = sm.load(name)

    def run() -> None:
        fc = forecast(sc, samples, 1, engines=engines, chunk=chunk)
        fc.to_dict()  # the summaries and the options game, as the command does
        fc.outputs()

    forecast(sc, 5, 1, engines=engines).to_dict()  # lazy imports are not the run's memory
    peak = traced_peak(run)
    est = budget.forecast_bytes(sc, samples, engines, chunk=chunk, stored=False)
    assert peak <= est <= FACTOR * peak, (peak, est)


def test_sensitivity_estimate_bounds_the_traced_peak():
    sc = sm.load("dprk-2025")
    inputs = ["actors.dprk.*"]
    k = sa.build_problem(sc, inputs).num_vars
    sa.analyze(sc, method="sobol", n=8, inputs=inputs)  # SALib's imports, counted apart
    peak = traced_peak(lambda: sa.analyze(sc, method="sobol", n=256, inputs=inputs))
    est = budget.sensitivity_bytes(sc, "sobol", 256, k, engines=("eum",))
    # The estimate also counts SALib's imports (SENSITIVITY_FIXED), which this process
    # already holds: without them it must still bound the peak.
    assert peak <= est - budget.SENSITIVITY_FIXED <= FACTOR * peak, (peak, est)


def test_a_sampled_run_keeps_only_the_initial_and_final_rows():
    sc = sm.load("dprk-2025")
    one = forecast(sc, 1, 3)
    many = forecast(sc, 600, 3, chunk=250)
    d, n, r = len(sc.issues), len(sc.actors), one.options.rounds
    assert one.result.median.shape == (1, d, r + 1)
    assert one.result.counts.shape == (1, d, r, 3)
    assert many.result.median.shape == (600, d, 2)
    assert many.result.positions.shape == (600, d, 2, n)
    assert many.result.counts.shape == (600, d, 0, 3)
    # Row 0 of the kept trajectories is sample 0's full trajectory's first and last row.
    np.testing.assert_array_equal(many.result.median[0], one.result.median[0][:, [0, -1]])
    np.testing.assert_array_equal(many.result.positions[0], one.result.positions[0][:, [0, -1]])


def test_chunking_keeps_every_kept_array_bit_identical():
    sc = sm.load("dprk-2025")
    whole = forecast(sc, 700, 9, chunk=700)
    parts = forecast(sc, 700, 9, chunk=128)
    for field in ("positions", "median", "mean", "rounds_run", "cycled"):
        np.testing.assert_array_equal(getattr(whole.result, field), getattr(parts.result, field))
    for key, value in whole.outputs().items():
        np.testing.assert_array_equal(value, parts.outputs()[key], err_msg=key)
    np.testing.assert_array_equal(whole.draws.position, parts.draws.position)
    assert whole.draws.extra.keys() == parts.draws.extra.keys()


def test_estimates_grow_with_the_request():
    sc = sm.load("dprk-2025")
    small, big = budget.forecast_bytes(sc, 1000), budget.forecast_bytes(sc, 10_000_000)
    assert big > 1000 * small / 10  # the per-sample term dominates large runs
    assert budget.forecast_bytes(sc, 1000, ("eum",)) < small
    more_workers = budget.sweep_bytes(sc, 10**6, 10_000, 8)
    assert more_workers == 4 * budget.sweep_bytes(sc, 10**6, 10_000, 2)


@pytest.mark.parametrize(
    ("text", "size"),
    [("2GB", 2 * 10**9), ("512MiB", 512 * 2**20), ("1e9", 10**9), ("1.5 kb", 1500), ("7", 7)],
)
def test_parse_size(text, size):
    assert budget.parse_size(text) == size


@pytest.mark.parametrize("text", ["abc", "-1GB", "0", "nan", "inf", "1e400", "2XB"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError):
        budget.parse_size(text)


def test_the_environment_variable_sets_the_limit(monkeypatch):
    monkeypatch.setenv(budget.ENV, "300MB")
    assert budget.memory_limit() == (300 * 10**6, budget.ENV)
    with pytest.raises(budget.MemoryLimitError, match=r"--samples 9: needs about 1\.0 GB"):
        budget.check("--samples 9", 10**9)
    budget.check("--samples 9", 299 * 10**6)
    monkeypatch.setenv(budget.ENV, "lots")
    with pytest.raises(budget.MemoryLimitError, match="SUMMITRY_MEMORY_LIMIT: 'lots'"):
        budget.memory_limit()


def test_default_limit_follows_an_address_space_rlimit():
    """A child under RLIMIT_AS reports at most that limit as available."""
    limit = 3 * 2**30

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    code = "from summitry import budget; print(budget.available_memory())"
    env = {k: v for k, v in os.environ.items() if k != budget.ENV}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert 0 < int(out.stdout) < limit


def run_cli(*args: str, limit: str = "1GB") -> subprocess.CompletedProcess[str]:
    assert EXE, "the summitry console script is installed in the test environment"
    env = {**os.environ, budget.ENV: limit}
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize(
    ("args", "request_text"),
    [
        (("forecast", "--samples", "10000000"), "--samples 10,000,000"),
        (("sensitivity", "--n", "100000"), "--n 100,000"),
        (("compare", "dprk-2025", "dprk-2019-hanoi", "--samples", "200000"), "--samples 200,000"),
        # 4 workers: within the CPU bound on any machine (4 per CPU), not within 1 GB
        (("sweep", "dprk-2025", "--workers", "4"), "--workers 4 with --chunk 10,000"),
    ],
)
def test_commands_refuse_what_does_not_fit_with_one_line(args, request_text, tmp_path):
    out = run_cli(*args, "--db", str(tmp_path / "runs.duckdb"))
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"{request_text}: needs about ")
    assert "above the limit of 1.0 GB (SUMMITRY_MEMORY_LIMIT)" in lines[0]
    assert not (tmp_path / "runs.duckdb").exists(), "refused before opening the store"


def test_forecast_refusal_points_to_sweep_and_a_bad_limit_is_one_line():
    out = run_cli("forecast", "--samples", "5000000", "--no-store")
    assert out.returncode == 2 and "summitry sweep" in out.stderr
    out = run_cli("forecast", "--samples", "10", "--no-store", limit="plenty")
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "SUMMITRY_MEMORY_LIMIT: 'plenty' is not a size such as 2GB, 512MiB or 1e9"
    )


def test_the_estimates_constants_follow_the_code():
    from summitry.engines.options_game import DEFAULT_LAMBDAS
    from summitry.forecast import DEFAULT_CHUNK, ENGINES
    from summitry.forecasting.options_game import PILOT

    assert budget.FORECAST_CHUNK == DEFAULT_CHUNK
    assert budget.ENGINE_NAMES == ENGINES
    assert len(DEFAULT_LAMBDAS) == budget.LAMBDAS
    assert budget.PILOT == PILOT
    from summitry.engines.eum import model as eum_model

    assert budget.EUM_SLICE_CELLS == eum_model._SLICE_CELLS  # the slices the votes fill
    sc = sm.load("dprk-2025")
    names = forecast(sc, 2, 0).outputs()
    assert budget.outputs_count(budget.Sizes.of(sc), ENGINES) == len(names)
    eum_only = forecast(sc, 2, 0, engines=("eum",)).outputs()
    assert budget.outputs_count(budget.Sizes.of(sc), ("eum",)) == len(eum_only)
