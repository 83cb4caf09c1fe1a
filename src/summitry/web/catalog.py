"""Which scenarios the dashboard may read: the bundled ones and the one it was started with.

The API takes scenario *names* only and looks them up here, so no request can make the
server open a file of its choosing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from summitry.defaults import DEFAULT_SCENARIO
from summitry.scenario import Scenario, bundled_names, load


@dataclass
class Catalog:
    """Scenario name -> scenario, loaded once each.

    ``extra`` is the scenario the server was started with (already loaded) and ``extra_arg``
    the name or path it was given as, for the equivalent command line. It is listed under
    its own ``name`` and takes that name's place if a bundled scenario has the same one.
    """

    extra: Scenario | None = None
    extra_arg: str | None = None
    _cache: dict[str, Scenario] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def started_with(cls, scenario: str | Path | Scenario | None) -> Catalog:
        """A catalog for a server started with ``scenario`` (a bundled name, a path to a file,
        a loaded scenario, or None for the bundled ones only). Raises ScenarioError."""
        if scenario is None:
            return cls()
        if isinstance(scenario, Scenario):
            return cls(extra=scenario, extra_arg=scenario.name)
        text = str(scenario)
        if text in bundled_names():
            return cls(extra_arg=text)
        loaded = load(scenario)
        return cls(extra=loaded, extra_arg=text)

    @property
    def default(self) -> str:
        """The scenario the page opens with."""
        if self.extra is not None:
            return self.extra.name
        if self.extra_arg is not None:
            return self.extra_arg
        names = bundled_names()
        return DEFAULT_SCENARIO if DEFAULT_SCENARIO in names else names[0]

    def names(self) -> list[str]:
        """Every scenario the API serves, sorted."""
        names = set(bundled_names())
        if self.extra is not None:
            names.add(self.extra.name)
        return sorted(names)

    def is_file(self, name: str) -> bool:
        """Whether ``name`` is the scenario file the server was started with."""
        return self.extra is not None and name == self.extra.name

    def get(self, name: str) -> Scenario:
        """The scenario called ``name``; KeyError when the API does not serve it."""
        if self.is_file(name):
            assert self.extra is not None
            return self.extra
        if name not in bundled_names():
            raise KeyError(name)
        with self._lock:
            if name not in self._cache:
                self._cache[name] = load(name)
            return self._cache[name]

    def command_arg(self, name: str) -> str:
        """How ``name`` is written on the command line (the path for the started file)."""
        if self.is_file(name) and self.extra_arg is not None:
            return self.extra_arg
        return name
