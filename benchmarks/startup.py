"""Start-up time of the command line (benchmarks/README.md, "Start-up").

Times ``summitry --help``, ``summitry forecast --help``, ``import summitry.cli`` and
``import summitry`` in fresh interpreters (RUNS runs after one warm-up: the median and
fastest wall time, and the median CPU time, user + system, which depends less on the other
jobs of a shared machine), with the number of modules each imports and the heavy libraries
among them.
With ``--before DIR`` (another checkout, e.g. ``git archive COMMIT src | tar -x -C DIR``)
the same cases run from ``DIR/src`` too, alternating with this checkout's, side by side.
Compiled bytecode is cached in a temporary directory (PYTHONPYCACHEPREFIX), as an installed
package's is; ``--no-bytecode-cache`` compiles summitry's modules on every run instead
(PYTHONDONTWRITEBYTECODE with no ``__pycache__`` in the checkout; site-packages keep the
bytecode pip compiled).

    .venv/bin/python benchmarks/startup.py [--before DIR] [--runs 10] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "src"
HEAVY = frozenset(
    [
        "numpy",
        "scipy",
        "pandas",
        "duckdb",
        "dask",
        "distributed",
        "fastapi",
        "plotly",
        "matplotlib",
        "SALib",
        "uvicorn",
        "pydantic",
        "ruamel",
    ]
)
"""Libraries worth naming when a case imports them (top-level package names)."""
CLI = "import sys; sys.argv[0] = 'summitry'; from summitry.cli import app; sys.exit(app())"
"""What the ``summitry`` console script runs."""
CASES: dict[str, list[str]] = {
    "python -c pass (baseline)": ["-c", "pass"],
    "import summitry": ["-c", "import summitry"],
    "import summitry.cli": ["-c", "import summitry.cli"],
    "summitry --help": ["-c", CLI, "--help"],
    "summitry forecast --help": ["-c", CLI, "forecast", "--help"],
}


BYTECODE: dict[str, str] = {}
"""Environment for bytecode: PYTHONPYCACHEPREFIX, or PYTHONDONTWRITEBYTECODE (set in main)."""


def _env(src: Path) -> dict[str, str]:
    # PYTHONPATH comes before the editable install's path entry, so `src` is what runs.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    return {**env, **BYTECODE, "PYTHONPATH": str(src), "COLUMNS": "80"}


def once(src: Path, args: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh interpreter running ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=_env(src), check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def imports(src: Path, args: list[str]) -> tuple[int, list[str]]:
    """(modules imported, heavy top-level packages among them), from ``-X importtime``."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        env=_env(src),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    names = [
        line.rsplit("|", 1)[1].strip()
        for line in out.stderr.splitlines()
        if line.startswith("import time:") and "|" in line and "imported package" not in line
    ]
    heavy = sorted({n.split(".")[0] for n in names} & HEAVY)
    return len(names), heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout to time beside this one")
    parser.add_argument("--runs", type=int, default=10, help="timed runs per case (10)")
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="compile summitry's modules on every run"
    )
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="summitry-pycache-") as cache:
        if opts.no_bytecode_cache:  # site-packages keep the bytecode pip compiled
            BYTECODE["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            BYTECODE["PYTHONPYCACHEPREFIX"] = cache
        _run(opts)


def _run(opts: argparse.Namespace) -> None:
    trees = {"after": HERE}
    if opts.before is not None:
        trees = {"before": opts.before.resolve() / "src", "after": HERE}
    for tree in trees.values():
        if not (tree / "summitry" / "__init__.py").is_file():
            sys.exit(f"{tree}: no summitry package here")

    cached = "no bytecode cache" if opts.no_bytecode_cache else "bytecode cached"
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; {opts.runs} runs per case, "
          f"{cached}")  # fmt: skip
    for label, tree in trees.items():
        print(f"  {label}: {tree}")
    print("\n| case | tree | wall median (s) | wall fastest (s) | CPU median (s) | modules "
          "| heavy libraries |")  # fmt: skip
    print("|---" * 7 + "|")
    for case, args in CASES.items():
        walls: dict[str, list[float]] = {t: [] for t in trees}
        cpus: dict[str, list[float]] = {t: [] for t in trees}
        for tree in trees.values():
            once(tree, args)  # warm-up: compiled bytecode and the page cache
        for _ in range(opts.runs):
            for label, tree in trees.items():  # alternate, so load changes hit both alike
                wall, cpu = once(tree, args)
                walls[label].append(wall)
                cpus[label].append(cpu)
        for label, tree in trees.items():
            count, heavy = imports(tree, args)
            cells = [
                case,
                label,
                f"{statistics.median(walls[label]):.3f}",
                f"{min(walls[label]):.3f}",
                f"{statistics.median(cpus[label]):.3f}",
                str(count),
                ", ".join(heavy) or "-",
            ]
            print("| " + " | ".join(cells) + " |")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
