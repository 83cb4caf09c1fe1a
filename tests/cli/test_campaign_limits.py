"""Every command with extreme numbers, as a subprocess under an address-space limit: each
exits 0 or 2, never with a traceback, within a generous bound (docs/limits.md).

The whole grid is an on-demand campaign (``make campaign``); a few representative cases
run in the normal suite.
"""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest

from console_script import EXE

ADDRESS_SPACE = 3 * 2**30
"""RLIMIT_AS of every command: room for the interpreter and its libraries (a normal forecast,
sensitivity analysis and two-worker sweep run within it) but not for a runaway request."""
BOUND = 900
"""Seconds after which a command counts as hung: only a broken guard takes this long."""
EXTREME = ("0", "-1", str(10**12), "1e308", "nan")

GRID: list[tuple[str, ...]] = []
for value in EXTREME:
    GRID += [
        ("forecast", "--samples", value),
        ("forecast", "--seed", value, "--samples", "50"),
        ("forecast", "--rounds", value, "--samples", "50"),
        ("compare", "dprk-2025", "--set", "bargaining.channel=working", "--samples", value),
        ("compare", "dprk-2025", "dprk-2019-hanoi", "--seed", value, "--samples", "50"),
        ("sensitivity", "--n", value),
        ("sensitivity", "--method", "morris", "--n", value),
        ("sensitivity", "--top", value, "--n", "8"),
        ("backtest", "dprk-2019-hanoi", "--samples", value),
        ("report", "--samples", value, "--no-png", "--no-sensitivity", "--out", "rep"),
        ("report", "--seed", value, "--samples", "50", "--no-png", "--out", "rep-seed"),
        ("sweep", "dprk-2025", "--samples", value),
        ("sweep", "dprk-2025", "--samples", "3000", "--chunk", value, "--workers", "1"),
        ("sweep", "dprk-2025", "--samples", "3000", "--workers", value),
    ]
GRID += [
    ("forecast", "--samples", "50000000"),
    ("forecast", "--samples", "2000000", "--engine", "eum"),
    ("compare", "dprk-2025", "dprk-2019-hanoi", "--samples", "200000"),
    ("sensitivity", "--n", "50000000"),
    ("sensitivity", "--n", "500000", "--second-order"),
    ("sensitivity", "--method", "morris", "--n", "5000000"),
    ("backtest", "--samples", "200000"),
    ("report", "--samples", "50000000", "--no-png", "--out", "rep-huge"),
    ("sweep", "dprk-2025", "--samples", "50000000", "--chunk", "50000000", "--workers", "1"),
    ("sweep", "dprk-2025", "--workers", "1000000"),
    ("sweep", "dprk-2025", "--samples", "3000", "--chunk", "2000", "--workers", "2"),
]
FAST = [
    ("forecast", "--samples", "1e308"),
    ("forecast", "--samples", "50000000"),
    ("sensitivity", "--n", "-1"),
    ("sensitivity", "--n", str(10**12)),
    ("sweep", "dprk-2025", "--workers", str(10**12)),
    ("report", "--samples", "nan", "--no-png", "--out", "rep"),
]
"""Representative cases that are refused in a second or two: part of the normal suite."""


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_limited(args: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess[str]:
    assert EXE, "the summitry console script is installed in the test environment"
    env = {k: v for k, v in os.environ.items() if k != "SUMMITRY_MEMORY_LIMIT"}
    return subprocess.run(
        [EXE, *args, "--no-store"],
        capture_output=True,
        text=True,
        timeout=BOUND,
        preexec_fn=_cap,
        cwd=cwd,
        env=env,
    )


def _check(args: tuple[str, ...], tmp_path: Path) -> None:
    out = run_limited(args, tmp_path)
    assert out.returncode in (0, 2), (args, out.returncode, out.stderr[-2000:])
    assert "Traceback" not in out.stderr, (args, out.stderr[-2000:])
    if out.returncode == 2:
        assert out.stderr.strip(), (args, "a refusal says why")


@pytest.mark.campaign
@pytest.mark.parametrize("args", GRID, ids=" ".join)
def test_extreme_arguments_campaign(args: tuple[str, ...], tmp_path: Path) -> None:
    _check(args, tmp_path)


@pytest.mark.parametrize("args", FAST, ids=" ".join)
def test_extreme_arguments_are_refused_cleanly(args: tuple[str, ...], tmp_path: Path) -> None:
    out = run_limited(args, tmp_path)
    assert out.returncode == 2, (args, out.stderr[-2000:])
    assert "Traceback" not in out.stderr


def test_a_memory_error_the_estimate_missed_is_one_line(tmp_path: Path) -> None:
    """With the limit set far above what the address space allows, the estimate lets the
    run start; the allocation that fails ends it with one line, not a traceback."""
    assert EXE, "the summitry console script is installed in the test environment"
    out = subprocess.run(
        [EXE, "forecast", "--samples", "20000000", "--engine", "eum", "--json", "--no-store"],
        capture_output=True,
        text=True,
        timeout=BOUND,
        preexec_fn=_cap,
        cwd=tmp_path,
        env={**os.environ, "SUMMITRY_MEMORY_LIMIT": "1TB"},
    )
    assert out.returncode == 2, out.stderr[-2000:]
    assert out.stderr.splitlines() == [
        "--samples 20,000,000: ran out of memory although the estimate fitted the limit; ask "
        "for less, or lower SUMMITRY_MEMORY_LIMIT (docs/limits.md)"
    ]
    assert out.stdout == ""
