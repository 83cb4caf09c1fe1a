"""Tables that fit the terminal (docs/cli.md).

Every table the CLI prints is built here or with these helpers:

- numbers never wrap (``no_wrap``); text wraps at spaces; dotted paths (``actors.dprk.
  capability``) wrap only after a dot (:class:`Dotted`); a single token longer than its
  column is the only thing ever folded mid-word;
- when the table's narrowest layout is still wider than the terminal, columns are dropped
  in the order each table documents (``Col.drop``: 1 first), and the caption says which;
- ``--wide`` keeps every column and lets the table be as wide as its content.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from summitry.cli.app import console
from summitry.cli.text import visible

if TYPE_CHECKING:  # rich's table machinery is imported only when a table is printed
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.measure import Measurement
    from rich.table import Table

WideOption = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="Keep every table column and let tables be as wide as they need "
        "(default: fit the terminal, dropping columns in a documented order).",
    ),
]

UNBOUNDED = 100_000
"""A width no table reaches: measuring at it gives a table's natural (widest) layout."""

DROPPED_NOTE = "Not shown at this width: {columns} (--wide shows every column)."
"""Appended to the caption of a table that lost columns to a narrow terminal."""


class Dotted:
    """Dotted paths (one, or several joined by spaces) as a table cell: lines break at the
    spaces, and inside a path only after a dot (after any of ``breaks``) and only when the
    whole path does not fit; a segment wider than the column on its own is folded."""

    def __init__(self, text: str, style: str = "", breaks: str = ".") -> None:
        self.text = visible(text)
        self.style = style
        b = re.escape(breaks)
        self._segment = re.compile(f"[^{b}]*[{b}]+|[^{b}]+")

    def __str__(self) -> str:
        return self.text

    def _segments(self, word: str) -> list[str]:
        return self._segment.findall(word) or [word]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        longest = max((len(p) for w in self.text.split() for p in self._segments(w)), default=0)
        return Measurement(longest, len(self.text)).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        width = max(1, options.max_width)
        lines: list[str] = []
        line = ""
        for word in self.text.split():
            if line and len(line) + 1 + len(word) <= width:
                line += " " + word
                continue
            if line:
                lines.append(line)
            line = ""
            for piece in [word] if len(word) <= width else self._segments(word):
                if line and len(line) + len(piece) > width:
                    lines.append(line)
                    line = ""
                line += piece
        lines.append(line)
        for text in lines:
            yield Text(text, style=self.style, overflow="fold")


def source_cell(text: str, style: str = "") -> Dotted:
    """A source as a table cell: reference keys (``kim-spa-speech-2025-09-21``) break after
    a hyphen or a dot when they do not fit, never in the middle of a part."""
    return Dotted(text, style, breaks="-.")


@dataclass(frozen=True)
class Col:
    """A column: its header, whether it holds numbers (right-justified, never wrapped),
    its narrowest useful width, and ``drop``: 0 never dropped, else the order (1 first) in
    which it goes when the terminal is too narrow for the whole table."""

    header: str
    numeric: bool = False
    drop: int = 0
    min_width: int | None = None
    no_wrap: bool = False
    whole: bool = False
    """Keep the cells whole (as wide as the longest) until every droppable column is gone;
    only then let them wrap."""


def new_table(**kwargs: Any) -> Table:
    """A table in the CLI's compact style: a rule under the header, no outer border and
    three spaces between columns; title and caption left-aligned."""
    from rich import box
    from rich.table import Table

    options: dict[str, Any] = {
        "box": box.SIMPLE_HEAD,
        "show_edge": False,
        "pad_edge": False,
        "title_justify": "left",
        "caption_justify": "left",
    }
    return Table(**(options | kwargs))


def width_of(renderable: RenderableType, target: Console | None = None) -> Measurement:
    """The narrowest and widest layout of ``renderable``, whatever the terminal's width."""
    from rich.measure import Measurement

    con = target or console
    return Measurement.get(con, con.options.update_width(UNBOUNDED), renderable)


def fitted(
    columns: Sequence[Col],
    rows: Iterable[Sequence[Any]],
    *,
    wide: bool,
    caption: str | None = None,
    sections: Sequence[int] = (),
    **table_kwargs: Any,
) -> Table:
    """The table with every column of ``columns`` whose narrowest layout fits the terminal:
    columns with ``drop > 0`` go in increasing order until it fits (none with ``wide``);
    the caption then names them. If it still does not fit, ``whole`` columns may wrap.
    ``sections``: row indexes after which a rule is drawn."""
    cells = [list(r) for r in rows]
    keep = list(range(len(columns)))
    order = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop > 0)
    dropped: list[str] = []
    relax = False
    while True:
        table = _build(columns, cells, keep, caption, dropped, sections, relax, table_kwargs)
        if wide or relax or _ranges(table)[2] <= console.width:
            return table
        if not order:
            relax = True
            continue
        _, gone = order.pop(0)
        keep.remove(gone)
        dropped.append(columns[gone].header.replace("\n", " "))


def _build(
    columns: Sequence[Col],
    rows: list[list[Any]],
    keep: list[int],
    caption: str | None,
    dropped: list[str],
    sections: Sequence[int],
    relax: bool,
    table_kwargs: dict[str, Any],
) -> Table:
    from rich.markup import escape

    note = DROPPED_NOTE.format(columns=escape(", ".join(dropped))) if dropped else ""
    text = " ".join(part for part in (caption, note) if part) or None
    table = new_table(caption=text, **table_kwargs)
    for i in keep:
        c = columns[i]
        no_wrap = c.numeric or c.no_wrap
        whole = 0
        if c.whole and not relax:
            whole = max(
                width_of(cell).maximum for cell in (escape(c.header), *(r[i] for r in rows))
            )
        table.add_column(
            escape(c.header),
            justify="right" if c.numeric else "left",
            no_wrap=no_wrap,
            overflow="ellipsis" if no_wrap else "fold",  # fold: only a token wider than all
            min_width=max(whole, c.min_width or 0) or None,
        )
    for k, row in enumerate(rows):
        table.add_row(*(row[i] for i in keep), end_section=k in sections)
    return table


def _ranges(table: Table) -> tuple[list[int], list[int], int]:
    """Per column the narrowest and widest content width (a no_wrap column whole, a text
    column its longest word, at least ``min_width``), and the table's narrowest width
    (columns, padding and borders)."""
    from rich.measure import Measurement

    options = console.options.update_width(UNBOUNDED)
    lows: list[int] = []
    highs: list[int] = []
    for column in table.columns:
        sizes = [Measurement.get(console, options, c) for c in (column.header, *column.cells)]
        high = max(m.maximum for m in sizes)
        low = high if column.no_wrap else max(m.minimum for m in sizes)
        low = max(low, column.min_width or 0)
        lows.append(low)
        highs.append(max(high, low))
    chrome = width_of(table).maximum - sum(highs)
    return lows, highs, sum(lows) + chrome


def settle(table: Table, width: int) -> None:
    """Fix the column widths of a table wider than ``width``: every column gets at least
    its narrowest layout (numbers whole, text its longest word); the room left goes first
    to the columns that need least, so that short cells stay whole, and the widest
    columns share the rest equally. rich's own layout may cut a column below its longest
    word; this one never does while the narrowest layout fits."""
    lows, highs, narrowest = _ranges(table)
    room = width - (narrowest - sum(lows))  # content width: the terminal less the borders
    if sum(highs) <= room or sum(lows) > room:
        return

    def widths(cap: int) -> list[int]:
        return [min(h, max(lo, cap)) for lo, h in zip(lows, highs, strict=True)]

    low, high = 0, max(highs)  # the largest cap whose widths fit: widths(low) always fits
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if sum(widths(mid)) <= room else (low, mid - 1)
    chosen = widths(low)
    left = room - sum(chosen)
    for i, w in enumerate(chosen):
        if left and w < highs[i]:
            chosen[i] += 1
            left -= 1
    for column, w in zip(table.columns, chosen, strict=True):
        column.width = w


def emit(renderable: RenderableType, *, wide: bool = False) -> None:
    """Print ``renderable`` on stdout: at the terminal's width (a table laid out by
    :func:`settle`), or with ``wide`` as wide as its content needs (wider than the
    terminal if need be)."""
    from rich.table import Table

    if wide:
        need = width_of(renderable).maximum
        if need > console.width:
            _wide_console(need).print(renderable)
            return
    elif isinstance(renderable, Table):
        settle(renderable, console.width)
    console.print(renderable)


def _wide_console(width: int) -> Console:
    """A console like the CLI's, writing to the same stream, ``width`` columns wide."""
    from summitry.cli.text import LiteralConsole

    return LiteralConsole(
        file=console.file,
        width=width,
        color_system=console.color_system,
        force_terminal=console.is_terminal,
        no_color=console.no_color,
        highlight=False,
    )


def prose(text: str, *, markup: bool = False) -> None:
    """A paragraph on stdout, wrapped at spaces to the terminal's width."""
    console.print(text, markup=markup, highlight=False)
