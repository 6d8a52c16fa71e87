"""never reuse ids on sqlite

Revision ID: 7b2d4f6a9c10
Revises: 5e0c3a9b7d21
Create Date: 2026-11-30 13:00:00.000000

SQLite hands a deleted row's id to the next insert unless the table was created
with AUTOINCREMENT: a deleted user's still-valid token would then name the next
sign-up. This rebuilds the tables with it (batch mode copies the rows, their ids
and the indexes). PostgreSQL's sequences never reuse an id: nothing to do there.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '7b2d4f6a9c10'
down_revision = '5e0c3a9b7d21'
branch_labels = None
depends_on = None

TABLES = ("users", "refresh_tokens")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always"):
            pass
