"""The sealed forecast ledger: an append-only, hash-chained table of forecasts and resolutions
of dated questions, kept in the results store (docs/questions.md, "The ledger").

Entry ``k``'s hash is SHA-256 over the canonical JSON (sorted keys, no spaces) of every column
but ``entry_id`` and ``entry_hash``, ``prev_hash`` (entry ``k - 1``'s hash; 64 zeros for the
first) included. ``store_meta.ledger_head`` keeps ``"<count>:<last hash>"``. So an edited
entry fails its own hash, a deleted or moved entry breaks the chain at the next one, and a
deleted last entry disagrees with the head. Nothing here updates or deletes a row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from summitry.store.files import first_line
from summitry.store.hashing import canonical_json, scenario_hash
from summitry.store.schema import StoreError

if TYPE_CHECKING:
    from summitry.questions import Answer
    from summitry.scenario import Scenario
    from summitry.store.core import Store

GENESIS = "0" * 64
"""``prev_hash`` of the first entry."""

HASHED = (
    "entry_kind",
    "question",
    "scenario_name",
    "scenario_hash",
    "question_kind",
    "text",
    "criteria",
    "resolves_by",
    "probability",
    "quantiles",
    "outcome",
    "resolved_on",
    "retrospective",
    "package_version",
    "seed",
    "samples",
    "details",
    "recorded_at",
    "prev_hash",
)
"""The columns an entry's hash covers, in the table's order."""

COLUMNS = ("entry_id", *HASHED, "entry_hash")

LOG_EPS = 1e-6
"""Probabilities are clipped to [LOG_EPS, 1 - LOG_EPS] in the log score only."""


@dataclass(frozen=True)
class Entry:
    """One ledger row. ``entry_kind`` is ``forecast`` or ``resolution``; ``question`` is
    ``<scenario>/<question id>``; ``quantiles`` and ``details`` are canonical JSON text."""

    entry_id: int
    entry_kind: str
    question: str
    scenario_name: str
    scenario_hash: str | None
    question_kind: str
    text: str
    criteria: str | None
    resolves_by: str | None
    probability: float | None
    quantiles: str | None
    outcome: str | None
    resolved_on: str | None
    retrospective: bool
    package_version: str
    seed: int | None
    samples: int | None
    details: str | None
    recorded_at: str
    prev_hash: str
    entry_hash: str

    def hashed(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in HASHED}

    def quantile_map(self) -> dict[str, float]:
        return {} if self.quantiles is None else dict(json.loads(self.quantiles))

    def value_text(self, probability_prefix: str = "") -> str:
        """The entry's number in a few characters: ``0.320`` (after ``probability_prefix``),
        ``12 [0, 40]`` (p50 [p10, p90]), ``yes``; ``-`` when there is none."""
        if self.entry_kind == "resolution":
            return str(self.outcome)
        if self.probability is not None:
            return f"{probability_prefix}{self.probability:.3f}"
        q = self.quantile_map()
        return f"{q['p50']:.4g} [{q['p10']:.4g}, {q['p90']:.4g}]" if q else "-"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["quantiles"] = None if self.quantiles is None else json.loads(self.quantiles)
        out["details"] = None if self.details is None else json.loads(self.details)
        return out


def entry_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the :data:`HASHED` fields."""
    return hashlib.sha256(canonical_json({k: fields[k] for k in HASHED}).encode()).hexdigest()


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _version() -> str:
    from summitry import __version__

    return __version__


# -- writing ---------------------------------------------------------------------------------


def append(
    store: Store,
    rows: Sequence[Mapping[str, Any]],
    guard: Callable[[Any], None] | None = None,
) -> list[Entry]:
    """Append ``rows`` (every :data:`HASHED` field but ``prev_hash``) in one transaction,
    chaining each to the one before; refused if the ledger's head does not match its last
    entry (run ``summitry ledger verify``). ``guard(connection)`` runs first inside the same
    transaction and may raise :class:`StoreError` (so two processes cannot both pass it)."""
    out: list[Entry] = []
    with store._writer() as con:
        if guard is not None:
            guard(con)
        last = con.execute(
            "SELECT entry_id, entry_hash FROM ledger ORDER BY entry_id DESC LIMIT 1"
        ).fetchone()
        n, prev = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
        head = _head(con)
        if head is not None and head != (n, prev):
            raise StoreError(
                f"{store.path}: the ledger does not end where its head says (entry {head[0]}); "
                "run `summitry ledger verify`"
            )
        for row in rows:
            n += 1
            fields: dict[str, Any] = {k: row.get(k) for k in HASHED}
            fields["prev_hash"] = prev
            digest = entry_hash(fields)
            con.execute(
                f"INSERT INTO ledger ({', '.join(COLUMNS)}) VALUES "
                f"({', '.join('?' for _ in COLUMNS)})",
                [n, *(fields[k] for k in HASHED), digest],
            )
            out.append(Entry(entry_id=n, entry_hash=digest, **fields))
            prev = digest
        con.execute("DELETE FROM store_meta WHERE key = 'ledger_head'")
        con.execute("INSERT INTO store_meta VALUES ('ledger_head', ?)", [f"{n}:{prev}"])
    return out


def _head(con: Any) -> tuple[int, str] | None:
    row = con.execute("SELECT value FROM store_meta WHERE key = 'ledger_head'").fetchone()
    if row is None:
        return None
    count, _, digest = str(row[0]).partition(":")
    return int(count), digest


def question_key(scenario_name: str, question_id: str) -> str:
    return f"{scenario_name}/{question_id}"


def seal(
    store: Store,
    scenario: Scenario,
    answers: Iterable[Answer],
    *,
    seed: int | None,
    samples: int | None,
    retrospective: bool = False,
) -> list[Entry]:
    """Append one ``forecast`` entry per answer, all with the same time, the scenario's
    content hash, the code version, the seed and the sample count."""
    now, digest, version = _utc_now(), scenario_hash(scenario), _version()
    done = {e.question for e in entries(store) if e.entry_kind == "resolution"}
    rows = []
    for a in answers:
        q = a.question
        if question_key(scenario.name, q.id) in done:
            raise StoreError(f"question {question_key(scenario.name, q.id)} is already resolved")
        rows.append(
            {
                "entry_kind": "forecast",
                "question": question_key(scenario.name, q.id),
                "scenario_name": scenario.name,
                "scenario_hash": digest,
                "question_kind": q.kind,
                "text": q.text,
                "criteria": q.criteria,
                "resolves_by": q.resolves_by.isoformat(),
                "probability": a.probability,
                "quantiles": None if a.quantiles is None else canonical_json(a.quantiles),
                "outcome": None,
                "resolved_on": None,
                "retrospective": retrospective,
                "package_version": version,
                "seed": seed,
                "samples": samples,
                "details": canonical_json(a.details),
                "recorded_at": now,
            }
        )
    return append(store, rows)


def parse_outcome(kind: str, text: str) -> str:
    """A resolution's outcome as stored: ``yes``/``no`` (binary) or a number's text."""
    t = text.strip().lower()
    if kind == "binary":
        if t in ("yes", "no"):
            return t
        raise StoreError(f"a binary question resolves yes or no, not {text!r}")
    try:
        x = float(t)
    except ValueError:
        raise StoreError(f"a numeric question resolves to a number, not {text!r}") from None
    if not math.isfinite(x):
        raise StoreError(f"a numeric question resolves to a finite number, not {text!r}")
    return repr(x)


def resolve(
    store: Store,
    question: str,
    outcome: str,
    on: dt.date,
    *,
    retrospective: bool = False,
    note: str | None = None,
) -> Entry:
    """Append the ``resolution`` entry of ``question`` (its full key, or a question id that
    only one scenario in the ledger uses). Refused for a question never sealed or already
    resolved."""
    items = entries(store)
    key = find_question(items, question)
    if any(e.entry_kind == "resolution" and e.question == key for e in items):
        raise StoreError(f"question {key} is already resolved; the ledger is append-only")
    last = [e for e in items if e.entry_kind == "forecast" and e.question == key][-1]
    value = parse_outcome(last.question_kind, outcome)
    sealed_on = last.recorded_at[:10]
    if not retrospective and on.isoformat() < sealed_on:
        raise StoreError(
            f"{key}: resolved on {on} but its forecast was sealed on {sealed_on} "
            f"(entry {last.entry_id}); a resolution cannot precede the forecast"
        )

    def not_yet(con: Any) -> None:
        found = con.execute(
            "SELECT entry_id FROM ledger WHERE entry_kind = 'resolution' AND question = ?",
            [key],
        ).fetchone()
        if found is not None:
            raise StoreError(f"question {key} is already resolved; the ledger is append-only")

    row = {
        "entry_kind": "resolution",
        "question": key,
        "scenario_name": last.scenario_name,
        "scenario_hash": None,
        "question_kind": last.question_kind,
        "text": last.text,
        "criteria": last.criteria,
        "resolves_by": last.resolves_by,
        "probability": None,
        "quantiles": None,
        "outcome": value,
        "resolved_on": on.isoformat(),
        "retrospective": retrospective,
        "package_version": _version(),
        "seed": None,
        "samples": None,
        "details": None if note is None else canonical_json({"note": note}),
        "recorded_at": _utc_now(),
    }
    return append(store, [row], guard=not_yet)[0]


def find_question(items: Sequence[Entry], question: str) -> str:
    """The full key of ``question`` (a key, or an id unique in the ledger), or StoreError."""
    keys = sorted({e.question for e in items if e.entry_kind == "forecast"})
    if question in keys:
        return question
    matches = [k for k in keys if k.split("/", 1)[1] == question]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise StoreError(f"question id {question!r} is in several scenarios: {', '.join(matches)}")
    raise StoreError(f"no question {question!r} in the ledger (seal it first: summitry seal)")


# -- reading ---------------------------------------------------------------------------------


def entries(store: Store) -> list[Entry]:
    """Every entry in ``entry_id`` order (an empty list for a store without a ledger)."""
    if not store.path.exists():
        return []
    with store._reader() as con:
        if not _has_ledger(con):
            return []
        rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM ledger ORDER BY entry_id").fetchall()
    return [_entry(r) for r in rows]


def _has_ledger(con: Any) -> bool:
    """Whether the store has the ledger table (a store of schema 1, read without being
    upgraded, has none: it reads as an empty ledger)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ledger'"
    ).fetchone()
    return bool(found and found[0])


def _entry(row: Sequence[Any]) -> Entry:
    d = dict(zip(COLUMNS, row, strict=True))
    for k in ("entry_id", "seed", "samples"):
        d[k] = None if d[k] is None else int(d[k])
    d["probability"] = None if d["probability"] is None else float(d["probability"])
    d["retrospective"] = bool(d["retrospective"])
    return Entry(**d)


def entry(store: Store, entry_id: int) -> Entry:
    for e in entries(store):
        if e.entry_id == entry_id:
            return e
    raise StoreError(f"no ledger entry {entry_id} in {store.path}")


def verify(store: Store) -> list[str]:
    """One line per problem, naming the entry: an entry whose content does not match its
    hash (edited), a gap in the ids (deleted), an entry chained after another than the one
    before it (moved or reordered), a chain that does not end at the recorded head (the last
    entries deleted). Empty when the ledger is intact."""
    with store._reader() as con:
        if not _has_ledger(con):
            return []
        rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM ledger ORDER BY entry_id").fetchall()
        head = _head(con)
    items = [_entry(r) for r in rows]
    problems: list[str] = []
    by_hash = {e.entry_hash: e.entry_id for e in items}
    prev_id, prev_hash = 0, GENESIS
    for e in items:
        if e.entry_id != prev_id + 1:
            gap = (
                f"{prev_id + 1}" if e.entry_id == prev_id + 2 else f"{prev_id + 1}-{e.entry_id - 1}"
            )
            problems.append(f"ledger entry {gap}: missing (deleted)")
        if entry_hash(e.hashed()) != e.entry_hash:
            problems.append(
                f"ledger entry {e.entry_id}: edited (its content does not match its hash)"
            )
        if e.prev_hash != prev_hash:
            if e.prev_hash in by_hash:
                msg = f"chained after entry {by_hash[e.prev_hash]}, not {prev_id} (reordered)"
            elif e.entry_id == prev_id + 1:
                msg = f"not chained to entry {prev_id} (entry {prev_id} edited, or one deleted)"
            else:
                msg = "the entry it was chained to is gone (deleted)"
            problems.append(f"ledger entry {e.entry_id}: {msg}")
        prev_id, prev_hash = e.entry_id, e.entry_hash
    if head is not None and head != (prev_id, prev_hash):
        if head[0] > prev_id:
            span = f"{prev_id + 1}" if head[0] == prev_id + 1 else f"{prev_id + 1}-{head[0]}"
            problems.append(
                f"ledger entry {span}: missing at the end (deleted; head is entry {head[0]})"
            )
        else:
            problems.append(
                f"ledger entry {prev_id}: does not match the recorded head (entry {head[0]})"
            )
    elif head is None and items:
        problems.append("ledger: entries but no recorded head (store_meta.ledger_head deleted)")
    return problems


# -- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """A resolved question's forecast (the last one sealed before its resolution) and its
    outcome: ``outcome`` 1/0 (binary) or the value (numeric)."""

    question: str
    kind: str
    forecast: Entry
    resolution: Entry
    outcome: float


@dataclass(frozen=True)
class Scores:
    """Binary: ``n``, mean Brier score, mean log score (ln of the probability given to what
    happened; 0 is perfect), the calibration ``bins``; numeric: ``n_numeric``, mean absolute
    error of the median, share of outcomes within [p10, p90] and [p05, p95]."""

    which: str
    n: int
    brier: float | None
    log: float | None
    bins: list[dict[str, Any]] = field(default_factory=list)
    n_numeric: int = 0
    mae: float | None = None
    cover80: float | None = None
    cover90: float | None = None
    items: list[Scored] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The scores as JSON-ready data (``summitry ledger score --json``, the dashboard)."""
        return {
            "which": self.which,
            "binary": {"n": self.n, "brier": self.brier, "log": self.log, "calibration": self.bins},
            "numeric": {
                "n": self.n_numeric,
                "mae_median": self.mae,
                "coverage_80": self.cover80,
                "coverage_90": self.cover90,
            },
        }


def resolved(items: Sequence[Entry], which: str = "realtime") -> list[Scored]:
    """Resolved questions with their scored forecast. ``which``: ``realtime`` (forecasts
    not marked retrospective), ``retrospective`` or ``all``."""
    res = {e.question: e for e in items if e.entry_kind == "resolution"}
    out: list[Scored] = []
    for key, r in res.items():
        fcs = [
            e
            for e in items
            if e.entry_kind == "forecast" and e.question == key and e.entry_id < r.entry_id
        ]
        if not fcs:
            continue
        f = fcs[-1]
        keep = {"realtime": not f.retrospective, "retrospective": f.retrospective}
        if not keep.get(which, True):
            continue
        assert r.outcome is not None
        value = (
            (1.0 if r.outcome == "yes" else 0.0)
            if f.question_kind == "binary"
            else float(r.outcome)
        )
        out.append(Scored(key, f.question_kind, f, r, value))
    return sorted(out, key=lambda s: s.resolution.entry_id)


def brier(p: float, o: float) -> float:
    return (p - o) ** 2


def log_score(p: float, o: float) -> float:
    q = min(max(p, LOG_EPS), 1 - LOG_EPS)
    return math.log(q if o == 1.0 else 1.0 - q)


def calibration(pairs: Sequence[tuple[float, float]], bins: int = 10) -> list[dict[str, Any]]:
    """Bins of width 1/bins ([0, 0.1), ..., [0.9, 1]): count, mean forecast, observed share
    (non-empty bins only)."""
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(p, o) for p, o in pairs if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if inside:
            out.append(
                {
                    "low": lo,
                    "high": hi,
                    "count": len(inside),
                    "forecast": sum(p for p, _ in inside) / len(inside),
                    "observed": sum(o for _, o in inside) / len(inside),
                }
            )
    return out


def score(items: Sequence[Entry], which: str = "realtime") -> Scores:
    """Brier and log scores and the calibration table over resolved binary questions, and
    the numeric questions' errors, for ``which`` forecasts (see :func:`resolved`)."""
    if which not in ("realtime", "retrospective", "all"):
        raise ValueError(f"which must be realtime, retrospective or all, not {which!r}")
    got = resolved(items, which)
    binary = [(s.forecast.probability, s.outcome) for s in got if s.kind == "binary"]
    pairs = [(float(p), o) for p, o in binary if p is not None]
    numeric = [s for s in got if s.kind == "numeric"]
    n = len(pairs)
    mae = cover80 = cover90 = None
    if numeric:
        qs = [s.forecast.quantile_map() for s in numeric]
        mae = sum(abs(q["p50"] - s.outcome) for q, s in zip(qs, numeric, strict=True)) / len(qs)
        cover80 = sum(
            q["p10"] <= s.outcome <= q["p90"] for q, s in zip(qs, numeric, strict=True)
        ) / len(qs)
        cover90 = sum(
            q["p05"] <= s.outcome <= q["p95"] for q, s in zip(qs, numeric, strict=True)
        ) / len(qs)
    return Scores(
        which=which,
        n=n,
        brier=sum(brier(p, o) for p, o in pairs) / n if n else None,
        log=sum(log_score(p, o) for p, o in pairs) / n if n else None,
        bins=calibration(pairs),
        n_numeric=len(numeric),
        mae=mae,
        cover80=cover80,
        cover90=cover90,
        items=got,
    )


# -- export ----------------------------------------------------------------------------------


def export(store: Store, path: Path, *, overwrite: bool = False) -> Path:
    """Write every entry to ``path``: CSV, or Parquet when it ends in ``.parquet``. An
    existing file is refused unless ``overwrite``."""
    if path.exists() and not overwrite:
        raise StoreError(f"{path} exists; choose another name or pass --force to replace it")
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise StoreError(f"{path}: the export is .csv or .parquet")
    if not store.path.exists():
        raise StoreError(f"no store at {store.path} (no such file)")
    fmt = "PARQUET" if path.suffix.lower() == ".parquet" else "CSV, HEADER"
    tmp = path.with_name(f".{path.name}.tmp")
    with store._reader() as con:
        if not _has_ledger(con):
            raise StoreError(f"{store.path} has no ledger yet (store schema 1)")
        con.execute(
            f"COPY (SELECT {', '.join(COLUMNS)} FROM ledger ORDER BY entry_id) "
            f"TO '{_sql_path(tmp)}' (FORMAT {fmt})"
        )
    tmp.replace(path)
    return path


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


# -- import ----------------------------------------------------------------------------------

_INTS = ("entry_id", "seed", "samples")


def read_export(path: Path) -> list[Entry]:
    """The entries of a file written by :func:`export` (CSV or Parquet), every value read as
    text and typed by the ledger's columns, so that the hashes can be recomputed exactly.
    One :class:`StoreError` for a file that is not such an export."""
    import duckdb

    if path.suffix.lower() not in (".csv", ".parquet"):
        raise StoreError(f"{path}: a ledger export is .csv or .parquet")
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    reader = (
        f"read_parquet('{_sql_path(path)}')"
        if path.suffix.lower() == ".parquet"
        else f"read_csv('{_sql_path(path)}', header = true, all_varchar = true)"
    )
    try:
        con = duckdb.connect(":memory:")
        try:
            rel = con.sql(f"SELECT * FROM {reader}")
            if list(rel.columns) != list(COLUMNS):
                raise StoreError(f"{path}: not a ledger export (columns {rel.columns[:4]}...)")
            cast = ", ".join(f"CAST({c} AS VARCHAR)" for c in COLUMNS)
            rows = con.sql(f"SELECT {cast} FROM {reader}").fetchall()
        finally:
            con.close()
    except duckdb.Error as exc:
        raise StoreError(f"{path}: not a readable ledger export ({first_line(exc)})") from None
    out = []
    for row in rows:
        d: dict[str, Any] = dict(zip(COLUMNS, row, strict=True))
        try:
            for k in _INTS:
                d[k] = None if d[k] is None else int(d[k])
            d["probability"] = None if d["probability"] is None else float(d["probability"])
        except ValueError:
            raise StoreError(f"{path}: entry {d['entry_id']}: not a number") from None
        d["retrospective"] = str(d["retrospective"]).lower() == "true"
        out.append(Entry(**d))
    return out


def chain_problems(items: Sequence[Entry]) -> list[str]:
    """One line per entry whose hash does not match its content or whose ``prev_hash`` is
    not the hash of the entry before it (ids 1, 2, ... in order)."""
    problems, prev = [], GENESIS
    for n, e in enumerate(items, start=1):
        if e.entry_id != n:
            problems.append(f"entry {e.entry_id}: out of order or missing (expected {n})")
        if e.prev_hash != prev:
            problems.append(f"entry {e.entry_id}: not chained to the entry before it")
        if entry_hash(e.hashed()) != e.entry_hash:
            problems.append(f"entry {e.entry_id}: its content does not match its hash")
        prev = e.entry_hash
    return problems


def import_export(store: Store, path: Path) -> int:
    """Load an exported ledger into ``store``'s empty ledger after checking its whole chain
    (:func:`chain_problems`); the entries keep their ids, times and hashes. Returns the
    number of entries."""
    items = read_export(path)
    problems = chain_problems(items)
    if problems:
        raise StoreError(f"{path}: " + "; ".join(problems[:3]))

    with store._writer() as con:
        if con.execute("SELECT count(*) FROM ledger").fetchone() != (0,):
            raise StoreError(f"{store.path} already has a ledger; import into a new store")
        for e in items:
            con.execute(
                f"INSERT INTO ledger ({', '.join(COLUMNS)}) VALUES "
                f"({', '.join('?' for _ in COLUMNS)})",
                [getattr(e, k) for k in COLUMNS],
            )
        if items:
            last = items[-1]
            con.execute("DELETE FROM store_meta WHERE key = 'ledger_head'")
            con.execute(
                "INSERT INTO store_meta VALUES ('ledger_head', ?)",
                [f"{last.entry_id}:{last.entry_hash}"],
            )
    return len(items)
