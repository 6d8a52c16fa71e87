"""The source files `flask scaffold` writes, rendered from Jinja templates.

The templates (app/scaffold/templates) hold the code's shape; this module only
derives what they show from the spec. Imports are listed generously and ruff
sorts, merges and prunes them, then formats the module, so the output passes the
project's lint and type checks unchanged.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from app.scaffold.spec import FieldSpec, ResourceSpec

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _pyvalue(value: Any) -> str:
    """A JSON sample as a Python literal (strings double-quoted, as ruff writes them)."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # Python source, not HTML
)
_env.filters["pyvalue"] = _pyvalue
_env.filters["pylist"] = lambda items: "[" + ", ".join(json.dumps(i) for i in items) + "]"
_env.filters["pytuple"] = lambda items: repr(tuple(items)).replace("'", '"')


@dataclass(frozen=True)
class FieldView:
    """One field as the templates show it."""

    spec: FieldSpec

    def __getattr__(self, name: str) -> Any:
        return getattr(self.spec, name)

    @property
    def annotation(self) -> str:
        python = self.spec.type.python
        return f"{python} | None" if self.spec.optional else python

    @property
    def column_args(self) -> str:
        args = [self.spec.type.column]
        if self.spec.target is not None:
            args.append(f'ForeignKey("{self.spec.target.table}.id")')
        if not self.spec.orderable and self.spec.type.filterable:
            args.append("index=True")
        return ", ".join(args)

    owner: bool = False  # the row's owner: the caller by default

    @property
    def create_field(self) -> str:
        if self.owner:
            return _with(self.spec.type.load, 'metadata={"description": OWNER_DESCRIPTION}')
        extra = "allow_none=True, load_default=None" if self.spec.optional else "required=True"
        return _with(self.spec.type.load, extra)

    @property
    def read_field(self) -> str:
        extra = "dump_only=True, allow_none=True" if self.spec.optional else "dump_only=True"
        return _with(self.spec.type.dump, extra)


def _with(call: str, extra: str) -> str:
    """Add keyword arguments to a field constructor call: ``f(a)`` -> ``f(a, extra)``."""
    head, _, rest = call.partition("(")
    inner = rest[:-1]
    return f"{head}({inner}, {extra})" if inner else f"{head}({extra})"


def context(spec: ResourceSpec) -> dict[str, Any]:
    """What every template may show."""
    fields = [FieldView(f, owner=f.name == spec.owner) for f in spec.fields]
    search = [f.name for f in spec.fields if f.type.searchable]
    model_imports = [
        "from sqlalchemy import Index",
        "from sqlalchemy.orm import Mapped, mapped_column",
        "from app.db.base import Base, IdMixin, TimestampMixin",
        *(line for f in spec.fields for line in f.type.model_imports),
    ]
    schema_imports = [
        "from marshmallow import Schema, fields, validate",
        "from app.schemas.fields import Text",
        *(line for f in spec.fields for line in f.type.schema_imports),
    ]
    return {
        "name": spec.name,
        "plural": spec.plural,
        "cls": spec.cls,
        "url": spec.url,
        "title": spec.plural.replace("_", " ").capitalize(),
        "fields": fields,
        "plain": [f for f in fields if f.target is None],
        "refs": [f for f in fields if f.target is not None],
        "required": [f.name for f in spec.fields if not f.optional and f.name != spec.owner],
        "owner": spec.owner,
        "filters": [f.name for f in spec.fields if f.type.filterable],
        "ordering": ["id", "created_at", *(f.name for f in spec.fields if f.orderable)],
        "orderable": [f.name for f in spec.fields if f.orderable],
        "search": search,
        "needle": next(
            (str(f.type.sample).split()[0].upper() for f in spec.fields if f.type.searchable),
            None,
        ),
        "model_imports": sorted(set(model_imports)),
        "schema_imports": sorted(set(schema_imports)),
    }


def render(template: str, spec: ResourceSpec, path: Path, root: Path) -> str:
    """The module ``template`` renders for ``spec``, as ruff would write it at ``path``."""
    text = _env.get_template(template).render(context(spec))
    return tidy(text, path, root)


def tidy(text: str, path: Path, root: Path) -> str:
    """Sort and prune imports (ruff's I and F401 fixes), then format, with the
    project's ruff settings for ``path``."""
    relative = str(path.relative_to(root))
    fixed = _ruff(
        ["check", "--select", "I,F401", "--fix", "--exit-zero", "--quiet"], text, relative, root
    )
    return _ruff(["format", "--quiet"], fixed, relative, root)


def _ruff(args: list[str], text: str, filename: str, root: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--stdin-filename", filename, "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ruff {args[0]} failed on {filename}: {result.stderr.strip()}")
    return result.stdout
