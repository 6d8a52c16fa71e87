"""``/api/users``: sign up, and user administration for staff.

Built on the generic ``ModelResource``, with the users' own rules in its hooks.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from app.api.blueprint import Blueprint
from app.api.permissions import check_user_edit, current_user, owner_or_staff, require, staff
from app.api.resource import ModelResource
from app.extensions import limiter
from app.models.user import User
from app.repositories.user import UserRepository
from app.schemas.user import UserCreateSchema, UserReadSchema, UserUpdateSchema
from app.security.ratelimits import signup_rate_limit

blp = Blueprint("users", __name__, url_prefix="/api/users", description="User accounts.")


class UserResource(ModelResource[User, UserRepository]):
    repository = UserRepository
    read_schema = UserReadSchema
    create_schema = UserCreateSchema
    update_schema = UserUpdateSchema
    id_param = "user_id"
    filter_fields = ("is_active", "is_staff", "is_superuser", "created_at")
    ordering_fields = ("id", "email", "created_at")
    search_fields = ("email", "full_name")
    permissions = {
        "list": (staff,),
        "create": None,  # sign-up; see create()
        "retrieve": (owner_or_staff("user_id"),),
        "update": (owner_or_staff("user_id"),),
        "delete": (staff,),
    }
    decorators = {"create": (limiter.limit(signup_rate_limit),)}
    responses = {
        "create": {
            401: "Sign-up is off and no token was sent.",
            403: "Sign-up is off; only staff create users.",
            429: "Too many sign-ups; see Retry-After.",
        }
    }
    docs = {
        "list": "List users. Staff only.",
        "create": "Sign up (when SIGNUP_ENABLED), or create a user as staff.",
        "retrieve": "Read one user: yourself, or anyone as staff.",
        "update": "Change some of a user's fields; role flags need staff or superuser.",
        "delete": "Delete a user. Staff only; a superuser only by a superuser.",
    }

    def create(self, repository: UserRepository, data: dict[str, Any]) -> User:
        if not current_app.config["SIGNUP_ENABLED"]:
            require(staff)
        return repository.create(**data)

    def update(self, repository: UserRepository, obj: User, data: dict[str, Any]) -> User:
        check_user_edit(current_user(), obj, data)
        return repository.update(obj, data)

    def delete(self, repository: UserRepository, obj: User) -> None:
        check_user_edit(current_user(), obj, ())
        repository.delete(obj)


UserResource.register(blp)
