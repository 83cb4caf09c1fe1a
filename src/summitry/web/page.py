"""The page: one HTML file, its script and style sheet, and plotly.js from the plotly
package's own copy (no CDN, no build step)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""The page and its assets (package data)."""

router = APIRouter()


@cache
def plotly_js() -> bytes:
    """plotly.js as bundled with the plotly Python package (read once)."""
    from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

    return get_plotlyjs().encode()


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The dashboard page."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly() -> Response:
    """plotly.js, the same version as the plotly package that draws the figures."""
    return Response(
        plotly_js(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """No icon (an empty answer keeps the browser from logging a missing file)."""
    return Response(status_code=204)
