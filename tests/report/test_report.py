"""summitry.report: plotly figures, PNGs, the offline HTML report and `summitry report`."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import plotly.io as pio
import pytest
from matplotlib.image import imread
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

import summitry as sm
from browser import MISSING, RUNNABLE, launched
from summitry import sensitivity as sa
from summitry.cli import app
from summitry.defaults import DEFAULT_SCENARIO
from summitry.report import data
from summitry.report.figures import (
    deal_figure,
    drivers_figure,
    options_figure,
    settlement_figure,
)
from summitry.report.html import render_html
from summitry.report.png import DPI, WIDTH, write_pngs
from summitry.scenario import validate

runner = CliRunner()


@pytest.fixture(scope="module")
def fc():
    return sm.forecast(sm.load("dprk-2025"), samples=200, seed=3)


@pytest.fixture(scope="module")
def fc_ec():
    """No bargaining section, so no deal and no options game; every input fixed."""
    return sm.forecast(sm.load("ec-emissions-1994"), samples=40, seed=0)


@pytest.fixture(scope="module")
def morris():
    return sa.analyze(sm.load("dprk-2025"), method="morris", n=4, seed=1)


@pytest.fixture(scope="module")
def sobol():
    return sa.analyze(sm.load("dprk-2025"), method="sobol", n=8, inputs=["actors.dprk.*"])


def by_axis(fig, name):
    """The traces called ``name``, in subplot order (x, x2, x3, ...)."""
    traces = [t for t in fig.data if t.name == name]
    return sorted(traces, key=lambda t: int(t.xaxis[1:] or 1))


# -- figures -------------------------------------------------------------------------------


def test_settlement_figure_shows_each_engine_quantiles_and_reference_points(fc):
    fig = settlement_figure(fc)
    summary = fc.summary()
    assert fig.layout.template == pio.templates["plotly_white"]
    assert "Where will each issue settle?" in fig.layout.title.text
    eum = by_axis(fig, "EUM: median")
    smp = by_axis(fig, "SMP: median")
    bands = by_axis(fig, "EUM: p10-p90")
    quo = by_axis(fig, "status quo")
    initial = by_axis(fig, "initial median (before bargaining)")
    n_issues = len(fc.scenario.issues)  # one panel per issue (six in dprk-2025)
    assert len(eum) == len(smp) == len(bands) == len(initial) == len(summary) == n_issues
    for k, row in enumerate(summary):
        assert eum[k].x[0] == row["final_median"]["p50"]
        assert smp[k].x[0] == row["smp"]["settlement"]["p50"]
        assert list(bands[k].x) == [row["final_median"]["p10"], row["final_median"]["p90"]]
        assert quo[k].x[0] == row["status_quo"]
        assert initial[k].x[0] == row["initial_median"]["p50"]
        axis = fig.layout[f"xaxis{'' if k == 0 else k + 1}"]
        issue = fc.scenario.issues[k]
        assert list(axis.tickvals) == sorted(issue.anchors)
        assert list(axis.range) == pytest.approx([-2, 102])
    first_anchor = fc.scenario.issues[0].anchors[0.0]
    assert fig.layout.xaxis.ticktext[0].startswith(f"<b>0</b><br>{first_anchor.split()[0]}")


def test_density_is_the_histogram_of_the_samples(fc):
    values = fc.settlement()[:, 1]
    d = data.density(values, (0.0, 100.0))
    counts, edges = np.histogram(values, bins=data.DENSITY_BINS, range=(0.0, 100.0))
    assert np.allclose(d.edges, edges)
    assert np.allclose(d.heights, counts / counts.max())
    one = data.density(np.full(10, 7.0), (4.0, 10.0))
    assert one.heights.tolist() == [1.0]
    assert np.mean(one.edges) == pytest.approx(7.0)


def test_settlement_figure_without_smp_has_only_eum_rows(fc_ec):
    only_eum = sm.forecast(fc_ec.scenario, samples=10, engines=("eum",))
    fig = settlement_figure(only_eum)
    assert by_axis(fig, "SMP: median") == [] and list(fig.layout.yaxis.ticktext) == ["EUM"]
    assert by_axis(fig, "EUM: median")[0].x[0] == only_eum.summary()[0]["final_median"]["p50"]
    assert by_axis(fig, "status quo") == []  # the EC case states no status quo
    assert list(settlement_figure(fc_ec).layout.yaxis.ticktext) == ["EUM", "SMP"]


def test_deal_figure_takes_its_numbers_from_the_deal_summary(fc):
    fig = deal_figure(fc)
    deal = fc.deal_summary()
    pi = deal["private_information"]
    bars = next(t for t in fig.data if t.type == "bar")
    # the deal bar is the integrated forecast's P(deal) (docs/integrated.md), never above
    # the zone's; A's own estimate (private information) is shown apart
    assert list(bars.x) == [deal["p_zopa"], fc.integrated.p_deal, pi["p_deal"]]
    assert fc.integrated.p_deal <= deal["p_zopa"]
    n_zopa = int(fc.bargaining.zopa_exists.sum())
    assert f"{n_zopa:,} of {fc.samples:,} samples" in bars.text[0]
    title = fig.layout.title.text.replace("<br>", " ")
    assert f"{n_zopa:,} of {fc.samples:,} samples with a zone" in title
    medians = by_axis(fig, "Nash terms: median")
    offers = by_axis(fig, "offer under private information")
    for k, issue in enumerate(fc.scenario.issue_ids):
        assert medians[k].x[0] == deal["issues"][issue]["terms"]["p50"]
        assert offers[k].x[0] == pi["terms"][issue]
    assert fig.layout.template == pio.templates["plotly_white"]


def test_options_figure_shows_the_shares_of_samples(fc):
    fig = options_figure(fc)
    spe = fc.options_summary()["spe"]
    choice = next(t for t in fig.data if t.name.startswith("subgame-perfect equilibrium"))
    paths = next(t for t in fig.data if t.name.startswith("subgame-perfect path"))
    assert list(choice.x) == list(spe["options"])
    assert list(choice.y) == list(spe["options"].values())
    assert list(paths.y) == list(spe["paths"].values())
    assert sum(paths.y) == pytest.approx(1.0)
    assert "Which strategy pays?" in fig.layout.title.text


def test_sections_absent_from_the_scenario_give_none(fc_ec):
    assert deal_figure(fc_ec) is None
    assert options_figure(fc_ec) is None
    assert data.deal(fc_ec) is None and data.options(fc_ec) is None


def test_drivers_figure_morris_ranks_mu_star_with_intervals(morris):
    fig = drivers_figure(morris, top=5)
    ranked = morris.ranked()[:5]
    (bars,) = fig.data
    assert list(bars.y) == [r["input"] for r in ranked]
    assert list(bars.x) == [r["mu_star"] for r in ranked]
    assert list(bars.error_x.array) == [r["mu_star_conf"] for r in ranked]
    assert list(bars.x) == sorted(bars.x, reverse=True)
    assert morris.output in fig.layout.title.text


def test_drivers_figure_sobol_has_st_and_s1(sobol):
    fig = drivers_figure(sobol)
    st, s1 = fig.data
    ranked = sobol.ranked()
    assert len(st.y) == len(sobol.names) == len(ranked)
    assert list(st.x) == [r["ST"] for r in ranked]
    assert list(s1.x) == [r["S1"] for r in ranked]
    assert list(s1.error_x.array) == [r["S1_conf"] for r in ranked]


# -- HTML ----------------------------------------------------------------------------------


class Tags(HTMLParser):
    """Every start tag with its attributes, and the ids in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(attributes["id"])


def parse(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


@pytest.fixture(scope="module")
def report(fc, morris):
    return render_html(fc, morris)


def test_html_is_self_contained(report):
    tags = parse(report).tags
    scripts = [a for t, a in tags if t == "script"]
    assert scripts and all("src" not in a for a in scripts)
    assert not [a for t, a in tags if t == "link"]
    for _, attrs in tags:
        for key in ("src", "href", "data"):
            value = attrs.get(key) or ""
            assert not value.startswith(("http:", "https:", "//")), (key, value)
    assert report.count(get_plotlyjs()) == 1
    assert report.count("Plotly.newPlot(") == 4


def test_html_has_the_sections_in_order(fc, report):
    ids = parse(report).ids
    order = ["forecast", "answers", "charts", "fig-settlement", "fig-deal", "fig-options"]
    order += ["drivers"]
    order += ["fig-drivers", "inputs", "settings"]
    assert [i for i in ids if i in order] == order
    sc = fc.scenario
    assert report.index(f"<h1>{sc.title}</h1>") < report.index('id="answers"')
    assert report.index("Trump is back in office") < report.index('id="answers"')
    assert sc.date.isoformat() in report


def test_html_leads_with_the_integrated_forecast(fc, report):
    from summitry.integrated.record import headline

    rec = headline(fc)
    first = report.index('id="forecast"')
    assert first < report.index('id="answers"')
    section = report[first : report.index('id="answers"')]
    assert f"P(deal) {rec['p_deal']:.3f} per negotiation window" in section
    assert "with model error" in section and "EU legislation" in section
    for row in rec["issues"]:
        lo, hi = row["intervals"]["80"]
        assert f'<tr data-issue="{row["issue"]}"><td><code>{row["issue"]}</code></td>' in section
        assert f"<td>{row['median']:.1f}</td>" in section
        assert f"{lo:.1f}–{hi:.1f}" in section
    for line in rec["words"]["disagreement"]:
        assert line.replace("'", "&#x27;") in section


def test_html_states_the_forecast_numbers(fc, morris, report):
    for row in fc.summary():
        q = row["final_median"]
        assert f"<b>{q['p50']:.1f}</b>" in report
        assert f"between {q['p10']:.1f} and {q['p90']:.1f}" in report
        assert row["nearest_anchor"]["label"] in report.replace("&#x27;", "'")
    deal = fc.deal_summary()
    pi = deal["private_information"]
    assert f"<b>{deal['p_zopa']:.0%}</b> of samples" in report
    assert f"<b>{pi['p_deal']:.0%}</b> (P(deal) as A estimates it" in report
    assert f"<b>{pi['p_breakdown']:.0%}</b> (P(breakdown))" in report
    options = fc.options_summary()["spe"]["options"]
    best = max(options, key=options.get)
    assert f"is <b>{best}</b>: the subgame-perfect choice in <b>{options[best]:.0%}</b>" in report
    top = morris.ranked()[0]
    assert f"<code>{top['input']}</code>" in report
    assert f"summitry report dprk-2025 --seed 3 --samples {fc.samples}" in report
    assert f"summitry {sm.__version__}" in report


def test_html_lists_every_input_with_its_source(fc, report):
    quantities = fc.scenario.quantities()
    for path, q, _ in quantities:
        assert f'<td class="path">{path}</td><td>{escape(q.describe())}</td>' in report
    assert f"({len(quantities)} in all" in report
    source = fc.scenario.quantity("actors.dprk.capability").source
    assert source.split(";")[0].replace("'", "&#x27;") in report


def test_html_without_sensitivity_says_how_to_get_it(fc, fc_ec):
    page = render_html(fc)
    assert 'id="fig-drivers"' not in page and "summitry sensitivity dprk-2025" in page
    assert "--no-sensitivity" in page
    ec = render_html(fc_ec)
    assert "Every input of this scenario is a fixed value" in ec
    assert 'id="fig-deal"' not in ec and 'id="fig-options"' not in ec
    assert "bargaining: not run" in ec
    assert "--no-sensitivity" not in ec


def hostile_scenario():
    doc = sm.load("ec-emissions-1994").to_data()
    doc["title"] = "Tom & Jerry <i>talks</i>"
    doc["description"] = 'Before. <script>alert("pwned")</script> After.'
    doc["issues"][0]["label"] = "<img src=x onerror=alert(1)>"
    doc["issues"][0]["anchors"] = {4: "<b>four</b>", 7: "seven", 10: "ten $ & $"}
    doc["actors"][0]["capability"]["source"] = "</td></tr></table><script>bad()</script>"
    return validate(doc, "hostile.yaml")


def test_scenario_text_is_escaped():
    sc = hostile_scenario()
    page = render_html(sm.forecast(sc, samples=5, seed=0))
    tags = parse(page).tags
    assert [t for t, _ in tags].count("script") == 1 + page.count("Plotly.newPlot(")
    assert not any(t in ("img", "i") for t, _ in tags)
    assert not any(k.startswith("on") for _, a in tags for k in a)
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "Tom &amp; Jerry &lt;i&gt;talks&lt;/i&gt;" in page
    assert "bad()" not in page.replace("&lt;script&gt;bad()", "")


def test_figures_escape_scenario_text():
    fc = sm.forecast(hostile_scenario(), samples=5, seed=0)
    fig = settlement_figure(fc)
    assert fig.layout.annotations[0].text == "&lt;img src=x onerror=alert(1)&gt;"
    assert any("&lt;b&gt;four&lt;/b&gt;" in t for t in fig.layout.xaxis.ticktext)


def test_same_seed_same_html(fc):
    again = sm.forecast(sm.load("dprk-2025"), samples=200, seed=3)
    assert render_html(fc) == render_html(again)
    assert render_html(fc) != render_html(sm.forecast(sm.load("dprk-2025"), samples=200, seed=4))


# -- PNG -----------------------------------------------------------------------------------


def test_pngs_are_valid_images_of_sensible_size(fc, morris, tmp_path):
    paths = write_pngs(fc, tmp_path / "out", morris)
    assert [p.name for p in paths] == ["settlement.png", "deal.png", "options.png", "drivers.png"]
    for path in paths:
        image = imread(path)
        height, width = image.shape[:2]
        assert width == round(WIDTH * DPI)
        assert 500 <= height <= 4000
        assert image.shape[2] in (3, 4)
        assert image[..., :3].std() > 0.05  # something is drawn


def test_pngs_skip_absent_sections(fc_ec, tmp_path):
    assert [p.name for p in write_pngs(fc_ec, tmp_path)] == ["settlement.png"]


# -- CLI -----------------------------------------------------------------------------------


def invoke(*args: str):
    return runner.invoke(app, ["report", *args])


def test_cli_writes_the_report_and_prints_the_paths(tmp_path):
    out = tmp_path / "r"
    res = invoke("--samples", "60", "--seed", "2", "--out", str(out), "--no-store")
    assert res.exit_code == 0, res.output
    printed = res.stdout.split()
    names = ["report.html", "settlement.png", "deal.png", "options.png", "drivers.png"]
    assert printed == [str(out / n) for n in names]
    assert all(Path(p).stat().st_size > 1000 for p in printed)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert f"summitry report {DEFAULT_SCENARIO} --seed 2 --samples 60" in page
    assert 'id="fig-drivers"' in page and "Morris screening" in page


def test_cli_default_directory_and_no_png(tmp_path):
    res = invoke("ec-emissions-1994", "--samples", "20", "--no-png", "--no-store")
    assert res.exit_code == 0, res.output
    assert res.stdout.split() == [str(Path("report-ec-emissions-1994") / "report.html")]
    assert (tmp_path / "report-ec-emissions-1994" / "report.html").exists()
    assert not list((tmp_path / "report-ec-emissions-1994").glob("*.png"))
    assert "every input of 'ec-emissions-1994' is a fixed value" in res.stderr


def test_cli_set_changes_the_scenario_and_the_reproduce_line(tmp_path):
    args = ["--samples", "60", "--no-png", "--no-sensitivity", "--no-store"]
    res = invoke(*args, "--set", "bargaining.channel=working", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "--set bargaining.channel=working --no-sensitivity" in page
    assert "working channel" in page and "summit channel" not in page


def test_the_reproduce_line_reproduces_the_report(tmp_path):
    import re
    import shlex
    from html import unescape

    change = "actors.dprk.capability={dist: uniform, low: 0.05, high: 0.09}"
    args = ["dprk-2019-hanoi", "--samples", "40", "--seed", "5", "--no-png"]
    res = invoke(
        *args, "--set", change, "--no-sensitivity", "--no-store", "--out", str(tmp_path / "a")
    )
    assert res.exit_code == 0, res.output
    first = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    (command,) = re.findall(r"<pre><code>(.*?)</code></pre>", first)
    words = shlex.split(unescape(command))
    assert words[:2] == ["summitry", "report"] and "--set" in words
    again = invoke(*words[2:], "--out", str(tmp_path / "b"), "--no-png", "--no-store")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "b" / "report.html").read_text(encoding="utf-8") == first


def test_cli_stores_the_run(tmp_path):
    from summitry.store import Store

    db = tmp_path / "runs.duckdb"
    res = invoke("ec-emissions-1994", "--samples", "20", "--no-png", "--db", str(db))
    assert res.exit_code == 0, res.output
    assert "saved as run 1" in res.stderr
    (run,) = Store(db).runs(kind="report")
    assert run.scenario_name == "ec-emissions-1994" and run.samples == 20 and run.seed == 0


def test_a_refused_store_leaves_no_report_directory_behind(tmp_path):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("these are my notes, not a store\n")
    out = tmp_path / "r"
    res = invoke("ec-emissions-1994", "--samples", "20", "--out", str(out), "--db", str(bad))
    assert res.exit_code == 2 and "not a summitry store" in res.output, res.output
    assert not out.exists() and bad.read_text() == "these are my notes, not a store\n"


def test_cli_same_seed_same_files(tmp_path):
    pages = []
    for name in ("a", "b"):
        out = str(tmp_path / name)
        res = invoke("--samples", "50", "--seed", "9", "--out", out, "--no-png", "--no-store")
        assert res.exit_code == 0, res.output
        pages.append((tmp_path / name / "report.html").read_bytes())
    assert pages[0] == pages[1]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("no-such-scenario",), "no-such-scenario"),
        (("--set", "bogus.path=1"), "bogus"),
        (("--set", "actors.dprk.capability=abc"), "actors.dprk.capability"),
        (("--set", "novalue"), "PATH=VALUE"),
        (("--samples", "0"), "--samples"),
        (("--samples", "many"), "--samples"),
        (("--samples", "50000001"), "--samples"),
        (("--seed", "-1"), "--seed"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args, needle, tmp_path):
    res = invoke(*args, "--out", str(tmp_path / "out"), "--no-store")
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stderr
    assert "Traceback" not in res.output


def test_cli_unwritable_out_is_exit_2(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    for out in (blocker, blocker / "sub"):
        res = invoke("ec-emissions-1994", "--samples", "5", "--out", str(out), "--no-store")
        assert res.exit_code == 2, res.output
        assert res.stderr.strip().startswith(f"--out {out}:")
        assert len(res.stderr.strip().splitlines()) == 1


def test_cli_refuses_a_directory_that_holds_files(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    res = invoke("ec-emissions-1994", "--samples", "5", "--out", str(out), "--no-store")
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"--out {out}: already holds files")
    assert "notes.txt" in lines[0] and "--force" in lines[0]
    assert res.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "my notes"


def test_cli_refuses_to_overwrite_a_report_and_force_replaces_it_cleanly(tmp_path):
    out = tmp_path / "r"
    first = invoke("--samples", "40", "--no-sensitivity", "--out", str(out), "--no-store")
    assert first.exit_code == 0, first.output
    pngs = {"settlement.png", "deal.png", "options.png"}
    assert {p.name for p in out.iterdir()} == {"report.html", *pngs}
    (out / "notes.txt").write_text("my notes")
    (out / "chart-i-drew.png").write_bytes(b"not a report file")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    change = ("--set", "bargaining.channel=working", "--no-png", "--no-sensitivity")
    again = invoke("--samples", "40", *change, "--out", str(out), "--no-store")
    assert again.exit_code == 2, again.output
    assert len(again.stderr.strip().splitlines()) == 1 and "--force" in again.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    forced = invoke("--samples", "40", *change, "--out", str(out), "--force", "--no-store")
    assert forced.exit_code == 0, forced.output
    assert forced.stdout.split() == [str(out / "report.html")]
    # the previous report's PNGs are gone, the user's own files are untouched
    assert {p.name for p in out.iterdir()} == {"report.html", "notes.txt", "chart-i-drew.png"}
    assert (out / "chart-i-drew.png").read_bytes() == b"not a report file"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "working channel" in page and page.encode() != before["report.html"]


def test_cli_force_keeps_the_charts_it_writes_again(tmp_path):
    out = tmp_path / "r"
    args = ("ec-emissions-1994", "--samples", "10", "--out", str(out), "--no-store")
    assert invoke(*args).exit_code == 0
    assert {p.name for p in out.iterdir()} == {"report.html", "settlement.png"}
    res = invoke(*args, "--force")
    assert res.exit_code == 0, res.output
    assert {p.name for p in out.iterdir()} == {"report.html", "settlement.png"}
    assert res.stdout.split() == [str(out / "report.html"), str(out / "settlement.png")]


def test_the_readme_report_examples_run_one_after_another(tmp_path):
    """The README's report commands, as written (with fewer samples and no charts), each
    write their own directory: none is refused, none overwrites another."""
    import shlex

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 7.")[1].split("###")[0]
    commands = [
        shlex.split(line.split("#")[0])[3:]
        for line in section.splitlines()
        if line.startswith("$ summitry report")
    ]
    assert len(commands) == 3
    fast = ["--samples", "20", "--no-png", "--no-sensitivity", "--no-store"]
    written = []
    for words in commands:
        res = invoke(*words, *fast)
        assert res.exit_code == 0, (words, res.output)
        written.append(Path(res.stdout.split()[0]).parent)
    assert len(set(written)) == 3
    assert all((tmp_path / d / "report.html").exists() for d in written)


# -- a real browser ------------------------------------------------------------------------


def test_report_renders_in_chromium(tmp_path):
    if not RUNNABLE:
        pytest.skip(MISSING)
    res = invoke("--samples", "80", "--seed", "1", "--out", str(tmp_path), "--no-png", "--no-store")
    assert res.exit_code == 0, res.output
    page_file = tmp_path / "report.html"
    errors: list[str] = []
    requests: list[str] = []
    with launched() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        page.wait_for_function(  # every chart drawn, however slowly (bounded generously)
            "() => { const els = [...document.querySelectorAll('.js-plotly-plot')];"
            " return els.length > 0 && els.every((e) => e.querySelector('.main-svg')); }",
            timeout=120_000,
        )
        ids = page.eval_on_selector_all(".js-plotly-plot", "els => els.map(e => e.id)")
        with_svg = page.eval_on_selector_all(
            ".js-plotly-plot", "els => els.filter(e => e.querySelector('svg')).length"
        )
        points = page.eval_on_selector_all(
            "#fig-settlement .scatterlayer .trace", "els => els.length"
        )
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert errors == []
    assert ids == ["fig-settlement", "fig-deal", "fig-options", "fig-drivers"]
    assert with_svg == 4
    assert points > 0
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
    assert imread(tmp_path / "report.png").shape[0] > 2000
