"""Quantities: the uncertain numbers of a scenario.

docs/scenario-format.md, "Numbers: fixed values and distributions".

A quantity is a fixed value or one of five distributions. Each model checks what it can
check on its own (finite parameters, ``low <= mode <= high``, weights summing to 1); whether
its support fits the slot's legal range is checked by :func:`range_problems`, which the
loader calls once it knows each slot's range.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    model_validator,
)

Num = Annotated[float, Strict(), AllowInfNan(False)]
"""A finite number; integers are accepted, booleans and numeric strings are not."""

Text = Annotated[str, Strict()]
"""Text; a number in its place is an error rather than silently turned into text."""

Loc = tuple[Any, ...]
"""A location inside a document: mapping keys (as in the data) and list indices."""

Range = tuple[float, float]
"""A closed interval ``(lo, hi)``; ``hi`` may be ``inf`` (capability)."""

WEIGHT_TOLERANCE = 1e-6


def fmt(x: float) -> str:
    """A number as a person would write it: ``100`` not ``100.0``, ``.inf`` for infinity."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return repr(x)
    if isinstance(x, int):
        text = str(x)
        return text if len(text) <= 20 else f"{text[:6]}... ({len(text.lstrip('-'))} digits)"
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClassVar[str] = ""
    source: Text | None = None
    note: Text | None = None

    def central(self) -> float:
        """The value shown in tables and used by one-sample point runs."""
        raise NotImplementedError

    def describe(self) -> str:
        """A short human form, e.g. ``triangular(0, 5, 20)``."""
        raise NotImplementedError

    def to_data(self) -> dict[str, Any]:
        """The mapping form of this quantity, as it would be written in YAML."""
        return self.model_dump(exclude_none=True)


class Fixed(_Base):
    """A known number: ``4`` or ``{value: 4, source: ...}``."""

    kind: ClassVar[str] = "fixed"
    value: Num

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"value": data}
        return data

    def central(self) -> float:
        return self.value

    def describe(self) -> str:
        return "fixed"


class Normal(_Base):
    """Normal(mean, sd) truncated to the slot's legal range, narrowed by ``low``/``high``."""

    kind: ClassVar[str] = "normal"
    dist: Literal["normal"] = "normal"
    mean: Num
    sd: Annotated[Num, Field(gt=0)]
    low: Num | None = None
    high: Num | None = None

    @model_validator(mode="after")
    def _check(self) -> Normal:
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"low ({fmt(self.low)}) must be below high ({fmt(self.high)})")
        if self.low is not None and self.mean < self.low:
            raise ValueError(f"mean {fmt(self.mean)} is below low ({fmt(self.low)})")
        if self.high is not None and self.mean > self.high:
            raise ValueError(f"mean {fmt(self.mean)} is above high ({fmt(self.high)})")
        return self

    def central(self) -> float:
        return self.mean

    def describe(self) -> str:
        text = f"normal(mean {fmt(self.mean)}, sd {fmt(self.sd)})"
        if self.low is not None or self.high is not None:
            lo = "" if self.low is None else fmt(self.low)
            hi = "" if self.high is None else fmt(self.high)
            text += f" within [{lo}, {hi}]"
        return text


class Triangular(_Base):
    """Triangular on [low, high] with peak at ``mode``."""

    kind: ClassVar[str] = "triangular"
    dist: Literal["triangular"] = "triangular"
    low: Num
    mode: Num
    high: Num

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        if self.low >= self.high:
            raise ValueError(f"low ({fmt(self.low)}) must be below high ({fmt(self.high)})")
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                f"mode {fmt(self.mode)} is outside [low, high] = "
                f"[{fmt(self.low)}, {fmt(self.high)}]"
            )
        return self

    def central(self) -> float:
        return self.mode

    def describe(self) -> str:
        return f"triangular({fmt(self.low)}, {fmt(self.mode)}, {fmt(self.high)})"


class Uniform(_Base):
    """Uniform on [low, high]."""

    kind: ClassVar[str] = "uniform"
    dist: Literal["uniform"] = "uniform"
    low: Num
    high: Num

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        if self.low >= self.high:
            raise ValueError(f"low ({fmt(self.low)}) must be below high ({fmt(self.high)})")
        return self

    def central(self) -> float:
        return (self.low + self.high) / 2

    def describe(self) -> str:
        return f"uniform({fmt(self.low)}, {fmt(self.high)})"


class Beta(_Base):
    """Beta(alpha, beta) rescaled to [low, high]; the loader fills absent bounds with the
    slot's legal range, so a loaded Beta always has both."""

    kind: ClassVar[str] = "beta"
    dist: Literal["beta"] = "beta"
    alpha: Annotated[Num, Field(gt=0)]
    beta: Annotated[Num, Field(gt=0)]
    low: Num | None = None
    high: Num | None = None

    @model_validator(mode="after")
    def _check(self) -> Beta:
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"low ({fmt(self.low)}) must be below high ({fmt(self.high)})")
        return self

    def central(self) -> float:
        """Mean of the rescaled beta: low + (high - low) alpha / (alpha + beta)."""
        if self.low is None or self.high is None:
            raise ValueError("a beta without low/high has no central value outside a scenario")
        return self.low + (self.high - self.low) * self.alpha / (self.alpha + self.beta)

    def describe(self) -> str:
        text = f"beta({fmt(self.alpha)}, {fmt(self.beta)})"
        if self.low is not None and self.high is not None:
            text += f" on [{fmt(self.low)}, {fmt(self.high)}]"
        return text


class Choice(_Base):
    """One of ``values`` with probabilities ``weights`` (equal when absent)."""

    kind: ClassVar[str] = "choice"
    dist: Literal["choice"] = "choice"
    values: Annotated[list[Num], Field(min_length=1)]
    weights: list[Annotated[Num, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _check(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"{len(self.weights)} weights for {len(self.values)} values: "
                    "give one weight per value"
                )
            total = math.fsum(self.weights)
            if abs(total - 1.0) > WEIGHT_TOLERANCE:
                raise ValueError(f"weights sum to {fmt(total)}, not 1")
        return self

    def central(self) -> float:
        """The value of highest weight (the first one on ties)."""
        if self.weights is None:
            return self.values[0]
        best = max(range(len(self.values)), key=lambda i: (self.weights or [])[i])
        return self.values[best]

    def describe(self) -> str:
        text = "choice(" + ", ".join(fmt(v) for v in self.values)
        if self.weights is not None:
            text += "; weights " + ", ".join(fmt(w) for w in self.weights)
        return text + ")"


CLASSES: dict[str, type[_Base]] = {
    c.kind: c for c in (Fixed, Normal, Triangular, Uniform, Beta, Choice)
}
DISTRIBUTIONS = [k for k in CLASSES if k != "fixed"]


def quantity_tag(data: Any) -> str | None:
    """The discriminator: a plain number or a mapping without ``dist`` is ``fixed``;
    a mapping with ``dist`` names its class; anything else has no tag (an error)."""
    if isinstance(data, _Base):
        return data.kind
    if isinstance(data, bool):
        return None
    if isinstance(data, int | float):
        return "fixed"
    if isinstance(data, dict):
        dist = data.get("dist")
        if dist is None and "dist" not in data:
            return "fixed"
        return dist if isinstance(dist, str) else None
    return None


Quantity = Annotated[
    Annotated[Fixed, Tag("fixed")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[Triangular, Tag("triangular")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Beta, Tag("beta")]
    | Annotated[Choice, Tag("choice")],
    Discriminator(quantity_tag),
]
"""Any quantity; validation picks the class from ``dist`` (none: :class:`Fixed`)."""

AnyQuantity = Fixed | Normal | Triangular | Uniform | Beta | Choice
"""The same union for type hints and ``isinstance``."""


def range_problems(q: AnyQuantity, legal: Range, what: str = "") -> list[tuple[Loc, str]]:
    """Every way ``q`` can produce a value outside ``legal``.

    Returns ``(loc, message)`` pairs, ``loc`` the offending parameter within the quantity
    (``()``: the quantity as a whole). ``what`` is appended to messages, e.g.
    ``" (scale [0, 100])"``.
    """
    lo, hi = legal
    out: list[tuple[Loc, str]] = []

    def check(loc: Loc, x: float | None, label: str = "") -> None:
        if x is None:
            return
        if x < lo:
            out.append((loc, f"{label}{fmt(x)} is below {fmt(lo)}{what}"))
        elif x > hi:
            out.append((loc, f"{label}{fmt(x)} is above {fmt(hi)}{what}"))

    match q:
        case Fixed():
            check(("value",), q.value)
        case Normal():
            check(("mean",), q.mean, "mean ")
            check(("low",), q.low, "low ")
            check(("high",), q.high, "high ")
        case Triangular() | Uniform():
            check(("low",), q.low, "low ")
            check(("high",), q.high, "high ")
        case Beta():
            check(("low",), q.low, "low ")
            check(("high",), q.high, "high ")
            if (math.isinf(hi) and q.high is None) or (math.isinf(lo) and q.low is None):
                out.append(((), "a beta here needs explicit low and high (the range is open)"))
        case Choice():
            for i, v in enumerate(q.values):
                check(("values", i), v)
    return out


def with_bounds(q: AnyQuantity, legal: Range) -> AnyQuantity:
    """``q`` with a beta's absent ``low``/``high`` filled from the legal range."""
    if isinstance(q, Beta) and (q.low is None or q.high is None):
        low = legal[0] if q.low is None else q.low
        high = legal[1] if q.high is None else q.high
        if math.isfinite(low) and math.isfinite(high) and low < high:
            return q.model_copy(update={"low": low, "high": high})
    return q
