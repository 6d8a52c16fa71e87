"""gunicorn workers whose own error responses are problem+json, like the app's.

gunicorn answers some requests before the app sees them: a request line longer
than ``limit_request_line`` (414), too many or too large headers (431), a
malformed request or chunked body (400). Its stock answer is a small HTML page;
these workers send the API's error format instead. gunicorn.conf.py selects
them (``worker_class``); the app itself never imports this module.
"""

from __future__ import annotations

import json
import socket
import ssl
from datetime import datetime
from http import HTTPStatus
from typing import Any

from gunicorn import util
from gunicorn.http import errors
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

# The status gunicorn gives each refusal (gunicorn.workers.base.Worker.handle_error).
# First match wins: a bad header the app tried to send is the app's fault (500).
STATUS_BY_ERROR: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], int], ...] = (
    ((errors.InvalidResponseHeader, errors.InvalidResponseHeaderName), 500),
    (errors.LimitRequestLine, 414),
    (errors.LimitRequestHeaders, 431),
    (errors.UnsupportedTransferCoding, 501),
    (errors.ExpectationFailed, 417),
    ((errors.ForbiddenProxyRequest, ssl.SSLError), 403),
    (
        (
            errors.InvalidRequestLine,
            errors.InvalidRequestMethod,
            errors.InvalidHTTPVersion,
            errors.InvalidHeader,
            errors.InvalidHeaderName,
            errors.InvalidProxyLine,
            errors.InvalidSchemeHeaders,
            errors.ObsoleteFolding,
            errors.InvalidH2CPreface,
            errors.InvalidChunkSize,
            errors.ChunkMissingTerminator,
            errors.InvalidChunkExtension,
            errors.InvalidProxyHeader,
            # A SCRIPT_NAME header (from a trusted proxy) that does not prefix the
            # path: the request's fault, although gunicorn calls it a 500.
            errors.ConfigurationProblem,
        ),
        400,
    ),
)
DETAILS = {
    400: "The request is malformed.",
    403: "The request is forbidden.",
    414: "The request line is too long.",
    417: "The expectation cannot be met.",
    431: "The request headers are too large.",
    500: "The server encountered an internal error.",
    501: "The transfer encoding is not supported.",
}


def status_for(exc: BaseException) -> int:
    """The status gunicorn answers ``exc`` with (500 for anything unexpected)."""
    for error_types, status in STATUS_BY_ERROR:
        if isinstance(exc, error_types):
            return status
    return 500


def problem_response(status: int) -> bytes:
    """A complete HTTP/1.1 response carrying a problem+json body."""
    phrase = HTTPStatus(status).phrase
    body = json.dumps(
        {"type": "about:blank", "title": phrase, "status": status, "detail": DETAILS[status]},
        separators=(",", ":"),
    ).encode()
    head = (
        f"HTTP/1.1 {status} {phrase}\r\nConnection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ProblemErrors:
    """Replace ``Worker.handle_error``: log as gunicorn does, answer in problem+json.

    The client's bytes are never echoed back (gunicorn's page quotes them).
    """

    log: Any
    cfg: Any

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        if isinstance(exc, SystemExit | KeyboardInterrupt):
            # The worker is being stopped (gunicorn's timeout aborts a sync worker
            # stuck on a silent client): nothing to answer, let it exit.
            raise exc
        started = datetime.now()
        addr = addr or ("", -1)  # a UNIX socket
        status = status_for(exc)
        if status == 500:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        else:
            self.log.warning("Invalid request from ip=%s: %s", addr[0], exc)
        if req is not None:
            environ = default_environ(req, client, self.cfg)
            environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = addr[0], str(addr[1])
            response = Response(req, client, self.cfg)
            response.status = f"{status} {HTTPStatus(status).phrase}"
            self.log.access(response, req, environ, datetime.now() - started)
        try:
            util.write_nonblock(client, problem_response(status))
        except Exception:
            self.log.debug("Failed to send error message.")


class ProblemSyncWorker(ProblemErrors, SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker (one request at a time per process)."""


class ProblemThreadWorker(ProblemErrors, ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker (``threads`` requests at a time per process)."""
