"""Queries and writes for users."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.exceptions import ConflictError
from app.models.user import User, normalize_email
from app.repositories.base import Repository

EMAIL_TAKEN = "A user with this email already exists."


class UserRepository(Repository[User]):
    model = User

    def get_by_email(self, email: str) -> User | None:
        """The user with this email, whatever its spelling (see ``normalize_email``)."""
        return self.session.scalar(select(User).where(User.email == normalize_email(email)))

    def conflict(self, exc: IntegrityError) -> ConflictError:
        # ``email`` is the only unique column besides the primary key.
        return ConflictError(EMAIL_TAKEN, field="email")
