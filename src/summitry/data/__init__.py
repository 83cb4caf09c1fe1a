"""Reference data sets read into summitry's arrays: DEU (decision-making in the EU).

    from summitry.data import load_deu
    deu, report = load_deu()               # the bundled 1996-2000 file
    print(report.summary())
    deu.positions.shape                    # (issues, actors)

See docs/data-deu.md.
"""

from __future__ import annotations

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
