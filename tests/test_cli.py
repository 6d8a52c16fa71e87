"""The management commands: createsuperuser, changepassword, shell, wait-for-db."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.cli import create_superuser
from app.db.session import get_db
from app.repositories.user import UserRepository
from tests.factories import PASSWORD, add_user, sign_in

NEW_PASSWORD = "a fresh passphrase"


def _user(app: Flask, email: str) -> dict[str, object]:
    with app.app_context():
        user = UserRepository(get_db()).get_by_email(email)
        assert user is not None
        return {"staff": user.is_staff, "superuser": user.is_superuser, "active": user.is_active}


def test_createsuperuser_interactive_prompts_hidden_and_confirms(
    app: Flask, client: FlaskClient
) -> None:
    result = app.test_cli_runner().invoke(
        args=["createsuperuser"],
        input=f"Boss@Example.com\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Superuser boss@example.com created" in result.output
    assert NEW_PASSWORD not in result.output  # the prompt does not echo
    assert _user(app, "boss@example.com") == {"staff": True, "superuser": True, "active": True}
    sign_in(client, "boss@example.com", NEW_PASSWORD)


def test_createsuperuser_interactive_repeats_until_the_passwords_match(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["createsuperuser", "--email", "twice@example.com"],
        input=f"{NEW_PASSWORD}\nsomething else\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "do not match" in result.output


def test_createsuperuser_without_input_reads_the_environment(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPERUSER_PASSWORD", NEW_PASSWORD)

    result = app.test_cli_runner().invoke(
        args=["createsuperuser", "--email", "ops@example.com", "--no-input"]
    )

    assert result.exit_code == 0, result.output
    sign_in(client, "ops@example.com", NEW_PASSWORD)


def test_createsuperuser_without_input_reads_stdin(app: Flask, client: FlaskClient) -> None:
    result = app.test_cli_runner().invoke(
        args=["createsuperuser", "--email", "ci@example.com", "--no-input", "--password-stdin"],
        input=f"{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    sign_in(client, "ci@example.com", NEW_PASSWORD)


def test_createsuperuser_without_input_refuses_to_guess(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPERUSER_PASSWORD", raising=False)
    runner = app.test_cli_runner()

    no_email = runner.invoke(args=["createsuperuser", "--no-input"])
    no_password = runner.invoke(args=["createsuperuser", "--no-input", "--email", "x@example.com"])

    assert no_email.exit_code == 2
    assert "--email" in no_email.output
    assert no_password.exit_code == 2
    assert "SUPERUSER_PASSWORD" in no_password.output


def test_the_password_is_never_an_argument() -> None:
    options = {opt for param in create_superuser.params for opt in getattr(param, "opts", [])}
    assert not any("password" in opt and "stdin" not in opt for opt in options)


def test_createsuperuser_applies_the_password_rules_and_the_unique_email(app: Flask) -> None:
    add_user(app, email="taken@example.com")
    runner = app.test_cli_runner()

    weak = runner.invoke(
        args=["createsuperuser", "--email", "weak@example.com", "--no-input", "--password-stdin"],
        input="12345678\n",
    )
    taken = runner.invoke(
        args=["createsuperuser", "--email", "taken@example.com", "--no-input", "--password-stdin"],
        input=f"{NEW_PASSWORD}\n",
    )

    assert weak.exit_code == 1
    assert "password: Must not be entirely numeric." in weak.output
    assert taken.exit_code == 1
    assert "already exists" in taken.output


def test_changepassword_sets_it_and_signs_the_user_out(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    result = app.test_cli_runner().invoke(
        args=["changepassword", user["email"]], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    refreshed = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    old = client.post("/api/auth/token", json={"email": user["email"], "password": PASSWORD})
    assert old.status_code == 401
    sign_in(client, user["email"], NEW_PASSWORD)


def test_changepassword_for_an_unknown_email_fails(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["changepassword", "ghost@example.com", "--password-stdin"], input="whatever123\n"
    )

    assert result.exit_code == 1
    assert "No user with email ghost@example.com" in result.output


def test_wait_for_db_returns_once_the_database_answers(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["wait-for-db", "--timeout", "5"])

    assert result.exit_code == 0, result.output
    assert "Database is up." in result.output
