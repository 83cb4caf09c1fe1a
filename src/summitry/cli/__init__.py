"""The ``summitry`` command line (typer + rich).

Each command group lives in its own module; this one only assembles them.
Bad input of any kind exits with code 2 and one clear line per problem.
"""

from __future__ import annotations

from summitry.cli import backtest as _backtest  # noqa: F401  (registers commands)
from summitry.cli import benchmark as _benchmark  # noqa: F401  (registers commands)
from summitry.cli import compare as _compare  # noqa: F401  (registers commands)
from summitry.cli import forecast as _forecast  # noqa: F401  (registers commands)
from summitry.cli import ktab as _ktab  # noqa: F401  (registers commands)
from summitry.cli import ledger as _ledger  # noqa: F401  (registers commands)
from summitry.cli import report as _report  # noqa: F401  (registers commands)
from summitry.cli import runs as _runs  # noqa: F401  (registers commands)
from summitry.cli import scenarios as _scenarios  # noqa: F401  (registers commands)
from summitry.cli import sensitivity as _sensitivity  # noqa: F401  (registers commands)
from summitry.cli import serve as _serve  # noqa: F401  (registers commands)
from summitry.cli import sweep as _sweep  # noqa: F401  (registers commands)
from summitry.cli.app import app

__all__ = ["app"]
