"""Scenario quantities -> arrays of Monte Carlo draws, reproducibly.

Contract: ``draw(scenario, samples, seed, start=0)`` returns rows ``start .. start+samples-1``
of one infinite, seed-determined sequence of draws. Samples are generated in fixed blocks
of :data:`BLOCK` rows; block ``k`` uses its own stream, the ``k``-th child of
``SeedSequence(seed)`` (``SeedSequence(seed, spawn_key=(k,))``, as ``SeedSequence.spawn``
would make it). A chunk of any size therefore sees exactly the numbers an uninterrupted
run sees, whatever the chunk size or the number of workers.

Within a block every quantity is drawn by inverse transform from ``BLOCK`` uniforms, in the
fixed order of :meth:`Scenario.quantities`; a fixed value consumes its uniforms too, so that
changing one quantity's distribution never shifts the draws of the others. The consenters'
tolerances (``issues.<issue>.consent.<actor>.tolerance``, docs/models/bargaining.md) take
their uniforms, in the same order, from a stream of their own (the block's third child
seed), so that adding or removing consent leaves every other draw as it was. Truncated
normals are truncated to the slot's legal range (and to ``low``/``high`` when given).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from summitry.limits import MAX_SAMPLES
from summitry.scenario import Scenario
from summitry.scenario.consent import is_tolerance_path
from summitry.scenario.quantities import Beta, Choice, Fixed, Normal, Triangular, Uniform

BLOCK = 1024
"""Rows per seed block. Changing it changes every stream: it is part of the format."""


Array = NDArray[np.float64]


@dataclass(frozen=True)
class Draws:
    """Sampled inputs, one row per sample.

    ``capability`` (B, n); ``position`` and ``salience`` (B, n, D) with actors and issues in
    scenario order; ``status_quo`` (B, D), NaN where the scenario states none.
    ``engine_seeds`` (B,) uint64 seeds for engines that need randomness of their own
    (one per sample, from the same block streams). ``extra`` holds every other uncertain
    input by its dotted path (B,): the bargaining and options inputs, and the issue-specific
    capabilities ``actors.<id>.capability_by_issue.<issue>`` that
    :func:`issue_capability` puts in place for the expected-utility model.
    """

    capability: Array
    position: Array
    salience: Array
    status_quo: Array
    engine_seeds: NDArray[np.uint64]
    extra: dict[str, Array]

    @property
    def samples(self) -> int:
        return int(self.capability.shape[0])


def from_uniform(quantity: object, u: Array, legal: tuple[float, float]) -> Array:
    """Map uniforms ``u`` in (0, 1) to draws of ``quantity`` (inverse CDF).

    The legal range bounds every draw; a normal is truncated to it.
    """
    lo, hi = legal
    match quantity:
        case Fixed(value=value):
            out = np.full(u.shape, float(value))
        case Normal(mean=mean, sd=sd, low=low, high=high):
            a_val = lo if low is None else max(lo, low)
            b_val = hi if high is None else min(hi, high)
            out = _truncnorm_ppf(u, (a_val - mean) / sd, (b_val - mean) / sd) * sd + mean
        case Triangular(low=low, mode=mode, high=high):
            width = high - low
            left = low + np.sqrt(u * width * (mode - low))
            right = high - np.sqrt((1.0 - u) * width * (high - mode))
            out = np.where(u < (mode - low) / width, left, right)
        case Uniform(low=low, high=high):
            out = low + u * (high - low)
        case Beta(alpha=alpha, beta=beta, low=low, high=high):
            b_lo = lo if low is None else low
            b_hi = hi if high is None else high
            out = b_lo + special.betaincinv(alpha, beta, u) * (b_hi - b_lo)
        case Choice(values=values, weights=weights):
            vals = np.asarray(values, dtype=float)
            w = np.full(len(vals), 1.0 / len(vals)) if weights is None else np.asarray(weights)
            cum = np.cumsum(w)
            cum = cum / cum[-1]
            idx = np.minimum(np.searchsorted(cum, u, side="right"), len(vals) - 1)
            out = vals[idx]
        case _:
            raise TypeError(f"not a quantity: {quantity!r}")
    return np.clip(np.asarray(out, dtype=float), lo, hi)


def _truncnorm_ppf(u: Array, a: float, b: float) -> Array:
    """Inverse CDF of the standard normal truncated to [a, b] (a < b; either may be inf).

    Works in the left tail (reflecting when a > 0), where ``ndtr`` and ``ndtri`` keep their
    relative precision, so truncation far from the mean stays accurate.
    """
    if a > 0:
        return -_truncnorm_ppf(1.0 - u, -b, -a)
    pa, pb = special.ndtr(a), special.ndtr(b)
    return np.clip(special.ndtri(pa + u * (pb - pa)), a, b)


def central(scenario: Scenario) -> Draws:
    """A single 'sample' made of every quantity's central value (no randomness)."""
    values = np.array([q.central() for _, q, _ in scenario.quantities()], dtype=float)
    return assemble(scenario, values[None, :], np.zeros(1, dtype=np.uint64))


def draw(scenario: Scenario, samples: int, seed: int, start: int = 0) -> Draws:
    """Rows ``start .. start + samples - 1`` of the seed's draw sequence (see module doc)."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be between 1 and {MAX_SAMPLES:,}, got {samples}")
    if start < 0:
        raise ValueError(f"start must be >= 0, got {start}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    first, last = start // BLOCK, (start + samples - 1) // BLOCK
    blocks = [_block(scenario, seed, k) for k in range(first, last + 1)]
    values = np.concatenate([b[0] for b in blocks])
    seeds = np.concatenate([b[1] for b in blocks])
    offset = start - first * BLOCK
    rows = slice(offset, offset + samples)
    return assemble(scenario, values[rows], seeds[rows])


def _block(scenario: Scenario, seed: int, k: int) -> tuple[Array, NDArray[np.uint64]]:
    """All quantities for block ``k``: values (BLOCK, Q) and engine seeds (BLOCK,)."""
    # spawn(3) gives the same first two children as spawn(2): the third is the consent stream
    inputs_ss, engine_ss, consent_ss = np.random.SeedSequence(seed, spawn_key=(k,)).spawn(3)
    rng = np.random.Generator(np.random.PCG64(inputs_ss))
    quantities = scenario.quantities()
    consent = [is_tolerance_path(path) for path, _, _ in quantities]
    u = rng.random((consent.count(False), BLOCK))
    u_consent = np.random.Generator(np.random.PCG64(consent_ss)).random((sum(consent), BLOCK))
    rows, main, extra = [], iter(u), iter(u_consent)
    for own in consent:
        rows.append(next(extra) if own else next(main))
    columns = [from_uniform(q, rows[i], legal) for i, (_, q, legal) in enumerate(quantities)]
    values = np.stack(columns, axis=1) if columns else np.empty((BLOCK, 0))
    engine_rng = np.random.Generator(np.random.PCG64(engine_ss))
    seeds = engine_rng.integers(0, 2**63, size=BLOCK, dtype=np.uint64)
    return values, seeds


def assemble(scenario: Scenario, values: Array, seeds: NDArray[np.uint64]) -> Draws:
    """Place the columns of ``values`` (B, Q), in ``Scenario.quantities()`` order, into
    named arrays. Used by :func:`draw` and by callers with their own design of inputs
    (sensitivity analysis)."""
    issues, actors = scenario.issue_ids, scenario.actor_ids
    n, d, b = len(actors), len(issues), values.shape[0]
    capability = np.empty((b, n))
    position = np.empty((b, n, d))
    salience = np.empty((b, n, d))
    status_quo = np.full((b, d), np.nan)
    a_index = {a: i for i, a in enumerate(actors)}
    d_index = {s: i for i, s in enumerate(issues)}
    extra: dict[str, Array] = {}
    for col, (path, _, _) in enumerate(scenario.quantities()):
        match path.split("."):
            case ["issues", issue, "status_quo"]:
                status_quo[:, d_index[issue]] = values[:, col]
            case ["actors", actor, "capability"]:
                capability[:, a_index[actor]] = values[:, col]
            case ["actors", _, "capability_by_issue", _]:
                extra[path] = values[:, col]  # read by issue_capability
            case ["actors", actor, "positions", issue]:
                position[:, a_index[actor], d_index[issue]] = values[:, col]
            case ["actors", actor, "salience", issue]:
                salience[:, a_index[actor], d_index[issue]] = values[:, col]
            case _:
                extra[path] = values[:, col]
    return Draws(capability, position, salience, status_quo, seeds, extra)


def issue_capability(scenario: Scenario, draws: Draws) -> Array:
    """Each actor's capability on each issue, (B, n, D), for the expected-utility model.

    ``draws.capability`` on every issue, except where the scenario gives an actor a
    ``capability_by_issue`` entry: that entry's draws (in ``draws.extra`` by its dotted path)
    on that issue. Without such entries every issue gets exactly ``draws.capability``.
    """
    out = np.repeat(draws.capability[:, :, None], len(scenario.issues), axis=2)
    for k, actor in enumerate(scenario.actors):
        for d, issue in enumerate(scenario.issue_ids):
            if issue in (actor.capability_by_issue or {}):
                out[:, k, d] = draws.extra[f"actors.{actor.id}.capability_by_issue.{issue}"]
    return out
