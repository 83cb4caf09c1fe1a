"""The results store: every run, its per-sample outputs and summaries, in one DuckDB file.

    from summitry.store import Store
    store = Store("summitry.duckdb")
    run_id = store.save_run("forecast", sc, seed, options, fc.outputs(), fc.to_dict())
    store.runs()                      # [RunInfo, ...], newest first
    store.run(run_id)                 # RunRecord: metadata, scenario, options, summary, chunks
    samples, values = store.outputs(run_id)   # per-sample outputs in sample order

A chunked run (a sweep) is written in steps, each its own transaction:
:meth:`Store.begin_run` (the run row, status ``running``), :meth:`Store.commit_chunk` (one
chunk's rows with its ledger row), :meth:`Store.finish_run` (statistics, summary and status
``complete``). Readers therefore see whole chunks only, and a run that never finished stays
visibly incomplete. DuckDB admits one writing process at a time; every call here opens the
file for one transaction and closes it, waiting (up to ``lock_timeout``) while another
process holds it, so ``summitry runs list`` works while a sweep is running.

Schema and guarantees: docs/store.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    import duckdb

    from summitry.scenario import Scenario

from summitry.store.export import export_run
from summitry.store.files import (
    CONFIG,
    access_lock,
    check_directory,
    classify_open_error,
    classify_query_error,
    create_atomically,
    damaged,
    lock_holder,
    not_a_store,
    precheck,
    truncation,
)
from summitry.store.hashing import canonical_json, scenario_data, scenario_from_data
from summitry.store.ownership import kill_hook, owner_alive, owner_token
from summitry.store.records import (
    RunInfo,
    RunRecord,
    _as_outputs,
    _loads,
    _now,
    _with_nan,
    output_stats,
)
from summitry.store.schema import _SCHEMA, DEFAULT_DB, MIGRATIONS, SCHEMA_VERSION, StoreError


class Store:
    """A DuckDB file of runs. Cheap to create; each method opens the file for one
    transaction. Raises :class:`StoreError` with a one-line message on every problem the
    user can fix (not a DuckDB file, not a store, unknown run, locked too long)."""

    def __init__(
        self,
        path: str | Path = DEFAULT_DB,
        *,
        lock_timeout: float = 60.0,
        memory_limit: str = "1GB",
        create: bool = True,
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.memory_limit = memory_limit
        self.create = create
        self._ready = False

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # -- connections -------------------------------------------------------------------

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        """A connection to the file, waiting while another process holds DuckDB's lock on
        it (up to ``lock_timeout``). A missing file is created (atomically, when writing
        and ``create``); every other problem is one :class:`StoreError` named by its
        cause (:mod:`summitry.store.files`), never by the wording of DuckDB's message."""
        import duckdb

        if not precheck(self.path, write=not read_only):
            if read_only or not self.create:
                raise StoreError(f"no store at {self.path} (no such file)")
            create_atomically(self.path, _initialise)
        config = {**CONFIG, "memory_limit": self.memory_limit}
        deadline = time.monotonic() + self.lock_timeout
        pause = 0.02
        unexplained = 0
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config=config)
            except duckdb.Error as exc:
                holder = lock_holder(self.path, write=not read_only)
                if holder is None:
                    # not locked now; a lock released just before the probe looks the
                    # same, so only a failure that repeats without a lock is the file's
                    unexplained += 1
                    if unexplained >= 3:
                        if not self.path.exists():
                            raise StoreError(f"no store at {self.path} (no such file)") from None
                        raise classify_open_error(self.path, exc) from None
                elif time.monotonic() >= deadline:
                    who = f"process {holder}" if holder else "another process"
                    raise StoreError(
                        f"{self.path} is in use by {who} for more than {self.lock_timeout:g} s"
                    ) from None
                else:
                    unexplained = 0
                time.sleep(pause)
                pause = min(pause * 1.5, 0.5)

    @contextlib.contextmanager
    def _reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        import duckdb

        with access_lock(self.path, exclusive=False, timeout=self.lock_timeout):
            con = self._open(read_only=True)
            try:
                self._check_schema(con, writable=False)
                yield con
            except duckdb.Error as exc:
                con.close()  # before the file is looked at (see files.truncation)
                raise self._translate(exc, writing=False) from None
            finally:
                con.close()

    @contextlib.contextmanager
    def _writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        import duckdb

        if not self.create and not self.path.exists():
            raise StoreError(f"no store at {self.path} (no such file)")  # no lock file either
        with access_lock(self.path, exclusive=True, timeout=self.lock_timeout):
            con = self._open(read_only=False)
            try:
                if not self._ready:
                    self._check_schema(con, writable=True)
                    self._ready = True
                con.begin()
                try:
                    yield con
                except BaseException:
                    with contextlib.suppress(duckdb.Error):
                        con.rollback()
                    raise
                con.commit()
            except duckdb.Error as exc:
                with contextlib.suppress(duckdb.Error):
                    con.close()  # before the file is looked at (see files.truncation)
                raise self._translate(exc, writing=True) from None
            finally:
                with contextlib.suppress(duckdb.Error):
                    con.close()

    def _translate(self, exc: Exception, *, writing: bool) -> Exception:
        """A DuckDB error met on an open store as a :class:`StoreError` by its type
        (:func:`summitry.store.files.classify_query_error`); anything else unchanged."""
        return classify_query_error(self.path, exc, writing=writing) or exc

    def _check_schema(self, con: duckdb.DuckDBPyConnection, writable: bool) -> None:
        """The file is a summitry store of this or an older version (upgraded when
        ``writable``, read as it is otherwise): refused with one line if it is another
        DuckDB database, a damaged store or one written by a newer summitry."""
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "store_meta" not in tables:
            what = (
                f"a DuckDB database with other tables ({', '.join(sorted(tables)[:3])}"
                + (", ...)" if len(tables) > 3 else ")")
                if tables
                else "an empty DuckDB database"
            )
            raise not_a_store(self.path, what)
        meta = dict(con.execute("SELECT key, value FROM store_meta").fetchall())
        text = meta.get("schema_version")
        if text is None or not str(text).isdigit():
            raise damaged(self.path, f"store_meta.schema_version is {text!r}")
        found = int(text)
        if found > SCHEMA_VERSION:
            by = meta.get("created_by") or "a newer summitry"
            raise StoreError(
                f"{self.path} was written by a newer summitry ({by}; store schema "
                f"{found} > {SCHEMA_VERSION}); upgrade summitry to use it"
            )
        missing = [t for t in _TABLES if t not in tables]
        if found == SCHEMA_VERSION and missing:
            raise damaged(self.path, f"table {missing[0]} is missing")
        if found < SCHEMA_VERSION:
            if not writable:
                return  # read as it is: the tables of later versions read as empty
            con.begin()
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(version, []):
                    con.execute(statement)
            con.execute(
                "UPDATE store_meta SET value = ? WHERE key = 'schema_version'",
                [str(SCHEMA_VERSION)],
            )
            con.commit()

    def check(self) -> None:
        """Check the store's location before any work: the file opens for writing as a
        store of this version (created if missing and ``create``, upgraded if older) and
        its directory accepts the files DuckDB writes beside it. One
        :class:`StoreError` otherwise (docs/store.md, "When a run cannot be saved")."""
        if precheck(self.path, write=True):
            check_directory(self.path)
            cut = truncation(self.path)
            if cut:
                raise damaged(self.path, cut)
        with self._writer():
            pass

    # -- writing -------------------------------------------------------------------------

    def save_run(
        self,
        kind: str,
        scenario: Scenario | None,
        seed: int | None,
        options: Mapping[str, Any],
        outputs: Mapping[str, ArrayLike],
        summary: Any,
        *,
        started_at: dt.datetime | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> int:
        """Store a finished run in one transaction and return its id.

        ``kind`` names the command (``forecast``, ``compare``, ``sensitivity``, ...);
        ``options`` the engine options and run parameters (JSON-ready data); ``outputs`` maps
        an output name to one value per sample (sample ``i`` is row ``i``); ``summary`` is
        any JSON-ready data; ``extra`` anything else the kind needs to keep. Statistics of
        every output go to ``output_stats``.
        """
        arrays = _as_outputs(outputs)
        samples = next(iter(arrays.values())).shape[0] if arrays else 0
        stats = {name: output_stats(v) for name, v in arrays.items()}
        with self._writer() as con:
            run_id = self._insert_run(
                con,
                kind,
                scenario,
                seed,
                options,
                samples=samples,
                chunk=samples or None,
                names=list(arrays),
                status="complete",
                started_at=started_at or _now(),
                extra=extra,
            )
            if arrays:
                self._insert_chunk(con, run_id, 0, arrays, None, None)
            self._insert_stats(con, run_id, stats)
            con.execute(
                "UPDATE runs SET summary = ?, finished_at = ? WHERE run_id = ?",
                [canonical_json(summary), _now(), run_id],
            )
        return run_id

    def begin_run(
        self,
        kind: str,
        scenario: Scenario | None,
        seed: int | None,
        options: Mapping[str, Any],
        *,
        samples: int,
        chunk: int,
        outputs: Sequence[str],
        extra: Mapping[str, Any] | None = None,
    ) -> int:
        """Create a chunked run with status ``running``, owned by this process; return its id.

        ``outputs`` names the per-sample outputs every chunk will carry, in order.
        """
        if samples < 1 or chunk < 1:
            raise StoreError("samples and chunk must be at least 1")
        with self._writer() as con:
            return self._insert_run(
                con,
                kind,
                scenario,
                seed,
                options,
                samples=samples,
                chunk=chunk,
                names=list(outputs),
                status="running",
                started_at=_now(),
                extra=extra,
            )

    def commit_chunk(
        self,
        run_id: int,
        start: int,
        outputs: Mapping[str, ArrayLike],
        *,
        seconds: float | None = None,
        worker: str | None = None,
    ) -> None:
        """Append samples ``start .. start + len - 1`` of every output and the chunk's ledger
        row, in one transaction. Refused if the run is not ``running`` under this process,
        if the names differ from the run's outputs, or if the range overlaps a committed
        chunk or leaves ``[0, samples)``."""
        arrays = _as_outputs(outputs)
        size = next(iter(arrays.values())).shape[0] if arrays else 0
        kill_hook(start, "before")
        with self._writer() as con:
            row = con.execute(
                "SELECT status, owner, samples FROM runs WHERE run_id = ?", [run_id]
            ).fetchone()
            if row is None:
                raise StoreError(f"no run {run_id} in {self.path}")
            status, owner, total = row
            if status != "running" or owner != owner_token():
                raise StoreError(f"run {run_id} is not being written by this process")
            names = self._output_names(con, run_id)
            if list(arrays) != names:
                raise StoreError(f"run {run_id}: chunk outputs {list(arrays)} != {names}")
            stop = start + size
            if size < 1 or start < 0 or stop > total:
                raise StoreError(f"run {run_id}: chunk [{start}, {stop}) is outside [0, {total})")
            clash = con.execute(
                "SELECT start, stop FROM chunks WHERE run_id = ? AND start < ? AND stop > ?",
                [run_id, stop, start],
            ).fetchone()
            if clash is not None:
                raise StoreError(
                    f"run {run_id}: chunk [{start}, {stop}) overlaps committed "
                    f"[{clash[0]}, {clash[1]})"
                )
            self._insert_chunk(con, run_id, start, arrays, seconds, worker)
            kill_hook(start, "inside")
        kill_hook(start, "after")

    def finish_run(self, run_id: int, summary: Any = None) -> Any:
        """Compute every output's statistics and mark the run ``complete``, with ``summary``
        (default: ``{"outputs": statistics}``), in one transaction; return the summary.
        Refused unless every sample is committed."""
        record = self.run(run_id)
        if record.missing():
            raise StoreError(f"run {run_id} still misses samples {record.missing()[:3]}")
        stats: dict[str, dict[str, float | int | None]] = {}
        with self._reader() as con:
            for name in record.outputs:
                _, values = self._read_outputs(con, run_id, [name], None, None)
                stats[name] = output_stats(values[name])
        result = {"outputs": stats} if summary is None else summary
        with self._writer() as con:
            row = con.execute("SELECT status, owner FROM runs WHERE run_id = ?", [run_id])
            status, owner = row.fetchone() or (None, None)
            if status != "running" or owner != owner_token():
                raise StoreError(f"run {run_id} is not being written by this process")
            con.execute("DELETE FROM output_stats WHERE run_id = ?", [run_id])
            self._insert_stats(con, run_id, stats)
            con.execute(
                "UPDATE runs SET status = 'complete', summary = ?, finished_at = ?, "
                "owner = NULL, message = NULL WHERE run_id = ?",
                [canonical_json(result), _now(), run_id],
            )
        return result

    def set_status(self, run_id: int, status: str, message: str | None = None) -> None:
        """Mark a run of this process ``failed`` or ``interrupted`` (with a reason)."""
        if status not in ("failed", "interrupted"):
            raise ValueError(f"status must be 'failed' or 'interrupted', got {status!r}")
        with self._writer() as con:
            con.execute(
                "UPDATE runs SET status = ?, message = ?, owner = NULL "
                "WHERE run_id = ? AND status = 'running' AND owner = ?",
                [status, message, run_id, owner_token()],
            )

    def claim(self, run_id: int) -> RunRecord:
        """Take over an unfinished run to resume it (status back to ``running``, owned by
        this process). Refused for complete runs and runs whose process still runs here."""
        with self._writer() as con:
            row = con.execute(
                "SELECT status, owner FROM runs WHERE run_id = ?", [run_id]
            ).fetchone()
            if row is None:
                raise StoreError(f"no run {run_id} in {self.path}")
            status, owner = row
            if status == "complete":
                raise StoreError(f"run {run_id} is already complete; nothing to resume")
            if status == "running" and owner_alive(owner):
                pid = str(owner).split("|")[1]
                raise StoreError(f"run {run_id} is still being computed by process {pid}")
            con.execute(
                "UPDATE runs SET status = 'running', owner = ?, message = NULL WHERE run_id = ?",
                [owner_token(), run_id],
            )
        return self.run(run_id)

    def _insert_run(
        self,
        con: duckdb.DuckDBPyConnection,
        kind: str,
        scenario: Scenario | None,
        seed: int | None,
        options: Mapping[str, Any],
        *,
        samples: int,
        chunk: int | None,
        names: list[str],
        status: str,
        started_at: dt.datetime,
        extra: Mapping[str, Any] | None,
    ) -> int:
        if len(set(names)) != len(names):
            raise StoreError("output names must be unique")
        row = con.execute("SELECT nextval('run_id_seq')").fetchone()
        assert row is not None
        run_id = int(row[0])
        sc_text = None if scenario is None else canonical_json(scenario_data(scenario))
        con.execute(
            "INSERT INTO runs (run_id, kind, status, scenario_name, scenario_hash, scenario, "
            "package_version, seed, samples, chunk_size, options, extra, owner, started_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                kind,
                status,
                None if scenario is None else scenario.name,
                None if sc_text is None else hashlib.sha256(sc_text.encode()).hexdigest(),
                sc_text,
                _version(),
                seed,
                samples,
                chunk,
                canonical_json(options),
                canonical_json(extra or {}),
                owner_token() if status == "running" else None,
                started_at,
            ],
        )
        if names:
            con.executemany(
                "INSERT INTO run_outputs VALUES (?, ?, ?)",
                [[run_id, k, name] for k, name in enumerate(names)],
            )
        return run_id

    @staticmethod
    def _insert_chunk(
        con: duckdb.DuckDBPyConnection,
        run_id: int,
        start: int,
        arrays: Mapping[str, NDArray[np.float64]],
        seconds: float | None,
        worker: str | None,
    ) -> None:
        """One bulk insert of the chunk's long rows from numpy columns (DuckDB scans the
        arrays in place; NaN arrives as NULL), then its ledger row."""
        k = len(arrays)
        size = next(iter(arrays.values())).shape[0]
        columns = {
            "run_id": np.full(k * size, run_id, dtype=np.int64),
            "output_id": np.repeat(np.arange(k, dtype=np.int32), size),
            "sample": np.tile(np.arange(start, start + size, dtype=np.int64), k),
            "value": np.concatenate(list(arrays.values())),
        }
        import duckdb

        con.register("_summitry_chunk", columns)
        try:
            con.execute(
                "INSERT INTO samples (run_id, output_id, sample, value) "
                "SELECT run_id, output_id, sample, value FROM _summitry_chunk"
            )
        except BaseException:
            # the aborted transaction refuses even this; the insert's error is the one
            with contextlib.suppress(duckdb.Error):
                con.unregister("_summitry_chunk")
            raise
        con.unregister("_summitry_chunk")
        con.execute(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
            [run_id, start, start + size, _now(), seconds, worker],
        )

    @staticmethod
    def _insert_stats(
        con: duckdb.DuckDBPyConnection,
        run_id: int,
        stats: Mapping[str, Mapping[str, float | int | None]],
    ) -> None:
        cols = ("n", "mean", "sd", "min", "p10", "p50", "p90", "max")
        rows = [[run_id, name, *(s[c] for c in cols)] for name, s in stats.items()]
        if rows:
            con.executemany("INSERT INTO output_stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    @staticmethod
    def _output_names(con: duckdb.DuckDBPyConnection, run_id: int) -> list[str]:
        rows = con.execute(
            "SELECT name FROM run_outputs WHERE run_id = ? ORDER BY output_id", [run_id]
        ).fetchall()
        return [r[0] for r in rows]

    # -- reading -------------------------------------------------------------------------

    _INFO_SQL = """
        SELECT r.run_id, r.kind, r.status, r.scenario_name, r.scenario_hash, r.samples,
               coalesce(c.done, 0), coalesce(c.n, 0), r.seed, r.package_version,
               r.started_at, r.finished_at, r.owner
        FROM runs AS r
        LEFT JOIN (SELECT run_id, sum(stop - start) AS done, count(*) AS n
                   FROM chunks GROUP BY run_id) AS c USING (run_id)
    """

    @staticmethod
    def _info(row: tuple[Any, ...]) -> RunInfo:
        status, owner = row[2], row[12]
        state = status
        if status == "running" and owner_alive(owner) is False:
            state = "interrupted"
        return RunInfo(
            run_id=int(row[0]),
            kind=row[1],
            status=status,
            state=state,
            scenario_name=row[3],
            scenario_hash=row[4],
            samples=None if row[5] is None else int(row[5]),
            done=int(row[6]),
            chunks=int(row[7]),
            seed=None if row[8] is None else int(row[8]),
            package_version=row[9],
            started_at=row[10],
            finished_at=row[11],
        )

    def runs(self, kind: str | None = None, limit: int | None = None) -> list[RunInfo]:
        """Stored runs, newest first (optionally of one ``kind``; at most ``limit``)."""
        sql = self._INFO_SQL + (" WHERE r.kind = ?" if kind else "") + " ORDER BY r.run_id DESC"
        params: list[Any] = [kind] if kind else []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        with self._reader() as con:
            return [self._info(r) for r in con.execute(sql, params).fetchall()]

    def run(self, run_id: int) -> RunRecord:
        """One run's metadata, scenario, options, summary, ledger and statistics."""
        with self._reader() as con:
            row = con.execute(self._INFO_SQL + " WHERE r.run_id = ?", [run_id]).fetchone()
            if row is None:
                raise StoreError(f"no run {run_id} in {self.path}")
            more = con.execute(
                "SELECT scenario, options, summary, extra, chunk_size, owner, message "
                "FROM runs WHERE run_id = ?",
                [run_id],
            ).fetchone()
            assert more is not None
            ranges = con.execute(
                "SELECT start, stop FROM chunks WHERE run_id = ? ORDER BY start", [run_id]
            ).fetchall()
            stat_rows = con.execute(
                "SELECT output, n, mean, sd, min, p10, p50, p90, max FROM output_stats "
                "WHERE run_id = ?",
                [run_id],
            ).fetchall()
            names = self._output_names(con, run_id)
        cols = ("n", "mean", "sd", "min", "p10", "p50", "p90", "max")
        by_name = {r[0]: dict(zip(cols, r[1:], strict=True)) for r in stat_rows}
        return RunRecord(
            info=self._info(row),
            scenario=_loads(more[0]),
            options=_loads(more[1]) or {},
            summary=_loads(more[2]),
            extra=_loads(more[3]) or {},
            chunk_size=None if more[4] is None else int(more[4]),
            outputs=names,
            chunk_ranges=[(int(a), int(b)) for a, b in ranges],
            stats={n: by_name[n] for n in names if n in by_name},
            owner=more[5],
            message=more[6],
        )

    def scenario(self, run_id: int) -> Scenario:
        """The scenario exactly as the run used it (rebuilt from the stored copy)."""
        record = self.run(run_id)
        if record.scenario is None:
            raise StoreError(f"run {run_id} stored no scenario")
        return scenario_from_data(record.scenario, f"<scenario of run {run_id}>")

    def outputs(
        self,
        run_id: int,
        names: Sequence[str] | None = None,
        *,
        start: int | None = None,
        stop: int | None = None,
    ) -> tuple[NDArray[np.int64], dict[str, NDArray[np.float64]]]:
        """Committed per-sample values in sample order: ``(sample indices, {name: values})``,
        optionally only samples ``start <= sample < stop``."""
        with self._reader() as con:
            return self._read_outputs(con, run_id, names, start, stop)

    def _read_outputs(
        self,
        con: duckdb.DuckDBPyConnection,
        run_id: int,
        names: Sequence[str] | None,
        start: int | None,
        stop: int | None,
    ) -> tuple[NDArray[np.int64], dict[str, NDArray[np.float64]]]:
        if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is None:
            raise StoreError(f"no run {run_id} in {self.path}")
        all_names = self._output_names(con, run_id)
        wanted = list(all_names if names is None else names)
        unknown = [n for n in wanted if n not in all_names]
        if unknown:
            raise StoreError(f"run {run_id} has no output {unknown[0]!r}")
        where = "run_id = ? AND output_id = ?"
        bounds: list[Any] = []
        if start is not None:
            where += " AND sample >= ?"
            bounds.append(int(start))
        if stop is not None:
            where += " AND sample < ?"
            bounds.append(int(stop))
        samples: NDArray[np.int64] = np.empty(0, dtype=np.int64)
        values: dict[str, NDArray[np.float64]] = {}
        for i, name in enumerate(wanted):
            k = all_names.index(name)
            got = con.execute(
                f"SELECT sample, value FROM samples WHERE {where} ORDER BY sample",
                [run_id, k, *bounds],
            ).fetchnumpy()
            idx = np.asarray(got["sample"], dtype=np.int64)
            if i == 0:
                samples = idx
            elif not np.array_equal(idx, samples):
                raise StoreError(f"run {run_id}: outputs cover different samples")
            values[name] = _with_nan(got["value"])
        if not wanted:
            got = con.execute(
                "SELECT DISTINCT sample FROM samples WHERE run_id = ? ORDER BY sample", [run_id]
            ).fetchnumpy()
            samples = np.asarray(got["sample"], dtype=np.int64)
        return samples, values

    # -- export --------------------------------------------------------------------------

    def export(self, run_id: int, directory: str | Path) -> list[Path]:
        """Write ``run-<id>.json`` and ``run-<id>.parquet`` into ``directory``
        (:func:`summitry.store.export.export_run`)."""
        return export_run(self, run_id, directory)


_TABLES = ("store_meta", "runs", "run_outputs", "chunks", "samples", "output_stats")
"""Tables every store of this version has (a store missing one is damaged)."""


def _initialise(con: duckdb.DuckDBPyConnection) -> None:
    """Write the schema of a new store (into the temporary file that becomes it)."""
    con.begin()
    for statement in _SCHEMA:
        con.execute(statement)
    con.execute(
        "INSERT INTO store_meta VALUES ('schema_version', ?), ('created_by', ?)",
        [str(SCHEMA_VERSION), f"summitry {_version()}"],
    )
    con.commit()


def _version() -> str:
    from summitry import __version__

    return __version__
