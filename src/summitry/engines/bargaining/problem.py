"""Inputs of the bargaining engine: one frozen dataclass of sample arrays.

docs/models/bargaining.md, "The model".

Every array carries the sample axis first (B draws). Issues are scaled to [0, 1]; the two
principals are A (the United States in the reference case) and B (the DPRK); ratifiers are
A-side veto players of Putnam's (1988) two-level game, V >= 0 of them. Issue-specific
consent (docs/models/bargaining.md, "Issue-specific consent") arrives as a box of feasible
deal values per issue, [box_lo_d, box_hi_d], which always contains z0_d.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Form = Literal["linear", "quadratic"]
"""``linear``: u(z) = 1 - sum_d w_d |z_d - x_d|;
``quadratic``: u(z) = 1 - sum_d w_d (z_d - x_d)^2."""

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

WEIGHT_SUM_TOL = 1e-9
"""Salience weights must sum to 1 within this tolerance."""


@dataclass(frozen=True)
class BargainingProblem:
    """A batch of B bilateral bargaining problems over D issues with V ratifiers.

    ``a``, ``b``, ``w_a``, ``w_b``, ``z0``: (B, D) ideal points, salience weights (>= 0, summing
    to 1) and the no-deal point; ``o_a``, ``o_b``: (B,) outside-option values; ``tau_a``,
    ``tau_b``: (B,) credibility in [0, 1] (the probability each side gives to the other
    carrying out its concessions); ``delta_a``, ``delta_b``: (B,) patience in (0, 1);
    ``ratifier_ideal``, ``ratifier_weight``: (B, V, D); ``ratifier_offset``: (B, V), so that
    ratifier v accepts z iff u_v(z) >= u_v(z0) + offset_v. ``box_lo``, ``box_hi``: (B, D) the
    deal values the issue's consenters accept, 0 <= box_lo <= z0 <= box_hi <= 1 (default the
    whole [0, 1]: no consent constraint). Build it with :meth:`build`, which broadcasts scalars
    and single profiles over the batch and checks every range.
    """

    a: FloatArray
    b: FloatArray
    w_a: FloatArray
    w_b: FloatArray
    z0: FloatArray
    o_a: FloatArray
    o_b: FloatArray
    tau_a: FloatArray
    tau_b: FloatArray
    delta_a: FloatArray
    delta_b: FloatArray
    ratifier_ideal: FloatArray
    ratifier_weight: FloatArray
    ratifier_offset: FloatArray
    form: Form = "linear"
    box_lo: FloatArray | None = None
    box_hi: FloatArray | None = None

    def __post_init__(self) -> None:
        shape = np.shape(self.a)
        if self.box_lo is None:
            object.__setattr__(self, "box_lo", np.zeros(shape))
        if self.box_hi is None:
            object.__setattr__(self, "box_hi", np.ones(shape))
        _validate(self)

    @property
    def lower(self) -> FloatArray:
        """``box_lo`` as an array (B, D): the lowest deal value the consenters accept."""
        assert self.box_lo is not None  # set in __post_init__
        return self.box_lo

    @property
    def upper(self) -> FloatArray:
        """``box_hi`` as an array (B, D): the highest deal value the consenters accept."""
        assert self.box_hi is not None  # set in __post_init__
        return self.box_hi

    def arrays(self, rows: slice) -> tuple[FloatArray, ...]:
        """Views of the per-sample arrays the exact representations are built from, for
        ``rows``: a, b, w_a, w_b, z0, tau_a, tau_b, ratifier_ideal, ratifier_weight, and the
        consent box (lower, upper)."""
        names = ("a", "b", "w_a", "w_b", "z0", "tau_a", "tau_b")
        return (
            *(getattr(self, n)[rows] for n in names),
            self.ratifier_ideal[rows],
            self.ratifier_weight[rows],
            self.lower[rows],
            self.upper[rows],
        )

    @property
    def size(self) -> int:
        """B, the number of samples."""
        return int(self.a.shape[0])

    @property
    def n_issues(self) -> int:
        """D, the number of issues."""
        return int(self.a.shape[1])

    @property
    def n_ratifiers(self) -> int:
        """V, the number of ratifiers."""
        return int(self.ratifier_ideal.shape[1])

    @classmethod
    def build(
        cls,
        *,
        a: ArrayLike,
        b: ArrayLike,
        w_a: ArrayLike,
        w_b: ArrayLike,
        z0: ArrayLike,
        o_a: ArrayLike = 0.0,
        o_b: ArrayLike = 0.0,
        tau_a: ArrayLike = 1.0,
        tau_b: ArrayLike = 1.0,
        delta_a: ArrayLike = 0.95,
        delta_b: ArrayLike = 0.95,
        ratifier_ideal: ArrayLike | None = None,
        ratifier_weight: ArrayLike | None = None,
        ratifier_offset: ArrayLike | None = None,
        form: Form = "linear",
        size: int | None = None,
        box_lo: ArrayLike | None = None,
        box_hi: ArrayLike | None = None,
    ) -> BargainingProblem:
        """Broadcast the inputs to a batch and validate them.

        The batch size is ``size`` if given, else the largest leading axis among the (B, D)
        arrays (a 1-D array of length D is one profile shared by every sample), else 1.
        Ratifier arrays may be (V, D) / (V,) (shared) or (B, V, D) / (B, V); the consent box
        ``box_lo``/``box_hi`` (D,) or (B, D), by default [0, 1] on every issue.
        """
        per_issue = {k: np.asarray(v, dtype=float) for k, v in (("a", a), ("b", b))}
        per_issue |= {"w_a": np.asarray(w_a, float), "w_b": np.asarray(w_b, float)}
        per_issue["z0"] = np.asarray(z0, dtype=float)
        dims = {v.shape[-1] for v in per_issue.values() if v.ndim >= 1}
        if len(dims) != 1:
            raise ValueError(f"bargaining: issue arrays disagree on the number of issues {dims}")
        n_issues = dims.pop()
        if size is None:
            size = max([v.shape[0] for v in per_issue.values() if v.ndim == 2] or [1])
            scalars = (o_a, o_b, tau_a, tau_b, delta_a, delta_b)
            size = max([size] + [np.size(s) for s in scalars if np.ndim(s) == 1])
        shape2 = (size, n_issues)
        arrays = {k: _broadcast(k, v, shape2) for k, v in per_issue.items()}
        for key, value in (
            ("o_a", o_a),
            ("o_b", o_b),
            ("tau_a", tau_a),
            ("tau_b", tau_b),
            ("delta_a", delta_a),
            ("delta_b", delta_b),
        ):
            arrays[key] = _broadcast(key, np.asarray(value, dtype=float), (size,))
        if ratifier_ideal is None:
            if ratifier_weight is not None or ratifier_offset is not None:
                raise ValueError("bargaining: ratifier weights/offsets given without ideal points")
            ideal = np.zeros((size, 0, n_issues))
            weight = np.zeros((size, 0, n_issues))
            offset = np.zeros((size, 0))
        else:
            r_ideal = np.asarray(ratifier_ideal, dtype=float)
            if r_ideal.ndim == 2:
                r_ideal = r_ideal[None]
            n_rat = r_ideal.shape[1] if r_ideal.ndim == 3 else 0
            ideal = _broadcast("ratifier_ideal", r_ideal, (size, n_rat, n_issues))
            if ratifier_weight is None:
                raise ValueError("bargaining: ratifier_weight is required with ratifier_ideal")
            r_weight = np.asarray(ratifier_weight, dtype=float)
            weight = _broadcast(
                "ratifier_weight", r_weight[None] if r_weight.ndim == 2 else r_weight, ideal.shape
            )
            r_offset = np.asarray(0.0 if ratifier_offset is None else ratifier_offset, float)
            offset = _broadcast(
                "ratifier_offset",
                r_offset[None] if r_offset.ndim == 1 else r_offset,
                ideal.shape[:2],
            )
        box = {
            key: _broadcast(key, np.asarray(default if value is None else value, float), shape2)
            for key, value, default in (("box_lo", box_lo, 0.0), ("box_hi", box_hi, 1.0))
        }
        return cls(
            **arrays,
            ratifier_ideal=ideal,
            ratifier_weight=weight,
            ratifier_offset=offset,
            form=form,
            **box,
        )

    def take(self, index: ArrayLike) -> BargainingProblem:
        """The sub-batch of the samples selected by ``index`` (an index array or a mask)."""
        idx = np.asarray(index)
        return BargainingProblem(
            a=self.a[idx],
            b=self.b[idx],
            w_a=self.w_a[idx],
            w_b=self.w_b[idx],
            z0=self.z0[idx],
            o_a=self.o_a[idx],
            o_b=self.o_b[idx],
            tau_a=self.tau_a[idx],
            tau_b=self.tau_b[idx],
            delta_a=self.delta_a[idx],
            delta_b=self.delta_b[idx],
            ratifier_ideal=self.ratifier_ideal[idx],
            ratifier_weight=self.ratifier_weight[idx],
            ratifier_offset=self.ratifier_offset[idx],
            form=self.form,
            box_lo=self.lower[idx],
            box_hi=self.upper[idx],
        )

    def repeat(self, count: int) -> BargainingProblem:
        """A batch of ``count`` copies of a single-sample problem (B must be 1)."""
        if self.size != 1:
            raise ValueError("bargaining: repeat() needs a single-sample problem")
        return self.take(np.zeros(count, dtype=np.intp))


def _broadcast(name: str, value: NDArray[np.float64], shape: tuple[int, ...]) -> FloatArray:
    try:
        out = np.broadcast_to(value, shape)
    except ValueError:
        raise ValueError(
            f"bargaining: {name} has shape {value.shape}, which does not fit {shape}"
        ) from None
    return np.array(out, dtype=np.float64)


def _check(ok: BoolArray, name: str, what: str) -> None:
    if not bool(np.all(ok)):
        bad = np.argwhere(~ok)[0]
        raise ValueError(f"bargaining: {name} {what} (first offending index {tuple(bad)})")


def _validate(p: BargainingProblem) -> None:
    if p.form not in ("linear", "quadratic"):
        raise ValueError(f"bargaining: form must be 'linear' or 'quadratic', not {p.form!r}")
    if p.a.ndim != 2:
        raise ValueError(f"bargaining: a must be (B, D), got shape {p.a.shape}")
    size, n_issues = p.a.shape
    if n_issues < 1:
        raise ValueError("bargaining: at least one issue is needed")
    for name in ("b", "w_a", "w_b", "z0", "box_lo", "box_hi"):
        if getattr(p, name).shape != (size, n_issues):
            raise ValueError(f"bargaining: {name} must have shape {(size, n_issues)}")
    for name in ("o_a", "o_b", "tau_a", "tau_b", "delta_a", "delta_b"):
        if getattr(p, name).shape != (size,):
            raise ValueError(f"bargaining: {name} must have shape {(size,)}")
    ideal, weight, offset = p.ratifier_ideal, p.ratifier_weight, p.ratifier_offset
    if ideal.ndim != 3 or ideal.shape[0] != size or ideal.shape[2] != n_issues:
        raise ValueError(f"bargaining: ratifier_ideal must be (B, V, D), got {ideal.shape}")
    if weight.shape != ideal.shape or offset.shape != ideal.shape[:2]:
        raise ValueError("bargaining: ratifier_weight must be (B, V, D) and offset (B, V)")
    names = (
        *("a", "b", "w_a", "w_b", "z0", "o_a", "o_b", "tau_a", "tau_b", "delta_a", "delta_b"),
        *("ratifier_ideal", "ratifier_weight", "ratifier_offset", "box_lo", "box_hi"),
    )
    for name in names:
        _check(np.isfinite(getattr(p, name)), name, "must be finite")
    for name in ("a", "b", "z0", "ratifier_ideal", "box_lo", "box_hi"):
        value = getattr(p, name)
        _check((value >= 0.0) & (value <= 1.0), name, "must lie in [0, 1]")
    _check(p.lower <= p.z0, "box_lo", "must not exceed z0 (no deal is always acceptable)")
    _check(p.z0 <= p.upper, "box_hi", "must not be below z0 (no deal is always acceptable)")
    for name in ("w_a", "w_b", "ratifier_weight"):
        value = getattr(p, name)
        _check(value >= 0.0, name, "must be >= 0")
        _check(np.abs(value.sum(axis=-1) - 1.0) <= WEIGHT_SUM_TOL, name, "must sum to 1")
    for name in ("tau_a", "tau_b"):
        value = getattr(p, name)
        _check((value >= 0.0) & (value <= 1.0), name, "must lie in [0, 1]")
    for name in ("delta_a", "delta_b"):
        value = getattr(p, name)
        _check((value > 0.0) & (value < 1.0), name, "must lie in (0, 1)")
