"""The vectorised EUM engine (summitry.engines.eum): agreement with the plain-loop
reference (summitry.engines.eum.reference) on every output, published EC checks, and
invariants of the model (docs/models/eum.md).

CI runs a modest, derandomised number of hypothesis examples; ``pytest -m campaign`` runs
thousands of random option combinations against the reference.
"""

from __future__ import annotations

import tracemalloc
from dataclasses import fields
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summitry.engines.eum import PRESETS, EUMOptions, EUMResult, resolve_options, simulate
from summitry.engines.eum import model as eum
from summitry.engines.eum import reference as ref

CI = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
INVARIANTS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CAMPAIGN = settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))

OUTPUTS = ("positions", "median", "mean", "counts", "risk", "rounds_run", "cycled")

# EC car-emission standards (BDM 1994 p. 78; Scholz, Calbert & Smith 2011 Table 1)
EC_C = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
EC_X = np.array([4.0, 7.0, 4.0, 4.0, 10.0, 10.0, 10.0, 7.0, 4.0, 7.0])
EC_S = np.array([80, 40, 20, 80, 60, 60, 90, 10, 100, 70]) / 100.0

# One alternative value per option field: every single flip from the default is checked.
FLIPS: dict[str, Any] = {
    "votes": "risk",
    "probability": "all-pairs",
    "median_rule": "king-of-hill",
    "mu": "mean",
    "ranking": "type",
    "conflict": "stochastic",
    "compromise": "weighted",
    "resolution": "scholz-code",
    "proposer": "sender",
    "q": 0.5,
    "t": 0.5,
    "rounds": 3,
    "tol": 0.02,
}
VARIANTS: dict[str, EUMOptions] = {f"preset {name}": opt for name, opt in PRESETS.items()}
VARIANTS.update({f"{k}={v}": EUMOptions().with_overrides(**{k: v}) for k, v in FLIPS.items()})
VARIANTS.update(  # flips that only act together with another one
    {
        "q=0,t=0,mu=mean": EUMOptions(q=0.0, t=0.0, mu="mean"),
        "q=0.5,king-of-hill": EUMOptions(q=0.5, t=0.7, median_rule="king-of-hill"),
        "scholz-code,stochastic": resolve_options("scholz-code", conflict="stochastic"),
        "type,stochastic,weighted": EUMOptions(
            ranking="type", conflict="stochastic", compromise="weighted"
        ),
        "scholz-code,sender": resolve_options("scholz-code", proposer="sender"),
        "scholz-code,sender,stochastic": resolve_options(
            "scholz-code", proposer="sender", conflict="stochastic"
        ),
        "sender,stochastic,q=0.5,mu=mean": EUMOptions(
            proposer="sender", conflict="stochastic", q=0.5, t=0.3, mu="mean"
        ),
    }
)


# --------------------------------------------------------------------------- strategies


@st.composite
def batches(
    draw: st.DrawFn, min_n: int = 1, max_n: int = 9, max_b: int = 3, integer: bool | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(capability, position, salience), each (B, n), on realistic scales.

    Weights are 0 or at least 1e-6 and generic positions multiples of 1e-6 (no subnormal
    numbers); integer positions in [-4, 4] create coincident actors and symmetric ties.
    Sometimes every capability of a row is 0.
    """
    n = draw(st.integers(min_n, max_n))
    b = draw(st.integers(1, max_b))
    if integer is None:
        integer = draw(st.booleans())
    unit = st.one_of(st.just(0.0), st.floats(1e-6, 1.0))
    if integer:
        pos = st.integers(-4, 4).map(float)
    else:
        pos = st.floats(-1e3, 1e3).map(lambda v: round(v, 6))
    c = np.array(draw(st.lists(st.lists(unit, min_size=n, max_size=n), min_size=b, max_size=b)))
    x = np.array(draw(st.lists(st.lists(pos, min_size=n, max_size=n), min_size=b, max_size=b)))
    s = np.array(draw(st.lists(st.lists(unit, min_size=n, max_size=n), min_size=b, max_size=b)))
    if draw(st.booleans()) and draw(st.booleans()):
        c[0] = 0.0
    return c, x, s


@st.composite
def any_options(draw: st.DrawFn) -> EUMOptions:
    """Any combination of the modelling options."""
    return EUMOptions(
        votes=draw(st.sampled_from(["linear", "risk"])),
        probability=draw(st.sampled_from(["pairwise", "all-pairs"])),
        median_rule=draw(st.sampled_from(["weighted", "king-of-hill"])),
        mu=draw(st.sampled_from(["median", "mean"])),
        ranking=draw(st.sampled_from(["eu", "type"])),
        conflict=draw(st.sampled_from(["deterministic", "stochastic"])),
        compromise=draw(st.sampled_from(["partial", "weighted"])),
        resolution=draw(st.sampled_from(["bdm", "scholz-code"])),
        proposer=draw(st.sampled_from(["target", "sender"])),
        q=draw(st.sampled_from([0.0, 0.5, 1.0])),
        t=draw(st.sampled_from([0.0, 0.5, 1.0])),
        rounds=draw(st.integers(1, 12)),
        tol=draw(st.sampled_from([1e-6, 1e-3, 0.05])),
    )


def uniforms_for(opt: EUMOptions, b: int, n: int, seed: int) -> np.ndarray | None:
    if opt.conflict != "stochastic":
        return None
    return np.random.default_rng(seed).random((b, opt.rounds, n, n))


# --------------------------------------------------------------------------- agreement


def assert_agrees(c: np.ndarray, x: np.ndarray, s: np.ndarray, opt: EUMOptions, seed=0) -> None:
    """Every output of every batch element equals the reference's to 1e-9 (scaled), and the
    engine raises no floating-point warning."""
    u = uniforms_for(opt, *x.shape, seed)
    with np.errstate(all="raise"):  # no floating-point warning on any generated case
        got = simulate(c, x, s, opt, u)
    for b in range(x.shape[0]):
        want = ref.simulate_one(c[b], x[b], s[b], opt, None if u is None else u[b])
        scale = 1e-9 * max(1.0, float(np.max(np.abs(x[b]))))
        where = f"element {b} of {x[b].tolist()}, c={c[b].tolist()}, s={s[b].tolist()}"
        np.testing.assert_allclose(
            got.positions[b], want.positions, rtol=0, atol=scale, err_msg=where
        )
        np.testing.assert_allclose(got.median[b], want.median, rtol=0, atol=scale, err_msg=where)
        np.testing.assert_allclose(got.mean[b], want.mean, rtol=0, atol=scale, err_msg=where)
        np.testing.assert_allclose(got.risk[b], want.risk, rtol=0, atol=1e-9, err_msg=where)
        np.testing.assert_array_equal(got.counts[b], want.counts, err_msg=where)
        assert got.rounds_run[b] == want.rounds_run, where
        assert got.cycled[b] == want.cycled, where


def test_every_option_field_is_flipped() -> None:
    """A field added to EUMOptions must get a flip here (and be honoured by the engine)."""
    assert {f.name for f in fields(EUMOptions)} == set(FLIPS)


def test_tie_tolerance_matches_the_reference() -> None:
    assert eum.TIE == ref.TIE


@pytest.mark.parametrize("name", sorted(VARIANTS))
@CI
@given(data=batches(), seed=st.integers(0, 2**16))
def test_agrees_with_reference(name: str, data, seed: int) -> None:
    assert_agrees(*data, VARIANTS[name], seed)


@pytest.mark.parametrize("name", sorted(VARIANTS))
@CI
@given(data=batches(min_n=6, max_n=9, integer=True))
def test_agrees_with_reference_on_ties(name: str, data) -> None:
    """Integer positions: many coincident actors and symmetric ties."""
    assert_agrees(*data, VARIANTS[name])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_agrees_on_the_ec_case(name: str) -> None:
    c, x, s = (np.stack([v, v[::-1]]) for v in (EC_C, EC_X, EC_S))
    assert_agrees(c, x, s, VARIANTS[name], seed=7)


@pytest.mark.campaign
@CAMPAIGN
@given(data=batches(max_b=4), opt=any_options(), seed=st.integers(0, 2**32 - 1))
def test_campaign_agrees_with_reference(data, opt: EUMOptions, seed: int) -> None:
    assert_agrees(*data, opt, seed)


def test_batch_slicing_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of the batch and the dropping of finished elements leave results bit-identical."""
    rng = np.random.default_rng(3)
    b, n = 300, 6
    c, s = rng.random((b, n)), rng.random((b, n))
    x = np.where(rng.random((b, n)) < 0.5, rng.integers(0, 4, (b, n)), rng.random((b, n)) * 3)
    opt = EUMOptions(tol=0.01, conflict="stochastic")
    u = uniforms_for(opt, b, n, 5)
    whole = simulate(c, x, s, opt, u)
    monkeypatch.setattr(eum, "_SLICE_CELLS", 1)  # slices of 64 elements
    sliced = simulate(c, x, s, opt, u)
    picks = (0, 77)
    singles = [simulate(c[k : k + 1], x[k : k + 1], s[k : k + 1], opt, u[k : k + 1]) for k in picks]
    assert len(set(whole.rounds_run.tolist())) > 2  # elements stop at different rounds
    for name in OUTPUTS:
        np.testing.assert_array_equal(getattr(whole, name), getattr(sliced, name))
        for k, one in zip(picks, singles, strict=True):
            np.testing.assert_array_equal(getattr(whole, name)[k], getattr(one, name)[0])


def test_working_memory_does_not_grow_with_the_batch() -> None:
    """Beyond its outputs the engine needs a fixed few MB: B = 40,000 x 8 fits far below 1 GB."""
    rng = np.random.default_rng(2)
    extra = []
    for b in (600, 6000):
        c, x, s = rng.random((b, 8)), rng.random((b, 8)) * 100, rng.random((b, 8))
        tracemalloc.start()
        res = simulate(c, x, s, EUMOptions())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        extra.append(peak - sum(getattr(res, name).nbytes for name in OUTPUTS))
    assert extra[1] < extra[0] + 2**20
    assert extra[1] < 32 * 2**20


def test_sequential_sums_follow_index_order() -> None:
    """The engine's sums add terms one by one in index order, as the reference's loops do."""
    rng = np.random.default_rng(0)
    for shape in [(9, 1), (9, 1, 1), (8, 28, 3), (9, 5), (3, 1)]:
        a = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8, shape)
        total = a[0].copy()
        for k in range(1, shape[0]):
            total = total + a[k]
        np.testing.assert_array_equal(eum._seqsum0(a), total)
        np.testing.assert_array_equal(eum._seqsum0(np.asfortranarray(a)), total)


def test_simulate_issues_runs_each_issue_alone() -> None:
    rng = np.random.default_rng(1)
    b, n, dims = 5, 4, 3
    c = rng.random((b, n))
    x, s = rng.random((b, n, dims)) * 10, rng.random((b, n, dims))
    opt = EUMOptions(conflict="stochastic", rounds=4)
    u = rng.random((b, dims, opt.rounds, n, n))
    res = eum.simulate_issues(c, x, s, opt, u)
    assert res.positions.shape == (b, dims, 5, n)
    assert res.counts.shape == (b, dims, 4, 3)
    assert res.rounds_run.shape == (b, dims)
    for d in range(dims):
        one = simulate(c, x[:, :, d], s[:, :, d], opt, u[:, d])
        for name in OUTPUTS:
            np.testing.assert_array_equal(getattr(res, name)[:, d], getattr(one, name))


@pytest.mark.parametrize("name", ["preset default", "conflict=stochastic", "proposer=sender"])
def test_simulate_issues_takes_a_capability_per_issue(name: str) -> None:
    """Capability (B, n, D): issue d runs with capability[:, :, d]; a (B, n, D) array that
    repeats one (B, n) capability gives every output bit for bit as the (B, n) call."""
    rng = np.random.default_rng(4)
    b, n, dims = 6, 5, 3
    c, c_d = rng.random((b, n)), rng.random((b, n, dims))
    x, s = rng.integers(0, 6, (b, n, dims)).astype(float), rng.random((b, n, dims))
    opt = VARIANTS[name]
    u = None if opt.conflict != "stochastic" else rng.random((b, dims, opt.rounds, n, n))
    per_issue = eum.simulate_issues(c_d, x, s, opt, u)
    shared = eum.simulate_issues(c, x, s, opt, u)
    repeated = eum.simulate_issues(np.repeat(c[:, :, None], dims, axis=2), x, s, opt, u)
    for d in range(dims):
        one = simulate(c_d[:, :, d], x[:, :, d], s[:, :, d], opt, None if u is None else u[:, d])
        for field in OUTPUTS:
            np.testing.assert_array_equal(getattr(per_issue, field)[:, d], getattr(one, field))
    for field in OUTPUTS:
        np.testing.assert_array_equal(getattr(repeated, field), getattr(shared, field))
    assert not np.array_equal(per_issue.positions, shared.positions)
    with pytest.raises(ValueError, match=r"capability \(B, n\) or \(B, n, D\)"):
        eum.simulate_issues(c_d[:, :, :2], x, s, opt, u)


def test_sender_and_target_views_can_reverse_who_gives_in() -> None:
    """The two-actor case of test_eum_reference (r = (0.5, 2)): with the target's view the
    risk-acceptant actor 0 moves to actor 1; with the sender's view actor 1 capitulates."""
    c, x, s = np.array([[0.8, 1.0]]), np.array([[0.0, 1.0]]), np.array([[0.9, 0.9]])
    target = simulate(c, x, s, EUMOptions())
    sender = simulate(c, x, s, EUMOptions(proposer="sender"))
    np.testing.assert_array_equal(target.positions[0, 1], [1.0, 1.0])
    np.testing.assert_array_equal(sender.positions[0, 1], [0.0, 0.0])
    assert target.counts[0, 0].tolist() == [1, 0, 0]
    assert sender.counts[0, 0].tolist() == [0, 0, 1]


# --------------------------------------------------------------------------- published checks


def test_ec_initial_numbers() -> None:
    """BDM 1994: mean 7.389955686853767, median 7.0, P(Belgium beats the Netherlands) 0.6337."""
    res = simulate(EC_C[None], EC_X[None], EC_S[None], EUMOptions())
    assert res.mean[0, 0] == pytest.approx(7.389955686853767, abs=1e-12)
    assert res.median[0, 0] == 7.0
    p = eum.win_probability(EC_C[None], EC_X[None], EC_S[None], None, EUMOptions())
    assert p[0, 1, 0] == pytest.approx(0.6337, abs=5e-5)


def test_ec_scholz_code_reproduces_scholz() -> None:
    """Round-1 risk exponents and ten-round medians of Scholz's program (docs/models/eum.md s.6)."""
    res = simulate(EC_C[None], EC_X[None], EC_S[None], resolve_options("scholz-code"))
    r1 = [1.405653, 0.754196, 0.508864, 1.405653, 1.046524, 1.046524, 1.964898, 0.5, 2.0]
    np.testing.assert_allclose(res.risk[0, 0], [*r1, 1.112125], atol=5e-7)
    medians = [7.0, 8.415932, 9.610859, 9.96198, 9.96198, 9.96198]
    medians += [7.472046, 8.824594, 9.67113, 9.67113, 7.0]
    np.testing.assert_allclose(res.median[0], medians, atol=5e-7)
    # round 1: Belgium compromises with France to 8.415932, Luxembourg to 7, Ireland to 4
    np.testing.assert_allclose(res.positions[0, 1, [1, 2, 7]], [8.415932, 7.0, 4.0], atol=5e-7)


# --------------------------------------------------------------------------- invariants


@INVARIANTS
@given(data=batches(max_b=12), opt=any_options(), seed=st.integers(0, 2**16))
def test_positions_stay_in_the_initial_range(data, opt: EUMOptions, seed: int) -> None:
    c, x, s = data
    res = simulate(c, x, s, opt, uniforms_for(opt, *x.shape, seed))
    lo, hi = x.min(axis=1)[:, None, None], x.max(axis=1)[:, None, None]
    assert np.all((res.positions >= lo) & (res.positions <= hi))
    assert np.all((res.median >= lo[:, :, 0]) & (res.median <= hi[:, :, 0]))
    assert np.all((res.mean >= lo[:, :, 0]) & (res.mean <= hi[:, :, 0]))


@INVARIANTS
@given(data=batches(max_b=12), votes=st.sampled_from(["linear", "risk"]), seed=st.integers(0, 99))
def test_pairwise_probabilities_sum_to_one(data, votes: str, seed: int) -> None:
    c, x, s = data
    risk = np.random.default_rng(seed).uniform(0.5, 2.0, x.shape)
    p = eum.win_probability(c, x, s, risk, EUMOptions(votes=votes))  # type: ignore[arg-type]
    assert np.all((p >= 0.0) & (p <= 1.0))
    np.testing.assert_allclose(p + np.swapaxes(p, 1, 2), 1.0, rtol=0, atol=1e-12)


@INVARIANTS
@given(data=batches(max_b=12), opt=any_options(), seed=st.integers(0, 2**16))
def test_risk_exponents_in_range(data, opt: EUMOptions, seed: int) -> None:
    c, x, s = data
    res = simulate(c, x, s, opt, uniforms_for(opt, *x.shape, seed))
    assert np.all((res.risk >= 0.5) & (res.risk <= 2.0))
    r = eum.risk_exponents(c, x, s, opt)
    assert np.all((r >= 0.5) & (r <= 2.0))
    if x.shape[1] >= 2:  # the most and least endangered actors take the extremes
        moved = np.ptp(r, axis=1) > 0
        np.testing.assert_allclose(r.min(axis=1)[moved], 0.5, atol=1e-12)
        np.testing.assert_allclose(r.max(axis=1)[moved], 2.0, atol=1e-12)


@INVARIANTS
@given(
    data=batches(max_b=12),
    opt=any_options(),
    power=st.integers(-20, 20),
    seed=st.integers(0, 2**16),
)
def test_capability_scale_changes_nothing(data, opt: EUMOptions, power: int, seed: int) -> None:
    """Only capability ratios matter: a power-of-two factor leaves every bit unchanged."""
    c, x, s = data
    u = uniforms_for(opt, *x.shape, seed)
    one, two = simulate(c, x, s, opt, u), simulate(c * 2.0**power, x, s, opt, u)
    for name in OUTPUTS:
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


@INVARIANTS
@given(data=batches(max_b=12), factor=st.floats(0.01, 100.0), opt=any_options())
def test_capability_scale_any_factor_first_round(data, factor: float, opt: EUMOptions) -> None:
    """Any positive factor: the same P and r up to rounding. (Over many rounds, rounding can
    flip a decision that sits exactly on a sign test, so only the first round is compared.)"""
    c, x, s = data
    k = c * factor
    p1, p2 = (eum.win_probability(v, x, s, None, opt) for v in (c, k))
    np.testing.assert_allclose(p1, p2, rtol=0, atol=1e-12)
    r1, r2 = (eum.risk_exponents(v, x, s, opt) for v in (c, k))
    np.testing.assert_allclose(r1, r2, rtol=1e-7)


@INVARIANTS
@given(
    data=batches(max_b=12),
    opt=any_options(),
    power=st.integers(-10, 10),
    seed=st.integers(0, 2**16),
)
def test_power_of_two_position_scale_changes_no_bit(
    data, opt: EUMOptions, power: int, seed: int
) -> None:
    """x -> 2^k x: every operation of the run commutes exactly with a power-of-two factor
    (all positions enter as differences over Delta, tolerances as TIE * Delta and
    tol * Delta), so positions, median and mean scale exactly and nothing else changes, in
    every round."""
    c, x, s = data
    u = uniforms_for(opt, *x.shape, seed)
    a = 2.0**power
    one, two = simulate(c, x, s, opt, u), simulate(c, a * x, s, opt, u)
    for name in ("positions", "median", "mean"):
        np.testing.assert_array_equal(a * getattr(one, name), getattr(two, name), err_msg=name)
    for name in ("counts", "risk", "rounds_run", "cycled"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name), err_msg=name)


@INVARIANTS
@given(
    data=batches(max_b=12, integer=True),
    opt=any_options(),
    a=st.sampled_from([0.25, 0.5, 2.0, 8.0]),
    b=st.integers(-20, 20).map(float),
    seed=st.integers(0, 2**16),
)
def test_affine_map_of_the_scale(data, opt: EUMOptions, a: float, b: float, seed: int) -> None:
    """x -> a x + b (a > 0): every round that starts from an exactly mapped state.

    Integer positions with a dyadic a and an integer b map exactly. A round from such a
    state sees the same differences over Delta on both scales (m for ``mu="mean"`` too,
    being taken about the weighted median), so its P, r and EU are bit-identical and so are
    its classifications: counts and risk are equal. Only the new positions are formed on
    each scale, and the test maps them back: copies of positions are exact, a compromise
    x_j + (x_i - x_j)|b|/a or (|a| x_i + |b| x_j)/(|a| + |b|) differs by at most 8 unit
    roundoffs u = eps/2 of M = |b| + a max|x| (the compromise on each scale, the shift of
    the weights' sum on the new scale, the test's own map), so TOL = 4 eps M. The median of
    an exactly mapped state is exactly mapped; its mean, a sequential sum of n terms and a
    quotient on each scale, agrees within (n + 2) eps M. rounds_run and cycled agree when
    every round run started from an exactly mapped state.

    Later rounds start from rounded compromise positions, different on the two scales by
    up to TOL; the model can turn such differences into anything: exact sign tests of
    EU values that are 0 mathematically, x_i == x_j between actors that met by different
    routes, the risk quotient (2 S_i - S_max - S_min)/(S_max - S_min) of nearly equal
    dangers, base^0.5 near 0. No bound holds there and those rounds are not compared;
    test_power_of_two_position_scale_changes_no_bit covers them for pure scaling.
    """
    c, x, s = data
    u = uniforms_for(opt, *x.shape, seed)
    one, two = simulate(c, x, s, opt, u), simulate(c, a * x + b, s, opt, u)
    eps = float(np.finfo(np.float64).eps)
    big = abs(b) + a * max(1.0, float(np.max(np.abs(x))))
    for e in range(x.shape[0]):
        check_exact_rounds(one, two, e, a, b, 4.0 * eps * big, (x.shape[1] + 2) * eps * big)


def check_exact_rounds(
    one: EUMResult, two: EUMResult, e: int, a: float, b: float, tol: float, tol_mean: float
) -> None:
    """Element e of runs on x and a x + b: the rounds that start from an exactly mapped
    integer state agree (test_affine_map_of_the_scale)."""
    p1, p2 = one.positions[e], two.positions[e]
    run = int(one.rounds_run[e])
    exact = [
        bool(np.all(row == np.round(row))) and np.array_equal(a * row + b, p2[t])
        for t, row in enumerate(p1)
    ]
    assert exact[0]
    for t in np.flatnonzero(exact):
        where = f"element {e}, row {t}"
        assert two.median[e, t] == a * one.median[e, t] + b, where
        assert abs(two.mean[e, t] - (a * one.mean[e, t] + b)) <= tol_mean, where
        if t < run:  # round t + 1 ran from this state
            np.testing.assert_array_equal(one.counts[e, t], two.counts[e, t], err_msg=where)
            np.testing.assert_array_equal(one.risk[e, t], two.risk[e, t], err_msg=where)
            np.testing.assert_allclose(
                a * p1[t + 1] + b, p2[t + 1], rtol=0, atol=tol, err_msg=where
            )
    if all(exact[:run]):
        assert (one.rounds_run[e], one.cycled[e]) == (two.rounds_run[e], two.cycled[e]), e


@pytest.mark.parametrize(
    "q, t, compromise",
    [(0.5, 1.0, "partial"), (0.0, 0.5, "weighted")],  # the old m: 9e-8 apart; a flipped move
)
def test_mean_reference_point_maps_exactly_at_an_extreme(q: float, t: float, compromise) -> None:
    """All weight on actor 0 at the top of the scale, mu = mean, r = 0.5 for actor 2 at the
    bottom: the base 0.5 - (m + d)/4 of U_b for actor 2 against actor 0 is exactly 0. Were
    m = |x_2 - mean| / Delta, the mean's rounding (relative to |mean|, hence to the offset
    b) would leave a base of 1e-16 on one scale, 1e-8 after the square root: the first round
    on 2 x + 18 would move actors 9e-8 elsewhere (through a compromise ratio |b|/a), or
    differently (a decision near a tie). Taken about the weighted median, m is exact and the
    round maps bit for bit."""
    c, x, s = np.array([[0.7, 0.5, 0.5]]), np.array([[3.0, 2.0, -2.0]]), np.array([[0.5, 0, 0]])
    opt = EUMOptions(mu="mean", q=q, t=t, compromise=compromise, rounds=1)
    one, two = simulate(c, x, s, opt), simulate(c, 2.0 * x + 18.0, s, opt)
    assert one.risk[0, 0, 2] == pytest.approx(0.5)
    np.testing.assert_array_equal(one.risk, two.risk)
    np.testing.assert_array_equal(one.counts, two.counts)
    np.testing.assert_allclose(2.0 * one.positions + 18.0, two.positions, rtol=0, atol=1e-14)


DEGENERATE = {
    "one actor": (np.array([[0.7]]), np.array([[3.0]]), np.array([[0.4]])),
    "all at one position": (np.array([[0.2, 0.5, 0.3]]), np.full((1, 3), 2.5), np.ones((1, 3))),
    "zero capability": (np.zeros((1, 4)), np.array([[0.0, 1.0, 3.0, 4.0]]), np.ones((1, 4))),
    "zero salience": (np.ones((1, 3)), np.array([[0.0, 1.0, 2.0]]), np.zeros((1, 3))),
    "one actor weighs": (np.array([[0.0, 1.0, 0.0]]), np.array([[5.0, 1.0, 2.0]]), np.ones((1, 3))),
    "two coincide": (np.array([[0.3, 0.3]]), np.array([[1.0, 1.0]]), np.array([[0.5, 0.9]])),
}


@pytest.mark.parametrize("case", sorted(DEGENERATE))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_degenerate_inputs_finish_finite(case: str, variant: str) -> None:
    c, x, s = DEGENERATE[case]
    opt = VARIANTS[variant]
    u = uniforms_for(opt, *x.shape, 1)
    with np.errstate(all="raise"):
        res = simulate(c, x, s, opt, u)
    for name in ("positions", "median", "mean", "risk"):
        assert np.all(np.isfinite(getattr(res, name))), name
    lo, hi = x.min(), x.max()
    assert np.all((res.positions >= lo) & (res.positions <= hi))
    if lo == hi:  # Delta = 0: nothing moves, r = 1, the run stops at once
        assert res.rounds_run[0] == 0
        assert np.all(res.positions == x[0]) and np.all(res.risk == 1.0)
        assert np.all(res.counts == 0)
    assert_agrees(c, x, s, opt, 1)


def test_rows_after_the_stop_repeat_the_final_state() -> None:
    """Two actors: the weaker capitulates in round 1 and nothing moves in round 2."""
    c, x, s = np.array([[1.0, 0.1]]), np.array([[0.0, 1.0]]), np.array([[1.0, 0.5]])
    res = simulate(c, x, s, EUMOptions())
    k = int(res.rounds_run[0])
    assert 1 <= k < 10 and not res.cycled[0]
    np.testing.assert_array_equal(
        res.positions[0, k:], np.repeat(res.positions[0, k : k + 1], 11 - k, 0)
    )
    assert np.all(res.counts[0, k:] == 0)
    np.testing.assert_array_equal(res.risk[0, k:], np.repeat(res.risk[0, k - 1 : k], 10 - k, 0))


def test_bad_inputs_raise() -> None:
    ok = np.ones((2, 3))
    with pytest.raises(ValueError, match="shape"):
        simulate(ok, np.ones((2, 4)), ok, EUMOptions())
    with pytest.raises(ValueError, match="salience"):
        simulate(ok, ok, ok * 2, EUMOptions())
    with pytest.raises(ValueError, match="capability"):
        simulate(-ok, ok, ok, EUMOptions())
    with pytest.raises(ValueError, match="finite"):
        simulate(ok, ok * np.nan, ok, EUMOptions())
    with pytest.raises(ValueError, match="uniforms"):
        simulate(ok, ok, ok, EUMOptions(conflict="stochastic"))
    with pytest.raises(ValueError, match="uniforms"):
        simulate(ok, ok, ok, EUMOptions(conflict="stochastic"), np.ones((2, 10, 3, 2)))
