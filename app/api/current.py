"""The request's caller, and the services built for it from the app's settings.

The one place the HTTP layer reads the bearer token (once per request, kept on
``flask.g``) and the app's service settings; everything below receives them
as arguments.
"""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.orm import Session

from app.api.permissions import Permission, check_permissions
from app.db.session import get_db
from app.exceptions import AuthenticationError
from app.models.user import User
from app.services.accounts import SIGN_IN_REQUIRED, AccountService
from app.services.settings import AuthSettings
from app.services.tokens import SignedIn, TokenService


def auth_settings() -> AuthSettings:
    """The app's ``AuthSettings`` (built by ``init_extensions``)."""
    settings: AuthSettings = current_app.extensions["auth"]
    return settings


def accounts(session: Session) -> AccountService:
    """The account service, with the app's sign-up policy (``SIGNUP_ENABLED``)."""
    signup_enabled = bool(current_app.config["SIGNUP_ENABLED"])
    return AccountService(session, auth_settings(), signup_enabled=signup_enabled)


def tokens(session: Session) -> TokenService:
    return TokenService(session, auth_settings())


def current_user() -> User:
    """The signed-in user of this request; authenticates on first use (401 if not)."""
    return _signed_in().user


def optional_user() -> User | None:
    """The signed-in user, or ``None`` when the request sends no credentials (a
    public action); credentials that are sent must be valid."""
    if "Authorization" not in request.headers:
        return None
    return current_user()


def current_token_family() -> str:
    """The sign-in (refresh-token family) the access token was issued for."""
    return _signed_in().token_family


def require(*permissions: Permission) -> User:
    """Authenticate, then check each permission against this request."""
    user = current_user()
    check_permissions(user, permissions, request.view_args or {})
    return user


SIGNED_IN = "signed_in"  # where the request's caller is kept on flask.g


def _signed_in() -> SignedIn:
    signed_in: SignedIn | None = g.get(SIGNED_IN)
    if signed_in is None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip(" \t")  # HTTP's whitespace only
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationError(SIGN_IN_REQUIRED)
        signed_in = tokens(get_db()).authenticate(token)
        setattr(g, SIGNED_IN, signed_in)
    return signed_in
