"""Convert KTAB's SMP scenario files (CSV and XML) into summitry scenarios.

KTAB (github.com/lsyaseen/KTAB, MIT licence) reads an SMP scenario from CSV
(``SMPModel::csvRead``: name, description, actor and dimension counts; a column line; one
line per actor with capability and, per dimension, position and salience on 0-100) or from
XML (``SMPModel::xmlRead``, ``examples/smp/doc/smpSchema.xsd``)::

    <Scenario>
      <name/> <desc/> <prngSeed/>
      <ModelParameters>            optional: VictoryProbModel, PCEModel, StateTransitions,
                                   VotingRule, BigRAdjust, BigRRange, ThirdPartyCommit,
                                   InterVecBrgn, BargnModel (KTAB's enum names)
      <Dimensions> <dName/>... </Dimensions>
      <Actors> <Actor> <name/> <description/> <capability/>
                       <Position> <dCoord/>... </Position>
                       <Salience> <dSal/>... </Salience> </Actor>... </Actors>
      <IdealAdjustment>            optional: <iaPair> <adjustingIdeal/> <referencePos/>
                                   <adjust/> </iaPair>...  (the accommodation matrix A starts
                                   as the identity; each pair sets one entry A[adjusting, ref])
    </Scenario>

The conversion (the mapping of summitry.forecasting.smp run backwards, so that the SMP runs on
KTAB's own numbers): every dimension becomes an issue on the scale [0, 100]; positions are
kept as given, saliences are divided by 100, capabilities kept as given. Every model
parameter maps to a field of ``model.smp``; an accommodation row becomes
``model.smp.accommodation[actor]`` (with the implicit 1 for the actor itself when no pair
sets it, as in KTAB). Whatever has no place in a summitry scenario (the random seed, unknown
elements) is listed as not carried over.

The CSV is read by :func:`summitry.ktab.parse_csv`, the project's one KTAB CSV reader (its
module docstring gives the rules); an actor's saliences adding up to more than 100 are only
noted here. XML is parsed with the standard library's expat into an ElementTree, with DOCTYPE
declarations (and so every entity declaration) refused and external entities never loaded.
"""

from __future__ import annotations

import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any
from xml.parsers import expat

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from summitry.forecasting.smp import MIN_ACTORS
from summitry.ktab import (
    SALIENCE_TOTAL,
    SCALE,
    KTABActor,
    KTABError,
    KTABNumber,
    check_actor,
    check_size,
    decode,
    number,
    parse_csv,
    read_bytes,
)

__all__ = [
    "KTABImport",
    "KTABImportError",
    "import_ktab",
    "slug",
    "to_yaml",
]

ROW_TOL = 1e-9
"""Accommodation rows may exceed 1 by this much (the scenario loader's tolerance)."""

PARAMETERS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # KTAB's element: (SMPSettings field, KTAB's names (kmodel.h, smp.h), our values)
    "VictoryProbModel": (
        "victory",
        ("Linear", "Square", "Quartic", "Octic", "Binary"),
        ("linear", "square", "quartic", "octic", "binary"),
    ),
    "PCEModel": (
        "pce",
        ("Conditional", "MarkovIncentive", "MarkovUniform"),
        ("conditional", "markov-incentive", "markov-uniform"),
    ),
    "StateTransitions": (
        "resolution",
        ("Deterministic", "Stochastic"),
        ("deterministic", "stochastic"),
    ),
    "VotingRule": (
        "voting",
        ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"),
        ("binary", "propbin", "prop", "propcbc", "cubic", "asymprosp"),
    ),
    "BigRAdjust": (
        "perception",
        ("None", "OneThird", "Half", "TwoThirds", "Full"),
        ("none", "one-third", "half", "two-thirds", "full"),
    ),
    "BigRRange": ("risk", ("Min", "Mid", "Max"), ("min", "mid", "max")),
    "ThirdPartyCommit": (
        "third_party",
        ("NoCommit", "SemiCommit", "FullCommit"),
        ("no-commit", "semi-commit", "full-commit"),
    ),
    "InterVecBrgn": ("bargain", ("S1P1", "S2P2", "S2PMax"), ("s1p1", "s2p2", "s2pmax")),
    "BargnModel": (
        "interp",
        ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
        ("init-only", "init-rcvr", "pw-comp"),
    ),
}
"""KTAB's XML model parameters and the ``model.smp`` field each one sets."""

ALIASES = {("VotingRule", "Proportional"): "Prop", ("BigRAdjust", "No"): "None"}
"""The spellings of KTAB's XSD where it disagrees with KTAB's code (both are accepted)."""


def _parameter(tag: str, text: str) -> str | None:
    """Our value for KTAB's name ``text`` of parameter ``tag`` (any case), or None."""
    _, names, values = PARAMETERS[tag]
    for (t, alias), name in ALIASES.items():
        if t == tag and text.lower() == alias.lower():
            text = name
    for name, value in zip(names, values, strict=True):
        if text.lower() == name.lower():
            return value
    return None


KTABImportError = KTABError
"""A KTAB file that cannot be converted: :class:`summitry.ktab.KTABError`, one line
``file[:line]: ...`` (the CSV rules are summitry.ktab's, the one KTAB CSV reader)."""


@dataclass(frozen=True)
class KTABImport:
    """A converted scenario.

    ``data``: the scenario as plain data (loads with :func:`summitry.scenario.validate`);
    ``dropped``: what the KTAB file holds that the scenario does not carry over;
    ``notes``: choices made in the conversion that a KTAB user should know about;
    ``lines``: source line of each ``model.smp`` entry, keyed by its path inside ``model.smp``
    (written as comments, since those entries are plain settings without a ``source``).
    """

    data: dict[str, Any]
    dropped: tuple[str, ...]
    notes: tuple[str, ...]
    file: str
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

    def report(self) -> list[str]:
        """One line per item: ``not carried over: ...`` then ``note: ...``."""
        return [f"not carried over: {d}" for d in self.dropped] + [f"note: {n}" for n in self.notes]


# -- names -----------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def slug(stem: str) -> str:
    """A scenario name (``^[a-z0-9][a-z0-9-]*$``) from a file stem: ``SOE-Pol-Comp`` ->
    ``soe-pol-comp``, ``dummyData_3Dim`` -> ``dummydata-3dim``."""
    out = re.sub(r"[^a-z0-9]+", "-", _ascii(stem)).strip("-")
    return out or "ktab-scenario"


def _ident(name: str, kind: str, taken: set[str]) -> str:
    """An id (``^[a-z][a-z0-9_]*$``) from a KTAB name, unique within ``taken`` (which it
    joins): ``SActor-00`` -> ``sactor_00``; a clash gets ``_2``, ``_3``, ...; a name that does
    not start with a letter gets ``kind_`` in front."""
    base = re.sub(r"[^a-z0-9]+", "_", _ascii(name)).strip("_")
    if not base:
        base = kind
    elif not base[0].isalpha():
        base = f"{kind}_{base}"
    ident, k = base, 2
    while ident in taken:
        ident, k = f"{base}_{k}", k + 1
    taken.add(ident)
    return ident


# -- what both readers produce ---------------------------------------------------------------


@dataclass
class _Read:
    title: str
    description: str
    dims: list[tuple[str, int]]
    actors: list[KTABActor]
    smp: dict[str, tuple[str, int]] = field(default_factory=dict)
    accommodation: dict[int, dict[int, tuple[float, int]]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _check_actor(actor: KTABActor, file: str, dims: list[str], notes: list[str]) -> None:
    """KTAB's limits (:func:`summitry.ktab.check_actor`), then :func:`_salience_note`."""
    check_actor(actor, file, dims)
    _salience_note(actor, notes)


def _salience_note(actor: KTABActor, notes: list[str]) -> None:
    """Saliences adding up to more than 100 are only noted here (summitry's SMP scales them
    down), where KTAB's CSV reader and :func:`summitry.ktab.read_scenario` refuse them."""
    total = actor.salience_total()
    if total > SALIENCE_TOTAL:
        notes.append(
            f"actor {actor.name!r}: saliences add up to {total:g}, above KTAB's limit of 100 "
            "(KTAB's CSV reader refuses this); summitry's SMP scales them down to add up to 1"
        )


def _read_csv(text: str, file: str) -> _Read:
    """The CSV read by :func:`summitry.ktab.parse_csv`, with the importer's notes."""
    csv_read = parse_csv(text, file)
    read = _Read(
        title=csv_read.title,
        description=csv_read.description,
        dims=csv_read.dims,
        actors=csv_read.actors,
        dropped=list(csv_read.dropped),
    )
    for actor in read.actors:  # parse_csv checked KTAB's limits
        _salience_note(actor, read.notes)
    return read


# -- XML -------------------------------------------------------------------------------------


def _parse_xml(raw: bytes, file: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """An ElementTree built by expat, with each element's start line. DOCTYPE is refused."""
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}
    parser = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        lines[builder.start(tag, attrs)] = parser.CurrentLineNumber

    def doctype(*_: object) -> None:
        raise KTABImportError(
            f"{file}:{parser.CurrentLineNumber}: DOCTYPE declarations are not accepted "
            "(KTAB's scenario files have none)"
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as err:
        raise KTABImportError(
            f"{file}:{err.lineno}: malformed XML: {expat.ErrorString(err.code)}"
        ) from None
    return builder.close(), lines


class _Xml:
    """Walks KTAB's XML layout, naming the file and line in every error."""

    def __init__(self, root: ET.Element, lines: dict[ET.Element, int], file: str) -> None:
        self.lines, self.file = lines, file
        self.dropped: list[str] = []
        self.notes: list[str] = []
        self.root = root

    def line(self, el: ET.Element) -> int:
        return self.lines.get(el, 1)

    def at(self, el: ET.Element) -> str:
        return f"{self.file}:{self.line(el)}"

    def need(self, el: ET.Element, tag: str) -> ET.Element:
        """The first child ``tag`` of ``el``; an error if there is none."""
        found = el.find(tag)
        if found is None:
            raise KTABImportError(f"{self.at(el)}: <{el.tag}> has no <{tag}>")
        return found

    def text(self, el: ET.Element | None) -> str:
        """The element's own text, stripped (KTAB's ``GetText``: the text before any child)."""
        return "" if el is None else (el.text or "").strip()

    def drop_unknown(self, el: ET.Element, known: Iterable[str], where: str) -> None:
        for c in el:
            if c.tag not in known:
                value = self.text(c)
                shown = f" = {value!r}" if value and len(c) == 0 else ""
                self.dropped.append(f"<{c.tag}>{shown} in {where} (line {self.line(c)})")

    def number(self, el: ET.Element, what: str, empty_is_zero: bool = False) -> KTABNumber:
        text = self.text(el)
        if not text:
            if not empty_is_zero:
                raise KTABImportError(f"{self.at(el)}: {what} is empty")
            self.notes.append(
                f"line {self.line(el)}: {what} is empty; KTAB reads an empty value as 0, "
                "and so does this import"
            )
            return KTABNumber(0.0, self.line(el), "0")
        return KTABNumber(number(text, self.at(el), what), self.line(el), text)


def _read_xml(raw: bytes, file: str) -> _Read:
    root, lines = _parse_xml(raw, file)
    x = _Xml(root, lines, file)
    if root.tag != "Scenario":
        raise KTABImportError(f"{x.at(root)}: expected <Scenario> as the root, found <{root.tag}>")
    seed = root.find("prngSeed")
    if seed is not None and x.text(seed):
        x.dropped.append(
            f"prngSeed = {x.text(seed)} (line {x.line(seed)}): KTAB's random seed; summitry "
            "draws from its own seed (summitry forecast --seed)"
        )
    known = ("name", "desc", "prngSeed", "ModelParameters", "Dimensions", "Actors")
    x.drop_unknown(root, (*known, "IdealAdjustment"), "<Scenario>")
    read = _Read(
        title=x.text(root.find("name")),
        description=x.text(root.find("desc")),
        dims=[],
        actors=[],
    )
    params = root.find("ModelParameters")
    if params is not None:
        _xml_parameters(x, params, read)
    dims_el = x.need(root, "Dimensions")
    x.drop_unknown(dims_el, ("dName",), "<Dimensions>")
    read.dims = [(x.text(d), x.line(d)) for d in dims_el.findall("dName")]
    if not read.dims:
        raise KTABImportError(f"{x.at(dims_el)}: <Dimensions> has no <dName>")
    actors_el = x.need(root, "Actors")
    x.drop_unknown(actors_el, ("Actor",), "<Actors>")
    actor_els = actors_el.findall("Actor")
    if not actor_els:
        raise KTABImportError(f"{x.at(actors_el)}: <Actors> has no <Actor>")
    check_size(len(actor_els), len(read.dims), x.at(actors_el))
    names = [d for d, _ in read.dims]
    for a_el in actor_els:
        read.actors.append(_xml_actor(x, a_el, names, read.notes))
    ideal = root.find("IdealAdjustment")
    if ideal is not None:
        _xml_accommodation(x, ideal, read)
    read.dropped += x.dropped
    read.notes += x.notes
    return read


def _xml_parameters(x: _Xml, params: ET.Element, read: _Read) -> None:
    x.drop_unknown(params, PARAMETERS, "<ModelParameters>")
    for tag, (name, names, _) in PARAMETERS.items():
        el = params.find(tag)
        text = x.text(el)
        if el is None or not text:
            read.notes.append(
                f"<ModelParameters> (line {x.line(params)}) has no {tag}; KTAB would refuse the "
                f"file, this import keeps summitry's default (KTAB's CSV default)"
            )
            continue
        value = _parameter(tag, text)
        if value is None:
            raise KTABImportError(f"{x.at(el)}: {tag} {text!r} is not one of {', '.join(names)}")
        read.smp[name] = (value, x.line(el))
    interp = read.smp.get("interp", ("init-only", 0))[0]
    if interp != "init-only":
        read.notes.append(
            f"BargnModel {interp}: summitry follows what KTAB's code comments describe where "
            "its code differs (docs/models/smp.md, 'KTAB quirks'), so results can differ from "
            "KTAB's"
        )
    if read.smp.get("resolution", ("", 0))[0] == "stochastic":
        read.notes.append(
            "StateTransitions Stochastic: KTAB's stochastic runs are not reproducible; "
            "summitry's draws come from its own seed, so single runs differ from KTAB's"
        )


def _xml_actor(x: _Xml, a_el: ET.Element, dims: list[str], notes: list[str]) -> KTABActor:
    known = ("name", "description", "capability", "Position", "Salience")
    name = x.text(a_el.find("name"))
    if not name:
        raise KTABImportError(f"{x.at(a_el)}: the actor has no name")
    x.drop_unknown(a_el, known, f"actor {name!r}")
    capability = x.number(x.need(a_el, "capability"), f"actor {name!r}: capability")
    vectors: list[list[KTABNumber]] = []
    for tag, item, what in (("Position", "dCoord", "position"), ("Salience", "dSal", "salience")):
        el = x.need(a_el, tag)
        x.drop_unknown(el, (item,), f"<{tag}> of actor {name!r}")
        items = el.findall(item)
        if len(items) != len(dims):
            raise KTABImportError(
                f"{x.at(el)}: actor {name!r} has {len(items)} <{item}> value(s), "
                f"<Dimensions> names {len(dims)}"
            )
        vectors.append(
            [
                x.number(i, f"actor {name!r}: {what} on {d!r}", empty_is_zero=True)
                for i, d in zip(items, dims, strict=True)
            ]
        )
    actor = KTABActor(name, x.text(a_el.find("description")), x.line(a_el), capability, *vectors)
    _check_actor(actor, x.file, dims, notes)
    return actor


def _xml_accommodation(x: _Xml, ideal: ET.Element, read: _Read) -> None:
    """KTAB starts from the identity and sets A[adjusting, reference] for each pair; a row
    must add up to at most 1 (KTAB stops otherwise)."""
    x.drop_unknown(ideal, ("iaPair",), "<IdealAdjustment>")
    index: dict[str, int] = {}
    for i, a in enumerate(read.actors):
        index.setdefault(a.name, i)  # KTAB matches the first actor of that name
    for pair in ideal.findall("iaPair"):
        x.drop_unknown(pair, ("adjustingIdeal", "referencePos", "adjust"), "<iaPair>")
        ends = []
        for tag in ("adjustingIdeal", "referencePos"):
            el = x.need(pair, tag)
            who = x.text(el)
            if who not in index:
                raise KTABImportError(f"{x.at(el)}: {tag} {who!r} is not an actor of this file")
            ends.append(index[who])
        adjust_el = x.need(pair, "adjust")
        w = x.number(adjust_el, "adjust")
        if not 0 <= w.value <= 1:
            raise KTABImportError(f"{x.at(adjust_el)}: adjust {w.text} is outside [0, 1]")
        row = read.accommodation.setdefault(ends[0], {})
        if ends[1] in row:
            read.notes.append(
                f"line {x.line(pair)}: a second iaPair for {read.actors[ends[0]].name!r} -> "
                f"{read.actors[ends[1]].name!r}; the last one counts, as in KTAB"
            )
        row[ends[1]] = (w.value, w.line)
    for i, row in read.accommodation.items():
        implicit = "" if i in row else " (with the implicit 1 for itself)"
        if implicit:
            row[i] = (1.0, x.line(ideal))  # the identity's 1, which no pair replaced
        total = math.fsum(w for w, _ in row.values())
        if total > 1 + ROW_TOL:
            last = max(line for _, line in row.values())
            raise KTABImportError(
                f"{x.file}:{last}: the ideal-adjustment weights of actor "
                f"{read.actors[i].name!r}{implicit} add up to {total:g}, above 1 "
                "(KTAB stops on this file too)"
            )


# -- the scenario ----------------------------------------------------------------------------


def import_ktab(path: str | Path) -> KTABImport:
    """Convert a KTAB SMP scenario file (``.csv`` or ``.xml``) into scenario data.

    Raises :class:`KTABImportError` (one line naming the file, and the line where known) for
    a missing or unreadable file, a file that is neither CSV nor XML, malformed content,
    counts that do not match, values outside KTAB's limits.
    """
    path = Path(path)
    file = str(path)
    kind = path.suffix.lower()
    if kind not in (".csv", ".xml"):
        raise KTABImportError(f"{file}: not a KTAB scenario file (expected .csv or .xml)")
    raw = read_bytes(path)
    read = _read_xml(raw, file) if kind == ".xml" else _read_csv(decode(raw, file), file)
    return _build(read, path)


def _source(file: str, num: KTABNumber, scaled: bool = False) -> dict[str, Any]:
    """``{value, source}``; a salience is KTAB's number divided by 100 in floating point, as
    KTAB divides it, so the SMP runs on exactly KTAB's inputs (the source shows the number as
    written)."""
    where = f"KTAB file {file}, line {num.line}"
    if scaled:
        return {"value": num.value / 100.0, "source": f"{where} ({num.text} / 100)"}
    return {"value": _as_written(num), "source": where}


def _as_written(num: KTABNumber) -> float | int:
    """A whole number written without a point stays an int (``30``, not ``30.0``)."""
    if re.fullmatch(r"[+-]?\d+", num.text) and abs(num.value) < 2**53:
        return int(num.value)
    return num.value


def _printable(read: _Read) -> bool:
    """Drop control characters (YAML cannot hold them) from every text; True if any was."""
    changed = False

    def clean(text: str) -> str:
        nonlocal changed
        out = "".join(
            c
            for c in text.replace("\r\n", "\n").replace("\r", "\n")
            if c in "\t\n" or unicodedata.category(c) != "Cc"
        )
        changed |= out != text.replace("\r\n", "\n").replace("\r", "\n")
        return out.strip()

    read.title, read.description = clean(read.title), clean(read.description)
    read.dims = [(clean(d), line) for d, line in read.dims]
    for a in read.actors:
        a.name, a.description = clean(a.name), clean(a.description)
    return changed


def _build(read: _Read, path: Path) -> KTABImport:
    file = path.name
    notes = list(read.notes)
    dropped = list(read.dropped)
    if _printable(read):
        notes.append("control characters in names and descriptions were left out")
    if any(not a.name for a in read.actors):
        raise KTABImportError(f"{path}: an actor's name is made only of control characters")
    issue_ids: set[str] = set()
    issues = []
    for k, (label, line) in enumerate(read.dims):
        if not label:
            label = f"dimension {k + 1}"
            notes.append(f"line {line}: dimension {k + 1} has no name; labelled {label!r}")
        issues.append(
            {
                "id": _ident(label, "issue", issue_ids),
                "label": label,
                "scale": list(SCALE),
                "note": f"KTAB dimension {label!r} ({file}, line {line}); KTAB's 0-100 scale",
            }
        )
    actor_ids: set[str] = set()
    actors = []
    for a in read.actors:
        actor: dict[str, Any] = {"id": _ident(a.name, "actor", actor_ids), "name": a.name}
        if a.description:
            actor["note"] = a.description
        actor["capability"] = _source(file, a.capability)
        actor["positions"] = {
            i["id"]: _source(file, p) for i, p in zip(issues, a.position, strict=True)
        }
        actor["salience"] = {
            i["id"]: _source(file, s, scaled=True) for i, s in zip(issues, a.salience, strict=True)
        }
        actors.append(actor)
    title = read.title
    if not title:
        title = path.stem
        notes.append(f"the file gives no scenario name; the title is the file name {title!r}")
    if len(actors) < MIN_ACTORS:
        notes.append(
            f"{len(actors)} actor(s): the scenario loads and the expected-utility model runs "
            f"on it, but the spatial model (SMP) needs at least {MIN_ACTORS} actors and "
            "will not run (KTAB refuses such files too)"
        )
    smp: dict[str, Any] = {name: value for name, (value, _) in read.smp.items()}
    lines: dict[tuple[str, ...], int] = {(n,): line for n, (_, line) in read.smp.items()}
    acc = _accommodation(read, actors)
    if acc:
        smp["accommodation"] = acc
        for i, row in read.accommodation.items():
            aid = actors[i]["id"]
            for j, (_, line) in row.items():
                lines[("accommodation", aid, actors[j]["id"])] = line
    intro = (
        f"Converted from the KTAB SMP scenario file {file} by summitry import-ktab: "
        "positions on KTAB's 0-100 scale, saliences divided by 100, capabilities as given."
    )
    parts = [read.description, intro] if read.description else [intro]
    if dropped:
        listed = "\n".join(f"- {d}" for d in dropped)
        parts.append(f"Not carried over from the KTAB file:\n{listed}")
    data: dict[str, Any] = {
        "name": slug(path.stem),
        "title": title,
        "description": "\n\n".join(parts),
        "issues": issues,
        "actors": actors,
    }
    if smp:
        data["model"] = {"smp": smp}
    return KTABImport(data, tuple(dropped), tuple(notes), file, lines)


def _accommodation(read: _Read, actors: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Rows that differ from the identity, by actor id (the rest keep the identity)."""
    out: dict[str, dict[str, float]] = {}
    for i, row in sorted(read.accommodation.items()):
        if set(row) == {i} and row[i][0] == 1.0:
            continue
        out[actors[i]["id"]] = {actors[j]["id"]: w for j, (w, _) in sorted(row.items())}
    return out


# -- YAML ------------------------------------------------------------------------------------


def _flow(mapping: dict[str, Any]) -> CommentedMap:
    out = CommentedMap(mapping)
    out.fa.set_flow_style()
    return out


def to_yaml(result: KTABImport) -> str:
    """The scenario as YAML: one line per number, each with its KTAB file and line."""
    d = result.data
    root = CommentedMap()
    head = [f"Converted from the KTAB SMP scenario file {result.file} by summitry import-ktab."]
    head += [f"Not carried over: {x}" for x in result.dropped]
    head += [f"Note: {x}" for x in result.notes]
    root.yaml_set_start_comment("\n".join(head))
    root["name"] = d["name"]
    root["title"] = d["title"]
    root["description"] = LiteralScalarString(
        "\n".join(line.rstrip() for line in d["description"].splitlines()) + "\n"
    )
    issues = CommentedSeq()
    for issue in d["issues"]:
        m = CommentedMap(issue)
        scale = CommentedSeq(issue["scale"])
        scale.fa.set_flow_style()
        m["scale"] = scale
        issues.append(m)
    root["issues"] = issues
    actors = CommentedSeq()
    for actor in d["actors"]:
        m = CommentedMap((k, v) for k, v in actor.items() if k not in ("positions", "salience"))
        m["capability"] = _flow(actor["capability"])
        for key in ("positions", "salience"):
            m[key] = CommentedMap((k, _flow(q)) for k, q in actor[key].items())
        actors.append(m)
    root["actors"] = actors
    if "model" in d:
        smp = CommentedMap()
        settings = {k: v for k, v in d["model"]["smp"].items() if k != "accommodation"}
        width = max((len(f"{k}: {v}") for k, v in settings.items()), default=0)
        for name, value in d["model"]["smp"].items():
            if name == "accommodation":
                rows = CommentedMap()
                shown = {
                    a: f"{a}: {{{', '.join(f'{j}: {w}' for j, w in r.items())}}}"
                    for a, r in value.items()
                }
                for aid, row in value.items():
                    rows[aid] = _flow(row)
                    found = sorted({result.lines[("accommodation", aid, j)] for j in row})
                    rows.yaml_add_eol_comment(
                        f"KTAB file {result.file}, line(s) {', '.join(map(str, found))}",
                        aid,
                        column=6 + max(map(len, shown.values())) + 2,
                    )
                smp[name] = rows
            else:
                smp[name] = value
                smp.yaml_add_eol_comment(
                    f"KTAB file {result.file}, line {result.lines[(name,)]}",
                    name,
                    column=4 + width + 2,  # aligned: indent, longest "name: value", 2 spaces
                )
        root["model"] = CommentedMap(smp=smp)
    yaml = YAML(typ="rt")
    yaml.width = 4096  # one line per quantity, however long its source
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = StringIO()
    yaml.dump(root, out)
    return out.getvalue()
