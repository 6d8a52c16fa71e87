"""Fields shared by the schemas."""

from __future__ import annotations

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
        return result


class Email(fields.Email):
    """An email address, trimmed before it is validated."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
        return super()._deserialize(value, attr, data, **kwargs)
