"""Sign-ins: token pairs issued, rotated, revoked, and read back.

Sign-in issues a pair: a short-lived access token (a JWT) and a refresh token
(opaque, stored hashed). A refresh token is exchanged once: the exchange marks it
used and issues the next one of the same family (one family per sign-in).
Presenting a used token again revokes its whole family (RFC 6819 5.2.2.3 /
OAuth 2.0 Security BCP 4.14).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app import clock
from app.exceptions import AuthenticationError, RefreshTokenReusedError, TokenFamilyRevokedError
from app.models.refresh_token import RefreshToken
from app.models.user import User
from app.repositories.refresh_token import RefreshTokenRepository
from app.repositories.user import UserRepository
from app.security.tokens import (
    INVALID_ACCESS_TOKEN,
    TOKEN_TYPE,
    hash_refresh_token,
    new_refresh_token,
)
from app.services.settings import AuthSettings

INVALID_REFRESH_TOKEN = "The refresh token is invalid or expired."


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = TOKEN_TYPE


@dataclass(frozen=True)
class SignedIn:
    """The caller of an authenticated request, and the sign-in its token belongs to."""

    user: User
    token_family: str


class TokenService:
    def __init__(self, session: Session, settings: AuthSettings) -> None:
        self.settings = settings
        self.users = UserRepository(session)
        self.refresh_tokens = RefreshTokenRepository(session)

    def issue(self, user: User, *, family_id: str | None = None) -> TokenPair:
        """An access token and a new refresh token (of a new sign-in by default)."""
        access_tokens = self.settings.access_tokens
        now = clock.now()
        family_id = family_id or uuid.uuid4().hex
        refresh = new_refresh_token()
        self.refresh_tokens.add(
            RefreshToken(
                user_id=user.id,
                family_id=family_id,
                token_hash=hash_refresh_token(refresh),
                created_at=now,
                expires_at=now + self.settings.refresh_ttl,
            )
        )
        access = access_tokens.issue(user_id=user.id, family_id=family_id, now=now)
        return TokenPair(access, refresh, int(access_tokens.ttl.total_seconds()))

    def rotate(self, refresh_token: str) -> TokenPair:
        """Exchange a refresh token for a new pair of the same family.

        ``AuthenticationError`` for an unknown, expired or revoked token;
        ``RefreshTokenReusedError`` for a token already exchanged, and
        ``TokenFamilyRevokedError`` for an inactive user: both revoke the family
        and ask the unit of work to keep that revocation.
        """
        now = clock.now()
        token = self.refresh_tokens.get_by_hash(hash_refresh_token(refresh_token), for_update=True)
        if token is None or token.revoked_at is not None or token.expires_at <= now:
            raise AuthenticationError(INVALID_REFRESH_TOKEN)
        if token.used_at is not None:
            self.refresh_tokens.revoke_family(token.family_id, now=now)
            raise RefreshTokenReusedError("The refresh token was already used; sign in again.")
        user = self.users.get(token.user_id)
        if user is None or not user.is_active:
            self.refresh_tokens.revoke_family(token.family_id, now=now)
            raise TokenFamilyRevokedError(INVALID_REFRESH_TOKEN)
        self.refresh_tokens.update(token, {"used_at": now})
        return self.issue(user, family_id=token.family_id)

    def revoke(self, refresh_token: str) -> None:
        """Sign out: revoke the family of ``refresh_token``; unknown tokens are ignored."""
        token = self.refresh_tokens.get_by_hash(hash_refresh_token(refresh_token))
        if token is not None:
            self.refresh_tokens.revoke_family(token.family_id, now=clock.now())

    def authenticate(self, access_token: str) -> SignedIn:
        """Who an access token signs in; ``AuthenticationError`` unless the token is
        valid, its user active, its sign-in not revoked (logout, password change,
        refresh reuse, deactivation; deletion removes the rows), and the user not
        created after the token was issued (compared in whole seconds, as ``iat``)."""
        claims = self.settings.access_tokens.read(access_token, now=clock.now())
        user = self.users.get_signed_in(claims.user_id, claims.family_id)
        if user is None or claims.issued_at < int(user.created_at.timestamp()):
            raise AuthenticationError(INVALID_ACCESS_TOKEN)
        return SignedIn(user=user, token_family=claims.family_id)
