"""Utilities of the bargaining model (docs/models/bargaining.md), batched over samples.

Linear loss (default)      u_X(z) = 1 - sum_d w^X_d |z_d - x^X_d|
Quadratic loss (option)    u_X(z) = 1 - sum_d w^X_d (z_d - x^X_d)^2
Reservation                d_X = u_X(z0) + o_X

Credibility (the commitment problem, Fearon 1995): B gives probability tau_B to A carrying
out its concessions. An issue counts as A's concession when the package improves B's term on
it relative to z0 (g^B_d > 0, with g^B_d = B's issue-d term at z minus at z0); undoing it
returns that issue to z0 and keeps every other issue, so

    u_B^eff(z) = tau_B u_B(z) + (1 - tau_B) u_B(z with A's concessions undone)
               = u_B(z0) + sum_d min(g^B_d, tau_B g^B_d).

A is treated symmetrically with tau_A and B's concessions (the issues on which the package
improves A's term). Both effective utilities are concave in z, so the agreement set stays
convex. Ratifiers value the package itself (raw utility).
"""

from __future__ import annotations

import numpy as np

from summitry.engines.bargaining.problem import BargainingProblem, FloatArray, Form


def issue_terms(z: FloatArray, ideal: FloatArray, weight: FloatArray, form: Form) -> FloatArray:
    """Per-issue utility terms -w_d |z_d - x_d| (or -w_d (z_d - x_d)^2), same shape as z."""
    gap = z - ideal
    loss = np.abs(gap) if form == "linear" else gap * gap
    return -weight * loss


def utility(z: FloatArray, ideal: FloatArray, weight: FloatArray, form: Form) -> FloatArray:
    """u(z) = 1 + sum_d issue_terms (last axis is the issue axis)."""
    return 1.0 + issue_terms(z, ideal, weight, form).sum(axis=-1)


def effective_utility(
    z: FloatArray,
    ideal: FloatArray,
    weight: FloatArray,
    z0: FloatArray,
    tau: FloatArray,
    form: Form,
) -> FloatArray:
    """u^eff(z) = u(z0) + sum_d min(g_d, tau g_d), g_d = issue term at z minus at z0.

    ``tau`` has the shape of z without its issue axis.
    """
    base = issue_terms(z0, ideal, weight, form)
    gain = issue_terms(z, ideal, weight, form) - base
    tau_d = np.asarray(tau)[..., None]
    return 1.0 + base.sum(axis=-1) + np.where(gain > 0.0, tau_d * gain, gain).sum(axis=-1)


def undo_concessions(z: FloatArray, ideal: FloatArray, z0: FloatArray, form: Form) -> FloatArray:
    """The package with the other side's concessions undone: issues whose term improved for the
    holder of ``ideal`` (relative to z0) go back to z0, the others stay
    (docs/models/bargaining.md, "Credibility")."""
    ones = np.ones_like(z)
    improved = issue_terms(z, ideal, ones, form) > issue_terms(z0, ideal, ones, form)
    return np.where(improved, z0, z)


def rubinstein_alpha(delta_a: FloatArray, delta_b: FloatArray) -> FloatArray:
    """A's bargaining power alpha_A = ln(delta_B) / (ln(delta_A) + ln(delta_B)).

    The limit of Rubinstein's (1982) alternating-offers split as the time between offers goes
    to zero (Binmore, Rubinstein & Wolinsky 1986); equal patience gives 1/2.
    """
    la = np.log(np.asarray(delta_a, dtype=float))
    lb = np.log(np.asarray(delta_b, dtype=float))
    return np.asarray(lb / (la + lb), dtype=float)


def reservations(p: BargainingProblem) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(d_A, d_B, d_V): u_X(z0) + o_X for both principals (B,) and each ratifier (B, V)."""
    d_a = utility(p.z0, p.a, p.w_a, p.form) + p.o_a
    d_b = utility(p.z0, p.b, p.w_b, p.form) + p.o_b
    d_v = utility(p.z0[:, None, :], p.ratifier_ideal, p.ratifier_weight, p.form) + p.ratifier_offset
    return d_a, d_b, d_v


def party_utilities(p: BargainingProblem, z: FloatArray) -> FloatArray:
    """(B, 2 + V): effective u_A, effective u_B and each ratifier's raw u_v at packages z (B, D)."""
    u_a = effective_utility(z, p.a, p.w_a, p.z0, p.tau_a, p.form)
    u_b = effective_utility(z, p.b, p.w_b, p.z0, p.tau_b, p.form)
    u_v = utility(z[:, None, :], p.ratifier_ideal, p.ratifier_weight, p.form)
    return np.concatenate([u_a[:, None], u_b[:, None], u_v], axis=1)


def party_reservations(p: BargainingProblem) -> FloatArray:
    """(B, 2 + V): d_A, d_B and each d_v, in the column order of :func:`party_utilities`."""
    d_a, d_b, d_v = reservations(p)
    return np.concatenate([d_a[:, None], d_b[:, None], d_v], axis=1)
