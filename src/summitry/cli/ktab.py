"""``summitry import-ktab FILE.csv|FILE.xml [-o OUT.yaml]``: KTAB scenarios to summitry's.

The YAML goes to OUT.yaml (never over an existing file without ``--force``) or to standard
output; what the KTAB file holds that the scenario cannot carry, and the conversion's notes,
go to standard error. Bad input exits with code 2 and one line naming the file.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from summitry.cli.app import app, err_console, fail


@app.command("import-ktab")
def import_ktab_command(
    file: Annotated[str, typer.Argument(help="A KTAB SMP scenario file, .csv or .xml.")],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write the scenario here instead of to stdout."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite OUT.yaml if it exists.")
    ] = False,
) -> None:
    """Convert a KTAB scenario file to a summitry scenario (and say what is not carried over)."""
    from summitry.ktab_import import KTABImportError, import_ktab, to_yaml
    from summitry.scenario import ScenarioError, load_text

    target = Path(output) if output is not None else None
    if target is not None and target.exists() and not force:
        fail(f"{target}: exists; use --force to overwrite it")
    try:
        result = import_ktab(file)
    except KTABImportError as err:
        fail(str(err))
    text = to_yaml(result)
    try:  # the conversion must load; anything else is a bug worth reporting plainly
        load_text(text, str(target or f"{Path(file).stem}.yaml"))
    except ScenarioError as err:
        fail([f"{file}: the converted scenario does not load:", *err.lines()])
    for line in result.report():
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    if target is None:
        sys.stdout.write(text)
        return
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as err:
        fail(f"{target}: cannot write: {err.strerror or err}")
    err_console.print(f"wrote {target}", markup=False, highlight=False, soft_wrap=True)
