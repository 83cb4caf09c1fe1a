"""The JSON API under ``/api`` (docs/web.md has examples).

- ``GET /api/scenarios``: the scenarios this server serves, the default one and its limits;
- ``GET /api/scenarios/{name}``: one scenario's inputs, grouped, and its bargaining channel;
- ``POST /api/forecast``: a :class:`~summitry.web.models.ForecastRequest` -> the forecast
  summary, the figures as plotly JSON and the equivalent command line (503 with
  ``Retry-After`` when the server is busy, 504 past the time limit: :mod:`summitry.web.load`);
- ``GET /api/status``: the forecasts running and waiting, and the load limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response

from summitry.web.catalog import Catalog
from summitry.web.errors import RequestError
from summitry.web.inputs import scenario_inputs
from summitry.web.load import Computations
from summitry.web.models import MAX_SEED, MAX_WEB_SAMPLES, MIN_WEB_SAMPLES, ForecastRequest
from summitry.web.run import AnswerCache, prepare

router = APIRouter(prefix="/api")


@dataclass
class Settings:
    """What the server was started with (kept in ``app.state.settings``)."""

    catalog: Catalog
    samples: int
    seed: int
    cache: AnswerCache
    computations: Computations


def _settings(request: Request) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


def _summary(catalog: Catalog, name: str) -> dict[str, Any]:
    sc = catalog.get(name)
    return {
        "name": name,
        "title": sc.title,
        "date": None if sc.date is None else sc.date.isoformat(),
        "bargaining": sc.bargaining is not None,
        "options": sc.options is not None,
        "source": "file" if catalog.is_file(name) else "bundled",
    }


@router.get("/scenarios")
def list_scenarios(request: Request) -> dict[str, Any]:
    """Every scenario served, the one the page opens with, and the request limits."""
    s = _settings(request)
    return {
        "default": s.catalog.default,
        "scenarios": [_summary(s.catalog, n) for n in s.catalog.names()],
        "defaults": {"samples": s.samples, "seed": s.seed},
        "limits": {"samples": [MIN_WEB_SAMPLES, MAX_WEB_SAMPLES], "seed": [0, MAX_SEED]},
    }


@router.get("/scenarios/{name}")
def get_scenario(name: str, request: Request) -> dict[str, Any]:
    """One scenario's inputs by dotted path (central value, legal range, distribution,
    source, note), grouped, with its issues, actors and bargaining channel."""
    catalog = _settings(request).catalog
    try:
        sc = catalog.get(name)
    except KeyError:
        names = ", ".join(catalog.names())
        message = f"unknown scenario '{name}' (choose from {names})"
        raise RequestError("scenario", message, 404) from None
    data = scenario_inputs(sc)
    data["name"] = name
    data["command_arg"] = catalog.command_arg(name)
    return data


@router.post("/forecast")
def post_forecast(req: ForecastRequest, request: Request) -> Response:
    """Forecast the scenario with the request's changes (see :mod:`summitry.web.run`)."""
    s = _settings(request)
    prepared = prepare(req, s.catalog, s.samples, s.seed)
    return Response(s.cache.get(prepared, s.computations), media_type="application/json")


@router.get("/status")
def get_status(request: Request) -> dict[str, Any]:
    """Forecasts running and waiting now, the slots and queue, the time limit (seconds) and
    the largest request body (bytes)."""
    return _settings(request).computations.status()
