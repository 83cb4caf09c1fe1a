"""Reading a user's input file safely (docs/limits.md, "Hostile inputs").

:func:`read_limited` is the one way a scenario YAML, a KTAB file or a DEU data file given by
the user is read. Before it reads
anything it refuses a path that is not a regular file (a directory, a FIFO, a character or
block device such as ``/dev/zero``, a socket) by its ``stat``, so that a FIFO never blocks;
it then opens the file without blocking (``O_NONBLOCK``), checks the open file again (the
path may have changed in between) and reads at most ``limit + 1`` bytes, whatever
``st_size`` says (files under ``/proc`` report 0): a file longer than ``limit`` is refused
without reading the rest.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SCENARIO_LIMIT = 20_000_000
"""Largest scenario file read, in bytes (20 MB; the bundled files are under 50 kB)."""

KTAB_LIMIT = 5_000_000
"""Largest KTAB file (CSV or XML) read, in bytes (5 MB; KTAB's own examples are under
50 kB)."""

DATA_LIMIT = 50_000_000
"""Largest DEU data file read by ``summitry benchmark --data`` (50 MB; the bundled one is
35 kB)."""

_CHUNK = 1 << 20


class InputFileError(ValueError):
    """A path that cannot be read as an input file; ``str()`` is the reason, without the
    path (the caller names the file in its own format)."""


def _kind(mode: int) -> str | None:
    """What a non-regular file is, for messages; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size(n: int) -> str:
    return f"{n / 1e6:g} MB" if n >= 1_000_000 else f"{n:,} bytes"


def read_limited(path: str | Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises :class:`InputFileError` (one line, ``what`` naming the kind of file, e.g.
    ``"scenario file"``) for a missing or unreadable path, anything but a regular file,
    and a file longer than ``limit`` bytes (read no further than ``limit + 1``).
    """
    try:
        kind = _kind(os.stat(path).st_mode)
    except FileNotFoundError:
        raise InputFileError("no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or exc
        raise InputFileError(f"cannot read the file ({reason})") from None
    if kind is not None:
        raise InputFileError(f"is {kind}, not a {what}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputFileError(f"cannot read the file ({exc.strerror or exc})") from None
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise InputFileError(f"is {kind}, not a {what}")
        parts: list[bytes] = []
        got = 0
        while got <= limit:
            part = os.read(fd, min(_CHUNK, limit + 1 - got))
            if not part:
                break
            parts.append(part)
            got += len(part)
    except OSError as exc:
        raise InputFileError(f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if got > limit:
        raise InputFileError(
            f"the file is larger than {_size(limit)}, the limit for a {what} (docs/limits.md)"
        )
    return b"".join(parts)
