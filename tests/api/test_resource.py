"""The generic resource's own guarantees, beyond what the users API shows."""

from __future__ import annotations

import secrets

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.api.blueprint import Blueprint
from app.api.permissions import staff
from app.api.resource import ModelResource
from app.extensions import get_api
from app.models.user import User
from app.repositories.user import UserRepository
from app.schemas.user import UserCreateSchema, UserReadSchema, UserUpdateSchema
from tests.factories import add_user, bearer, sign_in
from tests.support.databases import app_config, dispose_engines

probe = Blueprint("probe", __name__, url_prefix="/api/probe")


class ProbeResource(ModelResource[User, UserRepository]):
    """Declares only that listing is public; the other actions are left out."""

    repository = UserRepository
    read_schema = UserReadSchema
    create_schema = UserCreateSchema
    update_schema = UserUpdateSchema
    permissions = {"list": None}


ProbeResource.register(probe)

read_only = Blueprint("read_only_users", __name__, url_prefix="/api/read-only-users")


class ReadOnlyUsers(ModelResource[User, UserRepository]):
    """A resource with two actions: list and retrieve, for staff."""

    repository = UserRepository
    read_schema = UserReadSchema
    create_schema = UserCreateSchema
    update_schema = UserUpdateSchema
    actions = ("list", "retrieve")
    permissions = {"list": (staff,), "retrieve": (staff,)}


ReadOnlyUsers.register(read_only)


def test_actions_left_out_of_permissions_keep_the_defaults(app: Flask, client: FlaskClient) -> None:
    get_api(app).register_blueprint(probe)

    assert client.get("/api/probe").status_code == 200
    assert client.get("/api/probe/1").status_code == 401
    assert client.post("/api/probe", json={}).status_code == 401
    assert client.patch("/api/probe/1", json={"is_superuser": True}).status_code == 401
    assert client.delete("/api/probe/1").status_code == 401


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ({"ordering_fields": ("id", "last_login")}, "nullable"),
        ({"filter_fields": ("nope",)}, "not a column"),
        ({"default_ordering": "email"}, "default_ordering"),
        ({"permissions": {"publish": None}}, "unknown actions"),
        ({"filter_fields": ("email__lte",)}, "not a column"),
        ({"actions": ("list", "retreive")}, r"actions: unknown actions \['retreive'\]"),
        ({"decorators": {"crate": ()}}, r"decorators: unknown actions \['crate'\]"),
        ({"responses": {"updat": {409: "x"}}}, r"responses: unknown actions \['updat'\]"),
        ({"docs": {"lst": "x"}}, r"docs: unknown actions \['lst'\]"),
        (
            {"actions": ("list",), "permissions": {"delete": None}},
            r"permissions: unknown actions \['delete'\] \(its actions: list\)",
        ),
    ],
)
def test_a_wrong_declaration_fails_at_import_time(
    declaration: dict[str, object], message: str
) -> None:
    def declare_and_register() -> None:
        resource = type("Broken", (ProbeResource,), declaration)
        resource.register(Blueprint("broken", __name__))

    with pytest.raises(TypeError, match=message):
        declare_and_register()


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for response in (client.get("/health"), client.get("/nowhere")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers


def test_hsts_in_production_only(database_url: str) -> None:
    production = create_app(
        app_config(database_url, APP_ENV="production", SECRET_KEY=secrets.token_urlsafe(48))
    )
    try:
        response = production.test_client().get("/health")
    finally:
        dispose_engines(production)

    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_content_has_no_content_type(app: Flask, admin_client: FlaskClient) -> None:
    created = admin_client.post(
        "/api/users", json={"email": "gone@example.com", "password": "a fine passphrase"}
    ).json

    response = admin_client.delete(f"/api/users/{created['id']}")

    assert response.status_code == 204
    assert "Content-Type" not in response.headers


def test_a_read_only_resource_has_only_its_routes(app: Flask) -> None:
    get_api(app).register_blueprint(read_only)
    admin_client = app.test_client()
    staff_user = add_user(app, is_staff=True)
    admin_client.environ_base["HTTP_AUTHORIZATION"] = bearer(
        sign_in(admin_client, staff_user["email"])
    )["Authorization"]
    me = admin_client.get("/api/auth/me").json

    assert admin_client.get("/api/read-only-users").status_code == 200
    assert admin_client.get(f"/api/read-only-users/{me['id']}").json == me
    for method in ("post", "patch", "delete", "put"):
        url = "/api/read-only-users" + ("" if method == "post" else f"/{me['id']}")
        response = getattr(admin_client, method)(url, json={"full_name": "x"})
        assert response.status_code == 405, method
        assert response.mimetype == "application/problem+json"
    paths = admin_client.get("/openapi.json").json["paths"]
    assert set(paths["/api/read-only-users"]) == {"get"}
    assert set(paths["/api/read-only-users/{id}"]) - {"parameters"} == {"get"}
