"""The application factory: the API, the page, error handlers, security headers and the
load limits (docs/web.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from summitry import __version__
from summitry.scenario import Scenario
from summitry.web import api, errors, ledger, page, run
from summitry.web.catalog import Catalog
from summitry.web.limits import LoadLimits
from summitry.web.load import Computations, Compute
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


class BodyLimit:
    """ASGI middleware: a request whose body is over ``max_bytes`` gets 413 and a message,
    judged by its Content-Length before any of it is read, or, for a chunked body, as soon
    as the bytes received pass the limit (so at most ``max_bytes`` are held)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is larger than the limit of {self.max_bytes:,} bytes"
        await JSONResponse(errors.body([("", message)]), status_code=413)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None:
            if length.strip().isdigit() and int(length) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)  # the HTTP server holds it to the length
            return
        if "chunked" not in headers.get("transfer-encoding", "").lower():
            await self.app(scope, receive, send)  # no body
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return whole

        await self.app(scope, replay, send)


def create_app(
    scenario: str | Path | Scenario | None = None,
    *,
    samples: int = 1000,
    seed: int = 0,
    allowed_hosts: Sequence[str] | None = LOCAL_HOSTS,
    limits: LoadLimits | None = None,
    compute: Compute = run.compute,
    ledger_db: str | Path | None = None,
) -> FastAPI:
    """The dashboard for the bundled scenarios plus ``scenario`` (a bundled name, a file or a
    loaded scenario; it is the one the page opens with). ``samples``/``seed`` are the
    defaults of a forecast request. ``allowed_hosts`` are the Host headers served (None:
    any). ``limits`` bound the forecasts in flight, their time and the request body
    (:class:`~summitry.web.limits.LoadLimits` defaults otherwise; docs/web.md).

    ``compute`` is what a worker process runs for a forecast request (a
    :class:`~summitry.web.run.Prepared`); it exists for tests, which pass a function that
    holds a slot until they release it, and must be picklable. ``ledger_db``: the store whose
    ledger ``/api/ledger`` shows (read only; docs/questions.md). Raises
    :class:`~summitry.scenario.ScenarioError` for a scenario that does not load.
    """
    limits = limits or LoadLimits()
    computations = Computations(limits, compute)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # a request waiting for a slot waits in a thread: leave threads for the others
        threads = anyio.to_thread.current_default_thread_limiter()
        threads.total_tokens = max(threads.total_tokens, limits.computations + limits.queue + 40)
        yield
        computations.close()

    app = FastAPI(
        title="summitry dashboard",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = api.Settings(
        Catalog.started_with(scenario), samples, seed, AnswerCache(), computations
    )
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    _headers(app)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.state.ledger_db = ledger_db
    app.include_router(api.router)
    app.include_router(ledger.router)
    app.include_router(page.router)
    app.mount("/static", StaticFiles(directory=page.STATIC_DIR), name="static")
    return app
