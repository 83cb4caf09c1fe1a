"""Start-up: the command line and ``import summitry`` load no heavy library until a command
runs (benchmarks/README.md, "Start-up"). Each check runs in a fresh interpreter and looks at
what it imported, never at how long it took."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from console_script import EXE

HEAVY = (
    "numpy",
    "scipy",
    "pandas",
    "duckdb",
    "dask",
    "distributed",
    "fastapi",
    "starlette",
    "uvicorn",
    "plotly",
    "matplotlib",
    "SALib",
    "pygambit",
    "ruamel",
)
"""Top-level packages that only a running command may import. (pydantic is not among them:
typer imports it itself to convert option values, once a command's options are parsed.)"""


REPORT_HEAVY = (
    "import json, sys\n"
    f"HEAVY = {HEAVY!r}\n"
    "def heavy():\n"
    "    return sorted({m.split('.')[0] for m in sys.modules} & set(HEAVY))\n"
)
"""Code that defines ``heavy()``: the heavy packages this interpreter has imported."""


def python(code: str) -> str:
    """Run ``code`` in a fresh interpreter (after REPORT_HEAVY); its stdout."""
    out = subprocess.run(
        [sys.executable, "-c", REPORT_HEAVY + code], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_importing_the_command_line_loads_no_heavy_library():
    out = python(
        "from summitry.cli import app\n"
        "import typer.main\n"
        "names = sorted(typer.main.get_command(app).commands)\n"
        "print(json.dumps({'heavy': heavy(), 'commands': names}))\n"
    )
    result = json.loads(out)
    assert {"forecast", "compare", "sweep", "serve", "report", "runs"} <= set(result["commands"])
    assert result["heavy"] == []


def test_every_help_page_loads_no_heavy_library():
    # Rendering help resolves every option's annotations: the names they use must be light.
    out = python(
        "import typer.main, click\n"
        "from typer.testing import CliRunner\n"
        "from summitry.cli import app\n"
        "def paths(cmd, prefix):\n"
        "    yield prefix\n"
        "    for name, sub in getattr(cmd, 'commands', {}).items():\n"
        "        yield from paths(sub, [*prefix, name])\n"
        "runner = CliRunner()\n"
        "codes = {}\n"
        "for path in paths(typer.main.get_command(app), []):\n"
        "    res = runner.invoke(app, [*path, '--help'])\n"
        "    ok = res.exit_code == 0 and 'Usage' in res.output\n"
        "    codes[' '.join(path)] = ok or res.output\n"
        "print(json.dumps({'heavy': heavy(), 'codes': codes}))\n"
    )
    result = json.loads(out)
    assert {"", "forecast", "runs list", "scenarios show", "serve"} <= set(result["codes"])
    assert all(ok is True for ok in result["codes"].values()), result["codes"]
    assert result["heavy"] == []


@pytest.mark.parametrize("args", [["--help"], ["forecast", "--help"]])
def test_the_console_script_answers_help_without_heavy_imports(args):
    # PYTHONPROFILEIMPORTTIME makes the interpreter list every module it imports on stderr.
    assert EXE, "the summitry console script is installed in the test environment"
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1", "COLUMNS": "80"}
    out = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    assert "Usage" in out.stdout
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in out.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "summitry" in imported and "typer" in imported  # the listing is really there
    assert imported & set(HEAVY) == set()


def test_the_package_imports_its_names_on_first_use():
    out = python(
        "import summitry as sm\n"
        "before = heavy()\n"
        "from summitry import Scenario, ScenarioError, load\n"
        "fc = sm.forecast(load('dprk-2025'), samples=20, seed=1, engines=('eum',))\n"
        "print(json.dumps({\n"
        "    'before': before,\n"
        "    'function': sm.forecast.__module__ + '.' + sm.forecast.__qualname__,\n"
        "    'result': type(fc) is sm.Forecast,\n"
        "    'samples': fc.samples,\n"
        "    'scenario': isinstance(fc.scenario, Scenario),\n"
        "    'error': issubclass(ScenarioError, Exception),\n"
        "    'listed': sorted(set(sm.__all__) - set(dir(sm))),\n"
        "    'unknown': hasattr(sm, 'no_such_name'),\n"
        "}))\n"
    )
    result = json.loads(out)
    assert result["before"] == []
    assert result["function"] == "summitry.forecast.forecast"
    assert result["result"] and result["samples"] == 20 and result["scenario"] and result["error"]
    assert result["listed"] == [] and result["unknown"] is False


@pytest.mark.parametrize(
    "first",
    [
        "import summitry.forecast",
        "from summitry.forecast import Forecast",
        "import summitry.cli.forecast",
        "from summitry.forecasting import bargaining",
        "import summitry as sm; sm.forecast; import summitry.forecast",
        "import summitry.report.html",
    ],
)
def test_the_forecast_function_is_kept_whatever_is_imported_first(first):
    # Importing the submodule summitry.forecast sets the package's attribute of that name;
    # the package keeps the function there, as its eager import used to.
    out = python(
        f"{first}\n"
        "import summitry\n"
        "module = sys.modules.get('summitry.forecast')\n"
        "f = summitry.forecast\n"
        "print(json.dumps([callable(f), module is None or f is module.forecast]))\n"
    )
    assert json.loads(out) == [True, True]


LAZY_PACKAGES = {
    "summitry": ["summitry.forecast", "summitry.scenario"],
    "summitry.engines.eum": ["summitry.engines.eum.model", "summitry.engines.eum.options"],
    "summitry.data": ["summitry.data.deu"],
}
"""The packages whose public names load on first use (summitry/_lazy.py), and the modules
that define those names."""


@pytest.mark.parametrize("package", sorted(LAZY_PACKAGES))
def test_a_lazy_package_imports_nothing_heavy_and_serves_every_public_name(package):
    sources = LAZY_PACKAGES[package]
    out = python(
        "import importlib\n"
        f"pkg = importlib.import_module({package!r})\n"
        "before = heavy()\n"
        "listed = sorted(set(pkg.__all__) - set(dir(pkg)))\n"
        "values = {name: getattr(pkg, name) for name in pkg.__all__}\n"
        f"sources = [importlib.import_module(m) for m in {sources!r}]\n"
        "where = {name: [m.__name__ for m in sources if getattr(m, name, None) is v]\n"
        "         for name, v in values.items() if name != '__version__'}\n"
        "defined = sorted({n for m in sources if m.__name__.endswith(('.model', '.deu'))\n"
        "                  for n in m.__all__} - set(pkg.__all__))\n"
        "try:\n"
        "    pkg.no_such_name\n"
        "    unknown = 'found'\n"
        "except AttributeError as exc:\n"
        "    unknown = str(exc)\n"
        "print(json.dumps({'before': before, 'listed': listed, 'where': where,\n"
        "                  'defined': defined, 'unknown': unknown}))\n"
    )
    result = json.loads(out)
    assert result["before"] == []
    assert result["listed"] == []
    assert all(result["where"].values()), result["where"]  # each name is its module's object
    assert result["defined"] == []  # the lazy list is the defining module's __all__
    assert result["unknown"] == f"module {package!r} has no attribute 'no_such_name'"
