"""The results store: every run, its per-sample outputs and summaries, in one DuckDB file.

    from summitry.store import Store
    store = Store("summitry.duckdb")
    run_id = store.save_run("forecast", sc, seed, options, fc.outputs(), fc.to_dict())
    store.runs()                      # [RunInfo, ...], newest first
    store.run(run_id)                 # RunRecord: metadata, scenario, options, summary, chunks
    samples, values = store.outputs(run_id)   # per-sample outputs in sample order

The package, by concern: :mod:`~summitry.store.schema` (tables, version, migrations,
:class:`StoreError`), :mod:`~summitry.store.core` (:class:`Store`: connections, locking,
writes, reads), :mod:`~summitry.store.records` (:class:`RunInfo`, :class:`RunRecord`,
statistics), :mod:`~summitry.store.hashing` (canonical JSON, scenario hashing),
:mod:`~summitry.store.ownership` (which process owns a running sweep, the test kill hook),
:mod:`~summitry.store.export` (Parquet export).

Schema and guarantees: docs/store.md.
"""

from summitry.store.core import Store
from summitry.store.export import EXPORT_SLAB, export_run
from summitry.store.hashing import (
    canonical_json,
    scenario_data,
    scenario_from_data,
    scenario_hash,
)
from summitry.store.ownership import KILL_HOOK, kill_hook, owner_alive, owner_token
from summitry.store.records import STAT_QUANTILES, RunInfo, RunRecord, gaps, output_stats
from summitry.store.schema import (
    DB_ENVVAR,
    DEFAULT_DB,
    MIGRATIONS,
    SCHEMA_VERSION,
    STATUSES,
    StoreError,
)

__all__ = [
    "DB_ENVVAR",
    "DEFAULT_DB",
    "EXPORT_SLAB",
    "KILL_HOOK",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "STATUSES",
    "STAT_QUANTILES",
    "RunInfo",
    "RunRecord",
    "Store",
    "StoreError",
    "canonical_json",
    "export_run",
    "gaps",
    "kill_hook",
    "output_stats",
    "owner_alive",
    "owner_token",
    "scenario_data",
    "scenario_from_data",
    "scenario_hash",
]
