"""What the users API accepts and returns.

Create, update and read are separate schemas, as each has different rules: create
requires a password, update makes every field optional, read never exposes the
password or its hash.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.user import EMAIL_MAX_LENGTH
from app.schemas.fields import Email, Text

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


def _password(required: bool) -> Text:
    return Text(
        required=required,
        load_only=True,
        validate=validate.Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH),
        metadata={"description": f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters."},
    )


class UserCreateSchema(Schema):
    email = Email(required=True, validate=validate.Length(max=EMAIL_MAX_LENGTH))
    full_name = Text(load_default="", validate=validate.Length(max=255))
    password = _password(required=True)


class UserUpdateSchema(Schema):
    email = Email(validate=validate.Length(max=EMAIL_MAX_LENGTH))
    full_name = Text(validate=validate.Length(max=255))
    password = _password(required=False)
    is_active = fields.Boolean()


class UserReadSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
