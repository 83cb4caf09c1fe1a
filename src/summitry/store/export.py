"""Export of one run: its JSON record and its samples as Parquet, written slab by slab
(docs/store.md, "Export")."""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from summitry.store.hashing import to_plain
from summitry.store.schema import StoreError

if TYPE_CHECKING:
    from summitry.store.core import Store
    from summitry.store.records import RunRecord

EXPORT_SLAB = 1_000_000
"""Samples per slab when exporting (bounds the memory an export needs)."""


def export_run(store: Store, run_id: int, directory: str | Path) -> list[Path]:
    """Write ``run-<id>.json`` (everything but the samples) and ``run-<id>.parquet``
    (one row per committed sample: ``run_id``, ``sample`` and one column per output,
    in sample order) into ``directory`` (created if missing); return the two paths."""
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise StoreError(f"{out} exists and is not a directory")
    record = store.run(run_id)
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
    try:
        _write_parquet(store, run_id, record, data_path)
    except OSError as exc:  # its scratch directory inside ``out``
        from summitry.store.files import os_reason

        raise StoreError(f"cannot write in {out}: {os_reason(exc)}") from None
    try:
        meta_path.write_text(json.dumps(to_plain(meta), indent=2) + "\n")
    except OSError as exc:
        from summitry.store.files import os_reason

        raise StoreError(f"cannot write {meta_path}: {os_reason(exc)}") from None
    return [meta_path, data_path]


def _write_parquet(store: Store, run_id: int, record: RunRecord, target: Path) -> None:
    import tempfile

    import duckdb
    import pandas as pd

    total = record.info.samples or 0
    parts: list[str] = []
    with (
        tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp,
        store._reader() as con,
    ):
        for a in range(0, max(total, 1), EXPORT_SLAB):
            samples, values = store._read_outputs(con, run_id, None, a, a + EXPORT_SLAB)
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
            except duckdb.Error as exc:  # the export's directory, not the store
                raise _cannot_write(target, exc) from None
            finally:
                with contextlib.suppress(duckdb.Error):
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
        except duckdb.Error as exc:
            raise _cannot_write(target, exc) from None
        finally:
            mem.close()


def _cannot_write(target: Path, exc: Exception) -> StoreError:
    """A failed write of the export (a full disk, a file size limit), by its cause."""
    from summitry.store.files import first_line, no_room

    return StoreError(f"cannot write {target}: {no_room(target) or first_line(exc)}")


def _sql_text(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _sql_name(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'
