"""an index on studios' time zones: a search for a time later today reads only the studios
of the zones where it is still to come

Revision ID: catalog_0012_timezone_index
Revises: catalog_0011_outbox_notify
Create Date: 2026-12-04
"""

from alembic import op

revision = "catalog_0012_timezone_index"
down_revision = "catalog_0011_outbox_notify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("studios_timezone", "studios", ["timezone"])


def downgrade() -> None:
    op.drop_index("studios_timezone", table_name="studios")
