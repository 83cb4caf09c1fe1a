"""The dashboard page in Debian's chromium, driven by Playwright, against the real server
(uvicorn on a free 127.0.0.1 port in a thread).

Without /usr/bin/chromium these tests fail when the environment variable CI is set and are
skipped otherwise. Playwright's own browser download is never used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import summitry as sm
from browser import MISSING, RUNNABLE
from summitry.scenario import load
from summitry.web import create_app

from .server import serving

SAMPLES = 100
TIMEOUT_MS = 120_000
"""How long an expectation may wait for the page (generous: only a broken page takes this
long, however loaded the machine)."""


if not RUNNABLE:
    pytest.skip(MISSING, allow_module_level=True)

from playwright.sync_api import Browser, ConsoleMessage, Page, expect  # noqa: E402

expect.set_options(timeout=TIMEOUT_MS)  # every expectation, not only those given a timeout


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The dashboard served by uvicorn on a free port; its base URL."""
    # dprk-2025, not the default: a scenario whose deal answers the channel and the edits
    with serving(create_app("dprk-2025", samples=SAMPLES)) as url:
        yield url


class Console:
    """The page's console errors and uncaught exceptions."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", self._message)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _message(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            self.errors.append(msg.text)


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[tuple[Page, Console]]:
    """The dashboard, loaded with its first forecast drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    console = Console(pg)
    pg.goto(server + "/")
    expect(pg.locator("#status")).to_contain_text("answered", timeout=TIMEOUT_MS)
    yield pg, console
    context.close()


def deal_text(scenario: str, values: dict[str, Any], key: str) -> str:
    """P(zone) (``key="p_zopa"``) or P(deal) (``"p_deal"``, the integrated forecast's:
    docs/integrated.md) as the page prints it, computed by the engines directly."""
    fc = sm.forecast(load(scenario).with_values(values) if values else load(scenario), SAMPLES, 0)
    deal = fc.deal_summary()
    assert deal is not None
    x = deal["p_zopa"] if key == "p_zopa" else fc.integrated.p_deal
    assert x is not None
    return f"{x:.3f}"


def test_page_loads_draws_every_chart_and_logs_no_errors(page: tuple[Page, Console]) -> None:
    pg, console = page
    for chart in ("settlement", "deal", "options"):
        svg = pg.locator(f"#chart-{chart}.js-plotly-plot svg.main-svg").first
        expect(svg).to_be_visible()
    expect(pg.locator("#p-deal")).to_have_text(deal_text("dprk-2025", {}, "p_deal"))
    expect(pg.locator("#p-zone")).to_have_text(deal_text("dprk-2025", {}, "p_zopa"))
    expect(pg.locator("#issues-body tr")).to_have_count(len(load("dprk-2025").issues))
    expect(pg.locator("#command")).to_have_text(
        f"summitry forecast dprk-2025 --seed 0 --samples {SAMPLES}"
    )
    expect(pg.locator("#error")).to_be_hidden()
    assert console.errors == []


RESIZE_CHARTS = """() => Promise.all(
    [...document.querySelectorAll('.js-plotly-plot')].map((gd) => Plotly.Plots.resize(gd)))"""


def test_charts_keep_their_height_when_the_window_resizes(page: tuple[Page, Console]) -> None:
    pg, _ = page
    for height in (4000, 1000, 4000):
        pg.set_viewport_size({"width": 1400, "height": height})
        # the resize plotly's responsive charts do on a window resize, run now and awaited
        # (rather than waiting a fixed delay for plotly's own debounced one)
        pg.evaluate(RESIZE_CHARTS)
    for chart in ("settlement", "deal", "options"):
        svg = pg.locator(f"#chart-{chart} svg.main-svg").first.bounding_box()
        assert svg is not None and svg["height"] > 300, chart


def test_changing_the_channel_updates_p_deal_and_the_command(page: tuple[Page, Console]) -> None:
    pg, console = page
    before = pg.locator("#p-deal").inner_text()
    pg.get_by_label("Bargaining channel").select_option("working")
    expected = deal_text("dprk-2025", {"bargaining.channel": "working"}, "p_deal")
    assert expected != before
    expect(pg.locator("#p-deal")).to_have_text(expected, timeout=TIMEOUT_MS)
    expect(pg.locator("#command")).to_contain_text("--set bargaining.channel=working")
    assert "channel=working" in pg.url
    assert console.errors == []


def test_editing_a_key_number_updates_the_headline(page: tuple[Page, Console]) -> None:
    pg, console = page
    path = "bargaining.outside_options.b"
    before = pg.locator("#p-zone").inner_text()
    pg.get_by_label("Filter inputs by path").fill("outside_options")
    box = pg.get_by_label(path, exact=True)
    expect(box).to_have_value(f"{load('dprk-2025').quantity(path).central():g}")
    box.fill("0")
    expected = deal_text("dprk-2025", {path: 0.0}, "p_zopa")
    assert expected != before
    expect(pg.locator("#p-zone")).to_have_text(expected, timeout=TIMEOUT_MS)
    expect(pg.locator("#p-deal")).to_have_text(deal_text("dprk-2025", {path: 0.0}, "p_deal"))
    expect(pg.locator("#command")).to_contain_text(
        f"summitry compare dprk-2025 --seed 0 --samples {SAMPLES} --set {path}=0"
    )
    assert console.errors == []


def test_an_invalid_entry_shows_the_error_and_reset_restores(page: tuple[Page, Console]) -> None:
    pg, _ = page
    start_deal = pg.locator("#p-deal").inner_text()
    start_command = pg.locator("#command").inner_text()
    pg.get_by_label("Filter inputs by path").fill("dprk.salience.security")
    box = pg.get_by_label("actors.dprk.salience.security", exact=True)
    central = box.input_value()
    box.fill("1.5")
    error = pg.locator("#error")
    expect(error).to_be_visible(timeout=TIMEOUT_MS)
    expect(error).to_contain_text("overrides.actors.dprk.salience.security")
    expect(error).to_contain_text("1.5 is above the legal range [0, 1]")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(pg.locator("#results")).to_have_class("stale")
    expect(pg.locator("#command")).to_have_text(start_command)  # the last good forecast

    pg.get_by_label("Bargaining channel").select_option("working")
    pg.get_by_role("button", name="Reset", exact=True).click()
    expect(error).to_be_hidden(timeout=TIMEOUT_MS)
    expect(box).to_have_value(central)
    expect(pg.get_by_label("Bargaining channel")).to_have_value("summit")
    expect(pg.locator("#p-deal")).to_have_text(start_deal, timeout=TIMEOUT_MS)
    expect(pg.locator("#command")).to_have_text(start_command)


def test_the_integrated_forecast_leads_the_results(page: tuple[Page, Console]) -> None:
    """The headline section (docs/integrated.md) comes before the per-engine table and
    shows the integrated record's numbers and sentences."""
    from summitry.integrated.record import headline

    pg, console = page
    rec = headline(sm.forecast(load("dprk-2025"), SAMPLES, 0))
    section = pg.locator("#integrated")
    expect(section).to_be_visible()
    order = pg.evaluate(
        "() => !!(document.getElementById('integrated').compareDocumentPosition("
        "document.getElementById('issues-table')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    assert order
    expect(pg.locator("#integrated-p-deal")).to_have_text(rec["words"]["p_deal"])
    rows = pg.locator("#integrated-body tr")
    expect(rows).to_have_count(len(rec["issues"]))
    for row in rec["issues"]:
        cells = pg.locator(f'#integrated-body tr[data-issue="{row["issue"]}"] td')
        lo, hi = row["with_model_error"]["intervals"]["80"]
        expect(cells.nth(0)).to_have_text(f"{row['median']:.1f}")
        expect(cells.nth(3)).to_have_text(f"{lo:.1f}\u2013{hi:.1f}")
    for line in rec["words"]["disagreement"]:
        expect(pg.locator("#integrated-words")).to_contain_text(line)
    assert console.errors == []


def test_a_scenario_without_bargaining_shows_no_deal(page: tuple[Page, Console]) -> None:
    pg, console = page
    pg.get_by_label("Scenario").select_option("ec-emissions-1994")
    expect(pg.locator("#p-deal")).to_have_text("n/a", timeout=TIMEOUT_MS)
    expect(pg.get_by_label("Bargaining channel")).to_be_disabled()
    expect(pg.locator("#chart-deal")).to_be_hidden()
    expect(pg.locator("#chart-settlement svg.main-svg").first).to_be_visible()
    expect(pg.locator("#command")).to_contain_text("summitry forecast ec-emissions-1994")
    assert console.errors == []
