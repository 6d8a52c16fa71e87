"""Rate limits (Flask-Limiter): the limits, read from the config per app, and who
they count.

Storage comes from ``RATELIMIT_STORAGE_URI``: ``memory://`` counts per process
(fine for one worker; gunicorn.conf.py refuses to start production with more), a
Redis URL shares the counts between workers and machines.

Who is counted:

- a client address (``app.extensions.client_address``, the default): IPv4 as is,
  IPv6 by its /64, the block one subscriber gets;
- a sign-in's account and address (``account_and_address``): failed sign-ins for one
  account from one address;
- an account alone (``account``): failed sign-ins for it from everywhere, with a limit
  high enough that one address, held to the limit above, cannot reach it: an
  attacker cannot lock the owner out from one address;
- a signed-in user (``signed_in_user``): email changes.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException

from app.api.current import current_user, optional_user
from app.api.parsing import read_json_body
from app.extensions import client_address
from app.models.user import normalize_email
from app.services.accounts import is_staff


def _limit(name: str) -> str:
    return str(current_app.config[name])


def auth_rate_limit() -> str:
    """Sign-in attempts and password changes per client address."""
    return _limit("AUTH_RATE_LIMIT")


def signup_rate_limit() -> str:
    """Sign-ups per client address."""
    return _limit("SIGNUP_RATE_LIMIT")


def sign_in_failure_limit() -> str:
    """Failed sign-ins per account and client address."""
    return _limit("SIGNIN_FAILURE_LIMIT")


def account_failure_limit() -> str:
    """Failed sign-ins per account, from every address."""
    return _limit("SIGNIN_ACCOUNT_FAILURE_LIMIT")


def token_rate_limit() -> str:
    """Refreshes and sign-outs per client address."""
    return _limit("TOKEN_RATE_LIMIT")


def email_change_limit() -> str:
    """Email changes per signed-in user."""
    return _limit("EMAIL_CHANGE_RATE_LIMIT")


# -- who is counted --------------------------------------------------------------------


def account() -> str:
    """The account a sign-in names: its email as stored (``normalize_email``)."""
    body = _body()
    email = body.get("email") if isinstance(body, dict) else None
    return normalize_email(email) if isinstance(email, str) else ""


def account_and_address() -> str:
    """A sign-in's account, from this client address."""
    return f"{account()}|{client_address()}"


def signed_in_user() -> str:
    return str(current_user().id)


# -- when it counts ---------------------------------------------------------------------


def failed(response: Response) -> bool:
    """Only a refused sign-in counts against the account limits."""
    return response.status_code == 401


def staff_caller() -> bool:
    """Staff creating users are not held to the sign-up limit."""
    actor = optional_user()
    return actor is not None and is_staff(actor)


def not_an_email_change() -> bool:
    """The email-change limit applies to requests that change an email, made by
    anyone but staff."""
    body = _body()
    if not (isinstance(body, dict) and "email" in body):
        return True
    return staff_caller()


def _body() -> Any:
    """The JSON body, or ``None`` when it cannot be read (the view will say why)."""
    try:
        return read_json_body(request)
    except HTTPException:
        return None
