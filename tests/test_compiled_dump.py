"""The compiled dumper writes exactly what marshmallow writes, for every field type
the read schemas use (users' and every type `flask scaffold` generates)."""

from __future__ import annotations

import decimal
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from marshmallow import Schema, fields, post_dump

from app.schemas.compiled import dumper
from app.schemas.fields import DecimalString
from app.schemas.user import UserReadSchema


class EveryType(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    notes = fields.String(dump_only=True, allow_none=True)
    flag = fields.Boolean(dump_only=True)
    weight = fields.Float(dump_only=True)
    price = DecimalString(dump_only=True)
    made_at = fields.DateTime(dump_only=True)
    released = fields.Date(dump_only=True)
    code = fields.UUID(dump_only=True)
    renamed = fields.Integer(dump_only=True, data_key="otherName", attribute="count")
    secret = fields.String(load_only=True)


VALUES: list[dict[str, Any]] = [
    {
        "id": 1, "name": "Ada", "notes": None, "flag": True, "weight": 2.5,
        "price": decimal.Decimal("12.50"), "made_at": datetime(2024, 5, 17, 12, 30, tzinfo=UTC),
        "released": date(2024, 5, 17), "code": uuid.UUID(int=7), "count": 3, "secret": "x",
    },
    {
        "id": 2**62, "name": "ÉMILE \N{GRINNING FACE}", "notes": "", "flag": False,
        "weight": 1e-300, "price": decimal.Decimal("0.00"),
        "made_at": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        "released": date(9999, 12, 31), "code": uuid.uuid4(), "count": 0, "secret": "y",
    },
    {
        "id": 3, "name": "", "notes": "text", "flag": True, "weight": -0.0,
        "price": decimal.Decimal("-99999999.99"),
        "made_at": datetime(2030, 1, 1, 0, 0, 0, 123456, tzinfo=UTC),
        "released": date(2000, 2, 29), "code": uuid.UUID(int=0), "count": -1, "secret": "z",
    },
]  # fmt: skip


@pytest.mark.parametrize("values", VALUES)
@pytest.mark.parametrize("shape", ["mapping", "object"])
def test_every_field_type_dumps_as_marshmallow_does(values: dict[str, Any], shape: str) -> None:
    obj = values if shape == "mapping" else SimpleNamespace(**values)

    assert dumper(EveryType)(obj) == EveryType().dump(obj)


def test_the_users_read_schema_dumps_as_marshmallow_does() -> None:
    user = SimpleNamespace(
        id=5, email="ada@example.com", full_name="Ada", is_active=True, is_staff=False,
        is_superuser=False, last_login=None, created_at=datetime.now(UTC),
        updated_at=datetime.now(UTC), password_hash="$argon2id$not-shown",
    )  # fmt: skip

    dumped = dumper(UserReadSchema)(user)

    assert dumped == UserReadSchema().dump(user)
    assert "password_hash" not in dumped


def test_a_schema_with_hooks_is_left_to_marshmallow() -> None:
    class Hooked(Schema):
        id = fields.Integer()

        @post_dump
        def _double(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            return {"id": data["id"] * 2}

    assert dumper(Hooked)({"id": 2}) == {"id": 4}
