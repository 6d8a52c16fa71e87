"""``flask scaffold``: a model to a tested API in one command, like Django's startapp.

    flask scaffold widget name:str price:decimal in_stock:bool released:date
    flask scaffold part label:str widget:fk:widget notes:text?

writes the model, repository, schemas, resource blueprint and a test module, and
registers the model and the blueprint. Nothing is written unless everything can be.

A development tool: ``app.cli`` imports this package only when the command runs,
and it needs ruff (a development requirement) to sort imports and format.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import click

import app.models  # noqa: F401  (every existing model, for foreign keys and name clashes)
from app.db.base import Base
from app.scaffold import render
from app.scaffold.spec import ResourceSpec, SpecError, Target, parse

ROOT = Path(__file__).resolve().parents[2]


@click.command("scaffold")
@click.argument("name")
@click.argument("fields", nargs=-1)
@click.option(
    "--plural", help="Plural of NAME, for the table and URL (default: NAME + s, es or ies)."
)
@click.option(
    "--owner",
    help="A FIELD:fk:user that owns each row (default: a field named owner, if any).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
def scaffold(
    name: str, fields: tuple[str, ...], plural: str | None, owner: str | None, dry_run: bool
) -> None:
    """Generate a resource: NAME, then FIELD:TYPE ...

    Types: str, text, int, bool, decimal, float, date, datetime, uuid, and fk:MODEL
    (owner:fk:user makes owner_id). A ? after the type makes a field optional.

    With an owner (owner:fk:user, or --owner FIELD), every signed-in user works with
    its own rows only (staff with all); without one, the resource is for staff.
    """
    if importlib.util.find_spec("ruff") is None:
        raise click.ClickException("flask scaffold needs ruff: run `make install`.")
    try:
        spec = parse(name, list(fields), existing_models(), plural, owner)
        changes = plan(spec, ROOT)
    except SpecError as exc:
        raise click.ClickException(str(exc)) from exc
    for path, text in changes.items():
        relative = path.relative_to(ROOT)
        if dry_run:
            verb = "update" if path.exists() else "create"
            click.echo(f"--- would {verb} {relative}\n{text}")
        else:
            path.write_text(text)
            click.echo(f"wrote {relative}")
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    message = f"create {spec.plural} table"
    click.echo(
        "\nNext, create and apply the migration, then run the new tests:\n"
        f'  flask db migrate -m "{message}"    (or: make db-revision msg="{message}")\n'
        "  flask db upgrade    (or: make db-upgrade)\n"
        f"  make test ARGS=tests/api/test_{spec.plural}.py"
    )


def existing_models() -> dict[str, Target]:
    """Every mapped model by module name (``user``, ``refresh_token``, ...)."""
    models = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        module = cls.__module__
        models[module.rsplit(".", 1)[-1]] = Target(
            module=module, cls=cls.__name__, table=cls.__tablename__
        )
    return models


def plan(spec: ResourceSpec, root: Path) -> dict[Path, str]:
    """Every file to write or update, or ``SpecError`` if any would clash."""
    targets = {
        "model.py.j2": root / "app" / "models" / f"{spec.name}.py",
        "repository.py.j2": root / "app" / "repositories" / f"{spec.name}.py",
        "schemas.py.j2": root / "app" / "schemas" / f"{spec.name}.py",
        "api.py.j2": root / "app" / "api" / f"{spec.plural}.py",
        "test_api.py.j2": root / "tests" / "api" / f"test_{spec.plural}.py",
    }
    taken = [str(path.relative_to(root)) for path in targets.values() if path.exists()]
    if taken:
        raise SpecError(f"Refusing to overwrite: {', '.join(taken)}.")
    new = {path: render.render(template, spec, path, root) for template, path in targets.items()}
    models_init = root / "app" / "models" / "__init__.py"
    api_init = root / "app" / "api" / "__init__.py"
    return {
        **new,
        models_init: register_model(models_init.read_text(), spec),
        api_init: register_blueprint(api_init.read_text(), spec),
    }


def register_model(text: str, spec: ResourceSpec) -> str:
    """Import the model in app/models/__init__.py and list it in ``__all__``."""
    imports = re.findall(r"^from app\.models\.\w+ import \w+$", text, flags=re.M)
    names = re.search(r"^__all__ = \[(.*)\]$", text, flags=re.M)
    if not imports or names is None:
        raise SpecError("app/models/__init__.py has changed shape; register the model by hand.")
    block = sorted([*imports, f"from app.models.{spec.name} import {spec.cls}"])
    text = text.replace("\n".join(imports), "\n".join(block))
    listed = sorted({*re.findall(r'"(\w+)"', names.group(1)), spec.cls})
    return text.replace(names.group(0), f"__all__ = [{', '.join(map(json.dumps, listed))}]")


def register_blueprint(text: str, spec: ResourceSpec) -> str:
    """Import the blueprint module in app/api/__init__.py and add it to RESOURCES."""
    imported = re.search(r"^from app\.api import ([\w, ]+)$", text, flags=re.M)
    resources = re.search(r"^RESOURCES = \(([\w, ]+)\)$", text, flags=re.M)
    if imported is None or resources is None:
        raise SpecError("app/api/__init__.py has changed shape; register the blueprint by hand.")
    modules = sorted({*imported.group(1).replace(" ", "").split(","), spec.plural})
    listed = [name.strip() for name in resources.group(1).split(",") if name.strip()]
    text = text.replace(imported.group(0), f"from app.api import {', '.join(modules)}")
    return text.replace(resources.group(0), f"RESOURCES = ({', '.join([*listed, spec.plural])})")
