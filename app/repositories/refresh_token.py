"""Queries and writes for refresh tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from app.models.refresh_token import RefreshToken
from app.repositories.base import Repository


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    def get_by_hash(self, token_hash: str, *, for_update: bool = False) -> RefreshToken | None:
        """The token with this hash. ``for_update`` locks its row (PostgreSQL), so
        two concurrent refreshes with one token cannot both succeed."""
        query = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def revoke_family(self, family_id: str, *, now: datetime) -> None:
        """Revoke every token of one sign-in."""
        self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def revoke_for_user(
        self, user_id: int, *, now: datetime, keep_family: str | None = None
    ) -> None:
        """Revoke every token of a user, except those of ``keep_family``."""
        query = update(RefreshToken).where(
            RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
        )
        if keep_family is not None:
            query = query.where(RefreshToken.family_id != keep_family)
        self.session.execute(query.values(revoked_at=now))
