"""Server-side refresh tokens: stored hashed, rotated on every use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, BigId, IdMixin
from app.db.types import UTCDateTime, utcnow


class RefreshToken(IdMixin, Base):
    """One issued refresh token.

    Tokens issued from one sign-in share a ``family_id``: each refresh marks the
    presented token used and issues the next one in the family. A used token that
    comes back means it was stolen (or replayed), and the whole family is revoked.
    """

    __tablename__ = "refresh_tokens"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    # SHA-256 of the token: a database leak does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
