"""Global sensitivity of any forecast output to the scenario's uncertain inputs (SALib).

Every uncertain (non-fixed) quantity of a scenario is one factor, named by its dotted path
(``actors.russia.positions.sanctions_relief``) and uniform on [0, 1]: the factor is the
input's quantile level ``u``, mapped to a value by the input's inverse CDF
(:func:`summitry.sampling.from_uniform`). SALib therefore samples and analyses a unit
hypercube while the model sees every input with the distribution the scenario states.
Fixed values are not factors (they have no variance to attribute); uncertain inputs left
out of a restricted analysis (``inputs=`` patterns) are held at their central values.

Methods (Saltelli et al. 2010, doi:10.1016/j.cpc.2009.09.018; Morris 1991,
doi:10.1080/00401706.1991.10484804; Campolongo et al. 2007,
doi:10.1016/j.envsoft.2006.10.004):

- Sobol': first-order ``S1_i = V[E(Y|X_i)] / V(Y)`` and total ``ST_i = E[V(Y|X_~i)] / V(Y)``
  (optionally second-order ``S2_ij``) from Saltelli's scheme on a scrambled Sobol' sequence,
  ``N (k + 2)`` model runs (``N (2k + 2)`` with second order); confidence intervals by
  bootstrap.
- Morris: elementary effects on a ``p``-level grid. The grid sits on the centres of ``p``
  equal-probability strata (``u = (j + 1/2) / p``), so every step moves one input across
  half of its probability mass; ``mu*``, ``mu`` and ``sigma`` are reported in the output's
  own units per such step (SALib's effects times its step ``p / (2 (p - 1))``).
  ``r (k + 1)`` runs.

The model is any function of a :class:`~summitry.sampling.Draws`; :func:`forecast_model`
evaluates a named entry of :meth:`summitry.forecast.Forecast.outputs`, so outputs of later
engines are analysed without changes here. Every run of one analysis shares one engine
seed (common random numbers), so an engine with randomness of its own is a deterministic
function of the inputs.
"""

from __future__ import annotations

import fnmatch
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from summitry.limits import MAX_SAMPLES
from summitry.sampling import Draws, assemble, from_uniform
from summitry.scenario import Fixed, Scenario

if TYPE_CHECKING:
    import pandas as pd

    from summitry.engines.eum.options import EUMOptions

Array = NDArray[np.float64]
Model = Callable[[Array], Array]
"""A model over the unit hypercube: factor levels ``u`` (B, k) -> one output per row (B,)."""

METHODS = ("sobol", "morris")
DEFAULT_N = {"sobol": 256, "morris": 20}
"""Base sample size N (Sobol') and number of trajectories r (Morris)."""
MIN_N = {"sobol": 8, "morris": 4}
"""Below these the bootstrap intervals mean nothing."""
MORRIS_LEVELS = 4
NUM_RESAMPLES = 100
CONF_LEVEL = 0.95
U_EDGE = 1e-9
"""Factor levels are kept in [U_EDGE, 1 - U_EDGE]: an unbounded normal has no 0 or 1 quantile."""
WIDE_CONF = 0.1
"""A Sobol' interval half-width above this earns a warning to raise N."""


# -- the problem ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """The factors of a scenario and the values of every other quantity.

    ``names`` are the factors' dotted paths, ``columns`` their positions in
    :meth:`Scenario.quantities`; ``base`` (Q,) holds every quantity's central value, used
    for the quantities that are not factors.
    """

    scenario: Scenario
    names: tuple[str, ...]
    columns: tuple[int, ...]
    base: Array
    held: tuple[str, ...] = ()
    """Uncertain inputs left out of the factors, held at their central values."""

    @property
    def num_vars(self) -> int:
        return len(self.names)

    def salib(self, low: float = 0.0, high: float = 1.0) -> dict[str, Any]:
        """The problem in SALib's form: every factor on ``[low, high]`` in quantile space."""
        return {
            "num_vars": self.num_vars,
            "names": list(self.names),
            "bounds": [[low, high]] * self.num_vars,
        }

    def values(self, u: Array) -> Array:
        """Input values (B, Q) in :meth:`Scenario.quantities` order for levels ``u`` (B, k)."""
        u = np.asarray(u, dtype=float)
        if u.ndim != 2 or u.shape[1] != self.num_vars:
            raise ValueError(f"expected factor levels of shape (B, {self.num_vars}), got {u.shape}")
        quantities = self.scenario.quantities()
        out = np.tile(self.base, (u.shape[0], 1))
        levels = np.clip(u, U_EDGE, 1.0 - U_EDGE)
        for j, col in enumerate(self.columns):
            _, quantity, legal = quantities[col]
            out[:, col] = from_uniform(quantity, levels[:, j], legal)
        return out

    def draws(self, u: Array, engine_seed: int = 0) -> Draws:
        """The inputs for levels ``u`` (B, k) as :class:`Draws`, one engine seed for all rows."""
        values = self.values(u)
        seeds = np.full(values.shape[0], engine_seed, dtype=np.uint64)
        return assemble(self.scenario, values, seeds)


def uncertain_inputs(scenario: Scenario) -> list[str]:
    """Dotted paths of the scenario's uncertain (non-fixed) quantities, in file order."""
    return [path for path, q, _ in scenario.quantities() if not isinstance(q, Fixed)]


def build_problem(scenario: Scenario, inputs: Sequence[str] | None = None) -> Problem:
    """The sensitivity problem: every uncertain quantity matching one of the glob patterns
    ``inputs`` (all of them when ``None``) is a factor; the rest keep their central value.

    Raises ValueError when the scenario has no uncertain input or a pattern selects none.
    """
    quantities = scenario.quantities()
    paths = [p for p, _, _ in quantities]
    uncertain = uncertain_inputs(scenario)
    if not uncertain:
        raise ValueError(
            f"scenario '{scenario.name}' has no uncertain inputs: every quantity is a fixed "
            "value, so there is no variance to attribute"
        )
    chosen = uncertain
    if inputs is not None:
        patterns = list(inputs)
        for pattern in patterns:
            if not any(fnmatch.fnmatchcase(p, pattern) for p in paths):
                raise ValueError(
                    f"no input matches '{pattern}'; inputs are dotted paths such as "
                    f"'{uncertain[0]}' (see `summitry scenarios show {scenario.name}`)"
                )
        chosen = [p for p in uncertain if any(fnmatch.fnmatchcase(p, pat) for pat in patterns)]
        if not chosen:
            raise ValueError(
                f"'{', '.join(patterns)}' matches only fixed values in scenario "
                f"'{scenario.name}'; only uncertain inputs can drive the output"
            )
    picked = set(chosen)
    base = np.array([q.central() for _, q, _ in quantities], dtype=float)
    return Problem(
        scenario=scenario,
        names=tuple(chosen),
        columns=tuple(paths.index(p) for p in chosen),
        base=base,
        held=tuple(p for p in uncertain if p not in picked),
    )


# -- models --------------------------------------------------------------------------------


def draws_model(
    problem: Problem,
    fn: Callable[[Draws], Array],
    *,
    engine_seed: int = 0,
    chunk: int = 4096,
    progress: Callable[[int], None] | None = None,
) -> Model:
    """Wrap ``fn`` (Draws -> (B,)) as a model over factor levels: ``u`` -> inputs -> ``fn``.

    Rows are evaluated ``chunk`` at a time; ``progress`` gets the rows finished per chunk.
    """
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")

    def model(u: Array) -> Array:
        u = np.asarray(u, dtype=float)
        parts = []
        for start in range(0, u.shape[0], chunk):
            rows = u[start : start + chunk]
            y = np.asarray(fn(problem.draws(rows, engine_seed)), dtype=float)
            if y.shape != (rows.shape[0],):
                raise ValueError(f"the model returned shape {y.shape}, expected ({rows.shape[0]},)")
            parts.append(y)
            if progress:
                progress(rows.shape[0])
        return np.concatenate(parts) if parts else np.empty(0)

    return model


def output_names(scenario: Scenario, options: EUMOptions | None = None) -> list[str]:
    """The names :meth:`Forecast.outputs` offers for ``scenario`` (from one central run of
    the default engines, then the opt-in ones': every registered engine)."""
    from summitry.forecast import ALL_ENGINES, forecast_draws, scenario_options
    from summitry.sampling import central

    opts = scenario_options(scenario) if options is None else options
    return list(forecast_draws(scenario, central(scenario), opts, engines=ALL_ENGINES).outputs())


def default_output(scenario: Scenario) -> str:
    """The settlement of the scenario's first issue."""
    return f"eum.settlement.{scenario.issue_ids[0]}"


def forecast_model(
    problem: Problem,
    output: str,
    options: EUMOptions | None = None,
    *,
    engine_seed: int = 0,
    chunk: int = 4096,
    progress: Callable[[int], None] | None = None,
) -> Model:
    """The model ``u`` -> ``forecast_draws(...).outputs()[output]`` (ValueError if unknown)."""
    from summitry.forecast import forecast_draws, scenario_options

    sc = problem.scenario
    opts = scenario_options(sc) if options is None else options
    names = output_names(sc, opts)
    if output not in names:
        raise ValueError(f"unknown output '{output}'; choose one of: {', '.join(names)}")

    engines = engines_for(output)

    def fn(draws: Draws) -> Array:
        return forecast_draws(sc, draws, opts, engines=engines).outputs()[output]

    return draws_model(problem, fn, engine_seed=engine_seed, chunk=chunk, progress=progress)


def engines_for(output: str) -> tuple[str, ...]:
    """The engines to run for ``output``: the one its name starts with (``smp.settlement.x``
    -> ``("smp",)``), or the default set when the prefix names none."""
    from summitry.forecast import ALL_ENGINES, ENGINES

    prefix = output.split(".", 1)[0]
    return (prefix,) if prefix in ALL_ENGINES else tuple(ENGINES)


def engine_seed_for(seed: int) -> int:
    """The engine seed shared by every run of an analysis with ``seed``."""
    return int(np.random.SeedSequence(seed).generate_state(1, np.uint64)[0] >> np.uint64(1))


# -- results -------------------------------------------------------------------------------

SOBOL_KEYS = ("ST", "ST_conf", "S1", "S1_conf")
MORRIS_KEYS = ("mu_star", "mu_star_conf", "mu", "sigma")


@dataclass(frozen=True)
class Sensitivity:
    """Indices of one output with respect to each factor, in factor order.

    ``indices`` holds (k,) arrays: for Sobol' ``S1``, ``ST`` and the half-widths of their
    confidence intervals ``S1_conf``, ``ST_conf``; for Morris ``mu_star``, its half-width
    ``mu_star_conf``, ``mu`` and ``sigma``. ``second_order`` is ``(S2, S2_conf)``, each
    (k, k) upper-triangular, when asked for.
    """

    method: str
    output: str
    names: tuple[str, ...]
    indices: dict[str, Array]
    n: int
    evaluations: int
    seed: int
    conf_level: float
    output_mean: float
    output_sd: float
    second_order: tuple[Array, Array] | None = None
    held: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The index that ranks the inputs: ``ST`` (Sobol') or ``mu_star`` (Morris)."""
        return "ST" if self.method == "sobol" else "mu_star"

    @property
    def columns(self) -> tuple[str, ...]:
        return SOBOL_KEYS if self.method == "sobol" else MORRIS_KEYS

    def order(self) -> NDArray[np.intp]:
        """Factor indices from the strongest driver down (ties keep factor order)."""
        return np.argsort(-self.indices[self.key], kind="stable")

    def ranked(self) -> list[dict[str, Any]]:
        """One record per input, strongest first: rank, input and every index."""
        return [
            {
                "rank": rank,
                "input": self.names[i],
                **{k: float(self.indices[k][i]) for k in self.columns},
            }
            for rank, i in enumerate(self.order(), start=1)
        ]

    def pairs(self) -> list[dict[str, Any]]:
        """Second-order indices by pair of inputs, largest first (empty if not computed)."""
        if self.second_order is None:
            return []
        s2, conf = self.second_order
        k = len(self.names)
        rows = [
            {
                "inputs": [self.names[i], self.names[j]],
                "S2": float(s2[i, j]),
                "S2_conf": float(conf[i, j]),
            }
            for i in range(k)
            for j in range(i + 1, k)
        ]
        return sorted(rows, key=lambda r: -r["S2"])

    def frame(self) -> pd.DataFrame:
        """The ranked indices as a pandas DataFrame indexed by input (rank 1 first)."""
        import pandas as pd

        return pd.DataFrame(self.ranked()).set_index("input")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record: settings, output summary, ranked drivers, warnings."""
        out: dict[str, Any] = {
            **self.meta,
            "output": self.output,
            "method": self.method,
            "n": self.n,
            "evaluations": self.evaluations,
            "seed": self.seed,
            "conf_level": self.conf_level,
            "output_mean": self.output_mean,
            "output_sd": self.output_sd,
            "factors": len(self.names),
            "held_at_central": list(self.held),
            "drivers": self.ranked(),
        }
        if self.method == "sobol":
            out["sum_S1"] = float(np.sum(self.indices["S1"]))
            if self.second_order is not None:
                out["second_order"] = self.pairs()
        out["warnings"] = list(self.warnings)
        return out


# -- methods -------------------------------------------------------------------------------


def _check_n(method: str, n: int, k: int, per: int) -> None:
    if n < MIN_N[method]:
        what = "N" if method == "sobol" else "the number of trajectories"
        raise ValueError(f"{what} must be at least {MIN_N[method]} for {method}, got {n}")
    if n * per > MAX_SAMPLES:
        raise ValueError(
            f"{method} with n={n:,} and {k} inputs needs {n * per:,} runs, above the limit "
            f"of {MAX_SAMPLES:,}"
        )


def _finite(y: Array, output: str) -> None:
    bad = int(np.count_nonzero(~np.isfinite(y)))
    if bad:
        raise ValueError(
            f"output '{output}' is undefined in {bad:,} of {y.size:,} runs; sensitivity "
            "analysis needs a number from every run"
        )


def sobol(
    problem: Problem,
    model: Model,
    n: int = DEFAULT_N["sobol"],
    *,
    seed: int = 0,
    second_order: bool = False,
    num_resamples: int = NUM_RESAMPLES,
    conf_level: float = CONF_LEVEL,
    output: str = "y",
) -> Sensitivity:
    """Sobol' indices of ``model`` from ``n (k + 2)`` runs (``n (2k + 2)`` with second order).

    The scrambled Sobol' sequence and the bootstrap are both seeded with ``seed``. ``n``
    should be a power of two (the sequence's balance properties); otherwise the result
    carries a warning. A constant output has every index 0 (nothing drives it).
    """
    from SALib.analyze import sobol as sobol_analyze  # type: ignore[import-untyped]
    from SALib.sample import sobol as sobol_sample  # type: ignore[import-untyped]

    k = problem.num_vars
    _check_n("sobol", n, k, 2 * k + 2 if second_order else k + 2)
    notes: list[str] = []
    if n & (n - 1):
        notes.append(
            f"N={n} is not a power of 2: the Sobol' sequence loses its balance properties "
            f"(try {1 << (n - 1).bit_length()})"
        )
    spec = problem.salib()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*balance properties.*")
        u = sobol_sample.sample(spec, n, calc_second_order=second_order, scramble=True, seed=seed)
    y = model(u)
    _finite(y, output)
    if np.ptp(y) == 0:
        zeros = np.zeros(k)
        idx = {key: zeros.copy() for key in SOBOL_KEYS}
        s2 = (np.zeros((k, k)), np.zeros((k, k))) if second_order else None
        notes.append(f"output '{output}' is the same in every run: no input drives it")
    else:
        with np.errstate(all="ignore"):
            res = sobol_analyze.analyze(
                spec,
                y,
                calc_second_order=second_order,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=_analysis_seed(seed),
            )
        idx = {key: np.asarray(res[key], dtype=float) for key in SOBOL_KEYS}
        s2 = None
        if second_order:
            s2 = (
                np.nan_to_num(np.asarray(res["S2"], dtype=float)),
                np.nan_to_num(np.asarray(res["S2_conf"], dtype=float)),
            )
        widest = float(np.max(idx["ST_conf"], initial=0.0))
        if widest > WIDE_CONF:
            notes.append(
                f"wide intervals (up to ±{widest:.2f} on ST): increase N for a firmer ranking"
            )
    return Sensitivity(
        method="sobol",
        output=output,
        names=problem.names,
        indices=idx,
        n=n,
        evaluations=int(y.size),
        seed=seed,
        conf_level=conf_level,
        output_mean=float(np.mean(y)),
        output_sd=float(np.std(y)),
        second_order=s2,
        held=problem.held,
        warnings=tuple(notes),
    )


def morris(
    problem: Problem,
    model: Model,
    trajectories: int = DEFAULT_N["morris"],
    *,
    seed: int = 0,
    levels: int = MORRIS_LEVELS,
    num_resamples: int = NUM_RESAMPLES,
    conf_level: float = CONF_LEVEL,
    output: str = "y",
) -> Sensitivity:
    """Morris screening of ``model`` from ``trajectories (k + 1)`` runs, seeded.

    Levels sit on the centres of ``levels`` equal-probability strata, so each step moves
    an input across half of its probability mass; ``mu*`` (mean absolute effect), ``mu``
    and ``sigma`` are in the output's units per step.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    if levels < 2 or levels % 2:
        raise ValueError(f"levels must be an even number >= 2, got {levels}")
    k = problem.num_vars
    _check_n("morris", trajectories, k, k + 1)
    half = 0.5 / levels
    spec = problem.salib(half, 1.0 - half)
    x = morris_sample.sample(spec, trajectories, num_levels=levels, seed=seed)
    y = model(x)
    _finite(y, output)
    res = morris_analyze.analyze(
        spec,
        x,
        y,
        num_resamples=num_resamples,
        conf_level=conf_level,
        num_levels=levels,
        seed=_analysis_seed(seed),
    )
    step = levels / (2.0 * (levels - 1))  # SALib divides output differences by this
    idx = {key: np.asarray(res[key], dtype=float) * step for key in MORRIS_KEYS}
    notes = []
    if np.ptp(y) == 0:
        notes.append(f"output '{output}' is the same in every run: no input drives it")
    return Sensitivity(
        method="morris",
        output=output,
        names=problem.names,
        indices=idx,
        n=trajectories,
        evaluations=int(y.size),
        seed=seed,
        conf_level=conf_level,
        output_mean=float(np.mean(y)),
        output_sd=float(np.std(y)),
        held=problem.held,
        warnings=tuple(notes),
    )


def analyze(
    scenario: Scenario,
    output: str | None = None,
    *,
    method: str = "sobol",
    n: int | None = None,
    seed: int = 0,
    inputs: Sequence[str] | None = None,
    second_order: bool = False,
    variant: str | None = None,
    rounds: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Sensitivity:
    """Sensitivity of one forecast output of ``scenario`` to its uncertain inputs.

    ``output``: a name from :meth:`Forecast.outputs` (default: the first issue's
    settlement); ``method``: ``"sobol"`` or ``"morris"``; ``n``: Sobol' base sample or
    Morris trajectories (defaults :data:`DEFAULT_N`); ``inputs``: glob patterns on dotted
    paths restricting the factors (others held at central values). Raises ValueError on
    any bad argument.
    """
    from summitry.forecast import scenario_options

    if method not in METHODS:
        raise ValueError(f"unknown method '{method}'; choose one of: {', '.join(METHODS)}")
    size = DEFAULT_N[method] if n is None else n
    name = default_output(scenario) if output is None else output
    problem = build_problem(scenario, inputs)
    options = scenario_options(scenario, variant=variant, rounds=rounds)
    model = forecast_model(
        problem, name, options, engine_seed=engine_seed_for(seed), progress=progress
    )
    if method == "sobol":
        result = sobol(problem, model, size, seed=seed, second_order=second_order, output=name)
    else:
        result = morris(problem, model, size, seed=seed, output=name)
    meta = {"scenario": scenario.name, "title": scenario.title, "options": asdict(options)}
    return replace(result, meta=meta)


def runs_needed(method: str, n: int, k: int, second_order: bool = False) -> int:
    """Model runs an analysis makes: N (k+2) or N (2k+2) for Sobol', r (k+1) for Morris."""
    if method == "sobol":
        return n * (2 * k + 2 if second_order else k + 2)
    return n * (k + 1)


def _analysis_seed(seed: int) -> int:
    """The seed for SALib's bootstrap of the confidence intervals: ``seed + 1``, because
    SALib's analyzers test ``if seed:`` and would leave seed 0 unseeded (irreproducible)."""
    return seed + 1
