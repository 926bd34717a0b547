"""a studio's add-ons (an engineer per hour, a backline kit, a cleaning fee), a JSON list

Revision ID: catalog_0006_add_ons
Revises: catalog_0005_reviewer_names
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "catalog_0006_add_ons"
down_revision = "catalog_0005_reviewer_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "studios",
        sa.Column("add_ons", postgresql.JSONB(), server_default="[]", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("studios", "add_ons")
