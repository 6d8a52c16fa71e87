"""``/api/auth``: sign in, refresh, sign out, and the signed-in user's own account."""

from __future__ import annotations

from typing import Any

from app.api.blueprint import Blueprint
from app.api.current import accounts, current_token_family, current_user, tokens
from app.api.ratelimits import (
    account,
    account_and_address,
    account_failure_limit,
    auth_rate_limit,
    email_change_limit,
    failed,
    not_an_email_change,
    sign_in_failure_limit,
    signed_in_user,
    token_rate_limit,
)
from app.db.session import unit_of_work
from app.extensions import limiter
from app.models.user import User
from app.schemas.auth import (
    MeUpdateSchema,
    PasswordChangeSchema,
    RefreshRequestSchema,
    TokenRequestSchema,
    TokenSchema,
)
from app.schemas.problem import ProblemSchema
from app.schemas.user import UserReadSchema
from app.services.tokens import TokenPair

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Tokens and own account.")


@blp.post("/token")
@limiter.limit(auth_rate_limit)
@limiter.limit(sign_in_failure_limit, key_func=account_and_address, deduct_when=failed)
@limiter.limit(account_failure_limit, key_func=account, deduct_when=failed)
@blp.arguments(TokenRequestSchema())
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ProblemSchema, description="Wrong email or password.")
@blp.alt_response(429, schema=ProblemSchema, description="Too many attempts; see Retry-After.")
def obtain_tokens(data: dict[str, str]) -> TokenPair:
    """Sign in with email and password; returns an access and a refresh token.

    Limited per client address, and failures per account: from one address, and
    from all of them (a limit one address cannot reach, so no one locks you out)."""
    with unit_of_work() as session:
        user = accounts(session).authenticate(data["email"], data["password"])
        return tokens(session).issue(user)


@blp.post("/refresh")
@limiter.limit(token_rate_limit)
@blp.arguments(RefreshRequestSchema())
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ProblemSchema, description="Invalid, expired or reused token.")
@blp.alt_response(429, schema=ProblemSchema, description="Too many requests; see Retry-After.")
def refresh_tokens(data: dict[str, str]) -> TokenPair:
    """Exchange a refresh token for a new pair. Each refresh token works once."""
    with unit_of_work() as session:
        return tokens(session).rotate(data["refresh_token"])


@blp.post("/logout")
@limiter.limit(token_rate_limit)
@blp.arguments(RefreshRequestSchema())
@blp.response(204)
@blp.alt_response(429, schema=ProblemSchema, description="Too many requests; see Retry-After.")
def logout(data: dict[str, str]) -> None:
    """Revoke the refresh token and every token issued from the same sign-in."""
    with unit_of_work() as session:
        tokens(session).revoke(data["refresh_token"])


@blp.get("/me")
@blp.auth_required()
@blp.response(200, UserReadSchema)
def read_me() -> User:
    """The signed-in user."""
    return current_user()


@blp.patch("/me")
@limiter.shared_limit(
    email_change_limit,
    scope="email-change",
    key_func=signed_in_user,
    exempt_when=not_an_email_change,
)
@blp.auth_required()
@blp.arguments(MeUpdateSchema())
@blp.response(200, UserReadSchema)
@blp.alt_response(409, schema=ProblemSchema, description="The email is already registered.")
@blp.alt_response(429, schema=ProblemSchema, description="Too many email changes.")
def update_me(data: dict[str, Any]) -> User:
    """Change the signed-in user's email or name."""
    me = current_user()
    with unit_of_work() as session:
        return accounts(session).edit(me, me, data)


@blp.post("/password")
@limiter.limit(auth_rate_limit)
@blp.auth_required()
@blp.arguments(PasswordChangeSchema())
@blp.response(204)
@blp.alt_response(429, schema=ProblemSchema, description="Too many attempts; see Retry-After.")
def change_password(data: dict[str, str]) -> None:
    """Change the password; every other sign-in ends (its refresh and access tokens).

    Rate limited like sign-in: a stolen access token must not allow guessing the
    current password."""
    with unit_of_work() as session:
        accounts(session).change_password(
            current_user(),
            current=data["current_password"],
            new=data["new_password"],
            keep_token_family=current_token_family(),
        )
