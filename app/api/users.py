"""``/api/users``: create, list, read, update and delete user accounts."""

from __future__ import annotations

from typing import Any

from flask import url_for

from app.api.blueprint import Blueprint
from app.db.session import get_db, unit_of_work
from app.models.user import User
from app.repositories.base import Page
from app.repositories.user import UserRepository
from app.schemas.pagination import PageArgsSchema, page_schema
from app.schemas.problem import ProblemSchema
from app.schemas.user import UserCreateSchema, UserReadSchema, UserUpdateSchema

blp = Blueprint("users", __name__, url_prefix="/api/users", description="User accounts.")


@blp.post("")
@blp.arguments(UserCreateSchema)
@blp.response(201, UserReadSchema)
@blp.alt_response(409, schema=ProblemSchema, description="The email is already registered.")
def create_user(data: dict[str, Any]) -> tuple[User, dict[str, str]]:
    """Create a user."""
    with unit_of_work() as session:
        user = UserRepository(session).create(**data)
    return user, {"Location": url_for("users.get_user", user_id=user.id)}


@blp.get("")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_schema(UserReadSchema))
def list_users(args: dict[str, int]) -> Page[User]:
    """List users, oldest first."""
    return UserRepository(get_db()).list(page=args["page"], per_page=args["per_page"])


@blp.get("/<id:user_id>")
@blp.response(200, UserReadSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such user.")
def get_user(user_id: int) -> User:
    """Read one user."""
    return UserRepository(get_db()).get_or_raise(user_id)


@blp.patch("/<id:user_id>")
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserReadSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such user.")
@blp.alt_response(409, schema=ProblemSchema, description="The email is already registered.")
def update_user(data: dict[str, Any], user_id: int) -> User:
    """Change some of a user's fields."""
    with unit_of_work() as session:
        users = UserRepository(session)
        return users.update(users.get_or_raise(user_id), data)


@blp.delete("/<id:user_id>")
@blp.response(204)
@blp.alt_response(404, schema=ProblemSchema, description="No such user.")
def delete_user(user_id: int) -> None:
    """Delete a user."""
    with unit_of_work() as session:
        users = UserRepository(session)
        users.delete(users.get_or_raise(user_id))
