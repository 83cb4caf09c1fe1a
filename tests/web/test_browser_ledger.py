"""The ledger sections in a real chromium (Playwright, Debian's /usr/bin/chromium): the
dashboard's section reads a real store's ledger through GET /api/ledger, and the report's
section draws its reliability diagram offline (docs/questions.md)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from pathlib import Path

import pytest

from browser import MISSING, RUNNABLE
from question_scenarios import scenario_text
from summitry.forecast import forecast
from summitry.report.html import render_html
from summitry.scenario import load_text
from summitry.store import Store
from summitry.store import ledger as lg
from summitry.web import create_app

from .server import serving

TIMEOUT_MS = 120_000

if not RUNNABLE:
    pytest.skip(MISSING, allow_module_level=True)

from playwright.sync_api import Browser, expect  # noqa: E402

expect.set_options(timeout=TIMEOUT_MS)

PAIRS = [(0.9, "yes"), (0.2, "no"), (0.6, "no"), (0.3, "yes")]
BRIER = (0.01 + 0.04 + 0.36 + 0.49) / 4


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """A store with four sealed and resolved binary questions."""
    s = Store(tmp_path_factory.mktemp("ledger") / "l.duckdb")
    rows = [
        {
            "entry_kind": "forecast",
            "question": f"fx/q{i}",
            "scenario_name": "fx",
            "question_kind": "binary",
            "text": f"<b>question {i}</b>",  # user text: never shown as HTML
            "probability": p,
            "retrospective": False,
            "package_version": "test",
            "recorded_at": "2026-01-01T00:00:00.000000Z",
        }
        for i, (p, _) in enumerate(PAIRS)
    ]
    lg.append(s, rows)
    for i, (_, outcome) in enumerate(PAIRS):
        lg.resolve(s, f"fx/q{i}", outcome, dt.date(2026, 6, 1))
    return s


def test_dashboard_shows_the_ledger(browser: Browser, store: Store) -> None:
    with serving(create_app(samples=100, ledger_db=store.path)) as url:
        with urllib.request.urlopen(url + "/api/ledger", timeout=60) as response:
            data = json.load(response)
        assert data["count"] == 8 and len(data["entries"]) == 8
        assert data["scores"]["realtime"]["binary"]["brier"] == pytest.approx(BRIER)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url + "/")
        expect(page.locator("#ledger-body tr")).to_have_count(8)
        expect(page.locator("#ledger-summary")).to_contain_text("8 entries")
        expect(page.locator("#ledger-scores")).to_contain_text(f"Brier {BRIER:.3f}")
        svg = page.locator("#chart-reliability.js-plotly-plot svg.main-svg").first
        expect(svg).to_be_visible()
        expect(page.locator("#ledger-body tr").nth(4)).to_contain_text("resolution")
        context.close()
        assert errors == []


def test_dashboard_without_a_store_says_so(browser: Browser, tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    with serving(create_app(samples=100, ledger_db=missing)) as url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "/")
        expect(page.locator("#ledger-summary")).to_contain_text("empty")
        context.close()
    assert not missing.exists()


def test_report_section_draws_offline(browser: Browser, store: Store, tmp_path: Path) -> None:
    sc = load_text(scenario_text(), "qtest.yaml")
    html = render_html(forecast(sc, 100, 0), None, ledger=lg.entries(store))
    assert "fx/q0" in html and "<b>question" not in html
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(offline=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    section = page.locator("#ledger")
    expect(section).to_contain_text("Dated questions and the ledger")
    expect(section.locator("table").first.locator("tbody tr")).to_have_count(5)
    expect(page.locator("#fig-reliability-realtime svg.main-svg").first).to_be_visible()
    context.close()
    assert errors == []
