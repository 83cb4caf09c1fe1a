"""The dashboard's JSON API through FastAPI's TestClient: the real app and the real engines,
with small sample counts."""

from __future__ import annotations

import json
import math
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import summitry as sm
from summitry.cli import app as cli_app
from summitry.defaults import DEFAULT_SCENARIO
from summitry.limits import MAX_SAMPLES
from summitry.scenario import bundled_names, load
from summitry.scenario.catalog import SCENARIO_DIR
from summitry.web import create_app
from summitry.web.models import MAX_WEB_SAMPLES

SAMPLES = 60
BASE_URL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(samples=SAMPLES, seed=0), base_url=BASE_URL) as c:
        yield c  # the application's shutdown stops its worker processes


def post(client: TestClient, **body: Any) -> Any:
    response = client.post("/api/forecast", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def roundtrip(data: Any) -> Any:
    """``data`` as it comes back from JSON (tuples as lists, NaN as None)."""

    def clean(x: Any) -> Any:
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    return json.loads(json.dumps(clean(data)))


# -- listing and inputs ---------------------------------------------------------------------


def test_lists_every_bundled_scenario_with_defaults_and_limits(client: TestClient) -> None:
    data = client.get("/api/scenarios").json()
    assert [s["name"] for s in data["scenarios"]] == bundled_names()
    assert data["default"] == DEFAULT_SCENARIO
    assert data["defaults"] == {"samples": SAMPLES, "seed": 0}
    low, high = data["limits"]["samples"]
    assert low >= 1 and high == MAX_WEB_SAMPLES <= MAX_SAMPLES
    hanoi = next(s for s in data["scenarios"] if s["name"] == "dprk-2019-hanoi")
    assert hanoi["bargaining"] and hanoi["options"] and hanoi["source"] == "bundled"
    ec = next(s for s in data["scenarios"] if s["name"] == "ec-emissions-1994")
    assert not ec["bargaining"] and not ec["options"]


def test_scenario_inputs_cover_every_quantity_once_with_range_and_source(
    client: TestClient,
) -> None:
    data = client.get("/api/scenarios/dprk-2025").json()
    sc = load("dprk-2025")
    shown = {
        item["path"]: (group["id"], item)
        for group in data["groups"]
        for sub in group["subgroups"]
        for item in sub["inputs"]
    }
    quantities = sc.quantities()
    assert len(shown) == len(quantities)
    for path, q, (lo, hi) in quantities:
        group, item = shown[path]
        assert group == path.split(".")[0]
        assert item["central"] == pytest.approx(q.central())
        assert item["min"] == lo
        assert item["max"] == (None if math.isinf(hi) else hi)
        assert item["distribution"] == q.kind and item["describe"] == q.describe()
        assert item["source"] == q.source and item["note"] == q.note
    assert [g["id"] for g in data["groups"]] == ["issues", "actors", "bargaining", "options"]
    actors = next(g for g in data["groups"] if g["id"] == "actors")
    assert [s["label"] for s in actors["subgroups"]] == [a.name for a in sc.actors]
    channel = data["channel"]
    assert channel["value"] == "summit" and channel["b"] == "dprk"
    assert {c["value"]: c["a"] for c in channel["choices"]} == {
        "summit": "usa_president",
        "working": "usa_security",
    }


def test_a_scenario_without_bargaining_has_no_channel(client: TestClient) -> None:
    data = client.get("/api/scenarios/ec-emissions-1994").json()
    assert data["channel"] is None
    groups = [g["id"] for g in data["groups"]]
    assert "bargaining" not in groups and "options" not in groups
    assert groups == list(
        dict.fromkeys(p.split(".")[0] for p, _, _ in load("ec-emissions-1994").quantities())
    )


def test_unknown_scenario_is_404_naming_the_choices(client: TestClient) -> None:
    response = client.get("/api/scenarios/dprk-2030")
    assert response.status_code == 404
    body = response.json()
    assert body["field"] == "scenario" and "dprk-2030" in body["detail"]
    assert "dprk-2025" in body["detail"]


# -- forecasts ----------------------------------------------------------------------------


def test_forecast_is_the_engines_summary_with_figures_and_command(client: TestClient) -> None:
    data = post(client, scenario="dprk-2019-hanoi", samples=SAMPLES, seed=3)
    direct = sm.forecast(load("dprk-2019-hanoi"), SAMPLES, 3)
    assert data["forecast"] == roundtrip(direct.to_dict())
    deal = data["forecast"]["deal"]
    assert 0 <= deal["p_zopa"] <= 1
    assert deal["private_information"]["p_breakdown"] == pytest.approx(
        1 - deal["private_information"]["p_deal"]
    )
    assert data["forecast"]["options_game"]["spe"]["options"]
    for name in ("settlement", "deal", "options"):
        figure = data["figures"][name]
        assert figure["data"], name
        assert figure["layout"]["title"]["text"], name
    assert data["request"] == {
        "scenario": "dprk-2019-hanoi",
        "samples": SAMPLES,
        "seed": 3,
        "channel": "summit",
        "overrides": {},
    }
    assert data["command"] == f"summitry forecast dprk-2019-hanoi --seed 3 --samples {SAMPLES}"


def test_server_defaults_fill_samples_and_seed(client: TestClient) -> None:
    data = post(client, scenario="dprk-2025")
    assert data["request"]["samples"] == SAMPLES and data["request"]["seed"] == 0
    assert data["forecast"]["samples"] == SAMPLES


def test_a_scenario_without_bargaining_has_no_deal_figures(client: TestClient) -> None:
    data = post(client, scenario="ec-emissions-1994", samples=20)
    assert data["forecast"]["deal"] is None and data["forecast"]["options_game"] is None
    assert data["figures"]["deal"] is None and data["figures"]["options"] is None
    assert data["figures"]["settlement"]["data"]
    assert data["request"]["channel"] is None


def test_same_seed_gives_identical_json_and_another_seed_differs() -> None:
    body = {"scenario": "dprk-2025", "samples": 40, "seed": 11}
    first = TestClient(create_app(), base_url=BASE_URL).post("/api/forecast", json=body)
    again = TestClient(create_app(), base_url=BASE_URL).post("/api/forecast", json=body)
    other = TestClient(create_app(), base_url=BASE_URL).post(
        "/api/forecast", json={**body, "seed": 12}
    )
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.content == again.content
    assert first.json()["forecast"]["issues"] != other.json()["forecast"]["issues"]


def test_a_better_dprk_outside_option_shrinks_the_zone_of_agreement(client: TestClient) -> None:
    """Raising the DPRK's no-deal utility removes packages it prefers to no deal
    (docs/models/bargaining.md): P(zone) falls, as the model itself computes it."""
    path = "bargaining.outside_options.b"
    zone = {}
    for value in (0.0, 0.1):
        data = post(client, scenario="dprk-2025", samples=200, overrides={path: value})
        zone[value] = data["forecast"]["deal"]["p_zopa"]
        direct = sm.forecast(load("dprk-2025").with_values({path: value}), 200, 0)
        assert zone[value] == pytest.approx(direct.deal_summary()["p_zopa"])  # type: ignore[index]
        assert data["request"]["overrides"] == {path: value}
    assert zone[0.1] < zone[0.0]


def test_working_channel_changes_who_negotiates_and_the_forecast(client: TestClient) -> None:
    summit = post(client, scenario="dprk-2025", samples=100)
    working = post(client, scenario="dprk-2025", samples=100, channel="working")
    deal = working["forecast"]["deal"]
    assert deal["channel"] == "working" and deal["principals"]["a"] == "usa_security"
    direct = sm.forecast(load("dprk-2025").with_values({"bargaining.channel": "working"}), 100, 0)
    assert working["forecast"]["deal"] == roundtrip(direct.deal_summary())
    assert working["forecast"]["deal"] != summit["forecast"]["deal"]
    assert "--set bargaining.channel=working" in working["command"]
    same = post(client, scenario="dprk-2025", samples=100, channel="summit")
    assert same["command"].startswith("summitry forecast ")  # the scenario's own channel


def test_the_command_line_reproduces_the_dashboards_numbers(client: TestClient) -> None:
    data = post(
        client,
        scenario="dprk-2025",
        samples=50,
        seed=2,
        channel="working",
        overrides={"bargaining.outside_options.b": -0.05, "actors.dprk.capability": 0.02},
    )
    args = shlex.split(data["command"])
    assert args[:3] == ["summitry", "compare", "dprk-2025"]
    result = CliRunner().invoke(cli_app, [*args[1:], "--json", "--all", "--no-store"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)
    rows = {r["output"]: r for r in cli["outputs"]}
    assert rows["bargaining.zopa"]["b"] == pytest.approx(data["forecast"]["deal"]["p_zopa"])
    p50 = data["forecast"]["issues"][0]["final_median"]["p50"]
    assert rows["eum.settlement.denuclearization"]["b"] == pytest.approx(p50)
    assert cli["p_deal"]["b"] == pytest.approx(
        data["forecast"]["deal"]["private_information"]["p_deal"]
    )


# -- validation ---------------------------------------------------------------------------

BAD_REQUESTS = [
    ({"scenario": "dprk-2030"}, "scenario", "unknown scenario 'dprk-2030'"),
    ({"scenario": "/etc/passwd"}, "scenario", "unknown scenario"),
    ({"scenario": str(SCENARIO_DIR / "dprk-2025.yaml")}, "scenario", "unknown scenario"),
    ({"scenario": "../scenarios/dprk-2025"}, "scenario", "unknown scenario"),
    ({}, "scenario", "missing required field 'scenario'"),
    (
        {"scenario": "dprk-2025", "overrides": {"actors.dprk.capabilty": 0.1}},
        "overrides.actors.dprk.capabilty",
        "did you mean 'actors.dprk.capability'",
    ),
    (
        {"scenario": "dprk-2025", "overrides": {"actors.dprk.salience.security": 1.5}},
        "overrides.actors.dprk.salience.security",
        "1.5 is above the legal range [0, 1]",
    ),
    (
        {"scenario": "dprk-2025", "overrides": {"actors.dprk.capability": -0.1}},
        "overrides.actors.dprk.capability",
        "-0.1 is below the legal range [0, no upper limit]",
    ),
    (
        {"scenario": "dprk-2025", "overrides": {"issues.security.status_quo": 101}},
        "overrides.issues.security.status_quo",
        "above the legal range [0, 100]",
    ),
    (
        {"scenario": "dprk-2025", "overrides": {"actors.dprk.capability": "high"}},
        "overrides.actors.dprk.capability",
        "expected a number, got text 'high'",
    ),
    (
        {"scenario": "dprk-2025", "overrides": {"bargaining.channel": 1}},
        "overrides.bargaining.channel",
        "'channel' field",
    ),
    (
        {"scenario": "dprk-2025", "samples": MAX_WEB_SAMPLES + 1},
        "samples",
        f"is above {MAX_WEB_SAMPLES}",
    ),
    ({"scenario": "dprk-2025", "samples": 10**12}, "samples", "is above"),
    ({"scenario": "dprk-2025", "samples": 1}, "samples", "1 is below 2"),
    ({"scenario": "dprk-2025", "samples": 2.5}, "samples", "expected a whole number"),
    ({"scenario": "dprk-2025", "samples": True}, "samples", "expected a whole number"),
    ({"scenario": "dprk-2025", "seed": -1}, "seed", "-1 is below 0"),
    ({"scenario": "dprk-2025", "seed": 2**64}, "seed", ""),
    ({"scenario": "dprk-2025", "channel": "backchannel"}, "channel", "summit, working"),
    ({"scenario": "ec-emissions-1994", "channel": "summit"}, "channel", "no bargaining section"),
    ({"scenario": "dprk-2025", "sample": 100}, "sample", "unknown field"),
]


@pytest.mark.parametrize(("body", "field", "text"), BAD_REQUESTS)
def test_bad_requests_get_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str, text: str
) -> None:
    response = client.post("/api/forecast", json=body)
    assert response.status_code == 422, response.text
    data = response.json()
    assert data["field"] == field
    assert data["detail"].startswith(f"{field}: ") and text in data["detail"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_values_are_refused(client: TestClient, literal: str) -> None:
    raw = '{"scenario": "dprk-2025", "overrides": {"bargaining.credibility.a": LITERAL}}'
    raw = raw.replace("LITERAL", literal)
    response = client.post(
        "/api/forecast", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    data = response.json()
    assert data["field"] == "overrides.bargaining.credibility.a"
    assert "not a finite number" in data["detail"]


def test_a_malformed_body_is_a_clear_422(client: TestClient) -> None:
    response = client.post(
        "/api/forecast", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


# -- which files the server reads ---------------------------------------------------------


def own_scenario(tmp_path: Path) -> Path:
    text = (SCENARIO_DIR / "dprk-2019-hanoi.yaml").read_text()
    path = tmp_path / "my-case.yaml"
    path.write_text(re.sub(r"(?m)^name: .*$", "name: my-case", text, count=1))
    return path


def test_a_scenario_file_is_served_only_when_the_server_starts_with_it(tmp_path: Path) -> None:
    path = own_scenario(tmp_path)
    plain = TestClient(create_app(samples=20), base_url=BASE_URL)
    assert plain.post("/api/forecast", json={"scenario": str(path)}).status_code == 422
    assert plain.post("/api/forecast", json={"scenario": "my-case"}).status_code == 422
    assert plain.get("/api/scenarios/my-case").status_code == 404

    served = TestClient(create_app(path, samples=20), base_url=BASE_URL)
    listing = served.get("/api/scenarios").json()
    assert listing["default"] == "my-case"
    mine = next(s for s in listing["scenarios"] if s["name"] == "my-case")
    assert mine["source"] == "file"
    assert served.get("/api/scenarios/my-case").json()["command_arg"] == str(path)
    data = post(served, scenario="my-case", overrides={"actors.dprk.capability": 0.02})
    assert shlex.split(data["command"])[:3] == ["summitry", "compare", str(path)]
    assert served.post("/api/forecast", json={"scenario": str(path)}).status_code == 422


def test_requests_for_another_host_name_are_refused() -> None:
    """A web page cannot reach the server by pointing a DNS name at 127.0.0.1."""
    guarded = TestClient(create_app(samples=20), base_url="http://attacker.example")
    assert guarded.get("/api/scenarios").status_code == 400
    assert TestClient(create_app(), base_url="http://localhost:8000").get("/").status_code == 200


# -- the page and its assets --------------------------------------------------------------


def test_page_labels_its_controls_and_loads_nothing_from_elsewhere(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    for control in ("scenario", "channel", "samples", "seed", "filter"):
        assert f'<label for="{control}">' in html and f'id="{control}"' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    for asset in re.findall(r"(?:src|href)=\"(/[^\"]+)\"", html):
        assert client.get(asset).status_code == 200, asset


def test_plotly_js_is_the_plotly_packages_own_copy(client: TestClient) -> None:
    from plotly.offline import get_plotlyjs

    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.text == get_plotlyjs()
