"""Damaged, foreign and newer store files, concurrent creation and the store's location
(docs/store.md, "Damaged, foreign and newer files"): one StoreError naming the file and
the cause, decided by the file's type, bytes, lock and errno, never by message wording."""

from __future__ import annotations

import multiprocessing
import os
import stat
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from bad_stores import CASES, DAMAGED, garbage, good_store
from summitry.store import Store, StoreError
from summitry.store.files import (
    HEADER_BYTES,
    foreign_format,
    lock_file,
    lock_holder,
    truncation,
)


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> bytes:
    """The bytes of a real store with two runs, the stuff every bad file is made from."""
    return good_store(tmp_path_factory.mktemp("good") / "good.duckdb", runs=2).read_bytes()


@pytest.mark.parametrize("case", list(CASES))
def test_every_bad_file_is_one_clear_error_and_left_as_it_was(tmp_path, original, case):
    make, needle = CASES[case]
    path = tmp_path / "runs.duckdb"
    make(path, original)
    before = path.read_bytes()
    # a long lock timeout: were the error taken for a lock, the test would wait 10 minutes
    # and then fail on the message (no timing is asserted)
    for call in (
        lambda: Store(path, lock_timeout=600).runs(),
        lambda: Store(path, lock_timeout=600).run(1),
        lambda: Store(path, lock_timeout=600).outputs(1),
        lambda: Store(path, lock_timeout=600).check(),
    ):
        with pytest.raises(StoreError) as err:
            call()
        message = str(err.value)
        assert needle in message and str(path) in message, message
        assert "\n" not in message
    assert path.read_bytes() == before, "a bad store file is never written to"
    # nothing beside it but, after a write was tried, the empty lock file of writers
    assert {p.name for p in tmp_path.iterdir()} <= {"runs.duckdb", ".runs.duckdb.lock"}
    assert not (tmp_path / ".runs.duckdb.lock").exists() or not lock_file(path).read_bytes()


def test_damage_far_into_the_file_is_found_when_read_and_named(tmp_path, original):
    """Garbage at the start of every data block but the first: DuckDB opens the file, the
    reads that meet such a block fail its checksum: damaged, with what may still be read."""
    path = tmp_path / "runs.duckdb"
    data = original
    for start in range(HEADER_BYTES + 2**18, len(original), 2**18):
        data = garbage(data, start, 64)
    path.write_bytes(data)
    failures = []
    for call in (lambda: Store(path).outputs(1), lambda: Store(path).outputs(2)):
        try:
            call()
        except StoreError as err:
            failures.append(str(err))
    assert failures, "one of the runs lies in the damaged block"
    for message in failures:
        assert DAMAGED in message and "summitry runs export" in message, message


def test_the_header_records_the_size_a_truncated_file_misses(tmp_path, original):
    path = tmp_path / "runs.duckdb"
    path.write_bytes(original)
    assert truncation(path) is None
    path.write_bytes(original[: len(original) - 4096])
    text = truncation(path)
    assert text is not None and f"{len(original) - 4096:,} bytes of the {len(original):,}" in text


def test_a_file_cut_at_a_block_boundary_is_not_called_truncated(tmp_path, original):
    """DuckDB cuts free blocks off the end of a healthy store, so its file can be shorter
    than the header's block count (seen after three saved sensitivity runs): only a file
    that ends inside a block is truncated before DuckDB reads it."""
    path = tmp_path / "runs.duckdb"
    blocks = (len(original) - HEADER_BYTES) // (256 * 1024)
    assert blocks >= 1 and (len(original) - HEADER_BYTES) % (256 * 1024) == 0
    path.write_bytes(original[: len(original) - 256 * 1024])
    assert truncation(path) is None
    path.write_bytes(original[: len(original) - 256 * 1024 - 1])
    assert truncation(path) is not None


def test_formats_are_told_by_their_first_bytes():
    assert foreign_format(b"SQLite format 3\x00" + bytes(100)) == "it is a SQLite database"
    assert foreign_format(b"PAR1" + bytes(10)) == "it is a Parquet file"
    assert "text file" in (foreign_format(b"runs: 3\n") or "")
    assert "unknown format" in (foreign_format(bytes(range(256))) or "")
    assert foreign_format(bytes(8) + b"DUCK" + bytes(20)) is None


def test_directories_fifos_and_devices_are_refused_without_being_opened(tmp_path):
    fifo = tmp_path / "pipe.duckdb"
    os.mkfifo(fifo)  # opening it would block until a writer came: it must not be opened
    for path, what in ((fifo, "is a FIFO"), (Path("/dev/null"), "is a device"), (tmp_path, "")):
        for call in (Store(path).runs, Store(path).check):
            with pytest.raises(StoreError, match=what or "is a directory"):
                call()
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_readers_and_resumes_never_create_a_store(tmp_path):
    missing = tmp_path / "typo.duckdb"
    for call in (
        Store(missing).runs,
        lambda: Store(missing).run(1),
        lambda: Store(missing).outputs(1),
        lambda: Store(missing).export(1, tmp_path / "out"),
        Store(missing, create=False).check,
    ):
        with pytest.raises(StoreError, match="no store at"):
            call()
    assert list(tmp_path.iterdir()) == []


def _unwritable_directory(tmp_path: Path) -> Path:
    """A directory in which this process cannot create files, whoever runs the tests:
    a read-only copy of tmp_path for a normal user; for root (who may write anywhere a
    mode forbids), sysfs, where nobody may create files."""
    if os.geteuid() != 0:
        ro = tmp_path / "read-only"
        ro.mkdir()
        ro.chmod(0o555)
        return ro
    sysfs = Path("/sys/kernel")
    try:
        tempfile.mkstemp(dir=sysfs)
    except OSError:
        return sysfs
    pytest.skip("no directory refuses root here")  # pragma: no cover


def test_a_location_that_cannot_hold_the_store_is_refused_before_any_work(tmp_path, original):
    directory = _unwritable_directory(tmp_path)
    with pytest.raises(StoreError, match=r"cannot create files in .*permission denied") as err:
        Store(directory / "runs.duckdb").check()
    assert "\n" not in str(err.value)
    parent_is_a_file = tmp_path / "afile"
    parent_is_a_file.write_text("x")
    with pytest.raises(StoreError, match="cannot"):
        Store(parent_is_a_file / "runs.duckdb").check()


def _create_and_save(path: str, barrier, index: int, stagger: float) -> None:
    barrier.wait(timeout=300)
    time.sleep(index * stagger)  # spreads the starts over the old race window; no timing
    store = Store(path)  # is asserted: the right code passes whatever the interleaving
    store.save_run("forecast", None, index, {}, {"x": [float(index)]}, {"i": index})


@pytest.mark.parametrize("round_", range(12))
def test_ten_processes_creating_one_new_store_all_succeed(tmp_path, round_):
    """Ten real processes released together by a barrier, their starts 0.2-0.8 ms apart,
    each create the same new store and save a run in it: every one succeeds, the file
    holds ten runs (none lost: DuckDB alone lost one about one round in ten), nothing but
    the lock file is left over. (With DuckDB creating the file in place, a
    process that opened it between another's create and header write failed with "not a
    valid DuckDB database file": in this set-up about one round in six.)"""
    ctx = multiprocessing.get_context("spawn")  # fresh processes, as separate commands are
    path = tmp_path / "new.duckdb"
    barrier = ctx.Barrier(10)
    stagger = 0.0002 * (1 + round_ % 4)
    procs = [
        ctx.Process(target=_create_and_save, args=(str(path), barrier, i, stagger))
        for i in range(10)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=600)
    assert [p.exitcode for p in procs] == [0] * 10
    runs = Store(path).runs()
    assert sorted(r.seed for r in runs) == list(range(10))
    assert len({r.run_id for r in runs}) == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == [".new.duckdb.lock", "new.duckdb"]


def test_a_lock_is_found_by_probing_it_not_by_reading_a_message(tmp_path, original):
    path = tmp_path / "runs.duckdb"
    path.write_bytes(original)
    assert lock_holder(path, write=True) is None
    ctx = multiprocessing.get_context("fork")
    ready, done = ctx.Event(), ctx.Event()

    def hold() -> None:
        con = duckdb.connect(str(path))
        ready.set()
        done.wait(timeout=300)
        con.close()

    proc = ctx.Process(target=hold)
    proc.start()
    try:
        assert ready.wait(timeout=300)
        assert lock_holder(path, write=True) in (proc.pid, 0)
        assert lock_holder(path, write=False) in (proc.pid, 0)
        with pytest.raises(StoreError, match="is in use by"):
            Store(path, lock_timeout=0.5).runs()
    finally:
        done.set()
        proc.join(timeout=300)
    assert lock_holder(path, write=True) is None
    assert len(Store(path).runs()) == 2
