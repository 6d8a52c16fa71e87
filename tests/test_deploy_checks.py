"""`flask check --deploy`: every finding, on the development defaults and on a good
production configuration."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from app.checks import run_checks
from tests.support.databases import app_config, dispose_engines, run_migrations, temporary_database

PUBLISHED_KEY = "dev-only-secret-key-do-not-use-in-production"
GOOD_PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "",  # replaced per test by a random key
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
    "SIGNUP_ENABLED": False,
    "DOCS_ENABLED": False,
    "TRUSTED_PROXIES": 1,
    "CORS_ORIGINS": "https://app.example.com",
}


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[str]:
    with temporary_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        run_migrations(url)
        yield url


def _findings(database_url: str, **settings: Any) -> dict[str, str]:
    app = create_app(app_config(database_url, **settings))
    try:
        with app.app_context():
            return {finding.id: finding.level for finding in run_checks(app, deploy=True)}
    finally:
        dispose_engines(app)


def _production(database_url: str, **settings: Any) -> dict[str, str]:
    good = {**GOOD_PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(48)}
    return _findings(database_url, **{**good, **settings})


def test_a_good_production_configuration_passes(migrated: str) -> None:
    findings = _production(migrated)

    if migrated.startswith("sqlite"):  # the SQLite run: all but the database is right
        assert findings == {"deploy.E003": "error"}
    else:
        assert findings == {}


@pytest.mark.parametrize(
    ("settings", "finding", "level"),
    [
        ({"APP_ENV": "development"}, "deploy.E001", "error"),
        ({"APP_ENV": "testing"}, "deploy.E001", "error"),
        ({"APP_ENV": "development", "SECRET_KEY": PUBLISHED_KEY}, "deploy.E002", "error"),
        ({"APP_ENV": "development", "SECRET_KEY": "short"}, "deploy.E002", "error"),
        ({"APP_ENV": "development", "SECRET_KEY": "ab" * 30}, "deploy.E002", "error"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "deploy.E004", "error"),
        ({"CORS_ORIGINS": "*"}, "deploy.E005", "error"),
        ({"SIGNUP_ENABLED": True}, "deploy.W001", "warning"),
        ({"DOCS_ENABLED": True}, "deploy.W002", "warning"),
        ({"TRUSTED_PROXIES": 0}, "deploy.W003", "warning"),
        ({"ACCESS_TOKEN_TTL": 86400}, "deploy.W004", "warning"),
        ({"REFRESH_TOKEN_TTL": 365 * 86400}, "deploy.W004", "warning"),
        ({"HSTS_SECONDS": 0}, "deploy.W005", "warning"),
    ],
)  # fmt: skip
def test_each_finding(migrated: str, settings: dict[str, Any], finding: str, level: str) -> None:
    findings = _production(migrated, **settings)

    assert findings.get(finding) == level
    assert set(findings) - {finding, "deploy.E001", "deploy.E003"} == set()


def test_memory_limits_are_fine_with_one_worker(
    migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GUNICORN_WORKERS", "1")

    assert "deploy.E004" not in _production(migrated, RATELIMIT_STORAGE_URI="memory://")


def test_sqlite_is_an_error_in_production(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    run_migrations(url)

    assert _production(url)["deploy.E003"] == "error"


def test_an_unreachable_database_is_an_error(tmp_path: Path) -> None:
    findings = _production("postgresql://nobody@127.0.0.1:1/nothing", DATABASE_CONNECT_TIMEOUT=1)

    assert findings["deploy.E006"] == "error"


def test_migrations_behind_head_are_an_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    run_migrations(url, "upgrade:a1052c9deaf7")

    assert _production(url)["deploy.E007"] == "error"


def test_the_command_fails_on_the_development_defaults(migrated: str) -> None:
    app = create_app(app_config(migrated, APP_ENV="development"))
    try:
        result = app.test_cli_runner().invoke(args=["check", "--deploy"])
    finally:
        dispose_engines(app)

    assert result.exit_code == 1
    assert "ERRORS:\ndeploy.E001: APP_ENV is 'development', not 'production'." in result.output
    assert "\tHINT: Set APP_ENV=production" in result.output
    assert "System check identified" in result.output


def test_the_command_passes_with_warnings_only(migrated: str) -> None:
    good = {**GOOD_PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(48), "SIGNUP_ENABLED": True}
    app = create_app(app_config(migrated, **good))
    try:
        result = app.test_cli_runner().invoke(args=["check", "--deploy"])
        plain = app.test_cli_runner().invoke(args=["check"])
    finally:
        dispose_engines(app)

    if migrated.startswith("sqlite"):
        assert result.exit_code == 1
        assert "deploy.E003" in result.output
    else:
        assert result.exit_code == 0, result.output
        assert "WARNINGS:\ndeploy.W001" in result.output
    assert plain.exit_code == 0, plain.output  # without --deploy: the database only
    assert "System check identified 0 issues (0 errors)." in plain.output
