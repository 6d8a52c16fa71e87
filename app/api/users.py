"""``/api/users``: sign up, and user administration for staff.

Built on the generic ``ModelResource``; who may change whose account is the
account service's rule (``app.services.accounts``), whoever asks.
"""

from __future__ import annotations

from typing import Any

from app.api.blueprint import Blueprint
from app.api.current import accounts
from app.api.permissions import SelfOrStaff, staff
from app.api.ratelimits import (
    email_change_limit,
    not_an_email_change,
    signed_in_user,
    signup_rate_limit,
    staff_caller,
)
from app.api.resource import Context, ModelResource
from app.extensions import limiter
from app.models.user import User
from app.repositories.user import UserRepository
from app.schemas.user import UserCreateSchema, UserReadSchema, UserUpdateSchema

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
        "create": None,  # sign-up, or staff when it is off: the account service decides
        "retrieve": (SelfOrStaff("user_id"),),
        "update": (SelfOrStaff("user_id"),),
        "delete": (staff,),
    }
    decorators = {
        # Staff creating users (an import, say) are not held to the sign-up limit.
        "create": (limiter.limit(signup_rate_limit, exempt_when=staff_caller),),
        "update": (
            # Shared with PATCH /api/auth/me: one count of email changes per user.
            limiter.shared_limit(
                email_change_limit,
                scope="email-change",
                key_func=signed_in_user,
                exempt_when=not_an_email_change,
            ),
        ),
    }
    responses = {
        "create": {
            401: "Sign-up is off and no token was sent.",
            403: "Sign-up is off; only staff create users.",
            429: "Too many sign-ups; see Retry-After.",
        },
        "update": {429: "Too many email changes; see Retry-After."},
    }
    docs = {
        "list": "List users. Staff only.",
        "create": "Sign up (when SIGNUP_ENABLED), or create a user as staff.",
        "retrieve": "Read one user: yourself, or anyone as staff.",
        "update": "Change some of a user's fields; role flags need staff or superuser.",
        "delete": "Delete a user. Staff only; a superuser only by a superuser.",
    }

    def create(self, ctx: Context[UserRepository], data: dict[str, Any]) -> User:
        return accounts(ctx.session).sign_up(data, actor=ctx.actor)

    def update(self, ctx: Context[UserRepository], obj: User, data: dict[str, Any]) -> User:
        assert ctx.actor is not None  # update is never public
        return accounts(ctx.session).edit(ctx.actor, obj, data)

    def delete(self, ctx: Context[UserRepository], obj: User) -> None:
        assert ctx.actor is not None  # delete is never public
        accounts(ctx.session).delete(ctx.actor, obj)


UserResource.register(blp)
