"""``flask check [--deploy]``: what must hold before this app serves real users,
as Django's ``check --deploy``.

Each finding has an id (``deploy.E001``), a level, what is wrong and how to fix it.
Errors make the command exit 1 (the Docker image runs it before gunicorn, so a
container with an unsafe configuration does not start); warnings are printed and
the command still succeeds. Later features add their checks to ``DEPLOY_CHECKS``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.config import secret_key_problem
from app.db import db

Level = Literal["error", "warning"]
MAX_ACCESS_TOKEN_TTL = 3600
MAX_REFRESH_TOKEN_TTL = 30 * 24 * 3600


@dataclass(frozen=True)
class Finding:
    id: str
    level: Level
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.id}: {self.message}\n\tHINT: {self.hint}"


Check = Callable[[Flask], Iterator[Finding]]


def _error(id: str, message: str, hint: str) -> Finding:
    return Finding(f"deploy.{id}", "error", message, hint)


def _warning(id: str, message: str, hint: str) -> Finding:
    return Finding(f"deploy.{id}", "warning", message, hint)


# -- the database: checked with or without --deploy ------------------------------------


def check_database(app: Flask) -> Iterator[Finding]:
    """The database answers, and its schema is at the newest migration."""
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        yield _error(
            "E006",
            f"The database cannot be reached: {type(getattr(exc, 'orig', None) or exc).__name__}.",
            "Check DATABASE_URL, and that the server runs and accepts this user.",
        )
        return
    config = app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    if current != heads:
        yield _error(
            "E007",
            f"The database is at migration {', '.join(sorted(current)) or 'none'}, "
            f"not at the newest ({', '.join(sorted(heads))}).",
            "Run `flask db upgrade` (make db-upgrade) before starting the app.",
        )


# -- the deployment -------------------------------------------------------------------


def check_environment(app: Flask) -> Iterator[Finding]:
    if app.config["APP_ENV"] != "production":
        yield _error(
            "E001",
            f"APP_ENV is {app.config['APP_ENV']!r}, not 'production'.",
            "Set APP_ENV=production: it refuses weak keys and turns on HSTS.",
        )


def check_secret_key(app: Flask) -> Iterator[Finding]:
    problem = secret_key_problem(str(app.config["SECRET_KEY"] or ""))
    if problem:
        yield _error(
            "E002",
            f"SECRET_KEY is {problem}.",
            "Set SECRET_KEY to `python -c 'import secrets; print(secrets.token_urlsafe(48))'`,"
            " or SECRET_KEY_FILE to a file that keeps one.",
        )


def check_database_engine(app: Flask) -> Iterator[Finding]:
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        yield _error(
            "E003",
            "The database is SQLite: one writer at a time, on this machine's disk.",
            "Set DATABASE_URL to a PostgreSQL database.",
        )


def check_rate_limit_storage(app: Flask) -> Iterator[Finding]:
    workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://") and workers > 1:
        yield _error(
            "E004",
            f"Rate limits are counted in memory, per process, and gunicorn runs {workers} "
            f"workers: every limit is {workers} times looser.",
            "Set RATELIMIT_STORAGE_URI=redis://host:6379/0 (or GUNICORN_WORKERS=1).",
        )


def check_cors(app: Flask) -> Iterator[Finding]:
    if "*" in app.config["CORS_ORIGINS"]:
        yield _error(
            "E005",
            "CORS_ORIGINS allows every origin (*).",
            "List the origins of your web front ends: CORS_ORIGINS=https://app.example.com",
        )


def check_signup(app: Flask) -> Iterator[Finding]:
    if app.config["SIGNUP_ENABLED"]:
        yield _warning(
            "W001",
            "Sign-up is open: anyone may create an account.",
            "If only staff should create users, set SIGNUP_ENABLED=false.",
        )


def check_docs(app: Flask) -> Iterator[Finding]:
    if app.config["DOCS_ENABLED"]:
        yield _warning(
            "W002",
            "/docs, /redoc and /openapi.json are public.",
            "Set DOCS_ENABLED=false unless the API is meant to be explored by anyone.",
        )


def check_proxies(app: Flask) -> Iterator[Finding]:
    if not app.config["TRUSTED_PROXIES"]:
        yield _warning(
            "W003",
            "TRUSTED_PROXIES is 0: behind a proxy, every client has the proxy's address, "
            "and the rate limits count them all as one.",
            "Set TRUSTED_PROXIES to the number of proxies in front of the app.",
        )


def check_token_lifetimes(app: Flask) -> Iterator[Finding]:
    access, refresh = app.config["ACCESS_TOKEN_TTL"], app.config["REFRESH_TOKEN_TTL"]
    if access > MAX_ACCESS_TOKEN_TTL or refresh > MAX_REFRESH_TOKEN_TTL:
        yield _warning(
            "W004",
            f"Tokens live long: access {access} s, refresh {refresh} s.",
            f"Keep ACCESS_TOKEN_TTL at most {MAX_ACCESS_TOKEN_TTL} and REFRESH_TOKEN_TTL at most "
            f"{MAX_REFRESH_TOKEN_TTL} (30 days): a stolen token works that long.",
        )


def check_hsts(app: Flask) -> Iterator[Finding]:
    if not app.config["HSTS_SECONDS"]:
        yield _warning(
            "W005",
            "HSTS is off (HSTS_SECONDS=0): browsers may reach the API over plain HTTP.",
            "Serve the API over HTTPS and set HSTS_SECONDS (two years: 63072000).",
        )


DATABASE_CHECKS: tuple[Check, ...] = (check_database,)
DEPLOY_CHECKS: tuple[Check, ...] = (
    check_environment,
    check_secret_key,
    check_database_engine,
    check_rate_limit_storage,
    check_cors,
    check_signup,
    check_docs,
    check_proxies,
    check_token_lifetimes,
    check_hsts,
)


def run_checks(app: Flask, *, deploy: bool) -> list[Finding]:
    """Every finding, errors first (call inside an app context)."""
    checks = DATABASE_CHECKS + (DEPLOY_CHECKS if deploy else ())
    findings = [finding for check in checks for finding in check(app)]
    return sorted(findings, key=lambda finding: (finding.level != "error", finding.id))
