"""Hostile input on every write endpoint: each gets a 4xx problem, and the
database is exactly as it was before."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.db import db
from app.db.session import get_db
from tests.support.databases import app_config

ID = "{user_id}"


def _write_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation that takes a JSON body, from the spec."""
    document = create_app(app_config("sqlite://")).test_client().get("/openapi.json").json
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]


WRITES = _write_operations()
ID_OPERATIONS = [
    ("GET", f"/api/users/{ID}"),
    ("PATCH", f"/api/users/{ID}"),
    ("DELETE", f"/api/users/{ID}"),
]

TEN_MB = "x" * (10 * 1024 * 1024)
HUGE = 2**70
FIELDS = ("email", "password", "full_name", "refresh_token", "current_password", "new_password")

BODIES: dict[str, tuple[bytes, str | None, set[int]]] = {
    "malformed JSON": (b'{"email": "a@example.com",', "application/json", {400}),
    "a JSON array": (b'[{"email": "a@example.com"}]', "application/json", {422}),
    "a JSON string": (b'"a@example.com"', "application/json", {422}),
    "a JSON number": (b"42", "application/json", {422}),
    "JSON null": (b"null", "application/json", {422}),
    "form encoding": (b"email=a%40example.com", "application/x-www-form-urlencoded", {415}),
    "plain text": (b'{"email": "a@example.com"}', "text/plain", {415}),
    "no content type": (b'{"email": "a@example.com"}', None, {415}),
    "non-UTF-8 bytes": (b'{"email": "\xff\xfe@example.com"}', "application/json", {400}),
    "unknown fields": (
        json.dumps({"is_admin": True, "role": "root"}).encode(),
        "application/json",
        {422},
    ),
    "nulls": (json.dumps(dict.fromkeys(FIELDS)).encode(), "application/json", {422}),
    "wrong types": (
        json.dumps({key: {"$ne": 1} for key in FIELDS}).encode(),
        "application/json",
        {422},
    ),
    "integers beyond 64 bits": (
        json.dumps(dict.fromkeys(FIELDS, HUGE)).encode(),
        "application/json",
        {422},
    ),
    "a 10 MB string": (json.dumps({"email": TEN_MB}).encode(), "application/json", {413}),
    "a number of 4,301 digits": (b'{"email": ' + b"9" * 4301 + b"}", "application/json", {400}),
    "NaN": (b'{"email": NaN, "password": Infinity}', "application/json", {400}),
    "a repeated key": (
        b'{"email": "a@example.com", "email": "b@example.com"}',
        "application/json",
        {400},
    ),
    "loose booleans": (
        json.dumps({"is_active": "true", "is_staff": 1, "is_superuser": "on"}).encode(),
        "application/json",
        {422},
    ),
    "an email with a zero-width space": (
        json.dumps({"email": "target@example.com\u200b", "password": "a fine passphrase"}).encode(),
        "application/json",
        {401, 422},  # sign-in finds no such account; everywhere else it is invalid
    ),
}
# Query strings a list must refuse with a 422 naming the parameter.
BAD_QUERIES = {
    "fullwidth digits": "per_page=%EF%BC%95",
    "Arabic-Indic digits": "page=%D9%A1",
    "a loose boolean": "is_active=yes",
    "a number with an underscore": "per_page=1_0",
    "a repeated parameter": "ordering=id&ordering=-id",
    "a non-base64url cursor": "cursor=%C3%A9t%C3%A9",
    "an undeclared parameter": "colour=red",
}
BAD_IDS = ["-1", "0", "00", "1e3", "abc", "1.0", str(2**63), str(HUGE), "%00", "1%20"]


def _fingerprint(app: Flask) -> str:
    """A hash of every row of every table."""
    digest = hashlib.sha256()
    with app.app_context():
        session = get_db()
        for table in db.metadata.sorted_tables:
            rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
            digest.update(repr((table.name, [tuple(row) for row in rows])).encode())
    return digest.hexdigest()


def _assert_problem(response: Any, allowed: set[int]) -> None:
    assert response.status_code in allowed, (response.status_code, response.get_data()[:200])
    assert 400 <= response.status_code < 500
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == response.status_code


@pytest.fixture
def target(app: Flask, admin_client: FlaskClient) -> int:
    """An existing user for the id endpoints; the admin is signed in already."""
    response = admin_client.post(
        "/api/users", json={"email": "target@example.com", "password": "a fine passphrase"}
    )
    user_id: int = response.json["id"]
    return user_id


@pytest.mark.parametrize("case", list(BODIES))
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_bad_bodies_are_refused_and_change_nothing(
    app: Flask, admin_client: FlaskClient, target: int, method: str, path: str, case: str
) -> None:
    body, content_type, allowed = BODIES[case]
    before = _fingerprint(app)

    response = admin_client.open(
        re.sub(r"\{\w+\}", str(target), path), method=method, data=body, content_type=content_type
    )

    _assert_problem(response, allowed)
    assert _fingerprint(app) == before


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize(("method", "path"), ID_OPERATIONS)
def test_bad_path_ids_are_404_and_change_nothing(
    app: Flask, admin_client: FlaskClient, target: int, method: str, path: str, bad_id: str
) -> None:
    before = _fingerprint(app)

    response = admin_client.open(path.replace(ID, bad_id), method=method, json={"full_name": "x"})

    _assert_problem(response, {404})
    assert _fingerprint(app) == before


def _list_paths() -> list[str]:
    document = create_app(app_config("sqlite://")).test_client().get("/openapi.json").json
    return [
        path
        for path, item in document["paths"].items()
        if "get" in item and any(p["name"] == "per_page" for p in item["get"].get("parameters", []))
    ]


@pytest.mark.parametrize("case", list(BAD_QUERIES))
@pytest.mark.parametrize("path", _list_paths())
def test_bad_list_queries_are_422_and_change_nothing(
    app: Flask, admin_client: FlaskClient, path: str, case: str
) -> None:
    before = _fingerprint(app)

    response = admin_client.get(f"{path}?{BAD_QUERIES[case]}")

    _assert_problem(response, {422})
    assert response.json["errors"]
    assert _fingerprint(app) == before
