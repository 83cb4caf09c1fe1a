"""Where the ``summitry`` console script is: the one installed next to the interpreter that
runs the tests, for tests that run the CLI in a subprocess (tests/cli_output.py runs it in
this process with CliRunner)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
"""The test environment's scripts directory."""

EXE = shutil.which("summitry", path=str(BIN))
"""The ``summitry`` executable, or None if it is not installed (tests assert it is)."""
