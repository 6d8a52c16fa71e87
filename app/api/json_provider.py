"""Responses encoded with orjson: several times faster than the standard library
for the dicts and lists every response is made of.

Only responses: request bodies are read by app/api/parsing.py, whose refusals
(huge integers, NaN, repeated keys) orjson's parser does not make. Keys are
sorted, as Flask's default provider sorts them, so output is stable. Anything
orjson cannot encode (integers beyond 64 bits, lone surrogates, other types) is
left to Flask's default provider.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import current_app
from flask.json.provider import DefaultJSONProvider

OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


class FastJSONProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        try:
            return orjson.dumps(obj, option=OPTIONS).decode()
        except TypeError:
            return super().dumps(obj, **kwargs)

    def dumps_bytes(self, obj: Any) -> bytes:
        """The encoded body, without a round trip through ``str``."""
        try:
            return orjson.dumps(obj, option=OPTIONS)
        except TypeError:
            return super().dumps(obj).encode()

    def response(self, *args: Any, **kwargs: Any) -> Any:
        """A JSON response (with a final newline, as Flask's provider writes it)."""
        body = self.dumps_bytes(self._prepare_response_obj(args, kwargs)) + b"\n"
        return current_app.response_class(body, mimetype=self.mimetype)
