"""The DEU benchmark (docs/benchmark-deu.md): ``summitry benchmark deu`` on a hand-made
10-issue file, scored against numbers computed here with plain loops; the JSON round
trip; one-line errors; the proposal-clustered bootstrap; the published figures on the
bundled file."""

from __future__ import annotations

import csv
import json
import math
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import summitry as sm
from cli_output import check_fits, header, run
from summitry.backtest import crps_sample
from summitry.benchmark import MODELS, benchmark_deu, forecast_all
from summitry.benchmark.scores import ClusterBootstrap, crps_discrete, discrete_quantile
from summitry.cli import app
from summitry.cli.benchmark import ENGINES
from summitry.data import load_deu, write_issue_scenario

FIXTURE = Path(__file__).parents[1] / "data" / "deu" / "benchmark-10.tsv"
ACTORS = ("com", "ep", "de", "fr", "it", "uk")
"""The fixture's actors. Its dates fall under the EU-15 rule, where Germany, France, Italy
and the United Kingdom (10 votes each) share the largest Shapley-Shubik index, which the
Commission and the Parliament also get under ``largest-member-both``: every actor has the
same capability, so the compromise is sum s x / sum s and the weighted median weighs by
salience alone."""


def _rows() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _valid() -> list[dict[str, str]]:
    return [r for r in _rows() if r["out"] != ""]


def _actors(r: dict[str, str]) -> list[tuple[float, float]]:
    """(position, salience 0-1) of every actor with both."""
    return [
        (float(r["p" + a]), float(r["s" + a]) / 100)
        for a in ACTORS
        if r["p" + a] != "" and r["s" + a] != ""
    ]


def _compromise(r: dict[str, str]) -> float:
    num = den = 0.0
    for x, s in _actors(r):
        num += s * x
        den += s
    return num / den


def _weighted_median(r: dict[str, str]) -> float:
    actors = sorted(_actors(r))
    total = sum(s for _, s in actors)
    below = 0.0
    for x, s in actors:
        below += s
        if below >= total / 2 * (1 - 1e-12):
            return x
    raise AssertionError("unreachable")


def _mean(r: dict[str, str]) -> float:
    xs = [float(r["p" + a]) for a in ACTORS if r["p" + a] != ""]
    return sum(xs) / len(xs)


def _errors(forecast: Callable[[dict[str, str]], float | None]) -> list[float]:
    out = []
    for r in _valid():
        f = forecast(r)
        if f is not None:
            out.append(abs(f - float(r["out"])))
    return out


def _json(*args: str) -> dict[str, Any]:
    result = run("benchmark", "deu", *args, "--json", width=80)
    return json.loads(result.stdout)


def _model(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in data["models"] if m["model"] == name)


BASELINES: dict[str, Callable[[dict[str, str]], float | None]] = {
    "compromise": _compromise,
    "weighted-median": _weighted_median,
    "mean": _mean,
    "reference-point": lambda r: float(r["rp"]) if r["rp"] != "" else None,
    "commission": lambda r: float(r["pcom"]) if r["pcom"] != "" else None,
}


def test_the_fixture_scores_as_plain_loops_compute_them():
    deu = load_deu(FIXTURE, institutions="largest-member-both")
    caps = deu.capabilities[:, [deu.actors.index(a) for a in ACTORS]]
    assert np.all(caps == caps[:, :1]) and np.all(caps > 0)  # the premise of ACTORS' note
    data = _json("--data", str(FIXTURE))
    assert data["issues_read"] == 11 and data["issues_valid"] == 10
    assert data["proposals"] == 5
    # computed by hand from the file: |rp - out| on the 8 issues with a reference point,
    # 50 + 40 + 70 + 5 + 0 + 20 + 0 + 35 = 220
    assert _model(data, "reference-point")["mae"] == pytest.approx(220 / 8, abs=1e-12)
    for name, forecast in BASELINES.items():
        e = _errors(forecast)
        got = _model(data, name)
        assert got["issues"] == len(e), name
        assert got["mae"] == pytest.approx(sum(e) / len(e), abs=1e-9), name
        assert got["rmse"] == pytest.approx(math.sqrt(sum(x * x for x in e) / len(e)), abs=1e-9)
        assert got["median_ae"] == pytest.approx(statistics.median(e), abs=1e-9), name
        assert got["crps"] == got["mae"] and got["distribution"] is False
        assert got["covered_80"] is None
    assert [_model(data, n)["issues"] for n in ("reference-point", "commission", "nbs")] == [
        8,
        9,
        8,
    ]


def test_the_paired_differences_and_breakdowns_follow_the_issues():
    data = _json("--data", str(FIXTURE))
    for name in ("reference-point", "commission", "mean"):
        forecast = BASELINES[name]
        d = [
            abs(f - float(r["out"])) - abs(_compromise(r) - float(r["out"]))
            for r in _valid()
            if (f := forecast(r)) is not None
        ]
        diff = _model(data, name)["diff_vs_compromise"]
        assert diff["issues"] == len(d)
        assert diff["mean"] == pytest.approx(sum(d) / len(d), abs=1e-9)
        assert diff["low"] <= diff["mean"] <= diff["high"]
    by = _model(data, "compromise")["by"]
    for key, column, value in (
        ("procedure", "proc", "COD"),
        ("procedure", "proc", "CNS"),
        ("voting_rule", "counvte", "Unan"),
    ):
        e = [abs(_compromise(r) - float(r["out"])) for r in _valid() if r[column] == value]
        assert by[key][value]["issues"] == len(e)
        assert by[key][value]["mae"] == pytest.approx(sum(e) / len(e), abs=1e-9)
    assert data["counts"] == {
        "procedure": {"COD": 6, "CNS": 4},
        "voting_rule": {"QMV": 8, "Unan": 2},
    }


def test_json_round_trips_the_result_object():
    data = _json("--data", str(FIXTURE), "--seed", "3")
    deu = load_deu(FIXTURE, institutions="largest-member-both")
    expected = benchmark_deu(deu, seed=3).to_dict()
    assert data == json.loads(json.dumps(expected))
    assert [m["model"] for m in data["models"]] == list(MODELS)
    assert data["seed"] == 3 and data["institutions"] == "largest-member-both"
    by_issue = {i["issue"]: i for i in data["issues"]}
    assert by_issue["d00001i1"]["forecasts"]["compromise"] == pytest.approx(
        _compromise(_valid()[0]), abs=1e-12
    )
    assert by_issue["d00001i3"]["forecasts"]["reference-point"] is None
    assert data["bad_rows"] == [
        {
            "line": 11,
            "issue": "n00004i3",
            "class": "missing-outcome",
            "message": "out: no outcome coded",
        }
    ]


def test_the_same_seed_gives_the_same_numbers_and_another_seed_other_resamples():
    deu = load_deu(FIXTURE, institutions="largest-member-both")
    a = benchmark_deu(deu, seed=5).to_dict()
    assert a == benchmark_deu(deu, seed=5).to_dict()
    b = benchmark_deu(deu, seed=6).to_dict()
    assert [m["mae"] for m in a["models"]] == [m["mae"] for m in b["models"]]
    keys = [str(k) for k in deu.select(deu.valid).proposal_codes]
    one, other = (ClusterBootstrap.draw(keys, s, 1000).counts for s in (5, 6))
    assert one.sum() == other.sum() == 1000 * 5 and not np.array_equal(one, other)


def test_engine_selection_keeps_the_compromise_as_yardstick():
    data = _json("--data", str(FIXTURE), "--engine", "smp", "--engine", "reference-point")
    assert [m["model"] for m in data["models"]] == ["compromise", "smp", "reference-point"]
    full = _json("--data", str(FIXTURE))
    assert _model(data, "reference-point") == _model(full, "reference-point")
    assert list(ENGINES) == list(MODELS)


def test_the_table_fits_80_columns_and_shows_the_bad_rows():
    out, _ = check_fits("benchmark", "deu", "--data", str(FIXTURE))
    assert header(out).endswith("Model Issues MAE RMSE MdAE CRPS vs compromise [95%]")
    assert "11 issues read, 10 valid, 1 set aside" in " ".join(out.split())
    assert "missing-outcome" in out
    for label in MODELS.values():
        assert label in out
    assert "yardstick" in out and "COD (6)" in out and "Unan (2)" in out
    assert "holds the outcome on" in out  # the SMP's interval coverage
    narrow = run("benchmark", "deu", "--data", str(FIXTURE), width=72).stdout
    assert "MdAE" not in header(narrow) and "RMSE" in header(narrow)
    assert "Not shown at this width: MdAE" in " ".join(narrow.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "no-such-file.tsv"], "no-such-file.tsv: no such file"),
        (["--engine", "eum", "--engine", "oracle"], "--engine: unknown engine 'oracle'"),
        (["--institutions", "everyone"], "--institutions: unknown option 'everyone'"),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(args, message):
    result = CliRunner().invoke(app, ["benchmark", "deu", *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_a_file_without_a_required_column_or_valid_issue_exits_2(tmp_path):
    no_out = tmp_path / "no-out.tsv"
    text = FIXTURE.read_text(encoding="utf-8").splitlines()
    no_out.write_text("\n".join(line.rsplit("\t", 1)[0] for line in text) + "\n")
    result = CliRunner().invoke(app, ["benchmark", "deu", "--data", str(no_out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"{no_out}: line 1: missing column 'out' (required: isnr or isnrnmc, out, intro, "
        "proc, counvte)"
    )
    empty = tmp_path / "none-valid.tsv"
    empty.write_text(text[0] + "\n" + text[10] + "\n")  # the row without an outcome
    result = CliRunner().invoke(app, ["benchmark", "deu", "--data", str(empty)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{empty}: no valid issue to score (see the bad-row report)"


def test_the_bootstrap_is_the_documented_resampling_of_proposals():
    deu = load_deu(FIXTURE, institutions="largest-member-both")
    ok = deu.select(deu.valid)
    keys = [str(k) for k in ok.proposal_codes]
    values = np.array([float(i) for i in range(len(keys))]) ** 1.5
    boot = ClusterBootstrap.draw(keys, seed=11, resamples=300)
    # the same computation with plain loops: resample r draws K proposals with replacement
    # and takes every issue of each drawn proposal, as often as it was drawn
    order = list(dict.fromkeys(keys))
    draws = np.random.default_rng(11).integers(0, len(order), size=(300, len(order)))
    means = []
    for row in draws:
        pooled = [v for k in row for key, v in zip(keys, values, strict=True) if key == order[k]]
        means.append(sum(pooled) / len(pooled))
    assert boot.means(values) == pytest.approx(means, abs=1e-9)
    assert boot.interval(values) == pytest.approx(tuple(np.percentile(means, [2.5, 97.5])))


def _rewritten(tmp_path: Path, name: str, new_proposals: bool) -> Path:
    """The fixture with every valid issue given a copy (a new issue code): in the same
    proposal, or each copy in a proposal of its own."""
    rows = _rows()
    copies = []
    for k, r in enumerate(r for r in rows if r["out"] != ""):
        c = dict(r, isnr=r["isnr"] + "x", isnrnmc=str(100 + k))
        if new_proposals:
            c["prnr"], c["prnrnmc"] = f"x{k}", str(100 + k)
        copies.append(c)
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows + copies)
    return path


def test_copies_within_a_proposal_leave_the_intervals_alone(tmp_path):
    # Resampling proposals: a copy of every issue inside its own proposal changes no
    # proposal's mean, so no interval moves; the same copies as proposals of their own
    # look like independent evidence and narrow every interval.
    base = benchmark_deu(load_deu(FIXTURE, institutions="largest-member-both"), seed=2)
    same = benchmark_deu(
        load_deu(_rewritten(tmp_path, "same.tsv", False), institutions="largest-member-both"),
        seed=2,
    )
    apart = benchmark_deu(
        load_deu(_rewritten(tmp_path, "apart.tsv", True), institutions="largest-member-both"),
        seed=2,
    )
    assert same.proposals == base.proposals == 5 and apart.proposals == 15
    for a, b, c in zip(base.scores[1:], same.scores[1:], apart.scores[1:], strict=True):
        assert b.issues == 2 * a.issues
        assert b.mae == pytest.approx(a.mae, abs=1e-9)
        for key in ("mean", "low", "high"):
            assert b.diff[key] == pytest.approx(a.diff[key], abs=1e-9), (a.name, key)
        assert c.diff["high"] - c.diff["low"] < a.diff["high"] - a.diff["low"], a.name


def test_eum_and_smp_batches_equal_each_issue_run_as_a_scenario(tmp_path):
    # Grouped and batched, each issue gets what `summitry forecast --point` gives for it
    # when it is written out as a one-issue scenario.
    deu = load_deu(FIXTURE, institutions="largest-member-both")
    ok = deu.select(deu.valid)
    got = forecast_all(ok, ["eum", "eum-scholz-code", "smp"])
    for code in ("d00001i3", "n00002i2", "n00004i2", "d00005i1"):
        i = ok.index(code)
        sc = sm.load(write_issue_scenario(ok, code, tmp_path / f"{code}.yaml"))
        fc = sm.forecast(sc, point=True, engines=("eum", "smp"))
        scholz = sm.forecast(sc, point=True, engines=("eum",), variant="scholz-code")
        assert got["eum"].point[i] == fc.result.median[0, 0, -1], code
        assert got["eum-scholz-code"].point[i] == scholz.result.median[0, 0, -1], code
        assert fc.smp is not None
        assert got["smp"].point[i] == pytest.approx(fc.smp.settlement[0, 0], abs=1e-9), code


def test_the_smp_distribution_is_scored_as_a_distribution():
    deu = load_deu(FIXTURE, institutions="largest-member-both")
    ok = deu.select(deu.valid)
    smp = forecast_all(ok, ["smp"])["smp"]
    assert smp.points is not None and smp.probs is not None
    mean = np.nansum(np.nan_to_num(smp.points) * smp.probs, axis=1)
    assert mean == pytest.approx(smp.point, abs=1e-9)
    score = benchmark_deu(deu, ["smp"]).score("smp")
    assert score.distribution and score.covered is not None and 0 <= score.covered <= 10
    crps = crps_discrete(smp.points, smp.probs, ok.outcomes)
    assert score.crps == pytest.approx(float(np.mean(crps)), abs=1e-12)
    assert np.all(crps <= np.abs(smp.point - ok.outcomes) + 1e-9)  # CRPS <= error of the mean


def test_discrete_crps_and_quantiles_match_the_expanded_sample():
    points = np.array([[10.0, 40.0, np.nan, 70.0]])
    probs = np.array([[0.2, 0.5, 0.0, 0.3]])
    sample = [10.0] * 2 + [40.0] * 5 + [70.0] * 3
    for y in (0.0, 25.0, 40.0, 65.0, 100.0):
        crps = crps_discrete(points, probs, np.array([y]))[0]
        assert crps == pytest.approx(crps_sample(sample, y), abs=1e-12)
    assert discrete_quantile(points, probs, 0.1)[0] == 10.0
    assert discrete_quantile(points, probs, 0.2)[0] == 10.0
    assert discrete_quantile(points, probs, 0.5)[0] == 40.0
    assert discrete_quantile(points, probs, 0.9)[0] == 70.0
    assert crps_discrete(np.array([[30.0]]), np.array([[1.0]]), np.array([42.0]))[0] == 12.0


def test_the_bundled_file_reproduces_the_published_baselines():
    # DEU README figures on the 171 valid issues (docs/benchmark-deu.md, "Results")
    result = benchmark_deu(
        load_deu(institutions="largest-member-both"),
        ["weighted-median", "commission", "reference-point"],
        resamples=200,
    )
    published = {
        "compromise": (171, 23.95),
        "weighted-median": (171, 29.75),
        "commission": (167, 35.93),
        "reference-point": (129, 51.67),
    }
    for name, (issues, mae) in published.items():
        s = result.score(name)
        assert (s.issues, round(s.mae, 2)) == (issues, mae), name
    assert result.proposals == 69


def test_the_procedural_model_keeps_to_every_council_rule(tmp_path):
    # Issues under each Council rule (EU-15, Nice, Lisbon), QMV and unanimity, COD and CNS:
    # the forecast is the compromise clipped to the points whose accepting members win
    # under CouncilRule.wins (the Parliament must accept under codecision), found here by
    # trying every candidate end point.
    from summitry.data import ACTORS, council
    from summitry.engines.compromise import compromise

    rng = np.random.default_rng(4)
    days = ["15-03-98", "10-06-04", "01-12-05", "01-03-10", "01-03-16", "01-06-21"]
    header = ["prnr", "isnr", "proc", "counvte", "intro"]
    header += [f"{k}{a}" for k in "ps" for a in ACTORS] + ["rp", "out"]
    lines = ["\t".join(header)]
    for i in range(72):
        have = rng.random(len(ACTORS)) < 0.85
        cells = [f"x{i}", f"x{i}i1", ("COD", "CNS")[i % 2], ("QMV", "Unan")[i // 2 % 2]]
        cells.append(days[i // 4 % 6])
        for _ in "ps":
            values = rng.integers(0, 101, len(ACTORS))
            cells += [str(int(v)) if h else "" for v, h in zip(values, have, strict=True)]
        cells += [str(int(rng.integers(0, 101))), "50"]
        lines.append("\t".join(cells))
    # Lisbon, QMV: Germany, France and Italy (about 41% of the population) at rp = 0, the
    # other states at 100: only a blocking minority of four states could stop the move,
    # so three cannot; with the United Kingdom also at 0, the four can.
    for against in (("de", "fr", "it"), ("de", "fr", "it", "uk")):
        states = [0 if a in against else 100 for a in ACTORS]
        cells = [f"y{len(against)}", f"y{len(against)}i1", "CNS", "QMV", "01-03-16"]
        cells += [str(v) for v in states] + ["50"] * len(ACTORS) + ["0", "50"]
        lines.append("\t".join(cells))
    path = tmp_path / "rules.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    deu = load_deu(path, institutions="largest-member-both")
    assert deu.valid.all() and {"eu15", "nice-eu25", "lisbon-eu28"} <= set(deu.council_rules)
    got = forecast_all(deu, ["procedural"])["procedural"].point
    rules = {r.name: r for r in council.RULES}
    ep = ACTORS.index("ep")
    for i in range(len(deu)):
        rule = rules[str(deu.council_rules[i])]
        rp = float(deu.reference_points[i])
        x = [
            float(p) if not math.isnan(p) and s > 0 else math.nan
            for p, s in zip(deu.positions[i], deu.saliences[i], strict=True)
        ]

        def accepts(j: int, v: float, x: list[float] = x, rp: float = rp) -> bool:
            return math.isnan(x[j]) or min(rp, 2 * x[j] - rp) <= v <= max(rp, 2 * x[j] - rp)

        def passes(v: float, i: int = i, rule: council.CouncilRule = rule) -> bool:
            yes = frozenset(m for m in rule.members if accepts(ACTORS.index(m), v))
            unanimous = deu.voting_rules[i] == "Unan"
            won = len(yes) == len(rule.members) if unanimous else rule.wins(yes)
            return won and (deu.procedures[i] != "COD" or accepts(ep, v))

        ends = {rp} | {2 * p - rp for p in x if not math.isnan(p)}
        lo = min(v for v in ends if v <= rp and passes(v))
        hi = max(v for v in ends if v >= rp and passes(v))
        c = float(compromise(deu.positions[i], deu.saliences[i], deu.capabilities[i]))
        assert got[i] == pytest.approx(min(max(c, lo), hi), abs=1e-9), (i, rule.name)
    assert got[-2] > 50 and got[-1] == 0.0  # three states cannot block; four can
