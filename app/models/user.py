"""The user account."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import Index, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, validates

from app.db.base import Base, IdMixin, TimestampMixin
from app.db.types import UTCDateTime

EMAIL_MAX_LENGTH = 320
INVISIBLE_IN_EMAIL = "Must not contain invisible or control characters."


def normalize_email(email: str) -> str:
    """The stored form of an email: NFKC-normalized, trimmed and lower-cased.

    NFKC folds compatibility forms (fullwidth letters, ligatures, non-breaking
    spaces) into their plain equivalents, and ideographic full stops become dots,
    so look-alike spellings are one address. Storing one form lets the unique
    index decide duplicates and lets ``get_by_email`` be an indexed equality lookup.
    """
    folded = unicodedata.normalize("NFKC", email).strip().lower()
    # IDNA reads the ideographic full stop (U+3002, what NFKC leaves of the
    # fullwidth and halfwidth ones) as a dot: mail to it reaches the same domain.
    return unicodedata.normalize("NFKC", folded.replace("\u3002", "."))


# Unicode's Default_Ignorable_Code_Point ranges that are not format characters
# (Cf): fillers and variation selectors, which render as nothing.
_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
# Control, format (zero-width), surrogate, private-use, unassigned and separator
# characters: none belongs in an address.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})


def has_invisible_characters(text: str) -> bool:
    """Whether ``text`` holds a character that shows as nothing or as a blank."""
    return bool(_IGNORABLE.search(text)) or any(
        unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in text
    )


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    # Lists order by created_at, ties broken by id: one index serves both the
    # order and the keyset condition (created_at, id) < (:value, :id).
    __table_args__ = (Index("ix_users_created_at_id", "created_at", "id"),)

    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    # An Argon2id hash (see app.security.passwords); never the password itself.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Roles, as in Django: inactive users cannot sign in; staff manage users;
    # superusers may also grant superuser. Indexed: the users list filters on them.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true(), index=True)
    is_staff: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    is_superuser: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @validates("email")
    def _normalize_email(self, key: str, value: str) -> str:
        return normalize_email(value)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
