"""Hostile store files built from a real store (never committed binaries): damaged,
foreign and newer files, each with the words its one-line error must hold (docs/store.md,
"Damaged, foreign and newer files"). Used by tests/store/ and tests/hostile/."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import duckdb

from summitry.store import SCHEMA_VERSION, Store
from summitry.store.files import HEADER_BYTES

DAMAGED = "is damaged ("


def good_store(path: Path, runs: int = 1) -> Path:
    """A real store with ``runs`` runs of 20,000 samples (a few MB: several data blocks)."""
    store = Store(path)
    for i in range(runs):
        values = [float(k % 97) for k in range(20_000)]
        store.save_run("forecast", None, i, {}, {"x": values, "y": values}, {"i": i})
    return path


def garbage(data: bytes, start: int, size: int) -> bytes:
    noise = bytes((k * 131 + 7) % 256 for k in range(size))  # fixed, not random
    return data[:start] + noise + data[start + size :]


def newer_summitry(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    con = duckdb.connect(str(path))
    con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()


def other_duckdb(path: Path, tables: bool) -> None:
    con = duckdb.connect(str(path))
    if tables:
        con.execute("CREATE TABLE measurements (x INTEGER)")
    con.close()


def sqlite_file(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()


CASES: dict[str, tuple[Callable[[Path, bytes], object], str]] = {
    "truncated to half": (lambda p, d: p.write_bytes(d[: len(d) // 2]), "truncated: "),
    "truncated inside its headers": (lambda p, d: p.write_bytes(d[:5000]), "truncated to 5,000"),
    "garbage in its headers": (lambda p, d: p.write_bytes(garbage(d, 4096, 8192)), DAMAGED),
    "garbage in its first block": (
        lambda p, d: p.write_bytes(garbage(d, HEADER_BYTES, 2**18)),
        DAMAGED,
    ),
    "zero-length": (lambda p, d: p.write_bytes(b""), "empty file (0 bytes)"),
    "a PNG image": (lambda p, d: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)), "PNG image"),
    "a SQLite file": (lambda p, d: sqlite_file(p), "a SQLite database"),
    "a YAML file": (lambda p, d: p.write_text("title: talks\nactors: []\n"), "a text file"),
    "a DuckDB file with other tables": (lambda p, d: other_duckdb(p, True), "other tables"),
    "an empty DuckDB file": (lambda p, d: other_duckdb(p, False), "an empty DuckDB database"),
    "a newer summitry's store": (
        newer_summitry,
        f"written by a newer summitry (summitry 0.1.0; store schema 99 > {SCHEMA_VERSION})",
    ),
    "a newer DuckDB's file": (
        lambda p, d: p.write_bytes(d[:52] + b"v9.9.9".ljust(32, b"\0") + d[84:]),
        "was written by DuckDB 9.9.9, newer than the DuckDB",
    ),
}
