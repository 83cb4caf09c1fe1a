"""The engines: one package per model, every package laid out the same way.

Each package has ``__init__.py`` (its public names), ``model.py`` (the batched engine:
problems or Monte Carlo samples on the leading axes), ``options.py`` (the engine's settings,
where it has any), ``reference.py`` (the oracle: plain loops over one sample, sharing no
arithmetic with ``model.py``; the tests hold the engine to it) and the model's own parts
under short names. Shapes: B samples, n actors, D issues (K dimensions for the SMP), R
rounds, T turns, V ratifiers; ``...`` any leading problem axes.

=============  ==========================================  ================================
package        model                                       docs page (docs/models/)
=============  ==========================================  ================================
eum            expected utility (Bueno de Mesquita 1994;   eum.md
               Scholz, Calbert & Smith 2011)
smp            Spatial Model of Politics (KTAB)            smp.md
bargaining     Nash, Rubinstein, two-level game, private   bargaining.md
               information (Fearon 1995)
options_game   engage, pressure or strike: SPE and logit   options.md
               QRE (Selten 1965; McKelvey-Palfrey 1995)
compromise     compromise model and two baselines          compromise.md
               (Achen 2006)
nbs            asymmetric Nash bargaining solution         nbs.md
procedural     procedural (veto) model                     procedural.md
=============  ==========================================  ================================

=============  ==========================================  ================================
package        entry point(inputs) -> result               oracle (``<package>.reference``)
=============  ==========================================  ================================
eum            simulate_issues(capability (B, n) or        simulate_one: one sample, one
               (B, n, D), position, salience (B, n, D),    issue, with a trace
               EUMOptions, uniforms) -> EUMResult
               (positions, median, mean, counts, risk,
               rounds_run, cycled; leading (B, D))
smp            simulate(capability (B, n), position,       simulate: one scenario
               salience (B, n, K), SMPOptions,
               accommodation, uniforms) -> SMPResult
               (positions, ideals, prob, turns_run,
               converged, period)
bargaining     solve(BargainingProblem) -> NashSolution;   solve_one, private_information_one,
               private_information(central problem,        scipy_nash: one sample (LP or
               d_B samples) -> PrivateInformation          SLSQP)
options_game   solve(OptionsParameters or OptionsPayoffs,  spe, qre: one sample on a general
               lambdas) -> OptionsResult (SPE choice and   game tree (``gambit`` builds the
               replies, QRE probabilities per lambda)      same tree in pygambit)
compromise     compromise(positions (..., n), saliences,   compromise, weighted_median,
               capabilities, rp, CompromiseOptions)        mean_position: plain loops
               -> (...); weighted_median, mean_position
nbs            nbs(positions (..., n), saliences,          nbs: the optimality conditions
               capabilities, rp (...), NBSOptions)         piece by piece (scipy's brentq)
               -> (...)
procedural     procedural(positions (..., n), saliences,   procedural, acceptable_interval:
               capabilities, rp (...), groups,             every candidate end against every
               ProceduralOptions) -> (...)                 group, by loops
=============  ==========================================  ================================

The adapters of :mod:`summitry.forecasting` turn a scenario's draws into these inputs, one
per engine, listed in :mod:`summitry.forecasting.registry` (docs/architecture.md).
:mod:`summitry.engines.overridable` gives an option dataclass ``with_overrides``; the
scenario schema builds ``model.eum``/``model.smp`` from the option dataclasses
(docs/adding-an-engine.md).
"""
