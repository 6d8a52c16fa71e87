"""Who may call an action, and on which objects: rules declared once per action.

As in Django REST framework, a permission answers two questions:
``has_permission`` (may this signed-in user call the action at all? checked before
the arguments are read) and ``has_object_permission`` (on this object? checked
when the object is loaded, in ``ModelResource.get_object``). Declare them with
``@blp.auth_required(staff)`` or in a resource's ``permissions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.exceptions import PermissionDeniedError
from app.models.user import User
from app.services.accounts import NOT_ALLOWED, is_staff


class Permission:
    """Allows everything; subclasses say what they refuse."""

    def has_permission(self, actor: User, view_args: Mapping[str, Any]) -> bool:
        return True

    def has_object_permission(self, actor: User, obj: Any) -> bool:
        return True


class Authenticated(Permission):
    """Any active, signed-in user."""


class Staff(Permission):
    """Staff and superusers."""

    def has_permission(self, actor: User, view_args: Mapping[str, Any]) -> bool:
        return is_staff(actor)


class SelfOrStaff(Permission):
    """The user an action is about (the URL's ``param``, or the object itself), or staff.

    Decided from the URL before the object is loaded, so a user learns nothing of
    other ids (every one is a 403), and again on the object.
    """

    def __init__(self, param: str = "user_id") -> None:
        self.param = param

    def has_permission(self, actor: User, view_args: Mapping[str, Any]) -> bool:
        return view_args.get(self.param) == actor.id or is_staff(actor)

    def has_object_permission(self, actor: User, obj: Any) -> bool:
        return obj.id == actor.id or is_staff(actor)


authenticated = Authenticated()
staff = Staff()


def check_permissions(
    actor: User, permissions: Iterable[Permission], view_args: Mapping[str, Any]
) -> None:
    """``PermissionDeniedError`` unless every permission lets ``actor`` call the action."""
    if not all(permission.has_permission(actor, view_args) for permission in permissions):
        raise PermissionDeniedError(NOT_ALLOWED)


def check_object_permissions(actor: User, permissions: Iterable[Permission], obj: Any) -> None:
    """``PermissionDeniedError`` unless every permission lets ``actor`` act on ``obj``."""
    if not all(permission.has_object_permission(actor, obj) for permission in permissions):
        raise PermissionDeniedError(NOT_ALLOWED)
