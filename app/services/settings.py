"""What the services are configured with, built once per app from its config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.security.passwords import Passwords
from app.security.tokens import AccessTokens


@dataclass(frozen=True)
class AuthSettings:
    """Password hashing, token signing and token lifetimes."""

    passwords: Passwords
    access_tokens: AccessTokens
    refresh_ttl: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AuthSettings:
        """From the app's config (``app.config.load_config``)."""
        return cls(
            passwords=Passwords(
                time_cost=int(config["ARGON2_TIME_COST"]),
                memory_cost=int(config["ARGON2_MEMORY_COST"]),
                parallelism=int(config["ARGON2_PARALLELISM"]),
            ),
            access_tokens=AccessTokens.from_secret(
                str(config["SECRET_KEY"]),
                ttl=timedelta(seconds=int(config["ACCESS_TOKEN_TTL"])),
                issuer=str(config["TOKEN_ISSUER"]),
                audience=str(config["TOKEN_AUDIENCE"]),
            ),
            refresh_ttl=timedelta(seconds=int(config["REFRESH_TOKEN_TTL"])),
        )
