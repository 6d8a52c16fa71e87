"""Access tokens (short-lived JWTs) and refresh tokens (opaque, stored hashed).

Sign-in issues a pair. A refresh token is exchanged once: the exchange marks it
used and issues the next one of the same family. Presenting a used token again
revokes its whole family (RFC 6819 5.2.2.3 / OAuth 2.0 Security BCP 4.14).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from flask import Flask, current_app
from sqlalchemy.orm import Session

from app import clock
from app.db.base import MAX_ID
from app.exceptions import AuthenticationError, RefreshTokenReused, TokenFamilyRevoked
from app.models.refresh_token import RefreshToken
from app.models.user import User
from app.repositories.refresh_token import RefreshTokenRepository

ALGORITHM = "HS256"
SUBJECT = re.compile(r"[1-9][0-9]{0,18}")
TOKEN_TYPE = "Bearer"


@dataclass(frozen=True)
class TokenSettings:
    """Built once per app from its config."""

    signing_key: bytes
    access_ttl: timedelta
    refresh_ttl: timedelta

    @classmethod
    def from_app(cls, app: Flask) -> TokenSettings:
        # A key derived from SECRET_KEY for this one purpose: a token signature
        # can never be confused with anything else signed with SECRET_KEY.
        secret = str(app.config["SECRET_KEY"]).encode()
        return cls(
            signing_key=hmac.new(secret, b"access-token", hashlib.sha256).digest(),
            access_ttl=timedelta(seconds=int(app.config["ACCESS_TOKEN_TTL"])),
            refresh_ttl=timedelta(seconds=int(app.config["REFRESH_TOKEN_TTL"])),
        )


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = TOKEN_TYPE


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    family_id: str


def _settings() -> TokenSettings:
    settings: TokenSettings = current_app.extensions["token_settings"]
    return settings


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_tokens(session: Session, user: User, *, family_id: str | None = None) -> TokenPair:
    """Issue an access token and a new refresh token (a new family by default)."""
    settings = _settings()
    now = clock.now()
    family_id = family_id or uuid.uuid4().hex
    refresh = secrets.token_urlsafe(32)
    RefreshTokenRepository(session).add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=hash_refresh_token(refresh),
            created_at=now,
            expires_at=now + settings.refresh_ttl,
        )
    )
    claims = {
        "sub": str(user.id),
        "sid": family_id,
        "typ": "access",
        # Unique per token, so two tokens issued in the same second still differ.
        "jti": secrets.token_urlsafe(12),
        "iat": int(now.timestamp()),
        "exp": int((now + settings.access_ttl).timestamp()),
    }
    access = jwt.encode(claims, settings.signing_key, algorithm=ALGORITHM)
    return TokenPair(access, refresh, int(settings.access_ttl.total_seconds()))


def rotate_tokens(session: Session, refresh_token: str) -> TokenPair:
    """Exchange a refresh token for a new pair of the same family.

    Raises ``AuthenticationError`` for an unknown, expired or revoked token or an
    inactive user, and ``RefreshTokenReused`` (which commits the revocation of the
    family) for a token that was already exchanged.
    """
    tokens = RefreshTokenRepository(session)
    now = clock.now()
    token = tokens.get_by_hash(hash_refresh_token(refresh_token), for_update=True)
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise AuthenticationError("The refresh token is invalid or expired.")
    if token.used_at is not None:
        tokens.revoke_family(token.family_id, now=now)
        raise RefreshTokenReused("The refresh token was already used; sign in again.")
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        tokens.revoke_family(token.family_id, now=now)
        raise TokenFamilyRevoked("The refresh token is invalid or expired.")
    token.used_at = now
    return issue_tokens(session, user, family_id=token.family_id)


def revoke_tokens(session: Session, refresh_token: str) -> None:
    """Sign out: revoke the family of ``refresh_token``; unknown tokens are ignored."""
    tokens = RefreshTokenRepository(session)
    token = tokens.get_by_hash(hash_refresh_token(refresh_token))
    if token is not None:
        tokens.revoke_family(token.family_id, now=clock.now())


def _user_id(subject: Any) -> int:
    """The user id a ``sub`` claim names: ASCII digits (``int()`` also reads
    Arabic-Indic and fullwidth ones), within the id range."""
    if not isinstance(subject, str) or not SUBJECT.fullmatch(subject) or int(subject) > MAX_ID:
        raise ValueError("not a user id")
    return int(subject)


def read_access_token(token: str) -> AccessClaims:
    """Verify an access token's signature, type and expiry against ``clock.now``."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _settings().signing_key,
            algorithms=[ALGORITHM],
            # Time claims are checked below with the app's clock, not PyJWT's.
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["sub", "sid", "typ", "exp"],
            },
        )
        if claims["typ"] != "access" or claims["exp"] <= clock.now().timestamp():
            raise AuthenticationError("The access token is invalid or expired.")
        return AccessClaims(user_id=_user_id(claims["sub"]), family_id=str(claims["sid"]))
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise AuthenticationError("The access token is invalid or expired.") from exc
