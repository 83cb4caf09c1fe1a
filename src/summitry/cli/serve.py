"""``summitry serve``: the local web dashboard (FastAPI + uvicorn; docs/web.md)."""

from __future__ import annotations

import errno
import ipaddress
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from summitry.cli.app import app, console, err_console, fail
from summitry.cli.limits import check_memory
from summitry.cli.runs import DEFAULT_DB, DbOption
from summitry.defaults import DEFAULT_SCENARIO
from summitry.limits import MAX_SEED, MAX_WEB_SAMPLES, MIN_WEB_SAMPLES
from summitry.web.limits import (
    DEFAULT_COMPUTATIONS,
    DEFAULT_QUEUE,
    DEFAULT_TIME_LIMIT,
    GRACE,
    MAX_COMPUTATIONS,
    MAX_CONNECTIONS,
    MAX_QUEUE,
    MAX_TIME_LIMIT,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LOOPBACK_NAMES = ("localhost",)


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket bound to ``host``:``port``; ``OSError`` (with a message
    naming both) when the host is unknown or the port busy or not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise OSError(f"--host: cannot resolve '{host}' ({err.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        reason = (
            "is already in use"
            if err.errno == errno.EADDRINUSE
            else f"cannot be used ({err.strerror})"
        )
        raise OSError(f"--port: port {port} on {host} {reason}") from None
    return sock


def url_for(host: str, port: int) -> str:
    """The address to open in a browser (IPv6 hosts in brackets; a wildcard as 127.0.0.1)."""
    shown = "127.0.0.1" if _is_wildcard(host) else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def allowed_hosts(host: str) -> list[str] | None:
    """Host headers to serve: the loopback names and ``host``; None (any) for a wildcard."""
    if _is_wildcard(host):
        return None
    names = ["127.0.0.1", "localhost", "[::1]"]
    return [*names, f"[{host}]" if ":" in host else host]


@app.command("serve")
def serve_command(
    scenario: Annotated[
        str,
        typer.Argument(help="The scenario the page opens with: a bundled name or a file."),
    ] = DEFAULT_SCENARIO,
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this machine only).")
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = DEFAULT_PORT,
    samples: Annotated[
        int,
        typer.Option(
            help=f"Monte Carlo draws per forecast ({MIN_WEB_SAMPLES} to {MAX_WEB_SAMPLES:,}; "
            "the page can change it)."
        ),
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (the page can change it).")] = 0,
    computations: Annotated[
        int,
        typer.Option(help=f"Forecasts computed at once (1 to {MAX_COMPUTATIONS})."),
    ] = DEFAULT_COMPUTATIONS,
    queue: Annotated[
        int,
        typer.Option(
            help=f"Forecast requests that may wait for a slot (0 to {MAX_QUEUE}); "
            "beyond that the server answers 503."
        ),
    ] = DEFAULT_QUEUE,
    time_limit: Annotated[
        float,
        typer.Option(
            help=f"Seconds one forecast may take before it is stopped (up to {MAX_TIME_LIMIT:g})."
        ),
    ] = DEFAULT_TIME_LIMIT,
    db: DbOption = Path(DEFAULT_DB),  # read only: the ledger section (docs/questions.md)
) -> None:
    """Serve the dashboard: edit a scenario's key numbers and see every forecast and chart
    update. Only the bundled scenarios and SCENARIO can be read through it."""
    if not 1 <= port <= 65535:
        fail(f"--port: {port} is not a port number (1 to 65535)")
    if not MIN_WEB_SAMPLES <= samples <= MAX_WEB_SAMPLES:
        fail(f"--samples: {samples} is outside {MIN_WEB_SAMPLES} to {MAX_WEB_SAMPLES:,}")
    if not 0 <= seed <= MAX_SEED:
        fail(f"--seed: {seed} is outside 0 to {MAX_SEED}")
    if not 1 <= computations <= MAX_COMPUTATIONS:
        fail(f"--computations: {computations} is outside 1 to {MAX_COMPUTATIONS}")
    if not 0 <= queue <= MAX_QUEUE:
        fail(f"--queue: {queue} is outside 0 to {MAX_QUEUE}")
    if not 0 < time_limit <= MAX_TIME_LIMIT:  # also refuses nan
        fail(f"--time-limit: {time_limit:g} is not above 0 and at most {MAX_TIME_LIMIT:g}")
    from summitry.scenario import ScenarioError
    from summitry.web import create_app
    from summitry.web.limits import LoadLimits

    limits = LoadLimits(computations=computations, queue=queue, time_limit=time_limit)
    try:
        web_app = create_app(
            scenario,
            samples=samples,
            seed=seed,
            allowed_hosts=allowed_hosts(host),
            limits=limits,
            ledger_db=db,  # the ledger section reads it (docs/questions.md)
        )
    except ScenarioError as err:
        fail(str(err).splitlines())
    settings = web_app.state.settings
    opening = settings.catalog.get(settings.catalog.default)
    check_memory(  # each of the computations at once forecasts --samples of the scenario
        f"--samples {samples:,} with --computations {computations}",
        lambda b: computations * b.forecast_bytes(opening, samples, stored=False),
        scenarios=[opening],
    )
    try:
        sock = bind(host, port)
    except OSError as err:
        fail(str(err))
    _run(web_app, sock, host, port)


def _run(web_app: FastAPI, sock: socket.socket, host: str, port: int) -> None:
    import uvicorn

    if not _is_loopback(host):
        err_console.print(
            f"warning: listening on {host}: the dashboard has no login, so anyone who can "
            "reach this address can use it",
            markup=False,
            highlight=False,
        )
    console.print(f"summitry dashboard: {url_for(host, port)}  (Ctrl-C to stop)", markup=False)
    config = uvicorn.Config(
        web_app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        limit_concurrency=MAX_CONNECTIONS,  # beyond: uvicorn's own plain 503 (docs/web.md)
        timeout_graceful_shutdown=GRACE,  # then forecasts still running are stopped
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C once it has shut down cleanly
        err_console.print("stopped", markup=False, highlight=False)
    finally:
        sock.close()


__all__ = ["serve_command"]
