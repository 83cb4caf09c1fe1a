"""The bundled scenarios: they load, every number carries a source or a note, the US-DPRK
files have the agreed actors and issues, and the EC file is the published table.

The checks on the raw YAML (parsed here with ruamel.yaml) run whether or not the loader
exists; the checks through ``summitry.scenario.load`` run once it does.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ruamel.yaml import YAML

SCENARIO_DIR = Path(str(files("summitry") / "bundled"))
BUNDLED = sorted(SCENARIO_DIR.glob("*.yaml"))
TRUMP_ERA = ["dprk-2018-singapore", "dprk-2019-hanoi", "dprk-2025", "dprk-2026"]
EPISODES = [
    "dprk-1994-agreed-framework",
    "dprk-2005-joint-statement",
    "dprk-2012-leap-day",
    "dprk-2019-stockholm",
]
"""Earlier past episodes, written for backtests (docs/scenarios.md, docs/backtest.md)."""
DPRK = TRUMP_ERA + EPISODES
EXPECTED = {"ec-emissions-1994", *DPRK}
CHANNEL = {name: "summit" for name in TRUMP_ERA} | {name: "working" for name in EPISODES}
"""The channel in force: leader-level at Trump's summits and in 2025, envoys otherwise."""

DPRK_ACTORS = {"usa_president", "usa_security", "dprk", "china", "russia", "rok", "japan"}
DPRK_ISSUES = {"denuclearization", "sanctions_relief", "security", "normalization"}
# codebook.md (summitry reference notes): the anchor points of the denuclearization scale.
DENUC_ANCHORS = {0, 10, 25, 40, 60, 80, 100}

# docs/models/eum.md, "Published checks" (BDM 1994 p.78; Scholz, Calbert & Smith 2011, Table 1):
# actor, capability, position (years), salience (0-100), in the published order.
EC_TABLE = [
    ("Netherlands", 0.08, 4, 80),
    ("Belgium", 0.08, 7, 40),
    ("Luxembourg", 0.03, 4, 20),
    ("Germany", 0.16, 4, 80),
    ("France", 0.16, 10, 60),
    ("Italy", 0.16, 10, 60),
    ("UK", 0.16, 10, 90),
    ("Ireland", 0.05, 7, 10),
    ("Denmark", 0.05, 4, 100),
    ("Greece", 0.08, 7, 70),
]
EC_SOURCE = "bdm1994: p.78; scholz2011: Table 1"

# COW NMC v7.0 CINC of the USA (cinc_v7_selected.csv; NMC-70-abridged.csv for 1993) for each
# scenario's base year, the last complete year before its date (docs/input-protocol.md,
# "Capability"); the scenarios split it between the president and the security establishment.
US_CINC = {
    "dprk-2018-singapore": 0.12164623,  # 2017
    "dprk-2019-hanoi": 0.11990859,  # 2018
    "dprk-2025": 0.12356574,  # 2022, the latest year in v7.0
    "dprk-2026": 0.12356574,  # 2022, still the latest year in v7.0
    "dprk-1994-agreed-framework": 0.15366846,  # 1993
    "dprk-2005-joint-statement": 0.15169488,  # 2004
    "dprk-2012-leap-day": 0.14314076,  # 2011
    "dprk-2019-stockholm": 0.11990859,  # 2018
}


def _doc(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _by_name(name: str) -> Any:
    return _doc(SCENARIO_DIR / f"{name}.yaml")


def _slots(doc: Any) -> Iterator[tuple[str, Any, tuple[float, float]]]:
    """Every quantity slot of a raw scenario: (field path, raw value, legal range)."""
    scales = {}
    for i, issue in enumerate(doc["issues"]):
        lo, hi = issue["scale"]
        scales[issue["id"]] = (float(lo), float(hi))
        if "status_quo" in issue:
            yield f"issues[{i}].status_quo", issue["status_quo"], scales[issue["id"]]
        for k, entry in enumerate(issue.get("consent") or []):
            # a consenter's tolerance, in scale points (docs/scenario-format.md, consent)
            if "tolerance" in entry:
                yield f"issues[{i}].consent[{k}].tolerance", entry["tolerance"], (0.0, hi - lo)
    for i, actor in enumerate(doc["actors"]):
        yield f"actors[{i}].capability", actor["capability"], (0.0, float("inf"))
        for issue_id, q in actor["positions"].items():
            yield f"actors[{i}].positions.{issue_id}", q, scales[issue_id]
        for issue_id, q in actor["salience"].items():
            yield f"actors[{i}].salience.{issue_id}", q, (0.0, 1.0)
    yield from _bargaining_slots(doc)
    for key, q in (doc.get("options") or {}).items():
        yield f"options.{key}", q, (0.0, 1.0)


# Legal ranges of the bargaining section (docs/models/bargaining.md): outside options and
# ratifier offsets in utility units, credibility a probability, patience a discount factor
# with finite ln.
OUTSIDE = (-1.0, 1.0)
UNIT = (0.0, 1.0)
PATIENCE = (0.001, 0.999)


def _bargaining_slots(doc: Any) -> Iterator[tuple[str, Any, tuple[float, float]]]:
    """The quantity slots of a raw scenario's ``bargaining`` section (none without one); an
    ideal-point override must lie on its issue's scale."""
    bg = doc.get("bargaining")
    if bg is None:
        return
    scales = {i["id"]: (float(i["scale"][0]), float(i["scale"][1])) for i in doc["issues"]}
    sides = (("outside_options", OUTSIDE), ("credibility", UNIT), ("patience", PATIENCE))
    for name, legal in sides:
        for side in ("a", "b"):
            yield f"bargaining.{name}.{side}", bg[name][side], legal
    for rid, ratifier in bg.get("ratifiers", {}).items():
        yield f"bargaining.ratifiers.{rid}.outside_option", ratifier["outside_option"], OUTSIDE
    for cname, channel in bg.get("channels", {}).items():
        if "override_cost" in channel:
            yield f"bargaining.channels.{cname}.override_cost", channel["override_cost"], UNIT
    for actor_id, per_issue in bg.get("ideals", {}).items():
        for issue_id, q in per_issue.items():
            yield f"bargaining.ideals.{actor_id}.{issue_id}", q, scales[issue_id]


def _support(q: dict[str, Any], rng: tuple[float, float]) -> tuple[float, float]:
    """The smallest interval that holds every value a raw quantity can produce."""
    if "value" in q:
        return q["value"], q["value"]
    kind = q["dist"]
    if kind in ("triangular", "uniform"):
        return q["low"], q["high"]
    if kind == "normal":
        return q.get("low", rng[0]), q.get("high", rng[1])
    if kind == "beta":
        return q.get("low", rng[0]), q.get("high", rng[1])
    return min(q["values"]), max(q["values"])


def _central(q: dict[str, Any]) -> float:
    """Central value as docs/scenario-format.md defines it (for the kinds used in bundled files)."""
    if "value" in q:
        return float(q["value"])
    kind = q["dist"]
    if kind == "triangular":
        return float(q["mode"])
    if kind == "normal":
        return float(q["mean"])
    if kind == "uniform":
        return (q["low"] + q["high"]) / 2
    raise AssertionError(f"central value of {kind} not needed by these tests")


def _actor(doc: Any, actor_id: str) -> Any:
    return next(a for a in doc["actors"] if a["id"] == actor_id)


def _issue(doc: Any, issue_id: str) -> Any:
    return next(i for i in doc["issues"] if i["id"] == issue_id)


def _loader() -> Any:
    try:
        module = importlib.import_module("summitry.scenario")
    except ImportError:
        module = None
    if not hasattr(module, "load"):
        pytest.skip("summitry.scenario.load is not written yet")
    return module


# --- raw YAML: works with or without the loader ------------------------------------------


def test_the_bundled_scenarios_are_present() -> None:
    assert {p.stem for p in BUNDLED} == EXPECTED


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_file_is_plain_yaml_named_after_its_stem(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "\t" not in text
    doc = _doc(path)
    assert doc["name"] == path.stem
    assert doc["title"].strip()
    assert doc["model"] == {"eum": {"variant": "default", "rounds": 10}}


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_quantity_has_a_source_or_a_note(path: Path) -> None:
    missing = []
    for where, q, _ in _slots(_doc(path)):
        has_text = isinstance(q, dict) and any(
            isinstance(q.get(k), str) and q[k].strip() for k in ("source", "note")
        )
        if not has_text:
            missing.append(where)
    assert missing == []


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_actor_has_a_position_and_salience_on_every_issue(path: Path) -> None:
    doc = _doc(path)
    issue_ids = [i["id"] for i in doc["issues"]]
    assert len(set(issue_ids)) == len(issue_ids)
    actor_ids = [a["id"] for a in doc["actors"]]
    assert len(set(actor_ids)) == len(actor_ids)
    for actor in doc["actors"]:
        assert set(actor["positions"]) == set(issue_ids), actor["id"]
        assert set(actor["salience"]) == set(issue_ids), actor["id"]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_quantity_stays_in_its_legal_range(path: Path) -> None:
    out = []
    for where, q, (lo, hi) in _slots(_doc(path)):
        a, b = _support(q, (lo, hi))
        if not lo <= a <= b <= hi:
            out.append(f"{where}: [{a}, {b}] outside [{lo}, {hi}]")
        if q.get("dist") == "triangular" and not q["low"] <= q["mode"] <= q["high"]:
            out.append(f"{where}: mode outside [low, high]")
    assert out == []


@pytest.mark.parametrize("name", DPRK)
def test_dprk_scenarios_have_the_agreed_actors_and_issues(name: str) -> None:
    doc = _by_name(name)
    assert {a["id"] for a in doc["actors"]} >= DPRK_ACTORS
    assert {i["id"] for i in doc["issues"]} >= DPRK_ISSUES
    for issue in doc["issues"]:
        assert [float(v) for v in issue["scale"]] == [0.0, 100.0], issue["id"]
        assert "status_quo" in issue, issue["id"]
    assert set(_issue(doc, "denuclearization")["anchors"]) >= DENUC_ANCHORS
    assert doc["date"] is not None and doc["description"].strip()


@pytest.mark.parametrize("name", DPRK)
def test_dprk_judgments_are_uncertain(name: str) -> None:
    # Capabilities and saliences of the US-DPRK actors are judgments: none is a fixed value.
    doc = _by_name(name)
    for actor in doc["actors"]:
        assert "dist" in actor["capability"], actor["id"]
        for issue_id, q in actor["salience"].items():
            assert "dist" in q, (actor["id"], issue_id)


def test_the_2025_scenario_is_dated_after_the_sept_2025_speech() -> None:
    assert str(_by_name("dprk-2025")["date"]) >= "2025-09-21"


def test_test_moratorium_is_the_status_quo_in_2018_19_but_not_in_2025() -> None:
    # CNS: no missile launch in 2018 and a declared test halt; by 2025 the moratorium is void.
    # 1994: the Yongbyon freeze under inspectors while talks ran (codebook between 10 and 25);
    # 2005 and 2012: no pause, no inspectors.
    sq = {n: _central(_issue(_by_name(n), "denuclearization")["status_quo"]) for n in DPRK}
    assert sq == {
        "dprk-2018-singapore": 10,
        "dprk-2019-hanoi": 10,
        "dprk-2025": 0,
        "dprk-2026": 0,
        "dprk-2019-stockholm": 10,
        "dprk-1994-agreed-framework": 20,
        "dprk-2005-joint-statement": 0,
        "dprk-2012-leap-day": 0,
    }


@pytest.mark.parametrize("name", DPRK)
def test_the_us_score_is_split_between_president_and_establishment(name: str) -> None:
    doc = _by_name(name)
    pres = _central(_actor(doc, "usa_president")["capability"])
    sec = _central(_actor(doc, "usa_security")["capability"])
    assert pres + sec == pytest.approx(US_CINC[name], abs=1e-3)


def test_president_share_follows_the_seed_analysis() -> None:
    # 2018: Trump overrode his advisers; Hanoi 2019: the hawkish advisers set the demand.
    share = {}
    for name in DPRK:
        doc = _by_name(name)
        pres = _central(_actor(doc, "usa_president")["capability"])
        share[name] = pres / (pres + _central(_actor(doc, "usa_security")["capability"]))
    assert share["dprk-2018-singapore"] > 0.5 > share["dprk-2019-hanoi"]
    assert share["dprk-2025"] != pytest.approx(share["dprk-2018-singapore"], abs=0.01)


PAST = [
    "dprk-1994-agreed-framework",
    "dprk-2005-joint-statement",
    "dprk-2012-leap-day",
    "dprk-2018-singapore",
    "dprk-2019-hanoi",
    "dprk-2019-stockholm",
]
"""The past episodes rebuilt by docs/input-protocol.md (December 2026)."""


def _source_keys(source: str) -> list[str]:
    """The reference keys a resolved ``source`` cites, with their ``@years`` if any."""
    return [part.split(":", 1)[0].strip() for part in source.split(";")]


def test_the_hanoi_summit_is_only_in_the_outcome() -> None:
    # The leaders first met on 27 Feb 2019; the file is dated the day before, so the summit
    # and what was said after it (Ri Yong Ho, 1 Mar) can only appear in the outcome.
    doc = _by_name("dprk-2019-hanoi")
    assert str(doc["date"]) == "2019-02-26"
    later = {"hanoi-summit-2019-02-28", "ri-yong-ho-press-conference-2019-03-01"}
    text = (SCENARIO_DIR / "dprk-2019-hanoi.yaml").read_text(encoding="utf-8")
    inputs = text.split("\noutcome:", 1)[0]
    assert not [k for k in later if k in inputs]
    outcome_keys = {k for q in doc["outcome"]["issues"].values() for k in _source_keys(q["source"])}
    assert later <= outcome_keys | set(_source_keys(doc["outcome"]["deal"]["source"]))


@pytest.mark.parametrize("name", PAST)
def test_capability_is_the_cinc_of_the_last_full_year_before_the_date(name: str) -> None:
    # Retrospective measurement (docs/input-protocol.md, "Datasets published later"): the
    # values of a year that had ended by the scenario's date, cited with @year.
    doc = _by_name(name)
    year = doc["date"].year - 1
    for actor in doc["actors"]:
        assert f"cow-nmc-v7-cinc@{year}" in _source_keys(actor["capability"]["source"]), actor["id"]


def test_ec_scenario_is_the_published_table() -> None:
    doc = _by_name("ec-emissions-1994")
    assert len(doc["issues"]) == 1
    issue = doc["issues"][0]
    assert len(doc["actors"]) == len(EC_TABLE)
    for actor, (name, c, x, s) in zip(doc["actors"], EC_TABLE, strict=True):
        assert actor["name"] == {"UK": "United Kingdom"}.get(name, name)
        cap = actor["capability"]
        pos = actor["positions"][issue["id"]]
        sal = actor["salience"][issue["id"]]
        for q in (cap, pos, sal):
            assert set(q) <= {"value", "source", "note"}, f"{name}: replication values are fixed"
            assert q["source"] == EC_SOURCE
        assert cap["value"] == c
        assert pos["value"] == x
        assert sal["value"] == pytest.approx(s / 100, abs=1e-12)
    lo, hi = issue["scale"]
    assert lo <= 4 and hi >= 10
    assert {4, 7, 10} <= set(issue["anchors"])
    assert "8.83" in issue["note"]


# --- the bargaining section of the US-DPRK files (docs/models/bargaining.md; docs/scenarios.md)


def _bargaining_central(name: str, path: str) -> float:
    """Central value of a bargaining quantity, by its dotted path in the raw YAML."""
    node = _by_name(name)["bargaining"]
    for key in path.split("."):
        node = node[key]
    return _central(node)


def _ideal(doc: Any, actor_id: str, issue_id: str) -> float:
    """The central ideal point the bargaining model uses: the ``bargaining.ideals`` override
    where the file gives one, else the stated position."""
    override = doc.get("bargaining", {}).get("ideals", {}).get(actor_id, {}).get(issue_id)
    if override is not None:
        return _central(override)
    return _central(_actor(doc, actor_id)["positions"][issue_id])


def _u_at_status_quo(doc: Any, actor_id: str) -> float:
    """u(z0) = 1 - sum_d w_d |z0_d - x_d| at central values (docs/models/bargaining.md): ideal
    points and status quo rescaled from their scales to [0, 1], saliences normalised to sum 1."""
    actor = _actor(doc, actor_id)
    terms = []
    for issue in doc["issues"]:
        lo, hi = (float(v) for v in issue["scale"])
        x = (_ideal(doc, actor_id, issue["id"]) - lo) / (hi - lo)
        z0 = (_central(issue["status_quo"]) - lo) / (hi - lo)
        terms.append((_central(actor["salience"][issue["id"]]), abs(z0 - x)))
    total = sum(w for w, _ in terms)
    return 1.0 - sum(w / total * gap for w, gap in terms)


@pytest.mark.parametrize("name", DPRK)
def test_dprk_bargaining_section_has_the_agreed_shape(name: str) -> None:
    # The summit channel is in force at Trump's summits and in 2025, the working channel at the
    # envoys' talks; both are defined in every file, so users can compare, and the working
    # channel keeps the security establishment as ratifier.
    bg = _by_name(name)["bargaining"]
    assert bg["principals"] == {"a": "usa_president", "b": "dprk"}
    assert bg["channel"] == CHANNEL[name]
    summit, working = bg["channels"]["summit"], bg["channels"]["working"]
    assert summit["a"] == "usa_president" and summit["ratifiers"] == []
    assert "override_cost" in summit
    assert working["a"] == "usa_security" and working["ratifiers"] == ["usa_security"]
    assert set(bg["ratifiers"]) == {"usa_security"}
    assert bg["utility"] == "linear"


@pytest.mark.parametrize("name", DPRK)
def test_dprk_bargaining_numbers_are_sourced_uncertain_judgments(name: str) -> None:
    slots = [s for s in _bargaining_slots(_by_name(name)) if ".ideals." not in s[0]]
    assert len(slots) == 8  # o, tau, delta for both sides, one ratifier, one override cost
    for where, q, _ in slots:
        assert "dist" in q, where
        assert q["low"] < q["high"], where
        assert q.get("source", "").strip() or q.get("note", "").strip(), where
        assert "judgment" in q.get("note", "").lower(), where


_NUM = r"(\d+(?:\.\d+)?)"
RULE_O = re.compile(
    rf"rule O \(docs/input-protocol\.md\): S={_NUM}, T={_NUM}, N={_NUM}, P={_NUM}, D={_NUM}"
)
"""The coding line of rule O in the notes of ``bargaining.outside_options.a`` and ``.b``."""


def _rule_o(q: dict[str, Any]) -> dict[str, float] | None:
    match = RULE_O.search(" ".join(q.get("note", "").split()))
    if match is None:
        return None
    return dict(zip("STNPD", (float(v) for v in match.groups()), strict=True))


def _check_triangular(q: dict[str, Any], mode: float, where: str) -> None:
    assert q["dist"] == "triangular", where
    assert q["mode"] == pytest.approx(mode, abs=1e-9), where
    assert q["low"] == pytest.approx(max(-1.0, mode - 0.06), abs=1e-9), where
    assert q["high"] == pytest.approx(min(1.0, mode + 0.06), abs=1e-9), where


@pytest.mark.parametrize("name", DPRK)
def test_outside_options_follow_rule_o(name: str) -> None:
    # docs/input-protocol.md, rule O: one formula from five indicators coded 0, 0.5 or 1, the
    # same for every file; the test recomputes the numbers from the file's own coding line,
    # and each indicator cites a source whose detail starts with its letter. The rebuilt
    # past episodes must carry the line; a file that does not yet is skipped.
    bg = _by_name(name)["bargaining"]
    a, b = bg["outside_options"]["a"], bg["outside_options"]["b"]
    ind = _rule_o(a)
    if ind is None and name not in PAST:
        pytest.skip(f"{name} does not code rule O yet")
    assert ind is not None and _rule_o(b) == ind, name
    assert all(v in (0.0, 0.5, 1.0) for v in ind.values()), ind
    o_a = 0.05 * (ind["S"] - ind["T"])
    o_b = 0.05 * (ind["P"] + ind["N"] - ind["S"] - ind["D"])
    _check_triangular(a, o_a, "outside_options.a")
    _check_triangular(b, o_b, "outside_options.b")
    _check_triangular(bg["ratifiers"]["usa_security"]["outside_option"], o_a + 0.04, "ratifier")
    for q, letters in ((a, "ST"), (b, "SPND")):
        details = [
            part.split(":", 2)[1].strip() for part in q["source"].split(";") if part.count(":") >= 2
        ]
        assert set(letters) <= set(details), (letters, details)


def test_kims_trust_in_us_concessions_falls_after_three_summits() -> None:
    tau_b = {n: _bargaining_central(n, "credibility.b") for n in DPRK}
    assert tau_b["dprk-2025"] < tau_b["dprk-2019-hanoi"] <= tau_b["dprk-2018-singapore"]
    assert tau_b["dprk-2025"] <= tau_b["dprk-2018-singapore"] / 2


def test_us_trust_in_dprk_steps_falls_after_the_moratorium_was_voided() -> None:
    tau_a = {n: _bargaining_central(n, "credibility.a") for n in DPRK}
    assert tau_a["dprk-2025"] < min(tau_a["dprk-2018-singapore"], tau_a["dprk-2019-hanoi"])


def test_overriding_the_advisers_cost_more_at_hanoi_than_at_singapore() -> None:
    cost = {n: _bargaining_central(n, "channels.summit.override_cost") for n in DPRK}
    assert cost["dprk-2019-hanoi"] > cost["dprk-2018-singapore"]
    assert cost["dprk-2018-singapore"] < cost["dprk-2025"] < cost["dprk-2019-hanoi"]


def test_kim_is_more_patient_in_2025() -> None:
    # The seed: Kim is "far less desperate" than in Trump's first term, so the Rubinstein
    # share alpha_A = ln(delta_B) / (ln(delta_A) + ln(delta_B)) moves to the DPRK.
    alpha = {}
    for n in DPRK:
        ln_a = math.log(_bargaining_central(n, "patience.a"))
        ln_b = math.log(_bargaining_central(n, "patience.b"))
        alpha[n] = ln_b / (ln_a + ln_b)
    assert alpha["dprk-2018-singapore"] > 0.5 and alpha["dprk-2019-hanoi"] > 0.5
    assert alpha["dprk-2025"] < 0.5


@pytest.mark.parametrize("name", DPRK)
def test_reservations_leave_room_for_a_better_deal(name: str) -> None:
    # d_X = u_X(z0) + o_X (plus the override cost for the summit's A) must stay below 1, the
    # utility of X's own ideal, or no package could ever beat no deal; and above 0.
    doc = _by_name(name)
    bg = doc["bargaining"]
    o_a, o_b = (_central(bg["outside_options"][s]) for s in ("a", "b"))
    cost = _central(bg["channels"]["summit"]["override_cost"])
    reservations = {
        "summit A": _u_at_status_quo(doc, "usa_president") + o_a + cost,
        "working A": _u_at_status_quo(doc, "usa_security") + o_a,
        "B": _u_at_status_quo(doc, "dprk") + o_b,
        "ratifier": _u_at_status_quo(doc, "usa_security")
        + _central(bg["ratifiers"]["usa_security"]["outside_option"]),
    }
    for who, d in reservations.items():
        assert 0.0 < d < 1.0, (who, d)


# --- bargaining ideal points where a stated position is an offer (docs/scenarios.md) ------


def _ideal_override(name: str, actor_id: str, issue_id: str) -> Any:
    return _by_name(name)["bargaining"]["ideals"][actor_id][issue_id]


def test_hanoi_ideal_is_below_the_stated_offer() -> None:
    # The Pyongyang Declaration offered Yongbyon (codebook 40) for corresponding measures
    # (rule I case 1): without them the DPRK keeps the declared test pause, its status quo.
    doc = _by_name("dprk-2019-hanoi")
    offer = _actor(doc, "dprk")["positions"]["denuclearization"]
    ideal = _ideal_override("dprk-2019-hanoi", "dprk", "denuclearization")
    scale = (0.0, 100.0)
    assert _support(ideal, scale)[1] < _support(offer, scale)[0]
    assert _support(ideal, scale)[1] <= _central(_issue(doc, "denuclearization")["status_quo"])


@pytest.mark.parametrize("name", [n for n in DPRK if n not in PAST])
def test_kims_denuclearization_ideal_is_a_test_pause_at_most(name: str) -> None:
    doc = _by_name(name)
    ideal = _ideal_override(name, "dprk", "denuclearization")
    low, high = _support(ideal, (0.0, 100.0))
    assert 0 <= low <= high <= 10  # codebook point 10: the self-declared test pause
    stated = _actor(doc, "dprk")["positions"]["denuclearization"]
    assert _central(ideal) <= _central(stated)
    assert high < _support(stated, (0.0, 100.0))[1]  # the stated range includes an offer


@pytest.mark.parametrize("name", [n for n in DPRK if n not in PAST])
def test_the_presidents_sanctions_offer_is_not_his_ideal(name: str) -> None:
    # Relief is what the president pays: his ideal is the status quo of full sanctions, below
    # the relief his stated position would give.
    doc = _by_name(name)
    ideal = _central(_ideal_override(name, "usa_president", "sanctions_relief"))
    assert ideal == _central(_issue(doc, "sanctions_relief")["status_quo"])
    assert ideal < _central(_actor(doc, "usa_president")["positions"]["sanctions_relief"])


@pytest.mark.parametrize("name", DPRK)
def test_every_ideal_override_states_the_judgment_behind_it(name: str) -> None:
    ideals = [s for s in _bargaining_slots(_by_name(name)) if ".ideals." in s[0]]
    assert ideals
    for where, q, _ in ideals:
        note = q.get("note", "")
        assert note.startswith("Judgment") and "stated position" in note, where
        # a dated source, or (a coding judgment with none) the judgment spelled out in the note
        assert q.get("source", "").strip() or "Judgment: coded by docs/codebook.md" in note, where


@pytest.mark.parametrize("name", PAST)
def test_ideal_overrides_follow_rule_i(name: str) -> None:
    # docs/input-protocol.md, rule I: an override only for a principal or the ratifier, from
    # a dated statement, either case 1 (a conditional offer: the ideal is the issue's central
    # status quo) or case 2 (a larger demand: further from the status quo than the stated
    # position, on the same side).
    doc = _by_name(name)
    ideals = doc["bargaining"].get("ideals", {})
    assert set(ideals) <= {"usa_president", "dprk", "usa_security"}
    for actor_id, per_issue in ideals.items():
        for issue_id, q in per_issue.items():
            where = (actor_id, issue_id)
            note = " ".join(q["note"].split())
            assert q["source"].strip() and set(q) == {"value", "source", "note"}, where
            sq = _central(_issue(doc, issue_id)["status_quo"])
            stated = _central(_actor(doc, actor_id)["positions"][issue_id])
            if "rule I case 1" in note:
                assert q["value"] == sq, where
            else:
                assert "rule I case 2" in note, where
                assert (q["value"] - sq) * (stated - sq) > 0, where
                assert abs(q["value"] - sq) > abs(stated - sq), where


@pytest.mark.parametrize("name", PAST)
def test_consent_follows_rule_c(name: str) -> None:
    # docs/input-protocol.md, rule C: the ROK consents to changes of the combined posture
    # (1953 treaty); the actor holding Congress consents to sanctions relief only once the
    # NKSPEA (18 Feb 2016) had put US sanctions in statute, with tolerance up to codebook 15.
    doc = _by_name(name)
    consent = {i["id"]: i.get("consent", []) for i in doc["issues"]}
    (rok,) = consent["security"]
    assert rok["actor"] == "rok" and rok["tolerance"]["value"] == 0
    assert "us-rok-mutual-defense-treaty-1953" in _source_keys(rok["source"])
    statutory = str(doc["date"]) >= "2016-02-18"
    assert [c["actor"] for c in consent["sanctions_relief"]] == (
        ["usa_security"] if statutory else []
    )
    if statutory:
        (congress,) = consent["sanctions_relief"]
        assert "nkspea-2016-02-18" in _source_keys(congress["source"])
        sq = _central(_issue(doc, "sanctions_relief")["status_quo"])
        assert congress["tolerance"]["value"] == 15 - sq
    assert all(not c for i, c in consent.items() if i not in ("security", "sanctions_relief"))


def test_hanoi_bargaining_charges_kim_for_steps_beyond_the_status_quo() -> None:
    # With the offer read as the ideal, a package at 70 cost Kim no more than the status quo
    # at 10 (both 30 points from 40). With the ideal override, every step past the status quo
    # costs him: u_B falls from z0 to the Hanoi offer (40) to the US demand (70).
    _loader()
    from summitry.engines.bargaining import evaluate
    from summitry.forecasting.bargaining import build_problem
    from summitry.sampling import central

    sc = importlib.import_module("summitry.scenario").load("dprk-2019-hanoi")
    problem = build_problem(sc, central(sc))
    d = sc.issue_ids.index("denuclearization")
    z0 = problem.z0[0]
    packages = np.repeat(z0[None, :], 3, axis=0)
    packages[1, d], packages[2, d] = 0.40, 0.70
    size = problem.size
    u_b = [float(evaluate(problem, np.repeat(p[None, :], size, axis=0)).u_b[0]) for p in packages]
    assert u_b[0] > u_b[1] > u_b[2]
    stated = _central(_actor(_by_name("dprk-2019-hanoi"), "dprk")["positions"]["denuclearization"])
    assert problem.b[0, d] < stated / 100


# --- through the loader, once it exists ------------------------------------------------


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_file_loads_and_every_quantity_is_sourced(path: Path) -> None:
    scenario = _loader()
    sc = scenario.load(path.stem)
    seen = 0
    for where, q, _rng in sc.quantities():
        seen += 1
        assert (q.source or "").strip() or (q.note or "").strip(), where
    assert seen == sum(1 for _ in _slots(_doc(path)))


def test_ec_central_values_through_the_loader_match_the_table() -> None:
    scenario = _loader()
    sc = scenario.load("ec-emissions-1994")
    (issue,) = sc.issues
    assert len(sc.actors) == len(EC_TABLE)
    for actor, (_name, c, x, s) in zip(sc.actors, EC_TABLE, strict=True):
        assert actor.capability.central() == c
        assert actor.positions[issue.id].central() == x
        assert actor.salience[issue.id].central() == pytest.approx(s / 100, abs=1e-12)


# --- the 2025 and 2026 files (docs/codebook.md, new sections; docs/case-dprk.md) ----------

RECENT = ["dprk-2025", "dprk-2026"]
NEW_ISSUES = {"nuclear_status", "inter_korean"}


def _keys(source: str) -> set[str]:
    """The reference keys a resolved ``source`` text cites (``key@years: detail; ...``)."""
    return {part.split(":", 1)[0].split("@", 1)[0].strip() for part in source.split(";")}


def test_the_2026_scenario_is_dated_after_the_beijing_summit() -> None:
    # The latest public event the record found is the end of the Trump-Xi summit on 15 May
    # 2026 (docs/sources/record-2025-2026.md); the scenario sits there, not before it.
    assert str(_by_name("dprk-2026")["date"]) == "2026-05-15"


@pytest.mark.parametrize("name", RECENT)
def test_recent_files_carry_the_framing_and_inter_korean_issues(name: str) -> None:
    # Same structure in both files: the four codebook issues first (in their usual order),
    # then the two issues the 2025-26 record needs.
    doc = _by_name(name)
    ids = [i["id"] for i in doc["issues"]]
    assert ids[:4] == ["denuclearization", "sanctions_relief", "security", "normalization"]
    assert set(ids[4:]) == NEW_ISSUES
    status = _issue(doc, "nuclear_status")
    assert {0, 60, 100} <= set(status["anchors"])
    assert "recognition" in status["anchors"][100] and "ICBM" in status["anchors"][60]
    assert "hostile" in _issue(doc, "inter_korean")["anchors"][0]
    # Kim Yo Jong (29 Jul 2025): recognition is the premise of talks; the ROK is no partner.
    dprk = _actor(doc, "dprk")
    assert _central(dprk["positions"]["nuclear_status"]) == 100
    assert _central(dprk["positions"]["inter_korean"]) == 0
    cited = _keys(dprk["positions"]["nuclear_status"]["source"])
    assert "kim-yo-jong-statement-2025-07-29" in cited


@pytest.mark.parametrize("name", RECENT)
def test_posture_and_statutory_sanctions_need_consent(name: str) -> None:
    # Posture: the ROK (Mutual Defense Treaty, Art. IV); statutory sanctions: the actor that
    # holds Congress. Every consent entry is sourced.
    doc = _by_name(name)
    consent = {i["id"]: [c["actor"] for c in i.get("consent", [])] for i in doc["issues"]}
    assert "rok" in consent["security"]
    assert consent["sanctions_relief"] == ["usa_security"]
    for issue in doc["issues"]:
        for entry in issue.get("consent", []):
            assert entry["source"].strip() and "tolerance" in entry, (issue["id"], entry["actor"])
    # rule C (docs/input-protocol.md): relief up to codebook point 15 needs no consent, so the
    # tolerance is the distance from the status quo to 15; Seoul accepts nothing worse.
    sanctions = _issue(doc, "sanctions_relief")
    (congress,) = sanctions["consent"]
    assert _central(congress["tolerance"]) == 15 - _central(sanctions["status_quo"])
    rok = next(c for c in _issue(doc, "security")["consent"] if c["actor"] == "rok")
    assert _central(rok["tolerance"]) == 0


def test_congress_holds_the_troop_floor_only_from_december_2025() -> None:
    # NDAA FY2026 (signed 18 Dec 2025) binds troop cuts: a consenter in 2026, not in 2025.
    consent = {
        name: [c["actor"] for c in _issue(_by_name(name), "security").get("consent", [])]
        for name in RECENT
    }
    assert consent == {"dprk-2025": ["rok"], "dprk-2026": ["rok", "usa_security"]}


def test_the_2025_presidents_posture_rests_on_2025_statements() -> None:
    # The former input (15-35-55) was sourced to the 2018 exercise suspension alone; the
    # 2025 one cites the 2025 record, keeps 2018 as its tail, and sits lower.
    pres = _actor(_by_name("dprk-2025"), "usa_president")["positions"]["security"]
    keys = _keys(pres["source"])
    assert keys and all(k.endswith("2025") or k[-10:-6] == "2025" for k in keys), keys
    assert pres["mode"] < 35 and pres["high"] <= 45


@pytest.mark.parametrize("name", RECENT)
def test_recent_files_cite_nothing_after_their_date(name: str) -> None:
    # Every key of every input's source is dated on or before the scenario (the strict
    # hindsight check, here on the raw file); datasets cite the years they measure (@2022).
    _loader()
    from summitry.scenario.sources import library

    refs = library()
    doc = _by_name(name)
    date = str(doc["date"])

    def sources(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "source" and isinstance(value, str):
                    yield value
                elif key not in ("questions", "outcome"):  # not inputs
                    yield from sources(value)
        elif isinstance(node, list):
            for item in node:
                yield from sources(item)

    cited = {key for text in sources(doc) for key in _keys(text)}
    assert cited and cited <= set(refs), cited - set(refs)
    for key in cited:
        dataset = any(f"{key}@" in text for text in sources(doc))
        assert str(refs[key].date) <= date or dataset, key
