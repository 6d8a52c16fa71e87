"""Rate limits that hold: per address (IPv6 by /64), failed sign-ins per account
without letting one address lock an owner out, refreshes, sign-outs and email
changes, and staff who create users are not held to the sign-up limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from tests.factories import PASSWORD, add_user, bearer, sign_in
from tests.support.databases import app_config, dispose_engines

WRONG = "not the password"


@pytest.fixture
def proxied(app: Flask, database_url: str) -> Iterator[Flask]:
    """An app behind one trusted proxy, so each request can come from an address
    of the test's choosing (X-Forwarded-For), with the limits set per test. It
    commits for real: its tests are marked ``real_transactions``, so the ``app``
    fixture empties the tables afterwards."""
    proxied = create_app(app_config(database_url, TRUSTED_PROXIES=1, AUTH_RATE_LIMIT="1000/minute"))
    try:
        yield proxied
    finally:
        dispose_engines(proxied)


def _sign_in(client: FlaskClient, email: str, password: str, address: str) -> int:
    body = {"email": email, "password": password}
    return client.post(
        "/api/auth/token", json=body, headers={"X-Forwarded-For": address}
    ).status_code


@pytest.mark.real_transactions
def test_failed_sign_ins_are_limited_per_account_and_address(proxied: Flask) -> None:
    proxied.config["SIGNIN_FAILURE_LIMIT"] = "3 per minute"
    owner = add_user(proxied)
    other = add_user(proxied)
    client = proxied.test_client()

    attacker = [_sign_in(client, owner["email"], WRONG, "198.51.100.7") for _ in range(4)]

    assert attacker == [401, 401, 401, 429]
    # The same address may still try another account...
    assert _sign_in(client, other["email"], WRONG, "198.51.100.7") == 401
    # ...and the owner, elsewhere, signs in: the attacker locked out only itself.
    assert _sign_in(client, owner["email"], PASSWORD, "203.0.113.20") == 200
    # Successes do not count: the owner signs in again and again.
    assert {_sign_in(client, owner["email"], PASSWORD, "203.0.113.20") for _ in range(4)} == {200}


@pytest.mark.real_transactions
def test_the_account_limit_needs_more_than_one_address(proxied: Flask) -> None:
    """Held to 2 failures per address, one address cannot reach the account's 4."""
    proxied.config["SIGNIN_FAILURE_LIMIT"] = "2 per minute"
    proxied.config["SIGNIN_ACCOUNT_FAILURE_LIMIT"] = "4 per minute"
    owner = add_user(proxied)
    client = proxied.test_client()

    one = [_sign_in(client, owner["email"], WRONG, "198.51.100.1") for _ in range(5)]
    assert one == [401, 401, 429, 429, 429]
    assert _sign_in(client, owner["email"], PASSWORD, "203.0.113.20") == 200

    two = [_sign_in(client, owner["email"], WRONG, "198.51.100.2") for _ in range(2)]
    assert two == [401, 401]
    # Four failures from two addresses: the account now waits, wherever it signs in from.
    assert _sign_in(client, owner["email"], PASSWORD, "203.0.113.20") == 429


@pytest.mark.real_transactions
def test_ipv6_clients_are_counted_by_their_64_block(proxied: Flask) -> None:
    proxied.config["AUTH_RATE_LIMIT"] = "2 per minute"
    client = proxied.test_client()

    def attempt(address: str) -> int:
        return _sign_in(client, "nobody@example.com", WRONG, address)

    same_block = [attempt("2001:db8::1"), attempt("2001:db8::2"), attempt("2001:db8::ffff:3")]
    other_block = attempt("2001:db8:0:1::1")

    assert same_block == [401, 401, 429]
    assert other_block == 401


@pytest.mark.parametrize("path", ["/api/auth/refresh", "/api/auth/logout"])
def test_refresh_and_logout_are_limited(app: Flask, client: FlaskClient, path: str) -> None:
    app.config["TOKEN_RATE_LIMIT"] = "2 per minute"
    body = {"refresh_token": "not-a-token"}

    statuses = [client.post(path, json=body).status_code for _ in range(3)]

    assert statuses[2] == 429
    assert statuses[:2] in ([401, 401], [204, 204])


def test_email_changes_are_limited_per_user(app: Flask, client: FlaskClient) -> None:
    app.config["EMAIL_CHANGE_RATE_LIMIT"] = "2 per hour"
    user = add_user(app)
    headers = bearer(sign_in(client, user["email"]))

    def change(path: str, body: dict[str, Any]) -> int:
        return client.patch(path, json=body, headers=headers).status_code

    statuses = [
        change("/api/auth/me", {"email": "first@example.com"}),
        change(f"/api/users/{user['id']}", {"email": "second@example.com"}),
        change("/api/auth/me", {"email": "third@example.com"}),
        change(f"/api/users/{user['id']}", {"email": "fourth@example.com"}),
    ]
    names = {change("/api/auth/me", {"full_name": f"Name {n}"}) for n in range(4)}

    assert statuses == [200, 200, 429, 429]
    assert names == {200}  # only email changes count


def test_staff_creating_users_are_not_held_to_the_sign_up_limit(
    app: Flask, client: FlaskClient, admin_client: FlaskClient
) -> None:
    statuses = {
        admin_client.post(
            "/api/users", json={"email": f"import{n}@example.com", "password": PASSWORD}
        ).status_code
        for n in range(25)
    }
    member = add_user(app)
    member_headers = bearer(sign_in(client, member["email"]))
    app.config["SIGNUP_RATE_LIMIT"] = "1 per hour"
    anonymous = [
        client.post("/api/users", json={"email": f"s{n}@example.com", "password": PASSWORD})
        for n in range(2)
    ]
    as_member = client.post(
        "/api/users", json={"email": "m@example.com", "password": PASSWORD}, headers=member_headers
    )

    assert statuses == {201}
    assert [r.status_code for r in anonymous] == [201, 429]
    assert as_member.status_code == 429  # a signed-in member is no staff
