"""Read schemas dumped without marshmallow's per-call machinery.

``Schema.dump`` resolves fields, attributes, hooks and errors on every call: about
20 microseconds for a user, 0.4 ms for a page of 20. A dumper compiled once from
the schema calls each field's own ``_serialize`` (so every value is written
exactly as marshmallow writes it) and nothing else. Schemas it cannot flatten
(hooks, nested, method or function fields) are dumped by marshmallow as usual.
tests/test_compiled_dump.py compares both on every read schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache, partial
from typing import Any

from marshmallow import Schema, fields

Dumper = Callable[[Any], dict[str, Any]]
# Fields whose value depends on more than the attribute: left to marshmallow.
NOT_FLAT = (fields.Nested, fields.Method, fields.Function, fields.Pluck, fields.List, fields.Dict)
_MISSING = object()
# Fields (these classes exactly, not subclasses) whose _serialize returns a value of
# this type unchanged, and None for None.
PLAIN: dict[type[fields.Field[Any]], type] = {
    fields.String: str,
    fields.Integer: int,
    fields.Boolean: bool,
}


@cache
def dumper(schema_class: type[Schema]) -> Dumper:
    """A function that dumps one object (or row mapping) as ``schema_class`` would."""
    schema = schema_class()
    if schema._hooks.get("pre_dump") or schema._hooks.get("post_dump"):
        return schema.dump
    plan = []
    for name, field in schema.dump_fields.items():
        if isinstance(field, NOT_FLAT):
            return schema.dump
        plain = PLAIN.get(type(field))
        if getattr(field, "as_string", False):
            plain = None
        plan.append((field.data_key or name, field.attribute or name, field._serialize, plain))

    def dump(obj: Any) -> dict[str, Any]:
        get = obj.get if isinstance(obj, Mapping) else partial(getattr, obj)
        out = {}
        for key, attribute, serialize, plain in plan:
            value = get(attribute, _MISSING)
            if value is _MISSING:
                continue
            # A str, int or bool for a plain field of that type (or None) is
            # written as it is: what the field's _serialize would return.
            if plain is not None and (value is None or type(value) is plain):
                out[key] = value
            else:
                out[key] = serialize(value, attribute, obj)
        return out

    return dump


def attributes_read(schema_class: type[Schema]) -> frozenset[str] | None:
    """The attributes a dump of ``schema_class`` reads, or ``None`` when it may read
    others (a hook, or a method, function or nested field): a list can then select
    just these columns."""
    schema = schema_class()
    if schema._hooks.get("pre_dump") or schema._hooks.get("post_dump"):
        return None
    if any(isinstance(field, NOT_FLAT) for field in schema.dump_fields.values()):
        return None
    return frozenset(field.attribute or name for name, field in schema.dump_fields.items())
