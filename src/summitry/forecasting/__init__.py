"""How the engines run on a scenario: one adapter per engine and one registry of them.

:mod:`summitry.forecasting.registry` lists every engine the forecast can run (its name,
a one-line description, when a scenario allows it, how to run it on draws, its named
per-sample outputs, its summary and how chunk results are joined), each an
:class:`summitry.forecasting.adapter.EngineAdapter`. The per-engine adapters are
:mod:`~summitry.forecasting.eum`, :mod:`~summitry.forecasting.smp`,
:mod:`~summitry.forecasting.bargaining`, :mod:`~summitry.forecasting.options_game` and
:mod:`~summitry.forecasting.compromise`. docs/architecture.md shows the data flow and
docs/adding-an-engine.md the steps to add an engine.

This package's ``__init__`` imports nothing, so the CLI can read the registry's names
without importing numpy.
"""
