"""Sources of a scenario's numbers: the reference library, citations and the hindsight check.

A quantity's ``source`` is one or more *citations* separated by ``;``, each a reference key
optionally followed by ``:`` and a detail (``"kim-spa-speech-2025-09-21: s.2"``). A key
names an entry of the project's library (``src/summitry/sources/references.yaml``, documented in
docs/sources/README.md) or of the scenario's own ``references`` mapping. Text whose parts
do not all start with a key (``"minister, 2 Feb 2024"``) is an *unresolved* source: allowed,
reported by ``summitry scenarios validate`` (an error under ``--strict``). A part whose head
(the text before its ``:``) is one word with a digit, ``-`` or ``_`` in it looks like a key:
if it names no reference, that is an error (a mistyped key). A plain word (``notes``) is a
key only when it names a reference; otherwise it is free text, as in older files.

The hindsight check (docs/scenario-format.md, "Sources and the hindsight check"): an input
may only cite references dated on or before the scenario's ``date``; the ``outcome``
section, which records what happened later, is excepted. One exception for *datasets*
(library entries with ``covers``, the years they measure): a citation that names the years it
uses, ``key@1993`` or ``key@2017-2018``, is a retrospective measurement of those years and
passes when the last of them ended on or before the scenario's ``date``, whenever the
dataset was released (docs/input-protocol.md, "Datasets published later").
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summitry.scenario.quantities import Loc

LIBRARY_FILE = Path(__file__).resolve().parent.parent / "sources" / "references.yaml"
"""The project's reference library (package data; format in docs/sources/README.md)."""

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
"""What a cited key looks like: one word of lower-case letters, digits, ``-`` and ``_``,
starting with a letter."""

PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
"""The years a dataset citation uses, after ``@``: ``1993`` or ``2017-2018``."""


@dataclass(frozen=True)
class Reference:
    """One reference: ``date`` is the day its information became public (``None``: a
    scenario's legacy text reference, which has no date)."""

    key: str
    date: dt.date | None
    citation: str
    url_or_id: str | None = None
    covers: tuple[int, int] | None = None
    """A dataset's first and last year of measurement (library ``covers``), else ``None``."""


@dataclass(frozen=True)
class Citation:
    """One part of a ``source`` text: a key, the years after its ``@`` (a dataset citation;
    ``None`` without one) and the detail after its ``:`` (may be empty)."""

    key: str
    detail: str
    period: str | None = None


def parse_period(text: str) -> tuple[int, int] | None:
    """``"1993"`` -> (1993, 1993), ``"2017-2018"`` -> (2017, 2018); ``None`` if malformed
    or backwards."""
    m = PERIOD_PATTERN.match(text)
    if m is None:
        return None
    first = int(m.group(1))
    last = int(m.group(2) or first)
    return (first, last) if first <= last else None


def _split_head(head: str) -> tuple[str, str | None]:
    """A citation's head ``key@period`` -> (key, period); without ``@`` the period is None."""
    key, at, period = head.strip().partition("@")
    return key.strip(), (period.strip() if at else None)


def looks_like_key(word: str, known: Container[str] = ()) -> bool:
    """Whether ``word`` is read as a reference key: a known key, or one word of the key
    pattern with a digit, ``-`` or ``_`` in it (a plain word may be prose)."""
    if not KEY_PATTERN.match(word):
        return False
    return word in known or word in library() or bool(re.search(r"[-_0-9]", word))


def parse_source(text: str, known: Container[str] = ()) -> list[Citation] | None:
    """The citations of a ``source`` text, or ``None`` when it is free text.

    Every ``;``-separated part must start with a key (:func:`looks_like_key`, ``known``
    being the scenario's own reference keys), optionally followed by ``:`` and a detail.
    """
    out: list[Citation] = []
    for part in text.split(";"):
        head, _, detail = part.partition(":")
        key, period = _split_head(head)
        if not looks_like_key(key, known):
            return None
        out.append(Citation(key, " ".join(detail.split()), period))
    return out


def key_like_parts(text: str, known: Container[str] = ()) -> list[str]:
    """The heads of the parts of ``text`` that look like keys (for unknown-key errors in
    texts that are otherwise free), without any ``@period``."""
    heads = (_split_head(part.partition(":")[0])[0] for part in text.split(";"))
    return [key for key in heads if looks_like_key(key, known)]


@functools.cache
def library() -> dict[str, Reference]:
    """The project's reference library, key -> :class:`Reference` (read once)."""
    from ruamel.yaml import YAML

    entries = YAML(typ="safe", pure=True).load(LIBRARY_FILE.read_text(encoding="utf-8"))
    out: dict[str, Reference] = {}
    for entry in entries:
        key = str(entry["key"])
        covers = parse_period(str(entry["covers"])) if "covers" in entry else None
        out[key] = Reference(
            key,
            dt.date.fromisoformat(str(entry["date"])),
            " ".join(str(entry["citation"]).split()),
            str(entry["url_or_id"]),
            covers,
        )
    return out


def scenario_references(refs: Mapping[str, Any]) -> dict[str, Reference]:
    """A scenario's own ``references`` as :class:`Reference` objects (text: undated)."""
    out: dict[str, Reference] = {}
    for key, value in refs.items():
        if isinstance(value, str):
            out[key] = Reference(key, None, " ".join(value.split()))
        else:
            out[key] = Reference(key, value.date, value.citation, value.url_or_id)
    return out


def sources_in(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every ``source`` text in a scenario's plain data, with its location, in file order
    (the ``references`` section holds citations, not sources, and is skipped)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not loc and key == "references":
                continue
            if key == "source" and isinstance(value, str):
                yield (*loc, key), value
            else:
                yield from sources_in(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from sources_in(value, (*loc, i))


def unknown_keys(data: Any, refs: Mapping[str, Reference]) -> list[tuple[Loc, str]]:
    """An error for every cited key that names no reference (library or scenario), and for
    every ``@period`` that is malformed, names no dataset or lies outside its ``covers``."""
    lib = library()
    out: list[tuple[Loc, str]] = []
    for loc, text in sources_in(data):
        for key in key_like_parts(text, refs):
            if key not in lib and key not in refs:
                msg = (
                    f"unknown reference key '{key}' (not in the scenario's references or the "
                    "library; free text belongs in a note)"
                )
                out.append((loc, msg))
        for c in parse_source(text, refs) or []:
            ref = refs.get(c.key) or lib.get(c.key)
            if c.period is not None and ref is not None:
                out += [(loc, msg) for msg in _period_problems(c, ref)]
    return out


def _period_problems(c: Citation, ref: Reference) -> list[str]:
    """What is wrong with the ``@period`` of a citation of ``ref`` (nothing: ``[]``)."""
    period = parse_period(c.period or "")
    if period is None:
        return [f"'{c.key}@{c.period}': write the years as @1993 or @2017-2018"]
    if ref.covers is None:
        return [f"'{c.key}@{c.period}': '{c.key}' is not a dataset (no covers), so no @years"]
    if period[0] < ref.covers[0] or period[1] > ref.covers[1]:
        first, last = ref.covers
        return [f"'{c.key}@{c.period}': the dataset covers {first}-{last} only"]
    return []


def measures_before(c: Citation, ref: Reference, date: dt.date) -> bool:
    """Whether citation ``c`` of ``ref`` is a retrospective measurement: ``ref`` is a dataset
    and the last year ``c`` names (after ``@``) ended on or before ``date``."""
    period = parse_period(c.period) if c.period else None
    if ref.covers is None or period is None:
        return False
    return dt.date(period[1], 12, 31) <= date


def shadowed_keys(refs: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """An error for every scenario reference whose key is also a library key."""
    lib = library()
    return [
        (("references", key), f"'{key}' is a key of the reference library; use another key")
        for key in refs
        if key in lib
    ]


@dataclass(frozen=True)
class Finding:
    """A source problem that is a warning by default and an error under ``--strict``:
    ``kind`` is ``unresolved``, ``undated`` or ``hindsight``."""

    loc: Loc
    kind: str
    message: str


def audit(data: Any, date: dt.date | None, refs: Mapping[str, Reference]) -> list[Finding]:
    """Every unresolved source, undated reference and hindsight violation, in file order.

    Hindsight: an input (anything outside ``outcome``) cites a reference dated after
    ``date``, unless the citation is a dataset's measurement of years that ended by ``date``
    (:func:`measures_before`). Keys that name no reference are not reported here (the loader
    rejects them).
    """
    lib = library()
    out: list[Finding] = []
    for loc, text in sources_in(data):
        citations = parse_source(text, refs)
        if citations is None:
            shown = " ".join(text.split())
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            out.append(Finding(loc, "unresolved", f"unresolved source (free text): '{shown}'"))
            continue
        for c in citations:
            ref = refs.get(c.key) or lib.get(c.key)
            if ref is None:
                continue
            if ref.date is None:
                msg = f"reference '{c.key}' has no date, so the hindsight check cannot run"
                out.append(Finding(loc, "undated", msg))
            elif (
                date is not None
                and ref.date > date
                and (not loc or loc[0] != "outcome")
                and not measures_before(c, ref, date)
            ):
                msg = (
                    f"hindsight: '{c.key}' is dated {ref.date.isoformat()}, after the "
                    f"scenario's date {date.isoformat()}"
                )
                out.append(Finding(loc, "hindsight", msg))
    return out


def cited_references(data: Any, refs: Mapping[str, Reference]) -> list[Reference]:
    """The references a scenario cites, in order of first citation, then its own references
    that no source cites. ``data`` is the scenario's plain data (``Scenario.to_data()``)."""
    lib = library()
    out: dict[str, Reference] = {}
    for _, text in sources_in(data):
        for c in parse_source(text, refs) or []:
            ref = refs.get(c.key) or lib.get(c.key)
            if ref is not None:
                out.setdefault(c.key, ref)
    for key, ref in refs.items():
        out.setdefault(key, ref)
    return list(out.values())
