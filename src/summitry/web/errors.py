"""Errors the API returns: one clear message naming the field, never a traceback.

Every error response has the body ``{"detail": "<field>: <message>", "field": "<field>",
"errors": [{"field": ..., "message": ...}, ...]}``: ``detail`` is the first problem, ready to
show; ``errors`` lists them all.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from summitry.pydantic_messages import pydantic_message

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


def field_name(loc: tuple[int | str, ...]) -> str:
    """The field a pydantic ``loc`` points at, as the request names it:
    ``("body", "overrides", "actors.dprk.capability")`` -> ``overrides.actors.dprk.capability``."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts)


def json_position(doc: Any, pos: Any) -> str:
    """``line L, column C`` (both from 1) of the character at offset ``pos`` of ``doc``."""
    if not isinstance(doc, str) or not isinstance(pos, int):
        return "at an unknown position"
    pos = max(0, min(pos, len(doc)))
    line = doc.count("\n", 0, pos) + 1
    column = pos - (doc.rfind("\n", 0, pos) + 1) + 1
    return f"line {line}, column {column}"


def _problem(error: Any, doc: Any) -> tuple[str, str]:
    """(field, message) of one pydantic/FastAPI error; a malformed JSON body is named by
    the line and column where parsing stopped, not by its character offset."""
    if error.get("type") == "json_invalid":
        loc = tuple(error.get("loc", ()))
        where = json_position(doc, loc[-1] if loc else None)
        reason = str((error.get("ctx") or {}).get("error", "")).strip().removesuffix(" at")
        tail = f": {reason}" if reason else ""
        return "", f"the request body is not valid JSON ({where}){tail}"
    return field_name(tuple(error["loc"])), pydantic_message(error)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [_problem(e, exc.body) for e in exc.errors()]
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
