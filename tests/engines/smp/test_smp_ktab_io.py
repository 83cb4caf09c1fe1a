"""Reading KTAB's CSV formats (summitry.ktab)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from summitry.ktab import read_positions, read_posprob, read_scenario

SCENARIO = """Tiny ,"Two issues, quoted",3,2,
Actor,Description,Power,Tax Position,Tax Salience,Trade Position,Trade Salience,
A, First actor, 10.5, 20.0, 30.0, 0, 10,
B, Second actor, 3, 100, 50, 50.5, 50,
C, Third, 0.25, 0, 0, 75, 100,
"""


def _write(tmp_path: Path, text: str, name: str = "s.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_a_scenario(tmp_path: Path) -> None:
    sc = read_scenario(_write(tmp_path, SCENARIO))
    assert sc.name == "Tiny"
    assert sc.description == "Two issues, quoted"
    assert sc.actors == ("A", "B", "C")
    assert sc.dimensions == ("Tax Position", "Trade Position")
    np.testing.assert_array_equal(sc.capability, [10.5, 3.0, 0.25])
    np.testing.assert_array_equal(sc.position, [[20, 0], [100, 50.5], [0, 75]])
    np.testing.assert_array_equal(sc.salience, [[30, 10], [50, 50], [0, 100]])
    cap, pos, sal = sc.engine_inputs()
    assert cap.shape == (1, 3) and pos.shape == (1, 3, 2)
    np.testing.assert_allclose(pos[0, 1], [1.0, 0.505])
    np.testing.assert_allclose(sal[0, 2], [0.0, 1.0])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("C, Third, 0.25, 0, 0, 75, 100,", "C, Third, 0.25, 0, 10, 75, 100,", "total salience"),
        ("B, Second actor, 3, 100,", "B, Second actor, 3, 101,", "position"),
        ("A, First actor, 10.5,", "A, First actor, -1,", "capability is negative"),
        ('Tiny ,"Two issues, quoted",3,2,', 'Tiny ,"x",4,2,', "announces 4 actor"),
        ("C, Third, 0.25, 0, 0, 75, 100,", "C, Third, 0.25, 0, 0, 75,", "expected 7 fields"),
    ],
)
def test_refuses_bad_scenarios(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in SCENARIO
    with pytest.raises(ValueError, match=message):
        read_scenario(_write(tmp_path, SCENARIO.replace(old, new)))


def test_reads_stored_positions_and_probabilities(tmp_path: Path) -> None:
    rows = ["turn,actor,dim,position,ideal"]
    for t in range(2):
        for a in range(3):
            rows.append(f"{t},{a},0,{10 * t + a},{10 * t + a + 0.5}")
    traj = read_positions(_write(tmp_path, "\n".join(rows) + "\n", "p.csv"))
    assert traj.turns == 1
    assert traj.position.shape == (2, 3, 1)
    assert traj.position[1, 2, 0] == 12 and traj.ideal[0, 1, 0] == 1.5
    rows = ["turn,estimator,position_of_actor,prob"]
    rows += [f"0,{h},{i},{0.25 if i else 0.5}" for h in range(3) for i in range(3)]
    prob = read_posprob(_write(tmp_path, "\n".join(rows) + "\n", "q.csv"))
    assert prob.shape == (1, 3, 3)
    np.testing.assert_allclose(prob.sum(axis=-1), 1.0)
    with pytest.raises(ValueError, match="incomplete"):
        read_posprob(_write(tmp_path, "\n".join(rows[:-1]) + "\n", "r.csv"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("B, Second actor, 3, 100,", "B, Second actor, 3, nan,", "'nan' is not a number"),
        ("B, Second actor, 3, 100,", "B, Second actor, 3, 1_0,", "'1_0' is not a number"),
        ("C, Third, 0.25,", ", Third, 0.25,", "s.csv:5: the actor has no name"),
        ('Tiny ,"Two issues, quoted",3,2,', 'Tiny ,"x",three,2,', "s.csv:1: .*whole numbers"),
    ],
)
def test_one_reader_for_both_callers(tmp_path: Path, old: str, new: str, message: str) -> None:
    """read_scenario and import-ktab read the CSV with the same rules and the same message."""
    from summitry.ktab_import import KTABImportError, import_ktab

    path = _write(tmp_path, SCENARIO.replace(old, new))
    with pytest.raises(ValueError, match=message) as direct:
        read_scenario(path)
    with pytest.raises(KTABImportError) as imported:
        import_ktab(path)
    assert str(imported.value) == str(direct.value)


def test_salience_above_100_is_refused_for_reference_runs_but_noted_on_import(
    tmp_path: Path,
) -> None:
    from summitry.ktab_import import import_ktab

    path = _write(tmp_path, SCENARIO.replace("C, Third, 0.25, 0, 0,", "C, Third, 0.25, 0, 10,"))
    with pytest.raises(ValueError, match=r"s.csv:5: actor 'C': total salience 110 is above 100"):
        read_scenario(path)
    notes = import_ktab(path).notes
    assert any("saliences add up to 110" in n for n in notes)


def test_not_utf8_and_missing_files_are_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "s.csv"
    bad.write_bytes(SCENARIO.encode() + b"\xff\xfe\n")
    with pytest.raises(ValueError, match=r"s.csv:6: not UTF-8 text"):
        read_scenario(bad)
    with pytest.raises(ValueError, match="no such file"):
        read_scenario(tmp_path / "absent.csv")
    rows = "turn,actor,dim,position,ideal\n0,0,0,inf,1\n"
    with pytest.raises(ValueError, match=r"p.csv:2: position 'inf' is not a number"):
        read_positions(_write(tmp_path, rows, "p.csv"))
