"""Queries and writes for users."""

from __future__ import annotations

from sqlalchemy import bindparam, exists, select
from sqlalchemy.exc import IntegrityError

from app.db.compiled import CompiledSelect
from app.exceptions import ConflictError
from app.models.refresh_token import RefreshToken
from app.models.user import User, normalize_email
from app.repositories.base import Repository

EMAIL_TAKEN = "A user with this email already exists."

SIGNED_IN = CompiledSelect(
    select(*User.__table__.columns).where(
        User.id == bindparam("user_id"),
        User.is_active.is_(True),
        exists().where(
            RefreshToken.family_id == bindparam("token_family"),
            RefreshToken.user_id == User.id,
            RefreshToken.revoked_at.is_(None),
        ),
    )
)


class UserRepository(Repository[User]):
    model = User

    def get_by_email(self, email: str) -> User | None:
        """The user with this email, whatever its spelling (see ``normalize_email``)."""
        return self.session.scalar(select(User).where(User.email == normalize_email(email)))

    def get_signed_in(self, user_id: int, token_family: str) -> User | None:
        """The active user ``user_id``, if its sign-in ``token_family`` is live: some
        refresh token of that family is unrevoked. One indexed query (run on every
        authenticated request, so compiled once: see app/db/compiled.py); an
        allow-list, so deleting old token rows can never bring a revoked sign-in back."""
        row = SIGNED_IN.first(self.session, user_id=user_id, token_family=token_family)
        return None if row is None else self.from_row(row)

    def active_superuser_ids(self) -> list[int]:
        """The ids of the active superusers, locked until the transaction ends
        (PostgreSQL), so two demotions at once cannot both see the other one."""
        query = (
            select(User.id)
            .where(User.is_superuser.is_(True), User.is_active.is_(True))
            .with_for_update()
        )
        return list(self.session.scalars(query))

    def conflict(self, exc: IntegrityError) -> ConflictError:
        # ``email`` is the only unique column besides the primary key.
        return ConflictError(EMAIL_TAKEN, field="email")
