"""What the users API accepts and returns.

Create, update and read are separate schemas, as each has different rules: create
takes a password, update makes every field optional and takes no password (that
goes through /api/auth/password), read never exposes the password hash.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.models.user import EMAIL_MAX_LENGTH
from app.schemas.fields import Boolean, Email, Text
from app.security.password_rules import MAX_LENGTH, MIN_LENGTH, password_problems

# What OpenAPI can say of the password rules (app.security.password_rules); the
# rest (not the email, not a common password) is in the description.
PASSWORD_METADATA = {
    "description": (
        f"{MIN_LENGTH} to {MAX_LENGTH} characters, not all digits, not the email "
        "address, not a common password."
    ),
    "minLength": MIN_LENGTH,
    "maxLength": MAX_LENGTH,
    "pattern": "^(?![0-9]+$)[^\x00]*$",
}


class UserCreateSchema(Schema):
    email = Email(required=True, validate=validate.Length(max=EMAIL_MAX_LENGTH))
    full_name = Text(load_default="", validate=validate.Length(max=255))
    password = Text(required=True, load_only=True, metadata=PASSWORD_METADATA)

    @validates_schema(skip_on_field_errors=False)
    def _check_password_rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Report broken password rules with the other field errors, at once.
        (AccountService enforces the same rules for every other caller.)"""
        if "password" not in data:
            return
        problems = password_problems(data["password"], email=data.get("email"))
        if problems:
            raise ValidationError({"password": problems})


class UserUpdateSchema(Schema):
    email = Email(validate=validate.Length(max=EMAIL_MAX_LENGTH))
    full_name = Text(validate=validate.Length(max=255))
    is_active = Boolean(metadata={"description": "Staff only."})
    is_staff = Boolean(metadata={"description": "Staff only."})
    is_superuser = Boolean(metadata={"description": "Superusers only."})


class UserReadSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    is_staff = fields.Boolean(dump_only=True)
    is_superuser = fields.Boolean(dump_only=True)
    last_login = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
