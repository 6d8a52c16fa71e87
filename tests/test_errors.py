"""Every error leaves as application/problem+json with the right status."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import create_app
from app.repositories.user import UserRepository
from tests.factories import count_users, create_user, user_payload
from tests.support.databases import app_config, dispose_engines, temporary_database

UNREACHABLE_DATABASE = "postgresql://nobody@127.0.0.1:1/nowhere"


@pytest.fixture
def client(admin_client: FlaskClient) -> FlaskClient:
    """Errors are tested as a superuser, so that permissions never answer first."""
    return admin_client


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.json
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["detail"]
    return body


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/users", data="{not json", content_type="application/json")
    assert assert_problem(response, 400)["detail"] == "Invalid JSON body."


def test_non_utf8_body_is_400(client: FlaskClient) -> None:
    response = client.post("/api/users", data=b'{"email": "\xff"}', content_type="application/json")
    assert_problem(response, 400)


def test_unknown_route_is_404(client: FlaskClient) -> None:
    assert_problem(client.get("/api/nothing-here"), 404)


def test_missing_user_is_404(client: FlaskClient) -> None:
    body = assert_problem(client.get("/api/users/424242"), 404)
    assert body["detail"] == "User 424242 does not exist."


@pytest.mark.parametrize(
    "user_id",
    ["0", "-1", "007", "abc", "1.5", "1000000000000000000", "9223372036854775808", "9" * 40],
)
def test_ids_out_of_range_or_not_numbers_are_404(client: FlaskClient, user_id: str) -> None:
    for method in ("get", "patch", "delete"):
        assert_problem(getattr(client, method)(f"/api/users/{user_id}", json={}), 404)


def test_largest_id_is_a_plain_404(client: FlaskClient) -> None:
    assert_problem(client.get("/api/users/999999999999999999"), 404)


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.put("/api/users")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_duplicate_email_is_409(client: FlaskClient) -> None:
    create_user(client, email="taken@example.com")
    body = assert_problem(
        client.post("/api/users", json=user_payload(email="taken@example.com")), 409
    )
    assert body["errors"] == {"email": ["A user with this email already exists."]}


def test_the_unique_constraint_decides_a_race(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two concurrent creates both pass the pre-check; the constraint stops one."""
    create_user(client, email="race@example.com")
    before = count_users(app)
    monkeypatch.setattr(UserRepository, "get_by_email", lambda self, email: None)

    response = client.post("/api/users", json=user_payload(email="race@example.com"))

    body = assert_problem(response, 409)
    assert body["errors"] == {"email": ["A user with this email already exists."]}
    assert count_users(app) == before


def test_body_over_the_limit_is_413(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    body = '{"email": "' + "a" * 2048 + '@example.com"}'
    assert_problem(client.post("/api/users", data=body, content_type="application/json"), 413)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("email=a@example.com", "application/x-www-form-urlencoded"),
        ("{}", "text/plain"),
        ("", None),
    ],
)
def test_non_json_body_is_415(client: FlaskClient, data: str, content_type: str | None) -> None:
    assert_problem(client.post("/api/users", data=data, content_type=content_type), 415)
    assert_problem(client.patch("/api/users/1", data=data, content_type=content_type), 415)


def test_validation_errors_are_422_per_field(client: FlaskClient) -> None:
    response = client.post(
        "/api/users", json={"email": "not-an-email", "password": "short", "role": "admin"}
    )
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"email", "password", "role"}
    assert body["errors"]["role"] == ["Unknown field."]


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "a string",
        42,
        {"email": None, "password": "long enough"},
        {"email": 5, "password": "long enough"},
        {"email": "nul@example.com", "password": "long enough", "full_name": "a\x00b"},
        {"email": "big@example.com", "password": "long enough", "full_name": "x" * 256},
    ],
)
def test_wrong_shapes_and_types_are_422(app: Flask, client: FlaskClient, payload: Any) -> None:
    before = count_users(app)
    assert_problem(client.post("/api/users", json=payload), 422)
    assert count_users(app) == before


def test_json_null_body_is_422(client: FlaskClient) -> None:
    response = client.post("/api/users", data="null", content_type="application/json")
    assert_problem(response, 422)


def test_null_in_patch_is_422(client: FlaskClient) -> None:
    created = create_user(client)
    for field in ("email", "full_name", "is_active", "password"):
        response = client.patch(f"/api/users/{created['id']}", json={field: None})
        assert_problem(response, 422)


def test_unexpected_error_is_500_without_internals(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(app_config(database_url, PROPAGATE_EXCEPTIONS=False))

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom")

    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"
    logged = [r for r in caplog.records if r.exc_info]
    assert logged, "the traceback must be logged"
    assert "secret internal detail" in caplog.text


def test_database_unavailable_is_503() -> None:
    app = create_app(app_config(UNREACHABLE_DATABASE, DATABASE_CONNECT_TIMEOUT=2))
    try:
        client = app.test_client()
        assert_problem(client.post("/api/users", json=user_payload()), 503)
    finally:
        dispose_engines(app)


def test_a_database_without_tables_is_a_500_not_a_503(tmp_path: Path) -> None:
    """Unavailability (503, retry later) is not the same as a deployment mistake."""
    with temporary_database(os.environ.get("TEST_DATABASE_URL"), tmp_path) as url:
        app = create_app(app_config(url, PROPAGATE_EXCEPTIONS=False))
        try:
            response = app.test_client().post("/api/users", json=user_payload())
        finally:
            dispose_engines(app)

    body = assert_problem(response, 500)
    assert "users" not in body["detail"]
