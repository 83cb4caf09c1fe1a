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
import json
import math
import os
import re
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    import duckdb

    from summitry.scenario import Scenario

SCHEMA_VERSION = 1
"""Version of the tables below; :data:`MIGRATIONS` upgrades older stores on first write."""

DEFAULT_DB = "summitry.duckdb"
DB_ENVVAR = "SUMMITRY_DB"
"""Environment variable that replaces :data:`DEFAULT_DB` for the command line."""

STATUSES = ("running", "complete", "failed", "interrupted")
STAT_QUANTILES = (0.1, 0.5, 0.9)
EXPORT_SLAB = 1_000_000
"""Samples per slab when exporting (bounds the memory an export needs)."""

_SCHEMA = [
    """CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)""",
    """CREATE SEQUENCE run_id_seq START 1""",
    """CREATE TABLE runs (
        run_id BIGINT PRIMARY KEY,
        kind VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        scenario_name VARCHAR,
        scenario_hash VARCHAR,
        scenario JSON,
        package_version VARCHAR NOT NULL,
        seed BIGINT,
        samples BIGINT,
        chunk_size BIGINT,
        options JSON NOT NULL,
        summary JSON,
        extra JSON,
        owner VARCHAR,
        message VARCHAR,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP
    )""",
    """CREATE TABLE run_outputs (
        run_id BIGINT NOT NULL,
        output_id INTEGER NOT NULL,
        name VARCHAR NOT NULL,
        PRIMARY KEY (run_id, output_id)
    )""",
    """CREATE TABLE chunks (
        run_id BIGINT NOT NULL,
        start BIGINT NOT NULL,
        stop BIGINT NOT NULL,
        committed_at TIMESTAMP NOT NULL,
        seconds DOUBLE,
        worker VARCHAR,
        PRIMARY KEY (run_id, start)
    )""",
    """CREATE TABLE samples (
        run_id BIGINT NOT NULL,
        output_id INTEGER NOT NULL,
        sample BIGINT NOT NULL,
        value DOUBLE
    )""",
    """CREATE TABLE output_stats (
        run_id BIGINT NOT NULL,
        output VARCHAR NOT NULL,
        n BIGINT NOT NULL,
        mean DOUBLE,
        sd DOUBLE,
        min DOUBLE,
        p10 DOUBLE,
        p50 DOUBLE,
        p90 DOUBLE,
        max DOUBLE,
        PRIMARY KEY (run_id, output)
    )""",
    """CREATE VIEW run_samples AS
        SELECT s.run_id, s.sample, o.name AS output, s.value
        FROM samples AS s JOIN run_outputs AS o USING (run_id, output_id)""",
]

MIGRATIONS: dict[int, list[str]] = {}
"""``MIGRATIONS[v]``: the statements that turn a version ``v - 1`` store into version ``v``."""


class StoreError(Exception):
    """A problem with the store that the user can act on; the message is one line."""


# -- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """One run as listed: ``status`` as stored, ``state`` as shown (a ``running`` run whose
    writing process is gone shows as ``interrupted``); ``done`` samples are committed."""

    run_id: int
    kind: str
    status: str
    state: str
    scenario_name: str | None
    scenario_hash: str | None
    samples: int | None
    done: int
    chunks: int
    seed: int | None
    package_version: str
    started_at: dt.datetime
    finished_at: dt.datetime | None

    @property
    def complete(self) -> bool:
        return self.status == "complete"


@dataclass(frozen=True)
class RunRecord:
    """Everything stored about one run except its per-sample values."""

    info: RunInfo
    scenario: dict[str, Any] | None
    options: dict[str, Any]
    summary: Any
    extra: dict[str, Any]
    chunk_size: int | None
    outputs: list[str]
    chunk_ranges: list[tuple[int, int]]
    stats: dict[str, dict[str, float | int | None]]
    owner: str | None
    message: str | None

    @property
    def run_id(self) -> int:
        return self.info.run_id

    def missing(self) -> list[tuple[int, int]]:
        """The sample ranges ``[start, stop)`` not yet committed."""
        return gaps(self.chunk_ranges, self.info.samples or 0)


# -- helpers -------------------------------------------------------------------------------


def canonical_json(data: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, non-finite floats as text."""
    return json.dumps(_plain(data), sort_keys=True, separators=(",", ":"), allow_nan=False)


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The full resolved scenario as plain JSON data (what the store keeps)."""
    data: dict[str, Any] = json.loads(canonical_json(scenario.to_data(json_safe=True)))
    return data


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: equal content, equal hash."""
    return hashlib.sha256(canonical_json(scenario_data(scenario)).encode()).hexdigest()


def scenario_from_data(data: Mapping[str, Any], label: str = "<stored scenario>") -> Scenario:
    """Rebuild a :class:`Scenario` from :func:`scenario_data` (anchor keys back to numbers)."""
    from summitry.scenario import validate

    plain = json.loads(json.dumps(data))
    for issue in plain.get("issues", []):
        if isinstance(issue, dict) and isinstance(issue.get("anchors"), dict):
            issue["anchors"] = {float(k): v for k, v in issue["anchors"].items()}
    return validate(plain, label)


def gaps(ranges: Sequence[tuple[int, int]], total: int) -> list[tuple[int, int]]:
    """The parts of ``[0, total)`` that no range in ``ranges`` covers, in order."""
    out: list[tuple[int, int]] = []
    at = 0
    for start, stop in sorted(ranges):
        if start > at:
            out.append((at, start))
        at = max(at, stop)
    if at < total:
        out.append((at, total))
    return out


def output_stats(values: NDArray[np.float64]) -> dict[str, float | int | None]:
    """n (finite values), mean, sd (ddof 1), min, p10, p50, p90, max over the finite values."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return {"n": 0, **dict.fromkeys(("mean", "sd", "min", "p10", "p50", "p90", "max"))}
    q = np.quantile(x, STAT_QUANTILES)
    return {
        "n": n,
        "mean": float(np.mean(x)),
        "sd": float(np.std(x, ddof=1)) if n > 1 else None,
        "min": float(np.min(x)),
        **{f"p{round(p * 100)}": float(v) for p, v in zip(STAT_QUANTILES, q, strict=True)},
        "max": float(np.max(x)),
    }


KILL_HOOK = "SUMMITRY_TEST_KILL_AT"
"""Test hook, off unless set (docs/store.md, "Sweeps and resuming"): ``START:WHEN`` makes
the process SIGKILL itself when it commits the chunk starting at sample START, WHEN being
``before`` (its transaction not begun), ``inside`` (its rows written, not committed) or
``after`` (committed); ``compute`` makes the worker that starts computing that chunk kill
itself (:func:`summitry.distributed.compute_chunk`)."""


def kill_hook(start: int, when: str) -> None:
    """SIGKILL this process if :data:`KILL_HOOK` names ``start:when`` (tests only)."""
    if os.environ.get(KILL_HOOK) == f"{start}:{when}":
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def owner_token() -> str:
    """Identifies this process: host, pid and the process's start time (so a reused pid
    is not mistaken for it)."""
    return f"{socket.gethostname()}|{os.getpid()}|{_start_ticks(os.getpid())}"


def owner_alive(token: str | None) -> bool | None:
    """Whether the process named by ``token`` still runs: True/False on this host, None
    (unknown) for another host."""
    if not token:
        return False
    try:
        host, pid_text, ticks = token.split("|")
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return None
    if pid == os.getpid():
        return ticks == _start_ticks(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return ticks == _start_ticks(pid)


def _start_ticks(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data (numpy, dataclasses, dates, paths; inf and nan as text)."""
    if isinstance(value, float | np.floating):
        v = float(value)
        return v if math.isfinite(v) else repr(v)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def _with_nan(column: Any) -> NDArray[np.float64]:
    """A fetched DOUBLE column as float64, NULL (how NaN is stored) back to NaN."""
    if isinstance(column, np.ma.MaskedArray):
        return np.ma.filled(column.astype(np.float64), np.nan)
    return np.asarray(column, dtype=np.float64)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _as_outputs(outputs: Mapping[str, ArrayLike]) -> dict[str, NDArray[np.float64]]:
    arrays = {str(k): np.ascontiguousarray(v, dtype=np.float64) for k, v in outputs.items()}
    sizes = {a.shape for a in arrays.values()}
    if any(len(s) != 1 for s in sizes):
        raise StoreError("every output must be one value per sample (a 1-D array)")
    if len(sizes) > 1:
        raise StoreError("every output must have one value per sample (lengths differ)")
    return arrays


# -- the store -----------------------------------------------------------------------------


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
    ) -> None:
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.memory_limit = memory_limit
        self._ready = False

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # -- connections -------------------------------------------------------------------

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        import duckdb

        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path} (no such file)")
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not a DuckDB file")
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": self.memory_limit
        }
        deadline = time.monotonic() + self.lock_timeout
        pause = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config=config)
            except duckdb.Error as exc:
                text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                if "lock" in text.lower() and time.monotonic() < deadline:
                    time.sleep(pause)
                    pause = min(pause * 1.5, 0.5)
                    continue
                if "lock" in text.lower():
                    pid = re.search(r"PID (\d+)", text)
                    who = f"process {pid.group(1)}" if pid else "another process"
                    raise StoreError(
                        f"{self.path} is in use by {who} for more than {self.lock_timeout:g} s"
                    ) from None
                if "not a valid DuckDB database" in text:
                    raise StoreError(f"{self.path} is not a DuckDB database") from None
                raise StoreError(f"cannot open {self.path}: {text}") from None

    @contextlib.contextmanager
    def _reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._open(read_only=True)
        try:
            self._check_schema(con, writable=False)
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _writer(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        import duckdb

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {self.path.parent}: {exc.strerror}") from None
        con = self._open(read_only=False)
        try:
            if not self._ready:
                self._check_schema(con, writable=True)
                self._ready = True
            con.begin()
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            try:
                con.commit()
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: commit failed: {exc}") from None
        finally:
            con.close()

    def _check_schema(self, con: duckdb.DuckDBPyConnection, writable: bool) -> None:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "store_meta" not in tables:
            if tables:
                raise StoreError(f"{self.path} is a DuckDB database but not a summitry store")
            if not writable:
                raise StoreError(f"{self.path} holds no runs yet (an empty database)")
            con.begin()
            for statement in _SCHEMA:
                con.execute(statement)
            con.execute(
                "INSERT INTO store_meta VALUES ('schema_version', ?), ('created_by', ?)",
                [str(SCHEMA_VERSION), f"summitry {_version()}"],
            )
            con.commit()
            return
        row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
        found = int(row[0]) if row else 0
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} uses store schema {found}, newer than this summitry "
                f"understands ({SCHEMA_VERSION}); upgrade summitry"
            )
        if found < SCHEMA_VERSION:
            if not writable:
                raise StoreError(
                    f"{self.path} uses store schema {found}; any write with this summitry "
                    f"upgrades it to {SCHEMA_VERSION}"
                )
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
        """Open the file for writing once (creating or upgrading the schema): fail early."""
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
        con.register("_summitry_chunk", columns)
        try:
            con.execute(
                "INSERT INTO samples (run_id, output_id, sample, value) "
                "SELECT run_id, output_id, sample, value FROM _summitry_chunk"
            )
        finally:
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
        """Write ``run-<id>.json`` (everything but the samples) and ``run-<id>.parquet``
        (one row per committed sample: ``run_id``, ``sample`` and one column per output,
        in sample order) into ``directory`` (created if missing); return the two paths."""
        out = Path(directory)
        if out.exists() and not out.is_dir():
            raise StoreError(f"{out} exists and is not a directory")
        record = self.run(run_id)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {out}: {exc.strerror}") from None
        meta_path = out / f"run-{run_id}.json"
        data_path = out / f"run-{run_id}.parquet"
        meta = {
            "run_id": run_id,
            **{k: v for k, v in asdict(record.info).items() if k != "run_id"},
            "complete": record.info.complete,
            "chunk_size": record.chunk_size,
            "chunks": [list(r) for r in record.chunk_ranges],
            "missing": [list(r) for r in record.missing()],
            "outputs": record.outputs,
            "options": record.options,
            "summary": record.summary,
            "stats": record.stats,
            "extra": record.extra,
            "message": record.message,
            "scenario": record.scenario,
        }
        self._write_parquet(run_id, record, data_path)
        meta_path.write_text(json.dumps(_plain(meta), indent=2) + "\n")
        return [meta_path, data_path]

    def _write_parquet(self, run_id: int, record: RunRecord, target: Path) -> None:
        import tempfile

        import duckdb
        import pandas as pd

        total = record.info.samples or 0
        parts: list[str] = []
        with (
            tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp,
            self._reader() as con,
        ):
            for a in range(0, max(total, 1), EXPORT_SLAB):
                samples, values = self._read_outputs(con, run_id, None, a, a + EXPORT_SLAB)
                if record.outputs and samples.size == 0:
                    continue
                frame = pd.DataFrame(
                    {
                        "run_id": np.full(samples.size, run_id, dtype=np.int64),
                        "sample": samples,
                        **values,
                    }
                )
                part = _sql_text(str(Path(tmp) / f"part-{len(parts):05d}.parquet"))
                con.register("_summitry_slab", frame)
                try:
                    con.execute(f"COPY (SELECT * FROM _summitry_slab) TO {part} (FORMAT parquet)")
                finally:
                    con.unregister("_summitry_slab")
                parts.append(part)
            if not parts:
                cols = ", ".join(
                    ["NULL::BIGINT AS run_id", "NULL::BIGINT AS sample"]
                    + [f"NULL::DOUBLE AS {_sql_name(n)}" for n in record.outputs]
                )
                query = f"SELECT {cols} LIMIT 0"
            else:
                query = f"SELECT * FROM read_parquet([{', '.join(parts)}])"
            mem = duckdb.connect()
            try:
                mem.execute("SET preserve_insertion_order = true")
                mem.execute(f"COPY ({query}) TO {_sql_text(str(target))} (FORMAT parquet)")
            finally:
                mem.close()


def _sql_text(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _sql_name(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _version() -> str:
    from summitry import __version__

    return __version__
