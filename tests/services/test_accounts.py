"""The account service against a real Session, below HTTP: every rule of
accounts, whoever asks (the API, the CLI, a job)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.exceptions import (
    AuthenticationError,
    ConflictError,
    InvalidFieldsError,
    PermissionDeniedError,
)
from app.models.refresh_token import RefreshToken
from app.models.user import User
from app.repositories.user import UserRepository
from app.services.accounts import AccountService
from app.services.settings import AuthSettings
from app.services.tokens import TokenService

EMAIL_TAKEN = "A user with this email already exists."


@pytest.fixture
def settings(app: Flask) -> AuthSettings:
    auth: AuthSettings = app.extensions["auth"]
    return auth


@pytest.fixture
def accounts(session: Session, settings: AuthSettings) -> AccountService:
    return AccountService(session, settings)


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def make(accounts: AccountService, email: str, **roles: Any) -> User:
    user = accounts.create_user(email=email, password="a fine passphrase")
    return accounts.users.update(user, roles)


# -- creating accounts ---------------------------------------------------------------


def test_create_hashes_the_password_and_normalises_the_email(
    session: Session, accounts: AccountService, settings: AuthSettings
) -> None:
    user = accounts.create_user(
        email="  Ada@Example.COM ", password="s3cret-passphrase", full_name="Ada"
    )

    assert user.id is not None
    assert (user.email, user.full_name, user.is_active) == ("ada@example.com", "Ada", True)
    assert user.password_hash is not None
    assert "s3cret-passphrase" not in user.password_hash
    assert settings.passwords.verify(user.password_hash, "s3cret-passphrase")
    assert not settings.passwords.verify(user.password_hash, "wrong-passphrase")
    assert session.scalar(select(User.email).where(User.id == user.id)) == "ada@example.com"


def test_create_without_a_password_stores_no_hash(
    session: Session, accounts: AccountService
) -> None:
    user = accounts.create_user(email="nopass@example.com", password=None)

    assert session.scalar(select(User.password_hash).where(User.id == user.id)) is None


def test_create_with_a_taken_email_in_another_spelling_conflicts(
    session: Session, accounts: AccountService
) -> None:
    accounts.create_user(email="grace@example.com", password=None)

    with pytest.raises(ConflictError) as excinfo:
        accounts.create_user(email="  \uff27RACE@Example.com ", password="whatever-passphrase")

    assert excinfo.value.field == "email"
    assert str(excinfo.value) == EMAIL_TAKEN
    assert count_users(session) == 1
    assert not session.new


def test_the_constraint_decides_when_the_pre_check_is_bypassed(
    session: Session, accounts: AccountService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two concurrent sign-ups both pass the pre-check; only the constraint stops one."""
    accounts.create_user(email="race@example.com", password=None)
    monkeypatch.setattr(UserRepository, "get_by_email", lambda self, email: None)

    with pytest.raises(ConflictError) as excinfo:
        accounts.create_user(email="RACE@example.com", password=None)

    assert (excinfo.value.field, str(excinfo.value)) == ("email", EMAIL_TAKEN)
    session.rollback()


def test_create_checks_the_password_rules(accounts: AccountService) -> None:
    with pytest.raises(InvalidFieldsError) as excinfo:
        accounts.create_user(email="rules@example.com", password="rules@example.com")

    assert excinfo.value.errors == {"password": ["Must not be the same as the email address."]}


def test_create_superuser_sets_both_roles(accounts: AccountService) -> None:
    user = accounts.create_superuser(email="root@example.com", password="a root passphrase")

    assert (user.is_staff, user.is_superuser) == (True, True)


@pytest.mark.parametrize("signup_enabled", [True, False])
def test_sign_up_is_open_only_while_enabled(
    session: Session, settings: AuthSettings, signup_enabled: bool
) -> None:
    accounts = AccountService(session, settings, signup_enabled=signup_enabled)
    member = make(accounts, "member@example.com")
    boss = make(accounts, "boss@example.com", is_staff=True)
    data = {"email": "new@example.com", "password": "a fine passphrase"}

    if signup_enabled:
        assert accounts.sign_up(data, actor=None).email == "new@example.com"
        return
    with pytest.raises(AuthenticationError):
        accounts.sign_up(data, actor=None)
    with pytest.raises(PermissionDeniedError):
        accounts.sign_up(data, actor=member)
    assert accounts.sign_up(data, actor=boss).email == "new@example.com"


# -- signing in and passwords ----------------------------------------------------------


def test_authenticate_checks_password_and_activity(accounts: AccountService) -> None:
    user = accounts.create_user(email="auth@example.com", password="right passphrase")

    assert accounts.authenticate("AUTH@example.com", "right passphrase") is user
    assert user.last_login is not None
    for email, password in [("auth@example.com", "wrong"), ("nobody@example.com", "x")]:
        with pytest.raises(AuthenticationError):
            accounts.authenticate(email, password)
    accounts.users.update(user, {"is_active": False})
    with pytest.raises(AuthenticationError):
        accounts.authenticate("auth@example.com", "right passphrase")


def test_reset_password_checks_the_rules_hashes_and_revokes(
    session: Session, accounts: AccountService, settings: AuthSettings
) -> None:
    user = accounts.create_user(email="rehash@example.com", password="first-passphrase")
    TokenService(session, settings).issue(user)

    with pytest.raises(InvalidFieldsError) as excinfo:
        accounts.reset_password(user, "rehash@example.com")
    accounts.reset_password(user, "second-passphrase")

    assert excinfo.value.errors == {"password": ["Must not be the same as the email address."]}
    assert user.password_hash is not None
    assert settings.passwords.verify(user.password_hash, "second-passphrase")
    assert not settings.passwords.verify(user.password_hash, "first-passphrase")
    live = select(func.count()).where(RefreshToken.revoked_at.is_(None))
    assert session.scalar(live) == 0


def test_change_password_needs_the_current_one_and_keeps_one_sign_in(
    session: Session, accounts: AccountService, settings: AuthSettings
) -> None:
    user = accounts.create_user(email="change@example.com", password="first-passphrase")
    tokens = TokenService(session, settings)
    kept, other = tokens.issue(user), tokens.issue(user)
    kept_family = tokens.authenticate(kept.access_token).token_family

    with pytest.raises(InvalidFieldsError) as excinfo:
        accounts.change_password(user, current="wrong", new="second-passphrase")
    accounts.change_password(
        user, current="first-passphrase", new="second-passphrase", keep_token_family=kept_family
    )

    assert excinfo.value.errors == {"current_password": ["The current password is incorrect."]}
    assert tokens.rotate(kept.refresh_token)
    with pytest.raises(AuthenticationError):
        tokens.rotate(other.refresh_token)


# -- who may change whose account ------------------------------------------------------


def test_edit_to_another_users_email_conflicts(accounts: AccountService) -> None:
    first = make(accounts, "first@example.com")
    second = make(accounts, "second@example.com")

    with pytest.raises(ConflictError) as excinfo:
        accounts.edit(second, second, {"email": first.email.upper()})

    assert excinfo.value.field == "email"
    assert second.email == "second@example.com"


def test_edit_to_own_email_in_another_case_is_fine(accounts: AccountService) -> None:
    user = make(accounts, "mine@example.com")

    accounts.edit(user, user, {"email": "MINE@example.com"})

    assert user.email == "mine@example.com"


@pytest.mark.parametrize(
    ("actor_roles", "target_roles", "changes", "message"),
    [
        ({}, {}, {"is_active": False}, "Only staff may change is_active."),
        ({}, {}, {"is_staff": True}, "Only staff may change is_staff."),
        (
            {"is_staff": True},
            {},
            {"is_superuser": True},
            "Only superusers may change is_superuser.",
        ),
        (
            {"is_staff": True},
            {"is_superuser": True},
            {"full_name": "x"},
            "Only superusers may change a superuser.",
        ),
    ],
)
def test_role_rules(
    accounts: AccountService,
    actor_roles: dict[str, bool],
    target_roles: dict[str, bool],
    changes: dict[str, Any],
    message: str,
) -> None:
    actor = make(accounts, "actor@example.com", **actor_roles)
    target = make(accounts, "target@example.com", **target_roles)

    with pytest.raises(PermissionDeniedError) as excinfo:
        accounts.edit(actor, target, changes)

    assert str(excinfo.value) == message


def test_a_superuser_may_do_all_of_it(accounts: AccountService) -> None:
    root = make(accounts, "root@example.com", is_superuser=True)
    other = make(accounts, "other@example.com", is_superuser=True)

    accounts.edit(root, other, {"is_staff": True, "is_superuser": False, "is_active": False})
    accounts.delete(root, other)

    assert accounts.users.get(other.id) is None


def test_staff_cannot_delete_a_superuser(accounts: AccountService) -> None:
    boss = make(accounts, "boss@example.com", is_staff=True)
    root = make(accounts, "root@example.com", is_superuser=True)

    with pytest.raises(PermissionDeniedError, match=r"Only superusers may change a superuser\."):
        accounts.delete(boss, root)


def test_deactivating_a_user_revokes_its_sign_ins(
    session: Session, accounts: AccountService, settings: AuthSettings
) -> None:
    boss = make(accounts, "boss@example.com", is_staff=True)
    user = make(accounts, "leaving@example.com")
    pair = TokenService(session, settings).issue(user)

    accounts.edit(boss, user, {"is_active": False})

    with pytest.raises(AuthenticationError):
        TokenService(session, settings).rotate(pair.refresh_token)


@pytest.mark.parametrize(
    ("change", "changes"),
    [
        ("demote", {"is_superuser": False}),
        ("deactivate", {"is_active": False}),
        ("delete", None),
    ],
)
def test_the_last_active_superuser_stays(
    accounts: AccountService, change: str, changes: dict[str, Any] | None
) -> None:
    root = make(accounts, "root@example.com", is_staff=True, is_superuser=True)
    make(accounts, "retired@example.com", is_superuser=True, is_active=False)

    def act(actor: User) -> Any:
        if changes is None:
            return accounts.delete(actor, root)
        return accounts.edit(actor, root, changes)

    with pytest.raises(ConflictError, match="last active superuser"):
        act(root)

    second = make(accounts, "second@example.com", is_superuser=True)
    act(second)  # with another superuser, the change goes through

    if changes is None:
        assert accounts.users.get(root.id) is None
    else:
        assert not (root.is_superuser and root.is_active)
