"""The forecast request the API accepts, validated by pydantic before anything runs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

# The limits live in summitry.limits, which the command line reads without pydantic.
from summitry.limits import MAX_SEED, MAX_WEB_SAMPLES, MIN_WEB_SAMPLES
from summitry.scenario.quantities import Num

__all__ = ["MAX_SEED", "MAX_WEB_SAMPLES", "MIN_WEB_SAMPLES", "ForecastRequest"]


class ForecastRequest(BaseModel):
    """``POST /api/forecast``: which scenario, how many samples, which seed, and the inputs
    changed from the scenario (dotted path -> a fixed value) and the bargaining channel.
    ``samples``/``seed`` left out take the server's defaults. ``engine``: ``default`` (the
    default engine set) or ``all`` (adds the opt-in engines: the compromise, NBS and
    procedural models)."""

    model_config = ConfigDict(extra="forbid")

    scenario: Annotated[str, Field(min_length=1, max_length=200)]
    samples: Annotated[StrictInt, Field(ge=MIN_WEB_SAMPLES, le=MAX_WEB_SAMPLES)] | None = None
    seed: Annotated[StrictInt, Field(ge=0, le=MAX_SEED)] | None = None
    overrides: Annotated[dict[str, Num], Field(max_length=1000)] = Field(default_factory=dict)
    channel: Literal["summit", "working"] | None = None
    engine: Literal["default", "all"] = "default"
