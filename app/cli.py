"""Commands added to ``flask``, and what ``flask shell`` preloads."""

from __future__ import annotations

import time
from typing import Any

import click
from flask import Flask
from sqlalchemy.exc import OperationalError

# Imported for their side effect: every model and repository class is defined.
import app.models
import app.repositories  # noqa: F401
from app.db.base import Base
from app.db.session import get_db, ping
from app.extensions import db
from app.repositories.base import Page, Repository


def shell_context() -> dict[str, Any]:
    """``flask shell`` starts with ``db``, ``session``, every model and every repository."""
    names: dict[str, Any] = {"db": db, "session": get_db(), "Page": Page}
    names.update({m.class_.__name__: m.class_ for m in Base.registry.mappers})
    names.update({cls.__name__: cls for cls in _subclasses(Repository)})
    return names


def _subclasses(cls: type[Any]) -> list[type[Any]]:
    found = [cls]
    sub: type[Any]
    for sub in cls.__subclasses__():
        found.extend(_subclasses(sub))
    return found


@click.command("wait-for-db")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to keep trying.")
def wait_for_db(timeout: float) -> None:
    """Wait until the database answers a query (a pre-start step for containers)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            ping(get_db())
        except OperationalError as exc:
            if time.monotonic() >= deadline:
                raise click.ClickException(
                    f"Database not reachable after {timeout:g}s: {exc}"
                ) from exc
            time.sleep(1)
        else:
            click.echo("Database is up.")
            return


def register_commands(app: Flask) -> None:
    app.shell_context_processor(shell_context)
    app.cli.add_command(wait_for_db)
