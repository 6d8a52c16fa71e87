"""What `flask scaffold` is asked for: a resource name and its fields, checked.

Each field type says how it is stored (SQLAlchemy), read and written (marshmallow),
queried (filter, order, search) and tested (a valid value, a second valid value
that sorts before it, and an invalid one).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

# lower_snake_case; no double underscore, which list filters use for lookups
# (price__gte).
IDENTIFIER = re.compile(r"^[a-z](?:[a-z0-9]|_(?!_))*$")

# Names a model or resource may not take: the template's own modules and
# SQLAlchemy/Python names that would clash.
RESERVED_NAMES = frozenset(
    {"app", "api", "auth", "base", "db", "health", "model", "models", "query", "resource"}
    | {"schema", "schemas", "session", "test", "tests", "metadata", "registry", "errors"}
)
# Field names the base classes or the list's query parameters already use, and
# names the generated classes' bodies import (a column named ``fields`` would
# hide marshmallow's ``fields`` in the schema class).
RESERVED_FIELDS = frozenset(
    {"id", "created_at", "updated_at", "metadata", "registry", "query"}
    | {"page", "per_page", "cursor", "ordering", "q"}
    | {"fields", "validate", "mapped_column", "date", "datetime", "decimal", "uuid"}
)
# Class names the generated modules import: a model named so would replace them.
RESERVED_CLASSES = frozenset(
    {"Any", "Base", "BigId", "BigInteger", "Blueprint", "Boolean", "Date", "Decimal"}
    | {"Flask", "FlaskClient", "Float", "ForeignKey", "IdMixin", "Index", "Mapped"}
    | {"ModelResource", "Numeric", "Repository", "Schema", "String", "Text"}
    | {"BoundedDecimal", "DecimalString", "TimestampMixin", "UTCDateTime", "Uuid"}
)


class SpecError(ValueError):
    """The request cannot be generated; the message says why."""


@dataclass(frozen=True)
class FieldType:
    column: str  # SQLAlchemy type expression
    python: str  # annotation inside Mapped[...]
    load: str  # marshmallow field for create/update, without required/allow_none
    dump: str  # marshmallow field for read
    sample: Any  # a valid JSON value
    smaller: Any  # another valid JSON value that orders before ``sample``
    invalid: Any  # a JSON value the API must refuse
    filterable: bool = True
    orderable: bool = True
    searchable: bool = False
    model_imports: tuple[str, ...] = ()
    schema_imports: tuple[str, ...] = ()


INT_RANGE = "validate=validate.Range(min=-MAX_ID - 1, max=MAX_ID)"

TYPES: dict[str, FieldType] = {
    "str": FieldType(
        column="String(255)",
        python="str",
        load="Text(validate=validate.Length(max=255))",
        dump="fields.String()",
        sample="Sample text",
        smaller="Other text",
        invalid=12345,
        searchable=True,
        model_imports=("from sqlalchemy import String",),
    ),
    "text": FieldType(
        column="Text()",
        python="str",
        load="Text(validate=validate.Length(max=100_000))",
        dump="fields.String()",
        sample="Some longer text.",
        smaller="Another paragraph.",
        invalid=12345,
        filterable=False,
        orderable=False,
        searchable=True,
        model_imports=("from sqlalchemy import Text",),
    ),
    "int": FieldType(
        column="BigInteger()",
        python="int",
        load=f"fields.Integer(strict=True, {INT_RANGE})",
        dump="fields.Integer()",
        sample=42,
        smaller=7,
        invalid="many",
        model_imports=("from sqlalchemy import BigInteger",),
        schema_imports=("from app.db.base import MAX_ID",),
    ),
    "bool": FieldType(
        column="Boolean()",
        python="bool",
        load="Boolean()",
        dump="fields.Boolean()",
        sample=True,
        smaller=False,
        invalid="maybe",
        orderable=False,
        model_imports=("from sqlalchemy import Boolean",),
        schema_imports=("from app.schemas.fields import Boolean",),
    ),
    "decimal": FieldType(
        column="Numeric(12, 2)",
        python="Decimal",
        load="BoundedDecimal(12, 2)",
        dump="DecimalString()",
        sample="12.50",
        smaller="7.25",
        invalid="cheap",
        model_imports=("from decimal import Decimal", "from sqlalchemy import Numeric"),
        schema_imports=("from app.schemas.fields import BoundedDecimal, DecimalString",),
    ),
    "float": FieldType(
        column="Float()",
        python="float",
        load="Float()",
        dump="fields.Float()",
        sample=2.5,
        smaller=1.25,
        invalid="heavy",
        model_imports=("from sqlalchemy import Float",),
        schema_imports=("from app.schemas.fields import Float",),
    ),
    "date": FieldType(
        column="Date()",
        python="date",
        load="fields.Date()",
        dump="fields.Date()",
        sample="2024-05-17",
        smaller="2023-01-31",
        invalid="someday",
        model_imports=("from datetime import date", "from sqlalchemy import Date"),
    ),
    "datetime": FieldType(
        column="UTCDateTime()",
        python="datetime",
        load="UTCDateTime()",
        dump="fields.DateTime()",
        sample="2024-05-17T12:30:00+00:00",
        smaller="2023-01-31T08:00:00+00:00",
        invalid="tomorrow",
        model_imports=("from datetime import datetime", "from app.db.types import UTCDateTime"),
        schema_imports=("from app.schemas.fields import UTCDateTime",),
    ),
    "uuid": FieldType(
        column="Uuid()",
        python="uuid.UUID",
        load="fields.UUID()",
        dump="fields.UUID()",
        sample="2b1c7a1e-8f1e-4c39-9b0e-3f0d8c1f2a11",
        smaller="0a6e0c52-5d3b-4f5e-8a51-77e1c0f1d2b3",
        invalid="not-a-uuid",
        orderable=False,
        model_imports=("import uuid", "from sqlalchemy import Uuid"),
    ),
    "fk": FieldType(
        column="BigId",
        python="int",
        load="fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_PATH_ID))",
        dump="fields.Integer()",
        sample=None,  # the id of a row the test creates
        smaller=None,
        invalid="first",
        orderable=False,
        model_imports=("from sqlalchemy import ForeignKey", "from app.db.base import BigId"),
        schema_imports=("from app.api.converters import MAX_PATH_ID",),
    ),
}


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the column and API field name (``owner_id`` for ``owner:fk:user``)
    type_name: str
    optional: bool = False
    target: Target | None = None  # the referenced model of a foreign key

    @property
    def type(self) -> FieldType:
        return TYPES[self.type_name]

    @property
    def orderable(self) -> bool:
        return self.type.orderable and not self.optional


@dataclass(frozen=True)
class Target:
    """A model a foreign key points at."""

    module: str  # app.models.<module>
    cls: str
    table: str


@dataclass(frozen=True)
class ResourceSpec:
    name: str  # snake_case singular: module and model name
    plural: str
    fields: tuple[FieldSpec, ...] = field(default=())
    # The foreign key to users that owns each row (``owner_id``), if any.
    owner: str | None = None

    @property
    def cls(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def url(self) -> str:
        return self.plural.replace("_", "-")


def pluralize(name: str) -> str:
    if re.search(r"(s|x|z|ch|sh)$", name):
        return name + "es"
    if re.search(r"[^aeiou]y$", name):
        return name[:-1] + "ies"
    return name + "s"


def check_name(name: str, what: str) -> None:
    if not IDENTIFIER.match(name):
        raise SpecError(
            f"{what} {name!r} is not a valid name: use lower_snake_case, starting with a "
            "letter, without a double underscore."
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise SpecError(f"{what} {name!r} is a Python keyword.")


def parse_field(text: str, models: dict[str, Target]) -> FieldSpec:
    """``name:type``, ``name:type?`` (optional) or ``name:fk:model``."""
    parts = text.split(":")
    if len(parts) < 2 or not all(parts):
        raise SpecError(f"Field {text!r} must look like name:type (for example price:decimal).")
    name, type_name = parts[0], parts[1]
    optional = type_name.endswith("?")
    type_name = type_name.removesuffix("?")
    check_name(name, "Field")
    if type_name not in TYPES:
        raise SpecError(
            f"Field {name!r} has unknown type {type_name!r}; "
            f"known types: {', '.join(sorted(TYPES))} (fk as name:fk:model)."
        )
    target = None
    if type_name == "fk":
        if len(parts) != 3:
            raise SpecError(f"Field {name!r}: a foreign key is written name:fk:model.")
        target = models.get(parts[2])
        if target is None:
            known = ", ".join(sorted(models)) or "none"
            raise SpecError(f"Field {name!r} refers to unknown model {parts[2]!r}; known: {known}.")
        if not name.endswith("_id"):
            name += "_id"
    elif len(parts) != 2:
        raise SpecError(f"Field {text!r} must look like name:type.")
    if name in RESERVED_FIELDS:
        raise SpecError(f"Field name {name!r} is reserved: {', '.join(sorted(RESERVED_FIELDS))}.")
    return FieldSpec(name=name, type_name=type_name, optional=optional, target=target)


def parse(
    name: str,
    field_texts: list[str],
    models: dict[str, Target],
    plural: str | None = None,
    owner: str | None = None,
) -> ResourceSpec:
    """Check everything before anything is written; a taken name first."""
    if name in models:
        raise SpecError(f"A model named {name!r} exists already.")
    check_name(name, "Resource")
    if name in RESERVED_NAMES:
        raise SpecError(f"{name!r} is reserved: pick another name.")
    cls = "".join(part.capitalize() for part in name.split("_"))
    if cls in RESERVED_CLASSES:
        raise SpecError(f"{name!r} would make a class {cls} that the generated code imports.")
    plural = plural or pluralize(name)
    check_name(plural, "Plural")
    if plural in RESERVED_NAMES or plural in {target.table for target in models.values()}:
        raise SpecError(f"The table or resource name {plural!r} is taken: pass another --plural.")
    if not field_texts:
        raise SpecError("Give at least one field, for example: name:str.")
    fields = tuple(parse_field(text, models) for text in field_texts)
    names = [f.name for f in fields]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SpecError(f"Field names repeat: {', '.join(duplicates)}.")
    return ResourceSpec(name=name, plural=plural, fields=fields, owner=owner_of(fields, owner))


def owner_of(fields: tuple[FieldSpec, ...], requested: str | None) -> str | None:
    """The field that owns each row: ``--owner FIELD``, else a field ``owner:fk:user``.

    It must be a required foreign key to users."""
    to_users = {f.name: f for f in fields if f.target is not None and f.target.table == "users"}
    if requested is None:
        found = to_users.get("owner_id")
        return found.name if found is not None and not found.optional else None
    name = requested if requested.endswith("_id") else f"{requested}_id"
    owner = to_users.get(name)
    if owner is None:
        raise SpecError(f"--owner {requested}: give a field {requested}:fk:user.")
    if owner.optional:
        raise SpecError(f"--owner {requested}: the owner cannot be optional.")
    return owner.name
