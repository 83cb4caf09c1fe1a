"""The store's tables, their version and migrations, and :class:`StoreError`
(docs/store.md, "Schema")."""

from __future__ import annotations

SCHEMA_VERSION = 2
"""Version of the tables below; :data:`MIGRATIONS` upgrades older stores on first write."""

DEFAULT_DB = "summitry.duckdb"
DB_ENVVAR = "SUMMITRY_DB"
"""Environment variable that replaces :data:`DEFAULT_DB` for the command line."""

STATUSES = ("running", "complete", "failed", "interrupted")

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

_LEDGER = [  # version 2: the sealed forecast ledger (store/ledger.py, docs/questions.md)
    """CREATE TABLE ledger (
        entry_id BIGINT PRIMARY KEY,
        entry_kind VARCHAR NOT NULL,
        question VARCHAR NOT NULL,
        scenario_name VARCHAR NOT NULL,
        scenario_hash VARCHAR,
        question_kind VARCHAR NOT NULL,
        text VARCHAR NOT NULL,
        criteria VARCHAR,
        resolves_by VARCHAR,
        probability DOUBLE,
        quantiles VARCHAR,
        outcome VARCHAR,
        resolved_on VARCHAR,
        retrospective BOOLEAN NOT NULL,
        package_version VARCHAR NOT NULL,
        seed BIGINT,
        samples BIGINT,
        details VARCHAR,
        recorded_at VARCHAR NOT NULL,
        prev_hash VARCHAR NOT NULL,
        entry_hash VARCHAR NOT NULL
    )""",
]
_SCHEMA += _LEDGER

MIGRATIONS: dict[int, list[str]] = {2: _LEDGER}
"""``MIGRATIONS[v]``: the statements that turn a version ``v - 1`` store into version ``v``."""


class StoreError(Exception):
    """A problem with the store that the user can act on; the message is one line."""


# -- records -------------------------------------------------------------------------------
