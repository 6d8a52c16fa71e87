"""Who is calling, and what they may do: the building blocks every resource uses.

A permission is a function ``(user, view_args) -> bool``. Declare them on a
handler with ``@blp.auth_required(staff)`` (see ``app.api.blueprint``), or check
them inside a handler with ``require(...)`` when the rule depends on the request.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from flask import g, request

from app.db.session import get_db
from app.exceptions import AuthenticationError, PermissionDeniedError
from app.models.user import User
from app.security.tokens import read_access_token

Permission = Callable[[User, Mapping[str, Any]], bool]


def authenticated(user: User, view_args: Mapping[str, Any]) -> bool:
    """Any active, signed-in user."""
    return True


def staff(user: User, view_args: Mapping[str, Any]) -> bool:
    """Staff and superusers."""
    return user.is_staff or user.is_superuser


def superuser(user: User, view_args: Mapping[str, Any]) -> bool:
    return user.is_superuser


def owner_or_staff(param: str = "user_id") -> Permission:
    """The user whose id is in the URL parameter ``param``, or staff."""

    def check(user: User, view_args: Mapping[str, Any]) -> bool:
        return view_args.get(param) == user.id or staff(user, view_args)

    check.__doc__ = f"The user named by <{param}>, or staff."
    return check


def current_user() -> User:
    """The signed-in user of this request; authenticates on first use."""
    user: User | None = g.get("current_user")
    if user is None:
        user = _authenticate()
        g.current_user = user
    return user


def current_token_family() -> str:
    """The refresh-token family (sign-in) the access token was issued for."""
    current_user()
    family: str = g.token_family
    return family


def require(*permissions: Permission) -> User:
    """Authenticate, then check each permission against this request."""
    user = current_user()
    view_args = request.view_args or {}
    if not all(permission(user, view_args) for permission in permissions):
        raise PermissionDeniedError("You do not have permission to do this.")
    return user


def _authenticate() -> User:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Authentication required: send Authorization: Bearer <token>.")
    claims = read_access_token(token.strip())
    user = get_db().get(User, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("The access token is invalid or expired.")
    g.token_family = claims.family_id
    return user


def check_user_edit(actor: User, target: User, fields: Collection[str]) -> None:
    """Field-level rules for changing a user account.

    Only superusers touch a superuser's account (other than their own) or grant
    ``is_superuser``; only staff change ``is_active`` and ``is_staff``.
    """
    if target.is_superuser and not actor.is_superuser and actor.id != target.id:
        raise PermissionDeniedError("Only superusers may change a superuser.")
    for field in sorted(set(fields) & {"is_active", "is_staff"}):
        if not staff(actor, {}):
            raise PermissionDeniedError(f"Only staff may change {field}.")
    if "is_superuser" in fields and not actor.is_superuser:
        raise PermissionDeniedError("Only superusers may change is_superuser.")
