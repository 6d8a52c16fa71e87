"""No ping before each request: a read that meets a connection the database has
closed is run once more on a new one; a write gets a 503 (it may have been sent)."""

from __future__ import annotations

import os

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from app.db import db
from tests.factories import PASSWORD, add_user, bearer, sign_in

pytestmark = [
    pytest.mark.real_transactions,
    pytest.mark.skipif(
        not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"),
        reason="needs a database server that can close its connections (PostgreSQL)",
    ),
]


def _close_the_pools_connections(app: Flask) -> int:
    """What a database restart does to the pooled connections (from a connection
    of its own, outside the pool); returns how many it closed."""
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            closed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(closed)


def test_a_read_survives_a_database_restart(app: Flask) -> None:
    user = add_user(app)
    client = app.test_client()
    headers = bearer(sign_in(client, user["email"]))
    assert client.get("/api/auth/me", headers=headers).status_code == 200

    assert _close_the_pools_connections(app) >= 1
    response = client.get("/api/auth/me", headers=headers)

    assert response.status_code == 200, response.json


def test_a_write_on_a_dead_connection_is_a_503_then_works(app: Flask) -> None:
    user = add_user(app)
    client = app.test_client()
    assert client.get("/health/ready").status_code == 200  # a pooled connection
    body = {"email": user["email"], "password": PASSWORD}

    assert _close_the_pools_connections(app) >= 1
    first = client.post("/api/auth/token", json=body)
    second = client.post("/api/auth/token", json=body)

    assert first.status_code == 503
    assert first.mimetype == "application/problem+json"
    assert second.status_code == 200
