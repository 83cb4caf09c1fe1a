"""Issue-specific consent on scenarios (docs/models/bargaining.md, "Issue-specific consent"):
the bargaining model and the options game through it, the procedural model, the flag
``compare --without-consent``; without consent every number is as it was, bit for bit.

The scenario tests/forecasting/data/consent-swap.yaml is the engine's hand-solved swap on
0-100 scales (tests/engines/bargaining/test_bargaining_consent.py): A (usa) wants
verification 100 and posture 0, B (dprk) the reverse, weights (3/4, 1/4) and (1/4, 3/4),
no-deal point (0, 0), alpha = 1/2; the ally must consent to the posture with tolerance 40.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from summitry.cli import app
from summitry.engines.bargaining import solve
from summitry.forecast import ALL_ENGINES, forecast
from summitry.forecasting import bargaining as fb
from summitry.forecasting.consent import consent_box, has_consent, without_consent
from summitry.forecasting.procedural import run_procedural
from summitry.sampling import draw
from summitry.scenario import Scenario, load

SWAP = Path(__file__).parent / "data" / "consent-swap.yaml"
CI = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def swap(**values: object) -> Scenario:
    sc = load(SWAP)
    return sc.with_values(values) if values else sc  # type: ignore[arg-type]


def deal(sc: Scenario, samples: int = 8) -> dict[str, object]:
    summary = forecast(sc, samples, seed=3, engines=("bargaining",)).deal_summary()
    assert summary is not None
    return summary


def test_the_ally_caps_the_posture_and_the_us_pays_on_verification() -> None:
    """Without consent the Nash terms are (100, 100); the ally's interval on posture is
    |x - 0| <= |0 - 0| + 40, i.e. [0, 40], so the terms move to its edge, 40, and A gives
    back a third of verification: (200/3, 40), surpluses (0.4, 0.4/3)."""
    with_ally = forecast(swap(), 8, seed=3, engines=("bargaining",))
    sol = with_ally.bargaining
    assert sol is not None and sol.zopa_exists.all()
    terms = fb.to_scale(with_ally.scenario, sol.z)
    np.testing.assert_allclose(terms, [[200.0 / 3.0, 40.0]] * 8, atol=1e-9)
    np.testing.assert_allclose(sol.surplus_a, 0.4, atol=1e-12)
    free = forecast(without_consent(swap()), 8, seed=3, engines=("bargaining",)).bargaining
    assert free is not None
    np.testing.assert_allclose(fb.to_scale(with_ally.scenario, free.z), [[100.0, 100.0]] * 8)
    assert deal(swap())["consent"] == {"posture": ["ally"]}
    assert deal(without_consent(swap()))["consent"] == {}


def test_the_ally_can_leave_no_zone_and_no_deal_for_the_options_game() -> None:
    """With o_B = 0.1 (d_B = 0.35) and the ally's tolerance 10, B's best package in the box,
    (0, 10), gives s_B = 0.075 - 0.1 < 0: no zone, P(deal) = 0, and the options game's p is
    0; without the ally the principals agree (P(zone) = 1)."""
    blocked = swap(
        **{"bargaining.outside_options.b": 0.1, "issues.posture.consent.ally.tolerance": 10}
    )
    fc = forecast(blocked, 8, seed=3, engines=("bargaining",))
    summary = fc.deal_summary()
    assert summary is not None
    assert summary["p_zopa"] == 0.0
    assert summary["private_information"] == {  # type: ignore[index]
        "offer": False,
        "p_deal": 0.0,
        "p_breakdown": 1.0,
        "terms": None,
    }
    assert fc.options_p_deal == 0.0
    game = fc.options_game
    assert game is not None
    free = forecast(without_consent(blocked), 8, seed=3, engines=("bargaining",))
    assert free.deal_summary()["p_zopa"] == 1.0  # type: ignore[index]
    assert free.options_p_deal == 1.0


def test_the_procedural_model_projects_onto_the_consent_box() -> None:
    """With usa's posture at 60 the veto players (the principals) accept posture in [0, 120]
    and the compromise is (0.25 * 60 + 0.75 * 100 + 0.5 * 0) / 1.5 = 60; the ally's box
    [0, 40] brings the settlement to 40 (and to 0, the status quo, at tolerance 0)."""
    sc = swap(**{"actors.usa.positions.posture": 60})
    d = draw(sc, 4, seed=1)
    k = sc.issue_ids.index("posture")
    assert (run_procedural(without_consent(sc), d).settlement[:, k] == 60.0).all()
    assert (run_procedural(sc, d).settlement[:, k] == 40.0).all()
    frozen = sc.with_values({"issues.posture.consent.ally.tolerance": 0})
    assert (run_procedural(frozen, draw(frozen, 4, seed=1)).settlement[:, k] == 0.0).all()


def random_consent(sc: Scenario, ideal: float | None, data: st.DataObject) -> Scenario:
    """``sc`` with an uncertain ally position and tolerance on posture and, drawn by
    ``data``, a bargaining ideal that replaces the position (when ``ideal`` is given)."""
    values: dict[str, object] = {
        "actors.ally.positions.posture": {"dist": "uniform", "low": 0, "high": 100},
        "issues.posture.consent.ally.tolerance": {"dist": "uniform", "low": 0, "high": 30},
        "issues.posture.status_quo": data.draw(st.floats(0, 100), label="status quo"),
    }
    if ideal is not None:
        values["bargaining.ideals.ally.posture"] = ideal
    return sc.with_values(values)  # type: ignore[arg-type]


@given(
    ideal=st.one_of(st.none(), st.floats(0, 100)),
    o_b=st.floats(-0.3, 0.1),
    data=st.data(),
)
@CI
def test_terms_lie_inside_every_consenters_interval(
    ideal: float | None, o_b: float, data: st.DataObject
) -> None:
    """Per sample, each consenter's own condition |x - p_c| <= |q - p_c| + tol_c holds for
    the deal terms (p_c its bargaining ideal if set, else its position); the usa consents
    on verification too."""
    sc = random_consent(swap(**{"bargaining.outside_options.b": o_b}), ideal, data)
    sc = sc.with_values({"issues.verification.consent.usa.tolerance": 5})
    d = draw(sc, 64, seed=data.draw(st.integers(0, 2**32), label="seed"))
    sol = fb.solve_draws(sc, d)
    terms = fb.to_scale(sc, sol.z)
    for i in np.flatnonzero(sol.zopa_exists):
        for k, issue in enumerate(sc.issues):
            q = float(d.status_quo[i, k])
            for entry in issue.consent or []:
                key = f"bargaining.ideals.{entry.actor}.{issue.id}"
                j = sc.actor_ids.index(entry.actor)
                p = float(d.extra[key][i]) if key in d.extra else float(d.position[i, j, k])
                tol = float(d.extra[f"issues.{issue.id}.consent.{entry.actor}.tolerance"][i])
                assert abs(terms[i, k] - p) <= abs(q - p) + tol + 1e-9


@given(sq=st.floats(0, 100), o_b=st.floats(-0.3, 0.0), seed=st.integers(0, 2**32))
@CI
def test_a_consenter_at_the_no_deal_point_with_no_tolerance_freezes_the_issue(
    sq: float, o_b: float, seed: int
) -> None:
    """The ally's position equal to the status quo and tolerance 0: its interval is the
    status quo alone, so every deal leaves posture exactly at the no-deal point."""
    sc = swap(
        **{
            "issues.posture.status_quo": sq,
            "actors.ally.positions.posture": sq,
            "issues.posture.consent.ally.tolerance": 0,
            "bargaining.outside_options.b": o_b,
        }
    )
    d = draw(sc, 16, seed)
    p = fb.build_problem(sc, d)
    sol = solve(p)
    k = sc.issue_ids.index("posture")
    ok = sol.zopa_exists
    assert ok.any()  # an eager B (o_B <= 0) still has a zone on verification
    assert (sol.z[ok, k] == p.z0[ok, k]).all()
    lo, hi = consent_box(sc, d)  # type: ignore[misc]
    assert (lo[:, k] == sq).all() and (hi[:, k] == sq).all()


def test_consent_that_allows_the_whole_scale_changes_no_number() -> None:
    """dprk-2025 with consenters whose tolerance covers the whole scale: every output of
    every engine is bit-identical to the scenario without them (the tolerances are drawn
    last, so no other draw moves, and a box equal to the scale is no constraint)."""
    base = load("dprk-2025")
    base = without_consent(base) if has_consent(base) else base
    loose = base.with_values(
        {
            "issues.security.consent.rok.tolerance": 1000,
            "issues.sanctions_relief.consent.usa_security.tolerance": 500,
        }
    )
    assert has_consent(loose) and not has_consent(base)
    a = forecast(base, 40, seed=5, engines=ALL_ENGINES, chunk=16)
    b = forecast(loose, 40, seed=5, engines=ALL_ENGINES, chunk=16)
    out_a, out_b = a.outputs(), b.outputs()
    assert list(out_a) == list(out_b)
    for key, value in out_a.items():
        assert value.tobytes() == out_b[key].tobytes(), key
    summary_a, summary_b = a.deal_summary(), b.deal_summary()
    assert summary_a is not None and summary_b is not None
    assert summary_b.pop("consent") == {"security": ["rok"], "sanctions_relief": ["usa_security"]}
    assert summary_a.pop("consent") == {} and summary_a == summary_b


def test_adding_or_removing_consent_moves_no_other_draw() -> None:
    """The tolerances draw from a stream of their own (summitry.sampling): the scenario
    with consenters, without them, and with an input appended by --set share every other
    draw, and compare treats each pair as sample-paired."""
    from summitry.compare import paired

    base = load("dprk-2025")
    base = without_consent(base) if has_consent(base) else base
    # an input listed after the tolerances in Scenario.quantities(), drawn from a range
    china = {"dist": "uniform", "low": 0.1, "high": 0.3}
    base = base.with_values({"actors.china.capability_by_issue.sanctions_relief": china})
    tol = {"dist": "uniform", "low": 0, "high": 20}
    ruled = base.with_values(
        {
            "issues.security.consent.rok.tolerance": tol,
            "issues.sanctions_relief.consent.usa_security.tolerance": tol,
        }
    )
    more = ruled.with_values({"actors.russia.capability_by_issue.denuclearization": 0.2})
    assert [p for p, _, _ in without_consent(ruled).quantities()] == [
        p for p, _, _ in base.quantities()
    ]
    a, b, c = draw(base, 300, 5), draw(ruled, 300, 5), draw(more, 300, 5)
    for name in ("capability", "position", "salience", "status_quo", "engine_seeds"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
        assert np.array_equal(getattr(b, name), getattr(c, name), equal_nan=True), name
    for key in a.extra:
        assert np.array_equal(a.extra[key], b.extra[key]), key
    for key in b.extra:
        assert np.array_equal(b.extra[key], c.extra[key]), key
    rok = b.extra["issues.security.consent.rok.tolerance"]
    assert 0 <= rok.min() < 2 and 18 < rok.max() <= 20  # really drawn, not a constant
    runs = [forecast(sc, 40, 5, engines=("eum",)) for sc in (base, ruled, more)]
    assert paired(runs[0], runs[1]) and paired(runs[1], runs[2])
    bare = without_consent(ruled)
    assert not has_consent(bare) and bare.source_file == ruled.source_file
    assert consent_box(bare, draw(bare, 2, seed=0)) is None


def test_compare_without_consent_shows_what_the_ally_changes() -> None:
    result = CliRunner().invoke(
        app,
        ["compare", str(SWAP), "--without-consent", "--samples", "20", "--no-store", "--json"],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["b"]["without_consent"] is True
    rows = {r["output"]: r for r in data["outputs"]}
    posture = rows["bargaining.terms.posture"]
    assert posture["a"] == pytest.approx(40.0) and posture["b"] == pytest.approx(100.0)


def test_compare_without_consent_on_a_scenario_without_consent_is_one_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "plain.yaml"
    text = SWAP.read_text()
    path.write_text(text[: text.index("    consent:")] + text[text.index("actors:") :])
    result = CliRunner().invoke(
        app, ["compare", str(path), "--without-consent", "--samples", "5", "--no-store"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "--without-consent: scenario 'consent-swap' names no consenter (issues[].consent)"
    ]
