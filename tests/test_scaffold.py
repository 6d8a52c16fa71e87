"""`flask scaffold`: what it refuses, what --dry-run shows, and the whole flow
(generate, migrate, lint, type-check, run the generated tests) in a copy of the
project, for two mixes of field types including foreign keys."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask

from app.scaffold import existing_models, plan
from app.scaffold.spec import SpecError, parse
from tests.support.databases import temporary_database
from tests.support.project import copy_project, run_module

ROOT = Path(__file__).resolve().parent.parent


def _tree() -> set[Path]:
    return set((ROOT / "app").rglob("*.py")) | set((ROOT / "tests").rglob("*.py"))


def free_name(base: str) -> str:
    """``base``, or ``base_2``, ``base_3``...: a resource name no model of this project
    has taken (a project may well have scaffolded a gizmo of its own)."""
    taken = set(existing_models()) | {target.table for target in existing_models().values()}
    name, n = base, 1
    while name in taken or f"{name}s" in taken:
        n += 1
        name = f"{base}_{n}"
    return name


FREE = free_name("gizmo")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "name:str"], "exists already"),
        (["refresh_token", "name:str"], "exists already"),
        (["auth", "name:str"], "reserved"),
        (["Widget", "name:str"], "not a valid name"),
        (["2fa", "name:str"], "not a valid name"),
        (["class", "name:str"], "Python keyword"),
        ([FREE], "at least one field"),
        ([FREE, "price:money"], "unknown type 'money'"),
        ([FREE, "price"], "must look like name:type"),
        ([FREE, "id:int"], "reserved"),
        ([FREE, "page:int"], "reserved"),
        ([FREE, "for:int"], "Python keyword"),
        ([FREE, "a:int", "a:str"], "repeat"),
        ([FREE, "owner:fk:nothing"], "unknown model 'nothing'"),
        ([FREE, "owner:fk"], "name:fk:model"),
        ([FREE, "size__lte:int"], "double underscore"),
        (["gizmo__x", "name:str"], "double underscore"),
        ([FREE, "nick:str", "--plural", "refresh_tokens"], "is taken"),
        ([FREE, "nick:str", "--plural", "auth"], "is taken"),
        ([FREE, "fields:str"], "reserved"),
        ([FREE, "date:date"], "reserved"),
        (["blueprint", "name:str"], "class Blueprint"),
        (["index", "name:str"], "class Index"),
    ],
)
def test_refuses_without_writing_anything(app: Flask, args: list[str], message: str) -> None:
    before = _tree()

    result = app.test_cli_runner().invoke(args=["scaffold", *args])

    assert result.exit_code == 1
    assert message in result.output
    assert _tree() == before


def test_refuses_to_overwrite_a_file(tmp_path: Path) -> None:
    for name in ("app/models", "app/api", "app/repositories", "app/schemas", "tests/api"):
        (tmp_path / name).mkdir(parents=True)
    for name in ("app/models/__init__.py", "app/api/__init__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "app" / "schemas" / f"{FREE}.py").write_text("# someone's work\n")
    spec = parse(FREE, ["name:str"], {})

    with pytest.raises(SpecError, match=rf"Refusing to overwrite: app/schemas/{FREE}\.py"):
        plan(spec, tmp_path)


def test_dry_run_prints_and_writes_nothing(app: Flask) -> None:
    before = _tree()

    result = app.test_cli_runner().invoke(
        args=["scaffold", FREE, "name:str", "owner:fk:user", "--dry-run"]
    )

    assert result.exit_code == 0, result.output
    assert f"--- would create app/models/{FREE}.py" in result.output
    assert "--- would update app/api/__init__.py" in result.output
    assert 'ForeignKey("users.id")' in result.output
    assert result.output.rstrip().endswith("Dry run: nothing was written.")
    assert _tree() == before


def _run(project: Path, *args: str, env: dict[str, str]) -> str:
    result = run_module(project, *args, env=env)
    return result.stdout + result.stderr


def test_generated_resources_migrate_lint_type_check_and_pass_their_tests(
    tmp_path: Path,
) -> None:
    project = copy_project(tmp_path / "project")
    server = os.environ.get("TEST_DATABASE_URL")
    with temporary_database(server, tmp_path) as database_url:
        env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development"}
        flask = ("flask", "--app", "wsgi")
        _run(project, *flask, "db", "upgrade", env=env)

        # Names no model of the project has taken (it may have a widget already).
        widget, part = free_name("probe_widget"), free_name("probe_part")
        out = _run(
            project, *flask, "scaffold", widget,
            "name:str", "price:decimal", "in_stock:bool", "released:date", env=env,
        )  # fmt: skip
        assert f'flask db migrate -m "create {widget}s table"' in out
        _run(project, *flask, "db", "migrate", "-m", f"create {widget}s table", env=env)
        _run(project, *flask, "db", "upgrade", env=env)

        _run(
            project, *flask, "scaffold", part,
            "label:str", f"widget:fk:{widget}", "owner:fk:user", "notes:text?",
            "weight:float", "made_at:datetime", "code:uuid", "quantity:int", env=env,
        )  # fmt: skip
        _run(project, *flask, "db", "migrate", "-m", f"create {part}s table", env=env)
        _run(project, *flask, "db", "upgrade", env=env)
        assert "No new upgrade operations detected" in _run(project, *flask, "db", "check", env=env)

    _run(project, "ruff", "check", ".", env=env)
    _run(project, "ruff", "format", "--check", ".", env=env)
    _run(project, "mypy", env=env)
    # The generated tests, and the contract tests, which now cover the new
    # operations too (the OpenAPI document must stay valid and true).
    out = _run(
        project, "pytest", "-q", "-p", "no:cacheprovider",
        f"tests/api/test_{widget}s.py", f"tests/api/test_{part}s.py",
        "tests/test_contract.py", "-k", "probe or valid_openapi or problems",
        env={**env, "FUZZ_EXAMPLES": "30"},
    )  # fmt: skip
    passed = re.search(r"(\d+) passed", out)
    assert passed is not None, out
    assert int(passed.group(1)) >= 50, out  # the generated tests and 8 contract tests
    assert "failed" not in out
