"""normalize user emails (NFKC)

Revision ID: 5e0c3a9b7d21
Revises: a1052c9deaf7
Create Date: 2026-11-30 12:00:00.000000

Emails are now stored NFKC-normalized, trimmed and lower-cased, with ideographic
full stops as dots, so that look-alike spellings (fullwidth letters, say) are one
address. This rewrites the
rows stored before. If two existing rows would end up with the same address, it
changes nothing and stops, listing the ids of the colliding accounts: merge or
rename them by hand, then run it again. The normalization is frozen here (a
migration never imports app code).
"""

import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e0c3a9b7d21'
down_revision = 'a1052c9deaf7'
branch_labels = None
depends_on = None

users = sa.table("users", sa.column("id", sa.BigInteger()), sa.column("email", sa.String()))


def normalize_email(email: str) -> str:
    folded = unicodedata.normalize("NFKC", email).strip().lower()
    return unicodedata.normalize("NFKC", folded.replace("\u3002", "."))


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.email).order_by(users.c.id)).all()
    ids_by_email: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        ids_by_email[normalize_email(row.email)].append(row.id)
    collisions = [ids for ids in ids_by_email.values() if len(ids) > 1]
    if collisions:
        listed = "; ".join(", ".join(str(id_) for id_ in ids) for ids in collisions)
        raise RuntimeError(
            "Cannot normalize user emails: these accounts would share an address "
            f"(ids per address: {listed}). Merge or rename them, then upgrade again. "
            "Nothing was changed."
        )
    for row in rows:
        normalized = normalize_email(row.email)
        if normalized != row.email:
            connection.execute(
                users.update().where(users.c.id == row.id).values(email=normalized)
            )


def downgrade() -> None:
    # The original spellings are gone; normalized addresses work before and after.
    pass
