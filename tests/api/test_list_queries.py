"""The generic list: filters, ordering, search, offset and keyset paging, on users."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app.db import db
from app.db.session import get_db
from tests.factories import add_user


@pytest.fixture
def client(admin_client: FlaskClient) -> FlaskClient:
    return admin_client


@contextmanager
def recorded_sql(app: Flask) -> Iterator[list[tuple[str, Any]]]:
    """Every SQL statement (with its parameters) the app sends while the block runs."""
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        # The test's own savepoints (see conftest) are not the app's queries.
        if "SAVEPOINT" not in statement:
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _walk(client: FlaskClient, query: str) -> list[int]:
    """Follow ``next`` from the first keyset page to the last; the ids seen."""
    seen: list[int] = []
    cursor = ""
    for _ in range(1000):
        body = client.get(f"/api/users?{query}&cursor={cursor}").json
        assert "total" not in body
        seen.extend(item["id"] for item in body["items"])
        if body["next"] is None:
            return seen
        cursor = body["next"]
    raise AssertionError("the cursor never ended")


def test_filters_on_declared_fields(app: Flask, client: FlaskClient) -> None:
    active = add_user(app)
    inactive = add_user(app, is_active=False)

    inactive_ids = [u["id"] for u in client.get("/api/users?is_active=false").json["items"]]
    active_ids = [u["id"] for u in client.get("/api/users?is_active=true").json["items"]]

    assert inactive_ids == [inactive["id"]]
    assert active["id"] in active_ids
    assert inactive["id"] not in active_ids


def test_date_filters_take_ranges(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    everyone = client.get("/api/users?ordering=created_at").json["items"]
    middle = everyone[-1]["created_at"]

    response = client.get("/api/users", query_string={"created_at__gte": middle})
    assert response.status_code == 200, response.json
    later = response.json["items"]
    earlier = client.get("/api/users", query_string={"created_at__lte": middle}).json["items"]

    assert [u["id"] for u in later] == [everyone[-1]["id"]]
    assert len(earlier) == len(everyone)


def test_ordering_on_declared_fields_tie_broken_by_id(app: Flask, client: FlaskClient) -> None:
    for email in ("c@example.com", "a@example.com", "b@example.com"):
        add_user(app, email=email)

    emails = [u["email"] for u in client.get("/api/users?ordering=-email").json["items"]]

    assert emails == sorted(emails, reverse=True)
    assert emails[-3:] == ["c@example.com", "b@example.com", "a@example.com"]
    ids = [u["id"] for u in client.get("/api/users?ordering=-created_at").json["items"]]
    assert ids == sorted(ids, reverse=True)


def test_search_is_case_insensitive_over_declared_fields(app: Flask, client: FlaskClient) -> None:
    ada = add_user(app, email="ada@example.com", full_name="Ada Lovelace")
    add_user(app, email="grace@example.com", full_name="Grace Hopper")
    literal = add_user(app, email="percent@example.com", full_name="100% sure")

    by_name = client.get("/api/users?q=LOVELACE").json["items"]
    by_email = client.get("/api/users?q=ADA@").json["items"]
    by_percent = client.get("/api/users", query_string={"q": "0%"}).json["items"]
    wildcard = client.get("/api/users", query_string={"q": "%"}).json["items"]

    assert [u["id"] for u in by_name] == [ada["id"]]
    assert [u["id"] for u in by_email] == [ada["id"]]
    assert [u["id"] for u in by_percent] == [literal["id"]]
    assert [u["id"] for u in wildcard] == [literal["id"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("role=admin", "role"),
        ("password_hash=x", "password_hash"),
        ("is_active__gte=true", "is_active__gte"),
        ("ordering=password_hash", "ordering"),
        ("ordering=last_login", "ordering"),
        ("per_page=101", "per_page"),
        ("page=1&cursor=", "cursor"),
        ("cursor=not-a-cursor", "cursor"),
        ("created_at__gte=yesterday", "created_at__gte"),
    ],
)
def test_undeclared_or_invalid_parameters_are_422_naming_them(
    client: FlaskClient, query: str, field: str
) -> None:
    response = client.get(f"/api/users?{query}")

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]


def test_a_cursor_only_works_with_its_own_ordering(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    next_cursor = client.get("/api/users?per_page=1&cursor=").json["next"]

    response = client.get(f"/api/users?per_page=1&ordering=-email&cursor={next_cursor}")

    assert response.status_code == 422
    assert "cursor" in response.json["errors"]


@pytest.mark.parametrize("ordering", ["id", "-id", "email", "-created_at"])
def test_keyset_pages_return_every_row_exactly_once(
    app: Flask, client: FlaskClient, ordering: str
) -> None:
    for _ in range(40):
        add_user(app)
    everyone = client.get(f"/api/users?per_page=100&ordering={ordering}").json["items"]
    expected = [u["id"] for u in everyone]

    seen = _walk(client, f"per_page=7&ordering={ordering}")

    assert seen == expected
    assert len(set(seen)) == len(seen) == 41


def test_offset_pages_hand_over_to_the_cursor(app: Flask, client: FlaskClient) -> None:
    for _ in range(5):
        add_user(app)

    first = client.get("/api/users?per_page=2").json
    rest = client.get(f"/api/users?per_page=10&cursor={first['next']}").json

    everyone = [u["id"] for u in client.get("/api/users?per_page=100").json["items"]]
    assert [u["id"] for u in first["items"] + rest["items"]] == everyone
    assert rest["next"] is None


@pytest.mark.parametrize("paging", ["", "&cursor="])
def test_a_list_runs_the_same_queries_whatever_the_page_size(
    app: Flask, client: FlaskClient, paging: str
) -> None:
    for _ in range(12):
        add_user(app)

    with recorded_sql(app) as small:
        assert client.get(f"/api/users?per_page=1{paging}").status_code == 200
    with recorded_sql(app) as large:
        assert client.get(f"/api/users?per_page=50{paging}").status_code == 200

    # The signed-in user, then COUNT and SELECT (offset) or one SELECT (keyset).
    assert len(small) == len(large) == (3 if not paging else 2)


def test_a_deep_keyset_page_uses_an_index_and_no_offset(app: Flask, client: FlaskClient) -> None:
    for _ in range(30):
        add_user(app)
    cursor = client.get("/api/users?per_page=25&ordering=-created_at&cursor=").json["next"]

    with recorded_sql(app) as statements:
        page = client.get(f"/api/users?per_page=25&ordering=-created_at&cursor={cursor}")

    assert page.status_code == 200
    assert len(page.json["items"]) == 6
    listing, parameters = statements[-1]
    assert "ORDER BY users.created_at DESC" in listing
    # SQLite always writes "OFFSET ?" after a LIMIT; it must be 0 there.
    assert "OFFSET" not in listing or list(parameters)[-1] == 0
    with app.app_context():
        plan = _plan(get_db(), listing, parameters)
    assert "index" in plan.lower(), plan


def _plan(session: Any, statement: str, parameters: Any) -> str:
    """The query plan, with sequential scans discouraged so that an index that
    can serve the query shows up even on a tiny table."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
    else:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return "\n".join(" ".join(str(col) for col in row) for row in rows)


@pytest.mark.parametrize(
    "query",
    ["per_page=5&cursor=", "per_page=5&page=1", "per_page=5&ordering=-email&cursor=", "q=a"],
)
def test_a_page_reads_only_the_columns_its_response_shows(
    app: Flask, client: FlaskClient, query: str
) -> None:
    """A list selects the read schema's columns (and its cursor's): never a user's
    password hash, which no response shows."""
    for _ in range(6):
        add_user(app)

    with recorded_sql(app) as statements:
        response = client.get(f"/api/users?{query}")

    assert response.status_code == 200
    page = statements[-1][0]
    assert "FROM users" in page
    assert "users.email" in page
    assert "password_hash" not in page
