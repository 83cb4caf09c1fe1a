"""Bargains of the SMP: interpolation, actor queues and their resolution, batched.

Each challenge (i -> j) yields one or two bargains (new positions for i and j). Actor k's
queue holds its status quo and every bargain naming k, in KTAB's sequential order (by
initiator; k's status quo just before k's own bargain). A scalar PCE over the queue, voters
weighted by capability and valuing a bargain by the mean utility of the positions it leaves,
picks the bargain k adopts. Source: KTAB examples/smp/libsrc/smp.cpp (interpBrgnSnPm,
interpBrgnS2PMax) and smpbcn.cpp (doBCN, brgnStateUtil, queueUpdatePstn).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from summitry.engines.smp.options import BARGAIN_MIN_WEIGHT, SMPOptions
from summitry.engines.smp.pce import scalar_pce
from summitry.engines.smp.rules import distances, seq_sum, utility

__all__ = ["Bargains", "interpolate", "make_bargains", "resolve_queues"]

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

CHUNK_ELEMENTS = 1 << 21
"""Upper bound on elements of a (samples, queues, voters, options, options) block."""


def _round4(x: Array) -> Array:
    return np.floor(0.5 + x * 10000.0) / 10000.0


def interpolate(
    ti: Array, si: Array, pi: Array, tj: Array, sj: Array, pj: Array, rule: str
) -> tuple[Array, Array]:
    """Bargain positions (b_i, b_j) per dimension; t, s (..., K), p (...).

    s2p2/s1p1: w_i = s_i^e p_i^e, w_j likewise (e = 2 or 1);
    b_i = round4(((w_i + 1e-6) t_i + w_j t_j) / (w_i + 1e-6 + w_j)), b_j with the 1e-6 on w_j.
    s2pmax: the less likely side moves toward the other by
    d s_other^2 / (d s_other^2 + 1e-6 + (1 - d) s_own^2), d = max(0, p_other - p_own).
    """
    pi = pi[..., None]
    pj = pj[..., None]
    mw = BARGAIN_MIN_WEIGHT
    if rule in ("s2p2", "s1p1"):
        if rule == "s2p2":
            wi = (si * si) * (pi * pi)
            wj = (sj * sj) * (pj * pj)
        else:
            wi = si * pi
            wj = sj * pj
        den = wi + mw + wj
        return (
            _round4(((wi + mw) * ti + wj * tj) / den),
            _round4((wi * ti + (mw + wj) * tj) / den),
        )
    if rule == "s2pmax":
        di = np.where(pj > pi, pj - pi, 0.0)
        dj = np.where(pi > pj, pi - pj, 0.0)
        si2 = si * si
        sj2 = sj * sj
        dik = (di * sj2) / ((di * sj2) + mw + ((1 - di) * si2))
        djk = (dj * si2) / ((dj * si2) + mw + ((1 - dj) * sj2))
        return ti + dik * (tj - ti), tj + djk * (ti - tj)
    raise ValueError(f"unknown bargain interpolation {rule!r}")


@dataclass(frozen=True)
class Bargains:
    """Bargains indexed by initiator i and variant r: ``init``/``rcvr`` (B, n, R, K) are the
    new positions of i and of its target; ``has`` (B, n); ``target`` (B, n)."""

    init: Array
    rcvr: Array
    has: Mask
    target: NDArray[np.int64]


def make_bargains(
    theta: Array,
    salience: Array,
    weight: Array,
    has: Mask,
    target: NDArray[np.int64],
    p_own: Array,
    p_target: Array | None,
    options: SMPOptions,
) -> Bargains:
    """Bargains of every challenge: from the initiator's estimate p_own = P^i_ij and, for
    init-rcvr and pw-comp, from the target's estimate p_target = P^j_ij.

    pw-comp averages the two with weights c_i S_i and c_j S_j (``weight``).
    """
    tgt = target[:, :, None]
    tj = np.take_along_axis(theta, tgt, axis=1)
    sj = np.take_along_axis(salience, tgt, axis=1)
    own = interpolate(theta, salience, p_own, tj, sj, 1 - p_own, options.bargain)
    if options.interp == "init-only":
        init, rcvr = own[0][:, :, None], own[1][:, :, None]
    else:
        assert p_target is not None
        other = interpolate(theta, salience, p_target, tj, sj, 1 - p_target, options.bargain)
        if options.interp == "init-rcvr":
            init = np.stack([own[0], other[0]], axis=2)
            rcvr = np.stack([own[1], other[1]], axis=2)
        else:
            wi = weight[:, :, None]
            wj = np.take_along_axis(weight, target, axis=1)[:, :, None]
            init = ((wi * own[0] + wj * other[0]) / (wi + wj))[:, :, None]
            rcvr = ((wi * own[1] + wj * other[1]) / (wi + wj))[:, :, None]
    return Bargains(init=init, rcvr=rcvr, has=has, target=target)


def _choose(
    slot_u: Array,
    order: NDArray[np.int64],
    count: NDArray[np.int64],
    capability: Array,
    options: SMPOptions,
    draws: Array | None,
) -> NDArray[np.int64]:
    """Index, within each queue, of the adopted option; queues (B, n_k) list their options'
    slots in ``order`` (first ``count`` valid). Queues are grouped by length so that a few
    long queues do not pad all the others."""
    chosen = np.zeros(count.shape, dtype=np.int64)
    qb, qk = np.nonzero(count > 1)  # a queue holding only the status quo keeps it
    if qb.size == 0:
        return chosen
    qlen = count[qb, qk]
    bucket = np.ceil(np.log2(qlen)).astype(np.int64)
    n_a = slot_u.shape[-1]
    for level in np.unique(bucket):
        sel = np.nonzero(bucket == level)[0]
        width = int(qlen[sel].max())
        step = max(1, CHUNK_ELEMENTS // max(1, n_a * width * width))
        for start in range(0, sel.size, step):
            part = sel[start : start + step]
            b, k = qb[part], qk[part]
            opts = order[b, k, :width]  # (Q, L)
            live = np.arange(width)[None, :] < qlen[part][:, None]
            u = np.swapaxes(slot_u[b[:, None], opts], -1, -2)  # (Q, n_a, L)
            p = scalar_pce(u, capability[b], options.voting, options.victory, options.pce, live)
            if options.resolution == "deterministic":
                pick = np.argmax(np.where(live, p, -np.inf), axis=-1)
            else:
                assert draws is not None
                run = np.cumsum(np.where(live, p, 0.0), axis=-1)
                hit = live & (draws[b, k][:, None] <= run)
                pick = np.where(hit.any(axis=-1), np.argmax(hit, axis=-1), qlen[part] - 1)
            chosen[b, k] = pick
    return chosen


def resolve_queues(
    theta: Array,
    ideal: Array,
    salience: Array,
    capability: Array,
    risk: Array,
    own_util: Array,
    bargains: Bargains,
    options: SMPOptions,
    draws: Array | None,
) -> Array:
    """New positions (B, n, K) after each actor's queue is resolved.

    own_util (B, n, n): U^a(a, x), each actor's own utility for each current position;
    risk (B, n): R_a, used for the bargained positions; draws (B, n): uniforms for the
    stochastic resolution (queue k adopts the first bargain whose cumulative probability
    reaches draws[:, k]).
    """
    b, n, dims = theta.shape
    nr = bargains.init.shape[2]
    per = nr + 1
    # utility to every actor of the state after each bargain, (B, n_i, R, n_a)
    flat_i = bargains.init.reshape(b, n * nr, dims)
    flat_r = bargains.rcvr.reshape(b, n * nr, dims)
    r_a = risk[:, :, None]
    u_init = utility(distances(ideal, flat_i, salience), r_a)  # (B, n_a, n*R)
    u_rcvr = utility(distances(ideal, flat_r, salience), r_a)
    # KTAB's order: initiator's and receiver's new positions, then the others in actor order
    after = u_init + u_rcvr  # (B, n_a, n*R)
    init_of = np.repeat(np.arange(n), nr)
    target_of = np.repeat(bargains.target, nr, axis=-1)[:, None, :]  # (B, 1, n*R)
    for x in range(n):
        keep = (init_of != x)[None, None, :] & (target_of != x)
        after = after + np.where(keep, own_util[:, :, x, None], 0.0)
    after = after / n
    status_quo = seq_sum(own_util) / n  # (B, n_a)

    # slot s = i*per + r': r' = 0 is i's status quo, r' >= 1 the (r'-1)-th bargain of i
    slot_u = np.empty((b, n, per, n))
    slot_u[:, :, 0, :] = status_quo[:, None, :]
    slot_u[:, :, 1:, :] = np.swapaxes(after, 1, 2).reshape(b, n, nr, n)
    slot_u = slot_u.reshape(b, n * per, n)
    k = np.arange(n)
    init_idx = np.repeat(k, per)  # initiator of each slot
    is_sq = np.tile(np.arange(per) == 0, n)
    named = (init_idx[None, None, :] == k[None, :, None]) | (
        bargains.target[:, None, init_idx] == k[None, :, None]
    )
    valid = np.where(
        is_sq[None, None, :],
        init_idx[None, None, :] == k[None, :, None],
        named & bargains.has[:, None, init_idx],
    )  # (B, n_k, n*per)
    count = valid.sum(axis=-1)
    width = int(count.max())
    order = np.argsort(~valid, axis=-1, kind="stable")[..., :width]  # (B, n_k, L)
    chosen = _choose(slot_u, order, count, capability, options, draws)
    slot = np.take_along_axis(order, chosen[..., None], axis=-1)[..., 0]  # (B, n_k)
    ini = slot // per
    var = slot % per - 1
    bi = np.take_along_axis(bargains.init, ini[:, :, None, None], axis=1)  # (B, n_k, R, K)
    br = np.take_along_axis(bargains.rcvr, ini[:, :, None, None], axis=1)
    vsel = np.maximum(var, 0)[:, :, None, None]
    pos_init = np.take_along_axis(bi, vsel, axis=2)[:, :, 0]
    pos_rcvr = np.take_along_axis(br, vsel, axis=2)[:, :, 0]
    moved = np.where((ini == k[None, :])[..., None], pos_init, pos_rcvr)
    return np.where((var < 0)[..., None], theta, moved)
