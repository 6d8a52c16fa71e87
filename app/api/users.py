"""``/api/users``: sign up, and user administration for staff."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from app.api.blueprint import BEARER_AUTH, Blueprint
from app.api.permissions import check_user_edit, current_user, owner_or_staff, require, staff
from app.db.session import get_db, unit_of_work
from app.extensions import limiter
from app.models.user import User
from app.repositories.base import Page
from app.repositories.user import UserRepository
from app.schemas.pagination import PageArgsSchema, page_schema
from app.schemas.problem import ProblemSchema
from app.schemas.user import UserCreateSchema, UserReadSchema, UserUpdateSchema
from app.security.ratelimits import signup_rate_limit

blp = Blueprint("users", __name__, url_prefix="/api/users", description="User accounts.")


@blp.post("")
@limiter.limit(signup_rate_limit)
@blp.arguments(UserCreateSchema)
@blp.response(201, UserReadSchema)
@blp.doc(security=[{}, {BEARER_AUTH: []}])
@blp.alt_response(401, schema=ProblemSchema, description="Sign-up is off; staff only.")
@blp.alt_response(403, schema=ProblemSchema, description="Sign-up is off; staff only.")
@blp.alt_response(409, schema=ProblemSchema, description="The email is already registered.")
@blp.alt_response(429, schema=ProblemSchema, description="Too many sign-ups; see Retry-After.")
def create_user(data: dict[str, Any]) -> tuple[User, dict[str, str]]:
    """Sign up (when SIGNUP_ENABLED), or create a user as staff."""
    if not current_app.config["SIGNUP_ENABLED"]:
        require(staff)
    with unit_of_work() as session:
        user = UserRepository(session).create(**data)
    return user, {"Location": url_for("users.get_user", user_id=user.id)}


@blp.get("")
@blp.auth_required(staff)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_schema(UserReadSchema))
def list_users(args: dict[str, int]) -> Page[User]:
    """List users, oldest first. Staff only."""
    return UserRepository(get_db()).list(page=args["page"], per_page=args["per_page"])


@blp.get("/<id:user_id>")
@blp.auth_required(owner_or_staff("user_id"))
@blp.response(200, UserReadSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such user.")
def get_user(user_id: int) -> User:
    """Read one user: yourself, or anyone as staff."""
    return UserRepository(get_db()).get_or_raise(user_id)


@blp.patch("/<id:user_id>")
@blp.auth_required(owner_or_staff("user_id"))
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserReadSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such user.")
@blp.alt_response(409, schema=ProblemSchema, description="The email is already registered.")
def update_user(data: dict[str, Any], user_id: int) -> User:
    """Change some of a user's fields; the role flags need staff or superuser."""
    with unit_of_work() as session:
        users = UserRepository(session)
        user = users.get_or_raise(user_id)
        check_user_edit(current_user(), user, data)
        return users.update(user, data)


@blp.delete("/<id:user_id>")
@blp.auth_required(staff)
@blp.response(204)
@blp.alt_response(404, schema=ProblemSchema, description="No such user.")
def delete_user(user_id: int) -> None:
    """Delete a user. Staff only; a superuser only by a superuser."""
    with unit_of_work() as session:
        users = UserRepository(session)
        user = users.get_or_raise(user_id)
        check_user_edit(current_user(), user, ())
        users.delete(user)
