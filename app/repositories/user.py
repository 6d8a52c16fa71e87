"""Queries and writes for users."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.exceptions import ConflictError
from app.models.user import User, normalize_email
from app.repositories.base import Repository
from app.security.passwords import hash_password

EMAIL_TAKEN = "A user with this email already exists."


class UserRepository(Repository[User]):
    model = User

    def get_by_email(self, email: str) -> User | None:
        """The user with this email, whatever its case or surrounding spaces."""
        return self.session.scalar(select(User).where(User.email == normalize_email(email)))

    def create(
        self, *, email: str, password: str | None, full_name: str = "", is_active: bool = True
    ) -> User:
        """Add a user, hashing its password; ``ConflictError`` if the email is taken."""
        if self.get_by_email(email) is not None:
            raise ConflictError(EMAIL_TAKEN, field="email")
        user = User(email=email, full_name=full_name, is_active=is_active)
        user.password_hash = hash_password(password) if password is not None else None
        return self.add(user)

    def update(self, obj: User, values: Mapping[str, Any]) -> User:
        """Apply a partial update; a ``password`` value is hashed, never stored."""
        changes = dict(values)
        if "password" in changes:
            changes["password_hash"] = hash_password(changes.pop("password"))
        email = changes.get("email")
        if email is not None and normalize_email(email) != obj.email and self.get_by_email(email):
            raise ConflictError(EMAIL_TAKEN, field="email")
        return super().update(obj, changes)

    def conflict(self, exc: IntegrityError) -> ConflictError:
        # ``email`` is the only unique column besides the primary key.
        return ConflictError(EMAIL_TAKEN, field="email")
