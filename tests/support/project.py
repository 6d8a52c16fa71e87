"""A copy of the project to run commands in, for tests that write files
(migrations, generated code) and must leave the checkout untouched."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def copy_project(destination: Path) -> Path:
    """Copy the code, migrations, tests and settings into ``destination``."""
    destination.mkdir(parents=True)
    for name in ("app", "migrations", "tests"):
        shutil.copytree(
            ROOT / name, destination / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("wsgi.py", "pyproject.toml"):
        shutil.copy(ROOT / name, destination / name)
    return destination


def run_module(
    project: Path, *args: str, env: Mapping[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    """``python -m ARGS`` in ``project``; with ``check``, fail the test on a non-zero exit."""
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=project,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check:
        assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result
