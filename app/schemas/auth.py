"""What the auth endpoints accept and return."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.user import EMAIL_MAX_LENGTH
from app.schemas.fields import Email, Text
from app.schemas.user import PASSWORD_METADATA
from app.security.password_rules import MAX_LENGTH


class TokenRequestSchema(Schema):
    email = Text(required=True, validate=validate.Length(max=EMAIL_MAX_LENGTH))
    password = Text(required=True, load_only=True, validate=validate.Length(max=MAX_LENGTH))


class RefreshRequestSchema(Schema):
    refresh_token = Text(required=True, load_only=True, validate=validate.Length(max=512))


class TokenSchema(Schema):
    access_token = fields.String(required=True, metadata={"description": "A JWT for Bearer."})
    refresh_token = fields.String(required=True, metadata={"description": "Use once."})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(
        required=True, metadata={"description": "Seconds until the access token expires."}
    )


class MeUpdateSchema(Schema):
    email = Email(validate=validate.Length(max=EMAIL_MAX_LENGTH))
    full_name = Text(validate=validate.Length(max=255))


class PasswordChangeSchema(Schema):
    current_password = Text(required=True, load_only=True, validate=validate.Length(max=MAX_LENGTH))
    new_password = Text(required=True, load_only=True, metadata=PASSWORD_METADATA)
