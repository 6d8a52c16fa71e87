"""Rate limits (Flask-Limiter), read from the config per app.

Storage comes from ``RATELIMIT_STORAGE_URI``: ``memory://`` (per process) by
default, Redis in docker-compose so that every gunicorn worker shares the counts.
"""

from __future__ import annotations

from flask import current_app


def auth_rate_limit() -> str:
    """Limit on sign-in attempts per client address."""
    return str(current_app.config["AUTH_RATE_LIMIT"])


def signup_rate_limit() -> str:
    """Limit on sign-ups per client address."""
    return str(current_app.config["SIGNUP_RATE_LIMIT"])
