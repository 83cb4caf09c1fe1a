"""Read DEU (decision-making in the EU) issue files into batched arrays; export scenarios.

    deu = load_deu()                       # the bundled 1996-2000 file, or load_deu(path)
    print(deu.report.summary())            # rows set aside, by class
    x = compromise(deu)                    # sum_i c_i s_i x_i / sum_i c_i s_i per issue

Rows are issues, columns the actors of :data:`ACTORS` in that fixed order. Positions,
reference points and outcomes are on DEU's 0-100 scale; saliences are DEU's 0-100 coding
divided by 100 (0-1, as in summitry scenarios); capabilities follow the convention of
docs/data-deu.md ("Capabilities"): each member state's Shapley-Shubik index of the
Council rule in force when the proposal was introduced (:mod:`summitry.data.council`),
the Commission and the Parliament by a named option (by default ``largest-member-both``,
the DEU literature's convention: both at the largest member state's index on every
issue). A row with any problem is kept, marked invalid in ``valid`` and listed in
``report`` by class (:data:`BAD_ROW_CLASSES`); it is never dropped silently.
docs/data-deu.md documents the columns and every rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.data import council
from summitry.data.conventions import (
    DEFAULT_INSTITUTIONS,
    DEFAULT_UNANIMITY,
    INSTITUTIONS,
    UNANIMITY,
    Institutions,
    Unanimity,
)
from summitry.inputfile import DATA_LIMIT, InputFileError, read_limited

__all__ = [
    "ACTORS",
    "ACTOR_NAMES",
    "BAD_ROW_CLASSES",
    "BadRow",
    "DeuData",
    "DeuError",
    "DeuReport",
    "compromise",
    "issue_scenario",
    "issue_scenario_yaml",
    "load_deu",
    "write_issue_scenario",
]

ACTOR_NAMES: dict[str, str] = {
    "com": "European Commission", "ep": "European Parliament", "at": "Austria",
    "be": "Belgium", "bu": "Bulgaria", "cr": "Croatia", "cy": "Cyprus",
    "cz": "Czech Republic", "dk": "Denmark", "ee": "Estonia", "fi": "Finland",
    "fr": "France", "de": "Germany", "el": "Greece", "hu": "Hungary", "ie": "Ireland",
    "it": "Italy", "lv": "Latvia", "lt": "Lithuania", "lu": "Luxembourg", "mt": "Malta",
    "nl": "Netherlands", "pl": "Poland", "pt": "Portugal", "ro": "Romania",
    "si": "Slovenia", "sk": "Slovakia", "es": "Spain", "se": "Sweden",
    "uk": "United Kingdom",
}  # fmt: skip
ACTORS: tuple[str, ...] = tuple(ACTOR_NAMES)
"""Actor codes in the fixed column order: Commission, Parliament, then the member states."""

BAD_ROW_CLASSES: dict[str, str] = {
    "malformed-row": "wrong number of fields",
    "duplicate-issue": "issue id used by an earlier row",
    "missing-outcome": "no outcome coded",
    "few-actors": "fewer than 3 actors with position and salience",
    "not-a-number": "a value that is not a number",
    "out-of-range": "a value outside 0-100",
    "bad-date": "introduction date unreadable or before 1986",
    "unknown-rule": "voting rule not QMV or Unan",
    "unknown-procedure": "procedure not COD or CNS",
}
"""Every class of bad row, with a short description (docs/data-deu.md, "Bad rows")."""

MIN_ACTORS = 3
_REQUIRED = ("out", "intro", "proc", "counvte")
_META = ("prnrnmc", "isnrnmc", "prnr", "prname", "isnr", "type", "council", "proc",
         "counvte", "proccde", "issues", "intro", "rp", "out")  # fmt: skip
_MISSING = frozenset({"", ".", "na", "n/a", "nan", "null", "none"})
_DMY = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_CITATION = (
    "J. Arregui and C. Perarnaud (2021), 'A new dataset on legislative decision-making in "
    "the European Union: the DEU III dataset', Journal of European Public Policy; data "
    "doi:10.34810/data53, licence CC BY 4.0. DEU I: R. Thomson, F. N. Stokman, C. H. Achen "
    "and T. Konig (eds., 2006), The European Union Decides, Cambridge University Press."
)
BUNDLED = "deu-1996-2000.tsv"


class DeuError(ValueError):
    """A DEU file that cannot be read at all; the message is one line naming the file."""


@dataclass(frozen=True)
class BadRow:
    """One problem of one row: the file's line, the issue, the class and what is wrong."""

    line: int
    issue: str
    kind: str
    message: str


@dataclass(frozen=True)
class DeuReport:
    """What the reader found: rows read, rows valid, every bad row by class, and notes."""

    file: str
    rows: int
    valid: int
    bad: tuple[BadRow, ...] = ()
    notes: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Number of rows with each class of problem (a row may have several)."""
        seen = {kind: set[int]() for kind in BAD_ROW_CLASSES}
        for b in self.bad:
            seen[b.kind].add(b.line)
        return {kind: len(lines) for kind, lines in seen.items()}

    def lines(self) -> list[str]:
        """One line per problem: ``file:line: issue: class: message``."""
        return [f"{self.file}:{b.line}: {b.issue}: {b.kind}: {b.message}" for b in self.bad]

    def summary(self) -> str:
        """Rows read, valid and set aside by class, wrapped to at most 80 characters."""
        aside = self.rows - self.valid
        head = f"{self.file}: {self.rows} issues read, {self.valid} valid, {aside} set aside"
        out = textwrap.wrap(head, 80, subsequent_indent="  ", break_on_hyphens=False)
        for kind, n in self.counts().items():
            if n:
                out.append(f"  {kind:<18}{n:>5}  {BAD_ROW_CLASSES[kind]}")
        for note in self.notes:
            out += textwrap.wrap(note, 80, initial_indent="  note: ", subsequent_indent="    ")
        return "\n".join(out)


Array = NDArray[Any]


@dataclass(frozen=True, eq=False)
class DeuData:
    """DEU issues as arrays: row i is one issue, column j of the 2-D arrays is ``actors[j]``.

    Absent values are NaN (floats), -1 (integer ids and counts), "" (text) or NaT (dates).
    ``saliences`` are the coded 0-100 values / 100; a salience without a position is NaN.
    ``capabilities`` follow ``institutions`` and ``unanimity`` (docs/data-deu.md).
    """

    file: str
    actors: tuple[str, ...]
    lines: Array  # int64: line of the row in the file
    proposal_ids: Array  # int64: prnrnmc
    issue_ids: Array  # int64: isnrnmc
    proposal_codes: Array  # str: prnr
    proposal_names: Array  # str: prname
    issue_codes: Array  # str: isnr
    act_types: Array  # str: type (Reg, Dir, Dec)
    councils: Array  # str: council configuration
    procedures: Array  # str: "COD", "CNS" or ""
    voting_rules: Array  # str: "QMV", "Unan" or ""
    procedure_codes: Array  # int64: proccde
    issue_counts: Array  # int64: issues (in the proposal)
    intro: Array  # datetime64[D]: introduction date
    intro_year_only: Array  # bool: the file gave a year only (read as 1 July)
    council_rules: Array  # str: name of the Council rule in force at intro
    positions: Array  # float64 (issues, actors), 0-100
    saliences: Array  # float64 (issues, actors), 0-1
    capabilities: Array  # float64 (issues, actors)
    reference_points: Array  # float64, 0-100
    outcomes: Array  # float64, 0-100
    valid: Array  # bool: no problem in the row
    report: DeuReport
    institutions: Institutions = DEFAULT_INSTITUTIONS
    unanimity: Unanimity = DEFAULT_UNANIMITY
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return int(self.lines.shape[0])

    def index(self, issue: str | int) -> int:
        """Row of an issue, by its code (``"d00032i1"``) or numeric id (``isnrnmc``)."""
        if isinstance(issue, str) and issue.strip().lower() in self._index:
            return self._index[issue.strip().lower()]
        if isinstance(issue, int | np.integer):
            hits = np.flatnonzero(self.issue_ids == int(issue))
            if hits.size:
                return int(hits[0])
        raise DeuError(f"{self.file}: no issue {issue!r}")

    def with_capabilities(
        self,
        institutions: Institutions = DEFAULT_INSTITUTIONS,
        unanimity: Unanimity = DEFAULT_UNANIMITY,
    ) -> DeuData:
        """The same data with capabilities under another convention (docs/data-deu.md)."""
        _check_options(institutions, unanimity)
        caps = _capabilities(
            self.intro, self.procedures, self.voting_rules, institutions, unanimity
        )
        return replace(self, capabilities=caps, institutions=institutions, unanimity=unanimity)

    def select(self, rows: Array | Sequence[int]) -> DeuData:
        """A subset of the rows (a boolean mask or indices), the report unchanged."""
        idx = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows)
        arrays: dict[str, Any] = {
            f: _ro(np.asarray(getattr(self, f))[idx])
            for f in self.__dataclass_fields__
            if isinstance(getattr(self, f), np.ndarray)
        }
        codes = list(enumerate(arrays["issue_codes"]))
        index = {str(c).lower(): i for i, c in reversed(codes) if c}  # the first row wins
        return replace(self, **arrays, _index=index)


def _check_options(institutions: str, unanimity: str) -> None:
    for name, value, allowed in (
        ("institutions", institutions, INSTITUTIONS),
        ("unanimity", unanimity, UNANIMITY),
    ):
        if value not in allowed:
            raise DeuError(f"{name}: unknown option {value!r} (one of: {', '.join(allowed)})")


def load_deu(
    path: str | Path | None = None,
    *,
    institutions: Institutions = DEFAULT_INSTITUTIONS,
    unanimity: Unanimity = DEFAULT_UNANIMITY,
) -> DeuData:
    """Read a DEU issue file (TSV or CSV; the bundled 1996-2000 file when ``path`` is None).

    Capabilities follow ``institutions`` and ``unanimity`` (docs/data-deu.md; the default
    :data:`DEFAULT_INSTITUTIONS` is the convention of the published DEU figures).

    Raises :class:`DeuError` (one line naming the file) when the file cannot be read as a
    whole: missing, empty, without the required columns or without actor columns. Bad rows
    do not raise: they are marked invalid and listed in the returned data's ``report``.
    """
    _check_options(institutions, unanimity)
    if path is None:
        raw = resources.files("summitry.data").joinpath(BUNDLED).read_bytes()
        file = BUNDLED
    else:
        file = str(path)
        try:  # a regular file of at most DATA_LIMIT bytes (docs/limits.md, "Hostile inputs")
            raw = read_limited(path, DATA_LIMIT, "DEU data file")
        except InputFileError as err:
            raise DeuError(f"{file}: {err}") from None
    return _parse(raw, file, institutions, unanimity)


# -- reading -----------------------------------------------------------------------------------


def _decode(raw: bytes, notes: list[str]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.append("the file is not UTF-8: read as Windows-1252")
        return raw.decode("cp1252")


def _rows(text: str, file: str) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise DeuError(f"{file}: the file is empty")
    delim = max(("\t", ";", ","), key=first.count)
    if first.count(delim) == 0:
        raise DeuError(f"{file}: line 1: no tab, comma or semicolon between column names")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip().lower() for c in cells]
            else:
                rows.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as err:
        raise DeuError(f"{file}:{reader.line_num}: not a readable table ({err})") from None
    assert header is not None
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise DeuError(f"{file}: line 1: column {dupes[0]!r} appears twice")
    return delim, header, rows


def _number(text: str, decimal_comma: bool) -> float | None:
    """The number in ``text``: NaN when empty/missing, None when not a number."""
    t = text.strip()
    if t.lower() in _MISSING:
        return math.nan
    if decimal_comma:
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _integer(text: str) -> int:
    v = _number(text, False)
    return int(v) if v is not None and math.isfinite(v) and v == int(v) else -1


def parse_date(text: str) -> tuple[dt.date | None, bool]:
    """An introduction date: DD-MM-YY (YY < 50 is 20YY), DD-MM-YYYY, YYYY-MM-DD or a year.

    Returns (date, year_only); a bare year reads as 1 July of that year; (None, False) when
    unreadable. ``-``, ``.`` and ``/`` all separate day, month and year.
    """
    t = text.strip()
    try:
        if m := _DMY.match(t):
            day, month, year = int(m[1]), int(m[2]), int(m[3])
            if len(m[3]) == 2:
                year += 2000 if year < 50 else 1900
            return dt.date(year, month, day), False
        if m := _ISO.match(t):
            return dt.date(int(m[1]), int(m[2]), int(m[3])), False
        if m := _YEAR.match(t):
            return dt.date(int(m[1]), 7, 1), True
    except ValueError:
        pass
    return None, False


def _rule(text: str) -> str:
    t = text.strip().lower()
    if t.startswith("qmv") or t in ("qualified majority", "qm"):
        return "QMV"
    if t.startswith("unan"):
        return "Unan"
    return ""


def _procedure(text: str) -> str:
    t = text.strip().upper()
    if t in ("COD", "OLP"):
        return "COD"
    if t in ("CNS", "CONS"):
        return "CNS"
    return ""


class _Row:
    """Collects the problems of one row, one BadRow per class."""

    def __init__(self, line: int, issue: str) -> None:
        self.line, self.issue = line, issue
        self.problems: dict[str, list[str]] = {}

    def add(self, kind: str, message: str) -> None:
        self.problems.setdefault(kind, []).append(message)

    def bad(self) -> list[BadRow]:
        return [BadRow(self.line, self.issue, k, "; ".join(m)) for k, m in self.problems.items()]


def _value(row: _Row, column: str, text: str, decimal_comma: bool) -> float:
    v = _number(text, decimal_comma)
    if v is None:
        row.add("not-a-number", f"{column}: {text!r} is not a number")
        return math.nan
    if not math.isnan(v) and not 0 <= v <= 100:
        row.add("out-of-range", f"{column}: {text} is outside 0-100")
        return math.nan
    return v


def _parse(raw: bytes, file: str, institutions: Institutions, unanimity: Unanimity) -> DeuData:
    notes: list[str] = []
    text = _decode(raw, notes)
    delim, header, rows = _rows(text, file)
    col = {h: k for k, h in enumerate(header)}
    missing = [c for c in _REQUIRED if c not in col]
    if "isnr" not in col and "isnrnmc" not in col:
        missing.append("isnr")
    if missing:
        raise DeuError(f"{file}: line 1: missing column {missing[0]!r} "
                       f"(required: isnr or isnrnmc, {', '.join(_REQUIRED)})")  # fmt: skip
    p_cols = [col.get("p" + a) for a in ACTORS]
    s_cols = [col.get("s" + a) for a in ACTORS]
    if not any(c is not None for c in p_cols):
        raise DeuError(f"{file}: line 1: no actor position column (pcom, pep, pat, ...)")
    for a, p, s in zip(ACTORS, p_cols, s_cols, strict=True):
        if (p is None) != (s is None):
            have, lack = ("p", "s") if s is None else ("s", "p")
            notes.append(f"column {have}{a} without {lack}{a}: {a} has no "
                         f"{'salience' if s is None else 'position'} anywhere")  # fmt: skip
    known = set(_META) | {x + a for a in ACTORS for x in "ps"}
    ignored = [h for h in header if h not in known]
    if ignored:
        notes.append("ignored columns: " + ", ".join(ignored))
    decimal_comma = delim != ","

    n, na = len(rows), len(ACTORS)
    positions = np.full((n, na), np.nan)
    saliences = np.full((n, na), np.nan)
    ref = np.full(n, np.nan)
    out = np.full(n, np.nan)
    intro = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    year_only = np.zeros(n, dtype=bool)
    texts: dict[str, list[str]] = {k: [] for k in ("prnr", "prname", "isnr", "type", "council")}
    ints: dict[str, list[int]] = {k: [] for k in ("prnrnmc", "isnrnmc", "proccde", "issues")}
    procs: list[str] = []
    vrules: list[str] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    odd_rules: dict[str, list[int]] = {}

    def cell(cells: list[str], name: str) -> str:
        k = col.get(name)
        return cells[k] if k is not None and k < len(cells) else ""

    for i, (line, cells) in enumerate(rows):
        code = cell(cells, "isnr") or cell(cells, "isnrnmc")
        row = _Row(line, code or f"row {i + 1}")
        if len(cells) != len(header):
            row.add("malformed-row", f"{len(cells)} fields, the header has {len(header)}")
        if code:
            if code.lower() in seen:
                row.add("duplicate-issue", f"{code} is also on line {seen[code.lower()]}")
            else:
                seen[code.lower()] = line
        for key in texts:
            texts[key].append(cell(cells, key))
        for key in ints:
            ints[key].append(_integer(cell(cells, key)))
        for j, a in enumerate(ACTORS):
            if p_cols[j] is not None:
                positions[i, j] = _value(row, "p" + a, cell(cells, "p" + a), decimal_comma)
            if s_cols[j] is not None:
                saliences[i, j] = _value(row, "s" + a, cell(cells, "s" + a), decimal_comma) / 100
        saliences[i, np.isnan(positions[i])] = np.nan
        ref[i] = _value(row, "rp", cell(cells, "rp"), decimal_comma)
        raw_out = cell(cells, "out")
        read_out = _number(raw_out, decimal_comma)
        if read_out is not None and math.isnan(read_out):
            row.add("missing-outcome", "out: no outcome coded")
        else:
            out[i] = _value(row, "out", raw_out, decimal_comma)
        both = int(np.sum(~np.isnan(positions[i]) & ~np.isnan(saliences[i])))
        if both < MIN_ACTORS:
            row.add("few-actors", f"{both} actor(s) with both a position and a salience")
        day, yonly = parse_date(cell(cells, "intro"))
        if day is None:
            row.add("bad-date", f"intro: {cell(cells, 'intro')!r} is not DD-MM-YY, "
                    "DD-MM-YYYY or a year")  # fmt: skip
        elif day < council.RULES[0].start:
            row.add("bad-date", f"intro: {day.isoformat()} is before the first Council rule "
                    f"tabled ({council.RULES[0].start.isoformat()})")  # fmt: skip
        else:
            intro[i] = np.datetime64(day, "D")
            year_only[i] = yonly
        rule_text = cell(cells, "counvte")
        vrules.append(_rule(rule_text))
        if not vrules[-1]:
            row.add("unknown-rule", f"counvte: {rule_text!r} is not QMV or Unan")
        elif rule_text not in ("QMV", "Unan"):
            odd_rules.setdefault(rule_text, []).append(line)
        proc_text = cell(cells, "proc")
        procs.append(_procedure(proc_text))
        if not procs[-1]:
            row.add("unknown-procedure", f"proc: {proc_text!r} is not COD or CNS")
        bad += row.bad()
    for text_rule, where in odd_rules.items():
        notes.append(f"voting rule {text_rule!r} read as {_rule(text_rule)} "
                     f"({_lines(where)})")  # fmt: skip
    if year_only.any():
        notes.append(f"{int(year_only.sum())} introduction date(s) give a year only: read as "
                     "1 July")  # fmt: skip
    bad_lines = {b.line for b in bad}
    valid = np.array([line not in bad_lines for line, _ in rows], dtype=bool)
    procedures = np.array(procs, dtype=str)
    voting_rules = np.array(vrules, dtype=str)
    rules = [
        council.rule_in_force(d.astype(dt.date)).name if not np.isnat(d) else "" for d in intro
    ]
    issue_codes = [t or (str(k) if k >= 0 else "") for t, k in zip(texts["isnr"], ints["isnrnmc"],
                                                                 strict=True)]  # fmt: skip
    report = DeuReport(file, n, int(valid.sum()), tuple(bad), tuple(notes))
    return DeuData(
        file=file,
        actors=ACTORS,
        lines=_ro(np.array([line for line, _ in rows], dtype=np.int64)),
        proposal_ids=_ro(np.array(ints["prnrnmc"], dtype=np.int64)),
        issue_ids=_ro(np.array(ints["isnrnmc"], dtype=np.int64)),
        proposal_codes=_ro(np.array(texts["prnr"], dtype=str)),
        proposal_names=_ro(np.array(texts["prname"], dtype=str)),
        issue_codes=_ro(np.array(issue_codes, dtype=str)),
        act_types=_ro(np.array(texts["type"], dtype=str)),
        councils=_ro(np.array(texts["council"], dtype=str)),
        procedures=_ro(procedures),
        voting_rules=_ro(voting_rules),
        procedure_codes=_ro(np.array(ints["proccde"], dtype=np.int64)),
        issue_counts=_ro(np.array(ints["issues"], dtype=np.int64)),
        intro=_ro(intro),
        intro_year_only=_ro(year_only),
        council_rules=_ro(np.array(rules, dtype=str)),
        positions=_ro(positions),
        saliences=_ro(saliences),
        capabilities=_capabilities(intro, procedures, voting_rules, institutions, unanimity),
        reference_points=_ro(ref),
        outcomes=_ro(out),
        valid=_ro(valid),
        report=report,
        institutions=institutions,
        unanimity=unanimity,
        _index={c.lower(): i for i, c in reversed(list(enumerate(issue_codes))) if c},
    )


def _lines(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:5]))
    more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
    return ("line " if len(lines) == 1 else "lines ") + shown + more


def _ro(a: Array) -> Array:
    a = np.array(a, copy=True) if a.base is not None else a
    a.flags.writeable = False
    return a


# -- capabilities ------------------------------------------------------------------------------


def _capabilities(
    intro: Array, procedures: Array, voting_rules: Array, institutions: str, unanimity: str
) -> Array:
    """Capabilities (issues x actors) under the convention of docs/data-deu.md.

    Member state: its Shapley-Shubik index of the Council rule in force on the introduction
    date (0 when not a member then); under unanimity with ``unanimity="equal"`` the index
    of the unanimity game, 1/n for each of the n members. Commission: the largest member
    state's index (0 with "council-only"); Parliament: the same under codecision
    ("largest-member") or always ("largest-member-both"), else 0. NaN where the date or,
    for a rule that needs it, the procedure or voting rule is unknown.
    """
    caps = np.full((intro.shape[0], len(ACTORS)), np.nan)
    for i, day in enumerate(intro):
        if np.isnat(day):
            continue
        rule = council.rule_in_force(day.astype(dt.date))
        if unanimity == "equal" and voting_rules[i] == "Unan":
            index = {m: 1.0 / len(rule.members) for m in rule.members}
        elif unanimity == "equal" and not voting_rules[i]:
            continue
        else:
            index = council.shapley_shubik(rule)
        caps[i, 2:] = [index.get(a, 0.0) for a in ACTORS[2:]]
        largest = max(index.values())
        caps[i, 0] = 0.0 if institutions == "council-only" else largest
        if institutions == "largest-member-both":
            caps[i, 1] = largest
        elif institutions == "council-only":
            caps[i, 1] = 0.0
        elif procedures[i]:
            caps[i, 1] = largest if procedures[i] == "COD" else 0.0
    return _ro(caps)


def compromise(data: DeuData) -> Array:
    """The compromise model per issue (:func:`summitry.engines.compromise.compromise` on the
    file's arrays: sum_i c_i s_i x_i / sum_i c_i s_i); NaN for invalid rows
    (docs/data-deu.md, "Checks").
    """
    from summitry.engines.compromise import compromise as engine

    x = engine(data.positions, data.saliences, data.capabilities)
    return np.where(data.valid, x, np.nan)


# -- scenario export ---------------------------------------------------------------------------


def _plain(v: float) -> int | float:
    f = float(v)
    return int(f) if f.is_integer() else f


def _slug(text: str, allowed: str) -> str:
    return re.sub(f"[^{allowed}]+", "-" if "-" in allowed else "_", text.lower()).strip("-_")


def issue_scenario(data: DeuData, issue: str | int) -> dict[str, Any]:
    """One valid DEU issue as plain scenario data (docs/scenario-format.md).

    A 0-100 issue with the reference point as status quo (where coded), one actor per
    actor with a position and a salience (capability, position, salience / 100), each
    value with a source naming DEU and the issue, and the outcome in ``outcome``.
    """
    i = data.index(issue)
    code = str(data.issue_codes[i])
    if not data.valid[i]:
        kinds = sorted({b.kind for b in data.report.bad if b.line == data.lines[i]})
        raise DeuError(f"{data.file}:{data.lines[i]}: {code}: set aside ({', '.join(kinds)}): "
                       "no scenario")  # fmt: skip
    iid = _slug(code, "a-z0-9_")
    if not re.match(r"^[a-z][a-z0-9_]*$", iid):
        iid = "issue_" + iid
    day = data.intro[i].astype(dt.date).isoformat()
    rule = str(data.council_rules[i])
    where = f"deu: issue {code}, line {data.lines[i]} of {Path(data.file).name}"
    name = str(data.proposal_names[i]) or str(data.proposal_codes[i]) or code
    issue_data: dict[str, Any] = {
        "id": iid,
        "label": f"{name}: issue {code} (DEU's 0-100 scale)",
        "scale": [0, 100],
        "note": "Scale 0-100 as coded by the DEU experts; the file does not describe its ends.",
    }
    if not np.isnan(data.reference_points[i]):
        issue_data["status_quo"] = {
            "value": _plain(data.reference_points[i]),
            "source": f"{where}, column rp (reference point)",
        }
    actors = []
    for j, a in enumerate(ACTORS):
        x, s = data.positions[i, j], data.saliences[i, j]
        if np.isnan(x) or np.isnan(s):
            continue
        actors.append({
            "id": a,
            "name": ACTOR_NAMES[a],
            "capability": {
                "value": float(data.capabilities[i, j]),
                "source": _capability_source(data, i, j, rule, day),
            },
            "positions": {iid: {"value": _plain(x), "source": f"{where}, column p{a}"}},
            "salience": {iid: {
                "value": _plain(round(s, 10)),
                "source": f"{where}, column s{a}",
                "note": f"coded salience {_plain(round(s * 100, 8))} / 100",
            }},
        })  # fmt: skip
    proc = {"COD": "codecision", "CNS": "consultation"}[str(data.procedures[i])]
    return {
        "name": _slug(f"deu-{code}", "a-z0-9-"),
        "title": f"DEU issue {code}: {name}",
        "date": day,
        "description": (
            f"Issue {code} of EU proposal {data.proposal_codes[i]} ({name}), introduced "
            f"{day}: {data.act_types[i] or 'act'} under {proc}, Council voting rule "
            f"{data.voting_rules[i]}, Council configuration {data.councils[i] or 'unknown'}. "
            f"Converted from the DEU data by summitry.data.deu (docs/data-deu.md)."
        ),
        "references": {"deu": _CITATION},
        "issues": [issue_data],
        "actors": actors,
        "outcome": {
            "date": day,
            "summary": (
                "The decision outcome as coded by DEU. The file records no decision date, so "
                "the outcome is dated by the proposal's introduction."
            ),
            "issues": {iid: {"value": _plain(data.outcomes[i]), "source": f"{where}, column out"}},
        },
    }


def _capability_source(data: DeuData, i: int, j: int, rule: str, day: str) -> str:
    a = ACTORS[j]
    index = (
        "the unanimity game's"
        if (data.unanimity == "equal" and data.voting_rules[i] == "Unan")
        else "Shapley-Shubik"
    )
    if j >= 2:
        return f"{index} index of Council rule {rule} in force on {day} (docs/data-deu.md)"
    return (f"convention {data.institutions}: {ACTOR_NAMES[a]} weighted by the largest member "
            f"state's {index} index of Council rule {rule}, or 0 (docs/data-deu.md)")  # fmt: skip


def issue_scenario_yaml(data: DeuData, issue: str | int) -> str:
    """:func:`issue_scenario` as YAML text, one line per number with its source."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def flow(m: dict[str, Any]) -> CommentedMap:
        out = CommentedMap(m)
        out.fa.set_flow_style()
        return out

    d = issue_scenario(data, issue)
    root = CommentedMap()
    root.yaml_set_start_comment(f"Converted from {Path(data.file).name} by summitry.data.deu.")
    for key in ("name", "title", "date", "description", "references"):
        root[key] = d[key]
    issue_map = CommentedMap(d["issues"][0])
    scale = CommentedSeq(issue_map["scale"])
    scale.fa.set_flow_style()
    issue_map["scale"] = scale
    if "status_quo" in issue_map:
        issue_map["status_quo"] = flow(issue_map["status_quo"])
    root["issues"] = CommentedSeq([issue_map])
    actors = CommentedSeq()
    for a in d["actors"]:
        m = CommentedMap((k, a[k]) for k in ("id", "name"))
        m["capability"] = flow(a["capability"])
        for key in ("positions", "salience"):
            m[key] = CommentedMap((k, flow(q)) for k, q in a[key].items())
        actors.append(m)
    root["actors"] = actors
    outcome = CommentedMap(d["outcome"])
    outcome["issues"] = CommentedMap((k, flow(v)) for k, v in d["outcome"]["issues"].items())
    root["outcome"] = outcome
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(root, buf)
    return buf.getvalue()


def write_issue_scenario(
    data: DeuData, issue: str | int, path: str | Path, *, overwrite: bool = False
) -> Path:
    """Write one issue's scenario to ``path`` after checking that it loads and validates.

    Refuses (DeuError) to replace an existing file unless ``overwrite`` is true.
    """
    from summitry.scenario import ScenarioError, load_text

    target = Path(path)
    text = issue_scenario_yaml(data, issue)
    try:
        load_text(text, str(target))
    except ScenarioError as err:  # a bug here, not bad input: say what failed
        raise DeuError(f"{target}: the converted scenario does not validate: {err}") from None
    if target.exists() and not overwrite:
        raise DeuError(f"{target}: file exists; pass overwrite=True to replace it")
    try:
        with target.open("w" if overwrite else "x", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as err:
        raise DeuError(f"{target}: cannot write ({err.strerror or err})") from None
    return target
