"""Sweep ownership: which process writes a running run, whether it is alive, and the
test kill hook (docs/store.md, "Sweeps and resuming")."""

from __future__ import annotations

import os
import socket
from pathlib import Path

KILL_HOOK = "SUMMITRY_TEST_KILL_AT"
"""Test hook, off unless set (docs/store.md, "Sweeps and resuming"): ``START:WHEN`` makes
the process SIGKILL itself when it commits the chunk starting at sample START, WHEN being
``before`` (its transaction not begun), ``inside`` (its rows written, not committed) or
``after`` (committed); ``compute`` makes the worker that starts computing that chunk kill
itself (:func:`summitry.sweep.compute_chunk`)."""


def kill_hook(start: int, when: str) -> None:
    """SIGKILL this process if :data:`KILL_HOOK` names ``start:when`` (tests only)."""
    if os.environ.get(KILL_HOOK) == f"{start}:{when}":
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def owner_token() -> str:
    """Identifies this process: host, pid and the process's start time (so a reused pid
    is not mistaken for it)."""
    return f"{socket.gethostname()}|{os.getpid()}|{_start_ticks(os.getpid())}"


def owner_alive(token: str | None) -> bool | None:
    """Whether the process named by ``token`` still runs: True/False on this host, None
    (unknown) for another host."""
    if not token:
        return False
    try:
        host, pid_text, ticks = token.split("|")
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return None
    if pid == os.getpid():
        return ticks == _start_ticks(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return ticks == _start_ticks(pid)


def _start_ticks(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""
