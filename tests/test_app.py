"""The factory, the health probes and the session lifecycle."""

from __future__ import annotations

from typing import Any

import flask
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event

from app import create_app
from app.db import db
from tests.factories import create_user
from tests.support.databases import app_config, dispose_engines

UNREACHABLE_DATABASE = "postgresql://nobody@127.0.0.1:1/nowhere"


def test_create_app_opens_no_connection(database_url: str) -> None:
    connects: list[Any] = []

    def record(*args: Any) -> None:
        connects.append(args)

    event.listen(Engine, "connect", record)
    try:
        app = create_app(app_config(database_url))
        with app.app_context():
            assert db.engine.pool.checkedout() == 0
        dispose_engines(app)
    finally:
        event.remove(Engine, "connect", record)
    assert connects == []


def test_unreachable_database_still_builds_and_is_alive_but_not_ready() -> None:
    app = create_app(app_config(UNREACHABLE_DATABASE, DATABASE_CONNECT_TIMEOUT=2))
    try:
        client = app.test_client()

        live = client.get("/health")
        ready = client.get("/health/ready")

        assert live.status_code == 200
        assert live.json == {"status": "ok"}
        assert ready.status_code == 503
        assert ready.mimetype == "application/problem+json"
        assert ready.json["detail"] == "The database is unavailable. Try again shortly."
    finally:
        dispose_engines(app)


def test_ready_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


@pytest.mark.real_transactions
def test_sessions_are_removed_and_connections_returned(
    app: Flask, admin_client: FlaskClient
) -> None:
    client = admin_client
    created = create_user(client)
    for _ in range(30):
        assert client.get("/api/users").status_code == 200
        assert client.get(f"/api/users/{created['id']}").status_code == 200
        assert client.get("/health/ready").status_code == 200
        assert client.get("/api/users/999999").status_code == 404

    with app.app_context():
        assert db.engine.pool.checkedout() == 0
    # Flask-SQLAlchemy keeps sessions per app context; none is left behind.
    assert db.session.registry.registry == {}


def test_openapi_document_is_served(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    assert "/api/users" in spec["paths"]
    assert "/api/users/{user_id}" in spec["paths"]
    parameter = spec["paths"]["/api/users/{user_id}"]["parameters"][0]
    assert parameter["schema"]["format"] == "int64"


def test_shell_preloads_db_models_and_repositories(app: Flask) -> None:
    with app.app_context():
        names = app.make_shell_context()

    assert {"db", "session", "User", "UserRepository", "Repository", "Page"} <= set(names)
    assert names["db"] is db


def test_the_cookie_session_is_read_only_when_a_request_brings_one(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API sends no session cookie, so none is decoded; one that is sent (a
    future admin site's) is still read and verified."""
    interface = app.session_interface
    signed = interface.get_signing_serializer(app).dumps({"seen": 1})  # type: ignore[attr-defined]
    name = interface.get_cookie_name(app)

    with monkeypatch.context() as patched, app.test_request_context():
        # No cookie: no serializer is even built.
        patched.setattr(interface, "get_signing_serializer", pytest.fail)
        empty = interface.open_session(app, flask.request)
    with app.test_request_context(headers={"Cookie": f"{name}={signed}"}):
        read = interface.open_session(app, flask.request)
    with app.test_request_context(headers={"Cookie": f"{name}={signed}x"}):
        forged = interface.open_session(app, flask.request)

    assert [dict(s) if s is not None else None for s in (empty, read, forged)] == [
        {},
        {"seen": 1},
        {},
    ]
