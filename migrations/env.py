"""Alembic environment, driven by Flask-Migrate (``flask db ...``).

The database URL and the target metadata both come from the Flask app, so
migrations always run against the app's own ``DATABASE_URL``. Options such as
``render_as_batch`` (needed for SQLite) are set on ``Migrate`` in app/extensions.py.
"""

from __future__ import annotations

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from flask import current_app
from sqlalchemy import DefaultClause
from sqlalchemy.sql.elements import False_, True_
from sqlalchemy.sql.functions import FunctionElement

import app.models  # noqa: F401  (registers every table on the metadata)
from app.db.sqlite import foreign_keys_disabled
from app.db.types import UTCDateTime

config = context.config
if config.config_file_name is not None:
    # Keep the app's loggers alive: fileConfig disables existing loggers by default.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Write migrations that run on every backend and never import app code.

    Project column types become plain SQLAlchemy types. Server defaults written
    as ``true()``, ``false()`` or ``func.now()`` stay portable expressions instead
    of the SQL of the database that autogenerate ran against (``'1'`` on SQLite
    is not a PostgreSQL boolean).
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "server_default" and isinstance(obj, DefaultClause):
        if isinstance(obj.arg, True_):
            return "sa.true()"
        if isinstance(obj.arg, False_):
            return "sa.false()"
        if isinstance(obj.arg, FunctionElement) and not list(obj.arg.clauses):
            return f"sa.func.{obj.arg.name}()"
    return False


def process_revision_directives(context: Any, revision: Any, directives: list[Any]) -> None:
    """Write no empty revision when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``flask db upgrade --sql``) instead of running it."""
    url = migrate_ext.db.engine.url.render_as_string(hide_password=False)
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_item=render_item,
        **migrate_ext.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    conf_args = dict(migrate_ext.configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    with migrate_ext.db.engine.connect() as connection, foreign_keys_disabled(connection):
        if connection.dialect.name == "sqlite":
            # app.db.sqlite makes SQLite transactions real; let Alembic use them.
            conf_args.setdefault("transactional_ddl", True)
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
