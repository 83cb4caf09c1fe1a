"""The bundled scenarios (``src/summitry/bundled/*.yaml``) and name-or-path lookup."""

from __future__ import annotations

from pathlib import Path

from summitry.scenario.errors import ErrorItem, ScenarioError

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "bundled"
"""Where the bundled scenario files live (package data)."""

SUFFIXES = (".yaml", ".yml")


def bundled_names() -> list[str]:
    """Names of the bundled scenarios, sorted."""
    if not SCENARIO_DIR.is_dir():
        return []
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml") if p.is_file())


def is_bundled(path: Path) -> bool:
    """Whether ``path`` is one of the bundled scenario files."""
    try:
        return path.resolve().parent == SCENARIO_DIR and path.suffix == ".yaml"
    except OSError:
        return False


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.endswith(SUFFIXES) or text.startswith(".")


def resolve_path(name_or_path: str | Path) -> Path:
    """The file behind a bundled name (``dprk-2025``) or a path.

    A :class:`~pathlib.Path`, or text that looks like a path (has a ``/`` or ends in
    ``.yaml``/``.yml``), is taken as a path and returned as is, existing or not. Other text
    names a bundled scenario, else an existing file; otherwise :class:`ScenarioError`.
    """
    if isinstance(name_or_path, Path):
        return name_or_path
    text = str(name_or_path)
    if _looks_like_path(text):
        return Path(text)
    if text in bundled_names():
        return SCENARIO_DIR / f"{text}.yaml"
    if Path(text).is_file():
        return Path(text)
    names = ", ".join(bundled_names()) or "none"
    raise ScenarioError(
        [ErrorItem(text, None, "", f"no such scenario or file (bundled scenarios: {names})")]
    )


def display_name(path: Path) -> str:
    """How a file is named in messages: a bundled file by its file name, others as given."""
    return path.name if is_bundled(path) else str(path)
