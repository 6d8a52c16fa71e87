"""Fields for query-string values: one spelling per value, and a known length.

A query string is text, and Python's parsers are generous with text: ``int()``
reads fullwidth and Arabic-Indic digits, spaces and underscores (``" 1_0 "``),
and marshmallow's Boolean takes ``on``, ``yes`` and ``1``. These fields accept
ASCII digits for numbers and ``true``/``false`` for booleans, nothing else.

Each field also knows the longest text it accepts once percent-encoded in a URL
(``url_length``), so a list can prove that its longest valid URL fits the
server's request line (see ``app.api.resource``).
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.db.base import MAX_ID
from app.schemas.fields import NUMBER_TEXT, BoundedDecimal, Text, UTCDateTime

# A character of free text, percent-encoded: four UTF-8 bytes, each as %XX.
ENCODED_TEXT_CHAR = 12
# An ASCII character that a client may percent-encode (":" and "+" in a time).
ENCODED_ASCII_CHAR = 3

INTEGER = re.compile(r"-?[0-9]+")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ISO_TEXT = re.compile(r"[0-9A-Za-z:.+-]+")
MAX_FLOAT_LENGTH = 32  # "-2.2250738585072014e-308" has 24
MAX_DATETIME_LENGTH = 40  # "2024-05-17T12:30:00.123456+05:30" has 32


def _check(value: Any, pattern: re.Pattern[str], max_length: int, message: str) -> None:
    if isinstance(value, str) and (len(value) > max_length or not pattern.fullmatch(value)):
        raise ValidationError(message)


class QueryBoolean(fields.Boolean):
    """``true`` or ``false``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if value is True or value is False:  # a value read back from a cursor
            return value
        if value in ("true", "false"):
            return bool(value == "true")
        raise ValidationError("Must be true or false.")

    def url_length(self) -> int:
        return len("false")


class QueryInteger(fields.Integer):
    """An integer in ASCII digits, optionally negative; bounded by its ``Range``."""

    def __init__(self, *, minimum: int = -MAX_ID - 1, maximum: int = MAX_ID, **kwargs: Any):
        self.bounds = (minimum, maximum)
        super().__init__(validate=validate.Range(min=minimum, max=maximum), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        _check(value, INTEGER, self.url_length(), "Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)

    def url_length(self) -> int:
        return max(len(str(bound)) for bound in self.bounds)


class QueryFloat(fields.Float):
    """A finite number in ASCII digits, with an optional exponent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        _check(value, NUMBER_TEXT, MAX_FLOAT_LENGTH, "Not a valid number.")
        return super()._deserialize(value, attr, data, **kwargs)

    def url_length(self) -> int:
        return MAX_FLOAT_LENGTH


class QueryDecimal(BoundedDecimal):
    """A decimal in ASCII digits that fits ``NUMERIC(precision, scale)``."""

    def __init__(self, precision: int, scale: int, **kwargs: Any) -> None:
        # Digits, a sign and a point; or a number in exponent form, as a float prints.
        self.max_length = max(precision + 2, MAX_FLOAT_LENGTH)
        super().__init__(precision, scale, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and len(value) > self.max_length:
            raise ValidationError("Not a valid number.")
        return super()._deserialize(value, attr, data, **kwargs)

    def url_length(self) -> int:
        return self.max_length


class QueryDate(fields.Date):
    """A date, ``YYYY-MM-DD``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"maxLength": 10}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        _check(value, ISO_TEXT, 10, "Not a valid date.")
        return super()._deserialize(value, attr, data, **kwargs)

    def url_length(self) -> int:
        return 10


class QueryDateTime(UTCDateTime):
    """An ISO 8601 timestamp (UTC if it has no offset), at most 40 characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"maxLength": MAX_DATETIME_LENGTH}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        _check(value, ISO_TEXT, MAX_DATETIME_LENGTH, "Not a valid datetime.")
        return super()._deserialize(value, attr, data, **kwargs)

    def url_length(self) -> int:
        return MAX_DATETIME_LENGTH * ENCODED_ASCII_CHAR


class QueryUUID(fields.UUID):
    """A UUID in its canonical 36-character form."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"maxLength": 36}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        _check(value, UUID, 36, "Not a valid UUID.")
        return super()._deserialize(value, attr, data, **kwargs)

    def url_length(self) -> int:
        return 36


class QueryText(Text):
    """Free text of at most ``max_length`` characters."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(validate=validate.Length(max=max_length), **kwargs)

    def url_length(self) -> int:
        return self.max_length * ENCODED_TEXT_CHAR


class QueryChoice(fields.String):
    """One of ``choices`` (an enum in the OpenAPI document)."""

    def __init__(self, choices: list[str], **kwargs: Any) -> None:
        self.choices = choices
        super().__init__(validate=validate.OneOf(choices), **kwargs)

    def url_length(self) -> int:
        return max(len(choice) for choice in self.choices) * ENCODED_ASCII_CHAR


class QueryToken(fields.String):
    """An opaque base64url token (a cursor) of at most ``max_length`` characters."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(
            validate=[validate.Length(max=max_length), validate.Regexp(r"^[A-Za-z0-9_-]*$")],
            **kwargs,
        )

    def url_length(self) -> int:
        return self.max_length


def url_length(field: fields.Field[Any]) -> int:
    """The longest value ``field`` accepts, as it may appear in a URL."""
    measure = getattr(field, "url_length", None)
    if measure is None:
        raise TypeError(f"{type(field).__name__} is not a query field (see app.schemas.query).")
    length: int = measure()
    return length
