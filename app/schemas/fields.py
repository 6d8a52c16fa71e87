"""Fields shared by the schemas."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import ValidationError, fields

NO_NUL_PATTERN = "^[^\x00]*$"


class Text(fields.String):
    """A string that refuses NUL characters, which PostgreSQL cannot store.

    The rule is also in the OpenAPI document (a ``pattern``), so that clients and
    contract tests know it.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": NO_NUL_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise ValidationError("Must not contain NUL characters.")
        return _encodable(result)


class Email(fields.Email):
    """An email address, trimmed before it is validated."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = _encodable(value.strip())
        return super()._deserialize(value, attr, data, **kwargs)


class UTCDateTime(fields.AwareDateTime):
    """A timestamp with a time zone (UTC if none is given), converted to UTC.

    A value that has no UTC equivalent (near year 1 or 9999) is a 422 here,
    rather than an overflow in the database driver.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        try:
            return result.astimezone(UTC)
        except OverflowError as exc:
            raise ValidationError("Out of the supported date range.") from exc


def _encodable(text: str) -> str:
    """``text``, if it is valid Unicode: JSON may carry lone surrogates (\\ud800),
    which no database can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError("Not valid Unicode text.") from exc
    return text
