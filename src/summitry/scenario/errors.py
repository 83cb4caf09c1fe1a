"""Scenario errors: each names the file, the line and the field path.

docs/scenario-format.md, "Reading error messages".
"""

from __future__ import annotations

from dataclasses import dataclass

from summitry.scenario.quantities import Loc


@dataclass(frozen=True)
class ErrorItem:
    """One problem in a scenario file.

    ``line`` is 1-based, ``None`` when no line applies (an unreadable file, a value set
    from code). ``path`` is the field path, ``actors[3].salience.sanctions_relief``
    (list items by index, map keys by name), ``""`` for the document as a whole.
    """

    file: str
    line: int | None
    path: str
    message: str

    def __post_init__(self) -> None:
        # One line per problem, whatever text from the file the path or message quotes.
        for name in ("path", "message"):
            text = getattr(self, name)
            if "\n" in text or "\r" in text:
                object.__setattr__(self, name, text.replace("\r", "\\r").replace("\n", "\\n"))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be loaded; ``errors`` lists every problem found, in order."""

    def __init__(self, errors: list[ErrorItem]) -> None:
        if not errors:
            raise ValueError("ScenarioError needs at least one error")
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def lines(self) -> list[str]:
        """One line per error, as printed by the command line."""
        return [str(e) for e in self.errors]


def format_path(loc: Loc) -> str:
    """``("actors", 3, "salience", "x")`` -> ``actors[3].salience.x``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
