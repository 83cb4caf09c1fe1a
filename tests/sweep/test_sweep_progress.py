"""A sweep's chunk plan (a small first chunk, then doubling), its progress callback and the
rate and ETA that ``summitry sweep`` shows: no test here depends on timing (the meter is
fed explicit clock readings)."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summitry.forecast import forecast
from summitry.scenario import load
from summitry.store import Store
from summitry.sweep import (
    DEFAULT_CHUNK,
    FIRST_CHUNK,
    WORKER_ENVIRON,
    SweepSpec,
    Throughput,
    cluster_client,
    outputs_equal,
    plan_chunks,
    start_sweep,
)

EUM = ("eum",)


def sizes(plan: list[tuple[int, int]]) -> list[int]:
    return [b - a for a, b in plan]


def test_the_plan_starts_small_and_doubles_up_to_the_chunk_size():
    plan = plan_chunks([(0, 100_000)], 10_000, first=2_000)
    assert sizes(plan)[:5] == [2_000, 4_000, 8_000, 10_000, 10_000]
    assert plan[0] == (0, 2_000) and plan[-1][1] == 100_000
    # without ``first`` (and whenever first >= chunk): plain chunks of ``chunk``
    assert plan_chunks([(0, 25)], 10) == [(0, 10), (10, 20), (20, 25)]
    assert plan_chunks([(0, 25)], 10, first=50) == [(0, 10), (10, 20), (20, 25)]


def test_a_million_sample_sweep_commits_a_small_chunk_first():
    """The default plan of ``summitry sweep --samples 1000000``: the first chunk is
    FIRST_CHUNK samples (about a second of the default engines' work), not DEFAULT_CHUNK."""
    plan = plan_chunks([(0, 1_000_000)], DEFAULT_CHUNK, first=FIRST_CHUNK)
    assert FIRST_CHUNK < DEFAULT_CHUNK
    assert plan[0] == (0, FIRST_CHUNK)
    assert max(sizes(plan)) == DEFAULT_CHUNK
    assert sizes(plan).index(DEFAULT_CHUNK) <= 3  # full-size chunks after a short ramp


def test_a_resumed_plan_ramps_over_the_gaps_and_cuts_at_their_ends():
    plan = plan_chunks([(5, 8), (100, 120), (200, 260)], 16, first=2)
    assert plan == [
        (5, 7),
        (7, 8),
        (100, 108),
        (108, 120),
        (200, 216),
        (216, 232),
        (232, 248),
        (248, 260),
    ]


@given(
    gaps=st.lists(st.tuples(st.integers(0, 50), st.integers(1, 400)), min_size=1, max_size=6),
    chunk=st.integers(1, 300),
    first=st.one_of(st.none(), st.integers(1, 400)),
)
def test_every_plan_covers_the_missing_samples_exactly_once_in_order(gaps, chunk, first):
    missing, at = [], 0
    for skip, length in gaps:
        missing.append((at + skip, at + skip + length))
        at += skip + length
    plan = plan_chunks(missing, chunk, first=first)
    covered = [s for a, b in plan for s in range(a, b)]
    assert covered == [s for a, b in missing for s in range(a, b)]
    assert all(0 < b - a <= chunk for a, b in plan)
    assert all(any(a >= lo and b <= hi for lo, hi in missing) for a, b in plan)
    if first is not None:
        assert sizes(plan)[0] == min(first, chunk, missing[0][1] - missing[0][0])


def test_the_meter_gives_a_rate_and_an_eta_from_the_first_chunk():
    meter = Throughput(todo=1_000_000, began=100.0)
    assert meter.rate() is None and meter.eta(101.0) is None
    assert meter.describe(101.0) == "-/s  ETA -:--:--"
    meter.add(2_000, 102.0)  # the first chunk, 2 s after the cluster was up
    assert meter.rate() == 1_000.0
    assert meter.eta(102.0) == 998.0
    assert meter.eta(112.0) == 988.0  # counts down between chunks
    assert meter.describe(112.0) == "1,000/s  ETA 0:16:28"
    meter.add(8_000, 104.0)
    assert meter.rate() == 2_500.0
    assert meter.eta(104.0) == pytest.approx(990_000 / 2_500)
    meter.add(990_000, 500.0)
    assert meter.eta(500.0) == 0.0 and meter.eta(900.0) == 0.0


def test_the_meter_of_a_resumed_sweep_counts_only_what_it_computes():
    meter = Throughput(todo=400, began=0.0)  # 600 of 1,000 samples were stored before
    meter.add(100, 4.0)
    assert meter.rate() == 25.0 and meter.eta(4.0) == 12.0


@pytest.fixture(scope="module")
def one_worker():
    with cluster_client(workers=1) as client:
        yield client


def test_progress_is_called_after_each_commit_from_the_small_first_chunk(tmp_path, one_worker):
    sc = load("dprk-2025")
    n, chunk = FIRST_CHUNK + 5_000, 5_000
    store = Store(tmp_path / "runs.duckdb")
    calls: list[tuple[int, int]] = []

    def progress(size: int) -> None:
        run_id = store.runs()[0].run_id
        calls.append((size, store.run(run_id).info.done))  # already committed when called

    run_id = start_sweep(
        store, SweepSpec(sc, n, 4, EUM), chunk=chunk, client=one_worker, progress=progress
    )
    plan = plan_chunks([(0, n)], chunk, first=FIRST_CHUNK)
    assert sizes(plan) == [FIRST_CHUNK, 2 * FIRST_CHUNK, n - 3 * FIRST_CHUNK]
    assert calls[0] == (FIRST_CHUNK, FIRST_CHUNK)  # one worker: the first chunk comes first
    assert sorted(s for s, _ in calls) == sorted(sizes(plan))
    assert [done for _, done in calls] == [
        sum(s for s, _ in calls[: i + 1]) for i in range(len(calls))
    ]
    record = store.run(run_id)
    assert record.chunk_ranges == plan and record.chunk_size == chunk
    _, values = store.outputs(run_id)
    assert outputs_equal(values, forecast(sc, n, 4, engines=EUM).outputs())


def test_local_workers_start_with_glibcs_own_allocator_thresholds(one_worker):
    """Not Dask's MALLOC_TRIM_THRESHOLD_=65536, which maps and unmaps every engine array."""
    seen = one_worker.run(lambda: {k: os.environ.get(k) for k in WORKER_ENVIRON})
    for env in seen.values():
        assert env == {k: str(v) for k, v in WORKER_ENVIRON.items()}


def test_the_sweep_bar_shows_rate_and_eta_within_80_columns():
    from rich.console import Console

    from summitry.cli.sweep import _progress_bar

    meter = Throughput(todo=50_000_000, began=-1e9)  # long before any monotonic reading
    bar = _progress_bar(meter)
    task = bar.add_task("sweep", total=50_000_000, completed=0)
    console = Console(width=80, record=True, force_terminal=True, file=io.StringIO())
    console.print(bar.make_tasks_table(bar.tasks))
    assert "-/s  ETA -:--:--" in console.export_text()
    meter.add(2_000, -1e9 + 0.5)  # so the ETA has long counted down to 0
    bar.advance(task, 2_000)
    console.print(bar.make_tasks_table(bar.tasks))
    lines = console.export_text().splitlines()
    assert lines[-1].endswith("2,000/50,000,000 4,000/s  ETA 0:00:00")
    assert all(len(line) <= 80 for line in lines)
