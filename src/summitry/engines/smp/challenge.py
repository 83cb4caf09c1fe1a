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
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.engines.smp.options import CHALLENGE_MIN_COALITION, MIN_SIG_EDU, POS_TOL
from summitry.engines.smp.rules import seq_sum, vote

__all__ = ["Challenges", "best_challenges", "contest", "target_view_probability"]

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

CHUNK_ELEMENTS = 1 << 15
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
    # The arithmetic below is KTAB's, step for step; buffers are reused to spare allocations.
    e = np.subtract(ui, uj)
    e = np.multiply(e, wm, out=e) if rule == "prop" else vote(rule, wm, e)
    side_i = np.maximum(e, 0.0)
    side_i += c_ij
    side_j = np.negative(e, out=e)
    np.maximum(side_j, 0.0, out=side_j)
    side_j += c_ji
    den = np.add(side_i, side_j)
    p_in = np.divide(side_i, den, out=side_i)
    p_jn = np.subtract(1.0, p_in, out=den)
    join_i = np.multiply(p_in, ui + ui + um)
    scratch = np.add(uj, uj)
    scratch += uj
    scratch *= p_jn
    join_i += scratch
    join_j = np.multiply(p_in, ui + ui + ui, out=scratch)
    tail = np.add(uj, uj, out=side_j)
    tail += um
    tail *= p_jn
    join_j += tail
    diff = np.subtract(join_i, join_j, out=join_i)
    v = np.multiply(diff, wm, out=diff) if rule == "prop" else vote(rule, wm, diff)
    np.copyto(v, 0.0, where=~third)
    gain = np.maximum(v, 0.0)
    loss = np.negative(v, out=v)
    np.maximum(loss, 0.0, out=loss)
    # third parties join in actor order, as in KTAB
    return seq_sum(gain, 0, c_ij, overwrite=True), seq_sum(loss, 0, c_ji, overwrite=True)


@dataclass(frozen=True)
class Challenges:
    """Each actor's best challenge: ``has`` (B, n), ``target`` (B, n) (valid where ``has``),
    ``prob`` (B, n) the challenger's own P[i beats target], ``gain`` (B, n)."""

    has: Mask
    target: NDArray[np.int64]
    prob: Array
    gain: Array


def _front(x: NDArray[Any]) -> NDArray[Any]:
    """Move the last axis (third parties) to the front."""
    return np.moveaxis(x, -1, 0)


@dataclass(frozen=True)
class _Views:
    """Per-turn arrays shared by all blocks of challengers; ``*_f`` have third parties m
    first and are C-contiguous."""

    one_minus: Array  # (B, a, x): 1 - d[a, x]
    dmin: Array  # (B, a, x): min(d[a, x], 1)
    ft: Array  # (B, j, m): 1 - d[m, j]
    dt: Array  # (B, j, m): min(d[m, j], 1)
    ft_f: Array  # (m, B, j)
    dt_f: Array  # (m, B, j)
    diag_f: Array  # (B, m): 1 - d[m, m]
    diag_d: Array  # (B, m)
    weight_f: Array  # (m, B, 1, 1)

    @classmethod
    def build(cls, d: Array, weight: Array) -> _Views:
        one_minus = 1 - d
        dmin = np.minimum(d, 1.0)
        ft = np.swapaxes(one_minus, -1, -2)
        dt = np.swapaxes(dmin, -1, -2)
        return cls(
            one_minus=one_minus,
            dmin=dmin,
            ft=ft,
            dt=dt,
            ft_f=np.ascontiguousarray(_front(ft)),
            dt_f=np.ascontiguousarray(_front(dt)),
            diag_f=np.diagonal(one_minus, axis1=-2, axis2=-1),
            diag_d=np.diagonal(dmin, axis1=-2, axis2=-1),
            weight_f=np.ascontiguousarray(_front(weight))[:, :, None, None],
        )


def _own_view(
    v: _Views, rp: Array, weight: Array, total: Array, rows: slice, rule: str, third_party: str
) -> tuple[Array, Array]:
    """(P_ij, Delta EU_i) with estimator h = i = k, for challengers ``rows`` and all j."""
    n = rp.shape[-1]
    idx = np.arange(n)[rows]
    r = rp[:, rows, :]  # r[., i, m] = R^i_m, i in rows
    ui = v.ft[:, rows, :] * (1 + v.dt[:, rows, :] * r)  # U^i(m, i)
    um = v.diag_f[:, None, :] * (1 + v.diag_d[:, None, :] * r)  # U^i(m, m)
    r_front = np.ascontiguousarray(_front(r))[:, :, :, None]  # (m, B, i, 1)
    uj = v.ft_f[:, :, None, :] * (1 + v.dt_f[:, :, None, :] * r_front)  # U^i(m, j)
    uii = ui[:, np.arange(len(idx)), idx]  # U^i(i, i)
    r_ii = rp[:, idx, idx]
    uij = v.one_minus[:, rows, :] * (1 + v.dmin[:, rows, :] * r_ii[:, :, None])  # U^i(i, j)
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
        v.weight_f,
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
    views = _Views.build(d, weight)
    gain = np.empty((b, n, n))
    prob = np.empty((b, n, n))
    step = max(1, CHUNK_ELEMENTS // max(1, b * n * n))
    for start in range(0, n, step):
        rows = slice(start, min(n, start + step))
        prob[:, rows], gain[:, rows] = _own_view(views, rp, weight, total, rows, rule, third_party)
    gap = theta[:, :, None, :] - theta[:, None, :, :]
    apart = np.sqrt(seq_sum(gap * gap)) >= POS_TOL
    valid = apart & ~np.eye(n, dtype=bool)[None] & (gain > MIN_SIG_EDU)
    scored = np.where(valid, gain, -np.inf)
    target = np.argmax(scored, axis=-1)
    has = np.asarray(valid.any(axis=-1), dtype=bool)
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
