"""The one reproduce-command builder (summitry.reproduce) used by the report and the web."""

from __future__ import annotations

import shlex

import pytest

from summitry.reproduce import reproduce_command, set_value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("working", "working"),
        (0.0, "0"),
        (0.12, "0.12"),
        (100, "100"),
        (10**25, str(10**25)),
        (float("inf"), ".inf"),
        (True, "true"),
        (None, "null"),
        ([1, 2.5], "[1, 2.5]"),
    ],
)
def test_set_values_are_written_as_the_command_line_reads_them(value: object, text: str) -> None:
    assert set_value(value) == text


def test_the_command_has_one_order_and_is_shell_quoted() -> None:
    line = reproduce_command(
        "compare", "my file.yaml", 3, 200, {"a.b": 0.5, "c": "x y"}, ["--engine", "all"]
    )
    assert line == (
        "summitry compare 'my file.yaml' --seed 3 --samples 200 --set a.b=0.5 "
        "--set 'c=x y' --engine all"
    )
    assert shlex.split(line)[2] == "my file.yaml"
    assert reproduce_command("forecast", "dprk-2025", 0, 100) == (
        "summitry forecast dprk-2025 --seed 0 --samples 100"
    )
