"""Reference data sets read into summitry's arrays: DEU (decision-making in the EU).

    from summitry.data import load_deu
    deu = load_deu()                       # the bundled 1996-2000 file
    print(deu.report.summary())
    deu.positions.shape                    # (issues, actors)

See docs/data-deu.md. The names are imported on first use (PEP 562), so that
:mod:`summitry.data.conventions` (the capability options and their defaults) loads without
numpy, for the command line (benchmarks/README.md, "Start-up").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from summitry._lazy import lazy_names

if TYPE_CHECKING:
    from summitry.data.deu import (
        ACTOR_NAMES,
        ACTORS,
        BAD_ROW_CLASSES,
        BadRow,
        DeuData,
        DeuError,
        DeuReport,
        compromise,
        issue_scenario,
        issue_scenario_yaml,
        load_deu,
        write_issue_scenario,
    )

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

__getattr__, __dir__ = lazy_names(__name__, {"summitry.data.deu": __all__})
