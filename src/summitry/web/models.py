"""The forecast request the API accepts, validated by pydantic before anything runs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from summitry.limits import MAX_SAMPLES
from summitry.scenario.quantities import Num

MAX_WEB_SAMPLES = min(MAX_SAMPLES, 10_000)
"""The most samples one dashboard request may ask for: an answer should come back within
half a minute (dprk-2025 takes 2-3 s per 1,000 samples on a shared two-core machine)."""
MIN_WEB_SAMPLES = 2
"""The fewest: the equivalent ``summitry compare`` command needs two."""
MAX_SEED = 2**63 - 1


class ForecastRequest(BaseModel):
    """``POST /api/forecast``: which scenario, how many samples, which seed, and the inputs
    changed from the scenario (dotted path -> a fixed value) and the bargaining channel.
    ``samples``/``seed`` left out take the server's defaults."""

    model_config = ConfigDict(extra="forbid")

    scenario: Annotated[str, Field(min_length=1, max_length=200)]
    samples: Annotated[StrictInt, Field(ge=MIN_WEB_SAMPLES, le=MAX_WEB_SAMPLES)] | None = None
    seed: Annotated[StrictInt, Field(ge=0, le=MAX_SEED)] | None = None
    overrides: Annotated[dict[str, Num], Field(max_length=1000)] = Field(default_factory=dict)
    channel: Literal["summit", "working"] | None = None
