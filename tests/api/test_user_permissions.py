"""Who may do what on /api/users: every endpoint against every kind of caller."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, add_user, bearer, sign_in

ACTORS = ("anonymous", "self", "other", "staff", "superuser")


@pytest.fixture
def people(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """The target account and a signed-in client header for each kind of caller."""
    target = add_user(app)
    other = add_user(app)
    staff = add_user(app, is_staff=True)
    root = add_user(app, is_superuser=True)
    headers = {
        "anonymous": {},
        "self": bearer(sign_in(client, target["email"])),
        "other": bearer(sign_in(client, other["email"])),
        "staff": bearer(sign_in(client, staff["email"])),
        "superuser": bearer(sign_in(client, root["email"])),
    }
    return {"target": target, "root": root, "headers": headers}


def _expect(actor: str, expected: dict[str, int], status: int) -> None:
    assert status == expected[actor], f"{actor}: got {status}, expected {expected[actor]}"


@pytest.mark.parametrize("actor", ACTORS)
def test_list_is_staff_only(client: FlaskClient, people: dict[str, Any], actor: str) -> None:
    response = client.get("/api/users", headers=people["headers"][actor])
    _expect(
        actor,
        {"anonymous": 401, "self": 403, "other": 403, "staff": 200, "superuser": 200},
        response.status_code,
    )


@pytest.mark.parametrize("actor", ACTORS)
def test_read_is_self_or_staff(client: FlaskClient, people: dict[str, Any], actor: str) -> None:
    response = client.get(f"/api/users/{people['target']['id']}", headers=people["headers"][actor])
    _expect(
        actor,
        {"anonymous": 401, "self": 200, "other": 403, "staff": 200, "superuser": 200},
        response.status_code,
    )


@pytest.mark.parametrize("actor", ACTORS)
def test_update_profile_is_self_or_staff(
    client: FlaskClient, people: dict[str, Any], actor: str
) -> None:
    response = client.patch(
        f"/api/users/{people['target']['id']}",
        json={"full_name": "Changed"},
        headers=people["headers"][actor],
    )
    _expect(
        actor,
        {"anonymous": 401, "self": 200, "other": 403, "staff": 200, "superuser": 200},
        response.status_code,
    )


@pytest.mark.parametrize("field", ["is_active", "is_staff"])
@pytest.mark.parametrize("actor", ACTORS)
def test_staff_flags_are_changed_by_staff_only(
    client: FlaskClient, people: dict[str, Any], actor: str, field: str
) -> None:
    response = client.patch(
        f"/api/users/{people['target']['id']}",
        json={field: field == "is_staff"},
        headers=people["headers"][actor],
    )
    _expect(
        actor,
        {"anonymous": 401, "self": 403, "other": 403, "staff": 200, "superuser": 200},
        response.status_code,
    )
    if response.status_code == 403 and actor == "self":
        assert field in response.json["detail"]


@pytest.mark.parametrize("actor", ACTORS)
def test_superuser_flag_is_changed_by_superusers_only(
    client: FlaskClient, people: dict[str, Any], actor: str
) -> None:
    response = client.patch(
        f"/api/users/{people['target']['id']}",
        json={"is_superuser": True},
        headers=people["headers"][actor],
    )
    _expect(
        actor,
        {"anonymous": 401, "self": 403, "other": 403, "staff": 403, "superuser": 200},
        response.status_code,
    )


def test_staff_cannot_change_a_superuser(client: FlaskClient, people: dict[str, Any]) -> None:
    root = people["root"]["id"]
    staff = people["headers"]["staff"]

    assert (
        client.patch(f"/api/users/{root}", json={"full_name": "x"}, headers=staff).status_code
        == 403
    )
    assert client.delete(f"/api/users/{root}", headers=staff).status_code == 403


@pytest.mark.parametrize("actor", ACTORS)
def test_delete_is_staff_only(client: FlaskClient, people: dict[str, Any], actor: str) -> None:
    response = client.delete(
        f"/api/users/{people['target']['id']}", headers=people["headers"][actor]
    )
    _expect(
        actor,
        {"anonymous": 401, "self": 403, "other": 403, "staff": 204, "superuser": 204},
        response.status_code,
    )


def test_password_is_not_changed_through_the_users_endpoint(
    client: FlaskClient, people: dict[str, Any]
) -> None:
    response = client.patch(
        f"/api/users/{people['target']['id']}",
        json={"password": "a whole new passphrase"},
        headers=people["headers"]["staff"],
    )
    assert response.status_code == 422
    assert response.json["errors"] == {"password": ["Unknown field."]}


def test_public_sign_up_when_enabled(client: FlaskClient) -> None:
    response = client.post("/api/users", json={"email": "new@example.com", "password": PASSWORD})
    assert response.status_code == 201


@pytest.mark.parametrize(("actor", "status"), [("anonymous", 401), ("self", 403), ("staff", 201)])
def test_sign_up_disabled_leaves_creation_to_staff(
    app: Flask, client: FlaskClient, people: dict[str, Any], actor: str, status: int
) -> None:
    app.config["SIGNUP_ENABLED"] = False

    response = client.post(
        "/api/users",
        json={"email": "new@example.com", "password": PASSWORD},
        headers=people["headers"][actor],
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    ("method", "body"),
    [("patch", {"is_superuser": False}), ("patch", {"is_active": False}), ("delete", None)],
)
def test_the_last_superuser_cannot_demote_deactivate_or_delete_itself(
    app: Flask, client: FlaskClient, method: str, body: dict[str, Any] | None
) -> None:
    root = add_user(app, is_staff=True, is_superuser=True)
    headers = bearer(sign_in(client, root["email"]))
    others = client.get("/api/users?is_superuser=true&is_active=true", headers=headers).json
    for other in others["items"]:
        if other["id"] != root["id"]:  # a database shared with other tests' leftovers
            client.patch(f"/api/users/{other['id']}", json={"is_superuser": False}, headers=headers)

    response = getattr(client, method)(f"/api/users/{root['id']}", json=body, headers=headers)

    assert response.status_code == 409, response.json
    assert response.mimetype == "application/problem+json"
    assert "last active superuser" in response.json["detail"]
