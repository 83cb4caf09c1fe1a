"""The one JSON rule (summitry.jsonready): numpy -> Python, NaN/inf -> null, dates -> ISO."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

from summitry.jsonready import json_ready, json_text


def test_numpy_scalars_and_arrays_become_plain_python() -> None:
    data = json_ready(
        {"f": np.float64(0.25), "i": np.int64(7), "b": np.bool_(True), "a": np.arange(3)}
    )
    assert data == {"f": 0.25, "i": 7, "b": True, "a": [0, 1, 2]}
    assert type(data["f"]) is float and type(data["i"]) is int and type(data["b"]) is bool
    assert all(type(x) is int for x in data["a"])


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("inf")]
)
def test_nan_and_infinity_become_null(value: float) -> None:
    assert json_ready(value) is None
    assert json_ready([1.5, value]) == [1.5, None]
    assert json_text({"x": value}) == '{"x": null}'


def test_nested_containers_keys_and_dates() -> None:
    value = {
        1: (np.array([[1.0, np.nan]]), dt.date(2025, 9, 21)),
        "t": dt.datetime(2025, 9, 21, 12, 30),
        "s": "text",
        "n": None,
    }
    assert json_ready(value) == {
        "1": [[[1.0, None]], "2025-09-21"],
        "t": "2025-09-21T12:30:00",
        "s": "text",
        "n": None,
    }


def test_input_is_left_untouched_and_text_is_strict_json() -> None:
    value = {"x": [math.nan, 2.0]}
    text = json_text(value)
    assert math.isnan(value["x"][0])
    assert json.loads(text) == {"x": [None, 2.0]}
    assert "NaN" not in text and "Infinity" not in text
