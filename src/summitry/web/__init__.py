"""The local web dashboard (``summitry serve``): edit a scenario's key numbers and see every
forecast and chart update.

``create_app(scenario=None, samples=1000, seed=0)`` builds the FastAPI application: a JSON
API (:mod:`summitry.web.api`), one HTML page and its static assets (:mod:`summitry.web.page`).
Only bundled scenarios, plus the one the server was started with, can be read through it.
docs/web.md describes the page and the endpoints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summitry.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` on first use, so that the command line can read
    :mod:`summitry.web.models` without importing FastAPI."""
    if name == "create_app":
        from summitry.web.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
