"""Public names of a package imported from their modules on first use (PEP 562).

A package that re-exports names of a heavy module (one that imports numpy, say) lists them
in ``__all__``, imports them under ``TYPE_CHECKING`` for the type checker, and sets::

    __getattr__, __dir__ = lazy_names(__name__, {"summitry.data.deu": __all__})

so that importing the package, and the command line, starts without that module
(benchmarks/README.md, "Start-up"; tests/test_startup.py checks it). This module imports
nothing but the standard library's ``importlib`` and ``sys``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, origins: Mapping[str, Iterable[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package``.

    ``origins`` maps a module to the public names it defines. ``__getattr__(name)`` imports
    ``name`` from its module, keeps it in the package's namespace (so the next look-up does
    not come here) and returns it; any other name raises AttributeError. ``__dir__`` lists
    the package's names, the lazy ones included before their first use.
    """
    where = {name: module for module, names in origins.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        vars(sys.modules[package])[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return __getattr__, __dir__
