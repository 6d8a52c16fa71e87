"""The users API, end to end through the test client."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.models.user import User
from tests.factories import create_user, user_payload

READ_FIELDS = {
    "id",
    "email",
    "full_name",
    "is_active",
    "is_staff",
    "is_superuser",
    "last_login",
    "created_at",
    "updated_at",
}


@pytest.fixture
def client(admin_client: FlaskClient) -> FlaskClient:
    """These tests are about the endpoints' behaviour, so they call them as a
    superuser; who may call what is tested in test_user_permissions.py."""
    return admin_client


def test_create_returns_the_user_and_its_location(client: FlaskClient) -> None:
    response = client.post("/api/users", json=user_payload(email="Ada@Example.COM"))

    assert response.status_code == 201
    body = response.json
    assert set(body) == READ_FIELDS
    assert body["email"] == "ada@example.com"
    assert body["is_active"] is True
    assert body["created_at"].endswith("+00:00")
    assert response.headers["Location"] == f"/api/users/{body['id']}"


def test_create_stores_a_hash_never_the_password(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    created = create_user(client, password="s3cret-passphrase")

    user = session.get(User, created["id"])
    assert user is not None
    assert user.password_hash is not None
    assert "s3cret-passphrase" not in user.password_hash
    assert app.extensions["auth"].passwords.verify(user.password_hash, "s3cret-passphrase")


def test_no_response_exposes_the_password_or_its_hash(client: FlaskClient) -> None:
    created = create_user(client, password="s3cret-passphrase")
    responses = [
        client.get(f"/api/users/{created['id']}"),
        client.get("/api/users"),
        client.patch(f"/api/users/{created['id']}", json={"full_name": "Renamed"}),
    ]
    for response in responses:
        text = response.get_data(as_text=True)
        assert "password" not in text
        assert "argon2" not in text


def test_get_returns_one_user(client: FlaskClient) -> None:
    created = create_user(client)

    response = client.get(f"/api/users/{created['id']}")

    assert response.status_code == 200
    assert response.json == created


def test_list_is_paginated_with_totals(client: FlaskClient) -> None:
    for _ in range(5):
        create_user(client)
    everyone = client.get("/api/users?per_page=100").json
    ids = [u["id"] for u in everyone["items"]]

    first = client.get("/api/users?per_page=2").json
    last = client.get("/api/users?page=3&per_page=2").json
    beyond = client.get("/api/users?page=4&per_page=2").json

    assert everyone["total"] == len(ids) == 6  # the five and the signed-in admin
    assert ids == sorted(ids)
    assert first["total"] == 6
    assert first["pages"] == 3
    assert (first["page"], first["per_page"]) == (1, 2)
    assert [u["id"] for u in first["items"]] == ids[:2]
    assert [u["id"] for u in last["items"]] == ids[4:]
    assert beyond["items"] == []
    assert beyond["total"] == 6


def test_list_defaults_and_limits(client: FlaskClient) -> None:
    body = client.get("/api/users").json
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 20, 1, 1)

    for query in ("per_page=0", "per_page=101", "page=0", "page=x", "page=99999999999999"):
        response = client.get(f"/api/users?{query}")
        assert response.status_code == 422, query
        assert response.mimetype == "application/problem+json"


def test_patch_changes_only_given_fields(client: FlaskClient) -> None:
    created = create_user(client, full_name="Before")

    response = client.patch(f"/api/users/{created['id']}", json={"full_name": "After"})

    assert response.status_code == 200
    assert response.json["full_name"] == "After"
    assert response.json["email"] == created["email"]
    assert response.json["updated_at"] >= created["updated_at"]


def test_patch_to_a_taken_email_conflicts(client: FlaskClient) -> None:
    first = create_user(client)
    second = create_user(client)

    response = client.patch(f"/api/users/{second['id']}", json={"email": first["email"].upper()})

    assert response.status_code == 409
    assert response.json["errors"] == {"email": ["A user with this email already exists."]}


def test_patch_own_email_in_other_case_is_fine(client: FlaskClient) -> None:
    created = create_user(client)

    response = client.patch(f"/api/users/{created['id']}", json={"email": created["email"].upper()})

    assert response.status_code == 200
    assert response.json["email"] == created["email"]


def test_delete_removes_the_user(client: FlaskClient) -> None:
    created = create_user(client)

    response = client.delete(f"/api/users/{created['id']}")

    assert response.status_code == 204
    assert response.data == b""
    assert client.get(f"/api/users/{created['id']}").status_code == 404
    assert client.delete(f"/api/users/{created['id']}").status_code == 404


def test_duplicate_email_in_any_case_conflicts(client: FlaskClient) -> None:
    create_user(client, email="grace@example.com")

    response = client.post("/api/users", json=user_payload(email="  GRACE@example.com "))

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"] == {"email": ["A user with this email already exists."]}
