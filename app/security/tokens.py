"""Access tokens (short-lived JWTs) and refresh tokens (opaque, stored hashed).

Pure functions of their inputs: no database and no clock of their own. The
rules of issuing, rotating and revoking are in ``app.services.tokens``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from app.db.base import MAX_ID
from app.exceptions import AuthenticationError

ALGORITHM = "HS256"
TOKEN_TYPE = "Bearer"
SUBJECT = re.compile(r"[1-9][0-9]{0,18}")
INVALID_ACCESS_TOKEN = "The access token is invalid or expired."


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says: whose it is and which sign-in issued it."""

    user_id: int
    family_id: str
    issued_at: int  # whole seconds since the epoch


@dataclass(frozen=True)
class AccessTokens:
    """Issue and read access tokens, signed with a key of their own."""

    signing_key: bytes
    ttl: timedelta
    # Who issues the tokens and who they are for: a token of another service that
    # happens to share the key is refused.
    issuer: str
    audience: str

    @classmethod
    def from_secret(
        cls, secret_key: str, *, ttl: timedelta, issuer: str, audience: str
    ) -> AccessTokens:
        # A key derived from SECRET_KEY for this one purpose: a token signature
        # can never be confused with anything else signed with SECRET_KEY.
        key = hmac.new(secret_key.encode(), b"access-token", hashlib.sha256).digest()
        return cls(signing_key=key, ttl=ttl, issuer=issuer, audience=audience)

    def issue(self, *, user_id: int, family_id: str, now: datetime) -> str:
        claims = {
            "sub": str(user_id),
            "sid": family_id,
            "typ": "access",
            "iss": self.issuer,
            "aud": self.audience,
            # Unique per token, so two tokens issued in the same second still differ.
            "jti": secrets.token_urlsafe(12),
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
        }
        return jwt.encode(claims, self.signing_key, algorithm=ALGORITHM)

    def read(self, token: str, *, now: datetime) -> AccessClaims:
        """Verify the signature, type and expiry (against ``now``, not PyJWT's clock);
        ``AuthenticationError`` for anything else."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.signing_key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                audience=self.audience,
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["sub", "sid", "typ", "iat", "exp", "iss", "aud"],
                },
            )
            expires, issued = claims["exp"], claims["iat"]
            if type(expires) is not int or type(issued) is not int or claims["typ"] != "access":
                raise AuthenticationError(INVALID_ACCESS_TOKEN)
            if expires <= now.timestamp():
                raise AuthenticationError(INVALID_ACCESS_TOKEN)
            return AccessClaims(
                user_id=_user_id(claims["sub"]), family_id=str(claims["sid"]), issued_at=issued
            )
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise AuthenticationError(INVALID_ACCESS_TOKEN) from exc


def _user_id(subject: Any) -> int:
    """The user id a ``sub`` claim names: ASCII digits (``int()`` also reads
    Arabic-Indic and fullwidth ones), within the id range."""
    if not isinstance(subject, str) or not SUBJECT.fullmatch(subject) or int(subject) > MAX_ID:
        raise ValueError("not a user id")
    return int(subject)


def new_refresh_token() -> str:
    """A random, URL-safe refresh token (256 bits)."""
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """What is stored of a refresh token: a database leak leaks no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()
