"""Loading a scenario: read the file, parse YAML with lines, validate in two passes.

Pass 1 is the pydantic schema (types, required and unknown fields, each quantity on its
own); pass 2 (:mod:`summitry.scenario.checks`) relates fields across the document and runs
only when pass 1 found nothing. Every problem found becomes an :class:`ErrorItem` with
file, line and field path; all of them are raised together as one :class:`ScenarioError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summitry.inputfile import SCENARIO_LIMIT, InputFileError, read_limited
from summitry.scenario.catalog import display_name, is_bundled, resolve_path
from summitry.scenario.checks import bundled_check, cross_check, fill_bounds, suggest
from summitry.scenario.errors import ErrorItem, ScenarioError, format_path
from summitry.scenario.quantities import AnyQuantity, Loc
from summitry.scenario.schema import ScenarioBase
from summitry.scenario.sources import audit, scenario_references, shadowed_keys, unknown_keys
from summitry.scenario.translate import Place, locate, message
from summitry.scenario.yamlio import LineMap, parse


class Scenario(ScenarioBase):
    """A validated scenario (:class:`summitry.scenario.schema.ScenarioBase`, docs/
    scenario-format.md) that can be re-validated with new values: ``with_values`` needs the
    whole validation below, so it lives here and the schema never imports the loader."""

    def with_values(
        self, values: Mapping[str, AnyQuantity | float | Mapping[str, Any]]
    ) -> Scenario:
        """A copy with the quantities at the given dotted paths replaced, re-validated.

        A value is a quantity, a plain number (a fixed value) or a quantity mapping as in
        YAML. Unknown paths and invalid values raise :class:`ScenarioError`.
        """
        return replace_values(self, values)


def load(name_or_path: str | Path) -> Scenario:
    """Load a bundled scenario by name (``"dprk-2025"``) or a scenario file by path.

    Bundled files must also give every quantity a source or note and be named after their
    file. Raises :class:`ScenarioError` listing every problem found.
    """
    path = resolve_path(name_or_path)
    file = display_name(path)
    text = _read(path, file)
    return load_text(text, file, bundled_stem=path.stem if is_bundled(path) else None)


def load_audited(name_or_path: str | Path) -> tuple[Scenario, list[tuple[str, ErrorItem]]]:
    """:func:`load`, plus the source findings of ``summitry scenarios validate``.

    Each finding is ``(kind, item)``, kind ``unresolved`` (a free-text source), ``undated``
    (a cited reference without a date) or ``hindsight`` (an input citing a reference dated
    after the scenario's date; docs/scenario-format.md, "Sources and the hindsight check").
    """
    path = resolve_path(name_or_path)
    file = display_name(path)
    text = _read(path, file)
    sc = load_text(text, file, bundled_stem=path.stem if is_bundled(path) else None)
    doc = parse(text)
    found = audit(doc.data, sc.date, scenario_references(sc.references))
    items = [
        (f.kind, _item(file, locate(f.loc, doc.data, doc.lines), f.message, doc.data, False))
        for f in found
    ]
    return sc, items


def load_text(text: str, file: str = "<string>", *, bundled_stem: str | None = None) -> Scenario:
    """Load a scenario from YAML ``text``; ``file`` names it in error messages.

    ``bundled_stem``: apply the bundled-file rules, the name having to equal this stem.
    """
    doc = parse(text)
    prior = [ErrorItem(file, p.line, p.path, p.message) for p in doc.problems]
    if doc.fatal:
        raise ScenarioError(_ordered(prior))
    return validate(doc.data, file, doc.lines, bundled_stem=bundled_stem, prior=prior)


def validate(
    data: Any,
    file: str,
    lines: LineMap | None = None,
    *,
    bundled_stem: str | None = None,
    id_paths: bool = False,
    prior: list[ErrorItem] | None = None,
) -> Scenario:
    """Validate plain ``data`` (as read from YAML) into a :class:`Scenario`.

    ``lines`` maps locations to lines (``None``: errors carry no line); ``id_paths`` shows
    paths by id (``actors.dprk.capability``) rather than by index, for values set in code;
    ``prior`` are errors already found while reading, raised together with any new ones.
    """
    items = list(prior or [])
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            place = locate(tuple(err["loc"]), data, lines)
            items.append(_item(file, place, message(err, place), data, id_paths))
        raise ScenarioError(_ordered(items)) from None
    findings = cross_check(sc)
    refs = scenario_references(sc.references)
    findings += shadowed_keys(sc.references) + unknown_keys(data, refs)
    if bundled_stem is not None:
        findings += bundled_check(sc, bundled_stem)
    for loc, text in findings:
        place = locate(loc, data, lines)
        items.append(_item(file, place, text, data, id_paths))
    if items:
        raise ScenarioError(_ordered(items))
    sc = fill_bounds(sc)
    sc._source_file = file
    return sc


def replace_values(sc: Scenario, values: Mapping[str, Any]) -> Scenario:
    """:meth:`Scenario.with_values`: the values at dotted paths replaced, re-validated.

    A path walks the file's structure by key, and list items by their ``id``
    (``actors.russia.capability``, ``bargaining.channel``, ``model.eum.rounds``); keys the
    file left out are added (``bargaining.ideals.dprk.denuclearization``) and judged by the
    validation that follows, and so is a consenter (``issues.security.consent.rok.tolerance``
    adds rok to the issue's consent list if it is not there). Unknown ids and invalid values
    raise :class:`ScenarioError`.
    """
    data = sc.to_data()
    errors: list[ErrorItem] = []
    for path, value in values.items():
        problem = _set_path(data, str(path).split("."), _as_data(value))
        if problem:
            errors.append(ErrorItem(sc.source_file, None, str(path), problem))
    if errors:
        raise ScenarioError(errors)
    return validate(data, sc.source_file, None, id_paths=True)


_ITEM = {"actors": "actor", "issues": "issue", "consent": "consenter"}
_ISSUE_MAPS = ("positions", "salience")


def _set_path(data: Any, parts: list[str], value: Any) -> str | None:
    """Set ``value`` at ``parts`` inside ``data``; the problem as text, or None."""
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, list):
            # list items by id (a consent entry by its actor)
            ids = [item.get("id", item.get("actor")) for item in node if isinstance(item, dict)]
            if part not in ids and not last and depth and parts[depth - 1] == "consent":
                node.append({"actor": part})  # a new consenter: validation judges the id
                ids.append(part)
            if part not in ids:
                noun = _ITEM.get(parts[depth - 1], "item") if depth else "item"
                return f"unknown {noun} '{part}'{suggest(part, [str(i) for i in ids])}"
            if last:
                return f"{'.'.join(parts)} is a whole item; set one of its fields"
            node = node[ids.index(part)]
        elif isinstance(node, dict):
            if last:
                if part not in node and depth and parts[depth - 1] in _ISSUE_MAPS:
                    return f"unknown issue '{part}'{suggest(part, [str(k) for k in node])}"
                node[part] = value
                return None
            # a new branch (validation judges its name); an issue's consent is a list
            consent = depth == 2 and parts[0] == "issues" and part == "consent"
            node = node.setdefault(part, [] if consent else {})
        else:
            return f"{where} is a single value; it has no field '{part}'"
    return "an empty path"


def _as_data(value: Any) -> Any:
    if hasattr(value, "to_data") and hasattr(value, "kind"):
        return value.to_data()
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _item(file: str, place: Place, text: str, data: Any, id_paths: bool) -> ErrorItem:
    path: Loc = place.path
    if id_paths and len(path) >= 2 and path[0] in ("issues", "actors"):
        try:
            ident = data[path[0]][path[1]]["id"]
            if isinstance(ident, str):
                path = (path[0], ident, *path[2:])
        except (KeyError, IndexError, TypeError):
            pass
    return ErrorItem(file, place.line, format_path(path), text)


def _ordered(items: list[ErrorItem]) -> list[ErrorItem]:
    """Errors by line (errors without a line last), duplicates removed."""
    seen: set[str] = set()
    unique = []
    for item in items:
        if str(item) not in seen:
            seen.add(str(item))
            unique.append(item)
    return sorted(unique, key=lambda e: (e.line is None, e.line or 0))


def _read(path: Path, file: str) -> str:
    def fail(text: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([ErrorItem(file, line, "", text)])

    try:
        raw = read_limited(path, SCENARIO_LIMIT, "scenario file")
    except InputFileError as exc:
        raise fail(str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line) from None
    return text.removeprefix("\ufeff")
