"""Reading requests, strictly: the JSON body and the query string.

Every way a body can fail to parse ends here, in a 4xx that ``app.errors`` turns
into a problem: not JSON or compressed (415), too large (413), a transfer coding
the server does not decode (501), unreadable, cut short or malformed on the wire
(400), not UTF-8, not JSON, nested too deeply, a number too long, a ``NaN``, a key
given twice (400). A query string that is not valid percent-encoded UTF-8 is a
400, and a parameter given twice a 422 that names it: the API never guesses.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

import flask
import marshmallow as ma
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)
from werkzeug.exceptions import (
    NotImplemented as NotImplementedStatus,
)

from app.exceptions import InvalidFieldsError

BODY_KEY = "app.json_body"  # where read_json_body keeps its outcome in the environ
MALFORMED_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
# Python refuses to convert integers of more than 4,300 digits (a ValueError
# the JSON parser lets through); no field of this API needs more than 20.
MAX_INTEGER_DIGITS = 100


class RequestParser(FlaskParser):
    """webargs' Flask parser, reading bodies with ``read_json_body`` and refusing
    repeated query parameters."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        return read_json_body(req)

    def load_querystring(self, req: flask.Request, schema: ma.Schema) -> Any:
        check_query_string(req.query_string)
        repeated = sorted(
            name
            for name, values in req.args.lists()
            if len(values) > 1 and not isinstance(schema.fields.get(name), ma.fields.List)
        )
        if repeated:
            raise InvalidFieldsError({name: ["Give this parameter once."] for name in repeated})
        return super().load_querystring(req, schema)


def check_query_string(query: bytes) -> None:
    """400 unless every ``%`` starts an escape and the escapes decode as UTF-8
    (werkzeug keeps ``%ff`` or ``%`` as literal text, which would then be searched)."""
    if MALFORMED_ESCAPE.search(query):
        raise BadRequest("The query string has a malformed percent-escape.")
    try:
        unquote_to_bytes(query.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("The query string is not valid UTF-8 once decoded.") from exc


def read_json_body(request: flask.Request) -> Any:
    """The request's JSON body, or the HTTP error that says why it cannot be read.

    Read once per request (the rate limits may read it before the view does): the
    outcome is kept, because a body that failed half-way cannot be read again.
    """
    kept: tuple[bool, Any] | None = request.environ.get(BODY_KEY)
    if kept is None:
        try:
            kept = (True, _parse_json_body(request))
        except HTTPException as exc:
            kept = (False, exc)
        request.environ[BODY_KEY] = kept
    parsed, value = kept
    if not parsed:
        raise value
    return value


def _parse_json_body(request: flask.Request) -> Any:
    if not is_json_request(request):
        raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json.")
    if request.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
        raise UnsupportedMediaType("Send the body uncompressed (no Content-Encoding).")
    data = read_body(request)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("The body is not valid UTF-8.") from exc
    try:
        return json.loads(
            text,
            parse_int=_parse_int,
            parse_constant=_refuse_constant,
            object_pairs_hook=_object,
        )
    except RecursionError as exc:
        raise BadRequest("The JSON body is nested too deeply.") from exc
    except _JsonRefused as exc:
        raise BadRequest(str(exc)) from exc
    except ValueError as exc:
        raise BadRequest("Invalid JSON body.") from exc


def read_body(request: flask.Request) -> bytes:
    """The whole body, within ``MAX_CONTENT_LENGTH``.

    werkzeug enforces the limit against ``Content-Length``; a chunked body has
    none, and werkzeug stops reading at the limit without saying so, so one more
    byte is read here to tell a complete body from a cut one. Whatever the server
    raises while decoding the body (a malformed chunk, a missing terminator, a
    client gone mid-body) is the client's fault: 400.
    """
    codings = [c.strip().lower() for c in request.headers.get("Transfer-Encoding", "").split(",")]
    if any(coding not in ("", "chunked", "identity") for coding in codings):
        raise NotImplementedStatus("Only the chunked transfer coding is supported.")
    try:
        data = request.get_data(cache=True)
        if request.content_length is not None and len(data) != request.content_length:
            raise BadRequest("The request body is shorter than its Content-Length.")
        limit = request.max_content_length
        if (
            limit is not None
            and request.content_length is None
            and len(data) >= limit
            and request.environ["wsgi.input"].read(1)
        ):
            raise RequestEntityTooLarge()
    except HTTPException:
        raise
    except Exception as exc:
        raise BadRequest("The request body is malformed or incomplete.") from exc
    return data


class _JsonRefused(ValueError):
    """Valid to Python's parser, refused by this API; the message says why."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _JsonRefused(f"A number in the JSON body has more than {MAX_INTEGER_DIGITS} digits.")
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise _JsonRefused(f"{name} is not valid JSON.")


def _object(pairs: list[tuple[str, Any]]) -> Mapping[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        counts = Counter(key for key, _ in pairs)
        repeated = sorted(key for key, n in counts.items() if n > 1)
        raise _JsonRefused(f"The JSON body repeats a key: {', '.join(repeated)}.")
    return obj
