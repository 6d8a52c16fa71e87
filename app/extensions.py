"""Extension objects, created unbound and attached to an app by ``init_extensions``."""

from __future__ import annotations

import http
import ipaddress
from pathlib import Path
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from app.db import db
from app.db.sqlite import enable_sqlite_transactions
from app.schemas.problem import PROBLEM_MIMETYPE, ProblemSchema
from app.services.settings import AuthSettings

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


class ProblemApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, documenting errors as RFC 9457 problem details."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        """The shared error responses (one per status, and the default one that
        every operation references), as ``application/problem+json``."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Any other error.", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


migrate = Migrate(render_as_batch=True, compare_type=True, compare_server_default=True)


def client_address() -> str:
    """Who the rate limits count by default: the client's address (after
    ``TRUSTED_PROXIES``), an IPv6 address by its /64, the block one subscriber
    gets, so that rotating addresses inside it does not reset the count."""
    address = get_remote_address()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# Limits are declared per endpoint (app/api/ratelimits.py); storage and headers come
# from RATELIMIT_* config.
limiter = Limiter(key_func=client_address)


def init_extensions(app: Flask) -> None:
    """Bind every extension to ``app``; nothing here opens a database connection."""
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                enable_sqlite_transactions(engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    # flask-smorest's Api holds one app's OpenAPI document, so each app gets its own.
    ProblemApi(app)
    limiter.init_app(app)
    # Every limit of this API is declared on its route, and Flask-Limiter checks
    # those when the route is called. Its middleware check, which looks for
    # application-wide limits before every request, would find none: skip it.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    # Password hashing, token signing and the sign-up policy, for the services.
    app.extensions["auth"] = AuthSettings.from_config(app.config)


def get_api(app: Flask) -> Api:
    """The flask-smorest ``Api`` that ``init_extensions`` attached to ``app``."""
    api: Api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api
