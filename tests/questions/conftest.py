"""The test scenario with questions, as a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from question_scenarios import scenario_text


@pytest.fixture
def qfile(tmp_path: Path) -> Path:
    path = tmp_path / "qtest.yaml"
    path.write_text(scenario_text())
    return path
