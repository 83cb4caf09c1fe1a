"""The dashboard's API runs the engines the request asks for: ``engine`` ``default`` (the
registry's default set) or ``all`` (adds the compromise model), through the real app."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from summitry.cli import app as cli_app
from summitry.forecasting import registry
from summitry.web import create_app

SAMPLES = 40


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(samples=SAMPLES, seed=0), base_url="http://127.0.0.1") as c:
        yield c


def test_engine_all_adds_the_compromise_model_and_its_command_reproduces_it(client):
    default = client.post("/api/forecast", json={"scenario": "dprk-2025"}).json()
    assert default["forecast"]["engines"] == list(registry.DEFAULT)
    assert "compromise" not in default["forecast"] and "--engine" not in default["command"]
    data = client.post("/api/forecast", json={"scenario": "dprk-2025", "engine": "all"}).json()
    assert data["forecast"]["engines"] == list(registry.NAMES)
    assert data["request"]["engine"] == "all" and data["command"].endswith("--engine all")
    args = [*shlex.split(data["command"])[1:], "--json", "--no-store"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["compromise"] == data["forecast"]["compromise"]
    assert data["forecast"]["issues"] == default["forecast"]["issues"]  # the rest unchanged


def test_an_unknown_engine_is_a_4xx_naming_the_field(client):
    response = client.post("/api/forecast", json={"scenario": "dprk-2025", "engine": "ktab"})
    assert 400 <= response.status_code < 500
    assert "engine" in response.text
