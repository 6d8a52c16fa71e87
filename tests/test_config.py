"""Settings: ``load_config`` with explicit environments, never the process's own."""

from __future__ import annotations

import secrets
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app import config as config_module
from app import create_app
from app.config import (
    KNOWN_SECRET_KEYS,
    ConfigError,
    engine_options,
    load_config,
    normalize_database_url,
    read_or_create_key,
)

OLD_DEV_KEY = "dev-only-secret-key-do-not-use-in-production"


@pytest.fixture(autouse=True)
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keys made without SECRET_KEY land in a folder of the test's own."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(config_module, "INSTANCE_PATH", folder)
    return folder


def test_defaults() -> None:
    config = load_config(environ={})

    assert config["APP_ENV"] == "development"
    assert config["TESTING"] is False
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///app.db"
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert config["LOG_LEVEL"] == "INFO"
    assert len(config["SECRET_KEY"]) >= 48
    assert config["SECRET_KEY"] not in KNOWN_SECRET_KEYS


def test_environ_is_read() -> None:
    environ = {
        "APP_ENV": "Testing",
        "DATABASE_URL": "sqlite:///from-env.db",
        "MAX_CONTENT_LENGTH": "2048",
        "LOG_LEVEL": "debug",
    }

    config = load_config(environ=environ)

    assert config["APP_ENV"] == "testing"
    assert config["TESTING"] is True
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-env.db"
    assert config["MAX_CONTENT_LENGTH"] == 2048
    assert config["LOG_LEVEL"] == "DEBUG"


def test_overrides_beat_environ() -> None:
    environ = {"APP_ENV": "development", "LOG_LEVEL": "DEBUG", "DATABASE_URL": "sqlite:///env.db"}
    overrides = {"APP_ENV": "testing", "LOG_LEVEL": "warning", "DATABASE_URL": "sqlite://"}

    config = load_config(overrides, environ=environ)

    assert config["APP_ENV"] == "testing"
    assert config["LOG_LEVEL"] == "WARNING"
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_extra_overrides_pass_through_unchanged() -> None:
    marker = object()

    config = load_config({"SOME_EXTENSION_SETTING": marker, "JSON_SORT_KEYS": True}, environ={})

    assert config["SOME_EXTENSION_SETTING"] is marker
    assert config["JSON_SORT_KEYS"] is True
    # Settings that were read are consumed, not also passed through under their own name.
    assert "DATABASE_URL" not in load_config({"DATABASE_URL": "sqlite://"}, environ={})


def test_unknown_app_env_is_refused() -> None:
    with pytest.raises(ConfigError, match="APP_ENV"):
        load_config(environ={"APP_ENV": "staging"})


@pytest.mark.parametrize(
    "secret_key",
    [None, "", OLD_DEV_KEY, "x" * 31, "é" * 15, "ab" * 24],
    ids=["missing", "empty", "dev-key", "31-bytes", "30-bytes-in-15-chars", "repetitive"],
)
def test_production_refuses_a_weak_secret_key(secret_key: str | None) -> None:
    environ = {"APP_ENV": "production"}
    if secret_key is not None:
        environ["SECRET_KEY"] = secret_key

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(environ=environ)


def test_production_accepts_a_random_key() -> None:
    key = secrets.token_urlsafe(36)
    assert len(key) == 48

    config = load_config(environ={"APP_ENV": "production", "SECRET_KEY": key})

    assert config["APP_ENV"] == "production"
    assert config["SECRET_KEY"] == key


def test_production_accepts_exactly_32_bytes() -> None:
    key = "0123456789abcdef" * 2

    config = load_config(environ={"APP_ENV": "production", "SECRET_KEY": key})

    assert config["SECRET_KEY"] == key


def test_development_without_a_key_makes_one_once_and_keeps_it(instance: Path) -> None:
    first = load_config(environ={"SECRET_KEY": ""})["SECRET_KEY"]
    again = load_config(environ={})["SECRET_KEY"]

    stored = instance / "secret_key"
    assert first == again == stored.read_text().strip()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert load_config(environ={"SECRET_KEY": "mine"})["SECRET_KEY"] == "mine"


def test_each_checkout_gets_a_key_of_its_own(tmp_path: Path) -> None:
    one = load_config(environ={}, instance_path=tmp_path / "one")["SECRET_KEY"]
    two = load_config(environ={}, instance_path=tmp_path / "two")["SECRET_KEY"]

    assert one != two


def test_secret_key_file_is_created_once_even_in_production(tmp_path: Path) -> None:
    """What the compose stack uses: a file on a volume, written on first start."""
    environ = {"APP_ENV": "production", "SECRET_KEY_FILE": str(tmp_path / "keys" / "secret")}

    first = load_config(environ=environ)["SECRET_KEY"]
    again = load_config(environ=environ)["SECRET_KEY"]

    assert first == again
    assert (tmp_path / "keys" / "secret").read_text().strip() == first


def test_workers_racing_to_create_the_key_all_read_the_same_one(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: read_or_create_key(path), range(32)))

    assert len(keys) == 1
    assert list(tmp_path.iterdir()) == [path]


def test_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("\n")

    with pytest.raises(ConfigError, match="is empty"):
        load_config(environ={"SECRET_KEY_FILE": str(tmp_path / "secret_key")})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:///app.db", "sqlite:///app.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_normalize_database_url(url: str, expected: str) -> None:
    assert normalize_database_url(url) == expected


def test_database_url_from_environ_is_normalised() -> None:
    config = load_config(environ={"DATABASE_URL": "postgres://u@db/app"})

    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/app"


def test_postgres_engine_options() -> None:
    config = load_config(
        environ={"DATABASE_URL": "postgres://u@db/app", "DATABASE_CONNECT_TIMEOUT": "7"}
    )

    options = config["SQLALCHEMY_ENGINE_OPTIONS"]
    # No ping round trip per request: reads retry once on a dead connection instead.
    assert options["pool_pre_ping"] is False
    assert options["pool_recycle"] == 1800
    assert options["hide_parameters"] is True
    assert options["connect_args"] == {"connect_timeout": 7}
    pinged = load_config(environ={"DATABASE_URL": "postgres://u@db/app", "DATABASE_PRE_PING": "1"})
    assert pinged["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_sqlite_engine_options() -> None:
    options = engine_options("sqlite:///app.db", connect_timeout=5)

    assert options == {"hide_parameters": True, "connect_args": {"timeout": 5}}


def test_other_backends_get_the_pool_settings_only() -> None:
    options = engine_options("mysql+pymysql://u@db/app", connect_timeout=5, pre_ping=True)

    assert options == {"hide_parameters": True, "pool_pre_ping": True, "pool_recycle": 1800}


def test_create_app_refuses_production_without_a_secret_key() -> None:
    config = {"APP_ENV": "production", "DATABASE_URL": "sqlite://", "SECRET_KEY": ""}

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(config)


def test_pre_ping_can_be_turned_off() -> None:
    config = load_config(
        {"DATABASE_URL": "postgresql://u@db/app", "DATABASE_PRE_PING": "false"}, environ={}
    )

    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
