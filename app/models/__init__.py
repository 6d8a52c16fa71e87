"""Every model, imported here so that Alembic autogenerate sees its table.

A model module that is not imported here is invisible to ``flask db migrate``.
"""

from app.models.user import User

__all__ = ["User"]
