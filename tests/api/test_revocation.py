"""An access token works only while its sign-in is live: every way a sign-in ends
makes the access token of that sign-in a 401 on the very next request."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from tests.factories import PASSWORD, add_user, bearer, sign_in


def _me(client: FlaskClient, tokens: dict[str, Any]) -> int:
    return client.get("/api/auth/me", headers=bearer(tokens)).status_code


def test_logout_ends_the_access_token(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    tokens, other = sign_in(client, user["email"]), sign_in(client, user["email"])
    assert _me(client, tokens) == 200

    client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]})

    assert _me(client, tokens) == 401
    assert _me(client, other) == 200  # another sign-in of the same user


def test_a_password_change_ends_the_other_sign_ins(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    kept, other = sign_in(client, user["email"]), sign_in(client, user["email"])

    changed = client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a new passphrase"},
        headers=bearer(kept),
    )

    assert changed.status_code == 204
    assert _me(client, other) == 401
    assert _me(client, kept) == 200


def test_refresh_token_reuse_ends_the_whole_sign_in(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    first = sign_in(client, user["email"])
    second = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}).json

    reused = client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})

    assert reused.status_code == 401
    assert _me(client, first) == 401
    assert _me(client, second) == 401


def test_deactivation_ends_every_sign_in(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    admin_client.patch(f"/api/users/{user['id']}", json={"is_active": False})

    assert _me(client, tokens) == 401


def test_deletion_ends_every_sign_in(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    assert admin_client.delete(f"/api/users/{user['id']}").status_code == 204

    assert _me(client, tokens) == 401


def test_a_deleted_users_token_never_becomes_the_next_users(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    """On SQLite an id used to be handed to the next insert; ids are never reused now."""
    gone = add_user(app)
    tokens = sign_in(client, gone["email"])
    admin_client.delete(f"/api/users/{gone['id']}")

    newcomer = client.post(
        "/api/users", json={"email": "newcomer@example.com", "password": "a fine passphrase"}
    ).json

    assert newcomer["id"] != gone["id"]
    assert _me(client, tokens) == 401


def _forged(app: Flask, **claims: Any) -> dict[str, str]:
    key = app.extensions["auth"].access_tokens
    payload = {"typ": "access", "exp": int(time.time()) + 600, **claims}
    payload.setdefault("iss", key.issuer)
    payload.setdefault("aud", key.audience)
    return {"Authorization": f"Bearer {jwt.encode(payload, key.signing_key, algorithm='HS256')}"}


def test_a_token_issued_before_its_user_existed_is_401(app: Flask, client: FlaskClient) -> None:
    """Defence in depth against a reused id: the token's ``iat`` is older than the user."""
    user = add_user(app)
    real = jwt.decode(
        sign_in(client, user["email"])["access_token"], options={"verify_signature": False}
    )

    before = _forged(app, sub=real["sub"], sid=real["sid"], iat=real["iat"] - 3600)
    same = _forged(app, sub=real["sub"], sid=real["sid"], iat=real["iat"])

    assert client.get("/api/auth/me", headers=before).status_code == 401
    assert client.get("/api/auth/me", headers=same).status_code == 200


def test_signing_in_in_the_second_of_the_sign_up_works(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``iat`` is whole seconds and ``created_at`` is not: 12:00:00.999 signs up, and the
    token issued at 12:00:00.999 says iat=12:00:00, which must still be accepted."""
    moment = datetime(2030, 1, 1, 12, 0, 0, 999_000, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: moment)
    user = add_user(app)

    tokens = sign_in(client, user["email"])

    assert _me(client, tokens) == 200
