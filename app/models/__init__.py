"""Every model, imported here so that Alembic autogenerate sees its table.

A model module that is not imported here is invisible to ``flask db migrate``.
"""

from app.models.refresh_token import RefreshToken
from app.models.user import User

__all__ = ["RefreshToken", "User"]
