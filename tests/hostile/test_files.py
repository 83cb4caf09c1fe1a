"""Hostile files (docs/limits.md, "Hostile inputs"): scenario and KTAB paths that are not
regular files, files over the size limit, huge numbers, KTAB files over the actor and
dimension budget. Each goes through the real console script and is refused with exit 2 and
one line naming the file (and the line and field where there is one), never a traceback,
and never blocks."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from summitry.inputfile import KTAB_LIMIT, SCENARIO_LIMIT, InputFileError, read_limited
from summitry.ktab import MAX_ACTORS, MAX_CELLS, MAX_DIMENSIONS
from summitry.scenario.catalog import SCENARIO_DIR

from .corpus import ktab_csv, refused, run


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Make a listening Unix socket at tmp_path/NAME."""
    socks: list[socket.socket] = []

    def make(name: str) -> Path:
        path = tmp_path / name
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(path))
        sock.listen(1)
        socks.append(sock)
        return path

    yield make
    for sock in socks:
        sock.close()


def special(kind: str, tmp_path: Path, suffix: str, unix_socket: Callable[[str], Path]) -> Path:
    """A path of ``kind`` ending in ``suffix``."""
    path = tmp_path / f"{kind}{suffix}"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "socket":
        path = unix_socket(f"socket{suffix}")
    return path


KINDS = {
    "directory": "is a directory",
    "fifo": "is a FIFO (named pipe)",
    "device": "is a character device",
    "socket": "is a socket",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["forecast", "scenarios validate", "import-ktab"])
def test_a_path_that_is_not_a_regular_file_is_refused_without_blocking(
    kind: str, command: str, tmp_path: Path, unix_socket: Callable[[str], Path]
) -> None:
    suffix = ".csv" if command == "import-ktab" else ".yaml"
    path = special(kind, tmp_path, suffix, unix_socket)
    extra = ["--no-store"] if command == "forecast" else []
    line = refused(run(*command.split(), path, *extra, cwd=tmp_path))
    what = "KTAB file" if command == "import-ktab" else "scenario file"
    assert line == f"{path}: {KINDS[kind]}, not a {what}"


def test_dev_zero_itself_is_refused(tmp_path: Path) -> None:
    line = refused(run("forecast", "/dev/zero", "--no-store", cwd=tmp_path))
    assert line == "/dev/zero: is a character device, not a scenario file"


def test_a_scenario_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w") as f:  # 55 MB: parsing it would take minutes and gigabytes
        f.write("name: huge\n")
        for _ in range(55):
            f.write("# " + "x" * 999_997 + "\n")
    line = refused(run("forecast", path, "--no-store", cwd=tmp_path))
    assert line == (
        f"{path}: the file is larger than 20 MB, the limit for a scenario file (docs/limits.md)"
    )


def test_a_ktab_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("a,b,1,1\n" + "#" * (KTAB_LIMIT + 10) + "\n")
    line = refused(run("import-ktab", path, cwd=tmp_path))
    limit = "the limit for a KTAB file (docs/limits.md)"
    assert line == f"{path}: the file is larger than 5 MB, {limit}"


def test_the_read_is_bounded_whatever_st_size_says(tmp_path: Path) -> None:
    """/proc files report size 0; the bound holds on the bytes actually read."""
    status = read_limited("/proc/self/status", SCENARIO_LIMIT, "scenario file")
    assert status.startswith(b"Name:")
    with pytest.raises(InputFileError, match="larger than 100 bytes"):
        read_limited("/proc/self/status", 100, "scenario file")
    path = tmp_path / "exact.yaml"
    path.write_bytes(b"x" * 100)
    assert read_limited(path, 100, "scenario file") == b"x" * 100
    with pytest.raises(InputFileError, match="larger than 99 bytes"):
        read_limited(path, 99, "scenario file")


def test_a_proc_file_gets_a_yaml_message_not_a_hang(tmp_path: Path) -> None:
    line = refused(run("scenarios", "validate", "/proc/self/status", cwd=tmp_path))
    assert line.startswith("/proc/self/status:1: YAML syntax:")


def _with_capability(tmp_path: Path, literal: str) -> Path:
    text = (SCENARIO_DIR / "ec-emissions-1994.yaml").read_text(encoding="utf-8")
    start = text.index("capability: {value: ") + len("capability: {value: ")
    end = text.index(",", start)
    path = tmp_path / "number.yaml"
    path.write_text(text[:start] + literal + text[end:], encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        ("9" * 10_000, "the number 999999... (10,000 digits) is too large"),
        ("0x" + "f" * 5_000, "the number 0xffff... (5,000 digits) is too large"),
        ("1" + "0" * 400, "the number 100000... (401 digits) is too large"),
        ("1e400", ".inf is not a finite number"),
    ],
    ids=["10000-digit int", "5000-digit hex", "1e400 as digits", "1e400"],
)
def test_a_huge_number_names_the_line_and_field(literal: str, message: str, tmp_path: Path) -> None:
    path = _with_capability(tmp_path, literal)
    line = refused(run("scenarios", "validate", path, cwd=tmp_path))
    text = path.read_text(encoding="utf-8")
    number = text[: text.index(literal[:6] if literal != "1e400" else "1e400")].count("\n") + 1
    assert line == f"{path}:{number}: actors[0].capability.value: {message}"


@pytest.mark.parametrize(
    ("actors", "dims", "problem"),
    [
        (MAX_ACTORS + 1, 1, f"{MAX_ACTORS + 1:,} actors, above the limit of {MAX_ACTORS}"),
        (2, MAX_DIMENSIONS + 1, f"{MAX_DIMENSIONS + 1} dimensions, above the limit of 50"),
        (
            MAX_CELLS // 10 + 1,
            10,
            f"{MAX_CELLS // 10 + 1} actors x 10 dimensions = {(MAX_CELLS // 10 + 1) * 10:,} "
            f"positions, above the limit of {MAX_CELLS:,}",
        ),
    ],
    ids=["actors", "dimensions", "cells"],
)
def test_a_ktab_file_over_the_budget_is_refused_before_conversion(
    actors: int, dims: int, problem: str, tmp_path: Path
) -> None:
    path = ktab_csv(tmp_path / "big.csv", actors, dims)
    line = refused(run("import-ktab", path, "-o", tmp_path / "out.yaml", cwd=tmp_path))
    assert line == f"{path}:1: {problem} (docs/limits.md)"
    assert not (tmp_path / "out.yaml").exists()


def test_a_ktab_file_within_the_budget_converts(tmp_path: Path) -> None:
    path = ktab_csv(tmp_path / "ok.csv", 100, 10)
    out = run("import-ktab", path, "-o", tmp_path / "ok.yaml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert (tmp_path / "ok.yaml").exists()


def test_a_ktab_xml_over_the_budget_is_refused(tmp_path: Path) -> None:
    actors = "".join(
        f"<Actor><name>A{i}</name><description>x</description><capability>1</capability>"
        "<Position><dVal>50</dVal></Position><Salience><dVal>50</dVal></Salience></Actor>"
        for i in range(MAX_ACTORS + 1)
    )
    path = tmp_path / "big.xml"
    path.write_text(
        "<Scenario><name>x</name><desc>x</desc><Dimensions><dName>d</dName></Dimensions>"
        f"<Actors>{actors}</Actors></Scenario>"
    )
    line = refused(run("import-ktab", path, cwd=tmp_path))
    assert f"{MAX_ACTORS + 1:,} actors, above the limit of {MAX_ACTORS}" in line
    assert line.startswith(f"{path}:1")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_deu_data_path_that_is_not_a_regular_file_is_refused(
    kind: str, tmp_path: Path, unix_socket: Callable[[str], Path]
) -> None:
    path = special(kind, tmp_path, ".tsv", unix_socket)
    line = refused(run("benchmark", "deu", "--data", path, cwd=tmp_path))
    assert line == f"{path}: {KINDS[kind]}, not a DEU data file"
