"""A huge but valid scenario is refused by every command that would run an engine, from the
memory estimate and before any engine allocates, with one line naming the scenario's size,
the memory one sample needs and the limit (docs/limits.md). The issue's case, 5,003 actors on one
issue, runs once (reading its 600 kB of YAML is most of the time); 400 actors, whose
expected-utility votes alone need about 49 GB, go through every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from summitry import budget

from .corpus import big_scenario, refused, run

LIMIT = {"SUMMITRY_MEMORY_LIMIT": "4GB"}
"""A fixed limit, so that the message does not depend on this machine's free memory."""


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_scenario(tmp_path_factory.mktemp("big"), 400)


def test_the_issues_5003_actors_are_refused_before_work(tmp_path: Path) -> None:
    path = big_scenario(tmp_path, 5003)
    line = refused(run("forecast", path, "--no-store", cwd=tmp_path, env=LIMIT))
    assert line.startswith(
        "scenario 'big' (5,003 actors, 1 issue): a single sample needs about "
    ), line
    assert "TB of memory, above the limit of 4.0 GB (SUMMITRY_MEMORY_LIMIT)" in line, line
    assert "sweep" not in line  # more or fewer samples cannot help
    assert not (tmp_path / "summitry.duckdb").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("forecast", "{big}", "--no-store"),
        ("forecast", "{big}", "--point", "--no-store"),
        ("compare", "{big}", "--set", "actors.a1.capability=2", "--no-store"),
        ("sensitivity", "{big}", "--method", "morris", "--n", "8"),
        ("report", "{big}", "--no-png", "--out", "rep", "--no-store"),
        ("sweep", "{big}", "--samples", "100", "--workers", "1", "--chunk", "50"),
        ("serve", "{big}", "--port", "1"),
    ],
    ids=lambda a: " ".join(a[:1] + a[2:3]),
)
def test_a_scenario_too_big_for_memory_is_refused_before_work(
    args: tuple[str, ...], big: Path, tmp_path: Path
) -> None:
    out = run(*(a.format(big=big) for a in args), cwd=tmp_path, env=LIMIT)
    line = refused(out)
    assert line.startswith("scenario 'big' (400 actors, 1 issue): a single sample needs "), line
    assert "GB of memory, above the limit of 4.0 GB (SUMMITRY_MEMORY_LIMIT)" in line, line
    assert not (tmp_path / "summitry.duckdb").exists()
    assert not (tmp_path / "rep").exists()


def test_the_estimate_covers_the_expected_utility_votes() -> None:
    """The EUM's votes of a slice, three (n, n(n-1)/2, A) arrays with A >= 64, grow as n^3:
    for 5,003 actors about 96 TB, more than anything else in the estimate."""
    n = 5003
    votes = 3 * 8 * n * (n * (n - 1) // 2) * 64
    assert budget.eum_votes(n) == votes
    sizes = budget.Sizes(
        n=n, d=1, q=1, rounds=20, turns=100, ratifiers=0, bargaining=False, options=False,
        eum_stochastic=False, smp_stochastic=False,
    )  # fmt: skip
    assert budget.footprint(sizes, ("eum",)).total(1) >= votes
    all_pairs = budget.Sizes(**{**sizes.__dict__, "eum_all_pairs": True})
    assert budget.footprint(all_pairs, ("eum",)).fixed >= votes + 8 * n**3 * 64
    # small scenarios: the votes of a slice are the engine's cache-sized slice, ~3 MB
    assert budget.eum_votes(7) <= 4 * 2**20
