"""Queries and writes for refresh tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select, update

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
        self._revoke(RefreshToken.family_id == family_id, now=now)

    def revoke_for_user(
        self, user_id: int, *, now: datetime, keep_family: str | None = None
    ) -> None:
        """Revoke every token of a user, except those of ``keep_family``."""
        conditions = [RefreshToken.user_id == user_id]
        if keep_family is not None:
            conditions.append(RefreshToken.family_id != keep_family)
        self._revoke(*conditions, now=now)

    def _revoke(self, *conditions: ColumnElement[bool], now: datetime) -> None:
        """Lock the rows first, then update them in a second statement.

        A refresh running at the same time holds the lock on the token it
        exchanges: waiting for it here, then updating with a fresh snapshot,
        revokes the token that refresh issued too (PostgreSQL's READ COMMITTED
        would otherwise update only the rows its first snapshot saw).
        """
        self.session.execute(select(RefreshToken.id).where(*conditions).with_for_update())
        self.session.execute(
            update(RefreshToken)
            .where(*conditions, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
