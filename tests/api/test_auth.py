"""Sign-in, token rotation and revocation, the own-account endpoints."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import clock
from app.models.user import User
from app.security.passwords import Passwords
from tests.factories import PASSWORD, add_user, bearer, sign_in


class FrozenClock:
    """Stands in for ``app.clock.now``; ``advance`` moves time without sleeping."""

    def __init__(self) -> None:
        self.current = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock()
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


def _refresh(client: FlaskClient, refresh_token: str) -> tuple[int, dict[str, object]]:
    response = client.post("/api/auth/refresh", json={"refresh_token": refresh_token})
    return response.status_code, response.json


def test_sign_in_returns_a_token_pair_that_works(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)

    tokens = sign_in(client, user["email"].upper())

    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    me = client.get("/api/auth/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json["email"] == user["email"]


def test_access_token_is_signed_with_a_key_derived_from_secret_key(
    app: Flask, client: FlaskClient
) -> None:
    user = add_user(app)
    token = sign_in(client, user["email"])["access_token"]

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])
    forged = jwt.encode(
        {"sub": str(user["id"]), "sid": "x", "typ": "access", "exp": 4102444800},
        "some-other-key-that-is-32-bytes-long!!",
        algorithm="HS256",
    )
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    )


def test_unknown_email_and_wrong_password_get_the_same_answer(
    app: Flask, client: FlaskClient
) -> None:
    user = add_user(app)
    wrong_password = client.post(
        "/api/auth/token", json={"email": user["email"], "password": "not the password"}
    )
    unknown_email = client.post(
        "/api/auth/token", json={"email": "nobody@example.com", "password": "not the password"}
    )

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.get_data() == unknown_email.get_data()
    assert wrong_password.headers["WWW-Authenticate"].startswith("Bearer")
    assert unknown_email.headers["WWW-Authenticate"] == wrong_password.headers["WWW-Authenticate"]


def test_unknown_email_still_verifies_a_hash(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unknown-email path spends the same Argon2 work as a wrong password."""
    calls: list[str] = []
    passwords = app.extensions["auth"].passwords
    real = passwords.verify

    def spy(password_hash: str, password: str) -> bool:
        calls.append("verify")
        return bool(real(password_hash, password))

    monkeypatch.setattr(passwords, "verify", spy)

    response = client.post(
        "/api/auth/token", json={"email": "nobody@example.com", "password": "whatever123"}
    )

    assert response.status_code == 401
    assert calls == ["verify"]


def test_deactivated_user_cannot_sign_in_and_its_tokens_stop_working(
    app: Flask, client: FlaskClient
) -> None:
    user = add_user(app)
    staff = add_user(app, is_staff=True)
    tokens = sign_in(client, user["email"])
    staff_tokens = sign_in(client, staff["email"])

    deactivated = client.patch(
        f"/api/users/{user['id']}", json={"is_active": False}, headers=bearer(staff_tokens)
    )

    assert deactivated.status_code == 200
    assert client.get("/api/auth/me", headers=bearer(tokens)).status_code == 401
    assert _refresh(client, tokens["refresh_token"])[0] == 401
    again = client.post("/api/auth/token", json={"email": user["email"], "password": PASSWORD})
    assert again.status_code == 401


def test_missing_or_malformed_tokens_are_401_with_bearer_challenge(client: FlaskClient) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer not.a.jwt"},
    ):
        response = client.get("/api/auth/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_access_token_expires(app: Flask, client: FlaskClient, frozen_clock: FrozenClock) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    frozen_clock.advance(seconds=899)
    assert client.get("/api/auth/me", headers=bearer(tokens)).status_code == 200
    frozen_clock.advance(seconds=1)
    assert client.get("/api/auth/me", headers=bearer(tokens)).status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_family(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    first = sign_in(client, user["email"])

    status, second = _refresh(client, first["refresh_token"])
    assert status == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/auth/me", headers=bearer(second)).status_code == 200

    # The old token comes back (stolen, replayed): refused, and the family dies.
    status, body = _refresh(client, first["refresh_token"])
    assert status == 401
    assert body["detail"] == "The refresh token was already used; sign in again."
    assert _refresh(client, second["refresh_token"])[0] == 401


def test_reuse_revokes_only_that_family(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    laptop = sign_in(client, user["email"])
    phone = sign_in(client, user["email"])

    _refresh(client, laptop["refresh_token"])
    _refresh(client, laptop["refresh_token"])

    assert _refresh(client, phone["refresh_token"])[0] == 200


def test_refresh_token_expires(app: Flask, client: FlaskClient, frozen_clock: FrozenClock) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    frozen_clock.advance(days=14)

    assert _refresh(client, tokens["refresh_token"])[0] == 401


def test_unknown_refresh_token_is_401(client: FlaskClient) -> None:
    assert _refresh(client, "made-up")[0] == 401


def test_logout_revokes_the_refresh_token(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    response = client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]})

    assert response.status_code == 204
    assert _refresh(client, tokens["refresh_token"])[0] == 401


def test_me_updates_own_profile_but_not_roles(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    renamed = client.patch("/api/auth/me", json={"full_name": "New Name"}, headers=bearer(tokens))
    promoted = client.patch("/api/auth/me", json={"is_staff": True}, headers=bearer(tokens))

    assert renamed.status_code == 200
    assert renamed.json["full_name"] == "New Name"
    assert promoted.status_code == 422
    assert client.get("/api/auth/me", headers=bearer(tokens)).json["is_staff"] is False


def test_change_password_needs_the_current_one_and_revokes_other_sign_ins(
    app: Flask, client: FlaskClient
) -> None:
    user = add_user(app)
    here = sign_in(client, user["email"])
    elsewhere = sign_in(client, user["email"])

    wrong = client.post(
        "/api/auth/password",
        json={"current_password": "not it at all", "new_password": "a brand new passphrase"},
        headers=bearer(here),
    )
    assert wrong.status_code == 422
    assert set(wrong.json["errors"]) == {"current_password"}

    changed = client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        headers=bearer(here),
    )
    assert changed.status_code == 204
    assert _refresh(client, elsewhere["refresh_token"])[0] == 401
    assert _refresh(client, here["refresh_token"])[0] == 200
    old = client.post("/api/auth/token", json={"email": user["email"], "password": PASSWORD})
    assert old.status_code == 401
    sign_in(client, user["email"], "a brand new passphrase")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Must be at least 8 characters long."),
        ("1234567890123", "Must not be entirely numeric."),
        ("password123", "Is too common."),
        ("rules@example.com", "Must not be the same as the email address."),
        ("x" * 129, "Must be at most 128 characters long."),
    ],
)
def test_password_rules_say_which_rule_failed(
    client: FlaskClient, password: str, message: str
) -> None:
    response = client.post("/api/users", json={"email": "rules@example.com", "password": password})

    assert response.status_code == 422
    assert message in response.json["errors"]["password"]


def test_new_password_obeys_the_rules(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    response = client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "12345678"},
        headers=bearer(tokens),
    )

    assert response.status_code == 422
    assert "Must not be entirely numeric." in response.json["errors"]["new_password"]


def test_sign_in_rehashes_when_hash_parameters_change(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    app.extensions["auth"] = dataclasses.replace(
        app.extensions["auth"], passwords=Passwords(time_cost=2, memory_cost=16, parallelism=1)
    )

    sign_in(client, user["email"])

    with app.app_context():
        from app.db.session import get_db

        stored = get_db().get(User, user["id"])
        assert stored is not None
        assert stored.password_hash is not None
        assert "m=16,t=2,p=1" in stored.password_hash
        assert stored.last_login is not None


def test_sign_in_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"
    attempt = {"email": "nobody@example.com", "password": "whatever123"}

    statuses = [client.post("/api/auth/token", json=attempt).status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]
    limited = client.post("/api/auth/token", json=attempt)
    assert limited.mimetype == "application/problem+json"
    assert limited.json["detail"] == (
        "Too many requests: the limit is 3 per 1 minute. See Retry-After."
    )
    assert int(limited.headers["Retry-After"]) > 0


def test_sign_up_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    app.config["SIGNUP_RATE_LIMIT"] = "2 per hour"
    bodies = [{"email": f"s{i}@example.com", "password": PASSWORD} for i in range(3)]

    statuses = [client.post("/api/users", json=body).status_code for body in bodies]

    assert statuses == [201, 201, 429]


def test_secrets_never_reach_the_logs(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    user = add_user(app)

    with caplog.at_level(logging.DEBUG):
        tokens = sign_in(client, user["email"])
        status, rotated = _refresh(client, tokens["refresh_token"])
        client.get("/api/auth/me", headers=bearer(rotated))

    assert status == 200
    for secret in (
        PASSWORD,
        tokens["access_token"],
        tokens["refresh_token"],
        rotated["refresh_token"],
        "argon2",
    ):
        assert secret not in caplog.text


def test_me_never_shows_password_hash_or_tokens(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    tokens = sign_in(client, user["email"])

    text = client.get("/api/auth/me", headers=bearer(tokens)).get_data(as_text=True)

    assert "argon2" not in text
    assert "password" not in text
    assert tokens["refresh_token"] not in text


def test_security_headers_and_no_cors_by_default(client: FlaskClient) -> None:
    response = client.get("/health", headers={"Origin": "https://evil.example"})

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_allows_configured_origins_only(database_url: str) -> None:
    from app import create_app
    from tests.support.databases import app_config, dispose_engines

    app = create_app(app_config(database_url, CORS_ORIGINS="https://app.example"))
    try:
        client = app.test_client()
        allowed = client.get("/health", headers={"Origin": "https://app.example"})
        other = client.get("/health", headers={"Origin": "https://evil.example"})
    finally:
        dispose_engines(app)

    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_rate_limit_counts_are_shared_through_redis(
    database_url: str, redis_limits: dict[str, str]
) -> None:
    """Two apps stand for two gunicorn workers: with Redis they share one count."""
    from app import create_app
    from tests.support.databases import app_config, dispose_engines

    config = app_config(
        database_url,
        **redis_limits,
        AUTH_RATE_LIMIT="2 per minute",
    )
    attempt = {"email": "nobody@example.com", "password": "whatever123"}
    statuses = []
    for _ in range(3):
        worker = create_app(config)
        try:
            statuses.append(worker.test_client().post("/api/auth/token", json=attempt).status_code)
        finally:
            dispose_engines(worker)

    assert statuses == [401, 401, 429]


def test_every_access_token_is_unique(app: Flask, client: FlaskClient) -> None:
    user = add_user(app)
    first = sign_in(client, user["email"])

    status, second = _refresh(client, first["refresh_token"])

    assert status == 200
    assert second["access_token"] != first["access_token"]


def test_rate_limits_key_on_the_forwarded_client_behind_a_trusted_proxy(database_url: str) -> None:
    from app import create_app
    from tests.support.databases import app_config, dispose_engines

    app = create_app(app_config(database_url, TRUSTED_PROXIES=1, AUTH_RATE_LIMIT="1 per minute"))
    attempt = {"email": "nobody@example.com", "password": "whatever123"}
    try:
        client = app.test_client()

        def status(client_address: str) -> int:
            headers = {"X-Forwarded-For": client_address}
            return client.post("/api/auth/token", json=attempt, headers=headers).status_code

        statuses = [status("203.0.113.1"), status("203.0.113.1"), status("203.0.113.2")]
    finally:
        dispose_engines(app)

    assert statuses == [401, 429, 401]


def test_change_password_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    app.config["AUTH_RATE_LIMIT"] = "2 per minute"
    user = add_user(app)
    headers = bearer(sign_in(client, user["email"]))
    guess = {"current_password": "a guess at it", "new_password": "a brand new passphrase"}

    statuses = [
        client.post("/api/auth/password", json=guess, headers=headers).status_code for _ in range(3)
    ]

    assert statuses == [422, 422, 429]
