"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.api import register_blueprints
from app.cli import register_commands
from app.config import load_config
from app.errors import register_error_handlers
from app.extensions import init_extensions


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, CLI.

    ``config`` overrides settings read from the environment (see ``app.config``).
    No database connection is opened here; the first query opens one.
    """
    # No implicit /static route: an API serves only what its blueprints declare.
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(load_config(config))
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
