"""Hostile requests and scenario text against the dashboard (docs/web.md, docs/limits.md):
a malformed JSON body is named by line and column; a 90 MB body gets 413 from a real
uvicorn without being held in memory; a too-big forecast is refused before a worker
allocates; the page shows scenario text literally (never as HTML)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from fastapi.testclient import TestClient

from browser import MISSING, RUNNABLE, launched
from summitry.web import create_app
from summitry.web.limits import MAX_BODY_BYTES
from web.server import serving

from .corpus import HOSTILE, big_scenario, hostile_scenario

BASE_URL = "http://127.0.0.1"
WAIT = 300.0
"""Seconds an HTTP exchange may take: generous, only a broken server takes this long."""
HUGE = 90 * 10**6
"""The body size of the issue's probe (90 MB)."""
HELD = 40 * 2**20
"""How much the test process (server and client) may grow while a 90 MB body is refused:
far less than the body, so the body was never held whole."""


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(samples=20), base_url=BASE_URL)


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b"{not json", "line 1, column 2"),
        (b'{"scenario": "dprk-2025",\n "overrides": {"x": 1,}}', "line 2, column 23"),
        (b'{\n\n  "scenario": "dprk-2025"\n  "seed": 1}', "line 4, column 3"),
        ('{"scenario": "é",\n\n  x}'.encode(), "line 3, column 3"),
    ],
)
def test_a_malformed_json_body_is_named_by_line_and_column(
    client: TestClient, raw: bytes, where: str
) -> None:
    response = client.post(
        "/api/forecast", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    data = response.json()
    assert data["field"] == ""
    assert data["detail"].startswith(f"the request body is not valid JSON ({where}): ")


HEAD, TAIL = b'{"scenario": "dprk-2025", "pad": "', b'"}'


def _chunks(total: int, size: int = 1 << 20) -> Iterator[bytes]:
    """A JSON body of ``len(HEAD) + total + len(TAIL)`` bytes, made as it is sent."""
    yield HEAD
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        yield b"x" * part
        sent += part
    yield TAIL


def _rss() -> int:
    return int(psutil.Process(os.getpid()).memory_info().rss)


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_90_mb_body_gets_413_without_being_held(framing: str) -> None:
    with serving(create_app(samples=20)) as url:
        before = _rss()
        headers = {"Content-Type": "application/json"}
        if framing == "content-length":
            headers["Content-Length"] = str(len(HEAD) + HUGE + len(TAIL))
        # httpcore reads the server's early answer even when the server closes while the
        # body is still being sent (a write error is not the end of the exchange)
        response = httpx.post(
            url + "/api/forecast", content=_chunks(HUGE), headers=headers, timeout=WAIT
        )
        grown = _rss() - before
    assert response.status_code == 413
    assert response.json()["detail"] == (
        f"the request body is larger than the limit of {MAX_BODY_BYTES:,} bytes"
    )
    assert grown < HELD, grown


def test_a_forecast_too_big_for_memory_is_refused_before_a_worker_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMITRY_MEMORY_LIMIT", "1GB")
    path = big_scenario(tmp_path, 400)
    app_ = create_app(path, samples=20)
    response = TestClient(app_, base_url=BASE_URL).post("/api/forecast", json={"scenario": "big"})
    assert response.status_code == 422
    data = response.json()
    assert data["field"] == "samples", data
    assert "needs about" in data["detail"] and "above the limit of 1.0 GB" in data["detail"]


def test_the_api_returns_scenario_text_exactly(tmp_path: Path) -> None:
    path = hostile_scenario(tmp_path)
    api = TestClient(create_app(path, samples=20), base_url=BASE_URL)
    listed = api.get("/api/scenarios").json()["scenarios"]
    assert any(s["title"] == HOSTILE for s in listed)
    assert json.loads(api.get("/api/scenarios").text)  # valid JSON, escapes and all


# -- the page, in a real browser ---------------------------------------------------------

INJECTION = '<img src=x onerror="window.__pwned = 1"> [bold]x[/bold] :x: \x1b[2J'


@pytest.mark.skipif(not RUNNABLE, reason=MISSING)
def test_the_page_shows_scenario_text_literally(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    path = hostile_scenario(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        json.dumps(HOSTILE), json.dumps(HOSTILE + INJECTION), 1
    )
    path.write_text(text, encoding="utf-8")
    with serving(create_app(path, samples=20)) as url, launched() as browser:
        page = browser.new_page()
        page.goto(url + "/")
        title = page.locator("#scenario-title")
        expect(title).to_contain_text("Border [/] talks [/bold]", timeout=WAIT * 1000)
        assert title.text_content() == HOSTILE + INJECTION
        assert page.locator("#scenario-title *").count() == 0  # no element made of it
        assert page.evaluate("window.__pwned") is None
