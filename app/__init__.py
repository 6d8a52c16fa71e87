"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Request, Response, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from sqlalchemy.exc import DBAPIError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect

from app.api import SAFE_METHODS, register_blueprints
from app.api.current import SIGNED_IN
from app.api.json_provider import FastJSONProvider
from app.cli import register_commands
from app.config import load_config
from app.db import db
from app.errors import register_error_handlers
from app.extensions import init_extensions


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, which builds its signing serializer only
    when a request brings a session cookie. An API request never does (it sends a
    bearer token), and building the serializer cost about 3% of a detail GET."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


class App(Flask):
    """Flask, with two answers of its own made safer, reads that survive a database
    restart without a ping before every request, and orjson for responses."""

    json_provider_class = FastJSONProvider
    session_interface = CookieSessionInterface()

    def dispatch_request(self) -> Any:
        """Run the view; if a read finds its pooled connection dead (the database
        restarted, a proxy closed it), run it once more on a new one. The pool
        drops every connection it had when one is found dead."""
        try:
            return super().dispatch_request()
        except DBAPIError as exc:
            if not exc.connection_invalidated or request.method not in SAFE_METHODS:
                raise
            db.session.remove()
            g.pop(SIGNED_IN, None)  # loaded in the discarded session
            return super().dispatch_request()

    def make_default_options_response(self) -> Response:
        """``OPTIONS``: 204 with ``Allow``. No body, so no media type (Flask's
        default is an empty ``text/html`` 200)."""
        response = super().make_default_options_response()
        response.status_code = 204
        return response

    def raise_routing_exception(self, request: Request) -> NoReturn:
        """The router's redirect to a URL's canonical form (``/api//users`` to
        ``/api/users``) gets a relative ``Location``: werkzeug writes an absolute
        one from the ``Host`` header, which the client chooses."""
        redirect = request.routing_exception
        if isinstance(redirect, RequestRedirect):
            target = urlsplit(redirect.new_url)
            redirect.new_url = urlunsplit(("", "", target.path, target.query, ""))
        super().raise_routing_exception(request)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, CLI.

    ``config`` overrides settings read from the environment (see ``app.config``).
    No database connection is opened here; the first query opens one.
    """
    # No implicit /static route: an API serves only what its blueprints declare.
    app = App(__name__, static_folder=None)
    app.config.from_mapping(load_config(config, instance_path=Path(app.instance_path)))
    app.logger.setLevel(logging.getLevelNamesMapping()[app.config["LOG_LEVEL"]])
    if proxies := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    init_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app
