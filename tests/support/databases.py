"""Throwaway databases for the test run: a SQLite file, or a new PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask_migrate
from sqlalchemy import create_engine, make_url

from app import create_app
from app.config import normalize_database_url
from app.db import db


def app_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    """Settings for an app under test: cheap password hashing, the given database."""
    return {
        "APP_ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hmac",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        **overrides,
    }


@contextmanager
def temporary_database(server_url: str | None, tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database, and drop it afterwards.

    With no ``server_url``, a SQLite file in ``tmp_dir``. Otherwise a uniquely
    named database on that PostgreSQL server (the URL's own database is only used
    to run CREATE and DROP), so parallel or interrupted runs never collide.
    """
    if not server_url:
        yield f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex[:8]}.db'}"
        return
    server = make_url(normalize_database_url(server_url))
    name = f"{server.database or 'app'}_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def run_migrations(database_url: str, *revisions: str) -> None:
    """Apply ``upgrade``/``downgrade:<rev>`` steps in order, like ``flask db``."""
    app = create_app(app_config(database_url))
    with app.app_context():
        try:
            for step in revisions or ("upgrade",):
                command, _, target = step.partition(":")
                if command == "upgrade":
                    flask_migrate.upgrade(revision=target or "head")
                else:
                    flask_migrate.downgrade(revision=target or "-1")
        finally:
            dispose_engines(app)


def dispose_engines(app: Any) -> None:
    """Close every pooled connection of ``app`` (psycopg warns about leaked ones)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
