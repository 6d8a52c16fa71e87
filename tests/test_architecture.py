"""The layers hold: import-linter's contracts pass on the project, and fail on a
copy of it with an import that runs against them (pyproject.toml,
[tool.importlinter]; docs/architecture.md draws the map)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.project import copy_project

LAYERS = "Layers: api -> services -> repositories -> models -> db"
NO_FLASK = "No Flask (so no request globals) and no HTTP layer below the API"


def _lint_imports(project: Path) -> tuple[int, str]:
    result = subprocess.run(
        [Path(sys.executable).parent / "lint-imports", "--no-cache"],
        cwd=project,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_project_keeps_its_contracts(tmp_path: Path) -> None:
    status, output = _lint_imports(copy_project(tmp_path / "project"))

    assert status == 0, output
    assert f"{LAYERS} KEPT" in output
    assert f"{NO_FLASK} KEPT" in output


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("app/repositories/user.py", "from app.services import accounts", LAYERS),
        ("app/repositories/user.py", "from flask import g", NO_FLASK),
        ("app/db/session.py", "from app.extensions import limiter", LAYERS),
        ("app/services/tokens.py", "from flask import request", NO_FLASK),
        ("app/models/user.py", "import app.api.users", LAYERS),
    ],
)
def test_an_import_against_the_layers_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    project = copy_project(tmp_path / "project")
    path = project / module
    path.write_text(path.read_text() + f"\n{line}  # noqa: E402, F401\n")

    status, output = _lint_imports(project)

    assert status == 1, output
    assert f"{broken} BROKEN" in output
