"""Settings, read from the environment once when the app is created.

The entry points (``wsgi.py`` and the ``flask`` command) load an optional ``.env``
into the environment first; tests pass their settings to ``create_app`` instead,
so a developer's ``.env`` never leaks into a test run.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")
# Flask's default instance folder: the local SQLite database, the development key.
INSTANCE_PATH = Path(__file__).resolve().parent.parent / "instance"

# Keys that were ever published (this project's old development key): whoever has
# the source could sign tokens with them. Refused in production.
KNOWN_SECRET_KEYS = frozenset({"dev-only-secret-key-do-not-use-in-production"})
MIN_SECRET_KEY_BYTES = 32
MIN_SECRET_KEY_CHARACTERS = 10  # distinct characters: "x" * 48 is long, not random


class ConfigError(RuntimeError):
    """The settings cannot be used; the message says what to change."""


def load_config(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
    *,
    instance_path: Path | None = None,
) -> dict[str, Any]:
    """Build the Flask config from ``environ``, with ``overrides`` taking precedence.

    Keys this function does not know are passed through unchanged, so a caller can
    set any Flask or extension setting directly.
    """
    given = dict(overrides or {})

    def setting(name: str, default: Any) -> Any:
        if name in given:
            return given.pop(name)
        return environ.get(name, default)

    env = str(setting("APP_ENV", "development")).lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}; got {env!r}.")

    database_url = normalize_database_url(str(setting("DATABASE_URL", "sqlite:///app.db")))
    docs_default = "false" if env == "production" else "true"
    docs_enabled = parse_bool(setting("DOCS_ENABLED", docs_default), "DOCS_ENABLED")
    config: dict[str, Any] = {
        "APP_ENV": env,
        "TESTING": env == "testing",
        "DEBUG": False,
        "SECRET_KEY": secret_key(
            str(setting("SECRET_KEY", "")),
            str(setting("SECRET_KEY_FILE", "")),
            env=env,
            instance_path=instance_path or INSTANCE_PATH,
        ),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(
            database_url,
            connect_timeout=int(setting("DATABASE_CONNECT_TIMEOUT", 5)),
            pre_ping=parse_bool(setting("DATABASE_PRE_PING", "false"), "DATABASE_PRE_PING"),
            recycle=int(setting("DATABASE_POOL_RECYCLE", 1800)),
        ),
        "MAX_CONTENT_LENGTH": int(setting("MAX_CONTENT_LENGTH", 1024 * 1024)),
        "LOG_LEVEL": str(setting("LOG_LEVEL", "INFO")).upper(),
        # Argon2id cost; tests lower it so that hashing does not dominate the suite.
        "ARGON2_TIME_COST": int(setting("ARGON2_TIME_COST", 3)),
        "ARGON2_MEMORY_COST": int(setting("ARGON2_MEMORY_COST", 65536)),
        "ARGON2_PARALLELISM": int(setting("ARGON2_PARALLELISM", 4)),
        # Auth: token lifetimes in seconds, public sign-up, rate limits.
        "ACCESS_TOKEN_TTL": int(setting("ACCESS_TOKEN_TTL", 15 * 60)),
        "REFRESH_TOKEN_TTL": int(setting("REFRESH_TOKEN_TTL", 14 * 24 * 3600)),
        # The access tokens' `iss` and `aud` claims, checked on every request.
        "TOKEN_ISSUER": str(setting("TOKEN_ISSUER", "flask-api-template")),
        "TOKEN_AUDIENCE": str(setting("TOKEN_AUDIENCE", "flask-api-template")),
        "SIGNUP_ENABLED": parse_bool(setting("SIGNUP_ENABLED", "true"), "SIGNUP_ENABLED"),
        "AUTH_RATE_LIMIT": str(setting("AUTH_RATE_LIMIT", "10 per minute")),
        "SIGNIN_FAILURE_LIMIT": str(setting("SIGNIN_FAILURE_LIMIT", "5 per 15 minutes")),
        "SIGNIN_ACCOUNT_FAILURE_LIMIT": str(
            setting("SIGNIN_ACCOUNT_FAILURE_LIMIT", "100 per hour")
        ),
        "SIGNUP_RATE_LIMIT": str(setting("SIGNUP_RATE_LIMIT", "20 per hour")),
        "TOKEN_RATE_LIMIT": str(setting("TOKEN_RATE_LIMIT", "30 per minute")),
        "EMAIL_CHANGE_RATE_LIMIT": str(setting("EMAIL_CHANGE_RATE_LIMIT", "5 per hour")),
        # Flask-Limiter: memory:// counts per process; use redis://... with workers.
        "RATELIMIT_STORAGE_URI": str(setting("RATELIMIT_STORAGE_URI", "memory://")),
        # Prepended to every count's key: apps (or test runs) sharing one Redis.
        "RATELIMIT_KEY_PREFIX": str(setting("RATELIMIT_KEY_PREFIX", "")),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Reverse proxies in front of the app that set X-Forwarded-For (and -Proto,
        # -Host): the client address used by rate limits comes from there. Set it
        # to the number of proxies you run, never higher.
        "TRUSTED_PROXIES": int(setting("TRUSTED_PROXIES", 0)),
        # Strict-Transport-Security in production: browsers use HTTPS only for this
        # long (two years); 0 sends no header (`flask check --deploy` warns).
        "HSTS_SECONDS": int(setting("HSTS_SECONDS", 2 * 365 * 24 * 3600)),
        # Browser origins allowed to call the API (comma-separated); none by default.
        "CORS_ORIGINS": parse_list(setting("CORS_ORIGINS", "")),
        # flask-smorest: the OpenAPI document is served at /openapi.json, with the
        # pages below, unless DOCS_ENABLED is false (the default in production).
        "DOCS_ENABLED": docs_enabled,
        "API_TITLE": "Flask API template",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/" if docs_enabled else None,
        "OPENAPI_JSON_PATH": "openapi.json",
        # Swagger UI at /docs and ReDoc at /redoc, with assets served by
        # app/api/docs.py (no CDN); no call to Swagger's public validator.
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs/assets/swagger-ui/",
        "OPENAPI_SWAGGER_UI_CONFIG": {
            "validatorUrl": None,
            "deepLinking": True,
            # Keeping the bearer token in the browser's localStorage is handy on
            # a laptop, not in production.
            "persistAuthorization": env != "production",
        },
        "OPENAPI_REDOC_PATH": "/redoc",
        "OPENAPI_REDOC_URL": "/docs/assets/redoc/redoc.standalone.js",
    }
    config.update(given)
    if env == "production":
        check_production(config)
    return config


def parse_bool(value: Any, name: str) -> bool:
    """``true``/``false`` (also 1/0, yes/no, on/off) from the environment."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false; got {value!r}.")


def parse_list(value: Any) -> list[str]:
    """A comma-separated setting as a list (a list is kept as it is)."""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [item.strip() for item in str(value).split(",") if item.strip()]


def normalize_database_url(url: str) -> str:
    """Point bare ``postgres://`` and ``postgresql://`` URLs at the psycopg 3 driver.

    Hosting platforms hand out ``postgres://`` URLs; SQLAlchemy would look for
    psycopg2, which this project does not install.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(
    database_url: str, *, connect_timeout: int, pre_ping: bool = False, recycle: int = 1800
) -> dict[str, Any]:
    """Engine options per backend: no hanging connects, no SQL parameter values
    (password hashes, tokens) in error messages or logs, and pooled connections
    replaced after ``recycle`` seconds. Pre-ping (a round trip per checkout) is off
    by default: a read that meets a dead connection is retried once instead
    (``App.dispatch_request``)."""
    common: dict[str, Any] = {"hide_parameters": True}
    if database_url.startswith("postgresql"):
        return {
            **common,
            "pool_pre_ping": pre_ping,
            "pool_recycle": recycle,
            "connect_args": {"connect_timeout": connect_timeout},
        }
    if database_url.startswith("sqlite"):
        return {**common, "connect_args": {"timeout": connect_timeout}}
    return {**common, "pool_pre_ping": pre_ping, "pool_recycle": recycle}


def secret_key(value: str, key_file: str, *, env: str, instance_path: Path) -> str:
    """``SECRET_KEY`` if set; else the key kept in ``SECRET_KEY_FILE``, written there
    (random, mode 0600) the first time; else, outside production, the same in
    ``instance/secret_key``, as Django's startproject writes a key once. So no
    fixed key ever signs anything, and restarts keep the key (and the tokens)."""
    if value:
        return value
    if key_file:
        return read_or_create_key(Path(key_file))
    if env == "production":
        return ""  # check_production refuses it
    return read_or_create_key(instance_path / "secret_key")


def read_or_create_key(path: Path) -> str:
    """The key stored at ``path``, created when missing. Several processes may race
    to create it (gunicorn's workers): the first link wins and the others read it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as new:
            new.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.chmod(new.name, 0o600)
            os.link(new.name, path)
        except FileExistsError:
            pass  # another process created it first
        finally:
            os.unlink(new.name)
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"The secret key file {path} is empty; delete it to make a new key.")
    return key


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` is not fit to sign production tokens, or ``None``."""
    if not key:
        return "missing"
    if key in KNOWN_SECRET_KEYS:
        return "a published development key"
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        return f"shorter than {MIN_SECRET_KEY_BYTES} bytes"
    if len(set(key)) < MIN_SECRET_KEY_CHARACTERS:
        return f"made of fewer than {MIN_SECRET_KEY_CHARACTERS} distinct characters"
    return None


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to run in production with a missing, known, short or repetitive
    ``SECRET_KEY``."""
    problem = secret_key_problem(str(config.get("SECRET_KEY") or ""))
    if problem:
        raise ConfigError(
            f"SECRET_KEY is {problem}: with APP_ENV=production set SECRET_KEY to a random "
            f"value of at least {MIN_SECRET_KEY_BYTES} bytes (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'), or SECRET_KEY_FILE to a file that keeps one."
        )
