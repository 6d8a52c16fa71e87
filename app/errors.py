"""One error format for the whole API: RFC 9457 problem details.

Every error, whether raised by Flask, by argument parsing, by a repository or by an
unexpected bug, leaves as ``application/problem+json`` with ``type``, ``title``,
``status`` and ``detail``; validation errors add a per-field ``errors`` object.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.exceptions import (
    AuthenticationError,
    ConflictError,
    InvalidFieldsError,
    NotFoundError,
    PermissionDeniedError,
)
from app.schemas.problem import PROBLEM_MIMETYPE

log = logging.getLogger(__name__)


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: Mapping[str, Any] | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = dict(errors)
    response = current_app.response_class(
        current_app.json.dumps(body, separators=(",", ":")),
        status=status,
        mimetype=PROBLEM_MIMETYPE,
    )
    for name, value in headers:
        response.headers[name] = value
    return response


def handle_http_exception(error: HTTPException) -> Response:
    """Flask's and werkzeug's HTTP errors, and webargs' parsing errors."""
    status = error.code or 500
    data: dict[str, Any] = getattr(error, "data", None) or {}
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    headers.extend(dict(data.get("headers") or {}).items())
    messages = data.get("messages") or {}
    if status == 422:
        return problem(
            422,
            "The request has invalid fields; see errors.",
            errors=_merge_locations(messages),
            headers=headers,
        )
    detail = data.get("message") or _first_message(messages) or error.description
    if status == 429:
        # Flask-Limiter's description is the limit itself, such as "10 per 1 minute".
        detail = f"Too many requests: the limit is {error.description}. See Retry-After."
    return problem(status, detail, headers=headers)


def handle_not_found(error: NotFoundError) -> Response:
    return problem(404, str(error))


def handle_conflict(error: ConflictError) -> Response:
    errors = {error.field: [str(error)]} if error.field else None
    return problem(409, str(error), errors=errors)


def handle_authentication(error: AuthenticationError) -> Response:
    return problem(401, str(error), headers=[("WWW-Authenticate", 'Bearer realm="api"')])


def handle_permission_denied(error: PermissionDeniedError) -> Response:
    return problem(403, str(error))


def handle_invalid_fields(error: InvalidFieldsError) -> Response:
    return problem(422, str(error), errors=error.errors)


def handle_data_error(error: DataError) -> Response:
    """A value the database cannot store (out of range, malformed) that the schemas
    let through: the client's input, so a 422; logged, since a schema should
    have caught it."""
    log.warning("Database refused a value: %s", error.orig.__class__.__name__)
    return problem(422, "A value is out of range or malformed for where it is stored.")


def handle_database_error(error: DBAPIError) -> Response:
    """503 when the database is down, unreachable or busy: a condition to retry.

    Other operational errors (SQLite reports a missing table as one) are bugs or
    deployment mistakes, answered like any unexpected error.
    """
    if not is_unavailable(error):
        log.error("Database error", exc_info=error)
        return problem(500, InternalServerError.description)
    log.warning("Database unavailable: %s", error.__class__.__name__, exc_info=error)
    return problem(503, "The database is unavailable. Try again shortly.")


# SQLite result codes that mean "cannot reach or use the database right now".
SQLITE_UNAVAILABLE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR")


def handle_pool_timeout(error: PoolTimeoutError) -> Response:
    """Every pooled connection is busy: the server is overloaded for now."""
    log.warning("Database pool exhausted: %s", error)
    return problem(503, "The database is unavailable. Try again shortly.")


def is_unavailable(error: DBAPIError) -> bool:
    """Whether ``error`` says the database cannot be reached, rather than a bug."""
    code = getattr(error.orig, "sqlite_errorname", None)
    if code is not None:
        return str(code).startswith(SQLITE_UNAVAILABLE)
    return True


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; call after flask-smorest so these replace its own."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(NotFoundError, handle_not_found)
    app.register_error_handler(ConflictError, handle_conflict)
    app.register_error_handler(AuthenticationError, handle_authentication)
    app.register_error_handler(PermissionDeniedError, handle_permission_denied)
    app.register_error_handler(InvalidFieldsError, handle_invalid_fields)
    for exc in (OperationalError, InterfaceError):
        app.register_error_handler(exc, handle_database_error)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(PoolTimeoutError, handle_pool_timeout)


def _merge_locations(messages: Mapping[str, Any]) -> dict[str, Any]:
    """webargs nests messages by location (json, query, ...); clients want fields."""
    merged: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, Mapping):
            merged.update(location_messages)
        else:
            merged.setdefault("_schema", []).extend(location_messages)
    return merged


def _first_message(messages: Mapping[str, Any]) -> str | None:
    for value in messages.values():
        if isinstance(value, list) and value:
            return str(value[0])
    return None
