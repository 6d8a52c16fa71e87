"""URL converters."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import BaseConverter

# Ids are 64-bit (up to 2**63 - 1); paths accept up to 18 digits, which keeps the
# check inside the regex. A converter that rejects a value in ``to_python`` makes
# werkzeug answer 405 instead of 404 when other methods share the path.
MAX_PATH_ID = 10**18 - 1


class IdConverter(BaseConverter):
    """``<id:name>``: a positive integer id without leading zeros.

    Zero, negative numbers, non-numbers and numbers beyond ``MAX_PATH_ID`` do not
    match the route at all, so the client gets a 404 instead of a database error.
    """

    regex = r"[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(int(value))


def id_parameter_schema(converter: IdConverter) -> dict[str, Any]:
    """How ``<id:...>`` path parameters appear in the OpenAPI document."""
    return {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_PATH_ID}
