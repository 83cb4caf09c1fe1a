"""User text printed literally (docs/limits.md, "Hostile inputs").

Any text that comes from a user's file or argument (titles, labels, anchors, names, notes,
sources, ids, paths, error messages quoting input) reaches the terminal as the characters
it holds, never as instructions:

- rich markup is escaped (``Border [/] talks [/bold]`` prints as written): :func:`safe`
  for text placed inside a markup string, :func:`literal` for a ``Text`` cell;
- control characters (C0 but newline and tab, DEL, C1 such as CSI, and the Unicode bidi
  controls) are shown visibly: a C0 character and DEL as its Unicode control picture
  (ESC as U+241B ``␛``, BEL as ``␇``), the others as a ``\\x9b`` / ``\\u202e`` escape;
- emoji codes stay literal (``:x:`` prints as ``:x:``);
- JSON output (``--json``) escapes every control character, so it is the same data and
  nothing raw reaches the terminal.

The CLI's consoles are :class:`LiteralConsole`: every string they print or lay out
(including table titles, captions and cells) is made visible by :func:`visible` before
rich parses it, and emoji codes are never replaced, so a call site that forgets
:func:`safe` can at worst show a markup tag's effect, never emit a control sequence.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from rich.style import Style
    from rich.text import Text

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


def _show(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the control picture: U+241B for ESC
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character (but newline and tab) and bidi control shown
    as a visible character or escape; any other character unchanged."""
    return _CONTROL.sub(_show, text)


def safe(text: object) -> str:
    """``str(text)`` ready to embed in rich markup: control characters made visible and
    markup escaped, so that it prints exactly as written."""
    return escape(visible(str(text)))


def literal(text: object, style: str | Style = "", **kwargs: Any) -> Text:
    """``str(text)`` as a rich ``Text`` (never parsed as markup or emoji), control
    characters made visible."""
    from rich.text import Text

    return Text(visible(str(text)), style=style, **kwargs)


class LiteralConsole(Console):
    """A rich console that never replaces emoji codes and shows control characters of any
    string it renders visibly (:func:`visible`), before markup is parsed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["emoji"] = False
        super().__init__(*args, **kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs["emoji"] = False
        return super().render_str(visible(text), **kwargs)

    def print_json(self, json: str | None = None, **kwargs: Any) -> None:
        """rich's ``print_json``, with the control characters JSON leaves raw in strings
        (DEL, C1, bidi controls) written as ``\\uXXXX`` escapes: the same data, nothing
        raw on the terminal."""
        from rich.highlighter import JSONHighlighter, NullHighlighter
        from rich.json import JSON

        data = kwargs.pop("data", None)
        renderable = JSON(json, **kwargs) if json is not None else JSON.from_data(data, **kwargs)
        plain = renderable.text.plain
        escaped = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", plain)
        if escaped != plain:
            highlighter = JSONHighlighter() if kwargs.get("highlight", True) else NullHighlighter()
            renderable.text = highlighter(escaped)
            renderable.text.no_wrap = True
            renderable.text.overflow = None
        self.print(renderable, soft_wrap=True)
