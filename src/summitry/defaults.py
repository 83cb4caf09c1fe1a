"""Defaults shared by every front end, in a module that imports nothing (so that
``summitry --help`` stays fast: tests/test_startup.py)."""

DEFAULT_SCENARIO = "dprk-2026"
"""The scenario every command (and ``make run``) uses when none is named: the bundled
US-DPRK situation at the latest date the public record supports (docs/case-dprk.md)."""
