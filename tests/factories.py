"""Small helpers that create test data through the same code paths as the app."""

from __future__ import annotations

from itertools import count
from typing import Any

from flask.testing import FlaskClient

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
