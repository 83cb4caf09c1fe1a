"""Sweeps on real Dask clusters: bit-identical whatever the chunking and the workers, and
resumable after Ctrl-C or SIGKILL with results identical to an uninterrupted run."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from console_script import BIN, EXE
from summitry.forecast import forecast
from summitry.sampling import BLOCK
from summitry.scenario import load
from summitry.store import KILL_HOOK, Store
from summitry.sweep import (
    SweepError,
    SweepFailed,
    SweepSpec,
    check_resumable,
    cluster_client,
    load_spec,
    outputs_equal,
    plan_chunks,
    resume_sweep,
    start_sweep,
)

DASK = shutil.which("dask", path=str(BIN))
N, SEED = 2100, 11  # crosses two sampling blocks
EUM = ("eum",)


@pytest.fixture(scope="module")
def sc():
    return load("dprk-2025")


@pytest.fixture(scope="module")
def one_worker():
    with cluster_client(workers=1) as client:
        yield client


@pytest.fixture(scope="module")
def two_workers():
    with cluster_client(workers=2) as client:
        yield client


@pytest.fixture(scope="module")
def reference(sc):
    """The same samples from one in-process forecast (no chunks, no workers)."""
    return forecast(sc, N, SEED, engines=EUM).outputs()


@pytest.fixture(scope="module")
def uninterrupted(sc, two_workers, tmp_path_factory):
    """An uninterrupted sweep of the spec the interruption tests use."""
    store = Store(tmp_path_factory.mktemp("plain") / "runs.duckdb")
    run_id = start_sweep(store, SweepSpec(sc, N, SEED, EUM), chunk=700, client=two_workers)
    _, values = store.outputs(run_id)
    return values, store.run(run_id)


def test_chunk_plans_cover_the_gaps_exactly():
    assert plan_chunks([(0, 10)], 4) == [(0, 4), (4, 8), (8, 10)]
    assert plan_chunks([(3, 5), (9, 20)], 6) == [(3, 5), (9, 15), (15, 20)]
    with pytest.raises(SweepError):
        plan_chunks([(0, 3)], 0)


@pytest.mark.parametrize(("workers", "chunk"), [(1, 700), (2, 700), (2, 1100)])
def test_outputs_are_bit_identical_whatever_chunk_and_workers(
    request, tmp_path, sc, reference, uninterrupted, workers, chunk
):
    assert chunk % BLOCK != 0
    client = request.getfixturevalue("one_worker" if workers == 1 else "two_workers")
    store = Store(tmp_path / "runs.duckdb")
    run_id = start_sweep(store, SweepSpec(sc, N, SEED, EUM), chunk=chunk, client=client)
    samples, values = store.outputs(run_id)
    assert samples.tolist() == list(range(N))
    assert outputs_equal(values, reference)
    record = store.run(run_id)
    assert record.info.complete and record.chunk_size == chunk
    assert record.chunk_ranges == plan_chunks([(0, N)], chunk)
    assert record.summary == uninterrupted[1].summary  # statistics agree to the bit too


def test_default_engines_match_the_forecast(tmp_path, sc, two_workers):
    store = Store(tmp_path / "runs.duckdb")
    run_id = start_sweep(store, SweepSpec(sc, 150, 3), chunk=64, client=two_workers)
    _, values = store.outputs(run_id)
    expected = forecast(sc, 150, 3).outputs()
    assert any(name.startswith("smp.") for name in expected)
    assert outputs_equal(values, expected)


def test_ctrl_c_marks_the_run_interrupted_and_resume_finishes_it_exactly(
    tmp_path, sc, one_worker, two_workers, uninterrupted
):
    store = Store(tmp_path / "runs.duckdb")
    started: list[int] = []

    def stop_after_first_chunk(size: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        start_sweep(
            store,
            SweepSpec(sc, N, SEED, EUM),
            chunk=500,
            client=two_workers,
            progress=stop_after_first_chunk,
            on_start=started.append,
        )
    info = store.runs()[0]
    assert info.run_id == started[0] and info.state == "interrupted"
    assert info.chunks == 1 and info.done == 500
    # resume with another chunk size and another number of workers
    resume_sweep(store, started[0], chunk=333, client=one_worker)
    _, values = store.outputs(started[0])
    assert outputs_equal(values, uninterrupted[0])
    record = store.run(started[0])
    assert record.info.complete
    assert record.summary == uninterrupted[1].summary
    assert record.stats == uninterrupted[1].stats


def test_resume_refuses_a_run_this_version_would_compute_differently(tmp_path, sc, one_worker):
    store = Store(tmp_path / "runs.duckdb")

    def stop(size: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        start_sweep(store, SweepSpec(sc, 300, 2, EUM), chunk=100, client=one_worker, progress=stop)
    run_id = store.runs()[0].run_id
    spec = load_spec(store, run_id)
    check_resumable(store, run_id, spec)  # untouched: fine

    con = duckdb.connect(str(store.path))
    first = con.execute("SELECT min(start) FROM chunks").fetchall()[0][0]
    con.execute(
        "UPDATE samples SET value = value + 1e-9 WHERE sample = ? AND output_id = 0", [first]
    )
    con.close()
    with pytest.raises(SweepError, match="computes sample"):
        check_resumable(store, run_id, spec)

    con = duckdb.connect(str(store.path))
    con.execute('UPDATE runs SET options = json_merge_patch(options, \'{"eum": {"q": 0.5}}\')')
    con.close()
    with pytest.raises(SweepError, match="engine options"):
        check_resumable(store, run_id, spec)


KILL_CHUNK = 700
"""Chunks of the worker-failure tests: long enough (a few tenths of a second) that the one
worker is still computing the next chunk when the first commit triggers the kill; a worker
killed while idle only loses results it holds, which Dask recomputes without counting it
as a failure."""


def worker_killer(client) -> Callable[[int], None]:
    """A progress callback that SIGKILLs one worker process of ``client`` after the first
    committed chunk (the worker's nanny then starts a new one)."""
    kills: list[int] = []

    def kill(size: int) -> None:
        if not kills:
            kills.append(min(client.run(os.getpid).values()))
            os.kill(kills[0], signal.SIGKILL)

    return kill


def test_a_worker_killed_mid_sweep_is_replaced_and_nothing_is_lost(tmp_path, sc, uninterrupted):
    """Dask reruns the chunks a dead worker held; the sweep ends as if nothing happened."""
    store = Store(tmp_path / "runs.duckdb")
    with cluster_client(workers=2) as client:
        pids = set(client.run(os.getpid).values())
        run_id = start_sweep(
            store,
            SweepSpec(sc, N, SEED, EUM),
            chunk=KILL_CHUNK,
            client=client,
            progress=worker_killer(client),
        )
        assert set(client.run(os.getpid).values()) != pids  # one worker was replaced
    record = store.run(run_id)
    assert record.info.complete and record.missing() == []
    _, values = store.outputs(run_id)
    assert outputs_equal(values, uninterrupted[0])
    assert record.summary == uninterrupted[1].summary


def test_a_sweep_whose_worker_dies_for_good_is_marked_failed_and_resumes_exactly(
    tmp_path, sc, one_worker, uninterrupted
):
    """With no retries allowed, a killed worker fails the run: it is marked ``failed`` with
    the reason, keeps its committed chunks, and ``resume_sweep`` completes it exactly."""
    import dask

    store = Store(tmp_path / "runs.duckdb")
    started_ids: list[int] = []
    no_retries = dask.config.set({"distributed.scheduler.allowed-failures": 0})
    failure = pytest.raises(SweepFailed, match=r"run \d+ failed: ")
    with no_retries, cluster_client(workers=1) as client, failure:
        start_sweep(
            store,
            SweepSpec(sc, N, SEED, EUM),
            chunk=KILL_CHUNK,
            client=client,
            progress=worker_killer(client),
            on_start=started_ids.append,
        )
    info = store.runs()[0]
    assert info.run_id == started_ids[0] and info.state == "failed"
    assert info.chunks >= 1 and info.done == KILL_CHUNK * info.chunks < N
    assert "worker" in (store.run(info.run_id).message or "").lower()
    resume_sweep(store, info.run_id, chunk=400, client=one_worker)
    record = store.run(info.run_id)
    assert record.info.complete and record.missing() == []
    _, values = store.outputs(info.run_id)
    assert outputs_equal(values, uninterrupted[0])
    assert record.summary == uninterrupted[1].summary


# -- real processes --------------------------------------------------------------------------


@contextlib.contextmanager
def started(args: list[str], **kwargs) -> Iterator[subprocess.Popen[str]]:
    """A subprocess in its own process group; the whole group is stopped on exit."""
    proc = subprocess.Popen(args, start_new_session=True, text=True, **kwargs)
    try:
        yield proc
    finally:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # leftover children of the group


def scheduler_address(info: Path, proc: subprocess.Popen[str], timeout: float = 300) -> str:
    """The address a scheduler started with ``--port 0`` bound, from its
    ``--scheduler-file`` (written once it listens): no port is picked and released before
    the scheduler takes it, so no other process can take it in between."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the scheduler exited"
        with contextlib.suppress(OSError, ValueError):
            address = json.loads(info.read_text())["address"]
            with socket.create_connection(("127.0.0.1", int(address.rsplit(":", 1)[1])), 1):
                return str(address)
        time.sleep(0.1)
    raise AssertionError(f"the scheduler wrote no address to {info} in {timeout:g} s")


def test_sweep_on_a_running_scheduler_and_workers(tmp_path, reference):
    assert DASK and EXE
    info = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    scheduler += ["--scheduler-file", str(info)]
    with started(scheduler, **quiet) as proc:
        address = scheduler_address(info, proc)
        worker = [DASK, "worker", address, "--host", "127.0.0.1", "--nworkers", "2"]
        worker += ["--nthreads", "1", "--no-dashboard", "--memory-limit", "0"]
        with started(worker, **quiet):
            db = tmp_path / "runs.duckdb"
            args = ["sweep", "dprk-2025", "--scheduler", address, "--samples", "900"]
            args += ["--seed", str(SEED), "--chunk", "250", "--engines", "eum", "--db", str(db)]
            out = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    store = Store(db)
    run = store.runs()[0]
    assert run.complete and run.samples == 900
    _, values = store.outputs(run.run_id)
    assert outputs_equal(values, {k: v[:900] for k, v in reference.items()})
    workers = {w for w in _ledger_workers(db) if w}
    assert all(w.startswith("tcp://127.0.0.1:") for w in workers)


def _ledger_workers(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT worker FROM chunks").fetchall()]
    finally:
        con.close()


def committed_chunks(db: Path) -> int:
    """Chunks committed so far, read the way any other process would (read-only)."""
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:  # not created yet, or the sweep holds it this instant
        return 0
    try:
        return int(con.execute("SELECT count(*) FROM chunks").fetchall()[0][0])
    except duckdb.Error:
        return 0
    finally:
        con.close()


def test_sigkilled_sweep_resumes_to_the_uninterrupted_result(tmp_path, uninterrupted):
    """Killed (by the store's test hook, so no timing decides where) right after the chunk
    [450, 600) is committed; resumed with two workers and another chunk size."""
    assert EXE
    db = tmp_path / "runs.duckdb"
    args = ["sweep", "dprk-2025", "--samples", str(N), "--seed", str(SEED), "--chunk", "150"]
    args += ["--workers", "1", "--engines", "eum", "--db", str(db)]
    env = {**os.environ, "SUMMITRY_TEST_KILL_AT": "450:after"}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    with started([EXE, *args], env=env, **quiet) as sweep:
        sweep.wait(timeout=300)
    assert sweep.returncode == -signal.SIGKILL
    assert (450, 600) in Store(db).run(Store(db).runs()[0].run_id).chunk_ranges

    store = Store(db)
    info = store.runs()[0]
    assert info.state == "interrupted" and 0 < info.done < N
    assert info.done == 150 * info.chunks  # whole chunks only
    samples, _ = store.outputs(info.run_id)
    assert samples.size == info.done

    resume = ["sweep", "--resume", str(info.run_id), "--workers", "2", "--chunk", "400"]
    out = subprocess.run(
        [EXE, *resume, "--db", str(db)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert f"{N - info.done:,} samples computed" in out.stdout
    record = store.run(info.run_id)
    assert record.info.complete and record.missing() == []
    _, values = store.outputs(info.run_id)
    assert outputs_equal(values, uninterrupted[0])
    assert record.summary == uninterrupted[1].summary


def spawned_children(pid: int) -> list[int]:
    """The multiprocessing children of ``pid`` (Dask's worker processes), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            status = (entry / "status").read_text()
            ppid = int(status.split("PPid:")[1].split()[0])
            if ppid == pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


def test_cli_reports_a_failed_sweep_with_the_resume_command(tmp_path, uninterrupted):
    """Workers killed under a scheduler that allows no retries: exit 1, one line naming the
    run and the resume command, no traceback; the resume then completes the run exactly."""
    assert EXE
    db = tmp_path / "runs.duckdb"
    args = ["sweep", "dprk-2025", "--samples", str(N), "--seed", str(SEED)]
    args += ["--chunk", str(KILL_CHUNK), "--workers", "1", "--engines", "eum", "--db", str(db)]
    # the worker SIGKILLs itself as it starts the second chunk (the store's test hook), so
    # the kill never races the sweep's progress (whether the first chunk's result reached the
    # store before the worker died is up to Dask: the resume completes the run either way)
    env = {
        **os.environ,
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0",
        KILL_HOOK: f"{KILL_CHUNK}:compute",
    }
    sweep = subprocess.run([EXE, *args], env=env, capture_output=True, text=True, timeout=600)
    err = sweep.stderr
    assert sweep.returncode == 1, err
    run_id = Store(db).runs()[0].run_id
    assert "Traceback" not in err
    message = err.strip().splitlines()[-1]
    assert message.startswith(f"run {run_id} failed: ")
    assert message.endswith(f"continue it with: summitry sweep --resume {run_id} --db {db}")
    assert Store(db).runs()[0].state == "failed"

    resume = subprocess.run(
        [EXE, "sweep", "--resume", str(run_id), "--db", str(db), "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resume.returncode == 0, resume.stderr
    _, values = Store(db).outputs(run_id)
    assert outputs_equal(values, uninterrupted[0])


# -- SIGKILL at chosen points of the commit path ----------------------------------------------

HOOK_N, HOOK_SEED, HOOK_CHUNK = 240, 5, 40
"""Every engine on dprk-2025 (so the options game's outputs too), six chunks of 40."""


@pytest.fixture(scope="module")
def every_engine(sc, one_worker, tmp_path_factory):
    """An uninterrupted sweep of every engine, in chunks of yet another size."""
    store = Store(tmp_path_factory.mktemp("every") / "runs.duckdb")
    run_id = start_sweep(store, SweepSpec(sc, HOOK_N, HOOK_SEED), chunk=60, client=one_worker)
    _, values = store.outputs(run_id)
    assert any(name.startswith("options.") for name in values)
    return values, store.run(run_id)


@pytest.mark.parametrize(
    ("start", "when"),
    [(0, "before"), (80, "inside"), (120, "after"), (HOOK_N - HOOK_CHUNK, "after")],
)
def test_sweep_killed_at_a_commit_point_resumes_to_the_uninterrupted_result(
    tmp_path, every_engine, start, when
):
    """The store's kill hook (``SUMMITRY_TEST_KILL_AT``) makes the sweep SIGKILL itself
    before, inside or after the transaction that commits the chunk at ``start``: no timing
    decides where the kill lands. The ledger holds that chunk only once it was committed,
    the samples are exactly the ledger's chunks, and ``--resume`` with another chunk size
    ends bit-identical to the uninterrupted sweep."""
    assert EXE
    db = tmp_path / "runs.duckdb"
    args = ["sweep", "dprk-2025", "--samples", str(HOOK_N), "--seed", str(HOOK_SEED)]
    args += ["--chunk", str(HOOK_CHUNK), "--workers", "1", "--db", str(db)]
    env = {**os.environ, "SUMMITRY_TEST_KILL_AT": f"{start}:{when}"}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    with started([EXE, *args], env=env, **quiet) as sweep:
        sweep.wait(timeout=300)
    assert sweep.returncode == -signal.SIGKILL

    store = Store(db)
    info = store.runs()[0]
    assert info.state == "interrupted"
    ranges = store.run(info.run_id).chunk_ranges
    assert ((start, start + HOOK_CHUNK) in ranges) == (when == "after")
    samples, _ = store.outputs(info.run_id)
    assert samples.tolist() == [i for a, b in sorted(ranges) for i in range(a, b)]
    assert info.done == HOOK_CHUNK * len(ranges)

    resume = [EXE, "sweep", "--resume", str(info.run_id), "--workers", "1", "--chunk", "70"]
    out = subprocess.run([*resume, "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert f"{HOOK_N - info.done:,} samples computed" in out.stdout
    record = store.run(info.run_id)
    assert record.info.complete and record.missing() == []
    _, values = store.outputs(info.run_id)
    assert outputs_equal(values, every_engine[0])
    assert record.summary == every_engine[1].summary
    assert record.stats == every_engine[1].stats
