"""Value of a challenge in the SMP and each actor's choice of target, batched over samples.

For estimator h, challenger i and target j (docs/models/smp.md, "Value of a challenge"):
the principals vote with weights S c on (i vs j); each third party m, seeing only the
principals' totals plus its own vote e_m, estimates p_m = P[i wins the little contest] and
casts the semi-commit vote; P_ij = C_ij / (C_ij + C_ji), and the expected gain to k is
(1 - S_j) 2U(k,i) + S_j [P_ij 2U(k,i) + P_ji 2U(k,j)] - [U(k,i) + U(k,j)].
Source: KTAB examples/smp/libsrc/smpbcn.cpp (SMPState::probEduChlg, bestChallenge) and
kmodel (Actor::vProbLittle, Actor::thirdPartyVoteSU).

Arrays over third parties m put m first, so the sums over m run in actor order (as KTAB's)
while each step adds a whole slice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from summitry.engines.smp_options import CHALLENGE_MIN_COALITION, MIN_SIG_EDU, POS_TOL
from summitry.engines.smp_rules import seq_sum, vote

__all__ = ["Challenges", "best_challenges", "contest", "target_view_probability"]

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

CHUNK_ELEMENTS = 1 << 17
"""Elements per (third parties, samples, challengers, targets) block: small blocks stay in
cache, which matters more than the Python loop over blocks."""


def contest(
    ui: Array,
    uj: Array,
    um: Array,
    uii: Array,
    uij: Array,
    uji: Array,
    ujj: Array,
    wi: Array,
    wj: Array,
    wm: Array,
    third: Mask,
    rule: str,
    third_party: str,
) -> tuple[Array, Array]:
    """Coalition strengths (C_ij, C_ji) of the contest i vs j as one estimator sees it.

    ui, uj, um (m, ...): the estimator's U(m, i), U(m, j), U(m, m) for every actor m;
    uii, uij, uji, ujj (...): the principals' utilities; wi, wj (...), wm (m, ...): weights
    S c; third (m, ...): which m count as third parties (m not i, j).
    """
    con_i = vote(rule, wi, uii - uij)
    con_j = vote(rule, wj, uji - ujj)
    c_ij = CHALLENGE_MIN_COALITION + np.maximum(con_i, 0.0) + np.maximum(con_j, 0.0)
    c_ji = CHALLENGE_MIN_COALITION + np.maximum(-con_i, 0.0) + np.maximum(-con_j, 0.0)
    if third_party != "semi-commit":
        # no-commit and full-commit value both sides of the little contest identically
        return c_ij, c_ji
    e = vote(rule, wm, ui - uj)
    side_i = c_ij + np.maximum(e, 0.0)
    side_j = c_ji + np.maximum(-e, 0.0)
    p_in = side_i / (side_i + side_j)
    p_jn = 1.0 - p_in
    join_i = p_in * (ui + ui + um) + p_jn * (uj + uj + uj)
    join_j = p_in * (ui + ui + ui) + p_jn * (uj + uj + um)
    v = np.where(third, vote(rule, wm, join_i - join_j), 0.0)
    return (
        seq_sum(np.maximum(v, 0.0), 0, c_ij, overwrite=True),
        seq_sum(np.maximum(-v, 0.0), 0, c_ji, overwrite=True),
    )


@dataclass(frozen=True)
class Challenges:
    """Each actor's best challenge: ``has`` (B, n), ``target`` (B, n) (valid where ``has``),
    ``prob`` (B, n) the challenger's own P[i beats target], ``gain`` (B, n)."""

    has: Mask
    target: NDArray[np.int64]
    prob: Array
    gain: Array


def _front(x: Array) -> Array:
    """Move the last axis (third parties) to the front."""
    return np.moveaxis(x, -1, 0)


def _own_view(
    d: Array, rp: Array, weight: Array, total: Array, rows: slice, rule: str, third_party: str
) -> tuple[Array, Array]:
    """(P_ij, Delta EU_i) with estimator h = i = k, for challengers ``rows`` and all j."""
    n = d.shape[-1]
    one_minus = 1 - d
    dmin = np.minimum(d, 1.0)
    ft = np.swapaxes(one_minus, -1, -2)  # ft[., j, m] = 1 - d[m, j]
    dt = np.swapaxes(dmin, -1, -2)
    diag_f = np.diagonal(one_minus, axis1=-2, axis2=-1)  # 1 - d[m, m]
    diag_d = np.diagonal(dmin, axis1=-2, axis2=-1)
    idx = np.arange(n)[rows]
    r = rp[:, rows, :]  # r[., i, m] = R^i_m, i in rows
    ui = ft[:, rows, :] * (1 + dt[:, rows, :] * r)  # U^i(m, i)
    um = diag_f[:, None, :] * (1 + diag_d[:, None, :] * r)  # U^i(m, m)
    r_front = _front(r)[:, :, :, None]  # (m, B, i, 1)
    uj = _front(ft)[:, :, None, :] * (1 + _front(dt)[:, :, None, :] * r_front)  # U^i(m, j)
    uii = ui[:, np.arange(len(idx)), idx]  # U^i(i, i)
    r_ii = rp[:, idx, idx]
    uij = one_minus[:, rows, :] * (1 + dmin[:, rows, :] * r_ii[:, :, None])  # U^i(i, j)
    m = np.arange(n)[:, None, None]
    third = (m != idx[None, :, None]) & (m != np.arange(n)[None, None, :])  # (m, i, j)
    c_ij, c_ji = contest(
        _front(ui)[..., None],
        uj,
        _front(um)[..., None],
        uii[:, :, None],
        uij,
        ui,  # U^i(j, i)
        um,  # U^i(j, j)
        weight[:, rows, None],
        weight[:, None, :],
        _front(weight)[:, :, None, None],
        third[:, None],
        rule,
        third_party,
    )
    p_ij = c_ij / (c_ij + c_ji)
    p_ji = c_ji / (c_ij + c_ji)
    ki = uii[:, :, None]
    kj = uij
    status_quo = ki + kj
    victory = ki + ki
    defeat = kj + kj
    contest_value = p_ij * victory + p_ji * defeat
    s_j = total[:, None, :]
    return p_ij, (1 - s_j) * victory + s_j * contest_value - status_quo


def best_challenges(
    d: Array,
    rp: Array,
    theta: Array,
    weight: Array,
    total: Array,
    rule: str,
    third_party: str,
) -> Challenges:
    """Each actor's most valuable challenge (h = k = i).

    d (B, n, n): distance from a's ideal to x's position; rp (B, n, n): R^h_i;
    theta (B, n, K); weight (B, n) = S c; total (B, n) = S. A target must differ from i's
    own position (by POS_TOL) and promise a gain above MIN_SIG_EDU; ties go to the lowest index.
    """
    b, n = d.shape[0], d.shape[-1]
    gain = np.empty((b, n, n))
    prob = np.empty((b, n, n))
    step = max(1, CHUNK_ELEMENTS // max(1, b * n * n))
    for start in range(0, n, step):
        rows = slice(start, min(n, start + step))
        prob[:, rows], gain[:, rows] = _own_view(d, rp, weight, total, rows, rule, third_party)
    gap = theta[:, :, None, :] - theta[:, None, :, :]
    apart = np.sqrt(seq_sum(gap * gap)) >= POS_TOL
    valid = apart & ~np.eye(n, dtype=bool)[None] & (gain > MIN_SIG_EDU)
    scored = np.where(valid, gain, -np.inf)
    target = np.argmax(scored, axis=-1)
    has = valid.any(axis=-1)
    pick = target[..., None]
    return Challenges(
        has=has,
        target=target,
        prob=np.take_along_axis(prob, pick, axis=-1)[..., 0],
        gain=np.take_along_axis(gain, pick, axis=-1)[..., 0],
    )


def target_view_probability(
    d: Array,
    rp: Array,
    target: NDArray[np.int64],
    weight: Array,
    rule: str,
    third_party: str,
) -> Array:
    """P^j_ij: the target j's estimate that challenger i prevails, (B, n) indexed by i."""
    n = d.shape[-1]
    one_minus = 1 - d
    dmin = np.minimum(d, 1.0)
    ft = np.swapaxes(one_minus, -1, -2)
    dt = np.swapaxes(dmin, -1, -2)
    diag_f = np.diagonal(one_minus, axis1=-2, axis2=-1)
    diag_d = np.diagonal(dmin, axis1=-2, axis2=-1)
    r = np.take_along_axis(rp, target[:, :, None], axis=1)  # r[., i, m] = R^{j_i}_m
    ui = ft * (1 + dt * r)  # U^j(m, i)
    ft_j = np.take_along_axis(ft, target[:, :, None], axis=1)
    dt_j = np.take_along_axis(dt, target[:, :, None], axis=1)
    uj = ft_j * (1 + dt_j * r)  # U^j(m, j)
    um = diag_f[:, None, :] * (1 + diag_d[:, None, :] * r)  # U^j(m, m)
    rows = np.arange(n)
    m = np.arange(n)[None, None, :]
    third = (m != rows[None, :, None]) & (m != target[:, :, None])
    c_ij, c_ji = contest(
        _front(ui),
        _front(uj),
        _front(um),
        ui[:, rows, rows],
        uj[:, rows, rows],
        np.take_along_axis(ui, target[:, :, None], axis=2)[..., 0],
        np.take_along_axis(uj, target[:, :, None], axis=2)[..., 0],
        weight,
        np.take_along_axis(weight, target, axis=1),
        _front(weight)[:, :, None],
        _front(third),
        rule,
        third_party,
    )
    return c_ij / (c_ij + c_ji)
