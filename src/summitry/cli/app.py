"""The typer application object and the shared error exit."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from typer.core import TyperGroup

from summitry.cli.text import LiteralConsole

console = LiteralConsole()
err_console = LiteralConsole(stderr=True)

_TYPE_WORDS = {"integer": "a valid integer", "number": "a valid number"}
_PYDANTIC_TYPE = re.compile(r"^Input should be a valid (integer|number)\b")
_PYDANTIC_BOUND = re.compile(r"^Input should be (greater|less) than or equal to (\S+)$")


def _click_exceptions() -> Any:
    """click's exception classes: vendored by typer >= 0.29, the click package before."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - typer with click as a dependency
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def _raw_value(args: Sequence[str], opts: Sequence[str]) -> str | None:
    """The text given on the command line for an option named ``opts`` (the last one)."""
    found = None
    for i, arg in enumerate(args):
        for opt in opts:
            if arg == opt and i + 1 < len(args):
                found = args[i + 1]
            elif opt.startswith("--") and arg.startswith(opt + "="):
                found = arg[len(opt) + 1 :]
    return found


def usage_line(exc: Any, args: Sequence[str]) -> str:
    """A click/typer usage error as one line: ``summitry forecast: --samples: 'nan' is not
    a valid integer`` (docs/cli.md, "Errors"). ``args``: the command line, for the text
    given to a bad option."""
    errors = _click_exceptions()
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "summitry"
    if isinstance(exc, errors.BadParameter) and not isinstance(exc, errors.MissingParameter):
        message = " ".join(str(exc.message).split()).rstrip(".")
        opts = [o for o in getattr(exc.param, "opts", None) or [] if o.startswith("-")]
        hint = opts[0] if opts else str(getattr(exc.param, "name", None) or "value")
        value = _raw_value(args, opts) if opts else None
        typed = _PYDANTIC_TYPE.match(message)
        bound = _PYDANTIC_BOUND.match(message)
        if value is not None and typed:
            message = f"{value!r} is not {_TYPE_WORDS[typed.group(1)]}"
        elif value is not None and bound:
            side = "below the minimum" if bound.group(1) == "greater" else "above the maximum"
            message = f"{value} is {side} {bound.group(2)}"
        elif value is not None and value not in message:
            message = f"{value!r}: {message}"
        return f"{where}: {hint}: {message}"
    message = " ".join(str(exc.format_message()).split()).rstrip(".")
    if isinstance(exc, errors.NoSuchOption):
        message = f"no such option {exc.option_name}"
        if exc.possibilities:
            message += f" (did you mean {' or '.join(sorted(exc.possibilities))}?)"
    message = message[:1].lower() + message[1:]
    return f"{where}: {message} (see {where} --help)"


class OneLineErrors(TyperGroup):
    """The top-level group: typer/click's usage errors (a bad option value, an unknown
    option or command, a missing argument) become one line on stderr and exit code 2,
    instead of a usage text and a boxed panel (docs/cli.md, "Errors")."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        errors = _click_exceptions()
        help_error = getattr(errors, "NoArgsIsHelpError", ())  # click >= 8.2
        given = list(sys.argv[1:] if args is None else args)
        try:
            rv = super().main(
                args=given,
                prog_name=prog_name or "summitry",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except help_error as exc:
            if not standalone_mode:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except errors.ClickException as exc:
            if not standalone_mode:
                raise
            err_console.print(usage_line(exc, given), markup=False, highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            if not standalone_mode:
                raise
            err_console.print("aborted", markup=False, highlight=False)
            sys.exit(1)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    name="summitry",
    help="Forecasts of high-stakes negotiations between states.",
    cls=OneLineErrors,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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
        disable=not err_console.is_terminal,  # else it leaves a blank line on stderr
    )
