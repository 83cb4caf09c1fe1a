"""The one translation of pydantic errors (summitry.pydantic_messages), shared by the
scenario loader and the dashboard API."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from summitry.pydantic_messages import pydantic_message


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    samples: int = Field(ge=2)
    share: float = Field(le=1, allow_inf_nan=False)
    channel: Literal["summit", "working"] = "summit"
    label: str = "x"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"share": 0.5}, "missing required field 'samples'"),
        ({"samples": 1, "share": 0.5}, "1 is below 2"),
        ({"samples": 2, "share": 1.5}, "1.5 is above 1"),
        ({"samples": 2.5, "share": 0.5}, "expected a whole number, got 2.5"),
        ({"samples": 2, "share": "high"}, "expected a number, got text 'high'"),
        ({"samples": 2, "share": float("nan")}, ".nan is not a finite number"),
        ({"samples": 2, "share": 0.5, "channel": "back"}, "'back' is not one of: summit, working"),
        ({"samples": 2, "share": 0.5, "label": 3}, "expected text, got 3 (put it in quotes)"),
        ({"samples": 2, "share": 0.5, "sample": 1}, "unknown field 'sample'"),
    ],
)
def test_one_message_per_error(data: dict[str, object], text: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings.model_validate(data)
    assert [pydantic_message(e) for e in info.value.errors()] == [text]
