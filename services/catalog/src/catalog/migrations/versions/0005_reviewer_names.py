"""Identity's names of its users, for reviews (catalog.db.reviews.reviewer_names)

Revision ID: catalog_0005_reviewer_names
Revises: catalog_0002_user_access
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_0005_reviewer_names"
down_revision = "catalog_0002_user_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviewer_names",
        sa.Column("user_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("named_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reviewer_names")
