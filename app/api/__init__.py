"""HTTP layer: one blueprint per resource, registered on the flask-smorest Api."""

from __future__ import annotations

from flask import Flask, request

from app.api import auth, docs, health, users
from app.api.blueprint import BEARER_AUTH
from app.api.converters import IdConverter, id_parameter_schema
from app.api.headers import init_security_headers
from app.db.session import get_db, read_only
from app.extensions import get_api

# Every blueprint module, in the order of the OpenAPI document.
# `flask scaffold` adds new resources to this line and to the import above.
RESOURCES = (health, auth, users)


def register_blueprints(app: Flask) -> None:
    """Register the URL converters, every blueprint (in the OpenAPI document too),
    and the headers every response carries."""
    api = get_api(app)
    app.url_map.converters["id"] = IdConverter
    api.register_converter(IdConverter, id_parameter_schema)
    api.spec.components.security_scheme(
        BEARER_AUTH, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for module in RESOURCES:
        api.register_blueprint(module.blp)
    # The documentation's assets and the root redirect: not API operations.
    if app.config["DOCS_ENABLED"]:
        app.register_blueprint(docs.blp)
    init_security_headers(app)
    app.before_request(read_only_when_safe)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def read_only_when_safe() -> None:
    """GET, HEAD and OPTIONS change nothing: their reads need no transaction."""
    if request.method in SAFE_METHODS:
        read_only(get_db())
