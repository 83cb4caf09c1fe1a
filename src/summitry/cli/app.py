"""The typer application object and the shared error exit."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

app = typer.Typer(
    name="summitry",
    help="Forecasts of high-stakes negotiations between states.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)


def fail(lines: list[str] | str, code: int = 2) -> NoReturn:
    """Print each line to stderr and exit with ``code`` (2: bad input)."""
    for line in [lines] if isinstance(lines, str) else lines:
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def progress_bar() -> Progress:
    """A transient progress bar on stderr (stdout stays the result): done/total and ETA."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
