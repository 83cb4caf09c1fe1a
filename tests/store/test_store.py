"""The results store: runs written whole or visibly incomplete, read back bit for bit."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import summitry.store.export as store_export
from summitry.scenario import load
from summitry.store import (
    SCHEMA_VERSION,
    Store,
    StoreError,
    gaps,
    output_stats,
    owner_token,
    scenario_data,
    scenario_from_data,
    scenario_hash,
)


@pytest.fixture(scope="module")
def scenario():
    return load("dprk-2025")


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "runs.duckdb", lock_timeout=10)


def make_outputs(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {
        "eum.settlement.a": rng.normal(50, 20, n),
        "eum.shift.a": rng.normal(0, 1, n) * 1e-300,  # subnormal-range values survive too
        "flag": (rng.random(n) < 0.3).astype(float),
    }
    out["eum.settlement.a"][::7] = np.nan
    out["eum.shift.a"][1] = -0.0
    return out


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return np.asarray(a, np.float64).tobytes() == np.asarray(b, np.float64).tobytes()


def dead_owner() -> str:
    """The owner token of a process that has exited."""
    code = "from summitry.store import owner_token; print(owner_token())"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def set_owner(store: Store, run_id: int, token: str) -> None:
    con = duckdb.connect(str(store.path))
    con.execute("UPDATE runs SET owner = ? WHERE run_id = ?", [token, run_id])
    con.close()


def test_saved_run_reads_back_bit_for_bit(store, scenario):
    outputs = make_outputs(1000)
    summary = {"issues": [{"p50": 1.5}], "inf": math.inf, "arr": np.arange(3)}
    options = {"engines": ["eum"], "eum": {"tol": 1e-6, "q": np.float64(1.0)}, "cap": np.int64(3)}
    run_id = store.save_run("forecast", scenario, 7, options, outputs, summary)

    samples, values = store.outputs(run_id)
    assert samples.tolist() == list(range(1000))
    assert list(values) == list(outputs)
    for name, v in outputs.items():
        assert same_bits(values[name], v), name

    record = store.run(run_id)
    assert record.info.complete and record.info.state == "complete"
    assert record.info.kind == "forecast" and record.info.seed == 7
    assert record.info.samples == record.info.done == 1000
    assert record.info.scenario_name == "dprk-2025"
    assert record.info.scenario_hash == scenario_hash(scenario)
    assert record.info.finished_at >= record.info.started_at
    assert record.options == {"engines": ["eum"], "eum": {"tol": 1e-6, "q": 1.0}, "cap": 3}
    assert record.summary == {"issues": [{"p50": 1.5}], "inf": "inf", "arr": [0, 1, 2]}
    assert record.chunk_ranges == [(0, 1000)]
    assert store.scenario(run_id) == scenario
    assert record.scenario == scenario_data(scenario)

    finite = outputs["eum.settlement.a"][np.isfinite(outputs["eum.settlement.a"])]
    stats = record.stats["eum.settlement.a"]
    assert stats["n"] == finite.size == 1000 - len(range(0, 1000, 7))
    assert stats["p50"] == float(np.quantile(finite, 0.5))
    assert stats["mean"] == float(np.mean(finite))
    assert stats["max"] == float(finite.max())


def test_stored_scenario_rebuilds_equal_for_every_bundled_case():
    from summitry.scenario import bundled_names

    for name in bundled_names():
        sc = load(name)
        assert scenario_from_data(scenario_data(sc)) == sc, name


def test_run_ids_increase_and_runs_list_newest_first(store, scenario):
    ids = [store.save_run(k, scenario, i, {}, make_outputs(5, i), {}) for i, k in enumerate("abc")]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [r.run_id for r in store.runs()] == ids[::-1]
    assert [r.run_id for r in store.runs(kind="b")] == [ids[1]]
    assert len(store.runs(limit=2)) == 2


def test_a_run_without_scenario_or_outputs_is_fine(store):
    run_id = store.save_run("compare", None, None, {"note": "a"}, {}, {"delta": 0.25})
    record = store.run(run_id)
    assert record.summary == {"delta": 0.25} and record.outputs == [] and record.scenario is None
    assert record.info.complete


def test_chunked_run_is_incomplete_until_finished(store, scenario):
    full = make_outputs(1000, seed=3)
    run_id = store.begin_run(
        "sweep", scenario, 3, {"engines": ["eum"]}, samples=1000, chunk=300, outputs=list(full)
    )

    def part(a, b):
        return {k: v[a:b] for k, v in full.items()}

    store.commit_chunk(run_id, 600, part(600, 900), seconds=0.5, worker="w1")
    info = store.runs()[0]
    assert (info.status, info.state, info.done, info.chunks) == ("running", "running", 300, 1)
    samples, values = store.outputs(run_id)
    assert samples.tolist() == list(range(600, 900))
    assert same_bits(values["flag"], full["flag"][600:900])
    assert store.run(run_id).missing() == [(0, 600), (900, 1000)]
    with pytest.raises(StoreError, match="misses samples"):
        store.finish_run(run_id)

    with pytest.raises(StoreError, match="overlaps"):
        store.commit_chunk(run_id, 800, part(800, 1000))
    with pytest.raises(StoreError, match="outside"):
        store.commit_chunk(run_id, 900, {k: np.zeros(200) for k in full})
    with pytest.raises(StoreError, match="chunk outputs"):
        store.commit_chunk(run_id, 0, {"other": np.zeros(10)})
    with pytest.raises(StoreError, match="lengths differ"):
        store.commit_chunk(run_id, 0, {"eum.settlement.a": np.zeros(3), "x": np.zeros(4)})
    assert store.runs()[0].done == 300  # refused chunks left nothing behind

    for a, b in [(900, 1000), (0, 300), (300, 600)]:
        store.commit_chunk(run_id, a, part(a, b))
    summary = store.finish_run(run_id)
    record = store.run(run_id)
    assert record.info.complete and record.missing() == []
    assert record.summary == summary == {"outputs": record.stats}
    samples, values = store.outputs(run_id)
    assert samples.tolist() == list(range(1000))
    assert all(same_bits(values[k], full[k]) for k in full)
    # statistics do not depend on how the run was written
    whole = store.save_run("sweep", scenario, 3, {}, full, {})
    assert store.run(whole).stats == record.stats
    with pytest.raises(StoreError, match="not being written"):
        store.commit_chunk(run_id, 0, part(0, 10))


def test_a_failed_transaction_leaves_nothing(store, scenario):
    run_id = store.begin_run("sweep", scenario, 1, {}, samples=10, chunk=5, outputs=["x"])
    with pytest.raises(RuntimeError), store._writer() as con:
        store._insert_chunk(con, run_id, 0, {"x": np.ones(5)}, None, None)
        raise RuntimeError("crash between the samples and the end of the transaction")
    assert store.run(run_id).chunk_ranges == []
    assert store.outputs(run_id)[0].size == 0


def test_a_run_whose_process_died_shows_interrupted_and_can_be_claimed(store, scenario):
    run_id = store.begin_run("sweep", scenario, 1, {}, samples=10, chunk=5, outputs=["x"])
    store.commit_chunk(run_id, 0, {"x": np.arange(5.0)})
    with pytest.raises(StoreError, match="still being computed"):
        store.claim(run_id)  # this very process still owns it
    set_owner(store, run_id, dead_owner())
    info = store.runs()[0]
    assert (info.status, info.state) == ("running", "interrupted")
    with pytest.raises(StoreError, match="not being written"):
        store.commit_chunk(run_id, 5, {"x": np.arange(5.0)})
    record = store.claim(run_id)
    assert record.owner == owner_token() and record.missing() == [(5, 10)]
    store.commit_chunk(run_id, 5, {"x": np.arange(5.0, 10.0)})
    store.finish_run(run_id)
    assert store.outputs(run_id)[1]["x"].tolist() == list(map(float, range(10)))
    with pytest.raises(StoreError, match="already complete"):
        store.claim(run_id)


def test_set_status_marks_interrupted_and_failed_runs(store, scenario):
    a = store.begin_run("sweep", scenario, 1, {}, samples=10, chunk=5, outputs=["x"])
    b = store.begin_run("sweep", scenario, 1, {}, samples=10, chunk=5, outputs=["x"])
    store.set_status(a, "interrupted", "Ctrl-C")
    store.set_status(b, "failed", "worker died")
    states = {r.run_id: r.state for r in store.runs()}
    assert states == {a: "interrupted", b: "failed"}
    assert store.run(b).message == "worker died"
    store.claim(b)
    assert store.runs()[0].state == "running"


def test_unknown_run_and_bad_files_are_clear_errors(tmp_path, store, scenario):
    store.save_run("forecast", scenario, 1, {}, make_outputs(3), {})
    with pytest.raises(StoreError, match="no run 99"):
        store.run(99)
    with pytest.raises(StoreError, match="no run 99"):
        store.outputs(99)
    with pytest.raises(StoreError, match="no output"):
        store.outputs(1, ["nope"])

    text = tmp_path / "notes.duckdb"
    text.write_text("just some text\n")
    with pytest.raises(StoreError, match="not a summitry store: it is a text file"):
        Store(text).runs()
    with pytest.raises(StoreError, match="not a summitry store: it is a text file"):
        Store(text).check()
    assert text.read_text() == "just some text\n"

    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE mine (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a summitry store"):
        Store(other).check()

    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "missing.duckdb").runs()
    assert not (tmp_path / "missing.duckdb").exists()


def test_a_newer_schema_is_refused(store, scenario):
    store.save_run("forecast", scenario, 1, {}, make_outputs(3), {})
    con = duckdb.connect(str(store.path))
    con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [str(99)])
    con.close()
    for fresh in (Store(store.path).check, Store(store.path).runs):
        with pytest.raises(StoreError, match=f"newer summitry .*schema 99 > {SCHEMA_VERSION}\\)"):
            fresh()


def test_readers_wait_for_a_writer_then_give_up_clearly(store, scenario):
    """The writer holds the file until the test tells it to let go (a line on its stdin), so
    the impatient reader always meets the lock, whatever the machine's load."""
    store.save_run("forecast", scenario, 1, {}, make_outputs(3), {})
    hold = textwrap.dedent(
        f"""
        import sys, duckdb
        con = duckdb.connect({str(store.path)!r})
        print("locked", flush=True)
        sys.stdin.readline()
        con.close()
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", hold], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as writer:
        assert writer.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match=f"in use by process {writer.pid} for more than"):
            Store(store.path, lock_timeout=0.2).runs()
        with ThreadPoolExecutor(1) as pool:  # a patient reader, waiting until the writer ends
            patient = pool.submit(lambda: [r.run_id for r in Store(store.path).runs()])
            writer.stdin.write("done\n")
            writer.stdin.flush()
            assert patient.result(timeout=120) == [1]
        writer.wait(timeout=120)


def test_export_writes_parquet_in_sample_order_and_json(tmp_path, store, scenario, monkeypatch):
    monkeypatch.setattr(store_export, "EXPORT_SLAB", 300)  # several slabs, joined in order
    full = make_outputs(1000, seed=5)
    run_id = store.begin_run(
        "sweep", scenario, 5, {"k": 1}, samples=1000, chunk=400, outputs=list(full)
    )
    for a in (800, 0, 400):
        store.commit_chunk(run_id, a, {k: v[a : a + 400] for k, v in full.items()})
    store.finish_run(run_id)
    paths = store.export(run_id, tmp_path / "out" / "deep")
    assert [p.name for p in paths] == [f"run-{run_id}.json", f"run-{run_id}.parquet"]
    table = duckdb.sql(f"SELECT * FROM '{paths[1]}'").fetchnumpy()
    assert table["sample"].tolist() == list(range(1000))
    assert set(table["run_id"].tolist()) == {run_id}
    for name, v in full.items():  # NaN is stored (and exported) as NULL
        assert same_bits(np.ma.filled(table[name], np.nan), v), name
    meta = json.loads(paths[0].read_text())
    assert meta["complete"] and meta["outputs"] == list(full) and meta["seed"] == 5
    assert meta["scenario"]["name"] == "dprk-2025" and meta["options"] == {"k": 1}

    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="not a directory"):
        store.export(run_id, tmp_path / "file")


def test_export_of_an_incomplete_run_holds_the_committed_samples(tmp_path, store, scenario):
    run_id = store.begin_run("sweep", scenario, 1, {}, samples=10, chunk=4, outputs=["x", "y"])
    paths = store.export(run_id, tmp_path)
    assert duckdb.sql(f"SELECT count(*) FROM '{paths[1]}'").fetchall() == [(0,)]
    store.commit_chunk(run_id, 4, {"x": np.arange(4.0), "y": -np.arange(4.0)})
    paths = store.export(run_id, tmp_path)
    rows = duckdb.sql(f"SELECT sample, x, y FROM '{paths[1]}'").fetchall()
    assert rows == [(4 + i, float(i), -float(i)) for i in range(4)]
    meta = json.loads(paths[0].read_text())
    assert not meta["complete"] and meta["missing"] == [[0, 4], [8, 10]]


def test_the_long_view_joins_output_names(store, scenario):
    run_id = store.save_run("forecast", scenario, 1, {}, {"a": [1.0, 2.0], "b": [3.0, 4.0]}, {})
    con = duckdb.connect(str(store.path), read_only=True)
    rows = con.execute(
        "SELECT output, sample, value FROM run_samples WHERE run_id = ? ORDER BY ALL", [run_id]
    ).fetchall()
    con.close()
    assert rows == [("a", 0, 1.0), ("a", 1, 2.0), ("b", 0, 3.0), ("b", 1, 4.0)]


def test_output_stats_of_all_nan_and_single_values():
    assert output_stats(np.array([np.nan, np.inf]))["n"] == 0
    one = output_stats(np.array([2.5]))
    assert one["n"] == 1 and one["sd"] is None and one["p10"] == one["p90"] == 2.5


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(0, 60),
    cuts=st.lists(st.tuples(st.integers(0, 60), st.integers(1, 15)), max_size=8),
)
def test_gaps_complement_the_committed_ranges(total, cuts):
    ranges, taken = [], set()
    for start, size in cuts:
        r = set(range(start, min(start + size, total)))
        if r and not r & taken:
            ranges.append((min(r), max(r) + 1))
            taken |= r
    holes = gaps(ranges, total)
    covered = {i for a, b in holes for i in range(a, b)}
    assert covered == set(range(total)) - taken
    assert all(a < b for a, b in holes)
    assert all(b1 < a2 for (_, b1), (a2, _) in itertools.pairwise(holes))
