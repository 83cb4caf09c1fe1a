"""``summitry seal``, ``resolve`` and ``ledger ...`` as a user runs them: a real subprocess
of the console script on a real DuckDB file; one line and exit 2 for every refusal."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import duckdb
import pytest

from console_script import EXE
from question_scenarios import scenario_text


def run(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    assert EXE is not None
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("SUMMITRY_DB", None)
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ledger")
    scenario = tmp / "qtest.yaml"
    scenario.write_text(scenario_text())
    db = tmp / "l.duckdb"
    out = run("seal", str(scenario), "--samples", "100", "--db", str(db))
    assert out.returncode == 0, out.stderr
    return tmp, scenario, db, out


def fits(text: str) -> bool:
    return all(len(line) <= 80 for line in text.splitlines())


def test_seal_prints_what_it_sealed(sealed):
    _, _, db, out = sealed
    assert "qtest/signed" in out.stdout and "qtest/denuc" in out.stdout
    assert fits(out.stdout)
    listing = run("ledger", "list", "--db", str(db))
    assert listing.returncode == 0 and fits(listing.stdout)
    assert listing.stdout.count("forecast") == 5


def test_resolve_once_then_refused_and_verify(sealed, tmp_path):
    _, scenario, _, _ = sealed
    db = tmp_path / "r.duckdb"
    assert run("seal", str(scenario), "--samples", "50", "--db", str(db)).returncode == 0
    today = dt.datetime.now(dt.UTC).date().isoformat()
    first = run("resolve", "summit", "yes", "--date", today, "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert "qtest/summit resolved yes" in first.stdout
    again = run("resolve", "summit", "no", "--date", today, "--db", str(db))
    assert again.returncode == 2
    assert (
        again.stderr.strip()
        == "question qtest/summit is already resolved; the ledger is append-only"
    )
    bad_date = run("resolve", "signed", "yes", "--date", "31/12/2027", "--db", str(db))
    assert bad_date.returncode == 2 and len(bad_date.stderr.strip().splitlines()) == 1
    ok = run("ledger", "verify", "--db", str(db))
    assert ok.returncode == 0 and ok.stdout.strip() == "ledger intact: 6 entries"
    score = run("ledger", "score", "--db", str(db))
    assert score.returncode == 0 and "1 binary resolved" in score.stdout and fits(score.stdout)
    con = duckdb.connect(str(db))
    con.execute("UPDATE ledger SET outcome = 'no' WHERE entry_id = 6")
    con.close()
    broken = run("ledger", "verify", "--db", str(db))
    assert broken.returncode == 2
    assert broken.stderr.strip() == "ledger entry 6: edited (its content does not match its hash)"
    assert "Traceback" not in broken.stderr


def test_export_and_show(sealed):
    tmp, _, db, _ = sealed
    target = tmp / "ledger.csv"
    first = run("ledger", "export", str(target), "--db", str(db))
    assert first.returncode == 0 and target.exists()
    kept = target.read_text()
    again = run("ledger", "export", str(target), "--db", str(db))
    assert again.returncode == 2 and "exists" in again.stderr and target.read_text() == kept
    forced = run("ledger", "export", str(target), "--db", str(db), "--force")
    assert forced.returncode == 0
    show = run("ledger", "show", "1", "--db", str(db), "--json")
    assert show.returncode == 0 and '"entry_hash"' in show.stdout
    missing = run("ledger", "show", "99", "--db", str(db))
    assert missing.returncode == 2 and missing.stderr.strip().startswith("no ledger entry 99")


def test_refusals_are_one_line(tmp_path):
    nothing = run("ledger", "verify", "--db", str(tmp_path / "none.duckdb"))
    assert nothing.returncode == 2 and len(nothing.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.duckdb").exists()
    no_q = run("seal", "dprk-2019-hanoi", "--db", str(tmp_path / "x.duckdb"))
    assert no_q.returncode == 2 and "no questions to seal" in no_q.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_report_carries_the_ledger_and_its_reliability_png(sealed, tmp_path):
    _, scenario, _, _ = sealed
    db = tmp_path / "rep.duckdb"
    assert run("seal", str(scenario), "--samples", "50", "--db", str(db)).returncode == 0
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert run("resolve", "signed", "no", "--date", today, "--db", str(db)).returncode == 0
    out = tmp_path / "rep"
    made = run(
        "report",
        str(scenario),
        "--samples",
        "50",
        "--no-sensitivity",
        "--db",
        str(db),
        "--out",
        str(out),
    )
    assert made.returncode == 0, made.stderr
    assert (out / "reliability.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (out / "report.html").read_text()
    assert 'id="ledger"' in html and "qtest/signed" in html and "fig-reliability-realtime" in html


def test_concurrent_resolutions_record_one(sealed, tmp_path):
    _, scenario, _, _ = sealed
    db = tmp_path / "c.duckdb"
    assert run("seal", str(scenario), "--samples", "50", "--db", str(db)).returncode == 0
    today = dt.datetime.now(dt.UTC).date().isoformat()
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("SUMMITRY_DB", None)
    procs = [
        subprocess.Popen(
            [EXE, "resolve", "test", answer, "--date", today, "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for answer in ("yes", "no", "yes", "no")
    ]
    errors = [p.communicate(timeout=600)[1] for p in procs]
    results = [(p.returncode, err) for p, err in zip(procs, errors, strict=True)]
    assert sorted(code for code, _ in results) == [0, 2, 2, 2]
    assert all("already resolved" in err for code, err in results if code == 2)
    assert run("ledger", "verify", "--db", str(db)).returncode == 0


def test_import_loads_an_export_and_refuses_a_tampered_one(sealed, tmp_path):
    db = sealed[2]
    exported = tmp_path / "ledger.csv"
    assert run("ledger", "export", str(exported), "--db", str(db)).returncode == 0
    out = run("ledger", "import", str(exported), "--db", str(tmp_path / "copy.duckdb"))
    assert out.returncode == 0 and out.stdout.startswith("imported "), out.stderr
    assert run("ledger", "verify", "--db", str(tmp_path / "copy.duckdb")).returncode == 0
    header, first, *rest = exported.read_text().splitlines()
    tampered = tmp_path / "tampered.csv"
    tampered.write_text("\n".join([header, first.replace(",false,", ",true,", 1), *rest]))
    out = run("ledger", "import", str(tampered), "--db", str(tmp_path / "t.duckdb"))
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1, out.stderr
    assert "entry 1: its content does not match its hash" in lines[0]
    assert "Traceback" not in out.stderr
