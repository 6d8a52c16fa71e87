"""Queries and writes for users, and the password rules that come with them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.exceptions import AuthenticationError, ConflictError, ValidationFailed
from app.models.user import INVISIBLE_IN_EMAIL, User, has_invisible_characters, normalize_email
from app.repositories.base import Repository
from app.repositories.refresh_token import RefreshTokenRepository
from app.security.password_rules import password_problems
from app.security.passwords import (
    hash_password,
    needs_rehash,
    verify_against_dummy,
    verify_password,
)

EMAIL_TAKEN = "A user with this email already exists."
BAD_CREDENTIALS = "Invalid email or password."


class UserRepository(Repository[User]):
    model = User

    def get_by_email(self, email: str) -> User | None:
        """The user with this email, whatever its case or surrounding spaces."""
        return self.session.scalar(select(User).where(User.email == normalize_email(email)))

    def create(
        self, *, email: str, password: str | None, full_name: str = "", is_active: bool = True
    ) -> User:
        """Add a user. The password must pass the rules and is stored hashed; ``None``
        makes an account that cannot sign in. ``ConflictError`` if the email is taken."""
        _check_email(email)
        if self.get_by_email(email) is not None:
            raise ConflictError(EMAIL_TAKEN, field="email")
        user = User(email=email, full_name=full_name, is_active=is_active)
        if password is not None:
            self.set_password(user, password)
        return self.add(user)

    def set_password(self, user: User, password: str, *, field: str = "password") -> None:
        """Check the password rules (``ValidationFailed`` naming ``field``), then hash."""
        problems = password_problems(password, email=user.email)
        if problems:
            raise ValidationFailed({field: problems})
        user.password_hash = hash_password(password)

    def update(self, obj: User, values: Mapping[str, Any]) -> User:
        """Apply a partial update. Deactivating a user revokes its refresh tokens."""
        email = values.get("email")
        if email is not None:
            _check_email(email)
        if email is not None and normalize_email(email) != obj.email and self.get_by_email(email):
            raise ConflictError(EMAIL_TAKEN, field="email")
        if values.get("is_active") is False and obj.is_active:
            RefreshTokenRepository(self.session).revoke_for_user(obj.id, now=clock.now())
        return super().update(obj, values)

    def authenticate(self, email: str, password: str) -> User:
        """The active user with this email and password; ``AuthenticationError`` with
        one message for every failure, after the same hashing work in each case."""
        user = self.get_by_email(email)
        if user is None or user.password_hash is None:
            verify_against_dummy(password)
            raise AuthenticationError(BAD_CREDENTIALS)
        if not verify_password(user.password_hash, password) or not user.is_active:
            raise AuthenticationError(BAD_CREDENTIALS)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login = clock.now()
        self._flush()
        return user

    def change_password(
        self, user: User, *, current: str, new: str, keep_token_family: str | None = None
    ) -> None:
        """Set a new password after checking the current one; every refresh token
        of the user is revoked except those of ``keep_token_family``."""
        if user.password_hash is None or not verify_password(user.password_hash, current):
            raise ValidationFailed({"current_password": ["The current password is incorrect."]})
        self.set_password(user, new, field="new_password")
        RefreshTokenRepository(self.session).revoke_for_user(
            user.id, now=clock.now(), keep_family=keep_token_family
        )
        self._flush()

    def conflict(self, exc: IntegrityError) -> ConflictError:
        # ``email`` is the only unique column besides the primary key.
        return ConflictError(EMAIL_TAKEN, field="email")


def _check_email(email: str) -> None:
    """Refuse an address that would be stored with an invisible character (the API's
    schemas refuse it too; this covers the CLI and the shell)."""
    if has_invisible_characters(normalize_email(email)):
        raise ValidationFailed({"email": [INVISIBLE_IN_EMAIL]})
