"""Loading valid scenarios and the Scenario API: lookups, quantities by dotted path,
central values, with_values, engine options, bundled scenarios."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from summitry.engines.eum.options import PRESETS, EUMOptions
from summitry.scenario import (
    Beta,
    Choice,
    Fixed,
    Normal,
    Scenario,
    ScenarioError,
    Triangular,
    Uniform,
    bundled_names,
    load,
    load_text,
    resolve_path,
    validate,
)
from summitry.scenario.catalog import SCENARIO_DIR

DATA = Path(__file__).parent / "data"
FULL = DATA / "full.yaml"


@pytest.fixture(scope="module")
def full() -> Scenario:
    return load(FULL)


def test_fields_and_lookups(full: Scenario):
    assert full.name == "full-example"
    assert full.date is not None and full.date.isoformat() == "2024-03-01"
    assert full.references == {"memo": "Internal memo, test fixture"}
    assert full.issue_ids == ["tariffs", "inspections"]
    assert full.actor_ids == ["north", "south"]
    assert full.issue("inspections").scale == (-1.0, 1.0)
    assert full.actor("south").note == "plain numbers are fine in user files"
    assert full.source_file == str(FULL)
    with pytest.raises(KeyError):
        full.issue("nope")
    with pytest.raises(KeyError):
        full.actor("nope")


def test_plain_numbers_become_fixed_values(full: Scenario):
    south = full.actor("south")
    assert south.capability == Fixed(value=0.3)
    assert south.positions["tariffs"] == Fixed(value=80)
    assert south.positions["inspections"] == Fixed(value=0.9, source="memo")


def test_quantity_classes_and_fields(full: Scenario):
    north = full.actor("north")
    assert north.capability == Beta(alpha=2, beta=5, low=0.01, high=0.2, source="memo")
    assert north.positions["tariffs"] == Triangular(low=0, mode=20, high=40, source="memo")
    assert north.positions["inspections"] == Normal(mean=-0.5, sd=0.2, note="judgment")
    assert north.salience["inspections"] == Choice(
        values=[0.2, 0.5], weights=[0.25, 0.75], note="j"
    )
    assert full.issue("inspections").status_quo == Uniform(low=-1, high=-0.5, note="judgment")
    assert [q.kind for q in (north.capability, north.positions["tariffs"])] == [
        "beta",
        "triangular",
    ]


def test_beta_bounds_default_to_the_legal_range(full: Scenario):
    salience = full.actor("north").salience["tariffs"]
    assert isinstance(salience, Beta)
    assert (salience.low, salience.high) == (0.0, 1.0)


def test_quantities_order_paths_and_ranges(full: Scenario):
    got = [(path, legal) for path, _, legal in full.quantities()]
    assert got == [
        ("issues.tariffs.status_quo", (0, 100)),
        ("issues.inspections.status_quo", (-1, 1)),
        ("actors.north.capability", (0, math.inf)),
        ("actors.north.positions.tariffs", (0, 100)),
        ("actors.north.positions.inspections", (-1, 1)),
        ("actors.north.salience.tariffs", (0, 1)),
        ("actors.north.salience.inspections", (0, 1)),
        ("actors.south.capability", (0, math.inf)),
        ("actors.south.positions.tariffs", (0, 100)),
        ("actors.south.positions.inspections", (-1, 1)),
        ("actors.south.salience.tariffs", (0, 1)),
        ("actors.south.salience.inspections", (0, 1)),
    ]
    assert full.quantity("actors.south.positions.tariffs") == Fixed(value=80)
    assert full.legal_range("actors.north.salience.tariffs") == (0, 1)


def test_positions_follow_issue_order_not_file_order():
    text = (DATA / "full.yaml").read_text()
    swapped = text.replace(
        "      tariffs: 80\n      inspections: {value: 0.9, source: memo}\n",
        "      inspections: {value: 0.9, source: memo}\n      tariffs: 80\n",
    )
    assert swapped != text
    paths = [p for p, _, _ in load_text(swapped).quantities() if p.startswith("actors.south.pos")]
    assert paths == ["actors.south.positions.tariffs", "actors.south.positions.inspections"]


@pytest.mark.parametrize(
    ("quantity", "central"),
    [
        (Fixed(value=4), 4),
        (Normal(mean=3, sd=1), 3),
        (Triangular(low=0, mode=5, high=20), 5),
        (Uniform(low=2, high=6), 4),
        (Beta(alpha=2, beta=6, low=10, high=30), 10 + 20 * 2 / 8),
        (Choice(values=[1, 2, 3]), 1),
        (Choice(values=[1, 2, 3], weights=[0.2, 0.4, 0.4]), 2),
    ],
)
def test_central_values(quantity, central):
    assert quantity.central() == pytest.approx(central)


def test_quantities_validate_when_built_in_code():
    with pytest.raises(ValueError, match="mode 9 is outside"):
        Triangular(low=0, mode=9, high=5)
    with pytest.raises(ValueError):
        Normal(mean=0, sd=-1)
    with pytest.raises(ValueError):
        Fixed(value=math.nan)
    with pytest.raises(ValueError):
        Fixed(value=True)


def test_nearest_anchor(full: Scenario):
    tariffs = full.issue("tariffs")
    assert tariffs.nearest_anchor(30) == (50, "half")
    assert tariffs.nearest_anchor(25) == (0, "no cut")  # a tie goes to the lower anchor
    assert tariffs.nearest_anchor(99) == (100, "full removal")
    assert load(DATA / "minimal.yaml").issue("border").nearest_anchor(3) is None


def test_engine_options_from_the_model_section(full: Scenario):
    options = full.model.eum.options()
    assert options == PRESETS["scholz-code"].with_overrides(rounds=25, q=0.9)
    minimal = load(DATA / "minimal.yaml")
    assert minimal.model.eum.variant == "default"
    assert minimal.model.eum.options() == EUMOptions()


def test_round_trip_through_plain_data(full: Scenario):
    again = validate(full.to_data(), "copy")
    assert again == full
    assert again.quantities() == full.quantities()


def test_with_values_replaces_and_revalidates(full: Scenario):
    changed = full.with_values(
        {
            "actors.south.capability": 0.5,
            "actors.north.positions.tariffs": Uniform(low=10, high=30),
            "issues.inspections.status_quo": {"dist": "normal", "mean": 0, "sd": 0.5},
        }
    )
    assert changed.actor("south").capability == Fixed(value=0.5)
    assert changed.quantity("actors.north.positions.tariffs") == Uniform(low=10, high=30)
    assert changed.issue("inspections").status_quo == Normal(mean=0, sd=0.5)
    assert full.actor("south").capability == Fixed(value=0.3)  # the original is untouched
    assert changed.source_file == full.source_file
    changed_paths = {
        "actors.south.capability",
        "actors.north.positions.tariffs",
        "issues.inspections.status_quo",
    }
    before = {p: q for p, q, _ in full.quantities() if p not in changed_paths}
    after = {p: q for p, q, _ in changed.quantities() if p not in changed_paths}
    assert before == after and len(after) == len(full.quantities()) - 3


def test_with_values_errors_name_the_dotted_path(full: Scenario):
    with pytest.raises(ScenarioError) as info:
        full.with_values({"actors.south.salience.tariffs": 1.5})
    assert str(info.value) == f"{FULL}: actors.south.salience.tariffs: 1.5 is above 1"
    with pytest.raises(ScenarioError) as info:
        full.with_values({"actors.sout.capability": 1, "actors.north.positions.tarifs": 1})
    assert [e.message for e in info.value.errors] == [
        "unknown actor 'sout' (did you mean 'south'?)",
        "unknown issue 'tarifs' (did you mean 'tariffs'?)",
    ]
    with pytest.raises(ScenarioError, match=r"actors\.north\.name: expected text"):
        full.with_values({"actors.north.name": 1})
    assert full.with_values({"actors.north.name": "N"}).actor("north").name == "N"
    with pytest.raises(ScenarioError, match=r"model\.eumm: unknown field 'eumm'"):
        full.with_values({"model.eumm.rounds": 3})
    assert full.with_values({"model.eum.rounds": 3}).model.eum.rounds == 3
    with pytest.raises(ScenarioError, match="expected a number"):
        full.with_values({"actors.north.capability": "big"})


def test_bundled_names_and_paths():
    names = bundled_names()
    assert names == sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    for name in names:
        assert resolve_path(name) == SCENARIO_DIR / f"{name}.yaml"
    assert resolve_path("some/where.yaml") == Path("some/where.yaml")
    assert resolve_path(FULL) == FULL


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_scenarios_load(name: str):
    sc = load(name)
    assert sc.name == name
    assert sc.source_file == f"{name}.yaml"
    for path, q, (lo, hi) in sc.quantities():
        assert lo <= q.central() <= hi, path
        assert q.source or q.note, path


def test_bundled_rules_apply_to_bundled_files_only():
    text = (DATA / "minimal.yaml").read_text()
    load_text(text)  # plain numbers are fine in a user file
    with pytest.raises(ScenarioError) as info:
        load_text(text, "minimal.yaml", bundled_stem="other")
    messages = [(e.path, e.message) for e in info.value.errors]
    assert messages[0] == ("name", "name 'minimal' must equal the file name 'other'")
    assert (
        "actors[1].salience.border",
        "bundled scenarios need a source or a note for every number",
    ) in messages
    assert len(messages) == 1 + 6


def test_the_documented_example_loads():
    doc = Path(__file__).parents[2] / "docs" / "scenario-format.md"
    text = doc.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    sc = load_text(example, "border-talks.yaml")
    assert [p for p, _, _ in sc.quantities()][:2] == [
        "issues.border.status_quo",
        "actors.west.capability",
    ]


# --- issue-specific capability ----------------------------------------------------------------

BY_ISSUE = {
    "actors.south.capability_by_issue.inspections": Triangular(low=0.5, mode=1, high=2),
    "actors.north.capability_by_issue.tariffs": 0.05,
}


def test_capability_by_issue_comes_after_every_other_quantity(full: Scenario):
    # Appended last, so adding one leaves every other input's draws unchanged.
    changed = full.with_values(BY_ISSUE)
    paths = [p for p, _, _ in changed.quantities()]
    before = [p for p, _, _ in full.quantities()]
    assert paths == [
        *before,
        "actors.north.capability_by_issue.tariffs",
        "actors.south.capability_by_issue.inspections",
    ]
    assert changed.legal_range("actors.north.capability_by_issue.tariffs") == (0, math.inf)
    assert changed.quantity("actors.north.capability_by_issue.tariffs") == Fixed(value=0.05)
    assert changed.actor("south").capability_by_issue == {
        "inspections": Triangular(low=0.5, mode=1, high=2)
    }


def test_capability_by_issue_follows_issue_order_and_round_trips(full: Scenario):
    changed = full.with_values(
        {
            "actors.north.capability_by_issue.inspections": 0.1,
            "actors.north.capability_by_issue.tariffs": 0.2,
        }
    )
    paths = [p for p, _, _ in changed.quantities() if "capability_by_issue" in p]
    assert paths == [
        "actors.north.capability_by_issue.tariffs",
        "actors.north.capability_by_issue.inspections",
    ]
    again = validate(changed.to_data(), "copy")
    assert again == changed and again.quantities() == changed.quantities()
    assert "capability_by_issue" not in full.to_data()["actors"][0]  # absent stays absent
    replaced = changed.with_values({"actors.north.capability_by_issue.tariffs": 0.3})
    assert replaced.quantity("actors.north.capability_by_issue.tariffs") == Fixed(value=0.3)


def test_capability_by_issue_errors_by_dotted_path(full: Scenario):
    with pytest.raises(ScenarioError) as info:
        full.with_values(
            {
                "actors.north.capability_by_issue.tarifs": 1,
                "actors.south.capability_by_issue.tariffs": -1,
            }
        )
    assert [str(e) for e in info.value.errors] == [
        f"{FULL}: actors.north.capability_by_issue.tarifs: unknown issue 'tarifs' "
        "(did you mean 'tariffs'?)",
        f"{FULL}: actors.south.capability_by_issue.tariffs: -1 is below 0",
    ]
    with pytest.raises(ScenarioError, match="not a finite number"):
        full.with_values({"actors.north.capability_by_issue.tariffs": math.nan})
