"""Inputs and races found in review that once caused a 500 or a lost write."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.db.session import get_db
from app.models.user import User
from app.repositories.refresh_token import RefreshTokenRepository
from tests.factories import add_user, sign_in


def _problem(response: object, status: int) -> None:
    assert response.status_code == status, response.get_data()[:300]  # type: ignore[attr-defined]
    assert response.mimetype == "application/problem+json"  # type: ignore[attr-defined]


def test_json_nested_too_deeply_is_400(client: FlaskClient) -> None:
    body = "[" * 100_000 + "]" * 100_000

    response = client.post("/api/auth/token", data=body, content_type="application/json")

    _problem(response, 400)
    assert response.json["detail"] == "The JSON body is nested too deeply."


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/users", "password"),
        ("/api/users", "email"),
        ("/api/users", "full_name"),
        ("/api/auth/token", "email"),
        ("/api/auth/refresh", "refresh_token"),
    ],
)
def test_lone_surrogates_are_422(client: FlaskClient, path: str, field: str) -> None:
    """JSON may carry an unpaired surrogate, which no database can store."""
    body = (
        {"refresh_token": "x"}
        if path == "/api/auth/refresh"
        else {
            "email": "s@example.com",
            "password": "a fine passphrase",
        }
    )
    body[field] = "ab\ud800cdefghij"

    response = client.post(path, data=json.dumps(body), content_type="application/json")

    _problem(response, 422)
    assert field in response.json["errors"]


@pytest.mark.parametrize("last_id", [2**63, True, 0, -5, "7"])
def test_forged_cursors_are_422(admin_client: FlaskClient, last_id: object) -> None:
    raw = json.dumps(["id", 1, last_id]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")

    response = admin_client.get(f"/api/users?cursor={cursor}")

    _problem(response, 422)
    assert "cursor" in response.json["errors"]


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"])
def test_timestamps_without_a_utc_equivalent_are_422(
    admin_client: FlaskClient, moment: str
) -> None:
    response = admin_client.get("/api/users", query_string={"created_at__gte": moment})

    _problem(response, 422)
    assert "created_at__gte" in response.json["errors"]


def test_refusing_an_inactive_users_refresh_keeps_the_revocation(
    app: Flask, client: FlaskClient
) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    def set_active(active: bool) -> None:
        with app.app_context():
            session = get_db()
            stored = session.get(User, user["id"])
            assert stored is not None
            stored.is_active = active
            session.commit()

    set_active(False)
    refused = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    set_active(True)
    again = client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})

    assert refused.status_code == 401
    assert again.status_code == 401


def test_sql_parameters_never_reach_error_messages(app: Flask) -> None:
    """Password hashes and tokens are SQL parameters: errors and logs must not show them."""
    add_user(app, email="dup@example.com")
    with app.app_context():
        assert db.engine.hide_parameters
        session = get_db()
        session.add(User(email="dup@example.com", password_hash="$argon2id$secret-hash"))
        with pytest.raises(IntegrityError) as excinfo:
            session.flush()
        session.rollback()

    assert "secret-hash" not in str(excinfo.value)
    assert "hidden" in str(excinfo.value)


def test_search_folds_case_beyond_ascii(app: Flask, admin_client: FlaskClient) -> None:
    wanted = add_user(app, email="zola@example.com", full_name="ÉMILE Zola")

    for query in ("émile", "ÉMILE", "Émile"):
        found = admin_client.get("/api/users", query_string={"q": query}).json["items"]
        assert [u["id"] for u in found] == [wanted["id"]], query


@pytest.mark.real_transactions
def test_a_logout_during_a_refresh_leaves_no_working_token(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh holds its token's row while the logout comes in: whichever way
    the race goes, no refresh token of that sign-in may work afterwards."""
    client = app.test_client()
    user = add_user(app)
    tokens = sign_in(client, user["email"])
    locked = threading.Event()
    original = RefreshTokenRepository.get_by_hash

    def slow_when_locking(self: Any, token_hash: str, *, for_update: bool = False) -> Any:
        row = original(self, token_hash, for_update=for_update)
        if for_update and not locked.is_set():
            locked.set()
            time.sleep(0.5)  # hold the row lock while the logout arrives
        return row

    monkeypatch.setattr(RefreshTokenRepository, "get_by_hash", slow_when_locking)
    results: dict[str, Any] = {}
    refresher = threading.Thread(
        target=lambda: results.update(
            refresh=app.test_client().post(
                "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
            )
        )
    )
    refresher.start()
    assert locked.wait(5)
    logout = client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    refresher.join(15)

    assert logout.status_code == 204
    refreshed = results["refresh"]
    # PostgreSQL: the refresh wins the lock, then the logout revokes what it issued.
    # SQLite: one writer at a time, so the refresh may be refused as busy (503).
    assert refreshed.status_code in (200, 503), refreshed.json
    if refreshed.status_code == 200:
        again = client.post(
            "/api/auth/refresh", json={"refresh_token": refreshed.json["refresh_token"]}
        )
        assert again.status_code == 401
