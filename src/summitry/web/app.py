"""The application factory: the API, the page, error handlers and security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from summitry import __version__
from summitry.scenario import Scenario
from summitry.web import api, errors, page
from summitry.web.catalog import Catalog
from summitry.web.run import AnswerCache

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""Host headers accepted by default: a page on another site cannot reach the server
through a DNS name that it points at 127.0.0.1 (DNS rebinding)."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
"""Content-Security-Policy: nothing is loaded from elsewhere (plotly.js sets inline styles)."""


def _headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response


def create_app(
    scenario: str | Path | Scenario | None = None,
    *,
    samples: int = 1000,
    seed: int = 0,
    allowed_hosts: Sequence[str] | None = LOCAL_HOSTS,
) -> FastAPI:
    """The dashboard for the bundled scenarios plus ``scenario`` (a bundled name, a file or a
    loaded scenario; it is the one the page opens with). ``samples``/``seed`` are the
    defaults of a forecast request. ``allowed_hosts`` are the Host headers served (None:
    any). Raises :class:`~summitry.scenario.ScenarioError` for a scenario that does not load.
    """
    app = FastAPI(
        title="summitry dashboard",
        version=__version__,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = api.Settings(Catalog.started_with(scenario), samples, seed, AnswerCache())
    errors.install(app)
    _headers(app)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.include_router(api.router)
    app.include_router(page.router)
    app.mount("/static", StaticFiles(directory=page.STATIC_DIR), name="static")
    return app
