"""Small helpers that create test data through the same code paths as the app."""

from __future__ import annotations

from itertools import count
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.db.session import get_db, unit_of_work
from app.repositories.user import UserRepository
from app.services.accounts import AccountService

_sequence = count(1)


def user_payload(**overrides: Any) -> dict[str, Any]:
    """A valid body for ``POST /api/users``, with a unique email."""
    n = next(_sequence)
    return {
        "email": f"user{n}@example.com",
        "full_name": f"User {n}",
        "password": "correct horse battery",
        **overrides,
    }


def create_user(client: FlaskClient, **overrides: Any) -> dict[str, Any]:
    """Create a user through the API and return its JSON representation."""
    response = client.post("/api/users", json=user_payload(**overrides))
    assert response.status_code == 201, response.json
    body: dict[str, Any] = response.json
    return body


PASSWORD = "correct horse battery"


def add_user(app: Flask, *, password: str = PASSWORD, **fields: Any) -> dict[str, Any]:
    """Create a user below HTTP, through the account service, with any roles;
    returns id, email, password."""
    fields.setdefault("email", f"member{next(_sequence)}@example.com")
    with app.app_context(), unit_of_work() as session:
        roles = {k: fields.pop(k) for k in ("is_staff", "is_superuser") if k in fields}
        user = AccountService(session, app.extensions["auth"]).create_user(
            password=password, **fields
        )
        UserRepository(session).update(user, roles)
    return {"id": user.id, "email": user.email, "password": password}


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Obtain a token pair through the API."""
    response = client.post("/api/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json
    return body


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def count_users(app: Flask) -> int:
    """How many users the database holds, read below HTTP."""
    with app.app_context():
        return UserRepository(get_db()).list(per_page=1).total
