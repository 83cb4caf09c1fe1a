"""Benchmarks of summitry's models on public data sets of collective decisions.

    from summitry.benchmark import benchmark_deu
    from summitry.data import load_deu
    result = benchmark_deu(load_deu())  # capabilities largest-member-both, the default
    result.to_dict()

docs/benchmark-deu.md describes the DEU benchmark.
"""

from __future__ import annotations

from summitry.benchmark.deu import DeuBenchmark, ModelScore, benchmark_deu, proposal_keys
from summitry.benchmark.models import MODELS, YARDSTICK, ModelForecast, forecast_all

__all__ = [
    "MODELS",
    "YARDSTICK",
    "DeuBenchmark",
    "ModelForecast",
    "ModelScore",
    "benchmark_deu",
    "forecast_all",
    "proposal_keys",
]
