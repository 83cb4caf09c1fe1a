"""Errors the API returns: one clear message naming the field, never a traceback.

Every error response has the body ``{"detail": "<field>: <message>", "field": "<field>",
"errors": [{"field": ..., "message": ...}, ...]}``: ``detail`` is the first problem, ready to
show; ``errors`` lists them all.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic_core import ErrorDetails
from starlette.exceptions import HTTPException as StarletteHTTPException

from summitry.scenario.quantities import fmt

log = logging.getLogger("summitry.web")


class RequestError(Exception):
    """A request the server understood but cannot serve: ``field`` names what is wrong."""

    def __init__(
        self, field: str, message: str, status: int = 422, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
        self.status = status
        self.headers = headers


def body(problems: list[tuple[str, str]]) -> dict[str, Any]:
    """The JSON body for ``[(field, message), ...]`` (at least one)."""
    field, message = problems[0]
    return {
        "detail": f"{field}: {message}" if field else message,
        "field": field,
        "errors": [{"field": f, "message": m} for f, m in problems],
    }


def _shown(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, int | float):
        return fmt(value)
    if isinstance(value, str):
        return f"'{value[:60]}'"
    return type(value).__name__.replace("dict", "a mapping").replace("list", "a list")


def field_name(loc: tuple[int | str, ...]) -> str:
    """The field a pydantic ``loc`` points at, as the request names it:
    ``("body", "overrides", "actors.dprk.capability")`` -> ``overrides.actors.dprk.capability``."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts)


def pydantic_message(err: ErrorDetails) -> str:
    """A short message for one request-validation error."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "json_invalid":
        return "the request body is not valid JSON"
    if kind == "finite_number":
        return f"{_shown(value)} is not a finite number"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        return f"expected a whole number, got {_shown(value)}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {_shown(value)}"
    if kind in ("string_type", "dict_type", "model_type", "model_attributes_type"):
        wanted = "text" if kind == "string_type" else "a JSON object"
        return f"expected {wanted}, got {_shown(value)}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{_shown(value)} is not one of: {expected}"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        side = "below the minimum" if kind == "greater_than_equal" else "above the maximum"
        return f"{_shown(value)} is {side} of {_shown(bound)}"
    if kind in ("string_too_short", "string_too_long", "too_long"):
        return str(err["msg"]).lower()
    return str(err["msg"])


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [(field_name(tuple(e["loc"])), pydantic_message(e)) for e in exc.errors()]
    return JSONResponse(body(problems or [("", "invalid request")]), status_code=422)


async def _request_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestError)
    return JSONResponse(
        body([(exc.field, exc.message)]), status_code=exc.status, headers=exc.headers
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        body([("", str(exc.detail))]), status_code=exc.status_code, headers=exc.headers
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error serving %s", request.url.path)
    return JSONResponse(
        body([("", f"internal error ({type(exc).__name__}); see the server's log")]),
        status_code=500,
    )


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the JSON body above."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(RequestError, _request_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
