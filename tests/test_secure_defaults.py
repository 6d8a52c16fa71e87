"""Secure by default, checked against the real server and the shipped files: no
key anyone knows signs tokens, per-process rate limits never run with several
production workers, a development app that listens beyond loopback says so, and
the Docker image runs as production."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from app import create_app
from app.config import KNOWN_SECRET_KEYS
from app.security.tokens import AccessTokens
from tests.factories import PASSWORD, add_user
from tests.support.databases import app_config, dispose_engines, run_migrations, temporary_database
from tests.support.raw_http import RawResponse, exchange, request_bytes
from tests.support.server import ROOT, free_port, gunicorn


@pytest.fixture(scope="module")
def served_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database with one user, for this module's servers."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    with temporary_database(server_url, tmp_path_factory.mktemp("served")) as url:
        run_migrations(url)
        app = create_app(app_config(url))
        try:
            add_user(app, email="someone@example.com")
        finally:
            dispose_engines(app)
        yield url


def _call(url: str, method: str, path: str, body: Any = None, **headers: str) -> RawResponse:
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers = {"Content-Type": "application/json", **headers}
    return exchange(url, request_bytes(method, path, body=data, headers=headers))


def test_a_token_forged_with_the_published_key_is_refused(
    served_database: str, tmp_path: Path
) -> None:
    """`make run` with no SECRET_KEY: the app makes a random key of its own, so a
    token signed with the key once published in the source is a 401, even one that
    names a real user and a live sign-in, and expires a year from now."""
    key_file = tmp_path / "secret_key"
    with gunicorn(served_database, SECRET_KEY="", SECRET_KEY_FILE=str(key_file)) as server:
        signed_in = _call(
            server.url,
            "POST",
            "/api/auth/token",
            {"email": "someone@example.com", "password": PASSWORD},
        )
        genuine = signed_in.json()["access_token"]
        claims = jwt.decode(genuine, options={"verify_signature": False})
        published = AccessTokens.from_secret(
            next(iter(KNOWN_SECRET_KEYS)),
            ttl=timedelta(minutes=15),
            issuer=claims["iss"],
            audience=claims["aud"],
        )
        forged = jwt.encode(
            {**claims, "exp": claims["exp"] + 365 * 86400}, published.signing_key, "HS256"
        )

        with_forged = _call(server.url, "GET", "/api/auth/me", Authorization=f"Bearer {forged}")
        with_genuine = _call(server.url, "GET", "/api/auth/me", Authorization=f"Bearer {genuine}")

    assert with_forged.status == 401
    assert with_genuine.status == 200
    assert len(key_file.read_text().strip()) >= 48


def _gunicorn(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_per_process_limits_with_several_workers(served_database: str) -> None:
    result = _gunicorn(
        {
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": served_database,
            "RATELIMIT_STORAGE_URI": "memory://",
            "GUNICORN_WORKERS": "2",
            "PORT": str(free_port()),
        }
    )

    assert result.returncode != 0
    assert "RATELIMIT_STORAGE_URI=memory:// counts per worker process" in result.stderr
    assert "Booting worker" not in result.stderr


def test_with_redis_a_limit_is_exact_across_workers(
    served_database: str, redis_limits: dict[str, str]
) -> None:
    """Two production workers share one count: 10 sign-in attempts against a limit of
    4 give exactly 4 answers and 6 refusals, whichever worker answers each."""
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        **redis_limits,
        "AUTH_RATE_LIMIT": "4 per minute",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "1",
    }
    attempt = {"email": "nobody@example.com", "password": "a wrong guess"}
    with gunicorn(served_database, **env) as server:
        statuses = [_call(server.url, "POST", "/api/auth/token", attempt).status for _ in range(10)]

    assert sorted(statuses) == [401] * 4 + [429] * 6
    assert server.stderr.count("Booting worker") == 2


def test_a_development_app_listening_beyond_loopback_says_so(served_database: str) -> None:
    with gunicorn(served_database, host="0.0.0.0") as server:
        pass

    assert "APP_ENV is not production, but the app listens on http://0.0.0.0" in server.stderr


def test_a_loopback_development_app_says_nothing(served_database: str) -> None:
    with gunicorn(served_database) as server:
        pass

    assert "APP_ENV is not production" not in server.stderr


def test_the_docker_image_and_the_compose_stack_run_as_production() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()

    assert re.search(r"^\s+APP_ENV=production", dockerfile, flags=re.M)
    assert re.search(r"^\s+APP_ENV: \$\{APP_ENV:-production\}", compose, flags=re.M)
    # No key in either: the stack keeps a random one on a volume.
    assert "SECRET_KEY_FILE" in compose
    assert not re.search(r"SECRET_KEY[=:]\s*[\"']?[A-Za-z0-9]", dockerfile)


def _production(**settings: Any) -> Any:
    return create_app(
        {
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": "sqlite://",
            **settings,
        }
    )


def test_production_serves_no_documentation_by_default() -> None:
    client = _production().test_client()

    statuses = {path: client.get(path).status_code for path in ("/openapi.json", "/docs", "/redoc")}

    assert statuses == {"/openapi.json": 404, "/docs": 404, "/redoc": 404}


def test_swagger_ui_keeps_no_token_in_the_browser_in_production() -> None:
    page = _production(DOCS_ENABLED=True).test_client().get("/docs").get_data(as_text=True)
    development = create_app(app_config("sqlite://")).test_client().get("/docs")

    assert re.search(r'"persistAuthorization":\s*false', page)
    assert re.search(r'"persistAuthorization":\s*true', development.get_data(as_text=True))


@pytest.mark.parametrize(
    ("password", "common"),
    [
        ("Password1", True),
        ("iloveyou2", True),
        ("Jennifer", True),
        ("summer2024", True),
        ("qwertyuiop123", True),
        ("correct horse battery", False),
        ("tr0ub4dor&3x", False),
    ],
)
def test_the_common_password_list_is_long(password: str, common: bool) -> None:
    from app.security.password_rules import common_passwords, password_problems

    assert len(common_passwords()) >= 10_000
    assert ("Is too common." in password_problems(password)) is common


def test_the_compose_defaults_pass_the_deploy_check(tmp_path: Path) -> None:
    """The app service's environment, with every ${VAR:-default} at its default, the
    database and Redis pointed at this machine's, and the key file in a temporary
    folder: `flask check --deploy` (which the image runs before gunicorn) has no
    error but the database engine on the SQLite run."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = {
        name: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))
        for name, value in compose["services"]["app"]["environment"].items()
    }
    server = os.environ.get("TEST_DATABASE_URL")
    with temporary_database(server, tmp_path) as database_url:
        run_migrations(database_url)
        environment.update(
            DATABASE_URL=database_url,
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
            SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        )
        app = create_app(environment)
        try:
            result = app.test_cli_runner().invoke(args=["check", "--deploy"])
        finally:
            dispose_engines(app)

    errors = set(re.findall(r"^(deploy\.E\d+)", result.output.split("WARNINGS:")[0], re.M))
    assert environment["APP_ENV"] == "production"
    assert errors == (set() if server else {"deploy.E003"}), result.output
